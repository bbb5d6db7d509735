"""Jury pages: setup by managers, scoring by jurors (included at the root)."""

from django.urls import path  # noqa: F401

app_name = "jury"

urlpatterns: list = []
