"""The jury's pages (included at the root, namespace `jury`): setup by
managers, scoring by jurors, progress, wildcards, and the awards."""

from django.urls import path

from . import views

app_name = "jury"

JURY = "campaigns/<slug:slug>/jury/"
SETUP = JURY + "setup/"

urlpatterns = [
    path(JURY, views.scoring_page, name="score"),
    path(SETUP, views.setup_page, name="setup"),
    # One address per setup action (the forms used to post an `action` to the page: it still takes it).
    path(SETUP + "settings/", views.save_settings, name="setup-settings"),
    path(SETUP + "add-juror/", views.add_juror, name="setup-add-juror"),
    path(SETUP + "remove-juror/", views.remove_juror, name="setup-remove-juror"),
    path(SETUP + "set-chair/", views.set_chair, name="setup-set-chair"),
    path(SETUP + "add-criterion/", views.add_criterion, name="setup-add-criterion"),
    path(SETUP + "update-criterion/", views.update_criterion, name="setup-update-criterion"),
    path(SETUP + "delete-criterion/", views.delete_criterion, name="setup-delete-criterion"),
    path(SETUP + "move-criterion/", views.move_criterion, name="setup-move-criterion"),
    path(SETUP + "add-award/", views.add_award, name="setup-add-award"),
    path(SETUP + "update-award/", views.update_award, name="setup-update-award"),
    path(SETUP + "delete-award/", views.delete_award, name="setup-delete-award"),
    path(SETUP + "move-award/", views.move_award, name="setup-move-award"),
    path(JURY + "ideas/<int:idea_id>/scores/", views.save_scores, name="save"),
    path(JURY + "ideas/<int:idea_id>/conflict/", views.declare_conflict, name="conflict"),
    path(JURY + "progress/", views.progress_page, name="progress"),
    path(JURY + "progress/remind/", views.remind, name="remind"),
    path(JURY + "wildcards/", views.add_wildcard, name="wildcard-add"),
    path(JURY + "wildcards/<int:wildcard_id>/remove/", views.remove_wildcard, name="wildcard-remove"),
    path(JURY + "awards/", views.awards_page, name="awards"),
    path(JURY + "awards/<int:award_id>/decide/", views.decide_award, name="awards-decide"),
    path(JURY + "awards/<int:award_id>/undecide/", views.undecide_award, name="awards-undecide"),
]
