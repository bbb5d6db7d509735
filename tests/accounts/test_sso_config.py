"""What an SSO_PROVIDERS entry makes allauth do, seen from outside: the
authorization request the log-in button sends the browser to."""

from urllib.parse import parse_qs, urlsplit

from django.test import override_settings
from django.urls import reverse

import pytest
from oidc_provider_mock import run_server_in_thread

from accounts import sso_config

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def oidc_server():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def entry(server_url: str, **extra) -> dict:
    return {
        "protocol": "openid_connect",
        "id": "corp",
        "name": "Corp",
        "server_url": server_url,
        "client_id": "ideabox",
        "secret": "s3cret",
        "domains": ["corp.example"],
        **extra,
    }


def asked_scope(client, provider: dict) -> set[str]:
    with override_settings(**sso_config.overrides([provider])):
        response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "corp"}))
    assert response.status_code == 302
    return set(parse_qs(urlsplit(response["Location"]).query)["scope"][0].split())


def test_the_default_scope_is_openid_profile_email(client, oidc_server):
    assert asked_scope(client, entry(oidc_server)) == {"openid", "profile", "email"}


def test_the_configured_scope_is_asked_for(client, oidc_server):
    # Okta and Keycloak send extra claims (department) for a scope of their own.
    scope = ["openid", "profile", "email", "ideabox"]

    assert asked_scope(client, entry(oidc_server, scope=scope)) == set(scope)
