"""The published tally's pages (included at the root by ideabox/urls.py) and
its API endpoint (`api_urlpatterns`, included under /api/v1/)."""

from django.urls import path

from . import results_views as views

app_name = "tally"

urlpatterns = [
    path("campaigns/<slug:slug>/tally/", views.tally_page, name="page"),
    path("campaigns/<slug:slug>/tally/receipts.csv", views.receipts_csv, name="receipts"),
    path("campaigns/<slug:slug>/tally/check/", views.check_receipt, name="check"),
    path("accounts/receipts/", views.my_receipts, name="my_receipts"),
    path("tally/verify.py", views.verifier_source, name="verifier"),
]

api_urlpatterns = [
    path("campaigns/<slug:slug>/tally/", views.TallyAPIView.as_view(), name="campaign-tally"),
]
