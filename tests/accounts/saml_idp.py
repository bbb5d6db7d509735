"""A SAML 2.0 identity provider for the tests: it reads our AuthnRequest and
answers with a Response whose Assertion it signs, as Entra ID, Okta or
Keycloak would, so the tests post real signed XML to allauth's assertion
consumer and python3-saml checks it with xmlsec.

One RSA key and self-signed certificate are made per test session
(`idp_credentials()`; `other_credentials()` is a stranger's, to forge with).

    request = saml_idp.read_request(response["Location"])
    xml = saml_idp.build_response(request, email="ann@corp.example")
    client.post(request.acs_url, {"SAMLResponse": saml_idp.encode(xml), "RelayState": request.relay_state})
"""

import base64
import contextlib
import datetime as dt
import functools
import http.server
import socket
import threading
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils

ENTITY_ID = "https://idp.corp.example/saml"
SSO_URL = "https://idp.corp.example/sso"
# Our side, as the tests' requests reach it. allauth's SAML views read the
# Host header, which Django's test client sends only when told to.
SP_HOST = "testserver"

# The attribute names Entra ID sends (accounts.sso_config's defaults).
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN_NAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
SURNAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"
DISPLAY_NAME = "http://schemas.microsoft.com/identity/claims/displayname"
OBJECT_ID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
DEPARTMENT = "department"
LANGUAGE = "preferredLanguage"

_SAMLP = OneLogin_Saml2_Constants.NS_SAMLP
_NOT_GIVEN = object()


@dataclass(frozen=True)
class Credentials:
    key_pem: str
    cert_pem: str

    @property
    def x509cert(self) -> str:
        return bare(self.cert_pem)


def bare(pem: str) -> str:
    """A certificate as an operator pastes it into SSO_PROVIDERS (and as
    metadata holds it): the base64 body, without the PEM armour."""
    return "".join(line for line in pem.splitlines() if "-----" not in line)


def certificate(
    key: rsa.RSAPrivateKey,
    *,
    not_before: dt.datetime,
    not_after: dt.datetime,
    common_name: str = "idp.corp.example",
) -> str:
    """A self-signed certificate of `key`, valid between these moments (PEM)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
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


def _make_credentials(common_name: str) -> Credentials:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert_pem = certificate(
        key, not_before=now - dt.timedelta(days=1), not_after=now + dt.timedelta(days=3650), common_name=common_name
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return Credentials(key_pem=key_pem, cert_pem=cert_pem)


@functools.cache
def idp_credentials() -> Credentials:
    """The identity provider's key and certificate (one per test session)."""
    return _make_credentials("idp.corp.example")


@functools.cache
def other_credentials() -> Credentials:
    """Someone else's key: what a forger signs with."""
    return _make_credentials("forger.example")


def provider_entry(**changes) -> dict:
    """The SSO_PROVIDERS entry of this identity provider ("corp", serving
    corp.example), with the attribute names Entra ID sends."""
    return {
        "protocol": "saml",
        "id": "corp",
        "name": "Corp",
        "domains": ["corp.example"],
        "idp": {"entity_id": ENTITY_ID, "sso_url": SSO_URL, "x509cert": idp_credentials().x509cert},
        **changes,
    }


@dataclass(frozen=True)
class AuthnRequest:
    """What our service provider asked for, read from its redirect."""

    id: str
    acs_url: str
    issuer: str
    relay_state: str


def read_request(location: str, *, sso_url: str = SSO_URL) -> AuthnRequest:
    """Decode the HTTP-Redirect binding: SAMLRequest is deflated, base64'd."""
    url = urlsplit(location)
    assert f"{url.scheme}://{url.netloc}{url.path}" == sso_url, location
    query = parse_qs(url.query, keep_blank_values=True)
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
    root = etree.fromstring(xml)
    assert root.tag == f"{{{_SAMLP}}}AuthnRequest", root.tag
    issuer = root.findtext(f"{{{OneLogin_Saml2_Constants.NS_SAML}}}Issuer")
    return AuthnRequest(
        id=root.get("ID"),
        acs_url=root.get("AssertionConsumerServiceURL"),
        issuer=issuer,
        relay_state=query.get("RelayState", [""])[0],
    )


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _attribute(name: str, values) -> str:
    if isinstance(values, str):
        values = [values]
    return (
        f"<saml:Attribute Name={quoteattr(name)} NameFormat="
        f'"urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">'
        + "".join(f'<saml:AttributeValue xsi:type="xs:string">{escape(v)}</saml:AttributeValue>' for v in values)
        + "</saml:Attribute>"
    )


def default_attributes(
    *, email: str, first_name: str = "Ann", last_name: str = "Archer", department: str = "", language: str = ""
) -> dict:
    """The attributes Entra ID sends for a person (with Entra's names)."""
    attributes = {
        EMAIL: email,
        GIVEN_NAME: first_name,
        SURNAME: last_name,
        DISPLAY_NAME: f"{first_name} {last_name}".strip(),
    }
    if department:
        attributes[DEPARTMENT] = department
    if language:
        attributes[LANGUAGE] = language
    return attributes


def build_response(
    request: AuthnRequest | None,
    *,
    email: str = "ann@corp.example",
    attributes: dict | None = None,
    name_id: str | None = None,
    issuer: str = ENTITY_ID,
    audience=_NOT_GIVEN,
    destination=_NOT_GIVEN,
    in_response_to=_NOT_GIVEN,
    now: dt.datetime | None = None,
    valid_for: dt.timedelta = dt.timedelta(minutes=5),
    credentials: Credentials | None = None,
    sign_assertion: bool = True,
    sign_response: bool = False,
    sha1: bool = False,
    name_id_format: str = OneLogin_Saml2_Constants.NAMEID_PERSISTENT,
    **person,
) -> str:
    """A SAML Response answering `request` (None: unsolicited, as an
    IdP-initiated sign-in is), its Assertion signed by `credentials` (the
    identity provider's by default).

    `attributes` are sent as they are; otherwise Entra ID's for `email` and
    `person` (first_name, last_name, department, language). The audience is
    our SP's entity id (allauth's metadata URL by default), the destination
    and recipient the request's ACS URL; `now` and `valid_for` place the
    assertion in time (a past `now` makes an expired one). Signed with
    RSA-SHA256, or RSA-SHA1 with `sha1` (deprecated, as old ADFS did).
    """
    credentials = credentials or idp_credentials()
    now = now or dt.datetime.now(dt.UTC)
    acs_url = request.acs_url if request else f"http://{SP_HOST}/accounts/saml/corp/acs/"
    if audience is _NOT_GIVEN:
        audience = acs_url.replace("/acs/", "/metadata/")
    if destination is _NOT_GIVEN:
        destination = acs_url
    if in_response_to is _NOT_GIVEN:
        in_response_to = request.id if request else None
    if attributes is None:
        attributes = default_attributes(email=email, **person)
    answering = f" InResponseTo={quoteattr(in_response_to)}" if in_response_to else ""
    issued, until = _instant(now), _instant(now + valid_for)
    assertion_id = f"_a{uuid.uuid4().hex}"
    audience_restriction = (
        f"<saml:AudienceRestriction><saml:Audience>{escape(audience)}</saml:Audience></saml:AudienceRestriction>"
        if audience
        else ""
    )
    assertion = (
        f'<saml:Assertion xmlns:saml="{OneLogin_Saml2_Constants.NS_SAML}"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' ID="{assertion_id}" Version="2.0" IssueInstant="{issued}">'
        f"<saml:Issuer>{escape(issuer)}</saml:Issuer>"
        "<saml:Subject>"
        f"<saml:NameID Format={quoteattr(name_id_format)}>{escape(name_id or email)}</saml:NameID>"
        f'<saml:SubjectConfirmation Method="{OneLogin_Saml2_Constants.CM_BEARER}">'
        f"<saml:SubjectConfirmationData NotOnOrAfter={quoteattr(until)} Recipient={quoteattr(acs_url)}{answering}/>"
        "</saml:SubjectConfirmation>"
        "</saml:Subject>"
        f'<saml:Conditions NotBefore="{_instant(now - dt.timedelta(seconds=30))}" NotOnOrAfter="{until}">'
        f"{audience_restriction}</saml:Conditions>"
        f'<saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="_s{uuid.uuid4().hex}">'
        "<saml:AuthnContext><saml:AuthnContextClassRef>"
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
        "<saml:AttributeStatement>"
        + "".join(_attribute(name, values) for name, values in attributes.items())
        + "</saml:AttributeStatement></saml:Assertion>"
    )
    if sign_assertion:
        assertion = _sign(assertion, credentials, sha1=sha1)
    response = (
        f'<samlp:Response xmlns:samlp="{_SAMLP}" xmlns:saml="{OneLogin_Saml2_Constants.NS_SAML}"'
        f' ID="_r{uuid.uuid4().hex}" Version="2.0" IssueInstant="{issued}"'
        + (f" Destination={quoteattr(destination)}" if destination else "")
        + f"{answering}>"
        f"<saml:Issuer>{escape(issuer)}</saml:Issuer>"
        f'<samlp:Status><samlp:StatusCode Value="{OneLogin_Saml2_Constants.STATUS_SUCCESS}"/></samlp:Status>'
        f"{assertion}</samlp:Response>"
    )
    if sign_response:
        response = _sign(response, credentials, sha1=sha1)
    return response


def _sign(xml: str, credentials: Credentials, *, sha1: bool = False) -> str:
    # add_sign signs the element holding the first saml:Issuer: the root here.
    signed = OneLogin_Saml2_Utils.add_sign(
        xml,
        credentials.key_pem,
        credentials.cert_pem,
        sign_algorithm=OneLogin_Saml2_Constants.RSA_SHA1 if sha1 else OneLogin_Saml2_Constants.RSA_SHA256,
        digest_algorithm=OneLogin_Saml2_Constants.SHA1 if sha1 else OneLogin_Saml2_Constants.SHA256,
    )
    text = signed.decode() if isinstance(signed, bytes) else signed
    # Without its XML declaration, so the assertion can sit inside a Response.
    return text.split("?>", 1)[1].lstrip() if text.startswith("<?xml") else text


def logout_request(name_id: str, *, destination: str = f"http://{SP_HOST}/accounts/saml/corp/sls/") -> str:
    """A LogoutRequest for the HTTP-Redirect binding's SAMLRequest
    parameter (deflated, base64), unsigned as the binding sends it when the
    signature goes in the query."""
    now = _instant(dt.datetime.now(dt.UTC))
    xml = (
        f'<samlp:LogoutRequest xmlns:samlp="{_SAMLP}" xmlns:saml="{OneLogin_Saml2_Constants.NS_SAML}"'
        f' ID="_l{uuid.uuid4().hex}" Version="2.0" IssueInstant="{now}" Destination={quoteattr(destination)}>'
        f"<saml:Issuer>{escape(ENTITY_ID)}</saml:Issuer><saml:NameID>{escape(name_id)}</saml:NameID>"
        "</samlp:LogoutRequest>"
    )
    deflater = zlib.compressobj(wbits=-15)
    return base64.b64encode(deflater.compress(xml.encode()) + deflater.flush()).decode()


def encode(xml: str) -> str:
    """The HTTP-POST binding's SAMLResponse field."""
    return base64.b64encode(xml.encode()).decode()


def metadata() -> str:
    """The identity provider's metadata, as an operator's `metadata_url`
    serves it: its entity id, signing certificate and sign-on URL."""
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        f' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID={quoteattr(ENTITY_ID)}>'
        f'<md:IDPSSODescriptor protocolSupportEnumeration="{_SAMLP}">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
        f"<ds:X509Certificate>{idp_credentials().x509cert}</ds:X509Certificate>"
        "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f'<md:SingleSignOnService Binding="{OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT}"'
        f" Location={quoteattr(SSO_URL)}/>"
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


@contextlib.contextmanager
def metadata_server(body: str | None = None):
    """The metadata (or `body`: a server answering something else) served
    over HTTP on 127.0.0.1 (a free port), in a thread; yields its URL."""
    content = metadata() if body is None else body
    with _serving(lambda _path: ("application/samlmetadata+xml", content)) as server:
        yield f"http://127.0.0.1:{server.server_port}/metadata"


@contextlib.contextmanager
def _serving(answer: Callable[[str], tuple[str, str] | None]):
    """A web server on a free port of 127.0.0.1, in a thread, answering a
    GET of a path with `answer(path)`: (content type, body), or None (404)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            answered = answer(self.path)
            if answered is None:
                self.send_error(404)
                return
            content_type, text = answered
            body = text.encode()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def unreachable_url() -> str:
    """An address where nothing answers: a port just freed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/metadata"


class RunningIdP:
    """The identity provider as a web server, for a browser: its sign-on
    page reads our AuthnRequest and shows a "Continue" button whose form
    posts the signed response to our assertion consumer, as a real
    provider's page does once the person has signed in there. `person`
    is what it says of them (build_response's keywords)."""

    def __init__(self, server: http.server.ThreadingHTTPServer, host: str):
        self.server = server
        self.base_url = f"http://{host}:{server.server_port}"
        self.sso_url = f"{self.base_url}/sso"
        self.person: dict = {}

    def entry(self, **changes) -> dict:
        """Its SSO_PROVIDERS entry ("corp", serving corp.example)."""
        idp = {"entity_id": ENTITY_ID, "sso_url": self.sso_url, "x509cert": idp_credentials().x509cert}
        return provider_entry(idp=idp, **changes)

    def page(self, path: str) -> str:
        request = read_request(f"{self.base_url}{path}", sso_url=self.sso_url)
        xml = build_response(request, **self.person)
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Corp sign-in</title></head>'
            "<body><main><h1>Corp identity provider</h1>"
            f"<p>Signed in as {escape(self.person.get('email', ''))}.</p>"
            f'<form method="post" action={quoteattr(request.acs_url)}>'
            f'<input type="hidden" name="SAMLResponse" value={quoteattr(encode(xml))}>'
            f'<input type="hidden" name="RelayState" value={quoteattr(request.relay_state)}>'
            "<button>Continue</button></form></main></body></html>"
        )


@contextlib.contextmanager
def running_idp(*, host: str = "localhost"):
    """A RunningIdP on a free port of 127.0.0.1, reached as `host` (by
    default "localhost": another site than the tests' 127.0.0.1, so the
    browser treats the response's POST as cross-site, as in production)."""
    idp: RunningIdP

    def answer(path: str):
        return ("text/html; charset=utf-8", idp.page(path)) if path.startswith("/sso?") else None

    with _serving(answer) as server:
        idp = RunningIdP(server, host)
        yield idp
