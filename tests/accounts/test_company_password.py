"""Addresses in a domain served by company sign-in never log in by password
(PRODUCT.md "People"): not on the login page, not at sign-up, not by a
password reset, not at the API's token endpoint. An address is refused by
its domain before any password is checked; an account holding such an
address, only once its password was right."""

from django.core import mail
from django.test import override_settings
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import sso_config
from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
CORP = {
    "protocol": "openid_connect",
    "id": "corp",
    "name": "Corp",
    "server_url": "https://idp.corp.example",
    "client_id": "x",
    "secret": "y",
    "domains": ["corp.example"],
}
REFUSAL = "Addresses at corp.example sign in with the company account: use the “Corp” button."
WRONG = "The username and/or password you specified are not correct."


@pytest.fixture(autouse=True)
def _company_sign_in(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    with override_settings(**sso_config.overrides([CORP])):
        yield


@pytest.fixture
def carol(db):
    """A company account: her address is at corp.example, and she has a password."""
    return UserFactory(username="carol", domain="corp.example")


def log_in(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def errors_of(response) -> list[str]:
    form = response.context["form"]
    return [str(message) for messages in form.errors.values() for message in messages]


# --- the login page --------------------------------------------------------------------


@pytest.mark.parametrize("password", [PASSWORD, "wrong"])
def test_a_company_address_is_refused_whatever_the_password(client, carol, password):
    response = log_in(client, "carol@corp.example", password)
    assert response.status_code == 200
    assert errors_of(response) == [REFUSAL]
    assert REFUSAL in response.content.decode()
    assert not logged_in(client)


def test_the_domain_is_read_whole_and_whatever_its_case(client, carol):
    assert errors_of(log_in(client, "  Carol@CORP.Example ", PASSWORD)) == [REFUSAL]
    # Another domain that merely ends alike is not the company's.
    other = UserFactory(username="dave", domain="notcorp.example")
    assert log_in(client, other.email, PASSWORD).status_code == 302


def test_an_address_nobody_has_is_refused_the_same_way(client):
    # By the domain alone: the answer says nothing of who has an account.
    assert errors_of(log_in(client, "nobody@corp.example", "wrong")) == [REFUSAL]


def test_a_refused_address_has_its_password_never_tried_nor_counted(client, carol):
    for _ in range(12):
        assert errors_of(log_in(client, "carol@corp.example", "wrong")) == [REFUSAL]
    # Twelve refusals spent none of the address's ten failures a minute.
    someone = UserFactory(username="someone")
    assert log_in(client, someone.username, PASSWORD).status_code == 302


def test_a_company_accounts_username_is_refused_once_the_password_is_right(client, carol):
    response = log_in(client, "carol", PASSWORD)
    assert errors_of(response) == [REFUSAL]
    assert not logged_in(client)


def test_a_wrong_password_by_username_says_nothing_of_the_company(client, carol):
    response = log_in(client, "carol", "wrong")
    assert errors_of(response) == [WRONG]
    assert REFUSAL not in response.content.decode()


def test_failed_passwords_of_a_company_account_still_count(client, carol):
    for _ in range(5):
        assert errors_of(log_in(client, "carol", "wrong")) == [WRONG]
    response = log_in(client, "carol", PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert not logged_in(client)


def test_any_address_of_the_account_makes_it_a_company_account(client):
    # Logging in by her other, ordinary address: the account is the company's.
    erin = UserFactory(username="erin")
    EmailAddress.objects.create(user=erin, email="erin@corp.example", primary=False, verified=False)
    assert errors_of(log_in(client, erin.email, PASSWORD)) == [REFUSAL]
    assert not logged_in(client)


def test_ordinary_addresses_log_in_as_before(client):
    frank = UserFactory(username="frank")
    assert log_in(client, frank.email, PASSWORD).status_code == 302
    assert logged_in(client)


def test_without_company_sign_in_every_address_logs_in_by_password(client, carol):
    with override_settings(**sso_config.overrides([])):
        assert log_in(client, "carol@corp.example", PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_profile_of_a_company_account_offers_no_password_change(client, carol):
    client.force_login(carol)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "You sign in with the company account" in page
    assert reverse("account_change_password") not in page


def test_the_profile_of_an_ordinary_account_offers_its_password_change(client):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "You sign in with the company account" not in page
    assert reverse("account_change_password") in page


# --- sign-up and password reset ----------------------------------------------------------

SIGNUP = {
    "username": "newcomer",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


@pytest.mark.parametrize("taken", [False, True])
def test_sign_up_with_a_company_address_is_refused_and_sends_nothing(client, django_capture_on_commit_callbacks, taken):
    if taken:
        UserFactory(username="carol", domain="corp.example")
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), {**SIGNUP, "email": "carol@corp.example"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [REFUSAL]
    assert User.objects.count() == users
    assert not EmailAddress.objects.filter(user__username="newcomer").exists()
    assert mail.outbox == []


def test_sign_up_with_an_ordinary_address_works_as_before(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), {**SIGNUP, "email": "newcomer@example.org"})
    assert response.status_code == 302
    assert User.objects.filter(username="newcomer").exists()
    assert len(mail.outbox) == 1


def test_a_password_reset_for_a_company_address_sends_nothing(client, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "carol@corp.example"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [REFUSAL]
    assert REFUSAL in response.content.decode()
    assert mail.outbox == []


def test_a_password_reset_for_an_ordinary_address_is_sent_as_before(client, django_capture_on_commit_callbacks):
    frank = UserFactory(username="frank")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": frank.email})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[frank.email]]


# --- the API's token endpoint -------------------------------------------------------------


def token(login, password, **extra):
    return APIClient().post(TOKEN_URL, {"username": login, "password": password}, format="json", **extra)


@pytest.mark.parametrize("password", [PASSWORD, "wrong"])
def test_the_token_endpoint_refuses_a_company_address(carol, password):
    response = token("carol@corp.example", password)
    assert response.status_code == 403
    assert response.json() == {"code": "company_sign_in_required", "detail": REFUSAL}
    assert not Token.objects.exists()


def test_the_token_endpoint_refuses_a_company_accounts_username_once_the_password_is_right(carol):
    wrong = token("carol", "wrong")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid"
    right = token("carol", PASSWORD)
    assert right.status_code == 403
    assert right.json()["code"] == "company_sign_in_required"
    assert not Token.objects.exists()


def test_the_token_endpoints_refusal_is_in_the_callers_language(carol):
    response = token("carol@corp.example", PASSWORD, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    assert response.json()["code"] == "company_sign_in_required"
    assert response.headers["Content-Language"] == "fr"


def test_the_token_endpoint_refuses_an_account_with_no_verified_address():
    UserFactory(username="unverified", verified=False)
    wrong = token("unverified", "wrong")
    assert wrong.status_code == 400  # nothing said before the password is right
    response = token("unverified", PASSWORD)
    assert response.status_code == 403
    assert response.json()["code"] == "email_unverified"
    assert not Token.objects.exists()


def test_the_token_endpoint_still_serves_ordinary_addresses():
    frank = UserFactory(username="frank")
    for login in (frank.username, frank.email):
        response = token(login, PASSWORD)
        assert response.status_code == 200
        assert response.json()["token"] == Token.objects.get(user=frank).key


def test_a_company_address_is_not_added_by_hand_but_others_are(client):
    user = UserFactory(email="someone@elsewhere.example")
    client.force_login(user)

    refused = client.post(reverse("account_email"), {"action_add": "", "email": "someone@Corp.example"})
    added = client.post(reverse("account_email"), {"action_add": "", "email": "someone@other.example"})

    assert refused.status_code == 200
    assert "come from the company sign-in" in refused.content.decode()
    assert list(user.emailaddress_set.values_list("email", flat=True).order_by("email")) == [
        "someone@elsewhere.example",
        "someone@other.example",
    ]
    assert added.status_code == 302
