from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from allauth.account.models import EmailAddress

from . import roles, services
from .forms import ProfileForm


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.update_profile(
            user=request.user,
            display_name=form.cleaned_data["display_name"],
            language=form.cleaned_data["language"],
        )
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
