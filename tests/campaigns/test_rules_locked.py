"""Once voting opens, the rules voters rely on are fixed (issue 9, item 9).

`votes_per_voter`, `audience`, anonymity and the moderation mode answer 409
`rules_locked` to any change, on the edit page, the API and the admin; the
same value sent again is not a change; the other settings stay editable.
"""

import datetime as dt
import threading
import time

from django.db import connection, connections, transaction
from django.utils import timezone

import pytest

from campaigns import services
from campaigns.models import Campaign, Phase
from ideabox.exceptions import DomainError
from tests.factories import CampaignFactory, UserFactory, schedule_for, the_box

pytestmark = pytest.mark.django_db

# Each rule, a value different from the factory's default.
CHANGES = {
    "votes_per_voter": 7,
    "audience": "internal",
    "allow_anonymous": True,
    "moderation": "pre",
}
LOCKED_PHASES = [Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED]
OPEN_PHASES = [Phase.DRAFT, Phase.SUBMISSION]


def campaign_in(phase: str, **fields) -> Campaign:
    # Whole minutes, as the edit form sends them back.
    schedule = {name: value.replace(second=0, microsecond=0) for name, value in schedule_for(phase).items()}
    return CampaignFactory(phase=phase, **{**schedule, **fields})


def manager():
    return UserFactory(groups=["campaign managers"])


# --- the service ---------------------------------------------------------------------------


@pytest.mark.parametrize("phase", LOCKED_PHASES)
@pytest.mark.parametrize("field", list(CHANGES))
def test_a_voter_rule_cannot_change_once_voting_has_opened(phase, field):
    campaign = campaign_in(phase)
    before = getattr(campaign, field)
    with pytest.raises(DomainError) as refused:
        services.update_campaign(campaign=campaign, by=manager(), **{field: CHANGES[field]})
    assert refused.value.code == "rules_locked" and refused.value.status == 409
    assert set(refused.value.fields) == {field}
    campaign.refresh_from_db()
    assert getattr(campaign, field) == before


@pytest.mark.parametrize("phase", OPEN_PHASES)
@pytest.mark.parametrize("field", list(CHANGES))
def test_a_voter_rule_may_change_before_voting_opens(phase, field):
    campaign = campaign_in(phase)
    services.update_campaign(campaign=campaign, by=manager(), **{field: CHANGES[field]})
    campaign.refresh_from_db()
    assert getattr(campaign, field) == CHANGES[field]


@pytest.mark.parametrize("field", list(CHANGES))
def test_the_rules_lock_when_voting_opens_by_the_clock_before_the_scheduler_moves_the_campaign(field):
    now = timezone.now()
    campaign = CampaignFactory(
        phase=Phase.SUBMISSION,
        submission_opens=now - dt.timedelta(days=10),
        submission_closes=now - dt.timedelta(days=2),
        voting_opens=now - dt.timedelta(minutes=1),
        voting_closes=now + dt.timedelta(days=5),
        deliberation_ends=now + dt.timedelta(days=9),
    )
    with pytest.raises(DomainError) as refused:
        services.update_campaign(campaign=campaign, by=manager(), **{field: CHANGES[field]})
    assert refused.value.code == "rules_locked"


@pytest.mark.parametrize("phase", LOCKED_PHASES)
def test_sending_the_current_rules_again_is_not_a_change(phase):
    campaign = campaign_in(phase, votes_per_voter=3)
    same = {name: getattr(campaign, name) for name in CHANGES}
    services.update_campaign(campaign=campaign, by=manager(), title="Renamed", **same)
    campaign.refresh_from_db()
    assert campaign.title == "Renamed" and campaign.votes_per_voter == 3


def test_a_limit_cannot_be_removed_either_once_voting_has_opened():
    campaign = campaign_in(Phase.VOTING, votes_per_voter=3)
    with pytest.raises(DomainError) as refused:
        services.update_campaign(campaign=campaign, by=manager(), votes_per_voter=None)
    assert refused.value.code == "rules_locked"


def test_the_box_keeps_its_vote_limit_but_may_change_its_moderation_and_anonymity():
    box = the_box()
    with pytest.raises(DomainError) as refused:
        services.update_campaign(campaign=box, by=manager(), votes_per_voter=5)
    assert refused.value.code == "rules_locked"
    services.update_campaign(campaign=box, by=manager(), moderation="pre", allow_anonymous=not box.allow_anonymous)
    changed = the_box()
    assert (changed.moderation, changed.allow_anonymous, changed.votes_per_voter) == (
        "pre",
        not box.allow_anonymous,
        box.votes_per_voter,
    )


# --- the API: role x phase x field -------------------------------------------------------------


@pytest.mark.parametrize("phase", OPEN_PHASES + LOCKED_PHASES)
@pytest.mark.parametrize("field", list(CHANGES))
def test_api_patch_of_a_voter_rule_by_a_manager(api_client, phase, field):
    campaign = campaign_in(phase)
    api_client.force_authenticate(manager())
    response = api_client.patch(f"/api/v1/campaigns/{campaign.slug}/", {field: CHANGES[field]}, format="json")
    if phase in LOCKED_PHASES:
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "rules_locked"
        assert list(body["fields"]) == [field]
        campaign.refresh_from_db()
        assert getattr(campaign, field) != CHANGES[field]
    else:
        assert response.status_code == 200, response.json()
        assert response.json()[field] == CHANGES[field]


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING])
@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("participant", 403), ("moderator", 403)])
def test_api_patch_of_a_voter_rule_by_anyone_else_is_refused_as_before(api_client, phase, role, status):
    campaign = campaign_in(phase)
    if role != "anonymous":
        api_client.force_authenticate(UserFactory(groups=["moderators"] if role == "moderator" else []))
    response = api_client.patch(f"/api/v1/campaigns/{campaign.slug}/", {"votes_per_voter": 7}, format="json")
    assert response.status_code == status
    campaign.refresh_from_db()
    assert campaign.votes_per_voter is None


def test_api_patch_of_other_settings_during_voting_still_works(api_client):
    campaign = campaign_in(Phase.VOTING, votes_per_voter=3)
    api_client.force_authenticate(manager())
    response = api_client.patch(
        f"/api/v1/campaigns/{campaign.slug}/",
        {"title": "Renamed", "votes_per_voter": 3, "audience": "public", "hide_counts_while_voting": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    campaign.refresh_from_db()
    assert (campaign.title, campaign.hide_counts_while_voting) == ("Renamed", True)


# --- the edit page --------------------------------------------------------------------------------


def page_data(campaign: Campaign, **changes) -> dict:
    data = {
        "title": campaign.title,
        "slug": campaign.slug,
        "theme": campaign.theme,
        "audience": campaign.audience,
        "moderation": campaign.moderation,
        "shortlist_size": str(campaign.shortlist_size),
        "votes_per_voter": "" if campaign.votes_per_voter is None else str(campaign.votes_per_voter),
    }
    if campaign.allow_anonymous:
        data["allow_anonymous"] = "on"
    for name in ("submission_opens", "submission_closes", "voting_opens", "voting_closes", "deliberation_ends"):
        data[name] = timezone.localtime(getattr(campaign, name)).strftime("%Y-%m-%dT%H:%M")
    for name, value in changes.items():
        if value is True:
            data[name] = "on"
        else:
            data[name] = str(value)
    return data


@pytest.mark.parametrize("phase", OPEN_PHASES + LOCKED_PHASES)
@pytest.mark.parametrize("field", list(CHANGES))
def test_the_edit_page_refuses_a_voter_rule_change_once_voting_has_opened(client, phase, field):
    campaign = campaign_in(phase)
    client.force_login(manager())
    response = client.post(f"/campaigns/{campaign.slug}/edit/", page_data(campaign, **{field: CHANGES[field]}))
    campaign.refresh_from_db()
    if phase in LOCKED_PHASES:
        assert response.status_code == 400
        assert response.context["form"].errors[field] == ["Fixed since voting opened: voters rely on it."]
        assert getattr(campaign, field) != CHANGES[field]
    else:
        assert response.status_code == 302, response.context["form"].errors
        assert getattr(campaign, field) == CHANGES[field]


@pytest.mark.parametrize("phase", LOCKED_PHASES)
def test_the_edit_page_saves_other_settings_once_voting_has_opened(client, phase):
    campaign = campaign_in(phase, votes_per_voter=4)
    client.force_login(manager())
    response = client.post(f"/campaigns/{campaign.slug}/edit/", page_data(campaign, title="Renamed"))
    assert response.status_code == 302, response.context["form"].errors
    campaign.refresh_from_db()
    assert (campaign.title, campaign.votes_per_voter) == ("Renamed", 4)


def test_the_edit_page_says_which_rules_are_fixed(client):
    campaign = campaign_in(Phase.VOTING)
    client.force_login(manager())
    html = client.get(f"/campaigns/{campaign.slug}/edit/").content.decode()
    assert html.count("Fixed since voting opened: voters rely on it.") == len(CHANGES)
    draft = campaign_in(Phase.DRAFT)
    assert "Fixed since voting opened" not in client.get(f"/campaigns/{draft.slug}/edit/").content.decode()


@pytest.mark.parametrize("role", ["participant", "moderator"])
def test_the_edit_page_is_still_for_managers_only(client, role):
    campaign = campaign_in(Phase.VOTING)
    client.force_login(UserFactory(groups=["moderators"] if role == "moderator" else []))
    response = client.post(f"/campaigns/{campaign.slug}/edit/", page_data(campaign, votes_per_voter=7))
    assert response.status_code == 403


# --- the admin ----------------------------------------------------------------------------------------


def test_the_admin_cannot_change_a_voter_rule_once_voting_has_opened(client):
    from django.contrib.admin.helpers import AdminForm  # noqa: F401  (the change form renders)

    campaign = campaign_in(Phase.VOTING, votes_per_voter=3)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "cover"}
    for name in ("submission_opens", "submission_closes", "voting_opens", "voting_closes", "deliberation_ends"):
        local = timezone.localtime(getattr(campaign, name))
        data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
        data.pop(name, None)
    data.update({"categories-TOTAL_FORMS": "0", "categories-INITIAL_FORMS": "0"})
    data.update({"transitions-TOTAL_FORMS": "0", "transitions-INITIAL_FORMS": "0"})
    data = {name: value for name, value in data.items() if value is not False}
    if data.get("allow_anonymous") is True:
        data["allow_anonymous"] = "on"
    data.pop("created_by", None)

    refused = client.post(url, {**data, "votes_per_voter": "9"})
    assert refused.status_code == 200
    assert "Fixed since voting opened: voters rely on it." in refused.content.decode()
    campaign.refresh_from_db()
    assert campaign.votes_per_voter == 3

    saved = client.post(url, {**data, "title": "Renamed in the admin"})
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    campaign.refresh_from_db()
    assert (campaign.title, campaign.votes_per_voter) == ("Renamed in the admin", 3)


# --- an edit racing the move to voting (real transactions) ------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_the_move_to_voting_waits_for_it_and_is_refused():
    campaign = campaign_in(Phase.SUBMISSION)  # voting_opens is ahead: a manager opens it early
    mover, editor = manager(), manager()
    moved, errors, outcome = threading.Event(), [], {}

    def move():
        try:
            with transaction.atomic():
                services.transition_campaign(campaign=Campaign.objects.get(pk=campaign.pk), to=Phase.VOTING, by=mover)
                moved.set()
                time.sleep(0.5)  # the move holds the row, not yet committed
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            moved.set()
            connections.close_all()

    def edit():
        try:
            moved.wait(timeout=10)
            services.update_campaign(campaign=Campaign.objects.get(pk=campaign.pk), by=editor, votes_per_voter=7)
            outcome["edit"] = "saved"
        except DomainError as refusal:
            outcome["edit"] = refusal.code
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert outcome == {"edit": "rules_locked"}
    campaign.refresh_from_db()
    assert (campaign.phase, campaign.votes_per_voter) == (Phase.VOTING, None)
