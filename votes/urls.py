"""The votes pages (included at the root, namespace `votes`): the vote
button's endpoints, the answer to an invitation to co-author, and the
published tally (its page, receipt list, receipt check, my receipts and
the verifier to download)."""

from django.urls import path

from . import results_views, views

app_name = "votes"

urlpatterns = [
    path("ideas/<int:pk>/vote/", views.vote, name="vote"),
    path("ideas/<int:pk>/unvote/", views.unvote, name="unvote"),
    # Accepting an invitation to co-author withdraws the invitee's own vote.
    path("ideas/<int:pk>/coauthorship/", views.coauthorship_answer, name="coauthorship"),
    path("campaigns/<slug:slug>/tally/", results_views.tally_page, name="tally"),
    path("campaigns/<slug:slug>/tally/receipts.csv", results_views.receipts_csv, name="tally_receipts"),
    path("campaigns/<slug:slug>/tally/check/", results_views.check_receipt, name="tally_check"),
    path("accounts/receipts/", results_views.my_receipts, name="my_receipts"),
    path("tally/verify.py", results_views.verifier_source, name="tally_verifier"),
]
