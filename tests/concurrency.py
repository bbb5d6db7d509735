"""Calls run at the same moment, for the races on PostgreSQL: each in its own
thread and so its own database connection, as under gunicorn or two Celery
workers, all released together by a barrier."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

from ideabox.exceptions import DomainError


def at_once(*calls: Callable[[], Any], timeout: float = 60, ok: str | None = None) -> list:
    """Run the calls in threads released together; per call, in order: what it
    returned (or `ok`, when given), the DomainError's code, or "error: <repr>"
    for any other exception (or for a call still running after `timeout`
    seconds), for the assertion to show."""
    barrier = threading.Barrier(len(calls))
    results: list = [f"error: still running after {timeout}s"] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            returned = call()
            results[index] = returned if ok is None else ok
        except DomainError as error:
            results[index] = error.code
        except Exception as error:  # shown by the caller's assertion
            results[index] = f"error: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
