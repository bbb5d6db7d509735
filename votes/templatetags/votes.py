"""`{% vote_button idea %}`: the vote button of an idea, on its page and in lists.

It renders the state the view passed in (`vote_states`, from
votes.services.vote_states: the vote endpoints' own answers). The idea pages
of `ideas` cannot pass it: their views rank below votes (STYLE.md), so for
them the states of every idea the page shows (`ideas` in the context, or just
this `idea`) are computed on the first call, in a flat number of queries, and
kept on the request for the other cards.
"""

from django import template
from django.contrib.auth.models import AnonymousUser

from votes import services

register = template.Library()

_CACHE_ATTR = "_ideabox_vote_states"


def _states_for(context, idea) -> services.VoteState:
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()
    cache = getattr(request, _CACHE_ATTR, None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            setattr(request, _CACHE_ATTR, cache)
    if idea.pk not in cache:
        page = [i for i in (context.get("ideas") or []) if getattr(i, "pk", None) not in cache]
        if idea.pk not in {i.pk for i in page}:
            page.append(idea)
        cache.update(services.vote_states(user=user, ideas=page, campaign=context.get("campaign")))
    return cache[idea.pk]


@register.inclusion_tag("votes/_vote.html", takes_context=True)
def vote_button(context, idea):
    passed = context.get("vote_states") or {}
    state = passed[idea.pk] if idea.pk in passed else _states_for(context, idea)
    request = context.get("request")
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "idea": idea,
        "voted": state.voted,
        "can_vote": state.can_vote,
        "can_withdraw": state.can_withdraw,
        "no_votes_left": state.no_votes_left,
        "votes_left": state.votes_left,
        "counts_hidden": state.counts_hidden,
        "log_in_to_vote": state.log_in_to_vote,
        "own": state.own,
        "open": state.open,
        "next": context.get("vote_next") or (request.get_full_path() if request is not None else ""),
        "vote_message": context.get("vote_message"),
        "vote_error": context.get("vote_error"),
        "swap_votes_left": bool(context.get("swap_votes_left")),
    }
