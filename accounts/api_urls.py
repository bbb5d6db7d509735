"""The accounts API (included under /api/v1/, in the `api` namespace): a
token, who I am, my notification settings, the company's entities."""

from django.urls import path

from . import api, entities_api, notifications_api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="auth-token"),
    path("me/", api.MeView.as_view(), name="me"),
    path("me/notifications/", notifications_api.NotificationSettingsView.as_view(), name="me-notifications"),
    path("entities/", entities_api.EntityList.as_view(), name="entities-list"),
    path("entities/import/", entities_api.EntityImport.as_view(), name="entities-import"),
    path("entities/<int:pk>/", entities_api.EntityDetail.as_view(), name="entities-detail"),
]
