"""Published results: pages (included at the root) and API (`api_urlpatterns`, under /api/v1/)."""

from django.urls import path

from . import results_views as views

app_name = "results"

urlpatterns = [
    path("campaigns/<slug:slug>/results/", views.results_page, name="page"),
    path("campaigns/<slug:slug>/results.csv", views.results_csv, name="csv"),
]

api_urlpatterns = [
    path("campaigns/<slug:slug>/results/", views.ResultsAPIView.as_view(), name="campaign-results"),
]
