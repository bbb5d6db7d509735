"""A campaign with no idea at all says so and invites the first one where the
viewer may submit (issue 10, item 10); a filter with no match says that no
idea matches."""

import pytest

from campaigns.models import Audience, Phase
from tests.factories import ROLES, CampaignFactory, IdeaFactory, the_box, user_with_role

pytestmark = pytest.mark.django_db

FIRST = "Submit the first idea"
LOG_IN = "Log in to submit the first idea"
NONE_YET = "No idea has been submitted yet."
NONE_SUBMITTED = "No idea was submitted to this campaign."
NO_MATCH = "No idea matches these filters."


def ideas_of(client, role: str, campaign, query: str = "") -> str:
    user = user_with_role(role)
    if user is not None:
        client.force_login(user)
    response = client.get(campaign.get_absolute_url() + query)
    assert response.status_code == 200
    html = response.content.decode()
    return html.split('id="idea-list"')[1].split("</section>")[0]


def expected_in_submission(role: str) -> str:
    if role == "visitor":
        return LOG_IN
    if role == "unverified":
        return NONE_YET
    return FIRST


@pytest.mark.parametrize("role", ROLES)
def test_an_empty_campaign_in_submission_invites_whoever_may_submit(client, role):
    campaign = CampaignFactory(slug="empty", phase=Phase.SUBMISSION)
    html = ideas_of(client, role, campaign)
    expected = expected_in_submission(role)
    assert expected in html
    assert NO_MATCH not in html
    if expected == FIRST:
        assert 'href="/campaigns/empty/ideas/new/"' in html
    if expected == LOG_IN:
        assert "/accounts/login/?next=/campaigns/empty/" in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [("employee", FIRST), ("company employee", FIRST), ("moderator", NONE_YET), ("manager", NONE_YET)],
)
def test_an_empty_internal_campaign_invites_the_employees_only(client, role, expected):
    campaign = CampaignFactory(phase=Phase.SUBMISSION, audience=Audience.INTERNAL)
    assert expected in ideas_of(client, role, campaign)


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED])
@pytest.mark.parametrize("role", ["visitor", "participant", "manager"])
def test_an_empty_campaign_after_submission_says_none_was_submitted(client, phase, role):
    campaign = CampaignFactory(phase=phase)
    html = ideas_of(client, role, campaign)
    assert NONE_SUBMITTED in html
    assert FIRST not in html and LOG_IN not in html


def test_an_empty_draft_says_when_submission_opens(client):
    campaign = CampaignFactory(phase=Phase.DRAFT)
    html = ideas_of(client, "manager", campaign)
    assert "No idea yet: submission opens on" in html
    assert FIRST not in html


def test_an_empty_draft_without_a_date_says_it_has_none(client):
    campaign = CampaignFactory(phase=Phase.DRAFT, submission_opens=None)
    assert "No idea yet: submission has no opening date yet." in ideas_of(client, "manager", campaign)


def test_an_empty_idea_box_invites_the_employees_to_its_own_form(client):
    html = ideas_of(client, "employee", the_box())
    assert FIRST in html
    assert 'href="/box/ideas/new/"' in html


@pytest.mark.parametrize("query", ["?search=nothing-like-this", "?status=awarded", "?tag=absent"])
def test_a_filter_with_no_match_says_no_idea_matches(client, query):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    IdeaFactory(campaign=campaign, title="Solar panels")
    html = ideas_of(client, "participant", campaign, query)
    assert NO_MATCH in html
    assert FIRST not in html


def test_a_sort_alone_is_no_filter(client):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    html = ideas_of(client, "participant", campaign, "?ordering=newest")
    assert FIRST in html
    assert NO_MATCH not in html


def test_the_htmx_list_says_the_same(client):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    client.force_login(user_with_role("participant"))
    empty = client.get(campaign.get_absolute_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="idea-list")
    assert FIRST in empty.content.decode()
    IdeaFactory(campaign=campaign)
    filtered = client.get(
        campaign.get_absolute_url() + "?search=nothing-like-this", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="idea-list"
    )
    assert NO_MATCH in filtered.content.decode()
