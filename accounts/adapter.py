from django.conf import settings
from django.db import transaction

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip

from . import roles
from .tasks import send_email, serialize_email


class _Undo(Exception):
    """Raised to roll back the rehearsal of a sign-up."""


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Rendered now, in the reader's language; sent by a worker once the
        # transaction that caused it commits, so a slow mail server never
        # holds a request and a rolled-back sign-up sends nothing.
        message = self.render_mail(template_prefix, email, context)
        payload = serialize_email(message)
        transaction.on_commit(lambda: send_email.delay(payload))

    def rehearse_signup(self, request, form) -> None:
        """Do the work of creating the account, then undo it.

        Called on sign-up with an address that already has an account, where
        allauth only mails the owner: that took 20 ms against 290 ms for a new
        address (the password hash), which told anyone who has an account.
        The same `save_user` as a real sign-up (the password hashed by the
        same hasher, the user row inserted) runs in a savepoint that is then
        rolled back, so both paths do the same work and leave nothing here.
        """
        try:
            with transaction.atomic():
                self.save_user(request, self.new_user(request), form)
                raise _Undo
        except _Undo:
            pass

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
