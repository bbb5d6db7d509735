"""The campaign pages: the list for everyone, and the managers' pages.

The campaign page itself (/campaigns/<slug>/, with its ideas) lives in
the ideas app and includes templates/campaigns/_header.html.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from ideabox.exceptions import DomainError
from ideabox.http import safe_next
from ideabox.pages import htmx_or_redirect, moved, show_refusal

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
            show_refusal(error, form)
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
            show_refusal(error, form)
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
        show_refusal(error, form)
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
        show_refusal(error, form)
        return _render_manage(request, campaign, status=error.status, extend_form=form)
    messages.success(request, _("The deadline was extended."))
    return redirect("campaigns:manage", slug=campaign.slug)


def _category_of(campaign: Campaign, form) -> Category:
    return get_object_or_404(Category, campaign=campaign, slug=form.cleaned_data["category"])


@login_required
@require_http_methods(["GET", "POST"])
def campaign_categories(request, slug):
    """The categories page: each change below posts to its own address."""
    campaign = _managed_campaign(request, slug)
    if request.method == "GET":
        return _render_categories(request, campaign)
    # A form that posts its `action` to the page itself (as they all did
    # before each change had its own address) still reaches its view.
    view = CATEGORY_ACTIONS.get(request.POST.get("action"))
    if view is None:
        return _render_categories(request, campaign, status=400, error=_("Unknown action."))
    return view(request, slug)


@login_required
@require_POST
def category_add(request, slug):
    campaign = _managed_campaign(request, slug)
    form = CategoryForm(request.POST)
    if not form.is_valid():
        return _render_categories(request, campaign, status=400, category_form=form)
    try:
        services.add_category(campaign=campaign, by=request.user, **form.cleaned_data)
    except DomainError as error:
        show_refusal(error, form)
        return _render_categories(request, campaign, status=error.status, category_form=form)
    return _categories_changed(request, campaign, _("The category was added."))


@login_required
@require_POST
def category_rename(request, slug):
    campaign = _managed_campaign(request, slug)
    form = RenameCategoryForm(request.POST)
    if not form.is_valid():
        return _category_form_refused(request, campaign, form)
    try:
        services.rename_category(category=_category_of(campaign, form), by=request.user, name=form.cleaned_data["name"])
    except DomainError as error:
        return _category_refused(request, campaign, error)
    return _categories_changed(request, campaign, _("The category was renamed."))


@login_required
@require_POST
def category_delete(request, slug):
    campaign = _managed_campaign(request, slug)
    form = CategoryActionForm(request.POST)
    if not form.is_valid():
        return _category_form_refused(request, campaign, form)
    try:
        services.delete_category(category=_category_of(campaign, form), by=request.user)
    except DomainError as error:
        return _category_refused(request, campaign, error)
    return _categories_changed(request, campaign, _("The category was deleted; its ideas are now uncategorised."))


@login_required
@require_POST
def category_move(request, slug, step: int):
    """Move a category one place up (step -1) or down (step 1)."""
    campaign = _managed_campaign(request, slug)
    form = CategoryActionForm(request.POST)
    if not form.is_valid():
        return _category_form_refused(request, campaign, form)
    category = _category_of(campaign, form)
    slugs = list(campaign.categories.values_list("slug", flat=True))
    try:
        services.reorder_categories(campaign=campaign, by=request.user, slugs=moved(slugs, category.slug, step))
    except DomainError as error:
        return _category_refused(request, campaign, error)
    return _categories_changed(request, campaign, _("The categories were reordered."))


CATEGORY_ACTIONS = {
    "add": category_add,
    "rename": category_rename,
    "delete": category_delete,
    "up": partial(category_move, step=-1),
    "down": partial(category_move, step=1),
}


def _categories_changed(request, campaign: Campaign, done: str):
    messages.success(request, done)
    return redirect("campaigns:categories", slug=campaign.slug)


def _category_form_refused(request, campaign: Campaign, form):
    """A change to a listed category that was not valid: its errors above the list."""
    error = " ".join(str(m) for field_messages in form.errors.values() for m in field_messages)
    return _render_categories(request, campaign, status=400, error=error)


def _category_refused(request, campaign: Campaign, error: DomainError):
    """A change to a listed category that the service refused: its messages above the list."""
    messages_list = [m for field in (error.fields or {}).values() for m in field] or [error.detail]
    return _render_categories(request, campaign, status=error.status, error=" ".join(messages_list))


def _render_categories(request, campaign, *, status=200, category_form=None, error=None):
    context = {
        "campaign": campaign,
        "categories": campaign.categories.all(),
        "category_form": category_form or CategoryForm(),
        "category_error": error,
    }
    return render(request, "campaigns/categories.html", context, status=status)


def _follow_fragment(request, campaign: Campaign, *, following: bool, error: DomainError | None = None):
    context = {"campaign": campaign, "following": following, "follow_error": error.detail if error else ""}
    return render(request, "campaigns/_follow.html", context, status=error.status if error else 200)


def _follow_refused(request, campaign: Campaign, error: DomainError):
    return htmx_or_redirect(
        request,
        fragment=lambda: _follow_fragment(request, campaign, following=False, error=error),
        to=campaign.get_absolute_url(),
        message=error.detail,
        level=messages.ERROR,
    )


@login_required
@require_POST
def campaign_follow(request, slug):
    campaign = _visible_campaign(request, slug)
    try:
        services.follow_campaign(campaign=campaign, user=request.user)
    except DomainError as error:
        return _follow_refused(request, campaign, error)
    return htmx_or_redirect(
        request,
        fragment=lambda: _follow_fragment(request, campaign, following=True),
        to=safe_next(request, campaign.get_absolute_url()),
        message=_("You follow this campaign: we will tell you when its vote opens."),
    )


@login_required
@require_POST
def campaign_unfollow(request, slug):
    campaign = _visible_campaign(request, slug)
    try:
        services.unfollow_campaign(campaign=campaign, user=request.user)
    except DomainError as error:
        return _follow_refused(request, campaign, error)
    return htmx_or_redirect(
        request,
        fragment=lambda: _follow_fragment(request, campaign, following=False),
        to=safe_next(request, campaign.get_absolute_url()),
        message=_("You no longer follow this campaign."),
    )
