"""Failed logins are limited per client address and login together, and per
address: an attacker cannot lock the owner out (issue 9, item 14). The login
page and the token endpoint count the same failures; successes count nothing.
"""

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


@pytest.fixture(autouse=True)
def _production_rates(settings):
    # What production runs (the settings' default), whatever the environment says.
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}


def html_login(client, login, password, address):
    return client.post(reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=address)


def token(login, password, address, **extra):
    return APIClient().post(TOKEN_URL, {"username": login, "password": password}, REMOTE_ADDR=address, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out_of_the_login_page(client):
    UserFactory(username="alice")
    attacker = client.__class__()
    for _ in range(5):
        assert html_login(attacker, "alice", "wrong", ATTACKER).status_code == 200
    response = html_login(client, "alice", PASSWORD, OWNER)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_attackers_address_is_refused_even_the_right_password_after_five_failures(client):
    UserFactory(username="alice")
    for _ in range(5):
        html_login(client, "alice", "wrong", ATTACKER)
    response = html_login(client, "alice", PASSWORD, ATTACKER)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not logged_in(client)


def test_an_address_that_fails_on_many_accounts_is_throttled_for_every_account(client):
    UserFactory(username="bob")
    for n in range(10):
        html_login(client, f"someone{n}", "wrong", ATTACKER)
    response = html_login(client, "bob", PASSWORD, ATTACKER)
    assert "Too many failed login attempts" in response.content.decode()
    assert not logged_in(client)
    # Another address is not concerned.
    assert html_login(client, "bob", PASSWORD, OWNER).status_code == 302


def test_behind_the_proxy_the_forwarded_address_is_the_one_counted(client, settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="alice")
    attacker = client.__class__()
    for _ in range(5):
        attacker.post(
            reverse("account_login"),
            {"login": "alice", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
    response = client.post(
        reverse("account_login"),
        {"login": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=OWNER,
    )
    assert response.status_code == 302


def test_logins_and_votes_count_the_same_client_address_and_a_malformed_forwarded_one_is_no_error(client, settings):
    from ideabox.http import client_address

    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="alice")
    response = client.post(
        reverse("account_login"),
        {"login": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    # allauth's own reading refused the request (no client address); ours
    # counts a malformed entry as the proxy's address, as the vote limiter does.
    assert response.status_code == 302
    assert logged_in(client)
    request = response.wsgi_request
    from allauth.account.adapter import get_adapter

    assert get_adapter().get_client_ip(request) == client_address(request) == "10.0.0.1"


def test_ten_colleagues_behind_one_address_all_get_their_tokens(monkeypatch):
    # The rate DRF's throttle had in production, which counted successes too.
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "10/minute"})
    for n in range(12):
        UserFactory(username=f"colleague{n}")
        response = token(f"colleague{n}", PASSWORD, OWNER)
        assert response.status_code == 200, response.json()
        assert len(response.json()["token"]) == 40


def test_failed_token_requests_are_throttled_per_address_and_login():
    UserFactory(username="alice")
    for _ in range(5):
        response = token("alice", "wrong", ATTACKER)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
    response = token("alice", PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["detail"].startswith("Too many failed login attempts. Try again later.")
    assert int(response["Retry-After"]) == 300
    # The owner, from their own address, is not locked out.
    assert token("alice", PASSWORD, OWNER).status_code == 200


def test_failed_token_requests_on_many_accounts_throttle_the_address():
    UserFactory(username="bob")
    for n in range(10):
        assert token(f"someone{n}", "wrong", ATTACKER).status_code == 400
    assert token("bob", PASSWORD, ATTACKER).status_code == 429
    assert token("bob", PASSWORD, OWNER).status_code == 200


def test_the_login_page_and_the_token_endpoint_count_the_same_failures(client):
    UserFactory(username="alice")
    for _ in range(3):
        html_login(client, "alice", "wrong", ATTACKER)
    for _ in range(2):
        assert token("alice", "wrong", ATTACKER).status_code == 400
    assert token("alice", PASSWORD, ATTACKER).status_code == 429
    assert "Too many failed login attempts" in html_login(client, "alice", PASSWORD, ATTACKER).content.decode()


def test_the_throttled_answer_is_translated():
    UserFactory(username="alice")
    for _ in range(5):
        token("alice", "wrong", ATTACKER)
    response = token("alice", PASSWORD, ATTACKER, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Trop de tentatives de connexion")
