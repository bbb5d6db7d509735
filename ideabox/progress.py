"""A progress bar for management commands that create many things."""

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], *, total: int, label: str, stream, enabled: bool = True) -> Iterator[T]:
    """Yield items while drawing `[####....] 12/40 label` on stream.

    On a terminal the bar redraws in place; elsewhere (a log, CI) only the
    finished line is written, so the output stays readable.
    """
    interactive = enabled and hasattr(stream, "isatty") and stream.isatty()
    done = 0
    for item in items:
        yield item
        done += 1
        if interactive:
            stream.write(f"\r{_bar(done, total)} {label}", ending="")
            stream.flush()
    if enabled and total:
        prefix = "\r" if interactive else ""
        stream.write(f"{prefix}{_bar(done, total)} {label}")


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // total if total else width
    return f"  [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
