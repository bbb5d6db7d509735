"""Casting and withdrawing votes, and what a page needs to show the vote button.

Refusals (DomainError codes, nothing is stored when one is raised):

- `not_authenticated`: no voter;
- `not_found`: the voter may not see the idea (Idea.objects.visible_to);
- `not_allowed`: the voter is not in the campaign's audience with a verified
  e-mail (an employee's for internal campaigns and the idea box), or the idea
  is not open to support: hidden, awaiting approval or merged (its author and
  moderators can still see it, everyone else gets `not_found`);
- `voting_closed`: the campaign does not accept votes now: the phase AND the
  clock, so a vote one second after `voting_closes` is refused even if the
  scheduler has not moved the campaign yet (the box always accepts);
- `own_idea`: the voter wrote or co-wrote the idea;
- `already_voted`: the unique constraint `vote_once_per_idea` decides;
- `vote_limit_reached`: the compare-and-swap on the voter's Ballot row
  (`used < votes_per_voter`) changed nothing.

Concurrency. cast_vote takes the voter's Ballot row lock first (the CAS
UPDATE), then inserts the vote, then updates the idea's counter: two
parallel votes of one voter in one campaign queue on the ballot row, so the
limit cannot be overrun, and the second of two identical votes meets the
unique constraint. Every lock is taken in the same order (campaign FOR
SHARE, ballot, idea), so voters never deadlock each other, and a phase
change waits for the votes in flight (see _hold_campaign_open), so the
tally never misses a vote that was accepted. The idea's counter update is
itself conditional on the idea still being open to support, so a merge or a
hide that commits while a vote waits turns the vote into a refusal.
"""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from ideabox.exceptions import DomainError
from ideas import selectors as idea_selectors
from ideas.models import Idea, Status
from ideas.services import may_take_part

from .models import Ballot, Vote
from .receipts import new_receipt


def _detail(code: str) -> str:
    messages = {
        "already_voted": _("You already support this idea."),
        "vote_limit_reached": _("You have no votes left in this campaign."),
        "voting_closed": _("Voting is not open for this idea."),
        "own_idea": _("You cannot support your own idea."),
        "not_allowed": _("Only this campaign's audience, with a verified e-mail address, can support its ideas."),
        "not_open": _("This idea is not open to support."),
        "not_voted": _("You do not support this idea."),
        "not_authenticated": _("Log in to support this idea."),
    }
    return str(messages[code])


def _refuse(code: str, message_key: str | None = None) -> DomainError:
    return DomainError(code, _detail(message_key or code))


def _open_to_support(idea: Idea) -> bool:
    return idea.approved and not idea.hidden and idea.status != Status.MERGED


def _is_coauthor(voter, idea: Idea) -> bool:
    return idea.coauthors.through.objects.filter(idea_id=idea.pk, user_id=voter.pk).exists()


def _visible_idea(voter, idea: Idea | int) -> Idea:
    """The idea as the voter may see it, fresh from the database."""
    pk = idea if isinstance(idea, int) else idea.pk
    found = Idea.objects.visible_to(voter).select_related("campaign").filter(pk=pk).first()
    if found is None:
        raise DomainError("not_found")
    return found


def check_may_vote(*, voter, idea: Idea | int, now=None) -> Idea:
    """Raise what cast_vote would refuse before writing (all but the
    duplicate and the limit, which the database decides). Returns the idea."""
    now = now or timezone.now()
    if not voter.is_authenticated:
        raise _refuse("not_authenticated")
    found = _visible_idea(voter, idea)
    campaign = found.campaign
    if not may_take_part(voter, campaign):
        raise _refuse("not_allowed")
    if not _open_to_support(found):
        raise _refuse("not_allowed", "not_open")
    if not campaign.accepts_votes(now):
        raise _refuse("voting_closed")
    if found.author_id == voter.pk or _is_coauthor(voter, found):
        raise _refuse("own_idea")
    return found


def _hold_campaign_open(campaign: Campaign) -> None:
    """Inside the vote's transaction: check that the campaign is still in the
    phase it was checked in, and keep it there until this transaction ends.

    On PostgreSQL the row is read FOR SHARE: many votes share the lock, while
    a phase change (an UPDATE of the row) waits for the votes in flight to
    commit, and a vote that starts after the change sees the new phase. So
    the tally, which runs once the move to deliberation has committed, counts
    every vote that was accepted. SQLite serialises writing transactions, so
    the read inside the transaction suffices there. The box never changes
    phase: its hot row is left alone.
    """
    if campaign.is_box:
        return
    table = connection.ops.quote_name(Campaign._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phase FROM {table} WHERE id = %s{lock}", [campaign.pk])
        row = cursor.fetchone()
    if row is None or row[0] != campaign.phase:
        raise _refuse("voting_closed")


def _limit_refusal(*, voter, idea: Idea) -> DomainError:
    # Only on the refusal path: a second vote for the same idea when the
    # ballot is full is a duplicate first.
    if Vote.objects.filter(voter=voter, idea_id=idea.pk).exists():
        return _refuse("already_voted")
    return _refuse("vote_limit_reached")


def cast_vote(*, voter, idea: Idea | int, now=None) -> tuple[Vote, int, int | None]:
    """Support an idea. Returns (the vote, the idea's new count, the votes the
    voter has left in the campaign or None when there is no limit).

    `idea` may be an Idea or its id: it is reloaded from what the voter may
    see, so a stale or unchecked object is safe.
    """
    found = check_may_vote(voter=voter, idea=idea, now=now)
    campaign = found.campaign
    limit = campaign.votes_per_voter
    with transaction.atomic():
        _hold_campaign_open(campaign)
        ballot, _created = Ballot.objects.get_or_create(campaign=campaign, voter=voter)
        spend = Ballot.objects.filter(pk=ballot.pk)
        if limit is not None:
            spend = spend.filter(used__lt=limit)
        if not spend.update(used=F("used") + 1):
            raise _limit_refusal(voter=voter, idea=found)
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    campaign=campaign,
                    idea=found,
                    voter=voter,
                    receipt=new_receipt(campaign_id=campaign.pk, idea_id=found.pk),
                    created_at=now or timezone.now(),
                )
        except IntegrityError as error:
            raise _refuse("already_voted") from error
        counted = (
            Idea.objects.filter(pk=found.pk, approved=True, hidden=False)
            .exclude(status=Status.MERGED)
            .update(vote_count=F("vote_count") + 1)
        )
        if not counted:
            raise _refuse("not_allowed", "not_open")
        count = Idea.objects.filter(pk=found.pk).values_list("vote_count", flat=True).get()
        left = None
        if limit is not None:
            used = Ballot.objects.filter(pk=ballot.pk).values_list("used", flat=True).get()
            left = max(limit - used, 0)
    found.vote_count = count
    return vote, count, left


def withdraw_vote(*, voter, idea: Idea | int, now=None) -> tuple[int, int | None]:
    """Withdraw support while the campaign accepts votes. Returns (the
    idea's new count, the votes the voter has left or None)."""
    now = now or timezone.now()
    if not voter.is_authenticated:
        raise _refuse("not_authenticated")
    found = _visible_idea(voter, idea)
    campaign = found.campaign
    if not campaign.accepts_votes(now):
        raise _refuse("voting_closed")
    with transaction.atomic():
        # The campaign, then the ballot row, as cast_vote does: one lock order for all.
        _hold_campaign_open(campaign)
        ballot = Ballot.objects.select_for_update().filter(campaign=campaign, voter=voter).first()
        deleted, _rows = Vote.objects.filter(voter=voter, idea_id=found.pk).delete()
        if not deleted or ballot is None:
            raise _refuse("not_voted")
        Ballot.objects.filter(pk=ballot.pk).update(used=Greatest(F("used") - 1, Value(0)))
        Idea.objects.filter(pk=found.pk).update(vote_count=Greatest(F("vote_count") - 1, Value(0)))
        count = Idea.objects.filter(pk=found.pk).values_list("vote_count", flat=True).get()
        left = None
        if campaign.votes_per_voter is not None:
            used = Ballot.objects.filter(pk=ballot.pk).values_list("used", flat=True).get()
            left = max(campaign.votes_per_voter - used, 0)
    found.vote_count = count
    return count, left


# --- reads ------------------------------------------------------------------------


def votes_left(*, voter, campaign: Campaign) -> int | None:
    """How many more ideas the voter may support here; None when there is no limit."""
    limit = campaign.votes_per_voter
    if limit is None:
        return None
    if not voter.is_authenticated:
        return limit
    used = Ballot.objects.filter(campaign=campaign, voter=voter).values_list("used", flat=True).first() or 0
    return max(limit - used, 0)


def supported_idea_ids(*, voter, ideas) -> set[int]:
    """Which of these ideas (objects or ids) the voter supports: one query for a whole page."""
    ids = [i if isinstance(i, int) else i.pk for i in ideas]
    if not voter.is_authenticated or not ids:
        return set()
    return set(Vote.objects.filter(voter=voter, idea_id__in=ids).values_list("idea_id", flat=True))


def _supported_and_coauthored(*, voter, ids: list[int]) -> tuple[set[int], set[int]]:
    """Both lookups of a page in one query (a UNION of two small selects)."""
    if not voter.is_authenticated or not ids:
        return set(), set()
    voted = Vote.objects.filter(voter=voter, idea_id__in=ids).annotate(kind=Value("v")).values_list("idea_id", "kind")
    coauthored = (
        Idea.coauthors.through.objects.filter(user_id=voter.pk, idea_id__in=ids)
        .annotate(kind=Value("c"))
        .values_list("idea_id", "kind")
    )
    supported: set[int] = set()
    own: set[int] = set()
    for idea_id, kind in voted.union(coauthored, all=True):
        (supported if kind == "v" else own).add(idea_id)
    return supported, own


@dataclass(frozen=True)
class VoteState:
    """What the vote button of one idea shows to one person."""

    voted: bool
    can_vote: bool  # the "Support" button is offered
    can_withdraw: bool  # the "Withdraw" button is offered
    votes_left: int | None
    counts_hidden: bool
    log_in_to_vote: bool  # a visitor, on an idea open to support during voting
    open: bool  # the campaign accepts votes and the idea is open to support
    own: bool


def vote_states(*, user, ideas, campaign: Campaign | None = None, now=None) -> dict[int, VoteState]:
    """The vote button's state for each idea of a page, with a flat number of
    queries: one for the voter's votes and co-authorships over the whole page,
    one for their ballot when the campaign has a limit, none for a visitor.

    `campaign` is the ideas' campaign when the page knows it (a campaign's
    list), so that ideas need not have it loaded.
    """
    now = now or timezone.now()
    ideas = list(ideas)
    campaigns: dict[int, Campaign] = {}
    for idea in ideas:
        if campaign is not None and idea.campaign_id == campaign.pk:
            campaigns[idea.campaign_id] = campaign
        elif idea.campaign_id not in campaigns:
            campaigns[idea.campaign_id] = idea.campaign
    supported, coauthored = _supported_and_coauthored(voter=user, ids=[i.pk for i in ideas])
    allowed = {pk: may_take_part(user, c) for pk, c in campaigns.items()}
    accepts = {pk: c.accepts_votes(now) for pk, c in campaigns.items()}
    hidden = {pk: idea_selectors.counts_hidden(c) for pk, c in campaigns.items()}
    left = {
        pk: votes_left(voter=user, campaign=c) if user.is_authenticated and allowed[pk] else None
        for pk, c in campaigns.items()
    }
    states = {}
    for idea in ideas:
        cid = idea.campaign_id
        is_open = accepts[cid] and _open_to_support(idea)
        voted = idea.pk in supported
        own = user.is_authenticated and (idea.author_id == user.pk or idea.pk in coauthored)
        remaining = left[cid]
        states[idea.pk] = VoteState(
            voted=voted,
            can_vote=is_open and allowed[cid] and not own and not voted and (remaining is None or remaining > 0),
            can_withdraw=is_open and voted,
            votes_left=remaining if is_open else None,
            counts_hidden=hidden[cid],
            log_in_to_vote=is_open and not user.is_authenticated,
            open=is_open,
            own=own,
        )
    return states
