"""Who may open the personal pages, use an unsubscribe link and fetch an
API token, role by role."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
from allauth.socialaccount.models import SocialAccount
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import notifications
from accounts.models import NotificationSettings
from campaigns.models import Audience
from tests.factories import (
    DAY,
    PASSWORD,
    ROLES,
    ROLES_WITH_COMPANY,
    CampaignFactory,
    UserFactory,
    answers_as,
    company_leaver,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["accounts:profile", "votes:my_receipts", "ideas:invitations"])
def test_the_personal_pages_are_for_whoever_is_logged_in(client, role, page):
    user = user_with_role(role)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(page))
    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unsubscribe_link_works_for_whoever_holds_it_and_nobody_else(client, role, method):
    """The signed token is the permission: no log-in, whoever is logged in
    (the mail client's one-click POST has no session); a forged token is refused."""
    owner = UserFactory()
    notifications.update_notification_settings(user=owner, weekly_digest=True)
    user = user_with_role(role)
    if user is not None:
        client.force_login(user)
    token = notifications.unsubscribe_token(user_id=owner.pk, kind="weekly_digest")
    forged = client.post(reverse("accounts:unsubscribe", args=[token[:-2] + "xx"]))
    assert forged.status_code == 400
    assert NotificationSettings.objects.get(user=owner).weekly_digest is True
    response = getattr(client, method)(reverse("accounts:unsubscribe", args=[token]))
    assert response.status_code == 200
    # GET only asks (link scanners follow links); POST turns the e-mails off.
    assert NotificationSettings.objects.get(user=owner).weekly_digest is (method == "get")
    if user is not None:
        assert not NotificationSettings.objects.filter(user=user).exists()  # the holder's, not the caller's


@pytest.mark.parametrize("role", ROLES)
def test_every_account_exchanges_its_own_credentials_for_a_token(role):
    user = user_with_role(role)
    api = APIClient()
    url = reverse("api:auth-token")
    if user is None:
        response = api.post(url, {"username": "nobody", "password": PASSWORD}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert not Token.objects.exists()
        return
    wrong = api.post(url, {"username": user.username, "password": "wrong"}, format="json")
    assert wrong.status_code == 400
    assert not Token.objects.filter(user=user).exists()
    response = api.post(url, {"username": user.username, "password": PASSWORD}, format="json")
    if role == "unverified":
        # As the log-in page, which signs in no unverified address
        # (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
        assert response.status_code == 403
        assert response.json()["code"] == "email_unverified"
        assert not Token.objects.filter(user=user).exists()
        return
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key


# --- a token answers as a session does ---------------------------------------------------------
# The token lookup (accounts.authentication) reads the verified addresses and
# the last company sign-in in its own query on PostgreSQL: the same roles as
# a signed-in session must come out of it.


def _token_client(user) -> APIClient:
    api = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


@pytest.mark.parametrize("role", [role for role in ROLES_WITH_COMPANY if role != "visitor"])
def test_a_token_gives_the_roles_a_session_gives(client, role):
    user = user_with_role(role)
    internal = CampaignFactory(audience=Audience.INTERNAL)
    client.force_login(user)
    by_session = client.get(reverse("api:me"))
    by_token = _token_client(user).get(reverse("api:me"))
    assert by_session.status_code == by_token.status_code == 200
    assert by_token.json() == by_session.json()
    assert by_token.json()["is_employee"] is (answers_as(role) == "employee")
    detail = reverse("api:campaigns-detail", kwargs={"slug": internal.slug})
    expected = 200 if answers_as(role) in ("employee", "moderator", "manager") else 404
    assert client.get(detail).status_code == _token_client(user).get(detail).status_code == expected


def test_the_latest_of_several_company_sign_ins_counts(client):
    """A second provider's recent sign-in keeps a person an employee whose
    first provider's sign-in is too old (the lookup takes the latest)."""
    user = company_leaver()
    account = SocialAccount.objects.create(user=user, provider="other", uid="other-1")
    assert _token_client(user).get(reverse("api:me")).json()["is_employee"] is True
    SocialAccount.objects.filter(pk=account.pk).update(last_login=timezone.now() - 40 * DAY)
    assert _token_client(user).get(reverse("api:me")).json()["is_employee"] is False
    client.force_login(user)
    assert client.get(reverse("api:me")).json()["is_employee"] is False


@pytest.mark.parametrize("role", ["participant", "employee", "company employee", "company leaver"])
def test_a_token_reads_the_company_sign_in_without_another_query(django_assert_num_queries, role):
    """An employee by company sign-in costs a token call no more queries than
    one by address (on PostgreSQL, the lookup itself reads it)."""
    baseline = _token_client(user_with_role("participant"))
    with CaptureQueriesContext(connection) as expected:
        assert baseline.get(reverse("api:me")).status_code == 200
    api = _token_client(user_with_role(role))
    with django_assert_num_queries(len(expected)):
        assert api.get(reverse("api:me")).status_code == 200
