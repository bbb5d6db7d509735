"""The vote button's endpoints and the answer to an invitation to co-author
(accepting withdraws the invitee's vote).

POST /ideas/<id>/vote/ and /ideas/<id>/unvote/ answer:
- htmx (HX-Request): the refreshed button (votes/_vote.html), status 200,
  with the confirmation or the refusal as a message inside it (so the swap
  happens and the live region announces it);
- a plain POST: a message and a redirect to a safe `next` (or the idea); a
  refusal is a small page with the message and the refusal's status.
Visitors are sent to the login page (htmx: the button says "Log in").
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ideabox.exceptions import DomainError
from ideabox.http import safe_next
from ideas.coauthorship import decline_or_leave
from ideas.models import Idea

from . import coauthorship, services
from .ratelimit import VoteThrottled, check_vote_rate


def _idea_for_button(request, pk: int) -> Idea:
    idea = Idea.objects.visible_to(request.user).select_related("campaign").filter(pk=pk).first()
    if idea is None:
        raise Http404
    return idea


def _button(request, idea: Idea) -> dict:
    """What the button (votes/_vote.html) renders: the idea and its vote state, asked here."""
    states = services.vote_states(user=request.user, ideas=[idea], campaign=idea.campaign)
    return {"idea": idea, "campaign": idea.campaign, "vote_states": states}


def _answer(request, pk: int, *, act, done: str):
    if not request.user.is_authenticated:
        if request.htmx:
            idea = _idea_for_button(request, pk)
            return render(request, "votes/_vote_response.html", _button(request, idea))
        return redirect_to_login(safe_next(request, f"/ideas/{pk}/"))
    try:
        check_vote_rate(request)
        act(voter=request.user, idea=pk)
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from error
        idea = _idea_for_button(request, pk)
        next_url = safe_next(request, idea.get_absolute_url())
        context = {**_button(request, idea), "vote_next": next_url}
        if request.htmx:
            context.update(vote_error=error.detail, swap_votes_left=True)
            return render(request, "votes/_vote_response.html", context)
        response = render(request, "votes/refused.html", {**context, "refusal": error.detail}, status=error.status)
        if isinstance(error, VoteThrottled):
            response["Retry-After"] = str(error.wait)
        return response
    idea = _idea_for_button(request, pk)
    next_url = safe_next(request, idea.get_absolute_url())
    if request.htmx:
        context = {
            **_button(request, idea),
            "vote_next": next_url,
            "vote_message": done,
            "swap_votes_left": True,
        }
        return render(request, "votes/_vote_response.html", context)
    messages.success(request, done)
    return HttpResponseRedirect(next_url)


@require_POST
def vote(request, pk: int):
    return _answer(request, pk, act=services.cast_vote, done=_("Thank you: you support this idea."))


@require_POST
def unvote(request, pk: int):
    return _answer(request, pk, act=services.withdraw_vote, done=_("Your support is withdrawn."))


# --- co-authorship: accepting withdraws the invitee's own vote (votes/coauthorship.py) ---


@require_POST
@login_required
def coauthorship_answer(request, pk: int):
    """Accept (`action=accept`), decline or leave (`action=decline`) without
    JavaScript: a plain form, then back to where it was sent from."""
    back = safe_next(request, reverse("ideas:detail", args=[pk]))
    action = request.POST.get("action")
    try:
        if action == "accept":
            row, _accepted = coauthorship.accept(idea=pk, user=request.user)
            message = _("You are now a co-author of this idea.")
            if row.vote_withdrawn:
                message += " " + _("Your vote on it was withdrawn and given back to you.")
        elif action == "decline":
            row = decline_or_leave(idea=pk, user=request.user)
            if row.state == row.State.LEFT:
                message = _("You are no longer a co-author of this idea.")
            else:
                message = _("You declined the invitation.")
        else:
            messages.error(request, _("Choose to accept or to decline."))
            return redirect(back)
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from error
        messages.error(request, error.detail)
        return redirect(back)
    messages.success(request, message)
    return redirect(back)
