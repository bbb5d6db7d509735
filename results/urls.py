"""The results pages (included at the root)."""

from django.urls import path

from . import views

app_name = "results"

urlpatterns = [
    path("campaigns/<slug:slug>/results/", views.results_page, name="page"),
    path("campaigns/<slug:slug>/results.csv", views.results_csv, name="csv"),
    path("campaigns/<slug:slug>/results/<int:idea_id>/move-to-box/", views.move_to_box, name="move_to_box"),
]
