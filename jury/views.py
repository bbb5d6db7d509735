"""The jury pages: setup (managers), scoring (jurors), progress (managers,
and the chair read-only).

Who sees: managers everything; a juror the scoring page of a campaign they
sit on, even an internal one they could not otherwise see (jury.access);
the chair also the progress page, without its buttons. Everyone else: 404.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from campaigns.models import Campaign, Kind
from ideabox.exceptions import DomainError

from . import services
from .access import jury_campaign_or_404, may_see_progress, seat
from .forms import (
    AwardForm,
    ChairForm,
    ConflictForm,
    CriterionForm,
    ItemForm,
    JurorForm,
    JurySettingsForm,
    ScoreForm,
    WildcardForm,
)
from .models import Award, Criterion, Juror, Jury, Wildcard

WILDCARD_CHOICES = 50


def _managed(request, slug: str) -> Campaign:
    if not roles.is_manager(request.user):
        raise Http404
    return get_object_or_404(Campaign.objects.filter(kind=Kind.CHALLENGE), slug=slug)


def _form_error(form, error: DomainError) -> None:
    """A service's refusal shown on the form that was sent."""
    placed = False
    for name, errors in (error.fields or {}).items():
        if name in form.fields:
            for message in errors:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.detail)


# --- setup ------------------------------------------------------------------------------

SETUP_ACTIONS = {
    "settings",
    "add_juror",
    "remove_juror",
    "set_chair",
    "add_criterion",
    "update_criterion",
    "delete_criterion",
    "move_criterion",
    "add_award",
    "update_award",
    "delete_award",
    "move_award",
}


def _moved(ids: list[int], pk: int, direction: str) -> list[int]:
    if pk not in ids:
        return ids
    i = ids.index(pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    return ids


def _setup_context(campaign: Campaign, jury: Jury, forms: dict) -> dict:
    jurors = list(Juror.objects.filter(campaign=campaign).select_related("user"))
    criteria = list(Criterion.objects.filter(campaign=campaign))
    awards = list(Award.objects.filter(campaign=campaign))
    settings_initial = {
        "public_weight": jury.public_weight,
        "shortlist_size": campaign.shortlist_size,
        "disagreement_threshold": jury.disagreement_threshold,
        "blind_review": jury.blind_review,
        "allow_multiple_awards": jury.allow_multiple_awards,
    }
    context = {
        "campaign": campaign,
        "jury": jury,
        "jurors": jurors,
        "criteria": criteria,
        "criteria_forms": [(c, CriterionForm(prefix=f"crit{c.pk}", initial=vars(c))) for c in criteria],
        "awards": awards,
        "award_forms": [(a, AwardForm(prefix=f"award{a.pk}", initial=vars(a))) for a in awards],
        "setup_open": services.setup_is_open(campaign),
        "jurors_open": jury.published_at is None,
        "settings_form": JurySettingsForm(initial=settings_initial),
        "juror_form": JurorForm(),
        "criterion_form": CriterionForm(),
        "award_form": AwardForm(),
        "error": None,
    }
    for key, value in forms.items():
        if key == "edited":
            # a refused edit of one criterion or award shows in its own row
            kind, pk, form = value
            name = "criteria_forms" if kind == "criterion" else "award_forms"
            context[name] = [(item, form if item.pk == pk else f) for item, f in context[name]]
        else:
            context[key] = value
    return context


@require_http_methods(["GET", "POST"])
def setup_page(request, slug: str):
    campaign = _managed(request, slug)
    # Unsaved defaults until a first change: reading the page writes nothing.
    jury = Jury.objects.filter(campaign=campaign).first() or Jury(campaign=campaign)
    if request.method == "GET":
        return render(request, "jury/setup.html", _setup_context(campaign, jury, {}))
    action = request.POST.get("action")
    if action not in SETUP_ACTIONS:
        return render(
            request, "jury/setup.html", _setup_context(campaign, jury, {"error": _("Unknown action.")}), status=400
        )
    refused = _setup_action(request, campaign, action)
    if refused is not None:
        jury = Jury.objects.filter(campaign=campaign).first() or jury
        return render(request, "jury/setup.html", _setup_context(campaign, jury, refused), status=400)
    return HttpResponseRedirect(reverse("jury:setup", args=[campaign.slug]))


def _setup_action(request, campaign: Campaign, action: str) -> dict | None:
    """Do one setup action; the forms to show again when refused, else None."""
    user, post = request.user, request.POST
    if action == "settings":
        form = JurySettingsForm(post)
        if not form.is_valid():
            return {"settings_form": form}
        try:
            services.update_jury(campaign=campaign, by=user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
            return {"settings_form": form}
        messages.success(request, _("The jury's settings were saved."))
        return None
    if action == "add_juror":
        form = JurorForm(post)
        if not form.is_valid():
            return {"juror_form": form}
        try:
            juror = services.add_juror(campaign=campaign, by=user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
            return {"juror_form": form}
        messages.success(request, _("%(name)s joined the jury.") % {"name": juror.user.public_name})
        return None
    if action in ("add_criterion", "add_award"):
        form = (CriterionForm if action == "add_criterion" else AwardForm)(post)
        key = "criterion_form" if action == "add_criterion" else "award_form"
        if not form.is_valid():
            return {key: form}
        try:
            if action == "add_criterion":
                services.add_criterion(campaign=campaign, by=user, **form.cleaned_data)
            else:
                services.add_award(campaign=campaign, by=user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
            return {key: form}
        messages.success(request, _("Added."))
        return None
    if action == "set_chair":
        form = ChairForm(post)
        if not form.is_valid():
            return {"error": _("Choose a juror.")}
        juror = None
        if form.cleaned_data["juror"]:
            juror = Juror.objects.filter(campaign=campaign, pk=form.cleaned_data["juror"]).first()
            if juror is None:
                return {"error": _("This person is not on this jury.")}
        try:
            services.set_chair(campaign=campaign, by=user, juror=juror)
        except DomainError as error:
            return {"error": error.detail}
        messages.success(request, _("The chair was changed."))
        return None

    item = ItemForm(post)
    if not item.is_valid():
        return {"error": _("This item does not exist.")}
    pk = item.cleaned_data["id"]
    model = {"juror": Juror, "criterion": Criterion, "award": Award}[action.split("_", 1)[1]]
    target = model.objects.filter(campaign=campaign, pk=pk).first()
    if target is None:
        return {"error": _("This item does not exist.")}
    try:
        if action == "remove_juror":
            services.remove_juror(juror=target, by=user)
        elif action == "delete_criterion":
            services.delete_criterion(criterion=target, by=user)
        elif action == "delete_award":
            services.delete_award(award=target, by=user)
        elif action in ("move_criterion", "move_award"):
            ids = list(model.objects.filter(campaign=campaign).values_list("pk", flat=True))
            ids = _moved(ids, pk, item.cleaned_data["direction"] or "up")
            reorder = services.reorder_criteria if model is Criterion else services.reorder_awards
            reorder(campaign=campaign, by=user, ids=ids)
        else:
            kind = "criterion" if model is Criterion else "award"
            form = (CriterionForm if model is Criterion else AwardForm)(
                post, prefix=f"{'crit' if model is Criterion else 'award'}{pk}"
            )
            if not form.is_valid():
                return {"edited": (kind, pk, form)}
            try:
                if model is Criterion:
                    services.update_criterion(criterion=target, by=user, **form.cleaned_data)
                else:
                    services.update_award(award=target, by=user, **form.cleaned_data)
            except DomainError as error:
                _form_error(form, error)
                return {"edited": (kind, pk, form)}
    except DomainError as error:
        return {"error": error.detail}
    messages.success(request, _("Saved."))
    return None


# --- scoring ---------------------------------------------------------------------------


def _scoring_context(request, campaign: Campaign, *, ideas=None) -> dict:
    juror = seat(campaign, request.user)
    if juror is not None:
        juror.user = request.user
    jury = Jury.objects.filter(campaign=campaign).first()
    criteria = services.criteria_of(campaign)
    listed = list(services.shortlist_for_jury(campaign) if ideas is None else ideas)
    found = services.cards(campaign=campaign, juror=juror, ideas=listed)
    for card in found:
        card.form = ScoreForm(
            criteria=criteria,
            prefix=f"idea{card.idea.pk}",
            initial={"comment": card.comment, **{f"c{pk}": value for pk, value in card.scores.items()}},
        )
        card.criteria_scores = [(c, card.scores.get(c.pk)) for c in criteria]
    scorable = [card for card in found if not card.own and not card.conflict]
    return {
        "campaign": campaign,
        "juror": juror,
        "blind": bool(jury and jury.blind_review) and not roles.is_manager(request.user),
        "criteria": criteria,
        "cards": found,
        "open": services.scoring_open(campaign),
        "given": sum(card.given for card in scorable),
        "expected": len(scorable) * len(criteria),
        "is_manager": roles.is_manager(request.user),
        "conflict_form": ConflictForm(),
    }


def _card_tag(idea_id: int) -> str:
    return f"idea-{idea_id}"


def _back_to_card(request, campaign: Campaign, idea_id: int, message: str, *, level=messages.SUCCESS):
    """After a plain POST: back to the idea's card (#idea-<id>), with the
    message inside it (tagged for the card): the anchor would scroll past a
    message at the top of the page."""
    messages.add_message(request, level, message, extra_tags=_card_tag(idea_id))
    return HttpResponseRedirect(reverse("jury:score", args=[campaign.slug]) + f"#{_card_tag(idea_id)}")


def scoring_page(request, slug: str):
    if request.method != "GET":
        return HttpResponseRedirect(request.path)
    campaign = jury_campaign_or_404(slug, request.user)
    context = _scoring_context(request, campaign)
    # The messages of a plain POST about one card go into that card; the others stay at the top.
    by_tag = {_card_tag(card.idea.pk): card for card in context["cards"]}
    elsewhere = []
    for message in messages.get_messages(request):
        card = by_tag.get(message.extra_tags)
        if card is None:
            elsewhere.append(message)
        elif message.level >= messages.WARNING:
            card.error = message.message
        else:
            card.message = message.message
    context["messages"] = elsewhere
    return render(request, "jury/score.html", context)


def _card_response(request, campaign: Campaign, idea_id: int, *, status=200, form=None, message="", error=""):
    context = _scoring_context(request, campaign, ideas=services.shortlist_for_jury(campaign).filter(pk=idea_id))
    if not context["cards"]:
        raise Http404
    card = context["cards"][0]
    if form is not None:
        card.form = form
    context.update({"card": card, "message": message, "error": error, "swap_progress": False})
    if context["juror"] is not None:
        # htmx: the page's "n of m scores given" line follows the save (out of band).
        mine = next(row for row in services.progress(campaign).jurors if row.juror.pk == context["juror"].pk)
        context.update({"swap_progress": True, "given": mine.given, "expected": mine.expected})
    return render(request, "jury/_card.html", context, status=status)


@require_POST
def save_scores(request, slug: str, idea_id: int):
    campaign = jury_campaign_or_404(slug, request.user)
    criteria = services.criteria_of(campaign)
    form = ScoreForm(request.POST, criteria=criteria, prefix=f"idea{idea_id}")
    if not form.is_valid():
        if request.htmx:
            return _card_response(
                request, campaign, idea_id, status=400, form=form, error=_("Some scores are not valid.")
            )
        return _back_to_card(request, campaign, idea_id, _("Some scores are not valid."), level=messages.ERROR)
    try:
        services.save_evaluation(
            campaign=campaign,
            user=request.user,
            idea=idea_id,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404 from None
        if request.htmx:
            return _card_response(request, campaign, idea_id, status=error.status, error=error.detail)
        return _back_to_card(request, campaign, idea_id, error.detail, level=messages.ERROR)
    if request.htmx:
        return _card_response(request, campaign, idea_id, message=_("Saved."))
    return _back_to_card(request, campaign, idea_id, _("Your scores were saved."))


@require_POST
def declare_conflict(request, slug: str, idea_id: int):
    campaign = jury_campaign_or_404(slug, request.user)
    form = ConflictForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.declare_conflict(campaign=campaign, user=request.user, idea=idea_id, reason=reason)
    except DomainError as error:
        if error.status == 404:
            raise Http404 from None
        if request.htmx:
            return _card_response(request, campaign, idea_id, status=error.status, error=error.detail)
        return _back_to_card(request, campaign, idea_id, error.detail, level=messages.ERROR)
    if request.htmx:
        return _card_response(request, campaign, idea_id, message=_("Conflict of interest declared."))
    return _back_to_card(request, campaign, idea_id, _("Conflict of interest declared: you will not score this idea."))


# --- progress, reminders, wildcards ------------------------------------------------------


def _progress_campaign(request, slug: str) -> tuple[Campaign, bool]:
    """The campaign and whether the caller manages it (else: its chair)."""
    campaign = jury_campaign_or_404(slug, request.user)
    if not may_see_progress(campaign, request.user):
        raise Http404
    return campaign, roles.is_manager(request.user)


def _render_progress(request, campaign: Campaign, manager: bool, *, status=200, wildcard_form=None, error=""):
    search = request.GET.get("q", "")[:100]
    context = {
        "campaign": campaign,
        "progress": services.progress(campaign),
        "manager": manager,
        "open": services.scoring_open(campaign),
        "deliberation": campaign.phase == "deliberation",
        "search": search,
        "error": error,
        # the chair is a juror: blind review hides the votes from them here too
        "blind": not manager and Jury.objects.filter(campaign=campaign, blind_review=True).exists(),
    }
    if manager and context["deliberation"]:
        context["candidates"] = list(services.wildcard_candidates(campaign, search)[:WILDCARD_CHOICES])
        context["wildcard_form"] = wildcard_form or WildcardForm()
    return render(request, "jury/progress.html", context, status=status)


def progress_page(request, slug: str):
    if request.method != "GET":
        return HttpResponseRedirect(request.path)
    campaign, manager = _progress_campaign(request, slug)
    return _render_progress(request, campaign, manager)


def _back_to_progress(campaign: Campaign):
    return HttpResponseRedirect(reverse("jury:progress", args=[campaign.slug]))


@require_POST
def remind(request, slug: str):
    campaign = _managed(request, slug)
    try:
        count = services.remind_jurors(campaign=campaign, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return _back_to_progress(campaign)
    if count:
        messages.success(request, _("The jurors who have not finished will get a reminder (once a day at most)."))
    else:
        messages.info(request, _("Every juror has finished: nobody to remind."))
    return _back_to_progress(campaign)


@require_POST
def add_wildcard(request, slug: str):
    campaign = _managed(request, slug)
    form = WildcardForm(request.POST)
    if form.is_valid():
        try:
            services.add_wildcard(campaign=campaign, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The idea was added to the shortlist."))
            return _back_to_progress(campaign)
    return _render_progress(request, campaign, True, status=400, wildcard_form=form)


@require_POST
def remove_wildcard(request, slug: str, wildcard_id: int):
    campaign = _managed(request, slug)
    wildcard = get_object_or_404(Wildcard.objects.select_related("campaign"), campaign=campaign, pk=wildcard_id)
    try:
        services.remove_wildcard(wildcard=wildcard, by=request.user)
    except DomainError as error:
        return _render_progress(request, campaign, True, status=error.status, error=error.detail)
    messages.success(request, _("The wildcard was taken off the shortlist."))
    return _back_to_progress(campaign)
