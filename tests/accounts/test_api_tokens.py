"""API tokens from the profile page: people who only sign in through the
company have no password for the token endpoint, so everybody signed in may
create, replace and revoke their token there. The key is shown once."""

from django.db import connection
from django.urls import reverse

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from accounts.models import AuditAction, AuditEvent
from tests.concurrency import at_once
from tests.factories import COMPANY_ROLES, PASSWORD, ROLES, UserFactory, company_employee, user_with_role

pytestmark = pytest.mark.django_db

ISSUE = "/accounts/profile/token/"
REVOKE = "/accounts/profile/token/revoke/"
PROFILE = "/accounts/profile/"
ME_URL = "/api/v1/me/"


def me(key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(ME_URL)


def issue(client) -> str:
    response = client.post(ISSUE)
    assert response.status_code == 200
    return response.context["key"]


def test_the_routes_are_the_documented_ones():
    assert reverse("accounts:token") == ISSUE
    assert reverse("accounts:token_revoke") == REVOKE


@pytest.mark.parametrize("role", ROLES + tuple(COMPANY_ROLES))
def test_every_signed_in_person_manages_their_own_api_token(client, role):
    user = user_with_role(role)
    if user is not None:
        client.force_login(user)
    for url in (ISSUE, REVOKE):
        assert client.get(url).status_code == 405
    if user is None:
        for url in (ISSUE, REVOKE):
            response = client.post(url)
            assert response.status_code == 302
            # Back to the profile page once logged in (a GET here is 405).
            assert response["Location"] == f"{reverse('account_login')}?next={PROFILE}"
        assert not Token.objects.exists()
        return
    key = issue(client)
    assert Token.objects.get().user == user
    assert me(key).status_code == 200
    response = client.post(REVOKE)
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert not Token.objects.exists()
    assert me(key).status_code == 401


def test_a_company_employee_gets_a_token_that_works_as_them(client):
    person = company_employee(username="carol")
    client.force_login(person)
    body = me(issue(client)).json()
    assert (body["username"], body["is_employee"]) == ("carol", True)


def test_the_profile_offers_to_create_a_token_when_there_is_none(client):
    client.force_login(UserFactory())
    page = client.get(PROFILE).content.decode()
    assert "API token" in page
    assert "Create a token" in page
    assert "Replace the token" not in page
    assert "Revoke" not in page


def test_the_key_is_shown_once_and_never_again(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(ISSUE)
    key = Token.objects.get(user=user).key
    page = response.content.decode()
    assert key in page
    assert "Copy it now" in page
    assert f"Authorization: Token {key}" in page
    assert reverse("api-docs") in page
    # Nobody keeps a copy: not the browser's cache, not a later page.
    assert "no-store" in response["Cache-Control"]
    profile = client.get(PROFILE).content.decode()
    assert key not in profile
    assert "Replace the token" in profile
    assert "Revoke" in profile
    assert "Create a token" not in profile


def test_replacing_the_token_stops_the_old_one_working(client):
    user = UserFactory()
    client.force_login(user)
    old = issue(client)
    new = issue(client)
    assert new != old
    assert me(old).status_code == 401
    assert me(new).status_code == 200
    assert list(Token.objects.values_list("key", flat=True)) == [new]


def test_a_token_from_the_endpoint_is_replaced_the_same_way(client):
    user = UserFactory(username="alice")
    old = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    client.force_login(user)
    new = issue(client)
    assert me(old.json()["token"]).status_code == 401
    assert me(new).status_code == 200


def test_revoking_when_there_is_no_token_is_harmless(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(REVOKE, follow=True)
    assert response.status_code == 200
    assert not Token.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE).exists()
    assert "was revoked" not in response.content.decode()


def test_revoking_says_so(client):
    client.force_login(UserFactory())
    issue(client)
    response = client.post(REVOKE, follow=True)
    assert "Your API token was revoked: it no longer works." in response.content.decode()
    assert "Create a token" in response.content.decode()


def test_the_buttons_need_the_csrf_token():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post(ISSUE).status_code == 403
    assert client.post(REVOKE).status_code == 403
    assert not Token.objects.exists()


def test_issuing_and_revoking_are_audited_without_the_key(client):
    user = UserFactory()
    client.force_login(user)
    first = issue(client)
    second = issue(client)
    client.post(REVOKE)
    events = list(AuditEvent.objects.order_by("pk").values_list("actor_id", "action", "object_id", "detail"))
    assert events == [
        (user.pk, AuditAction.TOKEN_ISSUE, user.pk, {"replaced": False}),
        (user.pk, AuditAction.TOKEN_ISSUE, user.pk, {"replaced": True}),
        (user.pk, AuditAction.TOKEN_REVOKE, user.pk, {}),
    ]
    stored = repr(list(AuditEvent.objects.values()))
    assert first not in stored
    assert second not in stored


def test_the_endpoint_audits_the_token_it_creates_once():
    UserFactory(username="alice")
    for _ in range(2):
        APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert list(AuditEvent.objects.values_list("action", "detail")) == [(AuditAction.TOKEN_ISSUE, {"replaced": False})]


def test_the_services_issue_and_revoke():
    user = UserFactory()
    key = services.issue_api_token(user=user)
    assert Token.objects.get(user=user).key == key
    assert services.revoke_api_token(user=user) is True
    assert services.revoke_api_token(user=user) is False
    assert not Token.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_issues_at_once_leave_one_token_and_no_error():
    user = UserFactory()
    outcomes = at_once(lambda: services.issue_api_token(user=user), lambda: services.issue_api_token(user=user))
    assert all(isinstance(key, str) and len(key) == 40 for key in outcomes), outcomes
    # The later of the two replaced the first: only its key works.
    assert Token.objects.filter(user=user).count() == 1
    assert Token.objects.get(user=user).key in outcomes
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_ISSUE).count() == 2
