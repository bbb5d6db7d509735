"""Who may open the personal pages, use an unsubscribe link and fetch an
API token, role by role."""

from django.urls import reverse

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import notifications
from accounts.models import NotificationSettings
from tests.factories import PASSWORD, ROLES, UserFactory, user_with_role

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
