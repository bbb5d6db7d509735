from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import get_ip
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from ideabox import outbox
from ideabox.http import client_address

from . import roles
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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Company sign-in (accounts.sso): claims mapped onto the account at
    every sign-in."""
