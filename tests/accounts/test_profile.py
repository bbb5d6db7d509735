from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest
from allauth.socialaccount.models import SocialAccount

from tests.factories import UserFactory, employee

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def test_the_profile_address_is_stable():
    assert reverse("accounts:profile") == PROFILE


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PROFILE}"


@pytest.mark.parametrize(
    ("make_user", "shown"),
    [
        (lambda: UserFactory(verified=False), "None yet: verify your e-mail address to take part."),
        (lambda: UserFactory(), "Participant"),
        (lambda: employee(), "Employee"),
        (lambda: UserFactory(groups=["moderators"]), "Moderator"),
        (lambda: UserFactory(groups=["campaign managers"]), "Campaign manager"),
        (lambda: UserFactory(is_superuser=True), "Administrator"),
    ],
)
def test_the_profile_shows_each_role(client, make_user, shown):
    client.force_login(make_user())
    response = client.get(PROFILE)
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_saving_the_profile_changes_name_and_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PROFILE, {"display_name": "  Zoé  ", "language": "fr"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.language) == ("Zoé", "fr")
    assert response.cookies["ideabox_language"].value == "fr"
    page = client.get(PROFILE).content.decode()
    assert '<html lang="fr">' in page
    assert "Votre profil a été enregistré." in page


def test_an_unknown_language_is_refused_and_changes_nothing(client):
    user = UserFactory(display_name="Before")
    client.force_login(user)
    response = client.post(PROFILE, {"display_name": "After", "language": "xx"})
    assert response.status_code == 400
    assert response.context["form"].errors["language"]
    user.refresh_from_db()
    assert user.display_name == "Before"


def test_a_too_long_name_is_refused_with_a_message(client):
    client.force_login(UserFactory())
    response = client.post(PROFILE, {"display_name": "x" * 81, "language": ""})
    assert response.status_code == 400
    assert "at most 80 characters" in response.content.decode()


def test_logging_in_restores_the_preferred_language(client):
    from tests.factories import PASSWORD

    UserFactory(username="francoise", language="fr")
    response = client.post(reverse("account_login"), {"login": "francoise", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["ideabox_language"].value == "fr"


def test_the_profile_says_until_when_a_company_sign_in_makes_an_employee(client):
    user = UserFactory(email="ana@corp.example")
    account = SocialAccount.objects.create(user=user, provider="corp", uid="ana")
    client.force_login(user)
    page = client.get(PROFILE).content.decode()
    assert "Company sign-in" in page and "It makes you an employee until" in page
    assert "Employees are recognised by a verified address" not in page

    SocialAccount.objects.filter(pk=account.pk).update(last_login=timezone.now() - timedelta(days=31))
    page = client.get(PROFILE).content.decode()
    assert "Too long ago to make you an employee" in page
