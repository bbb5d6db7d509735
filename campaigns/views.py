"""The campaign pages: the list for everyone, and the managers' pages.

The campaign page itself (/campaigns/<slug>/, with its ideas) lives in
the ideas app and includes templates/campaigns/_header.html.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from ideabox.exceptions import DomainError
from ideabox.http import safe_next

from . import services
from .forms import (
    CampaignForm,
    CategoryActionForm,
    CategoryForm,
    ExtendForm,
    RenameCategoryForm,
    TransitionForm,
)
from .models import PHASE_ORDER, Campaign, Category, Phase

LIST_PAGE_SIZE = 20


def _visible_campaign(request, slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user), slug=slug)


def _managed_campaign(request, slug: str) -> Campaign:
    """A campaign the user may see (else 404) and manage (else 403)."""
    campaign = _visible_campaign(request, slug)
    if not roles.is_manager(request.user):
        raise PermissionDenied
    return campaign


def _form_errors(form, error: DomainError) -> None:
    """A service's refusal, shown on the form: beside each field it names, or above the form."""
    if error.fields:
        for name, field_messages in error.fields.items():
            for message in field_messages:
                form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, error.detail)


def campaign_list(request):
    """The campaigns this person may see, grouped by phase (drafts only for managers)."""
    rank = Case(
        *[When(phase=phase, then=Value(position)) for position, phase in enumerate(PHASE_ORDER)],
        output_field=IntegerField(),
    )
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .challenges()
        .annotate(phase_rank=rank)
        .order_by("phase_rank", "-submission_opens", "pk")
    )
    page = Paginator(campaigns, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "campaigns/list.html", {"page_obj": page, "campaigns": page.object_list})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    if not roles.is_manager(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(by=request.user, **form.changes())
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The campaign was created as a draft."))
            return redirect("campaigns:manage", slug=campaign.slug)
    return render(request, "campaigns/form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, slug):
    campaign = _managed_campaign(request, slug)
    form = CampaignForm(request.POST or None, request.FILES or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.update_campaign(campaign=campaign, by=request.user, **form.changes())
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("campaigns:manage", slug=campaign.slug)
    return render(
        request, "campaigns/form.html", {"form": form, "campaign": campaign}, status=400 if form.errors else 200
    )


def _render_manage(request, campaign: Campaign, *, status: int = 200, **forms):
    context = {
        "campaign": campaign,
        "transitions": campaign.transitions.select_related("by"),
        "follower_count": campaign.followers.count(),
        "categories": campaign.categories.all(),
        "transition_form": forms.get("transition_form")
        or (TransitionForm(initial={"to": campaign.next_phase}) if campaign.next_phase else None),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "can_extend": campaign.phase in services.EXTENSIBLE_END,
        "phase_end_field": services.EXTENSIBLE_END.get(campaign.phase, (None, None))[0],
        "category_form": forms.get("category_form") or CategoryForm(),
        "category_error": forms.get("category_error"),
    }
    if context["phase_end_field"]:
        context["phase_end"] = getattr(campaign, context["phase_end_field"])
        context["phase_end_label"] = Campaign._meta.get_field(context["phase_end_field"]).verbose_name
    return render(request, "campaigns/manage.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def campaign_manage(request, slug):
    return _render_manage(request, _managed_campaign(request, slug))


@login_required
@require_POST
def campaign_transition(request, slug):
    campaign = _managed_campaign(request, slug)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, campaign, status=400, transition_form=form)
    try:
        transition = services.transition_campaign(campaign=campaign, to=form.cleaned_data["to"], by=request.user)
    except DomainError as error:
        _form_errors(form, error)
        return _render_manage(request, campaign, status=error.status, transition_form=form)
    messages.success(
        request,
        _("The campaign moved to the %(phase)s phase.") % {"phase": Phase(transition.to_phase).label},
    )
    return redirect("campaigns:manage", slug=campaign.slug)


@login_required
@require_POST
def campaign_extend(request, slug):
    campaign = _managed_campaign(request, slug)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, campaign, status=400, extend_form=form)
    try:
        services.extend_deadline(campaign=campaign, by=request.user, new_end=form.cleaned_data["phase_end"])
    except DomainError as error:
        _form_errors(form, error)
        return _render_manage(request, campaign, status=error.status, extend_form=form)
    messages.success(request, _("The deadline was extended."))
    return redirect("campaigns:manage", slug=campaign.slug)


def _category_of(campaign: Campaign, form) -> Category:
    return get_object_or_404(Category, campaign=campaign, slug=form.cleaned_data["category"])


def _moved(slugs: list[str], slug: str, step: int) -> list[str]:
    index = slugs.index(slug)
    other = index + step
    if 0 <= other < len(slugs):
        slugs[index], slugs[other] = slugs[other], slugs[index]
    return slugs


@login_required
@require_http_methods(["GET", "POST"])
def campaign_categories(request, slug):
    """Add, rename, move and delete a campaign's categories (POST `action`)."""
    campaign = _managed_campaign(request, slug)
    if request.method == "GET":
        return _render_categories(request, campaign)

    action = request.POST.get("action")
    forms_by_action = {
        "add": CategoryForm,
        "rename": RenameCategoryForm,
        "delete": CategoryActionForm,
        "up": CategoryActionForm,
        "down": CategoryActionForm,
    }
    if action not in forms_by_action:
        return _render_categories(request, campaign, status=400, error=_("Unknown action."))
    form = forms_by_action[action](request.POST)
    if not form.is_valid():
        if action == "add":
            return _render_categories(request, campaign, status=400, category_form=form)
        error = " ".join(str(m) for field_messages in form.errors.values() for m in field_messages)
        return _render_categories(request, campaign, status=400, error=error)
    try:
        if action == "add":
            services.add_category(campaign=campaign, by=request.user, **form.cleaned_data)
            done = _("The category was added.")
        elif action == "rename":
            category = _category_of(campaign, form)
            services.rename_category(category=category, by=request.user, name=form.cleaned_data["name"])
            done = _("The category was renamed.")
        elif action == "delete":
            services.delete_category(category=_category_of(campaign, form), by=request.user)
            done = _("The category was deleted; its ideas are now uncategorised.")
        else:
            category = _category_of(campaign, form)
            slugs = list(campaign.categories.values_list("slug", flat=True))
            services.reorder_categories(
                campaign=campaign, by=request.user, slugs=_moved(slugs, category.slug, -1 if action == "up" else 1)
            )
            done = _("The categories were reordered.")
    except DomainError as error:
        if action == "add":
            _form_errors(form, error)
            return _render_categories(request, campaign, status=error.status, category_form=form)
        messages_list = [m for field in (error.fields or {}).values() for m in field] or [error.detail]
        return _render_categories(request, campaign, status=error.status, error=" ".join(messages_list))
    messages.success(request, done)
    return redirect("campaigns:categories", slug=campaign.slug)


def _render_categories(request, campaign, *, status=200, category_form=None, error=None):
    context = {
        "campaign": campaign,
        "categories": campaign.categories.all(),
        "category_form": category_form or CategoryForm(),
        "category_error": error,
    }
    return render(request, "campaigns/categories.html", context, status=status)


def _after_follow(request, campaign: Campaign, following: bool):
    if request.htmx:
        return render(request, "campaigns/_follow.html", {"campaign": campaign, "following": following})
    return HttpResponseRedirect(safe_next(request, campaign.get_absolute_url()))


def _follow_refused(request, campaign: Campaign, error: DomainError):
    if request.htmx:
        return render(
            request,
            "campaigns/_follow.html",
            {"campaign": campaign, "following": False, "follow_error": error.detail},
            status=error.status,
        )
    messages.error(request, error.detail)
    return redirect(campaign.get_absolute_url())


@login_required
@require_POST
def campaign_follow(request, slug):
    campaign = _visible_campaign(request, slug)
    try:
        services.follow_campaign(campaign=campaign, user=request.user)
    except DomainError as error:
        return _follow_refused(request, campaign, error)
    if not request.htmx:
        messages.success(request, _("You follow this campaign: we will tell you when its vote opens."))
    return _after_follow(request, campaign, True)


@login_required
@require_POST
def campaign_unfollow(request, slug):
    campaign = _visible_campaign(request, slug)
    try:
        services.unfollow_campaign(campaign=campaign, user=request.user)
    except DomainError as error:
        return _follow_refused(request, campaign, error)
    if not request.htmx:
        messages.success(request, _("You no longer follow this campaign."))
    return _after_follow(request, campaign, False)
