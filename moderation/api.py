"""The moderation and review API, under /api/v1/ (url names `moderation-...`,
routes in api_urls.py), merging included: a merge moves votes too.

Every lookup starts from what the caller can see (404 `not_found`
otherwise); the services say who may act (403 `permission_denied`).
"""

from collections.abc import Callable

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.serializers import PersonSerializer
from ideabox.api import Pagination, refusals
from ideabox.exceptions import DomainError
from ideas import review
from ideas.api import author_for
from ideas.models import BOX_STATUSES, Idea

from . import services as moderation

# --- serializers ---------------------------------------------------------------


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=moderation.REASON_MAX_LENGTH
    )


class MergeSerializer(ReasonSerializer):
    target = serializers.IntegerField(min_value=1, help_text=_("The id of the idea to merge into (same campaign)."))


class ReviewSerializer(ReasonSerializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in BOX_STATUSES])


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    idea = serializers.IntegerField(source="idea_id", allow_null=True)
    comment = serializers.IntegerField(source="comment_id", allow_null=True)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class IdeaModerationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    approved = serializers.BooleanField()
    hidden = serializers.BooleanField()
    hidden_reason = serializers.CharField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    comment_count = serializers.IntegerField()
    follower_count = serializers.IntegerField()


class CommentModerationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    idea = serializers.IntegerField(source="idea_id")
    hidden = serializers.BooleanField()
    hidden_reason = serializers.CharField()


class DismissedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resolution = serializers.CharField()
    resolved_at = serializers.DateTimeField()


class ReviewedSerializer(serializers.Serializer):
    # Renders the StatusChange a review made, its idea read again after the move.
    id = serializers.IntegerField(source="idea.pk")
    status = serializers.CharField(source="idea.status")
    reason = serializers.CharField()
    first_answer_at = serializers.DateTimeField(source="idea.first_answer_at", allow_null=True)


class QueueReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    reporter = PersonSerializer(allow_null=True)
    target_type = serializers.SerializerMethodField()
    idea = serializers.SerializerMethodField()
    comment = serializers.IntegerField(source="comment_id", allow_null=True)
    excerpt = serializers.SerializerMethodField()

    def get_target_type(self, report) -> str:
        return "comment" if report.comment_id else "idea"

    def get_idea(self, report) -> int:
        return report.comment.idea_id if report.comment_id else report.idea_id

    def get_excerpt(self, report) -> str:
        text = report.comment.body if report.comment_id else report.idea.title
        return text[:200]


class QueueIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.CharField(source="campaign.slug")
    title = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.CharField()
    author = serializers.SerializerMethodField()
    hidden_reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, idea: Idea) -> dict | None:
        return author_for(idea, self.context["request"].user)


class QueueCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    idea = serializers.IntegerField(source="idea_id")
    body = serializers.CharField()
    author = PersonSerializer(allow_null=True)
    hidden_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class QueueQuerySerializer(serializers.Serializer):
    KINDS = ("reports", "approval", "hidden_ideas", "hidden_comments")
    kind = serializers.ChoiceField(choices=KINDS, default="reports")


# --- views -------------------------------------------------------------------------

# What a moderator's action may answer; reporting is for participants
# (`not_allowed`); a review may refuse a move (`invalid_transition`).
REFUSALS = refusals("invalid", "not_authenticated", "permission_denied", "not_found", "conflict")
REPORT_REFUSALS = refusals("invalid", "not_authenticated", "not_allowed", "not_found", "conflict")
REVIEW_REFUSALS = refusals(
    "invalid", "not_authenticated", "permission_denied", "not_found", "invalid_transition", "conflict"
)
QUEUE_REFUSALS = refusals("invalid", "not_authenticated", "permission_denied")


def _visible_idea(request, pk: int) -> Idea:
    return get_object_or_404(Idea.objects.visible_to(request.user), pk=pk)


def _visible_comment(request, pk: int):
    return get_object_or_404(moderation.visible_comments(request.user), pk=pk)


class _Action(APIView):
    permission_classes = [IsAuthenticated]
    request_serializer = ReasonSerializer

    def data(self, request) -> dict:
        serializer = self.request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class IdeaReportView(_Action):
    @extend_schema(
        operation_id="idea_report",
        request=ReasonSerializer,
        responses={201: ReportSerializer, **REPORT_REFUSALS},
        tags=["moderation"],
        description=_("Report an idea to the moderators (one open report per person and idea)."),
    )
    def post(self, request, pk: int):
        idea = _visible_idea(request, pk)
        report = moderation.report_idea(reporter=request.user, target=idea, reason=self.data(request)["reason"])
        return Response(ReportSerializer(report).data, status=201)


class CommentReportView(_Action):
    @extend_schema(
        operation_id="comment_report",
        request=ReasonSerializer,
        responses={201: ReportSerializer, **REPORT_REFUSALS},
        tags=["moderation"],
        description=_("Report a comment to the moderators (one open report per person and comment)."),
    )
    def post(self, request, pk: int):
        comment = _visible_comment(request, pk)
        report = moderation.report_comment(reporter=request.user, target=comment, reason=self.data(request)["reason"])
        return Response(ReportSerializer(report).data, status=201)


class IdeaActionView(_Action):
    """POST an action on an idea: `service(idea=, by=, reason=)` answers with the idea."""

    service: Callable[..., Idea]

    def perform(self, request, idea: Idea, data: dict) -> Idea:
        return type(self).service(idea=idea, by=request.user, reason=data["reason"])

    def post(self, request, pk: int):
        idea = _visible_idea(request, pk)
        result = self.perform(request, idea, self.data(request))
        return Response(IdeaModerationSerializer(result).data)


def idea_action_schema(operation_id: str, description, request=ReasonSerializer):
    return extend_schema(
        operation_id=operation_id,
        request=request,
        responses={200: IdeaModerationSerializer, **REFUSALS},
        tags=["moderation"],
        description=description,
    )


class IdeaHideView(IdeaActionView):
    service = staticmethod(moderation.hide_idea)

    @idea_action_schema("idea_hide", _("Hide an idea (reason required); its status is kept. Moderators."))
    def post(self, request, pk: int):
        return super().post(request, pk)


class IdeaRestoreView(IdeaActionView):
    service = staticmethod(moderation.restore_idea)

    @idea_action_schema("idea_restore", _("Restore a hidden idea, with its status. Moderators."))
    def post(self, request, pk: int):
        return super().post(request, pk)


class IdeaApproveView(IdeaActionView):
    service = staticmethod(moderation.approve_idea)

    @idea_action_schema("idea_approve", _("Approve an idea awaiting pre-moderation. Moderators."))
    def post(self, request, pk: int):
        return super().post(request, pk)


class IdeaMergeView(IdeaActionView):
    request_serializer = MergeSerializer

    @idea_action_schema(
        "idea_merge",
        _(
            "Merge a duplicate into another idea of the same campaign: comments, followers and votes move "
            "(a voter who supported both keeps one vote and gets the other back). Moderators."
        ),
        request=MergeSerializer,
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, idea, data):
        target = moderation.merge_target(user=request.user, pk=data["target"])
        return moderation.merge_idea(source=idea, target=target, by=request.user, reason=data["reason"])


class IdeaReviewView(_Action):
    request_serializer = ReviewSerializer

    @extend_schema(
        operation_id="idea_review",
        request=ReviewSerializer,
        responses={200: ReviewedSerializer, **REVIEW_REFUSALS},
        tags=["moderation"],
        description=_(
            "Move an idea of the idea box through its review: under_review → accepted → implemented, "
            "or rejected (reason required); a rejection may be reopened. Reviewers (moderators)."
        ),
    )
    def post(self, request, pk: int):
        idea = _visible_idea(request, pk)
        data = self.data(request)
        change = review.change_status(idea=idea, to=data["status"], by=request.user, reason=data["reason"])
        idea.refresh_from_db()
        change.idea = idea
        return Response(ReviewedSerializer(change).data)


class _CommentAction(_Action):
    """POST an action on a comment: `service(comment=, by=, reason=)` answers with the comment."""

    service: Callable

    def post(self, request, pk: int):
        comment = _visible_comment(request, pk)
        result = type(self).service(comment=comment, by=request.user, reason=self.data(request)["reason"])
        return Response(CommentModerationSerializer(result).data)


def _comment_schema(operation_id: str, description):
    return extend_schema(
        operation_id=operation_id,
        request=ReasonSerializer,
        responses={200: CommentModerationSerializer, **REFUSALS},
        tags=["moderation"],
        description=description,
    )


class CommentHideView(_CommentAction):
    service = staticmethod(moderation.hide_comment)

    @_comment_schema("comment_hide", _("Hide a comment (reason required). Moderators."))
    def post(self, request, pk: int):
        return super().post(request, pk)


class CommentRestoreView(_CommentAction):
    service = staticmethod(moderation.restore_comment)

    @_comment_schema("comment_restore", _("Restore a hidden comment. Moderators."))
    def post(self, request, pk: int):
        return super().post(request, pk)


class ReportDismissView(_Action):
    @extend_schema(
        operation_id="report_dismiss",
        request=ReasonSerializer,
        responses={200: DismissedSerializer, **REFUSALS},
        tags=["moderation"],
        description=_("Dismiss an open report, leaving its target as it is. Moderators."),
    )
    def post(self, request, pk: int):
        if not roles.is_moderator(request.user):
            raise DomainError("permission_denied")
        report = get_object_or_404(moderation.reports_visible_to(request.user), pk=pk)
        result = moderation.dismiss_report(report=report, by=request.user, reason=self.data(request)["reason"])
        return Response(DismissedSerializer(result).data)


class ModerationQueueView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        operation_id="moderation_queue",
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                enum=list(QueueQuerySerializer.KINDS),
                description=_(
                    "reports: open reports, oldest first (default); approval: ideas awaiting pre-moderation; "
                    "hidden_ideas / hidden_comments: hidden in the last 7 days."
                ),
            ),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="ModerationQueueItem",
                serializers=[QueueReportSerializer, QueueIdeaSerializer, QueueCommentSerializer],
                resource_type_field_name=None,
                many=True,
            ),
            **QUEUE_REFUSALS,
        },
        tags=["moderation"],
        description=_("The moderation queue. Moderators."),
    )
    def get(self, request):
        if not roles.is_moderator(request.user):
            raise DomainError("permission_denied")
        query = QueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind = query.validated_data["kind"]
        user = request.user
        queryset, serializer_class = {
            "reports": (moderation.open_reports, QueueReportSerializer),
            "approval": (moderation.awaiting_approval, QueueIdeaSerializer),
            "hidden_ideas": (moderation.recently_hidden_ideas, QueueIdeaSerializer),
            "hidden_comments": (moderation.recently_hidden_comments, QueueCommentSerializer),
        }[kind]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset(user=user), request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True, context={"request": request}).data)
