"""The tally: a campaign's votes counted from the rows when it leaves voting,
the shortlist it hands to the jury, the published receipt list and its
digest, and the reconciliation of the live counters.

The live `Idea.vote_count` is a convenience for list pages, kept in the
vote's own transaction; the tally never reads it. It counts the Vote rows,
and `reconcile_vote_counts` puts the counters back in line with the rows.

The published receipt list is one line `<receipt>,<idea id>\\n` per vote,
sorted by receipt (votes/verify.py reads and checks it). It is produced
from the rows each time, by `canonical_chunks`, both to compute the digest
stored with the tally and to serve the download, so the two cannot drift.
On PostgreSQL the tally's digest is computed by the database from the same
lines in the same order (`_POSTGRES_DIGEST`), in the one statement that also
counts; a test holds it equal to the Python digest of `canonical_chunks`.
"""

import datetime
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import CharField, Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Collate, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Phase
from ideabox.exceptions import DomainError
from ideas.models import Idea, Status
from ideas.services import move_statuses

from .models import Tally, TallyRow, Vote

log = logging.getLogger(__name__)

# A campaign is tallied once its vote has closed: from deliberation on.
TALLIED_PHASES = (Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED)

# Rows fetched per round trip while streaming the receipt list: large enough
# that the per-fetch cost vanishes, small enough to stay a few hundred kB.
CHUNK_SIZE = 10000
ROWS_BATCH_SIZE = 2000


class VotesChanged(Exception):
    """The vote rows changed while the tally read them (a merge moved votes
    between the count and the receipt list). Nothing was stored; running
    the tally again counts the new state."""


@dataclass(frozen=True)
class TallyResult:
    tally: Tally
    rows: list[TallyRow]  # ranked first (by rank), then the ideas reported apart (by id)
    shortlisted: list[int]  # the ideas this run moved to "shortlisted"


@dataclass(frozen=True)
class Drift:
    idea_id: int
    was: int
    now: int


# --- the receipt list --------------------------------------------------------------


def receipt_lines(campaign_id: int):
    """Every vote of the campaign as its published line, in the published order.

    The database writes the lines (`<receipt>,<idea id>\\n`, as
    verify.canonical_line does) and sorts them by receipt in byte order:
    COLLATE "C" on PostgreSQL, whatever the database's collation (and
    faster than a locale's order), SQLite's default elsewhere. Python only
    joins and hashes: at a million votes, per-row work in Python is most of
    the tally's time.
    """
    order = Collate("receipt", "C") if connection.vendor == "postgresql" else F("receipt")
    return (
        Vote.objects.filter(campaign_id=campaign_id)
        .annotate(
            line=Concat("receipt", Value(","), Cast("idea_id", CharField()), Value("\n"), output_field=CharField())
        )
        .order_by(order)
        .values_list("line", flat=True)
    )


def _chunks(campaign_id: int, chunk_size: int) -> Iterator[tuple[bytes, int]]:
    batch: list[str] = []
    for line in receipt_lines(campaign_id).iterator(chunk_size=chunk_size):
        batch.append(line)
        if len(batch) >= chunk_size:
            yield "".join(batch).encode(), len(batch)
            batch = []
    if batch:
        yield "".join(batch).encode(), len(batch)


def canonical_chunks(campaign_id: int, *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The published receipt list, streamed from the rows in pieces of bytes."""
    for data, _count in _chunks(campaign_id, chunk_size):
        yield data


def python_receipts_digest(campaign_id: int, *, chunk_size: int = CHUNK_SIZE) -> tuple[str, int]:
    """SHA-256 (hex) of the receipt list hashed in Python from the streamed
    lines, and how many lines it has: the digest on SQLite."""
    sha = hashlib.sha256()
    lines = 0
    for data, count in _chunks(campaign_id, chunk_size):
        sha.update(data)
        lines += count
    return sha.hexdigest(), lines


# The digest on PostgreSQL: the database writes the lines, joins them in
# receipt byte order and hashes them; nothing but 64 characters leaves it.
# The ordered read is an index-only scan of vote_tally_receipts
# (campaign_id, receipt COLLATE "C") INCLUDE (idea_id), migration 0003. The
# subquery's ORDER BY feeds the aggregate in that order: an ORDER BY inside
# string_agg would sort the million rows again on PostgreSQL 15 (16 can use
# the index for it). convert_to(..., 'UTF8') hashes the bytes Python's
# str.encode() gives, whatever the database's encoding.
#
# The joined text lives in the database backend while it is hashed: the
# string grows by doubling, then is copied once, so about 2.2x the list's
# size (measured: some 215 MB of backend memory for a million votes, a
# 69 MB list), released by PostgreSQL when the statement ends, though the
# backend process was seen to keep those pages resident until its
# connection closed. PostgreSQL caps a text at 1 GB: some 14 million votes
# in one campaign.
# tests/votes/test_tally_digest_paths.py checks it equals the Python digest.
_POSTGRES_DIGEST = """
    SELECT encode(sha256(convert_to(COALESCE(string_agg(line, ''), ''), 'UTF8')), 'hex') AS digest,
           count(*) AS lines
    FROM (
        SELECT receipt || ',' || idea_id::text || E'\\n' AS line
        FROM votes_vote WHERE campaign_id = %(campaign)s
        ORDER BY receipt COLLATE "C"
    ) AS ordered
"""

# The whole read of the tally on PostgreSQL, in one statement, so one
# snapshot: the counts, the voters and the digest see the same rows. The
# votes per idea come back as two arrays (one row whatever the size); the
# counts are aggregates the planner may run in parallel.
_POSTGRES_READ = f"""
WITH receipts AS ({_POSTGRES_DIGEST}
), per_idea AS (
    SELECT COALESCE(array_agg(idea_id), '{{}}') AS ideas, COALESCE(array_agg(n), '{{}}') AS votes
    FROM (SELECT idea_id, count(*) AS n FROM votes_vote WHERE campaign_id = %(campaign)s GROUP BY idea_id) AS counted
), voters AS (
    SELECT count(*) AS voters
    FROM (SELECT voter_id FROM votes_vote WHERE campaign_id = %(campaign)s GROUP BY voter_id) AS distinct_voters
)
SELECT digest, lines, voters, ideas, votes FROM receipts, per_idea, voters
"""


@dataclass(frozen=True)
class _Read:
    counts: dict[int, int]
    voters: int
    digest: str
    lines: int


def _postgres_read(campaign_id: int) -> _Read:
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRES_READ, {"campaign": campaign_id})
        digest, lines, voters, ideas, votes = cursor.fetchone()
    return _Read(counts=dict(zip(ideas, votes, strict=True)), voters=voters, digest=digest, lines=lines)


def receipts_digest(campaign_id: int, *, chunk_size: int = CHUNK_SIZE) -> tuple[str, int]:
    """SHA-256 (hex) of the receipt list, and how many lines it has:
    computed by the database on PostgreSQL, in Python elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_POSTGRES_DIGEST, {"campaign": campaign_id})
            digest, lines = cursor.fetchone()
        return digest, lines
    return python_receipts_digest(campaign_id, chunk_size=chunk_size)


def _read(campaign_id: int) -> _Read:
    """What the tally reads from the vote rows: votes per idea, voters, digest."""
    if connection.vendor == "postgresql":
        return _postgres_read(campaign_id)
    counts: dict[int, int] = dict(
        Vote.objects.filter(campaign_id=campaign_id)
        .order_by()
        .values_list("idea_id")
        .annotate(n=Count("*"))
        .values_list("idea_id", "n")
    )
    digest, lines = receipts_digest(campaign_id)
    voters = Vote.objects.filter(campaign_id=campaign_id).values("voter_id").distinct().count()
    return _Read(counts=counts, voters=voters, digest=digest, lines=lines)


# --- the tally ---------------------------------------------------------------------


def tally_campaign(*, campaign_id: int, now: datetime.datetime | None = None) -> TallyResult:
    """Count a closed campaign's votes from the rows, rank, store, shortlist.

    Ranking: more votes first, then the earlier submission, then the lower
    id. Every listed idea gets a row, with zero votes too; votes on ideas out
    of the ranking (hidden, or merged or unapproved should votes remain on
    one) are stored apart, unranked. The top `shortlist_size` ranked ideas
    that are `published` become `shortlisted`.

    Idempotent: the previous tally is replaced in the same transaction, so a
    second run, or a run after one that crashed half-way, stores the same
    rows and digest. Refused with `invalid_transition` while the campaign has
    not left voting (and for the idea box, which never closes).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One tally at a time per campaign: a second run waits, then replaces.
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise DomainError("not_found")
        if campaign.is_box or campaign.phase not in TALLIED_PHASES:
            raise DomainError(
                "invalid_transition",
                _("This campaign's vote has not closed: it is tallied when it leaves the voting phase."),
            )

        read = _read(campaign_id)
        counts = read.counts
        ideas = {
            idea["pk"]: idea
            for idea in Idea.objects.filter(campaign_id=campaign_id).order_by().values("pk", "created_at")
        }
        # Lists, rankings and the shortlist leave out what is not listed
        # (hidden, unapproved, merged).
        listed = set(Idea.objects.listed().filter(campaign_id=campaign_id).values_list("pk", flat=True))
        strays = counts.keys() - ideas.keys()
        if strays:
            # Votes recorded under this campaign for an idea of another one:
            # they are in the published list, so they are reported (apart).
            log.error("campaign %s: votes on ideas of other campaigns: %s", campaign_id, sorted(strays))
            for idea in Idea.objects.filter(pk__in=strays).values("pk", "created_at"):
                ideas[idea["pk"]] = idea

        ranked = sorted(
            (idea for idea in ideas.values() if idea["pk"] in listed),
            key=lambda idea: (-counts.get(idea["pk"], 0), idea["created_at"], idea["pk"]),
        )
        apart = sorted(pk for pk in ideas if pk not in listed and counts.get(pk, 0) > 0)
        rows = [
            TallyRow(campaign_id=campaign_id, idea_id=idea["pk"], votes=counts.get(idea["pk"], 0), rank=position)
            for position, idea in enumerate(ranked, start=1)
        ]
        rows += [
            TallyRow(campaign_id=campaign_id, idea_id=pk, votes=counts[pk], rank=None, hidden=True) for pk in apart
        ]
        total = sum(counts.values())

        digest, voters = read.digest, read.voters
        if read.lines != total:
            raise VotesChanged(f"campaign {campaign_id}: {total} votes counted, {read.lines} receipts listed")

        TallyRow.objects.filter(campaign_id=campaign_id).delete()
        _store_rows(campaign_id, rows)
        tally, _created = Tally.objects.update_or_create(
            campaign_id=campaign_id,
            defaults={"computed_at": now, "total_votes": total, "ballot_count": voters, "digest": digest},
        )
        top = [idea["pk"] for idea in ranked[: campaign.shortlist_size]]
        shortlisted = _shortlist(idea_ids=top, now=now)

    log.info(
        "campaign %s tallied: %s votes by %s voters on %s ranked ideas (%s apart), %s newly shortlisted, digest %s",
        campaign_id,
        total,
        voters,
        len(ranked),
        len(apart),
        len(shortlisted),
        digest,
    )
    return TallyResult(tally=tally, rows=rows, shortlisted=shortlisted)


def _store_rows(campaign_id: int, rows: list[TallyRow]) -> None:
    """Insert the tally's rows. On PostgreSQL in one statement from four
    arrays (Django's bulk_create prepares each of the 50,000 values of a
    10,000-idea campaign one by one in Python); elsewhere by bulk_create."""
    if connection.vendor != "postgresql" or not rows:
        TallyRow.objects.bulk_create(rows, batch_size=ROWS_BATCH_SIZE)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TallyRow._meta.db_table} (campaign_id, idea_id, votes, rank, hidden) "
            "SELECT %s, r.idea_id, r.votes, r.rank, r.hidden FROM unnest(%s::bigint[], %s::integer[], %s::integer[], %s::boolean[]) "
            "WITH ORDINALITY AS r(idea_id, votes, rank, hidden, position) ORDER BY position RETURNING id",
            [
                campaign_id,
                [row.idea_id for row in rows],
                [row.votes for row in rows],
                [row.rank for row in rows],
                [row.hidden for row in rows],
            ],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = row.id = pk
        row._state.adding = False


def _shortlist(*, idea_ids: list[int], now: datetime.datetime) -> list[int]:
    """published -> shortlisted (ideas.services.move_statuses): an idea
    already moved (by an earlier run, or on to an award) is left as it is."""
    return move_statuses(
        ideas=Idea.objects.filter(pk__in=idea_ids, status=Status.PUBLISHED), to=Status.SHORTLISTED, now=now
    )


# --- reading the stored tally -----------------------------------------------------------


def stored_tally(campaign: Campaign) -> Tally | None:
    return Tally.objects.filter(campaign=campaign).first()


def tally_rows(campaign: Campaign):
    """The stored rows, ranked first, with their ideas preloaded."""
    return (
        TallyRow.objects.filter(campaign=campaign)
        .select_related("idea")
        .order_by(F("rank").asc(nulls_last=True), "idea_id")
    )


# --- the live counters ---------------------------------------------------------------------


def reconcile_vote_counts() -> list[Drift]:
    """Put every idea's live `vote_count` back in line with its Vote rows.

    One aggregate query finds the ideas whose counter differs from their
    rows; each is corrected by a compare-and-swap UPDATE that recounts the
    rows in the same statement, so a vote committed meanwhile (which moves
    the counter too) is never overwritten: that idea is left to the next
    run. Returns what was corrected.
    """
    drifted = list(
        Idea.objects.order_by()
        .values("pk", "vote_count")
        .annotate(counted=Count("votes"))
        .exclude(vote_count=F("counted"))
        .values_list("pk", "vote_count", "counted")
    )
    rows_now = Subquery(
        Vote.objects.filter(idea_id=OuterRef("pk")).order_by().values("idea_id").annotate(n=Count("*")).values("n")
    )
    corrected = []
    for idea_id, was, counted in drifted:
        changed = Idea.objects.filter(pk=idea_id, vote_count=was).update(vote_count=Coalesce(rows_now, Value(0)))
        if changed:
            now = Idea.objects.filter(pk=idea_id).values_list("vote_count", flat=True).first()
            corrected.append(Drift(idea_id=idea_id, was=was, now=now))
            log.warning("idea %s: vote_count was %s, its rows counted %s; corrected to %s", idea_id, was, counted, now)
    return corrected
