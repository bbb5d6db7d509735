"""Benchmark: does sign-up take as long for an address that has an account as
for a new one? (issue 9, item 7)

    .venv/bin/python bench/signup.py --runs 30
    DATABASE_URL=postgres://... .venv/bin/python bench/signup.py --runs 30

Posts the real sign-up form through Django's whole stack (middleware,
sessions, allauth's view and our adapter; no HTTP server), alternately with
a new address and with the address of an existing account, and prints the
median and 95th percentile time of each path and the difference of the
medians. A difference much larger than the spread of either path tells an
attacker who has an account. Target: the medians within a few milliseconds
of each other.

It runs with the development settings and the production password hashers
(Django's defaults, which the test settings replace by a fast one), on a
throwaway test database (made and dropped here), with allauth's rate limits
off so that N sign-ups from one address are all served. E-mail is queued as
in production, then sent by an in-process worker to an in-memory outbox.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideabox.settings.dev")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts import services as account_services  # noqa: E402
from accounts.models import User  # noqa: E402
from ideabox.celery import app as celery_app  # noqa: E402

PASSWORD = "a long and unusual passphrase"
EXISTING = "bench-owner@example.org"


def sign_up(client: Client, url: str, email: str, username: str) -> float:
    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    started = time.perf_counter()
    response = client.post(url, data)
    elapsed = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"sign-up answered {response.status_code}, not 302: {response.content[:500]!r}")
    return elapsed


def summary(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{name:<18} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   ({len(ms)} runs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="sign-ups per path (default 30)")
    args = parser.parse_args()

    logging.getLogger("celery").setLevel(logging.WARNING)
    print(f"database: {connection.vendor}; password hasher: {settings.PASSWORD_HASHERS[0]}")
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    celery_app.conf.task_always_eager = True
    try:
        with override_settings(
            ACCOUNT_RATE_LIMITS=False,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            account_services.ensure_user(username="bench-owner", email=EXISTING, password=PASSWORD)
            url = reverse("account_signup")
            times: dict[str, list[float]] = {"new address": [], "existing address": []}
            # One warm-up of each path, not counted: imports, template loading.
            sign_up(Client(), url, "bench-warmup@example.org", "bench-warmup")
            sign_up(Client(), url, EXISTING, "bench-warmup-2")
            for n in range(args.runs):
                # Alternated, so that a slow moment of the machine hits both.
                times["new address"].append(sign_up(Client(), url, f"bench-new-{n}@example.org", f"bench-new-{n}"))
                times["existing address"].append(sign_up(Client(), url, EXISTING, f"bench-other-{n}"))
            sent = len(mail.outbox)
            created = User.objects.filter(username__startswith="bench-new-").count()
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        teardown_test_environment()

    for name, values in times.items():
        print(summary(name, values))
    difference = statistics.median(times["existing address"]) - statistics.median(times["new address"])
    print(f"difference of the medians (existing - new): {difference * 1000:+.1f} ms")
    # Each existing-address run follows a new-address one: the median of the
    # pairwise differences is steadier on a machine shared with other work.
    paired = statistics.median(e - n for n, e in zip(times["new address"], times["existing address"], strict=True))
    print(f"median of the paired differences: {paired * 1000:+.1f} ms")
    print(f"e-mails sent: {sent} for {2 * args.runs + 2} sign-ups; accounts created: {created} of {args.runs}")


if __name__ == "__main__":
    main()
