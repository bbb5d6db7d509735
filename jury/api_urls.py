"""The jury's API (included under /api/v1/, in the `api` namespace)."""

from django.urls import path

from . import api

JURY = "campaigns/<slug:slug>/jury/"
SETUP = "campaigns/<slug:slug>/jury-setup/"

urlpatterns = [
    path(JURY + "ideas/", api.JuryIdeasView.as_view(), name="jury-ideas"),
    path(JURY + "scores/<int:idea_id>/", api.ScoresView.as_view(), name="jury-scores"),
    path(JURY + "conflicts/<int:idea_id>/", api.ConflictView.as_view(), name="jury-conflicts"),
    path(JURY + "progress/", api.ProgressView.as_view(), name="jury-progress"),
    path(JURY + "wildcards/", api.WildcardsView.as_view(), name="jury-wildcards"),
    path(JURY + "wildcards/<int:pk>/", api.WildcardDetailView.as_view(), name="jury-wildcard"),
    path(JURY + "reminders/", api.RemindView.as_view(), name="jury-reminders"),
    path(JURY + "awards/", api.AwardDecisionsView.as_view(), name="awards-list"),
    path(JURY + "awards/<int:award_id>/", api.AwardDecisionView.as_view(), name="awards-detail"),
    path(SETUP, api.JurySetupView.as_view(), name="jury-setup"),
    path(SETUP + "jurors/", api.JurorsView.as_view(), name="jury-setup-jurors"),
    path(SETUP + "jurors/<int:pk>/", api.JurorDetailView.as_view(), name="jury-setup-juror"),
    path(SETUP + "criteria/", api.CriteriaView.as_view(), name="jury-setup-criteria"),
    path(SETUP + "criteria/order/", api.CriteriaOrderView.as_view(), name="jury-setup-criteria-order"),
    path(SETUP + "criteria/<int:pk>/", api.CriterionDetailView.as_view(), name="jury-setup-criterion"),
    path(SETUP + "awards/", api.AwardsView.as_view(), name="jury-setup-awards"),
    path(SETUP + "awards/order/", api.AwardsOrderView.as_view(), name="jury-setup-awards-order"),
    path(SETUP + "awards/<int:pk>/", api.AwardDetailView.as_view(), name="jury-setup-award"),
]
