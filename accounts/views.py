from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from allauth.account.models import EmailAddress
from rest_framework.authtoken.models import Token

from ideabox.exceptions import DomainError
from ideabox.pages import show_refusal

from . import notifications, roles, services
from .forms import NotificationSettingsForm, ProfileForm


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    user = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.update_profile(
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                language=form.cleaned_data["language"],
            )
        except DomainError as error:
            show_refusal(error, form)
            request.user.refresh_from_db(fields=["display_name", "language"])
    if user is not None:
        response = redirect("accounts:profile")
        if user.language:
            translation.activate(user.language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            )
        messages.success(request, _("Your profile was saved."))
        return response
    context = {
        "form": form,
        "addresses": EmailAddress.objects.filter(user=request.user).order_by("-primary", "email"),
        "user_roles": roles.roles_of(request.user),
        "employee_domains": settings.EMPLOYEE_EMAIL_DOMAINS,
        "api_token": Token.objects.filter(user=request.user).only("created").first(),
        "company_address": services.company_address_of(request.user),
        "company_sign_in": roles.last_company_sign_in(request.user),
        "company_employee_until": roles.company_employee_until(request.user),
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


def _back_to_profile_after_login(view):
    # The token buttons post from the profile page: whoever's session ended
    # meanwhile logs in and comes back to it (a GET of these routes is 405).
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("accounts:profile"))
        return view(request, *args, **kwargs)

    return wrapped


@require_POST
@_back_to_profile_after_login
@never_cache
def issue_token(request):
    """Issue a new API token (replacing any other) and show its key, this
    once: it is never shown again."""
    key = services.issue_api_token(user=request.user)
    return render(request, "accounts/api_token.html", {"key": key})


@require_POST
@_back_to_profile_after_login
def revoke_token(request):
    if services.revoke_api_token(user=request.user):
        messages.success(request, _("Your API token was revoked: it no longer works."))
    return redirect("accounts:profile")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request):
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=notifications.settings_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        notifications.update_notification_settings(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("accounts:notifications")
    return render(request, "accounts/notifications.html", {"form": form}, status=400 if form.errors else 200)


# No CSRF check: mail clients send the one-click POST of RFC 8058 with no
# session or token, and all it can ever do is turn e-mails off.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET asks (link scanners follow links, they must not unsubscribe
    anyone); POST turns the e-mails off, from the page's button or from the
    mail client's one-click unsubscribe."""
    try:
        user, kind = notifications.read_unsubscribe_token(token)
    except DomainError as error:
        return render(request, "accounts/unsubscribe_invalid.html", {"detail": error.detail}, status=400)
    with translation.override(user.language or translation.get_language()):
        context = {"kind": kind, "kind_label": notifications.kind_label(kind), "token": token}
        if request.method == "POST":
            try:
                notifications.unsubscribe(token=token)
            except DomainError as error:
                return render(request, "accounts/unsubscribe_invalid.html", {"detail": error.detail}, status=400)
            return render(request, "accounts/unsubscribe_done.html", context)
        return render(request, "accounts/unsubscribe.html", context)
