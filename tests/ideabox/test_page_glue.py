"""What every app's pages share (ideabox/pages.py): a refusal shown on a
form, the answer to a small action, an item moved up or down a list."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

import pytest

from ideabox.exceptions import DomainError
from ideabox.pages import htmx_or_redirect, moved, show_refusal


class NameForm(forms.Form):
    name = forms.CharField(required=False)
    slug = forms.CharField(required=False)


class FilesForm(forms.Form):
    file_1 = forms.CharField(required=False)


def bound(form_class):
    form = form_class({})
    form.is_valid()
    return form


# --- show_refusal -------------------------------------------------------------------------


def test_a_refusal_naming_no_field_shows_its_detail_above_the_form():
    form = bound(NameForm)
    show_refusal(DomainError("conflict", "Somebody changed it."), form)
    assert form.non_field_errors() == ["Somebody changed it."]
    assert not form.has_error("name")


def test_each_message_goes_beside_the_field_it_names():
    form = bound(NameForm)
    show_refusal(DomainError("invalid", "No.", fields={"name": ["Too long.", "Taken."], "slug": ["Bad."]}), form)
    assert form.errors["name"] == ["Too long.", "Taken."]
    assert form.errors["slug"] == ["Bad."]
    assert form.non_field_errors() == []


def test_a_message_for_a_field_the_form_lacks_goes_above_it():
    form = bound(NameForm)
    show_refusal(DomainError("invalid", "No.", fields={"colour": ["Not a colour."]}), form)
    assert form.non_field_errors() == ["Not a colour."]


def test_a_message_goes_to_the_other_form_that_has_its_field():
    form, files = bound(NameForm), bound(FilesForm)
    show_refusal(DomainError("invalid", fields={"file_1": ["Too big."], "name": ["Empty."]}), form, files)
    assert files.errors["file_1"] == ["Too big."]
    assert form.errors["name"] == ["Empty."]


def test_a_name_mapped_whole_goes_above_that_form():
    form, files = bound(NameForm), bound(FilesForm)
    show_refusal(
        DomainError("invalid", fields={"attachments": ["Too many."]}), form, files, whole={"attachments": files}
    )
    assert files.non_field_errors() == ["Too many."]
    assert form.non_field_errors() == []


# --- htmx_or_redirect ----------------------------------------------------------------------


def post(*, htmx: bool):
    request = RequestFactory().post("/somewhere/")
    request.htmx = htmx  # what django-htmx's middleware sets: truthy for an htmx request
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_htmx_gets_the_fragment_and_no_message():
    request = post(htmx=True)
    response = htmx_or_redirect(request, fragment=lambda: HttpResponse("part"), to="/back/", message="Done.")
    assert (response.status_code, response.content) == (200, b"part")
    assert list(get_messages(request)) == []


def test_a_plain_post_is_redirected_with_its_message():
    request = post(htmx=False)

    def fragment():
        raise AssertionError("a plain post draws no fragment")

    response = htmx_or_redirect(request, fragment=fragment, to="/back/", message="Refused.", level=40)
    assert (response.status_code, response["Location"]) == (302, "/back/")
    assert [(m.level, m.message) for m in get_messages(request)] == [(40, "Refused.")]


def test_a_plain_post_without_message_is_only_redirected():
    request = post(htmx=False)
    response = htmx_or_redirect(request, fragment=lambda: HttpResponse(), to="/back/")
    assert response.status_code == 302
    assert list(get_messages(request)) == []


# --- moved --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "item, step, expected",
    [
        ("b", -1, ["b", "a", "c"]),
        ("b", 1, ["a", "c", "b"]),
        ("a", -1, ["a", "b", "c"]),  # already first
        ("c", 1, ["a", "b", "c"]),  # already last
        ("z", 1, ["a", "b", "c"]),  # not in the list
    ],
)
def test_an_item_moves_one_place_or_stays_at_the_ends(item, step, expected):
    items = ["a", "b", "c"]
    assert moved(items, item, step) == expected
    assert items == ["a", "b", "c"]  # the list given is left as it was
