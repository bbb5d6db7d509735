"""`manage.py check_sso` against real servers: an OpenID Connect provider
(oidc-provider-mock) and a small HTTP server for what a real one would not
serve wrong, and certificates made here."""

import http.server
import socket
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from oidc_provider_mock import run_server_in_thread

from accounts import sso_config


@pytest.fixture(scope="module")
def oidc_server():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@contextmanager
def http_server(pages: dict[str, tuple[str, bytes]]):
    """Serves {path: (content type, body)}; anything else is a 404."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in pages:
                self.send_error(404)
                return
            content_type, body = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(key, *, not_before: datetime, not_after: datetime) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.corp.example")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def bare(pem: str) -> str:
    """The base64 body alone, as metadata and many downloads give it."""
    return "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)


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
    # A port nobody listens on: the connection is refused at once.
    with http_server({}) as url:
        unreachable = url
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
    document = b'{"issuer": "x", "authorization_endpoint": "https://idp/authorize"}'
    with http_server({"/.well-known/openid-configuration": ("application/json", document)}) as url:
        output, status = check(oidc("half", url))

    assert status == 1
    assert "lacks token_endpoint, userinfo_endpoint, jwks_uri" in line_of(output, "half")


def test_an_answer_that_is_not_a_discovery_document_fails():
    with http_server({"/.well-known/openid-configuration": ("text/html", b"<html>Sign in</html>")}) as url:
        output, status = check(oidc("html", url))

    assert status == 1
    assert "FAILED" in line_of(output, "html")


def test_a_template_issuer_fails():
    # What Entra ID's /common/v2.0 answers: no token carries that issuer.
    with http_server({}) as base:
        pass
    document = (
        '{"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",'
        f' "authorization_endpoint": "{base}/a", "token_endpoint": "{base}/t",'
        f' "userinfo_endpoint": "{base}/u", "jwks_uri": "{base}/k"}}'
    ).encode()
    with http_server({"/.well-known/openid-configuration": ("application/json", document)}) as url:
        output, status = check(oidc("common", url))

    assert status == 1
    assert "is a template" in line_of(output, "common")


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


def metadata(entity_id: str, cert: str) -> bytes:
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>
      <ds:X509Certificate>{bare(cert)}</ds:X509Certificate>
    </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.corp.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>""".encode()


def test_saml_metadata_is_fetched_and_its_certificate_checked(key):
    valid = certificate(key, not_before=now() - timedelta(days=1), not_after=now() + timedelta(days=365))
    expired = certificate(key, not_before=now() - timedelta(days=400), not_after=now() - timedelta(days=1))
    pages = {
        "/valid": ("application/xml", metadata("https://idp.corp.example", valid)),
        "/expired": ("application/xml", metadata("https://idp.corp.example", expired)),
    }
    with http_server(pages) as url:
        output, status = check(
            saml("fresh", {"entity_id": "https://idp.corp.example", "metadata_url": f"{url}/valid"}),
            saml("stale", {"entity_id": "https://idp.corp.example", "metadata_url": f"{url}/expired"}),
            saml("other", {"entity_id": "https://other.example", "metadata_url": f"{url}/valid"}),
            saml("lost", {"entity_id": "https://idp.corp.example", "metadata_url": f"{url}/missing"}),
        )

    assert status == 1
    assert "OK, the certificate is valid until" in line_of(output, "fresh")
    assert "FAILED, the certificate expired on" in line_of(output, "stale")
    assert "FAILED, the metadata" in line_of(output, "other")
    assert "FAILED, the metadata" in line_of(output, "lost")
    assert "3 identity providers of 4 failed the check." in output
