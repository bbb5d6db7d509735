"""The published results: the results page, the managers' CSV and
GET /api/v1/campaigns/{slug}/results/.

Everything starts from the campaigns the caller may see (anything else is
a 404). Before publication the page says when the jury deliberates until
(200), the API answers 409 `results_not_published` and the CSV is a 404.
"""

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from ideabox.api import ErrorSerializer
from ideabox.exceptions import DomainError
from ideas.api import PersonSerializer

from . import results

# --- the page ----------------------------------------------------------------------------


@require_GET
def results_page(request, slug: str):
    campaign = results.results_campaign(slug, request.user)
    if not results.is_published(campaign):
        return render(request, "jury/results/pending.html", {"campaign": campaign, "tally": campaign.stored_tally})
    published = results.published_results(campaign, request.user)
    context = {
        "campaign": campaign,
        "results": published,
        "chart": results.results_chart(published),
        "tally": published.tally,
        "may_download": roles.is_manager(request.user),
    }
    return render(request, "jury/results/page.html", context)


# --- the managers' CSV -----------------------------------------------------------------------


@require_GET
def results_csv(request, slug: str):
    """The published ranking for managers, named as on the results page (an
    anonymous idea's authors never). A 404 for everyone else and before
    publication."""
    if not roles.is_manager(request.user):
        raise Http404
    campaign = results.results_campaign(slug, request.user)
    if not results.is_published(campaign):
        raise Http404
    published = results.published_results(campaign, request.user)
    buffer = io.StringIO()
    # The byte-order mark lets spreadsheets read the accents as UTF-8.
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(results.csv_rows(published))
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-results.csv"'
    return response


# --- the API -------------------------------------------------------------------------------


class WinnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ResultAwardSerializer(serializers.Serializer):
    name = serializers.CharField()
    prize = serializers.CharField()
    # A plain string: the jury setup and award endpoints already name a `basis` enum.
    basis = serializers.CharField(
        help_text="`jury`: decided by the jury; `public`: decided by the votes, from the tally, when voting closed."
    )
    position = serializers.IntegerField()
    winner = WinnerSerializer(allow_null=True)
    justification = serializers.CharField(help_text="Why the jury departed from the ranking; empty when it did not.")


class RankedIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = PersonSerializer(
        allow_null=True, help_text="Null on an anonymous idea (whoever reads), and for a deleted account."
    )


class RankingSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    idea = RankedIdeaSerializer()
    votes = serializers.IntegerField()
    jury_average = serializers.FloatField(allow_null=True, help_text="Weighted jury average (0–5); null: unscored.")
    unscored = serializers.BooleanField()
    final_score = serializers.FloatField(help_text="Between 0 and 1.")
    award = serializers.CharField(allow_null=True, help_text="The first award this idea won, or null.")
    awards = serializers.ListField(child=serializers.CharField(), help_text="Every award this idea won.")


class ResultsTallySerializer(serializers.Serializer):
    total_votes = serializers.IntegerField()
    voters = serializers.IntegerField()
    digest = serializers.CharField(help_text="SHA-256 (hex) of the published receipt list at receipts_url.")
    receipts_url = serializers.URLField()


class ResultsSerializer(serializers.Serializer):
    campaign = serializers.SlugField()
    published_at = serializers.DateTimeField()
    public_weight = serializers.FloatField()
    jury_weight = serializers.FloatField()
    awards = ResultAwardSerializer(many=True)
    ranking = RankingSerializer(many=True)
    tally = ResultsTallySerializer(allow_null=True)


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"username": user.get_username(), "display_name": user.public_name}


def _winner(award, published: results.Results) -> dict | None:
    if award.winner is None:
        return None
    line = published.line_for(award.winner_id)
    return {"id": award.winner_id, "title": line.title if line else award.winner.title}


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
        responses={200: ResultsSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def get(self, request, slug: str):
        campaign = results.results_campaign(slug, request.user)
        if not results.is_published(campaign):
            raise DomainError("results_not_published", str(_("The results of this campaign are not published yet.")))
        published = results.published_results(campaign, request.user)
        tally = published.tally
        body = {
            "campaign": campaign.slug,
            "published_at": published.jury.published_at,
            "public_weight": published.public_weight,
            "jury_weight": published.jury_weight,
            "awards": [
                {
                    "name": award.name,
                    "prize": award.prize,
                    "basis": award.basis,
                    "position": award.position,
                    "winner": _winner(award, published),
                    "justification": award.justification,
                }
                for award in published.awards
            ],
            "ranking": [
                {
                    "rank": line.row.rank,
                    "idea": {
                        "id": line.idea.pk,
                        "title": line.title,
                        "author": _person(line.idea.author) if line.shows_author else None,
                    },
                    "votes": line.row.votes,
                    "jury_average": line.row.jury_average,
                    "unscored": line.unscored,
                    "final_score": line.row.final_score,
                    "award": line.award_names[0] if line.awards else None,
                    "awards": line.award_names,
                }
                for line in published.lines
            ],
            "tally": None
            if tally is None
            else {
                "total_votes": tally.total_votes,
                "voters": tally.ballot_count,
                "digest": tally.digest,
                "receipts_url": request.build_absolute_uri(reverse("tally:receipts", args=[campaign.slug])),
            },
        }
        # Plain data: the serializers describe the schema; the rows need no per-field work.
        return Response(body)
