"""The accounts API (included under /api/v1/, in the `api` namespace): a
token, who I am, my notification settings."""

from django.urls import path

from . import api, notifications_api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="auth-token"),
    path("me/", api.MeView.as_view(), name="me"),
    path("me/notifications/", notifications_api.NotificationSettingsView.as_view(), name="me-notifications"),
]
