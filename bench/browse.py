"""Benchmark: browsing a campaign's ideas at scale.

    DATABASE_URL=postgres://... .venv/bin/python bench/browse.py --ideas 10000

Fills a campaign with N ideas (once; rerunning reuses them), then requests
the campaign page and the API list through Django's whole stack (middleware,
sessions, templates; no HTTP server, so the figures are the application's
own time) for every sort, the first, a middle and the last page, a search
and a filter. Prints, per request kind, the median and 95th percentile time
and the number of SQL queries. Target (issue 3): every page under 50 ms at
10,000 ideas, and a query count that does not grow with the data.
"""

import argparse
import gc
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

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import services as account_services  # noqa: E402
from campaigns.models import Campaign, Category, Phase  # noqa: E402
from ideas.models import Idea, Tag  # noqa: E402

SLUG = "bench-browse"
WORDS = [
    "solar",
    "roof",
    "garden",
    "bike",
    "parking",
    "canteen",
    "meeting",
    "remote",
    "office",
    "energy",
    "water",
    "recycling",
    "printer",
    "train",
    "badge",
    "coffee",
    "noise",
    "light",
    "heating",
    "window",
    "plant",
    "kitchen",
    "locker",
    "shower",
    "charger",
]


def fill(n: int) -> Campaign:
    now = timezone.now()
    day = timezone.timedelta(days=1)
    campaign, _ = Campaign.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "Benchmark campaign",
            "phase": Phase.VOTING,
            "submission_opens": now - 30 * day,
            "submission_closes": now - 10 * day,
            "voting_opens": now - 10 * day,
            "voting_closes": now + 300 * day,
            "deliberation_ends": now + 310 * day,
        },
    )
    have = campaign.ideas.count()
    if have >= n:
        return campaign
    authors = [
        account_services.ensure_user(username=f"bench{i}", email=f"bench{i}@example.org", password="bench")[0]
        for i in range(50)
    ]
    categories = [
        Category.objects.get_or_create(campaign=campaign, slug=f"cat-{i}", defaults={"name": f"Category {i}"})[0]
        for i in range(8)
    ]
    tags = [Tag.objects.get_or_create(name=w)[0] for w in WORDS[:10]]
    batch = []
    for i in range(have, n):
        a, b, c = WORDS[i % len(WORDS)], WORDS[(i * 7) % len(WORDS)], WORDS[(i * 13) % len(WORDS)]
        batch.append(
            Idea(
                campaign=campaign,
                author=authors[i % len(authors)],
                title=f"{a.title()} {b} {c} idea {i}",
                summary=f"Make the {a} better with {b} and {c}.",
                body="Lorem ipsum " * 40,
                category=categories[i % len(categories)],
                vote_count=(i * 37) % 500,
                comment_count=(i * 11) % 40,
                created_at=now - (n - i) * timezone.timedelta(minutes=7),
            )
        )
    created = Idea.objects.bulk_create(batch, batch_size=2000)
    through = Idea.tags.through
    through.objects.bulk_create(
        [through(idea_id=idea.pk, tag_id=tags[idea.pk % len(tags)].pk) for idea in created], batch_size=5000
    )
    return campaign


def measure(client: Client, url: str, repeat: int) -> tuple[float, float, int]:
    client.get(url)  # warm caches, the session and the seed
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries = len(ctx.captured_queries)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return statistics.median(times), p95, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    campaign = fill(args.ideas)
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load; without it the planner
        # guesses from an empty table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = campaign.ideas.count()
    print(f"{connection.vendor}: {total} ideas in '{SLUG}' (ready in {time.perf_counter() - started:.1f} s)")
    last = (total + 19) // 20
    page = f"/campaigns/{SLUG}/"
    api = f"/api/v1/campaigns/{SLUG}/ideas/"
    cases = [
        ("page newest p1", f"{page}?ordering=newest"),
        ("page newest middle", f"{page}?ordering=newest&page={last // 2}"),
        ("page newest last", f"{page}?ordering=newest&page={last}"),
        ("page most_supported p1", f"{page}?ordering=most_supported"),
        ("page most_discussed p1", f"{page}?ordering=most_discussed"),
        ("page random p1", f"{page}?ordering=random"),
        ("page random middle", f"{page}?ordering=random&page={last // 2}"),
        ("page search", f"{page}?search=solar+garden"),
        ("page category+tag", f"{page}?category=cat-3&tag=solar"),
        ("api newest p1", f"{api}?ordering=newest"),
        ("api random middle", f"{api}?ordering=random&page={last // 2}"),
        ("api page_size=100", f"{api}?page_size=100"),
    ]
    client = Client()
    client.get(f"{page}?ordering=newest")
    gc.freeze()  # as deploy/gunicorn.conf.py does in each web worker
    print(f"{'request':28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    worst = 0.0
    for name, url in cases:
        p50, p95, queries = measure(client, url, args.repeat)
        if "page_size" not in url:
            worst = max(worst, p95)
        print(f"{name:28} {p50:8.1f} {p95:8.1f} {queries:8d}")
    print(f"worst p95 of a 20-idea page: {worst:.1f} ms (target < 50 ms at 10,000 ideas)")


if __name__ == "__main__":
    main()
