"""The vote API, under /api/v1/ (url names `votes-...`), and the answer to
an invitation to co-author, moved from ideas/api.py, since accepting
withdraws the invitee's own vote.

POST   /api/v1/ideas/{id}/vote/   201 {"votes", "votes_left", "receipt"}
DELETE /api/v1/ideas/{id}/vote/   204

Both are rate limited per account and per client address (votes/ratelimit.py).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import PersonSerializer
from ideabox.api import refusals
from ideas import selectors as idea_selectors
from ideas.coauthorship import decline_or_leave
from ideas.models import Coauthorship, Idea

from . import coauthorship, services
from .ratelimit import VoteThrottled, check_vote_rate


def _check_rate(request) -> None:
    try:
        check_vote_rate(request)
    except VoteThrottled as error:
        # DRF's own exception, so the answer carries Retry-After.
        raise exceptions.Throttled(wait=error.wait, detail=error.detail) from error


class VoteResponseSerializer(serializers.Serializer):
    votes = serializers.IntegerField(
        allow_null=True, help_text=_("The idea's new count; null while the campaign hides counts.")
    )
    votes_left = serializers.IntegerField(
        allow_null=True, help_text=_("How many more ideas you may support here; null when there is no limit.")
    )
    receipt = serializers.CharField(
        help_text=_("Your vote's receipt (64 hexadecimal characters): find it in the published results.")
    )


# One instance, bound once: a new serializer copies its fields, 0.15 to 0.2 ms
# on the hottest request of the site, where rendering through this one takes
# 0.01 ms (it keeps no state between calls).
VOTE_OUTPUT = VoteResponseSerializer()


# What the vote's rules refuse (votes.services.RULES), as the error-code table documents them.
VOTE_REFUSALS = refusals(
    "not_authenticated", "not_found", *(rule.code for rule in services.RULES.values()), "throttled"
)
UNVOTE_REFUSALS = refusals("not_authenticated", "not_found", "not_voted", "voting_closed", "throttled")


class VoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="idea_vote",
        request=None,
        responses={201: VoteResponseSerializer, **VOTE_REFUSALS},
        tags=["votes"],
        description=_(
            "Support an idea (approval voting): once per idea, never your own, only while the campaign is voting "
            "(always in the idea box), within the campaign's votes per voter."
        ),
    )
    def post(self, request, pk: int):
        _check_rate(request)
        vote, count, left = services.cast_vote(voter=request.user, idea=pk)
        shown = None if idea_selectors.counts_hidden(vote.idea.campaign) else count
        body = {"votes": shown, "votes_left": left, "receipt": vote.receipt}
        return Response(VOTE_OUTPUT.to_representation(body), status=201)

    @extend_schema(
        operation_id="idea_unvote",
        request=None,
        responses={204: None, **UNVOTE_REFUSALS},
        tags=["votes"],
        description=_("Withdraw your support while the campaign is voting; the vote is given back."),
    )
    def delete(self, request, pk: int):
        _check_rate(request)
        services.withdraw_vote(voter=request.user, idea=pk)
        return Response(status=204)


class CoauthorshipSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Coauthorship.State.choices)
    co_authors = PersonSerializer(many=True)


class CoauthorshipView(APIView):
    """The caller's invitation to co-author an idea: accept (POST), which
    withdraws their own vote (votes/coauthorship.py), decline or leave
    (DELETE). Rules and refusals: ideas/coauthorship.py."""

    @extend_schema(
        summary="Accept an invitation to co-author an idea",
        description=(
            "201 when accepted (the caller's own vote on the idea, if any, is withdrawn and given back), "
            "200 when already a co-author; the body lists the idea's co-authors. 404 `not_found`: no "
            "invitation for the caller, or an idea they may not see. 409 `coauthors_locked`: the "
            "invitation lapsed when voting opened."
        ),
        request=None,
        responses={
            200: CoauthorshipSerializer,
            201: CoauthorshipSerializer,
            **refusals("not_authenticated", "not_found", "coauthors_locked"),
        },
    )
    def post(self, request, pk: int):
        row, accepted = coauthorship.accept(idea=pk, user=request.user)
        idea = get_object_or_404(Idea.objects.visible_to(request.user), pk=pk)
        body = CoauthorshipSerializer({"state": row.state, "co_authors": idea.coauthors.all()}).data
        return Response(body, status=status.HTTP_201_CREATED if accepted else status.HTTP_200_OK)

    @extend_schema(
        summary="Decline an invitation to co-author an idea, or leave its co-authors",
        description=(
            "204. 404 `not_found`: neither invited nor a co-author. 409 `coauthors_locked`: a co-author "
            "cannot leave once voting has opened."
        ),
        request=None,
        responses={204: None, **refusals("not_authenticated", "not_found", "coauthors_locked")},
    )
    def delete(self, request, pk: int):
        decline_or_leave(idea=pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
