"""Company sign-in's configuration: the identity providers an operator lists.

Read by the settings, so nothing here touches models. `SSO_PROVIDERS` (a
JSON list) or `SSO_PROVIDERS_FILE` (the path of a file holding that list)
names each provider; `load()` checks the list and `allauth_providers()` turns
it into allauth's `SOCIALACCOUNT_PROVIDERS`. docs/sso.md describes every key.

One entry, OpenID Connect:
    {"protocol": "openid_connect", "id": "entra", "name": "Contoso",
     "server_url": "https://login.microsoftonline.com/<tenant>/v2.0",
     "client_id": "...", "secret": "...", "domains": ["contoso.com"],
     "claims": {"entity": "department", "language": "locale"}}

One entry, SAML 2.0:
    {"protocol": "saml", "id": "okta", "name": "Contoso",
     "domains": ["contoso.com"],
     "idp": {"entity_id": "...", "sso_url": "...", "x509cert": "..."},
     "attributes": {"email": "email", "first_name": "firstName", ...}}

`domains` are the e-mail domains the provider serves: their addresses
cannot log in by password, and the provider's word that such an address is
theirs is trusted (an existing account with that verified address is
linked, never duplicated).
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

OPENID_CONNECT = "openid_connect"
SAML = "saml"
PROTOCOLS = (OPENID_CONNECT, SAML)

# What a claim means to us -> its default name (OpenID Connect claims).
DEFAULT_CLAIMS = {"entity": "department", "language": "locale"}

# SAML attributes: what allauth maps (uid, email, names) plus ours (entity,
# language). The defaults are the names Entra ID / ADFS send.
DEFAULT_SAML_ATTRIBUTES = {
    "uid": "http://schemas.microsoft.com/identity/claims/objectidentifier",
    "email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "first_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    "last_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    "name": "http://schemas.microsoft.com/identity/claims/displayname",
    "entity": "department",
    "language": "preferredLanguage",
}
# allauth maps these itself (socialaccount.providers.saml); the others are ours.
_ALLAUTH_ATTRIBUTES = ("uid", "email", "email_verified", "first_name", "last_name", "username")

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


def _fail(index: int, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"SSO_PROVIDERS[{index}]: {message} (docs/sso.md)")


def _text(entry: dict, key: str, index: int, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(index, f"{key!r} must be a non-empty string")
    return value.strip()


def _check(entry, index: int, seen: set[str]) -> dict:
    if not isinstance(entry, dict):
        raise _fail(index, "each provider is a JSON object")
    protocol = entry.get("protocol")
    if protocol not in PROTOCOLS:
        raise _fail(index, f"'protocol' must be one of {', '.join(PROTOCOLS)}")
    provider_id = _text(entry, "id", index)
    if not _ID.match(provider_id) or provider_id in PROTOCOLS:
        raise _fail(index, "'id' is lower-case letters, digits and dashes, at most 40, not a protocol's name")
    if provider_id in seen:
        raise _fail(index, f"the id {provider_id!r} is used twice")
    seen.add(provider_id)
    domains = entry.get("domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) and _DOMAIN.match(d.lower()) for d in domains):
        raise _fail(index, "'domains' is a list of e-mail domains such as \"contoso.com\"")
    checked = {
        "protocol": protocol,
        "id": provider_id,
        "name": _text(entry, "name", index),
        "domains": [d.lower() for d in domains],
    }
    if protocol == OPENID_CONNECT:
        claims = entry.get("claims", {})
        if not isinstance(claims, dict) or not all(isinstance(v, str) for v in claims.values()):
            raise _fail(index, "'claims' maps entity and language to claim names")
        scope = entry.get("scope", ["openid", "profile", "email"])
        if not isinstance(scope, list) or "openid" not in scope:
            raise _fail(index, "'scope' is a list that includes \"openid\"")
        checked |= {
            "server_url": _text(entry, "server_url", index),
            "client_id": _text(entry, "client_id", index),
            "secret": _text(entry, "secret", index, required=False),
            "scope": scope,
            "claims": DEFAULT_CLAIMS | claims,
            "token_auth_method": entry.get("token_auth_method", ""),
        }
    else:
        idp = entry.get("idp")
        # allauth reads entity_id in both cases (with metadata_url, to pick
        # the IdP out of the metadata): without it, sign-in was a 500.
        if not isinstance(idp, dict) or not (
            idp.get("entity_id") and (idp.get("metadata_url") or (idp.get("sso_url") and idp.get("x509cert")))
        ):
            raise _fail(index, "'idp' needs either metadata_url and entity_id, or entity_id, sso_url and x509cert")
        attributes = entry.get("attributes", {})
        if not isinstance(attributes, dict) or not all(isinstance(v, str | list) for v in attributes.values()):
            raise _fail(index, "'attributes' maps uid, email, first_name, last_name, name, entity, language")
        checked |= {
            "idp": idp,
            "sp_entity_id": entry.get("sp_entity_id", ""),
            "attributes": DEFAULT_SAML_ATTRIBUTES | attributes,
            "advanced": entry.get("advanced", {}),
        }
    return checked


def load(environ) -> list[dict]:
    """The providers from `SSO_PROVIDERS` or `SSO_PROVIDERS_FILE`, checked."""
    raw = environ.get("SSO_PROVIDERS", "").strip()
    path = environ.get("SSO_PROVIDERS_FILE", "").strip()
    if path:
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise ImproperlyConfigured(f"SSO_PROVIDERS_FILE: cannot read {path}: {error}") from error
    if not raw:
        return []
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"SSO_PROVIDERS is not valid JSON: {error}") from error
    if not isinstance(entries, list):
        raise ImproperlyConfigured("SSO_PROVIDERS is a JSON list of providers (docs/sso.md)")
    seen: set[str] = set()
    return [_check(entry, index, seen) for index, entry in enumerate(entries)]


def _oidc_app(entry: dict) -> dict:
    settings = {
        "server_url": entry["server_url"],
        # The provider's word on its own domains is trusted (see the module).
        "verified_email": entry["domains"],
        "email_authentication": True,
        "oauth_pkce_enabled": True,
        # allauth asks for these scopes (OAuth2Provider.get_scope).
        "scope": entry["scope"],
    }
    if entry["token_auth_method"]:
        settings["token_auth_method"] = entry["token_auth_method"]
    return {
        "provider_id": entry["id"],
        "name": entry["name"],
        "client_id": entry["client_id"],
        "secret": entry["secret"],
        "settings": settings,
    }


def _saml_app(entry: dict) -> dict:
    attributes = entry["attributes"]
    mapping = {key: value for key, value in attributes.items() if key in _ALLAUTH_ATTRIBUTES}
    settings = {
        "attribute_mapping": mapping,
        "idp": entry["idp"],
        "verified_email": entry["domains"],
        "email_authentication": True,
        # Signed assertions only, and only answers to a request we made.
        "advanced": {
            "want_assertion_signed": True,
            "reject_idp_initiated_sso": True,
            "strict": True,
            # python3-saml checks the shape of our own URLs (built by Django
            # from the checked Host) and refused an intranet host such as
            # "ideabox" with a server error at the log-in button.
            "allow_single_label_domains": True,
            **entry["advanced"],
        },
    }
    if entry["sp_entity_id"]:
        settings["sp"] = {"entity_id": entry["sp_entity_id"]}
    return {
        "provider_id": entry["id"],
        "name": entry["name"],
        # allauth's "organization slug": the provider's part of the SAML URLs
        # (/accounts/saml/<id>/acs/).
        "client_id": entry["id"],
        "settings": settings,
    }


def allauth_providers(entries: list[dict]) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for these providers."""
    return {
        OPENID_CONNECT: {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [_oidc_app(e) for e in entries if e["protocol"] == OPENID_CONNECT],
        },
        SAML: {"APPS": [_saml_app(e) for e in entries if e["protocol"] == SAML]},
    }


def form_action_origins(entries: list[dict]) -> list[str]:
    """The origins the log-in button's form is sent on to (the Content
    Security Policy's form-action): a browser applies form-action to the
    redirects after a form too, and the company button's POST is answered by
    a redirect to the provider (OpenID Connect's authorize endpoint, on its
    server_url's origin; SAML's sso_url, or where its metadata is served).
    Without them the browser stays on the log-in page."""
    origins = []
    for entry in entries:
        if entry["protocol"] == OPENID_CONNECT:
            url = entry["server_url"]
        else:
            url = entry["idp"].get("sso_url") or entry["idp"].get("metadata_url", "")
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and parts.netloc and origin not in origins:
            origins.append(origin)
    return origins


def overrides(entries: list[dict]) -> dict:
    """The settings that configure these providers (for tests and tools):
    `override_settings(**overrides([...]))`."""
    seen: set[str] = set()
    checked = [_check(entry, index, seen) for index, entry in enumerate(entries)]
    return {"SSO_PROVIDERS": checked, "SOCIALACCOUNT_PROVIDERS": allauth_providers(checked)}
