"""What an SSO_PROVIDERS entry makes allauth do, seen from outside: the
authorization request the log-in button sends the browser to."""

from urllib.parse import parse_qs, urlsplit

from django.test import override_settings

import pytest

from accounts import sso_config
from tests.accounts import sso_oidc

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider():
    with sso_oidc.running_provider() as running:
        yield running


def asked_scope(client, provider, **entry) -> set[str]:
    with override_settings(**sso_config.overrides([provider.entry(**entry)])):
        authorize_url = provider.start(client)
    return set(parse_qs(urlsplit(authorize_url).query)["scope"][0].split())


def test_the_default_scope_is_openid_profile_email(client, provider):
    assert asked_scope(client, provider) == {"openid", "profile", "email"}


def test_the_configured_scope_is_asked_for(client, provider):
    # Okta and Keycloak send extra claims (department) for a scope of their own.
    scope = ["openid", "profile", "email", "ideabox"]

    assert asked_scope(client, provider, scope=scope) == set(scope)
