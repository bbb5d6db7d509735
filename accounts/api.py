from django.conf import settings
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ideabox.api import BODY_REFUSALS, refusals

from . import entities, roles, services
from .entities_api import EntityBriefSerializer


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("username"), max_length=150)
    password = serializers.CharField(label=_("password"), max_length=4096, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    """Exchange a username (or e-mail address) and password for an API token.

    An account with an address in a domain served by company sign-in has
    no password here (403 `company_sign_in_required`), nor has one with no
    verified address (403 `email_unverified`): the first gets its token on
    the profile page (/accounts/profile/), after signing in."""

    authentication_classes = []
    permission_classes = [AllowAny]
    # Failed attempts are limited by services.token_for_credentials, as on
    # the login page; successful exchanges are not counted.
    throttle_classes = []

    @extend_schema(
        operation_id="auth_token",
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            **refusals(*BODY_REFUSALS, "company_sign_in_required", "email_unverified", "throttled"),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = services.token_for_credentials(request=request._request, **serializer.validated_data)
        except services.LoginThrottled as error:
            # DRF's own exception, so the answer carries Retry-After.
            raise exceptions.Throttled(wait=error.wait, detail=error.detail) from error
        return Response(TokenResponseSerializer({"token": token}).data)


class MeSerializer(serializers.Serializer):
    # Renders the caller's user; the roles as accounts.roles names them.

    username = serializers.CharField()
    display_name = serializers.CharField(source="public_name")
    email = serializers.EmailField()
    language = serializers.CharField()
    roles = serializers.SerializerMethodField()
    is_employee = serializers.SerializerMethodField()
    email_verified = serializers.SerializerMethodField()
    entity = serializers.SerializerMethodField(
        help_text=_("Set by company sign-in or by an administrator; null when none.")
    )

    def get_roles(self, user) -> list[str]:
        return roles.roles_of(user)

    def get_is_employee(self, user) -> bool:
        return roles.is_employee(user)

    def get_email_verified(self, user) -> bool:
        return roles.is_participant(user)

    @extend_schema_field(EntityBriefSerializer(allow_null=True))
    def get_entity(self, user) -> dict | None:
        entity = entities.entity_of(user)
        return None if entity is None else EntityBriefSerializer(entity).data


class MeUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(label=_("display name"), max_length=80, allow_blank=True, required=False)
    language = serializers.ChoiceField(
        label=_("language"), choices=[("", "")] + list(settings.LANGUAGES), required=False
    )


class MeView(APIView):
    """The authenticated user, with their site-wide roles; PATCH sets the
    display name and language, as the profile page does."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me",
        responses={200: MeSerializer, **refusals("not_authenticated")},
        tags=["accounts"],
    )
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        operation_id="me_update",
        request=MeUpdateSerializer,
        responses={200: MeSerializer, **refusals(*BODY_REFUSALS, "not_authenticated")},
        tags=["accounts"],
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        services.update_profile(
            user=user,
            display_name=serializer.validated_data.get("display_name", user.display_name),
            language=serializer.validated_data.get("language", user.language),
        )
        return Response(MeSerializer(user).data)
