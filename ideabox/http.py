"""Small pieces of HTTP handling that every app's views share."""

import ipaddress

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def client_address(request) -> str:
    """The client's address, for rate limits (votes, logins, tokens).

    Honours TRUSTED_PROXY_COUNT the way DRF's NUM_PROXIES does: each trusted
    proxy appends the address it was called from to X-Forwarded-For, so the
    client is the N-th entry from the right; with no trusted proxy,
    X-Forwarded-For is ignored (anyone can send it) and REMOTE_ADDR is the
    client. A malformed entry counts as the proxy's own address, never as an
    error.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            candidate = hops[-min(proxies, len(hops))]
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                pass
            else:
                return candidate
    return remote


def safe_next(request, default: str) -> str:
    """Where to send the user back: the request's `next` if it is a path of
    this site, else `default`.

    Only a path is taken: redirect() would read any other word as the name
    of a view (and fail), and a full URL could send the user elsewhere.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith("//")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
