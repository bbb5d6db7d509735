from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.issue_token, name="token"),
    path("profile/token/revoke/", views.revoke_token, name="token_revoke"),
    path("notifications/", views.notification_settings, name="notifications"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
