"""Award decisions: pages (included at the root) and API (`api_urlpatterns`, under /api/v1/)."""

from django.urls import path

from . import awards_api, awards_views

app_name = "awards"

urlpatterns = [
    path("campaigns/<slug:slug>/jury/awards/", awards_views.awards_page, name="page"),
    path("campaigns/<slug:slug>/jury/awards/<int:award_id>/decide/", awards_views.decide, name="decide"),
    path("campaigns/<slug:slug>/jury/awards/<int:award_id>/undecide/", awards_views.undecide, name="undecide"),
    path("campaigns/<slug:slug>/results/<int:idea_id>/move-to-box/", awards_views.move_to_box, name="move_to_box"),
]

api_urlpatterns = [
    path("campaigns/<slug:slug>/jury/awards/", awards_api.AwardsView.as_view(), name="awards-list"),
    path(
        "campaigns/<slug:slug>/jury/awards/<int:award_id>/",
        awards_api.AwardDecisionView.as_view(),
        name="awards-detail",
    ),
    path(
        "campaigns/<slug:slug>/results/<int:idea_id>/move-to-box/",
        awards_api.MoveToBoxView.as_view(),
        name="results-move-to-box",
    ),
]
