from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from allauth.account.models import EmailAddress

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
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


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
