from django.conf import settings
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ideabox.api import ErrorSerializer

from . import roles, services


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("username"), max_length=150)
    password = serializers.CharField(label=_("password"), max_length=4096, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    """Exchange a username and password for an API token."""

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
            400: OpenApiResponse(ErrorSerializer, description=_("Missing fields or wrong credentials.")),
            429: OpenApiResponse(ErrorSerializer, description=_("Too many failed attempts (`throttled`).")),
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
        return Response({"token": token})


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField(source="public_name")
    email = serializers.EmailField()
    language = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    is_employee = serializers.BooleanField()
    email_verified = serializers.BooleanField()


class MeUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(label=_("display name"), max_length=80, allow_blank=True, required=False)
    language = serializers.ChoiceField(
        label=_("language"), choices=[("", "")] + list(settings.LANGUAGES), required=False
    )


def _me(user) -> dict:
    user_roles = roles.roles_of(user)
    data = {
        "username": user.username,
        "public_name": user.public_name,
        "email": user.email,
        "language": user.language,
        "roles": user_roles,
        "is_employee": roles.EMPLOYEE in user_roles,
        "email_verified": roles.PARTICIPANT in user_roles,
    }
    return MeSerializer(data).data


class MeView(APIView):
    """The authenticated user, with their site-wide roles; PATCH sets the
    display name and language, as the profile page does."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me",
        responses={200: MeSerializer, 401: OpenApiResponse(ErrorSerializer)},
        tags=["accounts"],
    )
    def get(self, request):
        return Response(_me(request.user))

    @extend_schema(
        operation_id="me_update",
        request=MeUpdateSerializer,
        responses={
            200: MeSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description=_("Bad fields, or a display name that would pass for staff (`invalid`).")
            ),
            401: OpenApiResponse(ErrorSerializer),
        },
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
        return Response(_me(user))
