from django import forms
from django.utils.translation import gettext_lazy as _

from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm

from ideabox.exceptions import DomainError

from . import names, services, sso
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


def _refuse_company_address(login: str) -> None:
    # services.refuse_company_login, as a form error.
    try:
        services.refuse_company_login(login)
    except DomainError as error:
        raise forms.ValidationError(error.detail, code=error.code) from error


class CompanyAddressRefused:
    """A form whose e-mail address may not be one company sign-in serves.

    By the domain alone, before anything is looked up: the refusal says
    nothing of whether the address has an account (sign-up's rehearsal
    and the password reset's silence stay as they are for the others).
    """

    def clean_email(self):
        _refuse_company_address(self.cleaned_data.get("email", ""))
        return super().clean_email()


class AddEmailForm(AllauthAddEmailForm):
    """allauth's "add an e-mail address" form. An address company sign-in
    serves comes from the company sign-in (which adds it, verified), not
    from this form: added here, it would make the account a company account
    whose password no longer logs in."""

    def clean_email(self):
        address = self.cleaned_data.get("email", "")
        provider = sso.provider_for_address(address)
        if provider is not None:
            raise forms.ValidationError(
                _(
                    "Addresses at %(domain)s come from the company sign-in: sign in with the “%(provider)s” "
                    "button and your company address is added to your account."
                )
                % {"domain": sso.email_domain(address), "provider": provider["name"]},
                code="company_sign_in_required",
            )
        return super().clean_email()


class LoginForm(AllauthLoginForm):
    """allauth's log-in form, its labels in sentence case like the rest of the site.

    Company accounts do not log in by password: an address company sign-in
    serves is refused before its password is checked (which counts no
    failed attempt), an account holding one only once its password was
    right (services.refuse_company_login, refuse_company_account).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")

    def clean_login(self):
        login = super().clean_login()
        _refuse_company_address(login)
        return login

    def clean(self):
        cleaned_data = super().clean()
        if self.user is not None and not self.errors:
            try:
                services.refuse_company_account(self.user)
            except DomainError as error:
                self.user = None
                raise forms.ValidationError(error.detail, code=error.code) from error
        return cleaned_data


class SignupForm(CompanyAddressRefused, AllauthSignupForm):
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


class ResetPasswordForm(CompanyAddressRefused, AllauthResetPasswordForm):
    """allauth's password reset, which sends nothing to an address company
    sign-in serves: its password is the company's."""
