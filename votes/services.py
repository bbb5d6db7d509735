"""Casting and withdrawing votes, and what a page needs to show the vote button.

The rules of a vote are the table RULES below, in the order a refusal is
named; nothing is stored when one refuses (a DomainError with its code):

- `not_authenticated`: no voter;
- `not_found`: the voter may not see the idea (Idea.objects.visible_to);
- `not_allowed`: the voter is not in the campaign's audience with a verified
  e-mail (an employee's for internal campaigns and the idea box), or the idea
  is not open to support: not listed (hidden, awaiting approval or merged;
  its author and moderators can still see it, everyone else gets `not_found`);
- `voting_closed`: the campaign does not accept votes now: the phase AND the
  clock, so a vote one second after `voting_closes` is refused even if the
  scheduler has not moved the campaign yet (the box always accepts);
- `own_idea`: the voter wrote or co-wrote the idea;
- `already_voted`: the unique constraint `vote_once_per_idea` decides;
- `vote_limit_reached`: the compare-and-swap on the voter's Ballot row
  (`used < votes_per_voter`) changed nothing, and the voter supported the
  idea neither when the vote's statement ran nor just after (else
  `already_voted`: a parallel withdrawal must not make a duplicate look like
  a full ballot).

Each rule says how it is checked before writing (in Python, on the idea and
its campaign read by one query) and how the write checks it again under its
locks (a condition of the write statement), so a change between the two
(a merge, a phase change) turns the vote into the same refusal. The rules
the database decides (once per idea, the limit) have no Python form.

The hot path (an accepted vote on PostgreSQL) is three statements in all:
the token lookup, `_load_for_vote` (the idea and its campaign) and the
write, one statement built from RULES. The visibility query runs only to
name a refusal.

Concurrency. cast_vote takes the voter's Ballot row lock first (the
upsert's CAS), then inserts the vote, then updates the idea's counter: two
parallel votes of one voter in one campaign queue on the ballot row, so the
limit cannot be overrun, and the second of two identical votes meets the
unique constraint. Every lock is taken in the same order (campaign FOR
SHARE, ballot, idea), so voters never deadlock each other, and a phase
change waits for the votes in flight (see _hold_campaign_open), so the
tally never misses a vote that was accepted. The idea's counter update is
itself conditional on the idea still being listed, so a merge or a hide
that commits while a vote waits turns the vote into a refusal.
"""

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, connection, transaction
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


# --- the rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One rule of a vote.

    `holds(voter, idea, now)` checks it before writing, on the idea and its
    campaign (None: only the write can tell). `write_sql` is the condition
    the write checks it by, under the write's locks, with the statement's
    parameters (None: nothing the vote reads can change it meanwhile).
    """

    code: str
    message: str
    holds: Callable | None
    write_sql: str | None


def _listed_sql(table: str) -> str:
    # Idea.is_listed (IdeaQuerySet.listed()) on a row of the ideas table;
    # tests/votes/test_rules.py holds the two forms together.
    return f"{table}.approved AND NOT {table}.hidden AND {table}.status <> %(merged)s"


RULES = {
    "audience": Rule("not_allowed", "not_allowed", lambda voter, idea, now: may_take_part(voter, idea.campaign), None),
    "listed": Rule("not_allowed", "not_open", lambda voter, idea, now: idea.is_listed, _listed_sql("{idea}")),
    "voting": Rule(
        "voting_closed",
        "voting_closed",
        lambda voter, idea, now: idea.campaign.accepts_votes(now),
        # The phase it was checked in, held until the vote commits (see _hold_campaign_open).
        "{campaign_held}",
    ),
    "own": Rule(
        "own_idea",
        "own_idea",
        lambda voter, idea, now: idea.author_id != voter.pk,
        # Co-authors are the write's to check: one query fewer before it.
        "NOT EXISTS (SELECT 1 FROM {coauthors} WHERE idea_id = %(idea)s AND user_id = %(voter)s)",
    ),
    "once": Rule(
        "already_voted",
        "already_voted",
        None,
        # Read first, so that a repeated vote writes nothing; the unique
        # constraint decides when two identical votes race.
        "NOT EXISTS (SELECT 1 FROM {vote} WHERE voter_id = %(voter)s AND idea_id = %(idea)s)",
    ),
    "limit": Rule("vote_limit_reached", "vote_limit_reached", None, None),  # the ballot's compare-and-swap
}


def _refusal(rule: str) -> DomainError:
    return _refuse(RULES[rule].code, RULES[rule].message)


def _broken_rule(*, voter, idea: Idea, now) -> str | None:
    """The first rule that refuses this vote before writing, or None."""
    for name, rule in RULES.items():
        if rule.holds is not None and not rule.holds(voter, idea, now):
            return name
    return None


def _visible_idea(voter, idea: Idea | int) -> Idea:
    """The idea as the voter may see it, fresh from the database."""
    pk = idea if isinstance(idea, int) else idea.pk
    found = Idea.objects.visible_to(voter).select_related("campaign").filter(pk=pk).first()
    if found is None:
        raise DomainError("not_found")
    return found


def check_may_vote(*, voter, idea: Idea | int, now=None) -> Idea:
    """Raise what cast_vote would refuse before writing (all but the
    duplicate and the limit, which the database decides). Returns the idea,
    partially loaded (what the rules read): reload it for anything else.

    Passing every rule implies the voter may see the idea (a campaign that
    accepts votes is out of draft, a voter who may take part is in its
    audience, a listed idea is neither hidden nor awaiting approval), so the
    visibility query runs only to tell `not_found` from another refusal.
    """
    now = now or timezone.now()
    if not voter.is_authenticated:
        raise _refuse("not_authenticated")
    pk = idea if isinstance(idea, int) else idea.pk
    found = _load_for_vote(pk)
    broken = "missing" if found is None else _broken_rule(voter=voter, idea=found, now=now)
    if broken is None:
        return found
    _visible_idea(voter, pk)  # `not_found` first
    raise _refusal(broken)


def _in_model_order(model, names: set[str]) -> tuple[str, ...]:
    # Model.from_db takes the values in the order of the model's fields.
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in names)


# What the rules need of an idea and its campaign.
_IDEA_FIELDS = _in_model_order(Idea, {"id", "campaign_id", "author_id", "approved", "hidden", "status", "vote_count"})
_CAMPAIGN_FIELDS = _in_model_order(
    Campaign, {"id", "kind", "phase", "audience", "voting_closes", "votes_per_voter", "hide_counts_while_voting"}
)


@functools.cache
def _load_sql() -> str:
    quote = connection.ops.quote_name
    columns = [f"i.{quote(name)}" for name in _IDEA_FIELDS] + [f"c.{quote(name)}" for name in _CAMPAIGN_FIELDS]
    return (
        f"SELECT {', '.join(columns)} FROM {quote(Idea._meta.db_table)} i "
        f"JOIN {quote(Campaign._meta.db_table)} c ON c.id = i.campaign_id WHERE i.id = %s"
    )


def _load_for_vote(pk: int) -> Idea | None:
    """The idea and its campaign with just what the rules and the answer read.

    One plain query: on the hottest path of the site the ORM spent about
    0.8 ms building this one (45 columns, two model instances). The objects
    are partial: use them for the vote, reload them for anything else. On
    PostgreSQL only: the driver returns values as the fields hold them
    (aware datetimes), where SQLite's need Django's converters.
    """
    if connection.vendor != "postgresql":
        return Idea.objects.select_related("campaign").filter(pk=pk).first()
    with connection.cursor() as cursor:
        cursor.execute(_load_sql(), [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    idea_values, campaign_values = row[: len(_IDEA_FIELDS)], row[len(_IDEA_FIELDS) :]
    campaign = Campaign.from_db(connection.alias, _CAMPAIGN_FIELDS, campaign_values)
    idea = Idea.from_db(connection.alias, _IDEA_FIELDS, idea_values)
    idea.campaign = campaign
    return idea


# --- the write ------------------------------------------------------------------------


def cast_vote(*, voter, idea: Idea | int, now=None) -> tuple[Vote, int, int | None]:
    """Support an idea. Returns (the vote, the idea's new count, the votes the
    voter has left in the campaign or None when there is no limit).

    `idea` may be an Idea or its id: it is reloaded from the database, so a
    stale or unchecked object is safe.
    """
    now = now or timezone.now()
    found = check_may_vote(voter=voter, idea=idea, now=now)
    receipt = new_receipt(campaign_id=found.campaign_id, idea_id=found.pk)
    if connection.vendor == "postgresql":
        vote_id, count, used = _write_vote_postgresql(voter=voter, idea=found, receipt=receipt, now=now)
    else:
        with transaction.atomic():
            vote_id, count, used = _write_vote(voter=voter, idea=found, receipt=receipt, now=now)
    limit = found.campaign.votes_per_voter
    left = None if limit is None else max(limit - used, 0)
    vote = Vote(pk=vote_id, campaign=found.campaign, idea=found, voter=voter, receipt=receipt, created_at=now)
    found.vote_count = count
    return vote, count, left


def _limit_refusal(*, voter, idea: Idea) -> DomainError:
    # Only on the refusal path: a second vote for the same idea when the
    # ballot is full is a duplicate first.
    if Vote.objects.filter(voter=voter, idea_id=idea.pk).exists():
        return _refusal("once")
    return _refusal("limit")


# The whole write in one statement, in the lock order every writer follows
# (campaign FOR SHARE, ballot, vote, idea): a step per rule the write checks
# (RULES' `write_sql`, in their order), then spend a vote of the ballot
# (created on the first vote; the `used < limit` guard is re-checked on the
# latest row when two votes of one voter race), insert the vote unless it
# exists, and count it on the idea if the idea is still listed. Any step
# that writes nothing leaves the later ones nothing to do, and the last
# column names the first step that stopped, by its rule: the refusal is
# named by what the statement saw itself (issue 9, item 12: read again
# afterwards, a withdrawal committed meanwhile would make a duplicate look
# like a full ballot). When the ballot was spent but the vote was then not
# counted (an identical vote committed meanwhile, or the idea merged or
# hidden meanwhile), the statement raises vote_undone(rule) (migration
# 0005: SQLSTATE IB001, the rule in the hint), so it fails as a whole and
# the spent ballot is not kept. Being all or nothing by itself, it needs no
# BEGIN and COMMIT around it (measured: a transaction around it cost about
# 0.3 ms more per vote, a third of the statement). One case needs a second
# look: a full ballot with no vote on this idea in the statement's snapshot
# may have been filled by a parallel identical vote committed after the
# snapshot was taken (the ballot is re-read at its latest when its lock is
# released, the snapshot is not), so `limit` is checked against the vote
# rows as they are now (_limit_refusal).
_WRITE_SQL = """
    spent AS (
        INSERT INTO {ballot} (campaign_id, voter_id, used)
        SELECT %(campaign)s, %(voter)s, 1 FROM {last_guard}
        ON CONFLICT (campaign_id, voter_id) DO UPDATE SET used = {ballot}.used + 1
        WHERE %(limit)s::integer IS NULL OR {ballot}.used < %(limit)s::integer
        RETURNING used
    ),
    inserted AS (
        INSERT INTO {vote} (campaign_id, idea_id, voter_id, receipt, created_at)
        SELECT %(campaign)s, %(idea)s, %(voter)s, %(receipt)s, %(now)s FROM spent
        ON CONFLICT (voter_id, idea_id) DO NOTHING
        RETURNING id
    ),
    counted AS (
        UPDATE {idea} SET vote_count = vote_count + 1
        WHERE id = %(idea)s AND {listed} AND EXISTS (SELECT 1 FROM inserted)
        RETURNING vote_count
    )
SELECT (SELECT used FROM spent), (SELECT id FROM inserted), (SELECT vote_count FROM counted),
    CASE
        WHEN EXISTS (SELECT 1 FROM counted) THEN NULL
        {guard_refusals}
        WHEN NOT EXISTS (SELECT 1 FROM spent) THEN 'limit'
        ELSE vote_undone(CASE WHEN EXISTS (SELECT 1 FROM inserted) THEN 'listed' ELSE 'once' END)
    END
"""

# The steps that only read: every rule with a write_sql, but `listed`,
# which the counter's update checks on the idea's row as it locks it.
_GUARDS = tuple(name for name, rule in RULES.items() if rule.write_sql and name != "listed")


def _write_names(*, box: bool) -> dict[str, str]:
    quote = connection.ops.quote_name
    campaign_held = (
        "TRUE"
        if box  # the box never changes phase: its hot row is left alone
        else f"EXISTS (SELECT 1 FROM {quote(Campaign._meta.db_table)} WHERE id = %(campaign)s "
        f"AND phase = %(phase)s{' FOR SHARE' if connection.vendor == 'postgresql' else ''})"
    )
    return {
        "campaign_held": campaign_held,
        "coauthors": quote(Idea.coauthors.through._meta.db_table),
        "ballot": quote(Ballot._meta.db_table),
        "vote": quote(Vote._meta.db_table),
        "idea": quote(Idea._meta.db_table),
    }


@functools.cache
def _write_sql(*, box: bool) -> str:
    names = _write_names(box=box)
    steps, previous = [], None
    for name in _GUARDS:
        condition = RULES[name].write_sql.format(**names)
        source = f" FROM {previous}" if previous else ""
        steps.append(f"{name} AS (SELECT 1{source} WHERE {condition})")
        previous = name
    refusals = " ".join(f"WHEN NOT EXISTS (SELECT 1 FROM {name}) THEN '{name}'" for name in _GUARDS)
    return (
        "WITH "
        + ",\n    ".join(steps)
        + ","
        + _WRITE_SQL.format(
            last_guard=previous, listed=RULES["listed"].write_sql.format(**names), guard_refusals=refusals, **names
        )
    )


def _write_params(*, voter, idea: Idea, receipt: str = "", now=None) -> dict:
    campaign = idea.campaign
    return {
        "campaign": campaign.pk,
        "phase": campaign.phase,
        "idea": idea.pk,
        "voter": voter.pk,
        "limit": campaign.votes_per_voter,
        "receipt": receipt,
        "now": now,
        "merged": Status.MERGED.value,
    }


VOTE_UNDONE = "IB001"  # the SQLSTATE of vote_undone(rule), migration 0005


def _write_vote_postgresql(*, voter, idea: Idea, receipt: str, now) -> tuple[int, int, int]:
    # Inside a caller's transaction (a test, a command), a savepoint keeps a
    # refusal raised by the statement from aborting the caller's work.
    own = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with own, connection.cursor() as cursor:
            cursor.execute(
                _write_sql(box=idea.campaign.is_box), _write_params(voter=voter, idea=idea, receipt=receipt, now=now)
            )
            used, vote_id, count, stopped = cursor.fetchone()
    except DatabaseError as error:
        cause = error.__cause__
        if getattr(cause, "sqlstate", None) != VOTE_UNDONE:
            raise
        raise _refusal(cause.diag.message_hint) from None
    if stopped == "limit":
        raise _limit_refusal(voter=voter, idea=idea)
    if stopped is not None:
        raise _refusal(stopped)
    return vote_id, count, used


@functools.cache
def _guards_sql(*, box: bool) -> str:
    names = _write_names(box=box)
    cases = " ".join(f"WHEN NOT ({RULES[name].write_sql.format(**names)}) THEN '{name}'" for name in _GUARDS)
    return f"SELECT CASE {cases} END"


def _write_vote(*, voter, idea: Idea, receipt: str, now) -> tuple[int, int, int]:
    """The same write, step by step (SQLite serialises writing transactions,
    so its steps cannot interleave with another's; it has no writing CTE)."""
    campaign = idea.campaign
    with connection.cursor() as cursor:
        cursor.execute(_guards_sql(box=campaign.is_box), _write_params(voter=voter, idea=idea))
        (stopped,) = cursor.fetchone()
    if stopped is not None:
        raise _refusal(stopped)
    ballot, _created = Ballot.objects.get_or_create(campaign=campaign, voter=voter)
    spend = Ballot.objects.filter(pk=ballot.pk)
    if campaign.votes_per_voter is not None:
        spend = spend.filter(used__lt=campaign.votes_per_voter)
    if not spend.update(used=F("used") + 1):
        raise _limit_refusal(voter=voter, idea=idea)
    try:
        with transaction.atomic():
            vote = Vote.objects.create(campaign=campaign, idea=idea, voter=voter, receipt=receipt, created_at=now)
    except IntegrityError as error:
        raise _refusal("once") from error
    if not Idea.objects.listed().filter(pk=idea.pk).update(vote_count=F("vote_count") + 1):
        raise _refusal("listed")
    count = Idea.objects.filter(pk=idea.pk).values_list("vote_count", flat=True).get()
    used = Ballot.objects.filter(pk=ballot.pk).values_list("used", flat=True).get()
    return vote.pk, count, used


def _hold_campaign_open(campaign: Campaign) -> None:
    """Inside a withdrawal's transaction: the `voting` rule as the vote's
    write checks it. The campaign is still in the phase it was checked in,
    and stays there until this transaction ends.

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
    held = RULES["voting"].write_sql.format(**_write_names(box=False))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {held}", {"campaign": campaign.pk, "phase": campaign.phase})
        (still_open,) = cursor.fetchone()
    if not still_open:
        raise _refusal("voting")


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
    no_votes_left: bool  # the voter could support it but has no votes left: "Support" shown disabled
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
        is_open = accepts[cid] and idea.is_listed
        voted = idea.pk in supported
        own = user.is_authenticated and (idea.author_id == user.pk or idea.pk in coauthored)
        remaining = left[cid]
        supportable = is_open and allowed[cid] and not own and not voted
        states[idea.pk] = VoteState(
            voted=voted,
            can_vote=supportable and (remaining is None or remaining > 0),
            no_votes_left=supportable and remaining == 0,
            can_withdraw=is_open and voted,
            votes_left=remaining if is_open else None,
            counts_hidden=hidden[cid],
            log_in_to_vote=is_open and not user.is_authenticated,
            open=is_open,
            own=own,
        )
    return states
