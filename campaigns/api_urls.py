"""The campaigns API (included under /api/v1/campaigns/, in the `api` namespace)."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.CampaignList.as_view(), name="campaigns-list"),
    path("<slug:slug>/", api.CampaignDetail.as_view(), name="campaigns-detail"),
    path("<slug:slug>/transition/", api.CampaignTransition.as_view(), name="campaigns-transition"),
    path("<slug:slug>/extend/", api.CampaignExtend.as_view(), name="campaigns-extend"),
    path("<slug:slug>/categories/", api.CampaignCategories.as_view(), name="campaigns-categories"),
    path("<slug:slug>/follow/", api.CampaignFollow.as_view(), name="campaigns-follow"),
]
