"""The results API (included under /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("campaigns/<slug:slug>/results/", api.ResultsAPIView.as_view(), name="campaign-results"),
    path(
        "campaigns/<slug:slug>/results/<int:idea_id>/move-to-box/",
        api.MoveToBoxView.as_view(),
        name="results-move-to-box",
    ),
]
