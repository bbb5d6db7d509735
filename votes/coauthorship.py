"""Accepting an invitation to co-author, with the invitee's own vote.

A co-author may not support their own idea, so accepting withdraws the
invitee's vote on it and gives it back to their ballot. The co-authorship
rules live in ideas/coauthorship.py; the votes rank above ideas (STYLE.md:
ideas never import votes), so the accept entry points (votes/views.py,
votes/api.py) call accept here, which withdraws the vote through the one
withdrawal there is (services.withdraw_vote) and then runs the ideas accept,
in one transaction, as moderation.services.merge_idea does for a merge. Declining and
leaving move no vote: they stay in ideas.
"""

from django.db import transaction
from django.utils import timezone

from ideabox.exceptions import DomainError
from ideas import coauthorship
from ideas.models import Coauthorship, Idea

from . import services


def _withdraw_own_vote(*, user, idea: Idea, now) -> bool:
    """Withdraw the new co-author's vote on the idea, if they have one. True
    when one was withdrawn."""
    try:
        services.withdraw_vote(voter=user, idea=idea.pk, now=now)
    except DomainError as error:
        if error.code in ("not_voted", "voting_closed"):
            return False  # no vote to withdraw (and none possible before voting)
        raise
    return True


def accept(*, idea: Idea | int, user, now=None) -> tuple[Coauthorship, bool]:
    """The invitee accepts (ideas.coauthorship.accept) and their own vote on
    the idea is withdrawn. Returns (the row, True when this call accepted;
    False when they were already a co-author)."""
    now = now or timezone.now()
    found = coauthorship.visible_idea(user, idea)
    with transaction.atomic():
        # One lock order for every writer: the voter's ballot (withdrawing
        # the vote, as votes are cast), then the idea (as edits lock it), then
        # the row. A refusal of the ideas accept rolls the withdrawal back.
        withdrawn = coauthorship.awaits_answer(idea=found, user=user, now=now) and _withdraw_own_vote(
            user=user, idea=found, now=now
        )
        row, accepted = coauthorship.accept(idea=found, user=user, now=now, vote_withdrawn=withdrawn)
        if withdrawn and not accepted:
            transaction.set_rollback(True)  # accepted meanwhile: their vote was not this call's to take
    return row, accepted
