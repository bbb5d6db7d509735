"""The Redis cache, failing open: a Redis that cannot be reached is an empty cache.

The database is the source of truth (PRODUCT.md, "Reliability"); the cache
only holds what can be lost: rate-limit counters (the vote limiter, DRF's
token throttle, allauth's login limits). So when Redis is down, reads are
misses, writes are dropped, `add` says it stored (allauth waits a second
for a lock `add` cannot take, then refuses) and counters count from
nothing: every limit is open until Redis returns, and nothing fails.

The one home of "Redis is down" outside Celery: the vote limiter
(votes/ratelimit.py) counts through `count_in_window` here. After a failure,
Redis is left alone for RETRY_AFTER seconds, so a dead Redis costs one
connection attempt (bounded by the socket timeouts of `redis_caches`) every
few seconds per process, not one per cache call; the outage is logged at
most once a minute per process.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_AFTER = 5.0  # seconds without trying Redis after a failure
LOG_EVERY = 60.0  # seconds between two warnings of one outage

_lock = threading.Lock()
_skip_until = 0.0
_logged_at: float | None = None


def forget_outage() -> None:
    """Try Redis on the next call and log the next failure (tests)."""
    global _skip_until, _logged_at
    with _lock:
        _skip_until, _logged_at = 0.0, None


def redis_skipped() -> bool:
    """Whether Redis failed less than RETRY_AFTER seconds ago."""
    return time.monotonic() < _skip_until


def redis_unreachable(error: Exception, where: str) -> None:
    """Record a failure to reach Redis at `where`: skip it for a while, warn once a minute."""
    global _skip_until, _logged_at
    now = time.monotonic()
    with _lock:
        _skip_until = now + RETRY_AFTER
        if _logged_at is not None and now - _logged_at < LOG_EVERY:
            return
        _logged_at = now
    logger.warning(
        "Redis at %s cannot be reached (%s): the cache is empty and rate limits are off until it returns.",
        where,
        error,
    )


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is down."""

    def _run(self, fallback, method, *args, **kwargs):
        if redis_skipped():
            return fallback
        try:
            return method(*args, **kwargs)
        except UNREACHABLE as error:
            redis_unreachable(error, self._where())
            return fallback

    def _where(self) -> str:
        # The address without a password, for the log.
        return ", ".join(server.rpartition("@")[2] for server in self._servers)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._run(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._run(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._run({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._run(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read counts from nothing.
        return self._run(delta, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run([], super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._run(None, super().delete_many, keys, version)

    def clear(self):
        return self._run(False, super().clear)

    @functools.cached_property
    def _counter_client(self):
        # Django makes a client object per call; on the vote's hot path one is kept.
        return self._cache.get_client(write=True)

    def count_in_window(self, keys: list[str], period: int) -> list[int] | None:
        """Add one to each counter, made with a lifetime of `period` seconds
        when new; their new values, or None when Redis is down.

        Two commands per counter (SET NX EX, any Redis since 2.6.12, then
        INCR) and one round trip for all of them: the vote limiter's hot path.
        """
        if redis_skipped():
            return None
        try:
            pipe = self._counter_client.pipeline(transaction=False)
            for key in keys:
                full_key = self.make_key(key)  # our own keys: no per-character validation
                pipe.set(full_key, 0, ex=period, nx=True)
                pipe.incr(full_key)
            return pipe.execute()[1::2]
        except UNREACHABLE as error:
            redis_unreachable(error, self._where())
            return None
