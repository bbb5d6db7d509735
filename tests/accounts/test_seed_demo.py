from django.core.management import call_command

import pytest

from accounts import roles
from accounts.models import User

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", verbosity=0)


def test_seed_demo_creates_every_demo_account_with_its_role():
    seed()
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


def test_seed_demo_twice_changes_nothing():
    seed()
    before = list(User.objects.order_by("pk").values_list("pk", "username", "password"))
    seed()
    assert list(User.objects.order_by("pk").values_list("pk", "username", "password")) == before


@pytest.mark.parametrize("login", ["voter3", "voter3@example.org"])
def test_a_demo_account_logs_in_by_username_or_email(client, login):
    seed()
    response = client.post("/accounts/login/", {"login": login, "password": "ideabox-demo"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.IDEABOX_PRODUCTION = True
    with pytest.raises(CommandError):
        seed()
    assert not User.objects.exists()
