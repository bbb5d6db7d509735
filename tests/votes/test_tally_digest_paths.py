"""The digest has two paths: computed by PostgreSQL in the tally's one read
statement, hashed in Python from the streamed lines on SQLite (and for the
download). Both must give the same bytes' digest for the same rows."""

import hashlib
import secrets
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from votes import tally
from votes.models import Vote

from .test_tally import cast, cast_many, closed_campaign, idea_in, voters

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the in-database digest is PostgreSQL's")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's path")


def _canonical_bytes(campaign) -> bytes:
    # Byte order of the UTF-8 receipts, independent of any collation.
    lines = sorted(
        (receipt.encode(), idea)
        for receipt, idea in Vote.objects.filter(campaign=campaign).values_list("receipt", "idea_id")
    )
    return b"".join(receipt + f",{idea}\n".encode() for receipt, idea in lines)


def _campaign_with_awkward_receipts():
    """Receipts whose byte order differs from a locale's order (case, punctuation,
    non-ASCII), beside ordinary ones: the published order is byte order."""
    campaign = closed_campaign()
    a, b = idea_in(campaign), idea_in(campaign)
    people = voters(8)
    for person, receipt in zip(people, ["B-2", "a_1", "A 3", "b.4", "é5", "Z6"], strict=False):
        Vote.objects.create(campaign=campaign, idea=a if len(receipt) % 2 else b, voter=person, receipt=receipt)
    cast_many(a, people[6:])
    cast(b, people[6])
    return campaign


@on_postgresql
def test_postgresql_and_python_give_the_same_digest_for_the_same_rows():
    campaign = _campaign_with_awkward_receipts()
    expected = _canonical_bytes(campaign)

    in_database = tally.receipts_digest(campaign.pk)
    in_python = tally.python_receipts_digest(campaign.pk, chunk_size=3)

    assert in_database == in_python == (hashlib.sha256(expected).hexdigest(), expected.count(b"\n"))
    assert b"".join(tally.canonical_chunks(campaign.pk, chunk_size=2)) == expected
    assert tally.tally_campaign(campaign_id=campaign.pk).tally.digest == in_python[0]


@on_postgresql
def test_postgresql_digest_of_many_votes_equals_the_python_digest():
    campaign = closed_campaign()
    ideas = [idea_in(campaign) for _ in range(3)]
    people = voters(300)
    Vote.objects.bulk_create(
        Vote(campaign=campaign, idea=ideas[i % 3], voter=person, receipt=secrets.token_hex(32))
        for i, person in enumerate(people)
    )
    assert tally.receipts_digest(campaign.pk) == tally.python_receipts_digest(campaign.pk)
    assert tally.receipts_digest(campaign.pk)[1] == 300


@on_postgresql
def test_postgresql_digest_of_no_votes_is_the_digest_of_an_empty_list():
    campaign = closed_campaign()
    idea_in(campaign)
    assert tally.receipts_digest(campaign.pk) == (hashlib.sha256(b"").hexdigest(), 0)
    result = tally.tally_campaign(campaign_id=campaign.pk)
    assert (result.tally.digest, result.tally.total_votes, result.tally.ballot_count) == (
        hashlib.sha256(b"").hexdigest(),
        0,
        0,
    )


def _tally_queries(votes: int) -> int:
    campaign = closed_campaign()
    a, b = idea_in(campaign), idea_in(campaign)
    people = voters(votes)
    cast_many(a, people)
    cast_many(b, people[: votes // 2])
    with CaptureQueriesContext(connection) as captured:
        tally.tally_campaign(campaign_id=campaign.pk)
    return len(captured.captured_queries)


@on_postgresql
def test_postgresql_counts_voters_and_hashes_in_the_database_with_as_many_queries_for_any_size():
    campaign = closed_campaign()
    a, b = idea_in(campaign), idea_in(campaign)
    people = voters(3)
    cast_many(a, people)
    cast_many(b, people[:2])
    with mock.patch.object(tally, "python_receipts_digest") as python:
        result = tally.tally_campaign(campaign_id=campaign.pk)
    python.assert_not_called()
    assert [(row.idea_id, row.votes) for row in result.rows] == [(a.pk, 3), (b.pk, 2)]
    assert (result.tally.total_votes, result.tally.ballot_count) == (5, 3)
    assert result.tally.digest == hashlib.sha256(_canonical_bytes(campaign)).hexdigest()
    assert _tally_queries(4) == _tally_queries(40)


@on_postgresql
def test_the_receipt_index_exists_on_postgresql():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Vote._meta.db_table)
    index = constraints["vote_tally_receipts"]
    assert index["index"] and index["columns"][:2] == ["campaign_id", "receipt"]


@on_sqlite
def test_sqlite_uses_the_python_digest():
    campaign = _campaign_with_awkward_receipts()
    digest = tally.receipts_digest(campaign.pk)
    result = tally.tally_campaign(campaign_id=campaign.pk)
    expected = _canonical_bytes(campaign)
    assert digest == tally.python_receipts_digest(campaign.pk) == (hashlib.sha256(expected).hexdigest(), 9)
    assert result.tally.digest == digest[0]


def test_the_returned_rows_are_the_stored_rows():
    campaign = closed_campaign()
    a, b, quiet = idea_in(campaign), idea_in(campaign), idea_in(campaign)
    cast_many(a, voters(2))
    cast(b)
    hidden = idea_in(campaign, hidden=True, hidden_reason="Spam.")
    cast(hidden)

    result = tally.tally_campaign(campaign_id=campaign.pk)

    stored = {
        row.pk: (row.idea_id, row.votes, row.rank, row.hidden)
        for row in tally.TallyRow.objects.filter(campaign=campaign)
    }
    returned = {row.pk: (row.idea_id, row.votes, row.rank, row.hidden) for row in result.rows}
    assert returned == stored
    assert [row.idea_id for row in result.rows] == [a.pk, b.pk, quiet.pk, hidden.pk]
