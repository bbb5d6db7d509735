"""Jury pages: setup by managers, scoring by jurors (included at the root)."""

from django.urls import path

from . import views

app_name = "jury"

urlpatterns = [
    path("campaigns/<slug:slug>/jury/", views.scoring_page, name="score"),
    path("campaigns/<slug:slug>/jury/setup/", views.setup_page, name="setup"),
    path("campaigns/<slug:slug>/jury/ideas/<int:idea_id>/scores/", views.save_scores, name="save"),
    path("campaigns/<slug:slug>/jury/ideas/<int:idea_id>/conflict/", views.declare_conflict, name="conflict"),
    path("campaigns/<slug:slug>/jury/progress/", views.progress_page, name="progress"),
    path("campaigns/<slug:slug>/jury/progress/remind/", views.remind, name="remind"),
    path("campaigns/<slug:slug>/jury/wildcards/", views.add_wildcard, name="wildcard-add"),
    path(
        "campaigns/<slug:slug>/jury/wildcards/<int:wildcard_id>/remove/", views.remove_wildcard, name="wildcard-remove"
    ),
]
