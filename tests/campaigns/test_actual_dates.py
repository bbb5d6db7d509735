"""The schedule shows when each phase really opened and closed (issue 10,
item 9): a phase opened early used to leave the old dates on the campaign
page. One place answers, Campaign.schedule_dates, from the phase moves."""

import datetime as dt

from django.urls import reverse
from django.utils import formats, timezone

import pytest

from campaigns import services
from campaigns.models import Campaign, Phase
from tests.campaigns.conftest import user_for
from tests.factories import DAY, ROLES, CampaignFactory, user_with_role

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def shown(when: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")


def planned(when: dt.datetime) -> str:
    return f"(planned {shown(when)})"


def opened(*, voting_in_days: float, submission_closes_in_days: float, now=NOW) -> Campaign:
    """A draft, moved to submission on schedule ten days ago, then to voting
    by a manager at `now`."""
    manager = user_with_role("manager")
    campaign = CampaignFactory(
        phase=Phase.DRAFT,
        submission_opens=NOW - 10 * DAY,
        submission_closes=NOW + submission_closes_in_days * DAY,
        voting_opens=NOW + voting_in_days * DAY,
        voting_closes=NOW + 14 * DAY,
        deliberation_ends=NOW + 21 * DAY,
    )
    services.transition_campaign(campaign=campaign, to=Phase.SUBMISSION, by=manager, now=NOW - 10 * DAY)
    services.transition_campaign(campaign=campaign, to=Phase.VOTING, by=manager, now=now)
    return Campaign.objects.get(pk=campaign.pk)


def test_voting_opened_early_shows_when_it_opened_and_when_it_was_planned(client):
    campaign = opened(voting_in_days=7, submission_closes_in_days=5)
    dates = campaign.schedule_dates()
    assert dates["voting_opens"].when == NOW and dates["voting_opens"].moved
    assert dates["submission_closes"].when == NOW and dates["submission_closes"].moved  # closed by the move
    assert dates["submission_opens"].when == NOW - 10 * DAY and not dates["submission_opens"].moved
    assert dates["voting_closes"].actual is None and dates["voting_closes"].when == campaign.voting_closes

    page = client.get(campaign.get_absolute_url()).content.decode()
    assert f'<time datetime="{timezone.localtime(NOW).isoformat()}">{shown(NOW)}</time>' in page
    assert planned(campaign.voting_opens) in page
    assert planned(campaign.submission_closes) in page
    assert page.count("(planned ") == 2
    assert shown(campaign.voting_closes) in page and shown(campaign.deliberation_ends) in page


def test_submission_closed_by_the_clock_before_an_early_vote_keeps_its_date(client):
    campaign = opened(voting_in_days=7, submission_closes_in_days=-1)
    dates = campaign.schedule_dates()
    assert dates["submission_closes"].when == campaign.submission_closes
    assert not dates["submission_closes"].moved
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert page.count("(planned ") == 1
    assert planned(campaign.voting_opens) in page


def test_a_move_by_the_scheduler_on_time_is_no_change_of_plan(client):
    campaign = opened(voting_in_days=0, submission_closes_in_days=-1, now=NOW + dt.timedelta(minutes=1))
    assert not any(date.moved for date in campaign.schedule_dates().values())
    assert "(planned " not in client.get(campaign.get_absolute_url()).content.decode()


def test_the_api_keeps_the_planned_schedule_and_adds_the_actual_dates(api_client):
    campaign = opened(voting_in_days=7, submission_closes_in_days=5)
    body = api_client.get(reverse("api:campaigns-detail", args=[campaign.slug])).json()
    assert dt.datetime.fromisoformat(body["voting_opens"]) == campaign.voting_opens  # the plan, unchanged
    actual = {name: value and dt.datetime.fromisoformat(value) for name, value in body["actual_dates"].items()}
    assert actual == {
        "submission_opens": NOW - 10 * DAY,
        "submission_closes": NOW,
        "voting_opens": NOW,
        "voting_closes": None,
        "deliberation_ends": None,
    }


def test_a_manager_moving_a_phase_through_the_api_gets_the_actual_date_back(api_as):
    campaign = opened(voting_in_days=7, submission_closes_in_days=5)
    response = api_as("manager").post(
        reverse("api:campaigns-transition", args=[campaign.slug]), {"to": Phase.DELIBERATION}, format="json"
    )
    assert response.status_code == 200
    closed = dt.datetime.fromisoformat(response.json()["actual_dates"]["voting_closes"])
    assert abs(closed - timezone.now()) < dt.timedelta(minutes=1)


@pytest.mark.parametrize("role", ROLES)
def test_whoever_sees_the_campaign_sees_its_actual_dates(api_as, client, role):
    campaign = opened(voting_in_days=7, submission_closes_in_days=5)
    body = api_as(role).get(reverse("api:campaigns-detail", args=[campaign.slug])).json()
    assert dt.datetime.fromisoformat(body["actual_dates"]["voting_opens"]) == NOW
    user = user_for(role)
    if user.is_authenticated:
        client.force_login(user)
    assert planned(campaign.voting_opens) in client.get(campaign.get_absolute_url()).content.decode()


def test_the_campaign_page_asks_the_moves_once_however_many(client):
    def queries(campaign) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(campaign.get_absolute_url())  # what is cached once for the site
        with CaptureQueriesContext(connection) as captured:
            assert client.get(campaign.get_absolute_url()).status_code == 200
        return len(captured)

    no_move = CampaignFactory(phase=Phase.VOTING)
    two_moves = opened(voting_in_days=7, submission_closes_in_days=5)
    assert two_moves.transitions.count() == 2
    assert queries(two_moves) == queries(no_move)


def test_the_campaign_list_api_asks_the_moves_once_however_many_campaigns(api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get(reverse("api:campaigns-list"), {"page_size": 100}).status_code == 200
        return len(captured)

    opened(voting_in_days=7, submission_closes_in_days=5)
    few = queries()
    for _ in range(5):
        opened(voting_in_days=7, submission_closes_in_days=5)
    assert queries() == few


def test_the_manager_who_opened_voting_early_sees_the_actual_dates_on_the_manage_page(client):
    campaign = opened(voting_in_days=7, submission_closes_in_days=5)
    client.force_login(user_with_role("manager"))
    page = client.get(reverse("campaigns:manage", args=[campaign.slug])).content.decode()
    assert f'<time datetime="{timezone.localtime(NOW).isoformat()}">{shown(NOW)}</time>' in page
    assert planned(campaign.voting_opens) in page and planned(campaign.submission_closes) in page
