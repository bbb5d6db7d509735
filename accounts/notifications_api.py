"""GET/PATCH /api/v1/me/notifications/: the caller's notification settings."""

from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ideabox.api import BODY_REFUSALS, refusals

from . import notifications
from .models import NotificationSettings


class NotificationSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = NotificationSettings
        fields = list(NotificationSettings.KINDS)


class NotificationSettingsView(APIView):
    """Which e-mails the authenticated user receives."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(
        operation_id="me_notifications",
        responses={200: NotificationSettingsSerializer, **refusals("not_authenticated")},
        tags=["accounts"],
    )
    def get(self, request):
        return Response(NotificationSettingsSerializer(notifications.settings_for(request.user)).data)

    @extend_schema(
        operation_id="me_notifications_update",
        request=NotificationSettingsSerializer,
        responses={200: NotificationSettingsSerializer, **refusals(*BODY_REFUSALS, "not_authenticated")},
        tags=["accounts"],
    )
    def patch(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError(_("Send an object of kinds and booleans."))
        unknown = sorted(set(request.data) - set(NotificationSettings.KINDS))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown kind of notification.")] for name in unknown})
        serializer = NotificationSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = notifications.update_notification_settings(user=request.user, **serializer.validated_data)
        return Response(NotificationSettingsSerializer(updated).data)
