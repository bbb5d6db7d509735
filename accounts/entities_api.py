"""The entities API, under /api/v1/entities/ (url names `entities-...`,
routes in api_urls.py): the company's tree, read by employees and staff,
written and imported by administrators through accounts.entities."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, filters, generics, permissions, serializers, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ideabox.api import BODY_REFUSALS, LineErrorSerializer, refusals
from ideabox.exceptions import DomainError

from . import entities, roles
from .models import Entity, EntityKind

# A CSV of a few thousand entities is a few hundred kilobytes.
IMPORT_MAX_BYTES = 2 * 1024 * 1024


class EntityAccess(permissions.BasePermission):
    """Reading: employees, moderators, managers, administrators. Writing:
    administrators. Anonymous callers are told 401."""

    message = gettext_lazy("Only employees and staff see the company's entities; only administrators change them.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return roles.may_read_entities(user)
        return roles.is_administrator(user)


# --- serializers --------------------------------------------------------------------------


class EntityBriefSerializer(serializers.Serializer):
    """An entity where it is named (a person's): the caller selects `parent__parent`."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    path = serializers.SerializerMethodField(help_text=gettext_lazy("The names from the top of the tree down to it."))

    def get_path(self, entity) -> list[str]:
        return [node.name for node in entity.path]


class EntityOutputSerializer(EntityBriefSerializer):
    kind = serializers.ChoiceField(choices=EntityKind.choices)
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    headcount = serializers.IntegerField(allow_null=True)


class EntityInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=entities.NAME_MAX)
    code = serializers.CharField(
        max_length=entities.CODE_MAX,
        help_text=gettext_lazy("The id in the HR system and in the sign-in's claim: letters, digits, - _ . /"),
    )
    kind = serializers.ChoiceField(choices=EntityKind.choices)
    parent = serializers.PrimaryKeyRelatedField(queryset=Entity.objects.all(), allow_null=True, required=False)
    headcount = serializers.IntegerField(min_value=0, max_value=entities.HEADCOUNT_MAX, allow_null=True, required=False)


class ImportCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("The CSV file, in UTF-8."))


class CsvParser(BaseParser):
    """A text/csv body, as text (decoded by the view)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(IMPORT_MAX_BYTES + 1) if stream is not None else b""
        if len(body) > IMPORT_MAX_BYTES:
            raise exceptions.ParseError(_("The file is too large."))
        return body


# --- views --------------------------------------------------------------------------------


class EntityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EntityKind.choices)
    parent = django_filters.NumberFilter(field_name="parent", help_text=gettext_lazy("The id of the parent."))

    class Meta:
        model = Entity
        fields = ["kind", "parent"]


class EntityList(generics.ListAPIView):
    """The company's entities, flat (each names its parent and its path);
    administrators create one with POST."""

    serializer_class = EntityOutputSerializer
    permission_classes = [EntityAccess]
    filter_backends = [DjangoFilterBackend, filters.SearchFilter]
    filterset_class = EntityFilter
    search_fields = ["name", "code"]
    queryset = Entity.objects.select_related("parent__parent").order_by("name", "pk")

    @extend_schema(
        operation_id="entities_list",
        tags=["entities"],
        responses={
            200: EntityOutputSerializer(many=True),
            **refusals("invalid", "not_authenticated", "permission_denied"),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="entities_create",
        tags=["entities"],
        request=EntityInputSerializer,
        responses={201: EntityOutputSerializer, **refusals(*BODY_REFUSALS, "not_authenticated", "permission_denied")},
    )
    def post(self, request):
        data = EntityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entity = entities.create_entity(actor=request.user, **data.validated_data)
        return Response(EntityOutputSerializer(_reread(entity)).data, status=status.HTTP_201_CREATED)


def _reread(entity: Entity) -> Entity:
    return Entity.objects.select_related("parent__parent").get(pk=entity.pk)


class EntityDetail(APIView):
    """One entity; administrators change it (PATCH) or delete it (DELETE,
    refused with 409 `entity_in_use` while entities below it, members or
    ideas refer to it)."""

    permission_classes = [EntityAccess]

    def _entity(self, pk: int) -> Entity:
        return get_object_or_404(Entity.objects.select_related("parent__parent"), pk=pk)

    @extend_schema(
        operation_id="entities_retrieve",
        tags=["entities"],
        responses={200: EntityOutputSerializer, **refusals("not_authenticated", "permission_denied", "not_found")},
    )
    def get(self, request, pk: int):
        return Response(EntityOutputSerializer(self._entity(pk)).data)

    @extend_schema(
        operation_id="entities_update",
        tags=["entities"],
        request=EntityInputSerializer(partial=True),
        responses={
            200: EntityOutputSerializer,
            **refusals(*BODY_REFUSALS, "not_authenticated", "permission_denied", "not_found"),
        },
    )
    def patch(self, request, pk: int):
        entity = self._entity(pk)
        data = EntityInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        entities.update_entity(actor=request.user, entity=entity, **data.validated_data)
        return Response(EntityOutputSerializer(_reread(entity)).data)

    @extend_schema(
        operation_id="entities_delete",
        tags=["entities"],
        responses={
            204: None,
            **refusals("not_authenticated", "permission_denied", "not_found", "entity_in_use"),
        },
    )
    def delete(self, request, pk: int):
        entities.delete_entity(actor=request.user, entity=self._entity(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EntityImport(APIView):
    """Create or update entities from a CSV (docs/entities.md): the body as
    text/csv, or a multipart form with `file`. All or nothing: 400
    `invalid_csv` lists each bad line in `errors` and imports nothing."""

    permission_classes = [EntityAccess]
    parser_classes = [CsvParser, MultiPartParser]

    @extend_schema(
        operation_id="entities_import",
        tags=["entities"],
        request={"text/csv": {"type": "string"}, "multipart/form-data": ImportFileSerializer},
        responses={
            200: ImportCountsSerializer,
            **refusals(*BODY_REFUSALS, "invalid_csv", "not_authenticated", "permission_denied"),
        },
    )
    def post(self, request):
        if isinstance(request.data, bytes):
            raw = request.data
        else:
            upload = ImportFileSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            if upload.validated_data["file"].size > IMPORT_MAX_BYTES:
                raise DomainError(
                    "invalid", _("The file is too large."), fields={"file": [_("The file is too large.")]}
                )
            raw = upload.validated_data["file"].read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _refused([{"line": 1, "detail": _("The file is not UTF-8 text: save it as CSV UTF-8.")}])
        try:
            counts = entities.import_csv(text=text, actor=request.user)
        except entities.CsvRefused as refusal:
            return _refused(refusal.errors, refusal.detail)
        return Response(ImportCountsSerializer(counts).data)


def _refused(errors: list[dict], detail: str | None = None) -> Response:
    body = {
        "code": "invalid_csv",
        "detail": detail or _("The file was not imported: correct it and send it again."),
        "errors": LineErrorSerializer(errors, many=True).data,
    }
    return Response(body, status=status.HTTP_400_BAD_REQUEST)
