from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account.

    Roles are not columns: employee and participant come from the verified
    e-mail addresses, moderator and campaign manager from groups
    (accounts.roles says which).
    """

    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("The name shown beside your ideas and comments. Your username is used when it is empty."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the site and of the e-mails we send you."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("moderate", _("Can moderate ideas and comments")),
            ("review_box", _("Can review idea-box ideas")),
            ("manage_campaigns", _("Can create and run campaigns")),
        ]

    def __str__(self) -> str:
        return self.get_username()

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_username()


def display_name_of(user) -> str:
    """How allauth names a user on its pages."""
    return user.public_name
