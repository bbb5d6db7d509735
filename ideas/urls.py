from django.urls import path

from . import views

app_name = "ideas"

urlpatterns = [
    path("campaigns/<slug:slug>/", views.campaign_page, name="campaign"),
    path("campaigns/<slug:slug>/ideas/new/", views.submit, name="submit"),
    path("campaigns/<slug:slug>/ideas/similar/", views.similar, name="similar"),
    path("box/", views.box_page, name="box"),
    path("box/ideas/new/", views.box_submit, name="box_submit"),
    path("ideas/invitations/", views.invitations, name="invitations"),
    path("ideas/<int:pk>/", views.detail, name="detail"),
    path("ideas/<int:pk>/edit/", views.edit, name="edit"),
    path("ideas/<int:pk>/comments/", views.comment, name="comment"),
    path("ideas/<int:pk>/follow/", views.follow, name="follow"),
    path(
        "ideas/<int:pk>/attachments/<int:attachment_pk>/describe/",
        views.attachment_describe,
        name="attachment_describe",
    ),
    path("ideas/<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
