from datetime import timedelta

from django.utils import timezone

import pytest

from ideabox import services
from ideabox.celery import app as celery_app
from ideabox.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_and_pending_tasks(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert isinstance(body["broker"]["pending_tasks"], int)
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_says_the_worker_looks_stopped_before_any_heartbeat(client):
    body = client.get("/healthz").json()
    assert body["worker"] == {"last_heartbeat": None, "stale": True}


def test_healthz_reports_the_queue_lag_of_the_last_heartbeat(client):
    now = timezone.now()
    services.record_heartbeat(sent_at=now - timedelta(seconds=2), received_at=now)
    worker = client.get("/healthz").json()["worker"]
    assert worker["queue_lag_seconds"] == 2.0
    assert worker["stale"] is False
    assert worker["heartbeat_age_seconds"] < 60


def test_healthz_flags_an_old_heartbeat_but_stays_up(client, settings):
    settings.HEALTHZ_HEARTBEAT_STALE_SECONDS = 300
    old = timezone.now() - timedelta(minutes=10)
    services.record_heartbeat(sent_at=old, received_at=old)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"]["stale"] is True


def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise RuntimeError("database down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "RuntimeError"}


def test_healthz_answers_get_and_head_only(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_a_heartbeat_is_stored_once_and_never_moves_back():
    now = timezone.now()
    assert services.record_heartbeat(sent_at=now, received_at=now) is True
    # the same heartbeat again (a task run twice) changes nothing
    assert services.record_heartbeat(sent_at=now, received_at=now + timedelta(seconds=5)) is False
    # a late, older heartbeat does not replace the newer one
    assert services.record_heartbeat(sent_at=now - timedelta(minutes=1)) is False
    beat = Heartbeat.objects.get()
    assert (beat.sent_at, beat.received_at) == (now, now)
    later = now + timedelta(minutes=1)
    assert services.record_heartbeat(sent_at=later, received_at=later) is True
    assert Heartbeat.objects.get().sent_at == later


def test_the_heartbeat_task_reads_the_time_it_was_sent():
    from ideabox.tasks import heartbeat

    sent = timezone.now() - timedelta(seconds=3)
    heartbeat.apply(kwargs={"sent_at": sent.isoformat()})
    assert Heartbeat.objects.get().sent_at == sent


# --- overdue work (issue 9, item 3) -------------------------------------------------------


def _left(campaign, phase: str, minutes_ago: float) -> None:
    from campaigns.models import PhaseTransition

    PhaseTransition.objects.create(
        campaign=campaign, from_phase=phase, to_phase=campaign.phase, at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def test_healthz_reports_no_overdue_work_when_everything_is_done(client):
    work = client.get("/healthz").json()["work"]
    assert work == {
        "ok": True,
        "overdue_after_seconds": 300,
        "tallies": {"overdue": 0, "oldest_seconds": None},
        "publications": {"overdue": 0, "oldest_seconds": None},
        "outbox": {"unsent": 0, "overdue": 0, "oldest_seconds": None},
    }


def test_healthz_reports_a_tally_overdue_for_more_than_five_minutes_but_stays_up(client):
    from campaigns.models import Phase
    from tests.factories import CampaignFactory

    _left(CampaignFactory(phase=Phase.DELIBERATION), Phase.VOTING, minutes_ago=7)
    _left(CampaignFactory(phase=Phase.DELIBERATION), Phase.VOTING, minutes_ago=1)  # not yet overdue

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["work"]["ok"] is False
    assert body["work"]["tallies"]["overdue"] == 1
    assert 420 <= body["work"]["tallies"]["oldest_seconds"] < 480


def test_healthz_reports_a_campaign_the_scheduler_left_in_voting_past_its_close(client):
    from campaigns.models import Phase
    from tests.factories import CampaignFactory

    CampaignFactory(phase=Phase.VOTING, voting_closes=timezone.now() - timedelta(minutes=10))
    assert client.get("/healthz").json()["work"]["tallies"]["overdue"] == 1


def test_healthz_reports_an_overdue_publication(client):
    from campaigns.models import Phase
    from jury.models import Jury
    from tests.factories import CampaignFactory

    waiting = CampaignFactory(phase=Phase.RESULTS)
    _left(waiting, Phase.DELIBERATION, minutes_ago=6)
    done = CampaignFactory(phase=Phase.RESULTS)
    _left(done, Phase.DELIBERATION, minutes_ago=60)
    Jury.objects.create(campaign=done, published_at=timezone.now())

    work = client.get("/healthz").json()["work"]
    assert work["ok"] is False
    assert work["publications"]["overdue"] == 1


def test_healthz_reports_tasks_the_broker_has_not_taken(client, settings):
    from ideabox.models import OutboxMessage

    settings.HEALTHZ_OVERDUE_SECONDS = 120
    OutboxMessage.objects.create(task="ideas.tasks.idea_commented", args=[1])
    assert client.get("/healthz").json()["work"]["ok"] is True  # just queued
    OutboxMessage.objects.create(
        task="ideas.tasks.idea_commented", args=[2], created_at=timezone.now() - timedelta(minutes=3)
    )
    work = client.get("/healthz").json()["work"]
    assert work["ok"] is False
    assert work["overdue_after_seconds"] == 120
    assert work["outbox"]["unsent"] == 2
    assert work["outbox"]["overdue"] == 1


@pytest.mark.parametrize("campaigns", [1, 6])
def test_the_overdue_report_costs_the_same_queries_however_much_is_overdue(
    client, django_assert_num_queries, campaigns
):
    from campaigns.models import Phase
    from ideabox.models import OutboxMessage
    from tests.factories import CampaignFactory

    for _ in range(campaigns):
        _left(CampaignFactory(phase=Phase.DELIBERATION), Phase.VOTING, minutes_ago=10)
        _left(CampaignFactory(phase=Phase.ARCHIVED), Phase.DELIBERATION, minutes_ago=10)
        OutboxMessage.objects.create(task="x", created_at=timezone.now() - timedelta(minutes=10))
    # the database check, the heartbeat, overdue tallies, publications, the outbox
    with django_assert_num_queries(5):
        work = client.get("/healthz").json()["work"]
    assert work["tallies"]["overdue"] == 2 * campaigns  # the archived ones have no tally either
    assert work["publications"]["overdue"] == campaigns
    assert work["outbox"]["overdue"] == campaigns
