from django import forms
from django.utils.translation import gettext_lazy as _

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm

from ideabox.exceptions import DomainError

from . import names
from .models import NotificationSettings, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language"]


class NotificationSettingsForm(forms.ModelForm):
    """One checkbox per kind of e-mail; an unticked box turns the kind off."""

    class Meta:
        model = NotificationSettings
        fields = list(NotificationSettings.KINDS)


class LoginForm(AllauthLoginForm):
    """allauth's log-in form, its labels in sentence case like the rest of the site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, doing the same work whether or not the address has an account.

    The username is the name shown beside a person's ideas and comments until
    they choose a display name: it must not pass for a staff member's.
    """

    def clean_username(self):
        username = super().clean_username()
        try:
            names.refuse_staff_name(username, field="username")
        except DomainError as error:
            raise forms.ValidationError(error.detail, code="staff_name") from error
        return username

    def try_save(self, request):
        if self.account_already_exists:
            get_adapter(request).rehearse_signup(request, self)
        return super().try_save(request)
