"""Award decisions in the API, under /api/v1/ (url names `awards-...`).

Managers and the campaign's jurors (read), the chair and managers (write):
  GET    campaigns/{slug}/jury/awards/                 the awards, their decisions and the live ranking
  PUT    campaigns/{slug}/jury/awards/{award_id}/      {"winner": idea id, "justification": "..."}
  DELETE campaigns/{slug}/jury/awards/{award_id}/      take the decision back (204)
Public awards are decided by the votes, from the tally, when voting closes
(jury.awards): never by hand, so PUT and DELETE refuse them.
Managers:
  POST   campaigns/{slug}/results/{idea_id}/move-to-box/   an awarded idea of an internal campaign into the box

Anyone else gets 404 `not_found`; a juror who is not the chair 403
`permission_denied` on the writes. The ranking is the shortlist (N ideas
plus wildcards), so it is returned whole rather than paginated.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from ideabox.api import ErrorSerializer
from ideas.models import Idea

from . import access, awards, publication
from .models import Award, AwardBasis

# --- serializers ---------------------------------------------------------------------------


class AwardIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class AwardDeciderSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()


class PublicAwardDecisionSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    reason = serializers.ChoiceField(
        choices=["tally", "winner_hidden"],
        help_text=_("`tally`: decided from the tally; `winner_hidden`: decided again, the winner was hidden."),
    )
    previous_winner = serializers.IntegerField(allow_null=True, help_text=_("The id of the previous winner."))
    winner = serializers.IntegerField(allow_null=True, help_text=_("Null: no idea that received votes could win it."))


class AwardDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    prize = serializers.CharField(allow_blank=True)
    basis = serializers.ChoiceField(choices=["jury", "public"])
    winner = AwardIdeaSerializer(allow_null=True, help_text=_("Null while undecided."))
    justification = serializers.CharField(allow_blank=True)
    decided_by = AwardDeciderSerializer(
        allow_null=True, help_text=_("Null while undecided or when decided by the votes (public awards).")
    )
    decided_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_(
            "Null while undecided. A public award may be decided with no winner: nobody voted for an idea that may win it."
        ),
    )
    suggested = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Jury awards: the top-ranked idea that may win it (never one that won another award, unless the "
            "campaign allows several); public awards: their winner. Null when none may."
        ),
    )
    votes = serializers.IntegerField(
        allow_null=True,
        help_text=_("Public awards: the winner's votes in the tally (null for jurors in blind review)."),
    )
    history = PublicAwardDecisionSerializer(
        many=True, help_text=_("Public awards: each decision from the tally, oldest first.")
    )


class RankingEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    idea = AwardIdeaSerializer()
    votes = serializers.IntegerField(allow_null=True, help_text=_("Null for jurors in blind review."))
    jury_average = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    marks = serializers.IntegerField(help_text=_("How many jurors scored it."))
    final_score = serializers.DecimalField(max_digits=6, decimal_places=4)
    unscored = serializers.BooleanField()
    disputed = serializers.BooleanField()


class AwardsOverviewSerializer(serializers.Serializer):
    phase = serializers.CharField()
    may_decide = serializers.BooleanField(help_text=_("The caller is the chair or a manager."))
    may_leave_deliberation = serializers.BooleanField(
        help_text=_("Every jury award is decided and the public awards are decided from the tally.")
    )
    published_at = serializers.DateTimeField(allow_null=True)
    awards = AwardDecisionSerializer(many=True)
    ranking = RankingEntrySerializer(many=True)


class DecideAwardSerializer(serializers.Serializer):
    winner = serializers.IntegerField(help_text=_("The id of a shortlisted idea."))
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text=_("Required when the winner is not the top-ranked idea that may win this award."),
    )


class BoxTransferSerializer(serializers.Serializer):
    idea = serializers.IntegerField(help_text=_("The campaign's idea, which stays there."))
    box_idea = serializers.IntegerField(help_text=_("The new idea in the idea box."))
    url = serializers.CharField(help_text=_("The box idea's page."))
    at = serializers.DateTimeField()


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"username": user.get_username(), "display_name": user.public_name}


def award_data(award: Award, suggested: int | None = None, *, votes: int | None = None, history=()) -> dict:
    winner = award.winner if award.winner_id else None
    return {
        "id": award.pk,
        "name": award.name,
        "position": award.position,
        "prize": award.prize,
        "basis": award.basis,
        "winner": {"id": winner.pk, "title": winner.title} if winner else None,
        "justification": award.justification,
        "decided_by": _person(award.decided_by),
        "decided_at": award.decided_at,
        "suggested": suggested,
        "votes": votes,
        "history": [
            {"at": d.at, "reason": d.reason, "previous_winner": d.previous_winner_id, "winner": d.winner_id}
            for d in history
        ],
    }


REFUSALS = {
    400: OpenApiResponse(
        ErrorSerializer, description=_("`invalid`: not a shortlisted idea, or a missing justification.")
    ),
    403: OpenApiResponse(ErrorSerializer, description=_("`permission_denied`: a juror who is not the chair.")),
    404: OpenApiResponse(ErrorSerializer, description=_("`not_found`: no such campaign or award for you.")),
    409: OpenApiResponse(
        ErrorSerializer,
        description=_(
            "`awards_closed` (not deliberating, or the public awards wait for the tally) or `already_awarded` "
            "(the idea already holds another award, public or jury)."
        ),
    ),
}


class AwardsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="campaign_awards",
        tags=["jury"],
        summary="A campaign's awards and the live ranking",
        description=_(
            "Managers and the campaign's jurors. Ranking by final score (public weight × votes ÷ the "
            "shortlist's most votes + jury weight × jury average ÷ 5), ties broken by more votes, the earlier "
            "submission, the lower id."
        ),
        responses={200: AwardsOverviewSerializer, 404: ErrorSerializer},
    )
    def get(self, request, slug: str):
        campaign = access.jury_campaign_or_404(slug, request.user)
        view = awards.overview(campaign)
        hide_votes = bool(view.jury and view.jury.blind_review) and not roles.is_manager(request.user)
        body = {
            "phase": campaign.phase,
            "may_decide": access.may_decide_awards(campaign, request.user),
            "may_leave_deliberation": view.may_leave_deliberation,
            "published_at": view.jury.published_at if view.jury else None,
            "awards": [
                award_data(
                    award,
                    view.suggestions.get(award.pk),
                    votes=None if hide_votes or award.basis != AwardBasis.PUBLIC else view.votes.get(award.winner_id),
                    history=view.history.get(award.pk, ()),
                )
                for award in view.awards
            ],
            "ranking": [
                {
                    "rank": s.rank,
                    "idea": {"id": s.idea.pk, "title": s.idea.title},
                    "votes": None if hide_votes else s.votes,
                    "jury_average": s.jury_average,
                    "marks": s.marks,
                    "final_score": s.final_score,
                    "unscored": s.unscored,
                    "disputed": s.disputed,
                }
                for s in view.standings
            ],
        }
        return Response(AwardsOverviewSerializer(body).data)


class AwardDecisionView(APIView):
    permission_classes = [AllowAny]

    def _award(self, request, slug: str, award_id: int) -> Award:
        campaign = access.jury_campaign_or_404(slug, request.user)
        return get_object_or_404(Award.objects.filter(campaign=campaign).select_related("campaign"), pk=award_id)

    @extend_schema(
        operation_id="campaign_award_decide",
        tags=["jury"],
        summary="Decide (or change) the winner of a jury award",
        description=_(
            "The chair or a manager, during deliberation. The winner must be shortlisted; another idea than the "
            "top-ranked one that may win needs a justification, published with the results."
        ),
        request=DecideAwardSerializer,
        responses={200: AwardDecisionSerializer, **REFUSALS},
    )
    def put(self, request, slug: str, award_id: int):
        award = self._award(request, slug, award_id)
        data = DecideAwardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # An idea of another campaign is None here: the service refuses it as off the shortlist.
        winner = Idea.objects.filter(pk=data.validated_data["winner"], campaign=award.campaign).first()
        decided = awards.decide_award(
            award=award, by=request.user, winner=winner, justification=data.validated_data["justification"]
        )
        return Response(AwardDecisionSerializer(award_data(decided)).data)

    @extend_schema(
        operation_id="campaign_award_undecide",
        tags=["jury"],
        summary="Take an award decision back",
        request=None,
        responses={204: None, 403: REFUSALS[403], 404: REFUSALS[404], 409: REFUSALS[409]},
    )
    def delete(self, request, slug: str, award_id: int):
        award = self._award(request, slug, award_id)
        awards.undecide_award(award=award, by=request.user)
        return Response(status=204)


class MoveToBoxView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="campaign_results_move_to_box",
        tags=["jury"],
        summary="Move an awarded idea into the idea box",
        description=_(
            "Managers, once the results are published, for an awarded idea of an internal campaign. The box gets "
            "a copy under review (text, authors, tags, comments, a link to the results); the campaign's idea, votes "
            "and results stay."
        ),
        request=None,
        responses={
            201: BoxTransferSerializer,
            404: ErrorSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description=_("`already_moved`, or `invalid_transition` (not published, not awarded, not internal)."),
            ),
        },
    )
    def post(self, request, slug: str, idea_id: int):
        if not roles.is_manager(request.user):
            raise NotFound
        campaign = access.jury_campaign_or_404(slug, request.user)
        idea = get_object_or_404(Idea.objects.filter(campaign=campaign), pk=idea_id)
        transfer = publication.move_to_box(idea=idea, by=request.user)
        body = {
            "idea": transfer.idea_id,
            "box_idea": transfer.box_idea_id,
            "url": transfer.box_idea.get_absolute_url(),
            "at": transfer.at,
        }
        return Response(BoxTransferSerializer(body).data, status=201)
