"""Campaign pages (included under /campaigns/). /campaigns/<slug>/ itself
belongs to the ideas app (the campaign and its ideas): this file is
included before it, so "new" is a reserved slug (services.RESERVED_SLUGS)."""

from django.urls import path

from . import preview, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("<slug:slug>/edit/", views.campaign_edit, name="edit"),
    path("<slug:slug>/manage/", views.campaign_manage, name="manage"),
    path("<slug:slug>/transition/", views.campaign_transition, name="transition"),
    path("<slug:slug>/extend/", views.campaign_extend, name="extend"),
    path("<slug:slug>/categories/", views.campaign_categories, name="categories"),
    path("<slug:slug>/categories/add/", views.category_add, name="category_add"),
    path("<slug:slug>/categories/rename/", views.category_rename, name="category_rename"),
    path("<slug:slug>/categories/delete/", views.category_delete, name="category_delete"),
    path("<slug:slug>/categories/up/", views.category_move, {"step": -1}, name="category_up"),
    path("<slug:slug>/categories/down/", views.category_move, {"step": 1}, name="category_down"),
    path("<slug:slug>/follow/", views.campaign_follow, name="follow"),
    path("<slug:slug>/unfollow/", views.campaign_unfollow, name="unfollow"),
    path("<slug:slug>/preview.png", preview.preview_image, name="preview"),
]
