"""Check each configured identity provider as the sign-in will use it.

OpenID Connect: the discovery document is fetched as allauth fetches it
(its requests session, SSO_REQUESTS_TIMEOUT) and must name the endpoints the
sign-in calls; the signing keys must be there. SAML 2.0: the identity
provider's certificate must parse and be valid today, or its metadata_url
must answer with metadata that has them (fetched as allauth fetches it).
One line per provider; the exit status is 1 when any fails (docs/sso.md).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers import registry
from cryptography import x509
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from accounts import sso, sso_config

# What allauth's OpenID Connect sign-in reads from the discovery document
# (allauth.socialaccount.providers.openid_connect.views): a missing one fails
# every sign-in.
DISCOVERY_KEYS = ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
# A certificate this close to its end still passes, with a warning.
EXPIRY_WARNING = timedelta(days=30)


class Failed(Exception):
    """The provider will not work: the message says why."""


def _get_json(session, url: str, what: str) -> dict:
    try:
        response = session.get(url)
        response.raise_for_status()
        document = response.json()
    except requests.RequestException as error:
        raise Failed(_("%(what)s %(url)s: %(error)s") % {"what": what, "url": url, "error": error}) from error
    if not isinstance(document, dict):
        raise Failed(_("%(what)s %(url)s is not a JSON object") % {"what": what, "url": url})
    return document


def check_openid_connect(provider) -> str:
    """The discovery document and the signing keys, as allauth fetches them."""
    with get_adapter().get_requests_session() as session:
        discovery = _get_json(session, provider.server_url, _("the discovery document"))
        missing = [key for key in DISCOVERY_KEYS if not discovery.get(key)]
        if missing:
            raise Failed(
                _("the discovery document %(url)s lacks %(keys)s")
                % {"url": provider.server_url, "keys": ", ".join(missing)}
            )
        issuer = discovery["issuer"]
        # Entra ID's /common and /organizations documents name a template
        # issuer that no token carries: every sign-in would be refused.
        if "{" in issuer:
            raise Failed(
                _("the issuer %(issuer)s is a template: use the tenant's own URL in server_url") % {"issuer": issuer}
            )
        keys = _get_json(session, discovery["jwks_uri"], _("the signing keys")).get("keys")
        if not keys:
            raise Failed(_("the signing keys %(url)s hold no key") % {"url": discovery["jwks_uri"]})
    return _("issuer %(issuer)s") % {"issuer": issuer}


def certificate_validity(text: str, now: datetime) -> str:
    """How long this certificate (PEM, or the bare base64 of metadata and
    of most identity providers' downloads) stays valid; Failed if it cannot
    be read or is not valid now."""
    if not isinstance(text, str):
        raise Failed(_("the certificate is not a text"))
    try:
        certificate = x509.load_pem_x509_certificate(OneLogin_Saml2_Utils.format_cert(text).encode())
    except ValueError as error:
        raise Failed(_("the certificate cannot be read: %(error)s") % {"error": error}) from error
    not_after = certificate.not_valid_after_utc
    if certificate.not_valid_before_utc > now:
        raise Failed(
            _("the certificate is not valid before %(date)s") % {"date": certificate.not_valid_before_utc.isoformat()}
        )
    if not_after <= now:
        raise Failed(_("the certificate expired on %(date)s") % {"date": not_after.isoformat()})
    if not_after - now < EXPIRY_WARNING:
        return _("the certificate expires soon, on %(date)s: ask for the next one") % {"date": not_after.isoformat()}
    return _("the certificate is valid until %(date)s") % {"date": not_after.date().isoformat()}


def _metadata_certificates(idp: dict) -> list[str]:
    if idp.get("x509cert"):
        return [idp["x509cert"]]
    return idp.get("x509certMulti", {}).get("signing", [])


def check_saml(provider, now: datetime) -> str:
    """The identity provider's certificate, given or from its metadata."""
    idp = provider.app.settings["idp"]
    if not idp.get("metadata_url"):
        return certificate_validity(idp["x509cert"], now)
    url = idp["metadata_url"]
    try:
        # What allauth calls (allauth.socialaccount.providers.saml.utils),
        # with its timeout. python3-saml raises a bare Exception for an
        # answer that is not identity provider metadata.
        found = OneLogin_Saml2_IdPMetadataParser.parse_remote(
            url, entity_id=idp.get("entity_id"), timeout=idp.get("metadata_request_timeout", 10)
        ).get("idp", {})
    except Exception as error:  # reported, and the command fails
        raise Failed(_("the metadata %(url)s: %(error)s") % {"url": url, "error": error}) from error
    if not found.get("singleSignOnService", {}).get("url"):
        raise Failed(
            _("the metadata %(url)s has no sign-in address (HTTP-Redirect) for %(entity)s")
            % {"url": url, "entity": idp.get("entity_id")}
        )
    certificates = _metadata_certificates(found)
    if not certificates:
        raise Failed(_("the metadata %(url)s has no signing certificate") % {"url": url})
    return "; ".join(certificate_validity(text, now) for text in certificates)


def allauth_provider(entry: dict):
    """allauth's provider for this entry, built from the settings as allauth
    builds it (without the database: the check runs before `migrate` too)."""
    apps = settings.SOCIALACCOUNT_PROVIDERS[entry["protocol"]]["APPS"]
    config = next(app for app in apps if app["provider_id"] == entry["id"])
    return registry.get_class(entry["protocol"])(None, app=SocialApp(provider=entry["protocol"], **config))


class Command(BaseCommand):
    help = _(
        "Check every configured company sign-in provider: OpenID Connect discovery and keys, "
        "SAML certificates or metadata. Exit status 1 when one fails."
    )

    def handle(self, *args, **options):
        entries = sso.providers()
        if not entries:
            self.stdout.write(_("No company sign-in provider is configured (SSO_PROVIDERS)."))
            return
        now = timezone.now()
        failures = 0
        for entry in entries:
            protocol = _("OpenID Connect") if entry["protocol"] == sso_config.OPENID_CONNECT else _("SAML 2.0")
            label = f"{entry['id']} ({protocol})"
            try:
                provider = allauth_provider(entry)
                if entry["protocol"] == sso_config.OPENID_CONNECT:
                    outcome = check_openid_connect(provider)
                else:
                    outcome = check_saml(provider, now)
            except Failed as failure:
                failures += 1
                self.stdout.write(
                    self.style.ERROR(
                        _("%(provider)s: FAILED, %(problem)s")
                        % {
                            "provider": label,
                            "problem": failure,
                        }
                    )
                )
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        _("%(provider)s: OK, %(outcome)s")
                        % {
                            "provider": label,
                            "outcome": outcome,
                        }
                    )
                )
        if failures:
            raise CommandError(
                ngettext(
                    "%(count)d identity provider of %(total)d failed the check.",
                    "%(count)d identity providers of %(total)d failed the check.",
                    failures,
                )
                % {"count": failures, "total": len(entries)}
            )
