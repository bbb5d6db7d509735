"""Campaign pages. /campaigns/<slug>/ itself belongs to the ideas app
(the campaign and its ideas): this file is included before it, so
"new" is a reserved slug (services.RESERVED_SLUGS)."""

from django.urls import path

from . import preview, views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_new, name="new"),
    path("campaigns/<slug:slug>/edit/", views.campaign_edit, name="edit"),
    path("campaigns/<slug:slug>/manage/", views.campaign_manage, name="manage"),
    path("campaigns/<slug:slug>/transition/", views.campaign_transition, name="transition"),
    path("campaigns/<slug:slug>/extend/", views.campaign_extend, name="extend"),
    path("campaigns/<slug:slug>/categories/", views.campaign_categories, name="categories"),
    path("campaigns/<slug:slug>/categories/add/", views.category_add, name="category_add"),
    path("campaigns/<slug:slug>/categories/rename/", views.category_rename, name="category_rename"),
    path("campaigns/<slug:slug>/categories/delete/", views.category_delete, name="category_delete"),
    path("campaigns/<slug:slug>/categories/up/", views.category_move, {"step": -1}, name="category_up"),
    path("campaigns/<slug:slug>/categories/down/", views.category_move, {"step": 1}, name="category_down"),
    path("campaigns/<slug:slug>/follow/", views.campaign_follow, name="follow"),
    path("campaigns/<slug:slug>/unfollow/", views.campaign_unfollow, name="unfollow"),
    path("campaigns/<slug:slug>/preview.png", preview.preview_image, name="preview"),
]
