from django.conf import settings
from django.db import transaction

from allauth.account.adapter import DefaultAccountAdapter

from . import roles
from .tasks import send_email, serialize_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Rendered now, in the reader's language; sent by a worker once the
        # transaction that caused it commits, so a slow mail server never
        # holds a request and a rolled-back sign-up sends nothing.
        message = self.render_mail(template_prefix, email, context)
        payload = serialize_email(message)
        transaction.on_commit(lambda: send_email.delay(payload))

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
