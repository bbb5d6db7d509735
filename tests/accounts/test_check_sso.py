"""`manage.py check_sso` against real servers: an OpenID Connect provider
(oidc-provider-mock, tests.accounts.sso_oidc), the SAML test identity
provider's metadata server for what a real provider would not serve wrong
(tests.accounts.saml_idp), and certificates made here."""

import json
import socket
from datetime import UTC, datetime, timedelta
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts import sso_config
from tests.accounts import saml_idp, sso_oidc
from tests.accounts.saml_idp import bare, certificate


@pytest.fixture(scope="module")
def oidc_server():
    with sso_oidc.running_provider() as provider:
        yield provider.base_url


def serving(document):
    """A server answering this (a JSON document, or text) at every path."""
    return saml_idp.metadata_server(document if isinstance(document, str) else json.dumps(document))


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def oidc(provider_id: str, server_url: str) -> dict:
    return {
        "protocol": "openid_connect",
        "id": provider_id,
        "name": provider_id.title(),
        "server_url": server_url,
        "client_id": "ideabox",
        "secret": "s3cret",
        "domains": ["corp.example"],
    }


def saml(provider_id: str, idp: dict) -> dict:
    return {"protocol": "saml", "id": provider_id, "name": provider_id.title(), "domains": [], "idp": idp}


def saml_with_cert(provider_id: str, cert: str) -> dict:
    return saml(
        provider_id,
        {"entity_id": "https://idp.corp.example", "sso_url": "https://idp.corp.example/sso", "x509cert": cert},
    )


def check(*entries) -> tuple[str, int]:
    """The command's output and exit status."""
    out = StringIO()
    with override_settings(**sso_config.overrides(list(entries))):
        try:
            call_command("check_sso", stdout=out)
        except CommandError as error:
            return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def line_of(output: str, provider_id: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"{provider_id} "))


def now() -> datetime:
    return datetime.now(UTC)


def test_it_says_so_when_no_provider_is_configured():
    output, status = check()

    assert status == 0
    assert "No company sign-in provider is configured" in output


def test_a_running_openid_connect_provider_passes(oidc_server):
    output, status = check(oidc("corp", oidc_server))

    assert status == 0
    assert line_of(output, "corp") == f"corp (OpenID Connect): OK, issuer {oidc_server}"


def test_the_discovery_address_may_be_given_whole(oidc_server):
    output, status = check(oidc("corp", f"{oidc_server}/.well-known/openid-configuration"))

    assert status == 0, output


def test_an_unreachable_provider_fails_with_exit_status_1(oidc_server):
    unreachable = f"http://127.0.0.1:{sso_oidc.free_port()}"

    output, status = check(oidc("corp", oidc_server), oidc("gone", unreachable))

    assert status == 1
    assert "OK" in line_of(output, "corp")
    assert line_of(output, "gone").startswith(f"gone (OpenID Connect): FAILED, the discovery document {unreachable}")
    assert "1 identity provider of 2 failed the check." in output


def test_a_provider_that_does_not_answer_in_time_fails(oidc_server):
    # A listening socket that never answers: the sign-in's own timeout ends the wait.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        with override_settings(SOCIALACCOUNT_REQUESTS_TIMEOUT=0.5):
            output, status = check(oidc("slow", f"http://127.0.0.1:{silent.getsockname()[1]}"))
    finally:
        silent.close()

    assert status == 1
    assert "timed out" in line_of(output, "slow")


def test_a_discovery_document_without_the_endpoints_fails():
    with serving({"issuer": "x", "authorization_endpoint": "https://idp/authorize"}) as url:
        output, status = check(oidc("half", url))

    assert status == 1
    assert "lacks token_endpoint, userinfo_endpoint, jwks_uri" in line_of(output, "half")


def test_an_answer_that_is_not_a_discovery_document_fails():
    with serving("<html>Sign in</html>") as url:
        output, status = check(oidc("html", url))

    assert status == 1
    assert "FAILED" in line_of(output, "html")


def test_a_template_issuer_fails():
    # What Entra ID's /common/v2.0 answers: no token carries that issuer.
    base = "https://login.microsoftonline.com/common"
    document = {
        "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "jwks_uri": f"{base}/discovery/v2.0/keys",
    }
    with serving(document) as url:
        output, status = check(oidc("common", url))

    assert status == 1
    assert "is a template" in line_of(output, "common")


def test_signing_keys_that_hold_no_key_fail():
    with serving({"keys": []}) as keys_url:
        document = {
            "issuer": "https://idp.corp.example",
            "authorization_endpoint": "https://idp.corp.example/authorize",
            "token_endpoint": "https://idp.corp.example/token",
            "userinfo_endpoint": "https://idp.corp.example/userinfo",
            "jwks_uri": keys_url,
        }
        with serving(document) as url:
            output, status = check(oidc("keyless", url))

    assert status == 1
    assert f"the signing keys {keys_url} hold no key" in line_of(output, "keyless")


def test_a_valid_saml_certificate_passes_with_or_without_its_pem_lines(key):
    pem = certificate(key, not_before=now() - timedelta(days=1), not_after=now() + timedelta(days=365))

    output, status = check(saml_with_cert("pem", pem), saml_with_cert("bare", bare(pem)))

    assert status == 0, output
    assert "OK, the certificate is valid until" in line_of(output, "pem")
    assert "OK, the certificate is valid until" in line_of(output, "bare")


def test_an_expired_saml_certificate_fails(key):
    pem = certificate(key, not_before=now() - timedelta(days=400), not_after=now() - timedelta(days=1))

    output, status = check(saml_with_cert("old", pem))

    assert status == 1
    assert line_of(output, "old").startswith("old (SAML 2.0): FAILED, the certificate expired on")


def test_a_saml_certificate_near_its_end_passes_with_a_warning(key):
    pem = certificate(key, not_before=now() - timedelta(days=300), not_after=now() + timedelta(days=5))

    output, status = check(saml_with_cert("soon", pem))

    assert status == 0
    assert "expires soon" in line_of(output, "soon")


def test_a_saml_certificate_not_yet_valid_fails(key):
    pem = certificate(key, not_before=now() + timedelta(days=2), not_after=now() + timedelta(days=400))

    output, status = check(saml_with_cert("early", pem))

    assert status == 1
    assert "is not valid before" in line_of(output, "early")


@pytest.mark.parametrize("garbage", ["garbage", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"])
def test_a_saml_certificate_that_is_not_one_fails(garbage):
    output, status = check(saml_with_cert("junk", garbage))

    assert status == 1
    assert line_of(output, "junk").startswith("junk (SAML 2.0): FAILED, the certificate cannot be read")


def test_saml_metadata_is_fetched_and_its_certificate_checked(key):
    expired = certificate(key, not_before=now() - timedelta(days=400), not_after=now() - timedelta(days=1))
    stale = saml_idp.metadata().replace(saml_idp.idp_credentials().x509cert, bare(expired))
    entity = saml_idp.ENTITY_ID
    with saml_idp.metadata_server() as fresh_url, saml_idp.metadata_server(stale) as stale_url:
        output, status = check(
            saml("fresh", {"entity_id": entity, "metadata_url": fresh_url}),
            saml("stale", {"entity_id": entity, "metadata_url": stale_url}),
            saml("other", {"entity_id": "https://other.example", "metadata_url": fresh_url}),
            saml("lost", {"entity_id": entity, "metadata_url": saml_idp.unreachable_url()}),
        )

    assert status == 1
    assert "OK, the certificate is valid until" in line_of(output, "fresh")
    assert "FAILED, the certificate expired on" in line_of(output, "stale")
    assert "FAILED, the metadata" in line_of(output, "other")
    assert "FAILED, the metadata" in line_of(output, "lost")
    assert "3 identity providers of 4 failed the check." in output
