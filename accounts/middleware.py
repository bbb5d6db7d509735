import binascii
import logging
import zlib

from django.http import Http404
from django.shortcuts import render

from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from lxml.etree import XMLSyntaxError
from onelogin.saml2.xmlparser import DTDForbidden, EntitiesForbidden, NotSupportedError
from requests import RequestException

from ideabox.http import client_address

from . import sso
from .adapter import unreachable
from .services import acting_from

logger = logging.getLogger(__name__)


class AuditAddressMiddleware:
    """Make the request's client address (proxy-aware, as the rate limits
    read it) what the audit events written during the request carry, without
    every service taking the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_from(client_address(request)):
            return self.get_response(request)


SAML_VIEWS = "allauth.socialaccount.providers.saml.views"
_SAML_UNREADABLE = (binascii.Error, zlib.error, XMLSyntaxError, DTDForbidden, EntitiesForbidden, NotSupportedError)


def _saml_metadata_failed(exception: Exception) -> bool:
    # A SAML provider given by `metadata_url`: python3-saml fetches it with
    # urllib (an OSError when it does not answer) and raises a bare Exception
    # when what it got is not an identity provider's metadata.
    return isinstance(exception, OSError) or (
        type(exception) is Exception and str(exception).startswith("Not valid IdP XML found from URL")
    )


def _saml_logout_configured(provider_id: str) -> bool:
    idp = (sso.provider(provider_id) or {}).get("idp") or {}
    return bool(idp.get("slo_url") or idp.get("metadata_url"))


class CompanySignInErrorsMiddleware:
    """Company sign-in's failures as pages that say what happened, never a
    server error.

    allauth's OpenID Connect views fetch the provider's discovery document
    while building the redirect (log-in) and the token client (callback),
    and its SAML views the provider's `metadata_url`, outside their own error
    handling: a provider that is down raised a 500. (A SAML response that
    is not XML did too: the "sign-in failed" page, 400.)
    Exceptions of the provider's making, raised by allauth's socialaccount
    views only, become the "does not answer" page (503). And allauth's social
    sign-up form, where another address could be typed (a second account for
    one person), is never shown: accounts are made without a form
    (accounts.adapter.SocialAccountAdapter)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.url_name == "socialaccount_signup":
            return render(request, "socialaccount/signup.html", status=403)
        if request.resolver_match.url_name == "saml_sls" and not _saml_logout_configured(
            view_kwargs.get("organization_slug", "")
        ):
            # allauth's single-logout endpoint acted on a logout request (the
            # person logged out) and then failed for want of the provider's
            # logout URL: a 500. Without one there is no single logout.
            raise Http404
        return None

    def process_exception(self, request, exception):
        match = request.resolver_match
        if match is None or not match.func.__module__.startswith("allauth.socialaccount"):
            return None
        saml = match.func.__module__ == SAML_VIEWS
        if saml and isinstance(exception, _SAML_UNREADABLE):
            # A SAML message that is not base64, not XML, or XML with a DTD or
            # entities (python3-saml refuses them outside its own error
            # handling; allauth catches only the first, and only at the ACS).
            logger.warning("company sign-in: an unreadable SAML response: %r", exception)
            return render(request, "socialaccount/authentication_error.html", status=400)
        provider_failed = (
            isinstance(exception, RequestException | OAuth2Error | ProviderException)
            or (saml and _saml_metadata_failed(exception))
            # An OpenID Connect discovery document without the endpoints
            # allauth reads (a server_url that is not an OpenID provider).
            or (match.url_name.startswith("openid_connect_") and isinstance(exception, KeyError))
        )
        if not provider_failed:
            return None
        logger.warning("company sign-in: the identity provider failed: %r", exception)
        entry = sso.provider(match.kwargs.get("provider_id") or match.kwargs.get("organization_slug") or "")
        return unreachable(request, entry["name"] if entry else "")
