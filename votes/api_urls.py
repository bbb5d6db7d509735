"""The votes API (included first under /api/v1/, in the `api` namespace):
the vote, the answer to an invitation to co-author (accepting withdraws the
invitee's vote), the published tally."""

from django.urls import path

from . import api, results_views

urlpatterns = [
    # The vote first: the hottest address of the site.
    path("ideas/<int:pk>/vote/", api.VoteView.as_view(), name="votes-vote"),
    path("ideas/<int:pk>/coauthorship/", api.CoauthorshipView.as_view(), name="ideas-coauthorship"),
    path("campaigns/<slug:slug>/tally/", results_views.TallyAPIView.as_view(), name="campaign-tally"),
]
