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

The login limits are allauth's own (ACCOUNT_RATE_LIMITS): its limiter
takes a lock and stores each address's list of timestamps, four cache round
trips per rate, which measured about ten times this one's cost per request
(0.6 to 1.2 ms here against 8 to 13 ms, two rates on the vote path, Redis on
loopback, a busy machine). So votes keep their counter, and borrow the
rest from allauth: the same rate syntax (its parser) and the same client
address key as its get_ip (ideabox.http.client_address behind
TRUSTED_PROXY_COUNT proxies, IPv6 addresses per /64 since one machine
usually holds a whole /64), so one address is counted by every limit.
"""

import functools
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from allauth.core.internal.ratelimit import parse_rate as allauth_rate
from allauth.core.internal.ratelimit import truncate_ip

from ideabox.cache import RedisCache
from ideabox.exceptions import DomainError
from ideabox.http import client_address


def address_key(request) -> str:
    """Who the per-address limit counts: allauth's get_ip for logins too
    (its adapter answers client_address), without making an adapter per vote."""
    return truncate_ip(client_address(request)) or "unknown"


@functools.lru_cache(maxsize=16)
def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/m" -> (120, 60); "10/5m" -> (10, 300): allauth's syntax, one count per window."""
    try:
        parsed = allauth_rate("".join((rate or "").split()))
    except ValueError:
        parsed = None
    if parsed is None or parsed.amount < 0 or parsed.per != "ip" or parsed.duration != int(parsed.duration):
        raise ImproperlyConfigured(f"A vote rate looks like 120/m or 1000/10s, not {rate!r}.")
    return parsed.amount, int(parsed.duration)


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
