"""The API's JSON parser: any malformed or absurd body is a 400 `invalid`.

DRF's JSONParser turns a syntax error into a 400, but not what a hostile
client sends to break the server: 100,000 `[` make the decoder raise
RecursionError (a 500), a lone surrogate (`"\\ud800"`) is a valid JSON
string that no database can store, `1e999` is infinity, and a list where
every endpoint expects an object reaches code that calls `.get()` on it.
This parser refuses them all before any view sees the data.
"""

import math

from django.utils.translation import gettext as _

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest nesting any endpoint needs is three (an object holding an
# object of lists); anything much deeper is an attack or a mistake.
MAX_DEPTH = 32


class InvalidBody(ParseError):
    """A body the API refuses (the exception handler answers 400 `invalid`)."""


def _refuse(message: str):
    return InvalidBody(_("The request body is not valid JSON: %(reason)s") % {"reason": message})


def _check_string(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse(_("it holds an unpaired surrogate (\\ud800-\\udfff).")) from None


def check_value(data) -> None:
    """Refuse nesting deeper than MAX_DEPTH, strings that are not Unicode
    text and numbers that are not finite. Iterative: no recursion to exhaust."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_DEPTH:
                raise _refuse(_("it is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH})
            for key, item in value.items():
                _check_string(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth > MAX_DEPTH:
                raise _refuse(_("it is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH})
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_string(value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise _refuse(_("it holds a number too large to represent."))


class StrictJSONParser(JSONParser):
    """JSON whose top level is an object, checked by `check_value`."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            raise _refuse(_("it is nested too deeply.")) from None
        except ParseError as exc:
            # DRF's message quotes the decoder's ("JSON parse error - ..."): untranslated.
            raise _refuse(_("check its syntax and its encoding (UTF-8).")) from exc
        if not isinstance(data, dict):
            raise InvalidBody(_("The request body must be a JSON object ({...})."))
        check_value(data)
        return data
