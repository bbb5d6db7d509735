"""The home page (issue 10, item 10): the campaigns live now for this
visitor's audience, with their phase and next date, and, signed in, what
they can do next, where a newly verified user lands."""

import re

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from campaigns.models import Audience, Phase
from tests.accounts.test_signup import confirmation_link, sign_up
from tests.factories import DAY, ROLES_WITH_COMPANY, CampaignFactory, answers_as, schedule_for, user_with_role

pytestmark = pytest.mark.django_db

SEES_INTERNAL = {"employee", "moderator", "manager"}


def home(client, role: str) -> str:
    user = user_with_role(role)
    if user is not None:
        client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def live_section(html: str) -> str:
    return html.split('id="live-heading"')[1].split("</section>")[0]


def next_steps(html: str) -> str:
    return html.split('id="next-steps"')[1].split("</ul>")[0]


@pytest.fixture
def campaigns():
    """One campaign per phase and audience that matters, named after them."""
    made = {}
    for phase in (Phase.DRAFT, Phase.SUBMISSION, Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED):
        for audience in (Audience.PUBLIC, Audience.INTERNAL):
            made[phase, audience] = CampaignFactory(
                title=f"Campaign {audience} in {phase}", slug=f"{audience}-{phase}", phase=phase, audience=audience
            )
    return made


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
def test_the_home_page_lists_the_campaigns_live_for_each_audience(client, campaigns, role):
    live = live_section(home(client, role))
    sees_internal = answers_as(role) in SEES_INTERNAL
    for (phase, audience), campaign in campaigns.items():
        expected = phase in (Phase.SUBMISSION, Phase.VOTING) and (audience == Audience.PUBLIC or sees_internal)
        assert (campaign.title in live) is expected, (phase, audience)


def test_an_internal_campaign_is_hidden_from_the_public(client):
    CampaignFactory(title="Staff canteen", phase=Phase.VOTING, audience=Audience.INTERNAL)
    for role in ("visitor", "participant"):
        client.logout()
        assert "Staff canteen" not in home(client, role)


def test_each_live_campaign_shows_its_phase_its_next_date_and_its_page(client):
    CampaignFactory(title="Greener streets", slug="greener-streets", phase=Phase.VOTING)
    live = live_section(home(client, "visitor"))
    assert 'href="/campaigns/greener-streets/"' in live
    assert "Voting" in live
    assert re.search(r"<time datetime=\"[^\"]+\"[^>]*>Voting closes in 6\xa0days", live)
    assert 'href="/campaigns/"' in live  # all campaigns


def voting_closing_in(days: int) -> dict:
    schedule = schedule_for(Phase.VOTING)
    schedule["voting_closes"] = schedule["voting_opens"] + (7 + days) * DAY
    schedule["deliberation_ends"] = schedule["voting_closes"] + 7 * DAY
    return schedule


def test_the_one_closing_soonest_comes_first(client):
    CampaignFactory(title="Closes later", phase=Phase.VOTING, **voting_closing_in(10))
    CampaignFactory(title="Takes ideas", phase=Phase.SUBMISSION)  # closes in 7 days
    CampaignFactory(title="Closes sooner", phase=Phase.VOTING, **voting_closing_in(2))
    live = live_section(home(client, "visitor"))
    assert live.index("Closes sooner") < live.index("Takes ideas") < live.index("Closes later")


def test_without_a_live_campaign_the_home_page_says_so(client):
    CampaignFactory(phase=Phase.RESULTS)
    assert "No campaign is taking ideas or votes right now." in home(client, "visitor")


def test_the_home_page_lists_a_few_and_leads_to_all(client):
    for number in range(8):
        CampaignFactory(title=f"Live campaign {number}", phase=Phase.SUBMISSION)
    live = live_section(home(client, "visitor"))
    assert live.count("Live campaign") == 6
    assert 'href="/campaigns/"' in live


@pytest.mark.parametrize("role", ["visitor", "participant", "employee"])
def test_the_home_page_queries_stay_flat_as_campaigns_grow(client, role):
    user = user_with_role(role)
    if user is not None:
        client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    CampaignFactory(phase=Phase.VOTING)
    CampaignFactory(phase=Phase.SUBMISSION, audience=Audience.INTERNAL)
    few = count()
    for _ in range(4):
        CampaignFactory(phase=Phase.VOTING)
        CampaignFactory(phase=Phase.SUBMISSION, audience=Audience.INTERNAL)
    assert count() == few


# --- what a signed-in person can do next -------------------------------------------------------


def test_a_public_member_is_offered_the_public_campaigns_and_their_votes(client, campaigns):
    steps = next_steps(home(client, "participant"))
    assert "Vote in “Campaign public in voting”" in steps
    assert 'href="/campaigns/public-voting/"' in steps
    assert "Submit an idea to “Campaign public in submission”" in steps
    assert 'href="/campaigns/public-submission/ideas/new/"' in steps
    assert "internal" not in steps
    assert "/box/" not in steps
    assert reverse("votes:my_receipts") in steps
    assert reverse("accounts:notifications") in steps
    assert reverse("accounts:profile") in steps


def test_an_employee_is_offered_the_internal_campaigns_and_the_idea_box(client, campaigns):
    steps = next_steps(home(client, "employee"))
    assert "Vote in “Campaign internal in voting”" in steps
    assert "Submit an idea to “Campaign internal in submission”" in steps
    assert "Vote in “Campaign public in voting”" in steps
    assert 'href="/box/"' in steps
    assert reverse("votes:my_receipts") in steps


def test_a_campaign_past_its_deadline_is_not_offered(client):
    # Closed a day ago, not yet moved by the scheduler.
    CampaignFactory(title="Closed by the clock", phase=Phase.VOTING, **voting_closing_in(-1))
    steps = next_steps(home(client, "participant"))
    assert "Closed by the clock" not in steps
    assert "No campaign you can take part in is open right now." in steps


def test_an_unverified_user_is_asked_to_verify_first(client, campaigns):
    html = home(client, "unverified")
    assert "Verify your e-mail address to submit ideas, comment and vote." in html
    assert 'id="next-steps"' not in html


def test_a_newly_verified_user_lands_on_what_they_can_do_next(client, django_capture_on_commit_callbacks):
    CampaignFactory(title="Greener streets", slug="greener-streets", phase=Phase.VOTING)
    sign_up(client, django_capture_on_commit_callbacks, email="newcomer@public.example")
    response = client.post(confirmation_link(mail.outbox[0]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    html = response.content.decode()
    assert "You have confirmed newcomer@public.example." in html
    steps = next_steps(html)
    assert "Vote in “Greener streets”" in steps
    assert reverse("accounts:notifications") in steps
