"""Benchmark: the tally of 1,000,000 votes over 10,000 ideas (issue 4).

    DATABASE_URL=postgres://ideabox:ideabox@127.0.0.1:54330/ideabox_tbench \\
        .venv/bin/python bench/tally.py [--votes 1000000 --ideas 10000 --runs 3]

Builds once (rerunning reuses it) a campaign `bench-tally` in deliberation
with N ideas, N*2 voters (bulk-created, unusable passwords) casting 50 votes
each, loaded with COPY. Then times, on the same table:

- the raw query `SELECT idea_id, COUNT(*) FROM votes_vote WHERE campaign_id=%s GROUP BY idea_id`;
- `votes.tally.tally_campaign` (count, rank, digest of the sorted receipt
  list, computed by PostgreSQL, store the rows, shortlist), each run in a fresh child process, whose
  peak resident memory (ru_maxrss) is the worker's peak memory.

Prints the medians, their ratio, and the peak memory. Targets: the tally
within 2x of the raw query, under 150 MB.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideabox.settings.dev")
os.environ.setdefault("DEBUG", "false")

SLUG = "bench-tally"
VOTES_PER_VOTER = 50
RAW = "SELECT idea_id, COUNT(*) FROM votes_vote WHERE campaign_id = %s GROUP BY idea_id"


def setup_django():
    import django

    django.setup()


def build(n_votes: int, n_ideas: int) -> int:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from campaigns.models import Campaign, Phase
    from ideas.models import Idea
    from votes.models import Vote

    if connection.vendor != "postgresql":
        sys.exit("bench/tally.py needs PostgreSQL (COPY): set DATABASE_URL.")
    now = timezone.now()
    day = timezone.timedelta(days=1)
    campaign, _created = Campaign.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "Benchmark: the tally",
            "phase": Phase.DELIBERATION,
            "submission_opens": now - 30 * day,
            "submission_closes": now - 20 * day,
            "voting_opens": now - 20 * day,
            "voting_closes": now - day,
            "deliberation_ends": now + 30 * day,
            "shortlist_size": 10,
        },
    )
    have = Vote.objects.filter(campaign=campaign).count()
    if have == n_votes and campaign.ideas.count() == n_ideas:
        print(f"reusing {SLUG}: {n_ideas} ideas, {n_votes} votes")
        return campaign.pk
    if have:
        sys.exit(f"{SLUG} holds {have} votes, not {n_votes}: drop the database or pick the same size.")

    started = time.perf_counter()
    n_voters = -(-n_votes // VOTES_PER_VOTER)
    if n_ideas < VOTES_PER_VOTER:
        sys.exit(f"--ideas must be at least {VOTES_PER_VOTER}")
    with transaction.atomic():
        author = User.objects.create(username="bench-tally-author", password=make_password(None))
        Idea.objects.bulk_create(
            [
                Idea(
                    campaign=campaign,
                    author=author,
                    title=f"Benchmark idea {i}",
                    summary="An idea of the tally benchmark.",
                    created_at=now - 20 * day - timezone.timedelta(seconds=i % 600),
                )
                for i in range(campaign.ideas.count(), n_ideas)
            ],
            batch_size=2000,
        )
        unusable = make_password(None)
        User.objects.bulk_create(
            [User(username=f"bench-tally-voter-{i}", password=unusable) for i in range(n_voters)],
            batch_size=5000,
            ignore_conflicts=True,
        )
    idea_ids = list(campaign.ideas.order_by("pk").values_list("pk", flat=True))
    voter_ids = list(
        User.objects.filter(username__startswith="bench-tally-voter-").order_by("pk").values_list("pk", flat=True)
    )[:n_voters]
    print(
        f"{len(idea_ids)} ideas, {len(voter_ids)} voters ready in {time.perf_counter() - started:.1f} s; copying votes"
    )

    # Skewed popularity (a few ideas draw many votes), 50 distinct ideas per voter.
    rng = random.Random(4)
    weights = [1 / (rank + 10) for rank in range(len(idea_ids))]
    left = n_votes
    with transaction.atomic(), connection.cursor() as cursor:
        columns = "campaign_id, idea_id, voter_id, receipt, created_at"
        with cursor.cursor.copy(f"COPY votes_vote ({columns}) FROM STDIN") as copy:
            for voter in voter_ids:
                picks = set()
                want = min(VOTES_PER_VOTER, left)
                while len(picks) < want:
                    picks.update(rng.choices(idea_ids, weights=weights, k=want - len(picks)))
                for idea in picks:
                    copy.write_row((campaign.pk, idea, voter, f"{rng.getrandbits(256):064x}", now - day))
                left -= want
        cursor.execute(
            "UPDATE ideas_idea SET vote_count = c.n FROM (SELECT idea_id, COUNT(*) AS n FROM votes_vote "
            "WHERE campaign_id = %s GROUP BY idea_id) c WHERE ideas_idea.id = c.idea_id",
            [campaign.pk],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE votes_vote")
        cursor.execute("VACUUM ANALYZE ideas_idea")
    print(f"built in {time.perf_counter() - started:.1f} s")
    return campaign.pk


def raw_times(campaign_id: int, runs: int) -> list[float]:
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(runs + 1):  # the first warms the cache
            started = time.perf_counter()
            cursor.execute(RAW, [campaign_id])
            rows = cursor.fetchall()
            times.append(time.perf_counter() - started)
    print(f"raw GROUP BY: {len(rows)} ideas")
    return times[1:]


def digest_plan(campaign_id: int) -> str:
    """How PostgreSQL reads the receipt list for the digest: it should be an
    index-only scan of vote_tally_receipts (no sort), as after a VACUUM."""
    from django.db import connection

    from votes import tally

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + tally._POSTGRES_DIGEST, {"campaign": campaign_id})
        plan = "\n".join(line for (line,) in cursor.fetchall())
    if "Index Only Scan using vote_tally_receipts" in plan and "Sort" not in plan:
        return "index-only scan of vote_tally_receipts, no sort"
    return "NOT the ordered index-only scan:\n" + plan


def child(campaign_id: int) -> None:
    """One tally, as a worker runs it: prints its time and this process's peak memory."""
    setup_django()
    from django.db import connection

    from votes import tally

    connection.ensure_connection()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = tally.tally_campaign(campaign_id=campaign_id)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_before_kb": before,
                "rss_peak_kb": peak,
                "votes": result.tally.total_votes,
                "rows": len(result.rows),
                "digest": result.tally.digest,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    campaign_id = build(args.votes, args.ideas)

    print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the machine skews every figure)")
    print(f"digest read: {digest_plan(campaign_id)}")
    raw = raw_times(campaign_id, args.runs)
    connection.close()
    runs = []
    for _ in range(args.runs + 1):  # the first warms the cache (and does the one-time shortlist)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(campaign_id)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    timed = runs[1:]
    digests = {run["digest"] for run in runs}

    tally_s = statistics.median(run["seconds"] for run in timed)
    raw_s = statistics.median(raw)
    before_mb = max(run["rss_before_kb"] for run in runs) / 1024
    peak_mb = max(run["rss_peak_kb"] for run in runs) / 1024
    print(
        f"votes: {runs[0]['votes']}, tally rows: {runs[0]['rows']}, identical digest on every run: {len(digests) == 1}"
    )
    print(f"raw GROUP BY   median {raw_s * 1000:8.1f} ms  ({', '.join(f'{t * 1000:.0f}' for t in raw)})")
    tally_list = ", ".join(f"{run['seconds'] * 1000:.0f}" for run in timed)
    print(f"tally_campaign median {tally_s * 1000:8.1f} ms  ({tally_list})")
    print(f"ratio tally / raw: {tally_s / raw_s:.2f}x (target: at most 2x)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(
        f"worker peak memory: {peak_mb:.0f} MB (the process after Django's start: {before_mb:.0f} MB; "
        f"RUSAGE_CHILDREN: {children_peak / 1024:.0f} MB; target: under 150 MB)"
    )


if __name__ == "__main__":
    main()
