"""The jury pages: setup (managers), scoring (jurors), progress (managers,
and the chair read-only), the awards (the chair and managers decide).

Who sees: managers everything; a juror the scoring page of a campaign they
sit on, even an internal one they could not otherwise see (jury.access);
the chair also the progress page, without its buttons. Everyone else: 404.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from campaigns.models import Audience, Campaign, Kind, Phase
from ideabox.exceptions import DomainError
from ideabox.pages import moved, show_refusal
from ideas.models import Idea, Status

from . import award_services, selectors, services
from .access import jury_campaign_or_404, may_decide_awards, may_see_progress, seat
from .forms import (
    AwardForm,
    ChairForm,
    ConflictForm,
    CriterionForm,
    DecideForm,
    ItemForm,
    JurorForm,
    JurySettingsForm,
    ScoreForm,
    WildcardForm,
)
from .models import Award, AwardBasis, BoxTransfer, Criterion, Juror, Jury, Wildcard

WILDCARD_CHOICES = 50


def _managed(request, slug: str) -> Campaign:
    if not roles.is_manager(request.user):
        raise Http404
    return get_object_or_404(Campaign.objects.filter(kind=Kind.CHALLENGE), slug=slug)


# --- setup: the page, and one view per action ------------------------------------------


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
        "setup_open": selectors.setup_is_open(campaign),
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


def _setup(request, campaign: Campaign, forms: dict | None = None, *, status: int = 200):
    # Unsaved defaults until a first change: reading the page writes nothing.
    context = _setup_context(campaign, selectors.settings_of(campaign), forms or {})
    return render(request, "jury/setup.html", context, status=status)


def _refused(request, campaign: Campaign, **forms):
    """The setup page again, with the refused form (or an `error` on top)."""
    return _setup(request, campaign, forms, status=400)


def _done(request, campaign: Campaign, message: str):
    messages.success(request, message)
    return HttpResponseRedirect(reverse("jury:setup", args=[campaign.slug]))


def _submit(form, call):
    """Validate `form` and call the service with its data; a refusal lands
    on the form. Returns the service's result (check `form.is_valid()`)."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except DomainError as error:
        show_refusal(error, form)
        return None


@require_http_methods(["GET", "POST"])
def setup_page(request, slug: str):
    campaign = _managed(request, slug)
    if request.method == "GET":
        return _setup(request, campaign)
    # Forms that post their `action` to the page itself (as they all did
    # before each action had its own address) still reach its view.
    view = SETUP_ACTIONS.get(request.POST.get("action"))
    if view is None:
        return _refused(request, campaign, error=_("Unknown action."))
    return view(request, slug)


def _on_form(request, slug: str, form_class, shown_as: str, call, said):
    """A setup form: when valid and accepted by `call(campaign, data)`, back
    to the page with `said` (or `said(result)`); else the page with the form
    again (the context's `shown_as`) and its errors."""
    campaign = _managed(request, slug)
    form = form_class(request.POST)
    result = _submit(form, lambda data: call(campaign, data))
    if not form.is_valid():
        return _refused(request, campaign, **{shown_as: form})
    return _done(request, campaign, said(result) if callable(said) else said)


@require_POST
def save_settings(request, slug: str):
    return _on_form(
        request,
        slug,
        JurySettingsForm,
        "settings_form",
        lambda campaign, data: services.update_jury(campaign=campaign, by=request.user, **data),
        _("The jury's settings were saved."),
    )


@require_POST
def add_juror(request, slug: str):
    return _on_form(
        request,
        slug,
        JurorForm,
        "juror_form",
        lambda campaign, data: services.add_juror(campaign=campaign, by=request.user, **data),
        lambda juror: _("%(name)s joined the jury.") % {"name": juror.user.public_name},
    )


@require_POST
def set_chair(request, slug: str):
    campaign = _managed(request, slug)
    form = ChairForm(request.POST)
    if not form.is_valid():
        return _refused(request, campaign, error=_("Choose a juror."))
    juror = None
    if form.cleaned_data["juror"]:
        juror = Juror.objects.filter(campaign=campaign, pk=form.cleaned_data["juror"]).first()
        if juror is None:
            return _refused(request, campaign, error=_("This person is not on this jury."))
    try:
        services.set_chair(campaign=campaign, by=request.user, juror=juror)
    except DomainError as error:
        return _refused(request, campaign, error=error.detail)
    return _done(request, campaign, _("The chair was changed."))


@require_POST
def add_criterion(request, slug: str):
    return _on_form(
        request,
        slug,
        CriterionForm,
        "criterion_form",
        lambda campaign, data: services.add_criterion(campaign=campaign, by=request.user, **data),
        _("Added."),
    )


@require_POST
def add_award(request, slug: str):
    return _on_form(
        request,
        slug,
        AwardForm,
        "award_form",
        lambda campaign, data: services.add_award(campaign=campaign, by=request.user, **data),
        _("Added."),
    )


def _on_item(request, slug: str, model, act):
    """A button on one juror, criterion or award, named by the posted `id`:
    `act(campaign, target, item)` calls its service."""
    campaign = _managed(request, slug)
    item = ItemForm(request.POST)
    target = item.is_valid() and model.objects.filter(campaign=campaign, pk=item.cleaned_data["id"]).first()
    if not target:
        return _refused(request, campaign, error=_("This item does not exist."))
    try:
        refused = act(campaign, target, item.cleaned_data)
    except DomainError as error:
        return _refused(request, campaign, error=error.detail)
    return refused or _done(request, campaign, _("Saved."))


@require_POST
def remove_juror(request, slug: str):
    return _on_item(request, slug, Juror, lambda _c, juror, _i: services.remove_juror(juror=juror, by=request.user))


@require_POST
def delete_criterion(request, slug: str):
    return _on_item(
        request,
        slug,
        Criterion,
        lambda _c, criterion, _i: services.delete_criterion(criterion=criterion, by=request.user),
    )


@require_POST
def delete_award(request, slug: str):
    return _on_item(request, slug, Award, lambda _c, award, _i: services.delete_award(award=award, by=request.user))


def _move(request, slug: str, model, reorder):
    def act(campaign, target, item):
        ids = list(model.objects.filter(campaign=campaign).values_list("pk", flat=True))
        step = 1 if item["direction"] == "down" else -1
        reorder(campaign=campaign, by=request.user, ids=moved(ids, target.pk, step))

    return _on_item(request, slug, model, act)


@require_POST
def move_criterion(request, slug: str):
    return _move(request, slug, Criterion, services.reorder_criteria)


@require_POST
def move_award(request, slug: str):
    return _move(request, slug, Award, services.reorder_awards)


def _update(request, slug: str, model, kind: str, form_class, prefix: str, update):
    """Save one criterion's or award's row; a refusal shows in that row."""

    def act(campaign, target, _item):
        form = form_class(request.POST, prefix=f"{prefix}{target.pk}")
        _submit(form, lambda data: update(target, data))
        if not form.is_valid():
            return _refused(request, campaign, edited=(kind, target.pk, form))
        return None

    return _on_item(request, slug, model, act)


@require_POST
def update_criterion(request, slug: str):
    return _update(
        request,
        slug,
        Criterion,
        "criterion",
        CriterionForm,
        "crit",
        lambda criterion, data: services.update_criterion(criterion=criterion, by=request.user, **data),
    )


@require_POST
def update_award(request, slug: str):
    return _update(
        request,
        slug,
        Award,
        "award",
        AwardForm,
        "award",
        lambda award, data: services.update_award(award=award, by=request.user, **data),
    )


# The `action` a setup form posts to the page, and its view (setup_page).
SETUP_ACTIONS = {
    "settings": save_settings,
    "add_juror": add_juror,
    "remove_juror": remove_juror,
    "set_chair": set_chair,
    "add_criterion": add_criterion,
    "update_criterion": update_criterion,
    "delete_criterion": delete_criterion,
    "move_criterion": move_criterion,
    "add_award": add_award,
    "update_award": update_award,
    "delete_award": delete_award,
    "move_award": move_award,
}


# --- scoring ---------------------------------------------------------------------------


def _scoring_context(request, campaign: Campaign, *, ideas=None) -> dict:
    juror = seat(campaign, request.user)
    if juror is not None:
        juror.user = request.user
    jury = selectors.settings_of(campaign)
    criteria = selectors.criteria_of(campaign)
    listed = list(selectors.shortlist_for_jury(campaign) if ideas is None else ideas)
    found = selectors.cards(campaign=campaign, juror=juror, ideas=listed)
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
        "blind": jury.hides_votes_from(request.user),
        "criteria": criteria,
        "cards": found,
        "open": selectors.scoring_open(campaign),
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
    context = _scoring_context(request, campaign, ideas=selectors.shortlist_for_jury(campaign).filter(pk=idea_id))
    if not context["cards"]:
        raise Http404
    card = context["cards"][0]
    if form is not None:
        card.form = form
    context.update({"card": card, "message": message, "error": error, "swap_progress": False})
    if context["juror"] is not None:
        # htmx: the page's "n of m scores given" line follows the save (out of band).
        mine = next(row for row in selectors.progress(campaign).jurors if row.juror.pk == context["juror"].pk)
        context.update({"swap_progress": True, "given": mine.given, "expected": mine.expected})
    return render(request, "jury/_card.html", context, status=status)


def _card_refused(request, campaign: Campaign, idea_id: int, error: str, *, status: int, form=None):
    """A refused save or declaration: htmx gets the card with the error in
    it, a plain POST the page, the error inside the card."""
    if request.htmx:
        return _card_response(request, campaign, idea_id, status=status, form=form, error=error)
    return _back_to_card(request, campaign, idea_id, error, level=messages.ERROR)


def _card_done(request, campaign: Campaign, idea_id: int, *, short: str, long: str):
    """Done: the card says `short` (htmx); the page after a plain POST, `long`."""
    if request.htmx:
        return _card_response(request, campaign, idea_id, message=short)
    return _back_to_card(request, campaign, idea_id, long)


def _on_card(request, campaign: Campaign, idea_id: int, call, *, short: str, long: str):
    """Call a scoring service for one card and answer for it."""
    try:
        call()
    except DomainError as error:
        if error.status == 404:
            raise Http404 from None
        return _card_refused(request, campaign, idea_id, error.detail, status=error.status)
    return _card_done(request, campaign, idea_id, short=short, long=long)


@require_POST
def save_scores(request, slug: str, idea_id: int):
    campaign = jury_campaign_or_404(slug, request.user)
    criteria = selectors.criteria_of(campaign)
    form = ScoreForm(request.POST, criteria=criteria, prefix=f"idea{idea_id}")
    if not form.is_valid():
        return _card_refused(request, campaign, idea_id, _("Some scores are not valid."), status=400, form=form)
    return _on_card(
        request,
        campaign,
        idea_id,
        lambda: services.save_evaluation(
            campaign=campaign,
            user=request.user,
            idea=idea_id,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
        ),
        short=_("Saved."),
        long=_("Your scores were saved."),
    )


@require_POST
def declare_conflict(request, slug: str, idea_id: int):
    campaign = jury_campaign_or_404(slug, request.user)
    form = ConflictForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _on_card(
        request,
        campaign,
        idea_id,
        lambda: services.declare_conflict(campaign=campaign, user=request.user, idea=idea_id, reason=reason),
        short=_("Conflict of interest declared."),
        long=_("Conflict of interest declared: you will not score this idea."),
    )


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
        "progress": selectors.progress(campaign),
        "manager": manager,
        "open": selectors.scoring_open(campaign),
        "deliberation": campaign.phase == "deliberation",
        "search": search,
        "error": error,
        # the chair is a juror: blind review hides the votes from them here too
        "blind": selectors.settings_of(campaign).hides_votes_from(request.user),
    }
    if manager and context["deliberation"]:
        context["candidates"] = list(selectors.wildcard_candidates(campaign, search)[:WILDCARD_CHOICES])
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
            show_refusal(error, form)
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


# --- the awards ------------------------------------------------------------------------
#
# Who sees the award page: campaign managers and the campaign's jurors
# (jury.access); anyone else gets a 404. The chair and managers decide; a
# juror who is not the chair sees the page read-only, and a decision they
# send anyway is refused with a message (403). Under blind review, jurors
# (the chair too) do not see vote counts here; managers always do. After
# publication, managers move awarded ideas of an internal campaign into the
# idea box from here (the results' move-to-box action).


def _award(campaign: Campaign, award_id: int) -> Award:
    return get_object_or_404(Award.objects.filter(campaign=campaign), pk=award_id)


def _awards_context(request, campaign: Campaign, bound: dict[int, DecideForm] | None = None) -> dict:
    view = award_services.overview(campaign)
    may_decide = may_decide_awards(campaign, request.user)
    deciding = campaign.phase == Phase.DELIBERATION
    published = bool(view.jury.published_at)
    bound = bound or {}
    hidden_winners = view.hidden_winners
    entries = []
    for award in view.awards:
        form = None
        if may_decide and deciding and award.basis == AwardBasis.JURY and view.standings:
            form = bound.get(award.pk) or DecideForm(
                standings=view.standings, award=award, suggestion=view.suggestions.get(award.pk)
            )
        entries.append(
            {
                "award": award,
                "suggested": view.suggestions.get(award.pk),
                "form": form,
                "votes": view.votes.get(award.winner_id) if award.basis == AwardBasis.PUBLIC else None,
                "history": view.history.get(award.pk, []),
                "winner_hidden": award in hidden_winners,
            }
        )
    titles = {s.idea.pk: s.idea for s in view.standings}
    for entry in entries:
        entry["suggested_idea"] = titles.get(entry["suggested"])
    # After publication, managers move the awarded ideas of an internal campaign into the box.
    movable = published and roles.may_move_to_box(request.user) and campaign.audience == Audience.INTERNAL
    winners = {s.idea.pk for s in view.standings if s.idea.status == Status.AWARDED} if movable else set()
    moved_ideas = (
        dict(BoxTransfer.objects.filter(idea_id__in=winners).values_list("idea_id", "box_idea_id")) if winners else {}
    )
    rows = [
        {"standing": s, "movable": s.idea.pk in winners, "box_idea_id": moved_ideas.get(s.idea.pk)}
        for s in view.standings
    ]
    return {
        "campaign": campaign,
        "view": view,
        "entries": entries,
        "may_decide": may_decide,
        "deciding": deciding,
        "published": published,
        "hide_votes": view.jury.hides_votes_from(request.user),
        "is_manager": roles.is_manager(request.user),
        "movable": movable,
        "rows": rows,
    }


@require_GET
def awards_page(request, slug: str):
    campaign = jury_campaign_or_404(slug, request.user)
    return render(request, "jury/awards/page.html", _awards_context(request, campaign))


@require_POST
def decide_award(request, slug: str, award_id: int):
    campaign = jury_campaign_or_404(slug, request.user)
    award = _award(campaign, award_id)
    view = award_services.overview(campaign)
    form = DecideForm(request.POST, standings=view.standings, award=award)
    status = 400
    if form.is_valid():
        winner = Idea.objects.filter(pk=form.cleaned_data["winner"], campaign=campaign).first()
        try:
            decided = award_services.decide_award(
                award=award, by=request.user, winner=winner, justification=form.cleaned_data["justification"]
            )
        except DomainError as error:
            if error.code == "not_found":
                raise Http404 from error
            show_refusal(error, form)
            status = error.status
        else:
            messages.success(
                request,
                _("“%(award)s” goes to “%(idea)s”.") % {"award": decided.name, "idea": decided.winner.title},
            )
            return redirect("jury:awards", slug=campaign.slug)
    context = _awards_context(request, campaign, bound={award.pk: form})
    return render(request, "jury/awards/page.html", context, status=status)


@require_POST
def undecide_award(request, slug: str, award_id: int):
    campaign = jury_campaign_or_404(slug, request.user)
    award = _award(campaign, award_id)
    try:
        award_services.undecide_award(award=award, by=request.user)
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from error
        messages.error(request, error.detail)
        return redirect("jury:awards", slug=campaign.slug)
    messages.success(request, _("The decision on “%(award)s” was taken back.") % {"award": award.name})
    return redirect("jury:awards", slug=campaign.slug)
