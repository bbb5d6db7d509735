"""Rate limits of the vote endpoints (HTML and API), per account and per address.

Fixed one-window counters, e.g. "120/m": at most 120 vote requests per
account (and 600 per address) in each calendar minute. The rates are
settings (`VOTE_RATE_PER_USER`, `VOTE_RATE_PER_IP`), read on every request,
so a benchmark can raise them for a load generator on one address.

Counted in Redis when the default cache is Redis (production): both counters in
one pipelined round trip (ideabox.cache.RedisCache.count_in_window), since a vote is
the hottest request of the site and django-ratelimit's add-then-incr per
limit cost six round trips and half a millisecond of a worker's time.
Without Redis (development, tests), in Django's default cache (add, incr),
which is what the site shares between its processes then.

Redis down: the limits are open (never a refused or failed vote); the cache
backend logs the outage at most once a minute (PRODUCT.md, "Reliability").

The client address is ideabox.http.client_address (behind
TRUSTED_PROXY_COUNT proxies), the same one logins are limited by. IPv6
addresses count per /64, since one machine usually holds a whole /64.
"""

import functools
import ipaddress
import re
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from ideabox.cache import RedisCache
from ideabox.exceptions import DomainError
from ideabox.http import client_address

IPV6_PREFIX = 64


def address_key(request) -> str:
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@functools.lru_cache(maxsize=16)
def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/m" -> (120, 60); "10/5m" -> (10, 300)."""
    match = RATE.match(rate or "")
    if not match:
        raise ImproperlyConfigured(f"A vote rate looks like 120/m or 1000/10s, not {rate!r}.")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * UNITS[unit]


def _count(keys: list[str], period: int) -> list[int]:
    """Add one to each counter (made with a lifetime of one window); their
    new values, zeros when Redis is down (every limit open)."""
    default = caches["default"]
    if isinstance(default, RedisCache):
        counts = default.count_in_window(keys, period)
        return [0] * len(keys) if counts is None else counts
    counts = []
    for key in keys:
        cache.add(key, 0, period)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between add and incr: a new window
            cache.set(key, 1, period)
            counts.append(1)
    return counts


class VoteThrottled(DomainError):
    """`throttled`, with the seconds until the current window ends."""

    def __init__(self, wait: int):
        super().__init__("throttled", str(_("Too many votes in a short time: please wait a minute and try again.")))
        self.wait = max(wait, 1)


def check_vote_rate(request) -> None:
    """Count this vote request; raise VoteThrottled when either limit is passed."""
    limits = [("address", address_key(request), parse_rate(settings.VOTE_RATE_PER_IP))]
    if request.user.is_authenticated:
        limits.append(("account", str(request.user.pk), parse_rate(settings.VOTE_RATE_PER_USER)))
    now = int(time.time())
    keys, waits = [], []
    for group, who, (_allowed, period) in limits:
        window = now // period
        keys.append(f"votes-rate:{group}:{period}:{window}:{who}")
        waits.append(period - now % period)
    # One round trip for both counters; the longest window sets the lifetime.
    counts = _count(keys, max(period for _group, _who, (_allowed, period) in limits))
    over = [
        wait
        for (_group, _who, (allowed, _period)), count, wait in zip(limits, counts, waits, strict=True)
        if count > allowed
    ]
    if over:
        raise VoteThrottled(max(over))
