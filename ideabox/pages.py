"""What every app's pages share, written once.

- `show_refusal`: a service's refusal (a DomainError) shown on the form that
  was sent: each message beside the field it names, else above the form.
- `htmx_or_redirect`: the answer to a small action (follow, save a score):
  htmx gets the part of the page that changed; a plain POST gets a message
  and a redirect.
- `moved`: an ordered list with one item moved up or down (the ↑/↓ buttons
  that reorder categories, criteria, awards).

This module is at the bottom of the ranking: it imports no app.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect

from .exceptions import DomainError

T = TypeVar("T")


def show_refusal(error: DomainError, form: forms.Form, *others: forms.Form, whole: dict | None = None) -> None:
    """Show a service's refusal on the form that was sent.

    Each message goes beside the field it names, on the first of `form` and
    `others` that has that field; a message naming a field none of them has
    goes above `form`. A refusal naming no field shows its detail above
    `form`. `whole` maps a name to a form that takes its messages above its
    own fields (the submit page's attachments: "attachments" names them all).
    """
    if not error.fields:
        form.add_error(None, str(error.detail))
        return
    whole = whole or {}
    for name, field_messages in error.fields.items():
        holder = next((f for f in (form, *others) if name in f.fields), None)
        if holder is not None:
            holder.add_error(name, list(field_messages))
        else:
            whole.get(name, form).add_error(None, list(field_messages))


def htmx_or_redirect(
    request,
    *,
    fragment: Callable[[], HttpResponse],
    to: str,
    message: str = "",
    level: int = messages.SUCCESS,
) -> HttpResponse:
    """The answer to a small action posted from a page.

    htmx (HX-Request): `fragment()`, the part of the page that changed,
    which carries its own confirmation or refusal. A plain POST: `message`
    (if any) as a message at `level` on the next page, and a redirect to
    `to` (a path, already checked: see ideabox.http.safe_next).
    """
    if request.htmx:
        return fragment()
    if message:
        messages.add_message(request, level, message)
    return HttpResponseRedirect(to)


def moved(items: Sequence[T], item: T, step: int) -> list[T]:
    """`items` with `item` swapped with its neighbour `step` places away
    (-1: up, 1: down); unchanged at either end or when `item` is absent."""
    result = list(items)
    if item not in result:
        return result
    here = result.index(item)
    there = here + step
    if 0 <= there < len(result):
        result[here], result[there] = result[there], result[here]
    return result
