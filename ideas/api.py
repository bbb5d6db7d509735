"""The ideas API: a campaign's ideas (list, submit), an idea (read, change),
its comments, following it, and similar ideas.

Every lookup starts from what the caller may see, so anything else is a
404 `not_found`; writes go through ideas/services.py.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.serializers import PersonSerializer, person
from campaigns.models import Campaign
from ideabox.api import BODY_REFUSALS, refusals
from ideabox.exceptions import DomainError

from . import selectors, services, uploads
from .filters import ORDERING_CHOICES, IdeaFilter
from .models import Comment, Idea

# --- serializers ------------------------------------------------------------------


def author_for(idea: Idea, viewer) -> dict | None:
    """An idea's `author` as `viewer` may learn it (Idea.author_visible_to):
    null for a deleted account, and for whoever may not know who wrote an
    anonymous idea. Every API that names an idea's author answers with this."""
    if idea.author is None or not idea.author_visible_to(viewer):
        return None
    return person(idea.author)


def co_authors_for(idea: Idea, viewer) -> list[dict]:
    """An idea's `co_authors` as `viewer` may learn them (empty likewise)."""
    if not idea.author_visible_to(viewer):
        return []
    return [person(user) for user in idea.coauthors.all()]


class EntitySerializer(serializers.Serializer):
    """The entity an idea came from, as far as the caller may know it (Idea.entity_shown_to)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    path = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("The names from the top of the tree down to it.")
    )

    def to_representation(self, entity) -> dict:
        # Written directly, as PersonSerializer does: the fields above are the schema.
        return {"id": entity.pk, "name": entity.name, "path": [node.name for node in entity.path]}


_ENTITY = EntitySerializer()


def entity_for(idea: Idea, viewer) -> dict | None:
    """An idea's `entity` as `viewer` may know it, or null."""
    entity = idea.entity_shown_to(viewer)
    return None if entity is None else _ENTITY.to_representation(entity)


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(help_text="What the file shows: an image's alternative text (empty if none).")
    url = serializers.SerializerMethodField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()

    def get_url(self, attachment) -> str:
        return self.context["request"].build_absolute_uri(attachment.file.url)


class IdeaSerializer(serializers.ModelSerializer):
    """An idea as the caller may see it: no author for the public on an
    anonymous idea, no votes while the campaign hides them."""

    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    votes = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    co_authors = serializers.SerializerMethodField()
    entity = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Idea
        fields = [
            "id",
            "campaign",
            "title",
            "summary",
            "body",
            "category",
            "tags",
            "status",
            "votes",
            "author",
            "co_authors",
            "anonymous",
            "entity",
            "comment_count",
            "created_at",
            "url",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_votes(self, idea: Idea) -> int | None:
        return None if selectors.counts_hidden(idea.campaign) else idea.vote_count

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, idea: Idea) -> dict | None:
        return author_for(idea, self.context["request"].user)

    @extend_schema_field(PersonSerializer(many=True))
    def get_co_authors(self, idea: Idea) -> list[dict]:
        return co_authors_for(idea, self.context["request"].user)

    @extend_schema_field(EntitySerializer(allow_null=True))
    def get_entity(self, idea: Idea) -> dict | None:
        """The author's entity when they submitted; for an anonymous idea,
        only its division unless the caller is a moderator or an author."""
        return entity_for(idea, self.context["request"].user)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, idea: Idea) -> str:
        return self.context["request"].build_absolute_uri(idea.get_absolute_url())


class IdeaWriteSerializer(serializers.Serializer):
    """What an author sends; the rules (audience, deadline, category, tags,
    co-authors, anonymity, files) are the service's."""

    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=500)
    body = serializers.CharField(max_length=services.MAX_BODY_LENGTH, allow_blank=True, required=False, default="")
    category = serializers.CharField(max_length=100, allow_blank=True, allow_null=True, required=False, default=None)
    tags = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False, default=list)
    co_authors = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    anonymous = serializers.BooleanField(required=False, default=False)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    attachment_descriptions = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=uploads.MAX_DESCRIPTION_LENGTH),
        required=False,
        default=list,
        help_text="One per attachment, in the same order: what it shows (required for an image, its alternative text).",
    )

    def validate(self, data):
        if len(data.get("attachment_descriptions", [])) > len(data.get("attachments", [])):
            raise ValidationError({"attachment_descriptions": [_("There are more descriptions than attachments.")]})
        return data


class IdeaChangeSerializer(IdeaWriteSerializer):
    """PATCH: only the fields sent change (attachments sent are added)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


# The service names co-authors `coauthors`; the API calls them `co_authors`.
def _api_error(error: DomainError) -> DomainError:
    if error.fields and "coauthors" in error.fields:
        fields = {("co_authors" if k == "coauthors" else k): v for k, v in error.fields.items()}
        return DomainError(error.code, error.detail, fields=fields)
    return error


def _service_arguments(data: dict) -> dict:
    """The service's arguments from what was sent: each attachment with its
    description (matched by position)."""
    names = {"co_authors": "coauthors"}
    arguments = {names.get(key, key): value for key, value in data.items() if key != "attachment_descriptions"}
    if "attachments" in data:
        descriptions = list(data.get("attachment_descriptions", []))
        arguments["attachments"] = [
            uploads.Upload(file, descriptions[i] if i < len(descriptions) else "")
            for i, file in enumerate(data["attachments"])
        ]
    return arguments


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "parent", "author", "body", "hidden", "created_at"]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, comment: Comment) -> dict | None:
        """Null for a deleted account, and for one of the authors of an
        anonymous idea to whoever may not learn who wrote it."""
        if not self.context["idea"].shows_name_of(comment.author, self.context["request"].user):
            return None
        return person(comment.author)

    @extend_schema_field(OpenApiTypes.STR)
    def get_body(self, comment: Comment) -> str:
        """A hidden comment's text is for moderators only."""
        if comment.hidden and not self.context.get("is_moderator"):
            return ""
        return comment.body


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_COMMENT_LENGTH)
    parent = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    followers = serializers.IntegerField(source="follower_count")


class SimilarIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, idea: Idea) -> str:
        return self.context["request"].build_absolute_uri(idea.get_absolute_url())


# --- lookups ------------------------------------------------------------------------


def _campaign(request, slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user), slug=slug)


def _ideas_for_api(user):
    return (
        Idea.objects.visible_to(user)
        .select_related("campaign", "author", "category", selectors.ENTITY_PATH)
        .prefetch_related("tags", "coauthors", "attachments")
    )


def _idea(request, pk: int) -> Idea:
    return get_object_or_404(_ideas_for_api(request.user), pk=pk)


def _seed(request) -> int:
    """The random order's seed: `seed` if given, else one kept in the session."""
    given = request.query_params.get("seed", "")
    if given:
        try:
            return serializers.IntegerField(min_value=0).run_validation(given) % 2**31
        except ValidationError as error:
            raise ValidationError({"seed": error.detail}) from error
    return selectors.visitor_seed(request)


LIST_PARAMETERS = [
    OpenApiParameter("search", OpenApiTypes.STR, description="Words of the title or summary."),
    OpenApiParameter("category", OpenApiTypes.STR, description="A category's slug."),
    OpenApiParameter("tag", OpenApiTypes.STR),
    OpenApiParameter("status", OpenApiTypes.STR),
    OpenApiParameter(
        "entity",
        OpenApiTypes.INT,
        description=(
            "An entity's id: the ideas from it and from the entities below it. An anonymous idea is found by "
            "the entity the caller is shown (its division, unless they are a moderator or one of its authors)."
        ),
    ),
    OpenApiParameter("ordering", OpenApiTypes.STR, enum=[value for value, _label in ORDERING_CHOICES]),
    OpenApiParameter("seed", OpenApiTypes.INT, description="Random order: the same seed gives the same order."),
]


# --- endpoints ------------------------------------------------------------------------


class CampaignIdeasView(generics.GenericAPIView):
    serializer_class = IdeaSerializer

    @extend_schema(
        summary="A campaign's ideas",
        parameters=LIST_PARAMETERS,
        responses={200: IdeaSerializer(many=True), **refusals("invalid", "not_found")},
    )
    def get(self, request, slug: str):
        campaign = _campaign(request, slug)
        queryset = selectors.listed_ideas(campaign, request.user).select_related("campaign")
        queryset = queryset.prefetch_related("coauthors", "attachments")
        filterset = IdeaFilter(
            request.query_params,
            queryset=queryset,
            campaign=campaign,
            seed=_seed(request),
            default_ordering=selectors.NEWEST,
            request=request,
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        self.paginator.django_paginator_class = selectors.NarrowSortPaginator
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(IdeaSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Submit an idea",
        request={"application/json": IdeaWriteSerializer, "multipart/form-data": IdeaWriteSerializer},
        responses={
            201: IdeaSerializer,
            **refusals(*BODY_REFUSALS, "not_authenticated", "not_allowed", "not_found", "submission_closed"),
        },
    )
    def post(self, request, slug: str):
        campaign = _campaign(request, slug)
        incoming = IdeaWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            idea = services.submit_idea(
                campaign=campaign, author=request.user, **_service_arguments(incoming.validated_data)
            )
        except DomainError as error:
            raise _api_error(error) from error
        idea = _idea(request, idea.pk)
        return Response(IdeaSerializer(idea, context={"request": request}).data, status=status.HTTP_201_CREATED)


class IdeaDetailView(APIView):
    @extend_schema(summary="An idea", responses={200: IdeaSerializer, **refusals("not_found")})
    def get(self, request, pk: int):
        return Response(IdeaSerializer(_idea(request, pk), context={"request": request}).data)

    @extend_schema(
        summary="Change an idea (its authors, until submission closes)",
        request={"application/json": IdeaChangeSerializer, "multipart/form-data": IdeaChangeSerializer},
        responses={
            200: IdeaSerializer,
            **refusals(*BODY_REFUSALS, "not_authenticated", "permission_denied", "not_found", "submission_closed"),
        },
    )
    def patch(self, request, pk: int):
        idea = _idea(request, pk)
        incoming = IdeaChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        # partial=True leaves out what was not sent, defaults included.
        changes = {key: incoming.validated_data[key] for key in incoming.validated_data if key in request.data}
        try:
            services.edit_idea(idea=idea, by=request.user, **_service_arguments(changes))
        except DomainError as error:
            raise _api_error(error) from error
        return Response(IdeaSerializer(_idea(request, pk), context={"request": request}).data)


class IdeaCommentsView(generics.GenericAPIView):
    serializer_class = CommentSerializer

    @extend_schema(
        summary="An idea's comments, oldest first",
        responses={200: CommentSerializer(many=True), **refusals("not_found")},
    )
    def get(self, request, pk: int):
        # Its co-authors: whether a comment's writer is one of its authors (anonymity).
        idea = get_object_or_404(Idea.objects.visible_to(request.user).prefetch_related("coauthors"), pk=pk)
        comments = Comment.objects.filter(idea=idea).select_related("author").order_by("created_at", "pk")
        page = self.paginate_queryset(comments)
        context = {"request": request, "idea": idea, "is_moderator": roles.is_moderator(request.user)}
        return self.get_paginated_response(CommentSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Comment on an idea (or reply to a comment)",
        request=CommentWriteSerializer,
        responses={
            201: CommentSerializer,
            **refusals(*BODY_REFUSALS, "not_authenticated", "permission_denied", "not_allowed", "not_found"),
        },
    )
    def post(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible_to(request.user).select_related("campaign"), pk=pk)
        incoming = CommentWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        parent = None
        parent_id = incoming.validated_data.get("parent")
        if parent_id:
            parent = Comment.objects.filter(idea=idea, pk=parent_id).first()
            if parent is None:
                raise ValidationError({"parent": ["You can only reply to a visible comment of this idea."]})
        comment = services.add_comment(
            idea=idea, author=request.user, body=incoming.validated_data["body"], parent=parent
        )
        comment = Comment.objects.select_related("author").get(pk=comment.pk)
        context = {"request": request, "idea": idea}
        return Response(CommentSerializer(comment, context=context).data, status=status.HTTP_201_CREATED)


class IdeaFollowView(APIView):
    @extend_schema(
        summary="Follow an idea (idempotent)",
        request=None,
        responses={200: FollowSerializer, **refusals("not_authenticated", "not_allowed", "not_found")},
    )
    def post(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible_to(request.user), pk=pk)
        services.follow_idea(idea=idea, user=request.user)
        idea.refresh_from_db(fields=["follower_count"])
        return Response(FollowSerializer({"following": True, "follower_count": idea.follower_count}).data)

    @extend_schema(
        summary="Stop following an idea (idempotent)",
        request=None,
        responses={204: None, **refusals("not_authenticated", "not_found")},
    )
    def delete(self, request, pk: int):
        idea = get_object_or_404(Idea.objects.visible_to(request.user), pk=pk)
        services.unfollow_idea(idea=idea, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SimilarIdeasView(APIView):
    @extend_schema(
        summary="Ideas of the campaign similar to a text (for catching duplicates)",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="The title being typed.")],
        responses={200: SimilarIdeaSerializer(many=True), **refusals("not_found")},
    )
    def get(self, request, slug: str):
        campaign = _campaign(request, slug)
        ideas = services.similar_ideas(campaign=campaign, text=request.query_params.get("q", ""), user=request.user)
        return Response(SimilarIdeaSerializer(ideas, many=True, context={"request": request}).data)
