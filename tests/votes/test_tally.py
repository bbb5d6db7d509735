"""The tally: counted from the rows, ranked with a deterministic tie-break,
stored idempotently, shortlisting the top N; its task, the hand-over when a
campaign leaves voting, and `manage.py tally`."""

import datetime
import hashlib
import secrets
from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

import pytest

from accounts.models import User
from campaigns import services as campaign_services
from campaigns.models import Phase
from ideabox.exceptions import DomainError
from ideas.models import Idea, Status, StatusChange
from tests.factories import CampaignFactory, IdeaFactory, the_box
from votes import tally, tasks
from votes.models import Tally, TallyRow, Vote

pytestmark = pytest.mark.django_db

T0 = timezone.now() - datetime.timedelta(days=30)


# --- helpers shared by the other tally test files ------------------------------------


def voters(n: int) -> list[User]:
    """n plain accounts, cheaply (voters need no e-mail for the tally)."""
    start = User.objects.count()
    return User.objects.bulk_create([User(username=f"voter-{start + i}-{secrets.token_hex(3)}") for i in range(n)])


def cast(idea: Idea, voter: User | None = None, *, count: bool = True) -> Vote:
    """A vote row as the vote service leaves it (and the idea's counter, unless count=False)."""
    voter = voter or voters(1)[0]
    vote = Vote.objects.create(campaign_id=idea.campaign_id, idea=idea, voter=voter, receipt=secrets.token_hex(32))
    if count:
        Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") + 1)
    return vote


def cast_many(idea: Idea, people: list[User]) -> list[Vote]:
    return [cast(idea, person) for person in people]


def closed_campaign(**kwargs):
    kwargs.setdefault("phase", Phase.DELIBERATION)
    return CampaignFactory(**kwargs)


def idea_in(campaign, *, at: datetime.datetime | None = None, **kwargs) -> Idea:
    return IdeaFactory(campaign=campaign, created_at=at or T0, **kwargs)


def stored(campaign) -> list[tuple[int, int, int | None, bool]]:
    return list(
        TallyRow.objects.filter(campaign=campaign).order_by("idea_id").values_list("idea_id", "votes", "rank", "hidden")
    )


def ranking(campaign) -> list[int]:
    return list(
        TallyRow.objects.filter(campaign=campaign, hidden=False).order_by("rank").values_list("idea_id", flat=True)
    )


def canonical(campaign) -> bytes:
    lines = sorted(Vote.objects.filter(campaign=campaign).values_list("receipt", "idea_id"))
    return "".join(f"{receipt},{idea}\n" for receipt, idea in lines).encode()


# --- counting and ranking --------------------------------------------------------------


def test_it_counts_the_rows_not_the_counters():
    campaign = closed_campaign()
    idea = idea_in(campaign)
    cast_many(idea, voters(3))
    Idea.objects.filter(pk=idea.pk).update(vote_count=99)

    result = tally.tally_campaign(campaign_id=campaign.pk)

    assert stored(campaign) == [(idea.pk, 3, 1, False)]
    assert result.tally.total_votes == 3
    assert result.tally.ballot_count == 3


def test_more_votes_rank_first_and_the_ballot_count_counts_voters_once():
    campaign = closed_campaign()
    low, high = idea_in(campaign), idea_in(campaign)
    people = voters(3)
    cast_many(high, people)
    cast(low, people[0])

    result = tally.tally_campaign(campaign_id=campaign.pk)

    assert ranking(campaign) == [high.pk, low.pk]
    assert result.tally.total_votes == 4
    assert result.tally.ballot_count == 3


def test_equal_votes_rank_the_earlier_submission_first():
    campaign = closed_campaign()
    later = idea_in(campaign, at=T0 + datetime.timedelta(hours=1))
    earlier = idea_in(campaign, at=T0)
    cast(later)
    cast(earlier)

    tally.tally_campaign(campaign_id=campaign.pk)

    assert ranking(campaign) == [earlier.pk, later.pk]


def test_equal_votes_and_submission_time_rank_the_lower_id_first():
    campaign = closed_campaign()
    first, second = idea_in(campaign, at=T0), idea_in(campaign, at=T0)
    cast(second)
    cast(first)

    tally.tally_campaign(campaign_id=campaign.pk)

    assert ranking(campaign) == [first.pk, second.pk]


def test_ideas_without_votes_are_ranked_after_the_others():
    campaign = closed_campaign()
    quiet_old = idea_in(campaign, at=T0)
    supported = idea_in(campaign, at=T0 + datetime.timedelta(hours=2))
    quiet_new = idea_in(campaign, at=T0 + datetime.timedelta(hours=1))
    cast(supported)

    tally.tally_campaign(campaign_id=campaign.pk)

    assert ranking(campaign) == [supported.pk, quiet_old.pk, quiet_new.pk]
    assert TallyRow.objects.get(idea=quiet_old).votes == 0


def test_a_hidden_ideas_votes_are_reported_apart_unranked_and_not_shortlisted():
    campaign = closed_campaign(shortlist_size=5)
    shown = idea_in(campaign)
    hidden = idea_in(campaign)
    cast_many(hidden, voters(4))
    cast(shown)
    Idea.objects.filter(pk=hidden.pk).update(hidden=True, hidden_reason="Off topic.")
    hidden_quiet = idea_in(campaign, hidden=True, hidden_reason="Spam.")

    result = tally.tally_campaign(campaign_id=campaign.pk)

    assert stored(campaign) == [(shown.pk, 1, 1, False), (hidden.pk, 4, None, True)]
    assert result.tally.total_votes == 5  # the hidden idea's votes are in the total and the list
    hidden.refresh_from_db()
    assert hidden.status == Status.PUBLISHED
    assert hidden_quiet.pk not in {row.idea_id for row in result.rows}


def test_unapproved_and_merged_ideas_are_not_ranked():
    campaign = closed_campaign()
    listed = idea_in(campaign)
    idea_in(campaign, approved=False)
    idea_in(campaign, status=Status.MERGED, merged_into=listed)

    tally.tally_campaign(campaign_id=campaign.pk)

    assert stored(campaign) == [(listed.pk, 0, 1, False)]


def test_votes_of_another_campaign_are_not_counted():
    campaign, other = closed_campaign(), closed_campaign()
    mine, theirs = idea_in(campaign), idea_in(other)
    cast(mine)
    cast_many(theirs, voters(2))

    result = tally.tally_campaign(campaign_id=campaign.pk)

    assert stored(campaign) == [(mine.pk, 1, 1, False)]
    assert result.tally.total_votes == 1


# --- the shortlist ---------------------------------------------------------------------


def test_it_shortlists_the_top_n_published_ideas_and_records_the_change():
    campaign = closed_campaign(shortlist_size=2)
    ideas = [idea_in(campaign, at=T0 + datetime.timedelta(minutes=i)) for i in range(4)]
    people = voters(3)
    cast_many(ideas[2], people)
    cast_many(ideas[0], people[:2])
    cast(ideas[3], people[0])

    result = tally.tally_campaign(campaign_id=campaign.pk)

    assert sorted(result.shortlisted) == sorted([ideas[2].pk, ideas[0].pk])
    statuses = dict(Idea.objects.filter(campaign=campaign).values_list("pk", "status"))
    assert statuses == {
        ideas[0].pk: Status.SHORTLISTED,
        ideas[1].pk: Status.PUBLISHED,
        ideas[2].pk: Status.SHORTLISTED,
        ideas[3].pk: Status.PUBLISHED,
    }
    changes = StatusChange.objects.filter(idea__campaign=campaign)
    assert sorted(changes.values_list("idea_id", "from_status", "to_status")) == sorted(
        [(ideas[0].pk, Status.PUBLISHED, Status.SHORTLISTED), (ideas[2].pk, Status.PUBLISHED, Status.SHORTLISTED)]
    )


def test_the_shortlist_defaults_to_ten():
    campaign = closed_campaign()
    for minute in range(12):
        idea_in(campaign, at=T0 + datetime.timedelta(minutes=minute))

    result = tally.tally_campaign(campaign_id=campaign.pk)

    assert len(result.shortlisted) == 10
    assert Idea.objects.filter(campaign=campaign, status=Status.SHORTLISTED).count() == 10


def test_shortlisting_again_changes_nothing_more(django_capture_on_commit_callbacks):
    campaign = closed_campaign(shortlist_size=1)
    idea = idea_in(campaign)
    cast(idea)
    tally.tally_campaign(campaign_id=campaign.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        again = tally.tally_campaign(campaign_id=campaign.pk)

    assert again.shortlisted == []
    assert callbacks == []  # nobody is told twice
    assert StatusChange.objects.filter(idea=idea).count() == 1


def test_shortlisted_authors_are_told_after_commit(django_capture_on_commit_callbacks):
    campaign = closed_campaign(shortlist_size=1)
    idea = idea_in(campaign)
    with mock.patch("ideas.tasks.idea_status_changed.delay") as told:
        with django_capture_on_commit_callbacks() as callbacks:
            tally.tally_campaign(campaign_id=campaign.pk)
        told.assert_not_called()  # queued, not sent inside the transaction
        for callback in callbacks:
            callback()

    told.assert_called_once_with(StatusChange.objects.get(idea=idea).pk)


def test_an_idea_already_awarded_keeps_its_status():
    campaign = closed_campaign(shortlist_size=1)
    idea = idea_in(campaign, status=Status.AWARDED)

    result = tally.tally_campaign(campaign_id=campaign.pk)

    assert result.shortlisted == []
    idea.refresh_from_db()
    assert idea.status == Status.AWARDED


# --- idempotence ---------------------------------------------------------------------------


def test_running_twice_stores_identical_rows_and_digest():
    campaign = closed_campaign()
    a, b = idea_in(campaign), idea_in(campaign)
    cast_many(a, voters(3))
    cast(b)
    first = tally.tally_campaign(campaign_id=campaign.pk)
    rows = stored(campaign)

    second = tally.tally_campaign(campaign_id=campaign.pk)

    assert stored(campaign) == rows
    assert second.tally.digest == first.tally.digest
    assert second.tally.total_votes == first.tally.total_votes
    assert Tally.objects.filter(campaign=campaign).count() == 1


def test_a_crash_half_way_stores_nothing_partial_and_a_rerun_is_right():
    campaign = closed_campaign()
    a, b = idea_in(campaign), idea_in(campaign)
    cast(a)
    tally.tally_campaign(campaign_id=campaign.pk)
    before = stored(campaign)
    digest_before = Tally.objects.get(campaign=campaign).digest
    # Votes moved since (say, a merge in deliberation): the next tally must
    # either store the new count whole or leave the old one whole.
    cast_many(b, voters(2))

    with (
        mock.patch.object(tally, "_store_rows", side_effect=RuntimeError("worker killed")),
        pytest.raises(RuntimeError),
    ):
        tally.tally_campaign(campaign_id=campaign.pk)

    assert stored(campaign) == before  # the delete was rolled back with the rest
    assert Tally.objects.get(campaign=campaign).digest == digest_before

    tally.tally_campaign(campaign_id=campaign.pk)
    assert stored(campaign) == [(a.pk, 1, 2, False), (b.pk, 2, 1, False)]
    assert Tally.objects.get(campaign=campaign).digest == hashlib.sha256(canonical(campaign)).hexdigest()


def test_a_first_run_that_crashes_leaves_no_tally():
    campaign = closed_campaign()
    cast(idea_in(campaign))
    with (
        mock.patch.object(Tally.objects, "update_or_create", side_effect=RuntimeError("worker killed")),
        pytest.raises(RuntimeError),
    ):
        tally.tally_campaign(campaign_id=campaign.pk)

    assert not TallyRow.objects.filter(campaign=campaign).exists()
    assert not Tally.objects.filter(campaign=campaign).exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL reads counts and receipts in one statement")
def test_votes_that_change_while_counted_store_nothing():
    campaign = closed_campaign()
    idea = idea_in(campaign)
    cast(idea)
    real_digest = tally.receipts_digest

    def a_vote_lands_first(campaign_id, **kwargs):
        # A vote stored between the count and the receipt list (a merge
        # moving votes, say): the two reads disagree.
        cast(idea)
        return real_digest(campaign_id, **kwargs)

    with mock.patch.object(tally, "receipts_digest", a_vote_lands_first), pytest.raises(tally.VotesChanged):
        tally.tally_campaign(campaign_id=campaign.pk)
    assert not Tally.objects.filter(campaign=campaign).exists()
    assert not TallyRow.objects.filter(campaign=campaign).exists()


# --- the digest ----------------------------------------------------------------------------


def test_the_digest_is_the_sha256_of_the_sorted_receipt_lines():
    campaign = closed_campaign()
    a, b = idea_in(campaign), idea_in(campaign)
    cast_many(a, voters(3))
    cast_many(b, voters(2))

    result = tally.tally_campaign(campaign_id=campaign.pk)

    expected = canonical(campaign)
    assert expected.count(b"\n") == 5
    assert result.tally.digest == hashlib.sha256(expected).hexdigest()
    assert b"".join(tally.canonical_chunks(campaign.pk, chunk_size=2)) == expected


def test_a_campaign_without_votes_has_the_digest_of_an_empty_list():
    campaign = closed_campaign()
    idea_in(campaign)
    result = tally.tally_campaign(campaign_id=campaign.pk)
    assert result.tally.total_votes == 0
    assert result.tally.digest == hashlib.sha256(b"").hexdigest()


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.SUBMISSION, Phase.VOTING])
def test_it_refuses_a_campaign_that_has_not_left_voting(phase):
    campaign = CampaignFactory(phase=phase)
    with pytest.raises(DomainError) as refused:
        tally.tally_campaign(campaign_id=campaign.pk)
    assert refused.value.code == "invalid_transition"
    assert not Tally.objects.exists()


@pytest.mark.parametrize("phase", [Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED])
def test_it_tallies_any_phase_after_voting(phase):
    campaign = CampaignFactory(phase=phase)
    cast(idea_in(campaign))
    assert tally.tally_campaign(campaign_id=campaign.pk).tally.total_votes == 1


def test_it_refuses_the_idea_box():
    with pytest.raises(DomainError) as refused:
        tally.tally_campaign(campaign_id=the_box().pk)
    assert refused.value.code == "invalid_transition"


def test_it_refuses_a_missing_campaign():
    with pytest.raises(DomainError) as refused:
        tally.tally_campaign(campaign_id=987654)
    assert refused.value.code == "not_found"


# --- the task and the hand-over ------------------------------------------------------------


def test_the_task_tallies_and_returns_the_votes_counted():
    campaign = closed_campaign()
    cast_many(idea_in(campaign), voters(2))
    assert tasks.tally_campaign.delay(campaign.pk).get() == 2
    assert Tally.objects.get(campaign=campaign).total_votes == 2


def test_the_task_returns_for_a_missing_campaign_or_one_still_voting():
    assert tasks.tally_campaign.delay(987654).get() is None
    assert tasks.tally_campaign.delay(CampaignFactory(phase=Phase.VOTING).pk).get() is None
    assert not Tally.objects.exists()


def test_the_task_retries_only_transient_errors():
    from django.db import OperationalError

    assert OperationalError in tasks.tally_campaign.autoretry_for
    assert tally.VotesChanged in tasks.tally_campaign.autoretry_for
    assert DomainError not in tasks.tally_campaign.autoretry_for
    assert tasks.tally_campaign.max_retries


def test_leaving_voting_queues_the_tally_after_commit(django_capture_on_commit_callbacks, manager):
    from jury import tasks as jury_tasks  # the tally and the public awards decided from it (jury.award_services)

    campaign = CampaignFactory(phase=Phase.VOTING, shortlist_size=1)
    idea = idea_in(campaign)
    cast(idea)

    with mock.patch.object(jury_tasks.tally_and_decide_public_awards, "delay") as queued:
        with django_capture_on_commit_callbacks() as callbacks:
            campaign_services.transition_campaign(campaign=campaign, to=Phase.DELIBERATION, by=manager)
        queued.assert_not_called()  # nothing leaves before the move commits
        for callback in callbacks:
            callback()
    queued.assert_called_once_with(campaign.pk)


def test_leaving_voting_tallies_the_campaign(django_capture_on_commit_callbacks, manager):
    campaign = CampaignFactory(phase=Phase.VOTING, shortlist_size=1)
    idea = idea_in(campaign)
    cast(idea)

    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.transition_campaign(campaign=campaign, to=Phase.DELIBERATION, by=manager)

    assert stored(campaign) == [(idea.pk, 1, 1, False)]
    idea.refresh_from_db()
    assert idea.status == Status.SHORTLISTED


def test_other_moves_do_not_tally(django_capture_on_commit_callbacks, manager):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    with (
        mock.patch.object(tasks.tally_campaign, "delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        campaign_services.transition_campaign(campaign=campaign, to=Phase.VOTING, by=manager)
    queued.assert_not_called()


# --- manage.py tally ----------------------------------------------------------------------------


def test_the_tally_command_tallies_and_prints_the_ranking():
    campaign = closed_campaign(slug="city-ideas")
    top = idea_in(campaign, title="Bike lanes")
    idea_in(campaign, title="More benches")
    cast_many(top, voters(2))
    out = StringIO()

    call_command("tally", "city-ideas", stdout=out)

    printed = out.getvalue()
    assert "Bike lanes" in printed and "More benches" in printed
    assert printed.index("Bike lanes") < printed.index("More benches")
    assert Tally.objects.get(campaign=campaign).digest in printed


def test_the_tally_command_refuses_an_unknown_slug_and_an_open_vote():
    CampaignFactory(phase=Phase.VOTING, slug="still-voting")
    with pytest.raises(CommandError):
        call_command("tally", "no-such-campaign", stdout=StringIO())
    with pytest.raises(CommandError, match="voting"):
        call_command("tally", "still-voting", stdout=StringIO())
