"""The published tally: its page, the receipt list download, the receipt
check, a voter's receipts, and the tally in the API.

Everything starts from the campaigns the caller may see; anything else,
and a tally not stored yet, is a 404 (409 `results_not_published` in the
API). What is published never names a voter: receipts and idea ids only.
"""

import datetime
import re
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from campaigns.models import Campaign, Kind
from ideabox.api import refusals
from ideabox.exceptions import DomainError
from ideas.models import Status

from . import tally, verify
from .models import Tally, TallyRow, Vote

RANKING_PAGE_SIZE = 100
RECEIPTS_PAGE_SIZE = 50
RECEIPT = re.compile(r"[0-9a-f]{64}")


def _campaign(request, slug: str) -> Campaign:
    """A tallied kind of campaign (not the box) this person may see, with
    its stored tally preloaded (`campaign.stored` is None before the tally)."""
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).filter(kind=Kind.CHALLENGE).select_related("tally"), slug=slug
    )
    try:
        campaign.stored = campaign.tally
    except Tally.DoesNotExist:
        campaign.stored = None
    return campaign


def _pending(request, campaign: Campaign):
    return render(request, "votes/results_pending.html", {"campaign": campaign}, status=404)


# --- the tally page ---------------------------------------------------------------


@require_GET
def tally_page(request, slug: str):
    campaign = _campaign(request, slug)
    if campaign.stored is None:
        return _pending(request, campaign)
    ranked = tally.tally_rows(campaign).filter(hidden=False)
    page = Paginator(ranked, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    apart = list(tally.tally_rows(campaign).filter(hidden=True))
    may_see_hidden = roles.is_moderator(request.user)
    context = {
        "campaign": campaign,
        "tally": campaign.stored,
        "page_obj": page,
        "rows": list(page.object_list),
        "apart": apart,
        "apart_votes": sum(row.votes for row in apart),
        "may_see_hidden": may_see_hidden,
        "shortlisted": Status.SHORTLISTED,
        "check_form": ReceiptForm(),
        "receipts_url": reverse("votes:tally_receipts", args=[campaign.slug]),
        "verifier_url": reverse("votes:tally_verifier"),
    }
    return render(request, "votes/results_tally.html", context)


# --- the receipt list ---------------------------------------------------------------


@require_GET
def receipts_csv(request, slug: str):
    """The published receipt list, streamed from the rows: its SHA-256 is the
    tally's digest (votes/verify.py and docs/verify.md)."""
    campaign = _campaign(request, slug)
    if campaign.stored is None:
        return _pending(request, campaign)
    response = StreamingHttpResponse(tally.canonical_chunks(campaign.pk), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-receipts.csv"'
    response["X-Tally-Digest"] = campaign.stored.digest
    return response


@require_GET
def verifier_source(request):
    """The verifier itself, to run without Ideabox: `python verify.py receipts.csv`."""
    response = FileResponse(
        open(Path(verify.__file__), "rb"),  # noqa: SIM115 (FileResponse closes it)
        content_type="text/x-python; charset=utf-8",
        as_attachment=True,
        filename="verify.py",
    )
    return response


# --- checking one receipt -------------------------------------------------------------


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt"),
        max_length=200,
        help_text=_("The 64 characters listed on your receipts page (the API also returns them when you vote)."),
    )

    def clean_receipt(self) -> str:
        value = self.cleaned_data["receipt"].strip().lower()
        if not RECEIPT.fullmatch(value):
            raise forms.ValidationError(_("A receipt is 64 characters, digits and the letters a to f."))
        return value


@require_GET
def check_receipt(request, slug: str):
    campaign = _campaign(request, slug)
    if campaign.stored is None:
        return _pending(request, campaign)
    context = {"campaign": campaign, "tally": campaign.stored, "vote": None, "checked": False}
    if "receipt" not in request.GET:
        context["form"] = ReceiptForm()
        return render(request, "votes/results_check.html", context)
    form = ReceiptForm(request.GET)
    context["form"] = form
    if not form.is_valid():
        return render(request, "votes/results_check.html", context, status=400)
    vote = (
        Vote.objects.filter(campaign=campaign, receipt=form.cleaned_data["receipt"])
        .select_related("idea")
        .only("receipt", "idea__id", "idea__title", "idea__hidden", "idea__approved", "idea__status")
        .first()
    )
    context.update(checked=True, vote=vote, receipt=form.cleaned_data["receipt"])
    if vote is not None:
        context["idea_listed"] = vote.idea.is_listed
    return render(request, "votes/results_check.html", context, status=200 if vote else 404)


# --- my receipts -----------------------------------------------------------------------


@login_required
@require_GET
def my_receipts(request):
    """The signed-in voter's own receipts, by campaign, newest campaign first."""
    votes = (
        Vote.objects.filter(voter=request.user)
        .select_related("campaign__tally", "idea")
        .only(
            "receipt",
            "created_at",
            "campaign__id",
            "campaign__slug",
            "campaign__title",
            "campaign__kind",
            "campaign__phase",
            "campaign__created_at",
            "campaign__tally__id",
            "campaign__tally__digest",
            "idea__id",
            "idea__title",
            "idea__hidden",
            "idea__approved",
            "idea__status",
        )
        .order_by("-campaign__created_at", "campaign_id", "created_at", "pk")
    )
    page = Paginator(votes, RECEIPTS_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = []
    for vote in page.object_list:
        try:
            published = vote.campaign.tally
        except Tally.DoesNotExist:
            published = None
        entries.append({"vote": vote, "published": published, "listed": vote.idea.is_listed})
    return render(request, "votes/receipts.html", {"page_obj": page, "entries": entries})


# --- the API ---------------------------------------------------------------------------


class TallyRowSerializer(serializers.Serializer):
    idea = serializers.IntegerField(source="idea_id", help_text="The idea's id.")
    votes = serializers.IntegerField()
    rank = serializers.IntegerField(allow_null=True, help_text="Null for an idea reported apart (hidden).")
    hidden = serializers.BooleanField(help_text="Reported apart: hidden by moderation, not ranked.")


class TallySerializer(serializers.Serializer):
    digest = serializers.CharField(help_text="SHA-256 (hex) of the receipt list at receipts_url.")
    total_votes = serializers.IntegerField()
    voters = serializers.IntegerField(source="ballot_count")
    # In UTC with a "Z", as the published results' published_at.
    computed_at = serializers.DateTimeField(default_timezone=datetime.UTC)
    rows = serializers.SerializerMethodField()
    receipts_url = serializers.URLField()

    @extend_schema_field(TallyRowSerializer(many=True))
    def get_rows(self, stored) -> list[dict]:
        # Built as plain dicts in TallyRowSerializer's shape: 10,000 rows in
        # about 3 ms, where serialising them field by field took 40 ms (an
        # idle machine). The schema check of the API tests holds them to the
        # documented shape.
        return [
            {"idea": idea, "votes": votes, "rank": rank, "hidden": hidden} for idea, votes, rank, hidden in stored.rows
        ]


class TallyAPIView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A campaign's tally",
        description=(
            "Votes per idea counted from the vote rows when voting closed, the ranking (more votes, then the "
            "earlier submission, then the lower id), and the digest of the published receipt list. "
            "409 `results_not_published` until the tally is stored."
        ),
        responses={200: TallySerializer, **refusals("not_found", "results_not_published")},
    )
    def get(self, request, slug: str):
        campaign = _campaign(request, slug)
        stored = campaign.stored
        if stored is None:
            raise DomainError("results_not_published", str(_("This campaign has not been tallied yet.")))
        stored.rows = (
            TallyRow.objects.filter(campaign=campaign)
            .order_by("hidden", "rank", "idea_id")
            .values_list("idea_id", "votes", "rank", "hidden")
        )
        stored.receipts_url = request.build_absolute_uri(reverse("votes:tally_receipts", args=[campaign.slug]))
        return Response(TallySerializer(stored).data)
