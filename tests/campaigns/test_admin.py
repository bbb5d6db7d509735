"""The admin: campaigns with their categories and history, moved by the same phase machine."""

import pytest

from campaigns.models import Campaign, Phase, PhaseTransition
from tests.factories import CampaignFactory, CategoryFactory, UserFactory, the_box

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/campaigns/campaign/"


@pytest.fixture
def admin_client(client):
    # A superuser holds every permission, so is a campaign manager too.
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_the_admin_moves_campaigns_to_their_next_phase_through_the_service(admin_client):
    first, second = CampaignFactory(phase=Phase.SUBMISSION), CampaignFactory(phase=Phase.RESULTS)
    response = admin_client.post(
        CHANGELIST, {"action": "move_to_next_phase", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert response.status_code == 200
    assert Campaign.objects.get(pk=first.pk).phase == Phase.VOTING
    assert Campaign.objects.get(pk=second.pk).phase == Phase.ARCHIVED
    assert PhaseTransition.objects.filter(by_scheduler=False, by__isnull=False).count() == 2


def test_the_admin_reports_a_refused_move(admin_client):
    box, archived = the_box(), CampaignFactory(phase=Phase.ARCHIVED)
    response = admin_client.post(
        CHANGELIST, {"action": "move_to_next_phase", "_selected_action": [box.pk, archived.pk]}, follow=True
    )
    html = response.content.decode()
    assert "The idea box is always open" in html
    assert "it cannot move any further" in html
    assert not PhaseTransition.objects.exists()


def test_a_staff_member_who_is_not_a_manager_cannot_move_a_campaign(client):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_campaign", "change_campaign"]))
    client.force_login(staff)
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    response = client.post(CHANGELIST, {"action": "move_to_next_phase", "_selected_action": [campaign.pk]}, follow=True)
    assert "Only campaign managers may do this." in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.SUBMISSION


def test_the_change_page_shows_categories_and_the_history_read_only(admin_client):
    campaign = CampaignFactory(phase=Phase.VOTING)
    CategoryFactory(campaign=campaign, name="Energy")
    PhaseTransition.objects.create(campaign=campaign, from_phase="submission", to_phase="voting", by_scheduler=True)
    response = admin_client.get(f"{CHANGELIST}{campaign.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Energy" in html
    assert 'name="transitions-0-to_phase"' not in html  # read-only


def test_the_box_change_page_keeps_its_audience_and_schedule_read_only(admin_client):
    response = admin_client.get(f"{CHANGELIST}{the_box().pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="audience"' not in html and 'name="voting_opens_0"' not in html
