"""The results API, under /api/v1/:

  GET    campaigns/{slug}/results/                         the published results (anyone who may see the campaign)
  POST   campaigns/{slug}/results/{idea_id}/move-to-box/   managers: an awarded idea of an internal campaign into the box

Everything starts from the campaigns the caller may see (anything else is a
404). Before publication the results answer 409 `results_not_published`.
Responses are rendered by the output serializers below, which are also the
documented schema.
"""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import PersonSerializer
from ideabox.api import refusals
from ideabox.exceptions import DomainError

from . import selectors, services

# --- the published results ----------------------------------------------------------------


class WinnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


# Renders a selectors.AwardEntry.
class ResultAwardSerializer(serializers.Serializer):
    name = serializers.CharField(source="award.name")
    prize = serializers.CharField(source="award.prize")
    # A plain string: the jury setup and award endpoints already name a `basis` enum.
    basis = serializers.CharField(
        source="award.basis",
        help_text="`jury`: decided by the jury; `public`: decided by the votes, from the tally, when voting closed.",
    )
    position = serializers.IntegerField(source="award.position")
    winner = WinnerSerializer(allow_null=True)
    justification = serializers.CharField(
        source="award.justification", help_text="Why the jury departed from the ranking; empty when it did not."
    )


# Renders a selectors.Line's idea, as a reader may see it.
class RankedIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="idea.pk")
    title = serializers.CharField()
    author = PersonSerializer(
        source="shown_author",
        allow_null=True,
        help_text="Null on an anonymous idea (whoever reads), and for a deleted account.",
    )


# Renders a selectors.Line.
class RankingSerializer(serializers.Serializer):
    rank = serializers.IntegerField(source="row.rank")
    idea = RankedIdeaSerializer(source="*")
    votes = serializers.IntegerField(source="row.votes")
    jury_average = serializers.FloatField(
        source="row.jury_average", allow_null=True, help_text="Weighted jury average (0–5); null: unscored."
    )
    unscored = serializers.BooleanField()
    final_score = serializers.FloatField(source="row.final_score", help_text="Between 0 and 1.")
    award = serializers.CharField(
        source="first_award_name", allow_null=True, help_text="The first award this idea won, or null."
    )
    awards = serializers.ListField(
        source="award_names", child=serializers.CharField(), help_text="Every award this idea won."
    )


class ReceiptsURLField(serializers.URLField):
    """The absolute address of a tally's published receipt list."""

    def to_representation(self, tally) -> str:
        return self.context["request"].build_absolute_uri(reverse("votes:tally_receipts", args=[tally.campaign.slug]))


class ResultsTallySerializer(serializers.Serializer):
    total_votes = serializers.IntegerField()
    voters = serializers.IntegerField(source="ballot_count")
    digest = serializers.CharField(help_text="SHA-256 (hex) of the published receipt list at receipts_url.")
    receipts_url = ReceiptsURLField(source="*")


# Renders a selectors.Results.
class ResultsSerializer(serializers.Serializer):
    campaign = serializers.SlugField(source="campaign.slug")
    # In UTC, with a "Z", as the results have always been sent.
    published_at = serializers.DateTimeField(source="jury.published_at", default_timezone=datetime.UTC)
    public_weight = serializers.FloatField()
    jury_weight = serializers.FloatField()
    awards = ResultAwardSerializer(source="award_entries", many=True)
    ranking = RankingSerializer(source="lines", many=True)
    tally = ResultsTallySerializer(allow_null=True)


class ResultsAPIView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A campaign's published results",
        description=(
            "The awards and their winners, the final ranking of the shortlist (votes, weighted jury average, "
            "final score = public weight × votes ÷ the most votes + jury weight × jury average ÷ 5) and the "
            "verifiable tally. The whole shortlist in one answer (it is short: the campaign's shortlist size "
            "plus wildcards). 409 `results_not_published` until the jury's results are published; 404 for a "
            "campaign the caller may not see."
        ),
        responses={200: ResultsSerializer, **refusals("not_found", "results_not_published")},
    )
    def get(self, request, slug: str):
        campaign = selectors.results_campaign(slug, request.user)
        if not selectors.is_published(campaign):
            raise DomainError("results_not_published", str(_("The results of this campaign are not published yet.")))
        published = selectors.published_results(campaign, request.user)
        return Response(ResultsSerializer(published, context={"request": request}).data)


# --- moving an awarded idea into the idea box -----------------------------------------------


# Renders a jury.models.BoxTransfer.
class BoxTransferSerializer(serializers.Serializer):
    idea = serializers.IntegerField(source="idea_id", help_text=_("The campaign's idea, which stays there."))
    box_idea = serializers.IntegerField(source="box_idea_id", help_text=_("The new idea in the idea box."))
    url = serializers.CharField(source="box_idea.get_absolute_url", help_text=_("The box idea's page."))
    at = serializers.DateTimeField()


class MoveToBoxView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="campaign_results_move_to_box",
        tags=["jury"],
        summary="Move an awarded idea into the idea box",
        description=_(
            "Managers, once the results are published, for an awarded idea of an internal campaign. The box gets "
            "a copy under review (text, authors, tags, comments, a link to the results); the campaign's idea, votes "
            "and results stay. `invalid_transition`: the results are not published, the idea is not awarded, or the "
            "campaign is not internal."
        ),
        request=None,
        responses={201: BoxTransferSerializer, **refusals("not_found", "already_moved", "invalid_transition")},
    )
    def post(self, request, slug: str, idea_id: int):
        idea = selectors.box_move_target(slug, idea_id, request.user)
        transfer = services.move_to_box(idea=idea, by=request.user)
        return Response(BoxTransferSerializer(transfer).data, status=201)
