"""The ideas API (included under /api/v1/, in the `api` namespace)."""

from django.urls import path

from . import api

urlpatterns = [
    path("campaigns/<slug:slug>/ideas/", api.CampaignIdeasView.as_view(), name="ideas-list"),
    path("campaigns/<slug:slug>/ideas/similar/", api.SimilarIdeasView.as_view(), name="ideas-similar"),
    path("ideas/<int:pk>/", api.IdeaDetailView.as_view(), name="ideas-detail"),
    path("ideas/<int:pk>/comments/", api.IdeaCommentsView.as_view(), name="ideas-comments"),
    path("ideas/<int:pk>/follow/", api.IdeaFollowView.as_view(), name="ideas-follow"),
]
