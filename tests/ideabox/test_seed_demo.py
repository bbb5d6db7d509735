from django.core.management import call_command

import pytest

from accounts import roles
from accounts.models import User
from campaigns.models import Audience, Campaign, Kind, Moderation, Phase
from ideas.models import Comment, Idea, Report, Status

pytestmark = pytest.mark.django_db


def seed(**options):
    call_command("seed_demo", verbosity=0, **options)


def test_seed_demo_creates_every_demo_account_with_its_role():
    seed(extra_ideas=0)
    users = {u.username: u for u in User.objects.all()}
    expected = (
        ["admin", "manager", "moderator", "jury1", "jury2", "jury3"]
        + [f"employee{n}" for n in range(1, 6)]
        + [f"voter{n}" for n in range(1, 21)]
    )
    assert sorted(users) == sorted(expected)
    assert "administrator" in roles.roles_of(users["admin"])
    assert roles.roles_of(users["manager"]) == ["participant", "employee", "manager"]
    assert roles.roles_of(users["moderator"]) == ["participant", "employee", "moderator"]
    assert roles.roles_of(users["jury1"]) == ["participant", "employee"]
    assert roles.roles_of(users["employee3"]) == ["participant", "employee"]
    assert roles.roles_of(users["voter7"]) == ["participant"]
    assert users["voter7"].email == "voter7@example.org"
    assert all(u.check_password("ideabox-demo") for u in users.values())


def test_seed_demo_makes_a_public_campaign_in_each_phase_an_internal_one_and_the_box():
    seed(extra_ideas=12)
    public = Campaign.objects.filter(kind=Kind.CHALLENGE, audience=Audience.PUBLIC)
    assert set(public.values_list("phase", flat=True)) == {
        Phase.DRAFT,
        Phase.SUBMISSION,
        Phase.VOTING,
        Phase.DELIBERATION,
        Phase.RESULTS,
        Phase.ARCHIVED,
    }
    internal = Campaign.objects.get(audience=Audience.INTERNAL, kind=Kind.CHALLENGE)
    assert internal.moderation == Moderation.PRE
    assert internal.ideas.filter(approved=False).exists()
    # Every phase was entered through the phase machine, and recorded.
    voting = public.get(phase=Phase.VOTING)
    assert list(voting.transitions.values_list("to_phase", flat=True)) == [Phase.SUBMISSION, Phase.VOTING]
    assert Idea.objects.filter(campaign__slug="connected-home").count() == 12 + 12
    box = Campaign.objects.get(kind=Kind.BOX)
    box_statuses = set(box.ideas.values_list("status", flat=True))
    assert box_statuses == {Status.UNDER_REVIEW, Status.ACCEPTED, Status.IMPLEMENTED, Status.REJECTED}
    assert box.ideas.filter(status=Status.REJECTED).exclude(rejection_reason="").exists()
    assert Comment.objects.count() > 50
    assert Report.objects.filter(resolved_at__isnull=True).count() == 1
    # Votes were cast while each campaign was voting; those past voting are tallied.
    from votes.models import Tally, Vote

    assert Vote.objects.filter(campaign=voting).exists()
    assert Vote.objects.filter(campaign=box).exists()
    assert set(Tally.objects.values_list("campaign__phase", flat=True)) == {
        Phase.DELIBERATION,
        Phase.RESULTS,
        Phase.ARCHIVED,
    }
    for idea in Idea.objects.all():
        assert idea.vote_count == idea.votes.count()
    assert Comment.objects.filter(hidden=True).count() == 1


def test_seed_demo_twice_changes_nothing():
    seed(extra_ideas=0)
    counts = (User.objects.count(), Campaign.objects.count(), Idea.objects.count(), Comment.objects.count())
    passwords = list(User.objects.order_by("pk").values_list("password", flat=True))
    seed(extra_ideas=0)
    assert (User.objects.count(), Campaign.objects.count(), Idea.objects.count(), Comment.objects.count()) == counts
    assert list(User.objects.order_by("pk").values_list("password", flat=True)) == passwords


@pytest.mark.parametrize("login", ["voter3", "voter3@example.org"])
def test_a_demo_account_logs_in_by_username_or_email(client, login):
    from ideabox.demo import ensure_accounts

    ensure_accounts()
    response = client.post("/accounts/login/", {"login": login, "password": "ideabox-demo"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.IDEABOX_PRODUCTION = True
    with pytest.raises(CommandError):
        seed()
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seed_demo_sends_no_notification(mailoutbox):
    # A real commit: the seed's own transaction ends inside the command,
    # where its notifications are muted.
    seed(extra_ideas=0)
    assert Comment.objects.exists()
    assert [m.subject for m in mailoutbox] == []
