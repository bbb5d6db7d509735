"""The award page: /campaigns/<slug>/jury/awards/.

Who sees it: campaign managers and the campaign's jurors (jury.access),
anyone else gets a 404. The chair and managers decide (jury.awards); a
juror who is not the chair sees the page read-only, and a decision they
send anyway is refused with a message (403). Under blind review, jurors
(the chair too) do not see vote counts here; managers always do. After
publication, managers move awarded ideas of an internal campaign into the
idea box from here.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import roles
from campaigns.models import Audience, Campaign, Phase
from ideabox.exceptions import DomainError
from ideas.models import Idea, Status

from . import access, awards, publication
from .forms_awards import DecideForm
from .models import Award, AwardBasis, BoxTransfer


def _campaign(request, slug: str) -> Campaign:
    return access.jury_campaign_or_404(slug, request.user)


def _award(campaign: Campaign, award_id: int) -> Award:
    return get_object_or_404(Award.objects.filter(campaign=campaign), pk=award_id)


def _form_error(form, error: DomainError) -> None:
    placed = False
    for name, errors in (error.fields or {}).items():
        if name in form.fields:
            for message in errors:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.detail)


def _hides_votes(request, view: awards.Overview) -> bool:
    return bool(view.jury and view.jury.blind_review) and not roles.is_manager(request.user)


def page_context(request, campaign: Campaign, bound: dict[int, DecideForm] | None = None) -> dict:
    view = awards.overview(campaign)
    may_decide = access.may_decide_awards(campaign, request.user)
    deciding = campaign.phase == Phase.DELIBERATION
    published = bool(view.jury and view.jury.published_at)
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
    movable = published and roles.is_manager(request.user) and campaign.audience == Audience.INTERNAL
    winners = {s.idea.pk for s in view.standings if s.idea.status == Status.AWARDED} if movable else set()
    moved = (
        dict(BoxTransfer.objects.filter(idea_id__in=winners).values_list("idea_id", "box_idea_id")) if winners else {}
    )
    rows = [
        {"standing": s, "movable": s.idea.pk in winners, "box_idea_id": moved.get(s.idea.pk)} for s in view.standings
    ]
    return {
        "campaign": campaign,
        "view": view,
        "entries": entries,
        "may_decide": may_decide,
        "deciding": deciding,
        "published": published,
        "hide_votes": _hides_votes(request, view),
        "is_manager": roles.is_manager(request.user),
        "movable": movable,
        "rows": rows,
        "results_url": publication.results_path(campaign),
    }


@require_GET
def awards_page(request, slug: str):
    campaign = _campaign(request, slug)
    return render(request, "jury/awards/page.html", page_context(request, campaign))


def _refused(request, campaign: Campaign, error: DomainError):
    if error.code == "not_found":
        raise Http404
    messages.error(request, error.detail)
    return redirect("awards:page", slug=campaign.slug)


@require_POST
def decide(request, slug: str, award_id: int):
    campaign = _campaign(request, slug)
    award = _award(campaign, award_id)
    view = awards.overview(campaign)
    form = DecideForm(request.POST, standings=view.standings, award=award)
    status = 400
    if form.is_valid():
        winner = Idea.objects.filter(pk=form.cleaned_data["winner"], campaign=campaign).first()
        try:
            decided = awards.decide_award(
                award=award, by=request.user, winner=winner, justification=form.cleaned_data["justification"]
            )
        except DomainError as error:
            if error.code == "not_found":
                raise Http404 from error
            _form_error(form, error)
            status = error.status
        else:
            messages.success(
                request,
                _("“%(award)s” goes to “%(idea)s”.") % {"award": decided.name, "idea": decided.winner.title},
            )
            return redirect("awards:page", slug=campaign.slug)
    context = page_context(request, campaign, bound={award.pk: form})
    return render(request, "jury/awards/page.html", context, status=status)


@require_POST
def undecide(request, slug: str, award_id: int):
    campaign = _campaign(request, slug)
    award = _award(campaign, award_id)
    try:
        awards.undecide_award(award=award, by=request.user)
    except DomainError as error:
        return _refused(request, campaign, error)
    messages.success(request, _("The decision on “%(award)s” was taken back.") % {"award": award.name})
    return redirect("awards:page", slug=campaign.slug)


@require_POST
def move_to_box(request, slug: str, idea_id: int):
    if not roles.is_manager(request.user):
        raise Http404
    campaign = _campaign(request, slug)
    idea = get_object_or_404(Idea.objects.filter(campaign=campaign), pk=idea_id)
    try:
        transfer = publication.move_to_box(idea=idea, by=request.user)
    except DomainError as error:
        return _refused(request, campaign, error)
    messages.success(request, _("“%(idea)s” is now in the idea box, under review.") % {"idea": transfer.box_idea.title})
    return redirect("awards:page", slug=campaign.slug)
