"""Rate limits of the vote endpoints (HTML and API), per account and per address.

django-ratelimit counts in the default cache (Redis in production, the
file cache in development, memory in tests). The rates are settings
(`VOTE_RATE_PER_USER`, `VOTE_RATE_PER_IP`, e.g. "120/m"), read on every
request, so a benchmark can raise them for a load generator on one address.

The client address honours TRUSTED_PROXY_COUNT the way DRF's NUM_PROXIES
does: each trusted proxy appends the address it was called from to
X-Forwarded-For, so the client is the N-th entry from the right; with no
trusted proxy, X-Forwarded-For is ignored (anyone can send it) and
REMOTE_ADDR is the client. IPv6 addresses count per /64, since one machine
usually holds a whole /64.
"""

import ipaddress

from django.conf import settings
from django.utils.translation import gettext as _

from django_ratelimit.core import get_usage

from ideabox.exceptions import DomainError

IPV6_PREFIX = 64


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            candidate = hops[-min(proxies, len(hops))]
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                pass  # a malformed header counts as the proxy's own address
            else:
                return candidate
    return remote


def address_key(group: str, request) -> str:
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


def account_key(group: str, request) -> str:
    return str(request.user.pk)


class VoteThrottled(DomainError):
    """`throttled`, with the seconds until the current window ends."""

    def __init__(self, wait: int):
        super().__init__("throttled", str(_("Too many votes in a short time: please wait a minute and try again.")))
        self.wait = max(wait, 1)


def check_vote_rate(request) -> None:
    """Count this vote request; raise VoteThrottled when either limit is passed."""
    usages = [
        get_usage(request, group="votes:address", key=address_key, rate=settings.VOTE_RATE_PER_IP, increment=True)
    ]
    if request.user.is_authenticated:
        usages.append(
            get_usage(request, group="votes:account", key=account_key, rate=settings.VOTE_RATE_PER_USER, increment=True)
        )
    limited = [usage for usage in usages if usage is not None and usage["should_limit"]]
    if limited:
        raise VoteThrottled(max(usage["time_left"] for usage in limited))
