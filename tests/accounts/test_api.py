from django.urls import reverse

import pytest

from tests.factories import PASSWORD, UserFactory, employee

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def test_the_api_addresses_are_the_documented_ones():
    assert reverse("api:auth-token") == TOKEN_URL
    assert reverse("api:me") == ME_URL


def test_a_username_and_password_get_a_token(api_client):
    UserFactory(username="alice")
    response = api_client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    assert len(response.json()["token"]) == 40


def test_asking_twice_gives_the_same_token(api_client):
    UserFactory(username="alice")
    first = api_client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    second = api_client.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert first.json()["token"] == second.json()["token"]


def test_a_wrong_password_gets_no_token(api_client):
    UserFactory(username="alice")
    response = api_client.post(TOKEN_URL, {"username": "alice", "password": "wrong"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "Unable to log in with these credentials."


def test_an_inactive_user_gets_no_token(api_client):
    UserFactory(username="gone", is_active=False)
    response = api_client.post(TOKEN_URL, {"username": "gone", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_missing_fields_are_named(api_client):
    response = api_client.post(TOKEN_URL, {"username": "alice"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"password"}


def test_malformed_json_is_a_clear_400(api_client):
    response = api_client.post(TOKEN_URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "JSON" in response.json()["detail"]


def test_a_wrong_method_is_a_405_in_the_error_format(api_client):
    response = api_client.get(TOKEN_URL)
    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "detail": 'Method "GET" not allowed.'}


def test_an_unsupported_media_type_is_a_415(api_client):
    response = api_client.post(TOKEN_URL, data="<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_me_without_credentials_is_401_with_a_challenge(api_client):
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


def test_me_with_a_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_token_of_a_user_made_inactive_stops_working(api_client):
    from rest_framework.authtoken.models import Token

    user = UserFactory()
    token = Token.objects.create(user=user)
    user.is_active = False
    user.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_token_lookup_brings_the_user_whole_with_their_addresses():
    """accounts.authentication reads the user from one plain query: every
    field must land where it belongs, and the roles need no other query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rest_framework.authtoken.models import Token

    from accounts import roles
    from accounts.authentication import TokenAuthentication

    stored = employee(username="zoe", display_name="Zoé Z.", language="fr")
    token = Token.objects.create(user=stored)
    user, auth = TokenAuthentication().authenticate_credentials(token.key)
    assert auth.key == token.key
    for field in type(stored)._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(stored, field.attname), field.attname
    with CaptureQueriesContext(connection) as captured:
        assert roles.is_employee(user)
    assert len(captured) == (0 if connection.vendor == "postgresql" else 1)


def test_me_with_a_token_describes_the_user_and_roles(api_client):
    employee(username="emma", display_name="Emma E.", groups=["moderators"])
    token = api_client.post(TOKEN_URL, {"username": "emma", "password": PASSWORD}, format="json").json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get(ME_URL)
    assert response.status_code == 200
    assert response.json() == {
        "username": "emma",
        "display_name": "Emma E.",
        "email": "emma@ideabox.example",
        "language": "",
        "roles": ["participant", "employee", "moderator"],
        "is_employee": True,
        "email_verified": True,
        "entity": None,
    }


def test_me_with_a_session_works_too(client):
    user = UserFactory(username="paul", verified=False)
    client.force_login(user)
    body = client.get(ME_URL).json()
    assert body["username"] == "paul"
    assert body["display_name"] == "paul"
    assert body["roles"] == []
    assert body["email_verified"] is False


def test_me_only_reads(api_client):
    api_client.force_authenticate(UserFactory())
    response = api_client.post(ME_URL, {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_session_post_without_csrf_is_refused(client):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(UserFactory())
    response = csrf_client.post(ME_URL, {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_the_api_answers_in_french_when_asked(api_client):
    response = api_client.get(ME_URL, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 401
    assert response.json()["detail"] == "Les identifiants d'authentification n'ont pas été fournis."
