from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.shortcuts import render
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext as _

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.ratelimit import get_ip
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from requests import RequestException

from ideabox import outbox
from ideabox.http import client_address
from ideabox.text import strip_bidi

from . import roles, sso, sso_config, sso_services
from .notifications import site_url
from .tasks import serialize_email


class _Undo(Exception):
    """Raised to roll back the rehearsal of a sign-up."""


@dataclass(frozen=True)
class Site:
    """What allauth's e-mails call `current_site` (django.contrib.sites is not
    installed): the configured name and the host of the site's address."""

    name: str
    domain: str


def current_site() -> Site:
    return Site(name=settings.SITE_NAME, domain=urlsplit(site_url()).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Rendered now, in the reader's language; sent by a worker once the
        # transaction that caused it commits, so a slow mail server never
        # holds a request and a rolled-back sign-up sends nothing.
        # allauth's own send_mail adds `current_site`; without it its e-mails
        # said "Hello from !".
        message = self.render_mail(template_prefix, email, {**context, "current_site": current_site()})
        payload = serialize_email(message)
        outbox.enqueue("accounts.tasks.send_email", payload)

    def rehearse_signup(self, request, form) -> None:
        """Do the work of creating the account, then undo it.

        Called on sign-up with an address that already has an account, where
        allauth only mails the owner: that took 20 ms against 290 ms for a new
        address (the password hash), which told anyone who has an account.
        The same `save_user` as a real sign-up (the password hashed by the
        same hasher, the user row inserted) and the insert of its address run
        in a transaction that is then rolled back, so both paths do the same
        work and leave nothing here. (What remains apart: a real sign-up
        commits its rows, a few milliseconds; bench/signup.py measures it.)
        """
        try:
            with transaction.atomic():
                user = self.save_user(request, self.new_user(request), form)
                EmailAddress.objects.create(user=user, email=form.cleaned_data["email"], primary=True, verified=False)
                raise _Undo
        except (_Undo, IntegrityError):  # a clash with a concurrent sign-up: undone all the same
            pass

    def get_client_ip(self, request) -> str:
        # One answer to "who is the client" for every limit of the site:
        # allauth's login limits (and so the token endpoint) count by the
        # address the vote limiter counts by, behind TRUSTED_PROXY_COUNT
        # proxies; a malformed X-Forwarded-For is the proxy's own address.
        return client_address(request) or super().get_client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # The "key" of allauth's `login_failed` limit. allauth's own is the
        # login name alone, so five wrong passwords from anywhere locked the
        # owner out everywhere; with the client address in the key an
        # attacker only locks their own address out (which the per-address
        # limit throttles anyway). The same key counts the API's token
        # endpoint (services.token_for_credentials).
        return f"{get_ip(request)}:{super()._get_login_attempts_cache_key(request, **credentials)}"

    def confirm_email(self, request, email_address):
        confirmed = super().confirm_email(request, email_address)
        roles.forget(email_address.user)
        return confirmed

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        if user.language and response is not None:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            )
        return response


# --- company sign-in ------------------------------------------------------------------
# What the company's identity provider says of a person, and what the site
# makes of it at each sign-in: names, language and entity follow the
# provider; an account is created the first time (no form), an existing one
# is linked only when allauth trusts the address (the provider's domains, or
# its `email_verified` claim), and nothing else ever makes a second account
# for an address the site already knows.


def _one_line(value) -> str:
    """A claim as a single-line name: bidirectional controls removed and
    spaces collapsed, as every name people type is stored (services.update_profile)."""
    return " ".join(strip_bidi(value).split()) if isinstance(value, str) else ""


def provider_language(value: str) -> str:
    """One of the site's languages for a provider's language tag ("fr-FR",
    "fr_FR", "FR" -> "fr"), or "" when the site has none of it."""
    tag = value.strip().lower().replace("_", "-")
    if not tag:
        return ""
    try:  # Django's own matching of a tag to settings.LANGUAGES, as for Accept-Language
        return get_supported_language_variant(tag)
    except LookupError:
        return ""


def _saml_values(attributes: dict, names) -> str:
    # allauth keeps a SAML response's attributes as {name: [values]}; an
    # entry may list several names for one meaning, the first present wins.
    for name in [names] if isinstance(names, str) else names or []:
        values = attributes.get(name) or []
        if values:
            return values[0]
    return ""


def company_claims(sociallogin) -> dict[str, str]:
    """What the provider of this sign-in says of the person, in our words:
    first_name, last_name, name (the two joined: what the site shows),
    language (one of settings.LANGUAGES) and entity; "" for what it does not say.

    OpenID Connect: allauth keeps the ID token's and the userinfo endpoint's
    claims in the social account's extra_data (userinfo wins); the entity and
    language claims are named by the provider's entry ("claims"). SAML: the
    attribute names are the entry's "attributes"."""
    entry = sso.provider(sociallogin.account.provider) or {}
    data = sociallogin.account.extra_data or {}
    if entry.get("protocol") == sso_config.SAML:
        names = entry["attributes"]
        raw = {
            key: _saml_values(data, names.get(key)) for key in ("first_name", "last_name", "name", "language", "entity")
        }
    else:
        if "userinfo" in data or "id_token" in data:
            data = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
        names = entry.get("claims", sso_config.DEFAULT_CLAIMS)
        raw = {
            "first_name": data.get("given_name"),
            "last_name": data.get("family_name"),
            "name": data.get("name"),
            "language": data.get(names["language"]),
            "entity": data.get(names["entity"]),
        }
    first_name, last_name, name = (_one_line(raw[key]) for key in ("first_name", "last_name", "name"))
    # As allauth does: a full name alone is split at its first space.
    given, _space, family = name.partition(" ")
    first_name, last_name = first_name or given, last_name or family
    return {
        "first_name": first_name,
        "last_name": last_name,
        "name": sso_services.shown_name(first_name, last_name),
        "language": provider_language(_one_line(raw["language"])),
        "entity": _one_line(raw["entity"]),
    }


def refuse(request, *, title: str, message: str, status: int) -> NoReturn:
    """End the company sign-in with a page that tells the person why it went
    no further (allauth's flow answers an ImmediateHttpResponse as it is)."""
    raise ImmediateHttpResponse(
        render(
            request,
            "socialaccount/authentication_error.html",
            {"refusal": {"title": title, "message": message}},
            status=status,
        )
    )


def unreachable(request, provider_name: str = ""):
    """The page for an identity provider that does not answer (or answers
    nonsense): 503, never a server error."""
    return render(
        request,
        "socialaccount/authentication_error.html",
        {"unreachable": True, "provider_name": provider_name},
        status=503,
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Company sign-in (accounts.sso): claims mapped onto the account at
    every sign-in, accounts made just in time, linked only on a trusted
    address, never duplicated."""

    def pre_social_login(self, request, sociallogin):
        # Called once the provider has answered and allauth has looked the
        # person up: by their account at this provider (an earlier sign-in),
        # or by a verified address (to be linked), or not found (a new account).
        provider_name = sociallogin.provider.name
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # Linking is by address alone (PRODUCT.md): no "connect this
            # account" while signed in, which would link whatever the provider sends.
            refuse(
                request,
                title=_("Company sign-in is not linked this way"),
                message=_(
                    "Your company account is linked to your account here by its e-mail address when you "
                    "sign in with it. Log out, then use the “%(provider)s” button on the log-in page."
                )
                % {"provider": provider_name},
                status=403,
            )
        claims = company_claims(sociallogin)
        user = sociallogin.user
        if not sociallogin.is_existing:
            self._refuse_a_new_account(request, sociallogin, provider_name)
            sso_services.take_claims(user, claims, new=True)
            return  # save_user writes it
        sso_services.update_from_company_sign_in(
            user=user,
            claims=claims,
            address=next((a.email for a in sociallogin.email_addresses if a.verified), ""),
            provider=sociallogin.account.provider,
            linking=sociallogin.account.pk is None,
        )

    def _refuse_a_new_account(self, request, sociallogin, provider_name: str) -> None:
        addresses = sociallogin.email_addresses
        if not addresses:
            refuse(
                request,
                title=_("Your company account sent no e-mail address"),
                message=_(
                    "“%(provider)s” did not tell us your e-mail address, and an account here needs one. "
                    "Ask your company's IT support to release the e-mail address to this site, then try again."
                )
                % {"provider": provider_name},
                status=403,
            )
        address = addresses[0].email
        if sso_services.address_taken(address):
            # allauth would show its own sign-up form, where another address
            # could be typed: a second account for the same person. An
            # address it does not trust (not the provider's domain, not
            # confirmed by it) is not linked either: the person is told.
            refuse(
                request,
                title=_("This address already has an account"),
                message=_(
                    "An account here already uses %(address)s, and “%(provider)s” has not confirmed that "
                    "the address is yours, so your company account was not linked to it. Log in to that "
                    "account with its password, or ask your company's IT support to confirm the address "
                    "and sign in again."
                )
                % {"address": address, "provider": provider_name},
                status=409,
            )

    def is_auto_signup_allowed(self, request, sociallogin):
        # Accounts are made just in time, with no form: what would stop one
        # (no address, an address already taken) was refused before.
        return True

    def save_user(self, request, sociallogin, form=None):
        # A new account: allauth picks a free username from the names and the
        # address (a clash is never an error) and saves the user, the social
        # account (its last_login: an employee from now on) and the address.
        try:
            with transaction.atomic():
                user = super().save_user(request, sociallogin, form)
                sso_services.record_company_sign_up(
                    user=user,
                    entity=company_claims(sociallogin)["entity"],
                    provider=sociallogin.account.provider,
                )
        except IntegrityError:
            # Another sign-in made this account, or took its address, between
            # allauth's lookup and our insert (two sign-ins at once: a double
            # click at the provider). Nothing was written; the next sign-in
            # finds the account.
            refuse(
                request,
                title=_("Sign in again"),
                message=_("Another sign-in with this account happened at the same moment. Sign in again."),
                status=409,
            )
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # The callback's calls to the provider (token, userinfo, keys) failed:
        # the provider does not answer, which our page says (503), rather
        # than allauth's "an error occurred" (401).
        if isinstance(exception, RequestException):
            raise ImmediateHttpResponse(unreachable(request, provider.name))
        super().on_authentication_error(request, provider, error, exception, extra_context)
