"""The campaigns API, under /api/v1/ (url names prefixed `campaigns-`).

Every lookup starts from Campaign.objects.visible_to(user): what the caller
may not see is a 404, never a 403. Writes call campaigns.services.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import filters, generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from ideabox.api import BODY_REFUSALS, refusals

from . import services
from .models import PHASE_ORDER, Audience, Campaign, Category, Kind, Phase


class ManagersWrite(permissions.BasePermission):
    """Anyone reads what they may see; only managers write.

    Checked on the object, after the lookup, so that a campaign the caller
    may not see stays a 404 whatever the method.
    """

    message = _("Only campaign managers may do this.")

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or roles.is_manager(request.user)


class ManagersCreate(ManagersWrite):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated) and roles.is_manager(request.user)


class CategorySerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=100, required=False, help_text=_("Made from the name when omitted."))

    class Meta:
        model = Category
        fields = ["slug", "name"]


class CampaignActualDatesSerializer(serializers.Serializer):
    # Renders Campaign.schedule_dates(): each boundary's actual date.

    submission_opens = serializers.DateTimeField(source="submission_opens.actual", allow_null=True)
    submission_closes = serializers.DateTimeField(source="submission_closes.actual", allow_null=True)
    voting_opens = serializers.DateTimeField(source="voting_opens.actual", allow_null=True)
    voting_closes = serializers.DateTimeField(source="voting_closes.actual", allow_null=True)
    deliberation_ends = serializers.DateTimeField(source="deliberation_ends.actual", allow_null=True)


class CampaignSerializer(serializers.ModelSerializer):
    categories = CategorySerializer(many=True, read_only=True)
    cover = serializers.ImageField(required=False, allow_null=True, help_text=_("An image of at most 5 MB."))
    actual_dates = CampaignActualDatesSerializer(
        source="schedule_dates",
        read_only=True,
        help_text=_(
            "When each boundary of the schedule happened, from the phase moves (a phase opened early shows here, "
            "the schedule fields keep the plan); null while it is ahead."
        ),
    )

    class Meta:
        model = Campaign
        fields = [
            "title",
            "slug",
            "theme",
            "audience",
            "kind",
            "votes_per_voter",
            "submission_opens",
            "submission_closes",
            "voting_opens",
            "voting_closes",
            "deliberation_ends",
            "phase",
            "categories",
            "moderation",
            "allow_anonymous",
            "hide_counts_while_voting",
            "shortlist_size",
            "cover",
            "actual_dates",
        ]
        read_only_fields = ["kind", "phase"]
        extra_kwargs = {
            "slug": {
                "required": False,
                "help_text": _("The end of the campaign's address. Made from the title when omitted."),
            },
            "votes_per_voter": {"min_value": 1},
            "shortlist_size": {"min_value": 1, "max_value": 1000},
        }

    def validate_cover(self, cover):
        if cover is not None and cover.size > services.COVER_MAX_BYTES:
            raise serializers.ValidationError(_("The cover image may be at most 5 MB."))
        return cover

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        if "cover" in data and data["cover"] is None:
            data["cover"] = False  # null: remove the cover
        return data


class CampaignFilter(django_filters.FilterSet):
    phase = django_filters.ChoiceFilter(choices=Phase.choices)
    audience = django_filters.ChoiceFilter(choices=Audience.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)

    class Meta:
        model = Campaign
        fields = ["phase", "audience", "kind"]


class FollowingSerializer(serializers.Serializer):
    following = serializers.BooleanField()


def _visible(request, slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user), slug=slug)


class CampaignList(generics.ListCreateAPIView):
    """The campaigns the caller may see; managers create drafts."""

    serializer_class = CampaignSerializer
    permission_classes = [ManagersCreate]
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_class = CampaignFilter
    search_fields = ["title"]
    ordering_fields = [
        "title",
        "created_at",
        "submission_opens",
        "submission_closes",
        "voting_opens",
        "voting_closes",
        "deliberation_ends",
    ]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return Campaign.objects.visible_to(self.request.user).prefetch_related("categories", "transitions")

    @extend_schema(
        operation_id="campaigns_list",
        tags=["campaigns"],
        responses={200: CampaignSerializer(many=True), **refusals("invalid", "not_found")},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="campaigns_create",
        tags=["campaigns"],
        responses={201: CampaignSerializer, **refusals(*BODY_REFUSALS, "not_authenticated", "permission_denied")},
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = services.create_campaign(by=request.user, **serializer.service_arguments())
        return Response(self.get_serializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetail(generics.RetrieveUpdateAPIView):
    """One campaign; managers change it with PATCH."""

    serializer_class = CampaignSerializer
    permission_classes = [ManagersWrite]
    http_method_names = ["get", "patch", "head", "options"]
    lookup_field = "slug"

    def get_queryset(self):
        return Campaign.objects.visible_to(self.request.user).prefetch_related("categories", "transitions")

    @extend_schema(
        operation_id="campaigns_retrieve",
        tags=["campaigns"],
        responses={200: CampaignSerializer, **refusals("not_found")},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="campaigns_update",
        tags=["campaigns"],
        responses={
            200: CampaignSerializer,
            **refusals(*BODY_REFUSALS, "not_authenticated", "permission_denied", "not_found", "rules_locked"),
        },
    )
    def patch(self, request, *args, **kwargs):
        campaign = self.get_object()
        serializer = self.get_serializer(campaign, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        campaign = services.update_campaign(campaign=campaign, by=request.user, **serializer.service_arguments())
        return Response(
            self.get_serializer(Campaign.objects.prefetch_related("categories", "transitions").get(pk=campaign.pk)).data
        )


class TransitionRequest(serializers.Serializer):
    # The phases a campaign can move to ("open" is the box's, which never moves).
    to = serializers.ChoiceField(choices=[(phase.value, phase.label) for phase in PHASE_ORDER])


class CampaignTransition(APIView):
    """Move the campaign to its next phase (managers)."""

    permission_classes = [ManagersWrite]

    @extend_schema(
        operation_id="campaigns_transition",
        tags=["campaigns"],
        request=TransitionRequest,
        responses={
            200: CampaignSerializer,
            **refusals(*BODY_REFUSALS, "not_authenticated", "permission_denied", "not_found", "invalid_transition"),
        },
    )
    def post(self, request, slug):
        campaign = _visible(request, slug)
        self.check_object_permissions(request, campaign)
        body = TransitionRequest(data=request.data)
        body.is_valid(raise_exception=True)
        services.transition_campaign(campaign=campaign, to=body.validated_data["to"], by=request.user)
        return Response(CampaignSerializer(campaign, context={"request": request}).data)


class ExtendRequest(serializers.Serializer):
    phase_end = serializers.DateTimeField(help_text=_("The new end of the current phase (ISO 8601)."))


class CampaignExtend(APIView):
    """Push back the end of the current phase (managers)."""

    permission_classes = [ManagersWrite]

    @extend_schema(
        operation_id="campaigns_extend",
        tags=["campaigns"],
        request=ExtendRequest,
        responses={
            200: CampaignSerializer,
            **refusals(*BODY_REFUSALS, "not_authenticated", "permission_denied", "not_found"),
        },
    )
    def post(self, request, slug):
        campaign = _visible(request, slug)
        self.check_object_permissions(request, campaign)
        body = ExtendRequest(data=request.data)
        body.is_valid(raise_exception=True)
        services.extend_deadline(campaign=campaign, by=request.user, new_end=body.validated_data["phase_end"])
        return Response(CampaignSerializer(campaign, context={"request": request}).data)


class CampaignCategories(generics.ListCreateAPIView):
    """A campaign's categories, in order; managers add one."""

    serializer_class = CategorySerializer
    permission_classes = [ManagersWrite]

    def get_campaign(self) -> Campaign:
        if not hasattr(self, "_campaign"):
            self._campaign = _visible(self.request, self.kwargs["slug"])
        return self._campaign

    def get_queryset(self):
        return Category.objects.filter(campaign=self.get_campaign())

    @extend_schema(
        operation_id="campaigns_categories_list",
        tags=["campaigns"],
        responses={200: CategorySerializer(many=True), **refusals("not_found")},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="campaigns_categories_create",
        tags=["campaigns"],
        responses={
            201: CategorySerializer,
            **refusals(*BODY_REFUSALS, "not_authenticated", "permission_denied", "not_found"),
        },
    )
    def post(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        self.check_object_permissions(request, campaign)
        body = CategorySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        category = services.add_category(campaign=campaign, by=request.user, **body.validated_data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class CampaignFollow(APIView):
    """Follow a campaign (hear when its vote opens) or stop following it. Idempotent."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="campaigns_follow",
        tags=["campaigns"],
        request=None,
        responses={
            200: FollowingSerializer,
            **refusals("not_authenticated", "not_allowed", "not_found"),
        },
    )
    def post(self, request, slug):
        services.follow_campaign(campaign=_visible(request, slug), user=request.user)
        return Response(FollowingSerializer({"following": True}).data)

    @extend_schema(
        operation_id="campaigns_unfollow",
        tags=["campaigns"],
        responses={204: None, **refusals("not_authenticated", "not_found")},
    )
    def delete(self, request, slug):
        services.unfollow_campaign(campaign=_visible(request, slug), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
