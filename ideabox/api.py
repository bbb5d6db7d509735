"""What every API endpoint shares: pagination and the error format.

Every refusal is `{"code": "...", "detail": "..."}`, plus `"fields"` for
validation errors, whatever raised it: DRF, Django or a service's
DomainError.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from .exceptions import ERROR_CODES, DomainError


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class LineErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_lazy("The line in the file; 1 is the header."))
    detail = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal (for the OpenAPI description)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    # A refused file (`invalid_csv`): what is wrong, line by line.
    errors = LineErrorSerializer(many=True, required=False)


# What an endpoint that reads a body may answer whatever it does with it: a
# body that is not JSON, too large or nested too deep, or in a media type it
# does not read.
BODY_REFUSALS = ("invalid", "unsupported_media_type")


def refusals(*codes: str) -> dict[int, OpenApiResponse]:
    """An endpoint's documented refusals (its `responses=` entries besides
    success), from the error-code table: one per status, naming each of the
    given codes that answer with it and what the code means."""
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(ERROR_CODES[code].status, []).append(code)
    return {
        status: OpenApiResponse(
            ErrorSerializer,
            description=format_lazy(" ".join(["`{}`: {}."] * len(names)), *_with_meanings(names)),
        )
        for status, names in sorted(by_status.items())
    }


def _with_meanings(codes: list[str]) -> list:
    return [part for code in codes for part in (code, ERROR_CODES[code].meaning)]


# DRF exceptions -> our codes. Order matters: subclasses before parents.
CODES = [
    (exceptions.ValidationError, "invalid"),
    (exceptions.ParseError, "invalid"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "not_authenticated"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(name): _messages(value) for name, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def error_body(code: str, detail: str, fields: dict | None = None) -> dict:
    body = {"code": code, "detail": str(detail)}
    if fields:
        body["fields"] = fields
    return body


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.detail, exc.fields), status=exc.status)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        # Django's refusal of a body past DATA_UPLOAD_MAX_MEMORY_SIZE (or too
        # many fields): answered here so that the API says it in JSON even
        # with DEBUG on, where Django would show its HTML debug page.
        return Response(error_body("invalid", _("The request body is too large.")), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handler answers (in JSON under /api/)

    code = next((c for cls, c in CODES if isinstance(exc, cls)), "invalid")
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        non_field = fields.get("non_field_errors")
        if non_field and len(fields) == 1:
            detail = " ".join(non_field)
        else:
            detail = _("Some fields are not valid.")
        body = error_body(code, detail, fields)
    else:
        body = error_body(code, " ".join(_messages(exc.detail)))
    return Response(body, status=exc.status_code, headers=headers)
