"""Benchmark: public voting under load, then a check that no vote was lost or added (issue 4).

    DATABASE_URL=postgres://ideabox:ideabox@127.0.0.1:54330/ideabox_vbench \\
    REDIS_URL=redis://127.0.0.1:63800/9 \\
        .venv/bin/python bench/votes.py --seconds 30 --concurrency 32

What it does, in one run:

1. Migrates the database and prepares once (rerunning reuses it) a public
   campaign `bench-votes` in voting (open for a year), 5 votes per voter,
   200 ideas by 5 authors and N voters (`--voters`, 20,000) with a verified
   e-mail address and an API token, all bulk-created (unusable passwords).
   Every run starts from an empty ballot box: the campaign's votes and
   ballots are deleted and the counters reset.
2. Starts gunicorn on a free loopback port with the production settings
   (`ideabox.settings.prod`), deploy/gunicorn.conf.py with `--bind`,
   `--workers` (2 x cores + 1 unless given) and the access log off, the
   vote rate limits raised out of the way, persistent connections
   (CONN_MAX_AGE=600). /healthz must answer before the load starts.
3. In a separate process (it shares the cores with gunicorn and
   PostgreSQL: the figures are for the whole machine), a load generator
   keeps `--concurrency` requests in flight for `--seconds`:
   `POST /api/v1/ideas/{id}/vote/` with `Authorization: Token ...`. Each
   concurrent slot plays one voter at a time: 5 distinct ideas (skewed
   popularity), and for some voters a repeated idea (`already_voted`), a
   6th idea (`vote_limit_reached`), or their last votes sent three at once
   (one accepted, two `vote_limit_reached`: the limit under real
   parallelism). `GET /api/v1/me/` (token authentication and the roles:
   4 queries, through the same middleware) is measured the same way for
   `--minimal-seconds`, half before and half after the votes.
4. Prints accepted votes/s, requests/s, p50/p99 latency of accepted votes,
   the count per status and code, the CPU taken by gunicorn, the load
   generator and the rest of the machine (and how busy the machine was
   before the run: other processes make the figures lower and noisier),
   the minimal endpoint's requests/s and the ratio. Then checks against the
   database: stored votes == 201 answers, nobody over the limit, no
   duplicate (voter, idea), every idea's counter equals its rows, every
   ballot equals its voter's rows. PASS/FAIL each; the exit status is 1
   when a check fails.

Then, unless `--refusal-seconds 0`, what a refusal costs beside an
acceptance: voters kept out of the load above send one request at a time
(`--refusal-concurrency`, 1), in turns of `--refusal-seconds` each, three
rounds: accepted votes, `already_voted` (an idea the voter supports, with
votes left) and `vote_limit_reached` (a sixth idea). Per kind: requests/s, p50/p90
latency and the web server's and PostgreSQL's CPU per request, and the
ratio of each refusal's p50 to the acceptance's (the goal: about 1).

Gunicorn is stopped at the end, on Ctrl-C and on errors (its whole process
group). The load generator is a small HTTP/1.1 client on asyncio streams
(gunicorn's sync workers close the connection after each answer, so a
request is connect, write, read to EOF): no dependency beyond the standard
library, and cheaper per request than httpx or aiohttp, which matters since
it steals CPU from the server. Targets (issue 4, 2 cores): at least 1,000
accepted votes/s with every rule enforced, p99 under 100 ms, zero lost or
extra votes; the aim is 2,000.

With `--server granian --keep-alive --workers 3` it runs granian (the
other web server docs/deploy.md offers) instead, and the load generator
keeps its connections open, as nginx does with `keepalive` upstream.

Options: --max-requests overrides gunicorn's worker recycling (the deploy
file says 20,000; 0 turns it off), --workers the worker count, --keep leaves
the votes in the database after the run.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-votes"
N_IDEAS = 200
N_AUTHORS = 5
LIMIT = 5
HOST = "127.0.0.1"
GRANIAN_EXTRA = os.environ.get("BENCH_GRANIAN_EXTRA", "").split()
DEFAULT_DATABASE_URL = "postgres://ideabox:ideabox@127.0.0.1:54330/ideabox_vbench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:63800/9"
# gunicorn's output (Django logs each 4xx answer as a warning): kept after the run.
LOG = Path(tempfile.gettempdir()) / "ideabox-vbench-server.log"

# Shares of voters whose plan deliberately meets a rule.
REPEAT_SHARE = 0.08  # votes twice for one idea: already_voted
EXTRA_SHARE = 0.08  # a 6th idea: vote_limit_reached
BURST_SHARE = 0.04  # 4 votes, then 3 more at once: 1 accepted, 2 vote_limit_reached


# --- the server's environment ------------------------------------------------------


def server_environment(args) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ideabox.settings.prod",
            "SECRET_KEY": args.secret_key,
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "CONN_MAX_AGE": "600",
            "CONN_HEALTH_CHECKS": os.environ.get("CONN_HEALTH_CHECKS", "true"),
            "VOTE_RATE_PER_USER": "1000000/m",
            "VOTE_RATE_PER_IP": "1000000/m",
            "TRUSTED_PROXY_COUNT": "0",
            "CACHE_KEY_PREFIX": "ideabox-vbench",
            # Compiled modules as a deployment has them, kept outside the tree
            # (this environment may set PYTHONDONTWRITEBYTECODE, which makes
            # every recycled worker compile the project again).
            "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "ideabox-vbench-pycache"),
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# --- preparation (Django, in this process) -----------------------------------------


def setup_django(args) -> None:
    os.environ.update(server_environment(args))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(n_voters: int) -> tuple[int, list[int], list[str]]:
    """The campaign, its ideas and voters (created once). Returns (campaign id, idea ids, voter tokens)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from allauth.account.models import EmailAddress
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from campaigns.models import Audience, Campaign, Kind, Phase
    from ideas.models import Idea

    call_command("migrate", verbosity=0)
    now = timezone.now()
    day = timezone.timedelta(days=1)
    started = time.perf_counter()
    campaign, _created = Campaign.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "Benchmark: voting under load",
            "kind": Kind.CHALLENGE,
            "audience": Audience.PUBLIC,
            "phase": Phase.VOTING,
            "submission_opens": now - 30 * day,
            "submission_closes": now - 10 * day,
            "voting_opens": now - 10 * day,
            "voting_closes": now + 365 * day,
            "deliberation_ends": now + 380 * day,
            "votes_per_voter": LIMIT,
        },
    )
    if campaign.phase != Phase.VOTING or campaign.voting_closes < now + day or campaign.votes_per_voter != LIMIT:
        Campaign.objects.filter(pk=campaign.pk).update(
            phase=Phase.VOTING,
            voting_opens=now - 10 * day,
            voting_closes=now + 365 * day,
            deliberation_ends=now + 380 * day,
            votes_per_voter=LIMIT,
        )
    unusable = make_password(None)
    with transaction.atomic():
        User.objects.bulk_create(
            [User(username=f"bench-votes-author-{i}", password=unusable) for i in range(N_AUTHORS)],
            ignore_conflicts=True,
        )
        authors = list(User.objects.filter(username__startswith="bench-votes-author-").order_by("pk"))
        have = campaign.ideas.count()
        Idea.objects.bulk_create(
            [
                Idea(
                    campaign=campaign,
                    author=authors[i % len(authors)],
                    title=f"Benchmark idea {i}",
                    summary="An idea of the vote benchmark.",
                    created_at=now - 20 * day + timezone.timedelta(minutes=i),
                )
                for i in range(have, N_IDEAS)
            ]
        )
    voters = User.objects.filter(username__startswith="bench-votes-voter-")
    have = voters.count()
    if have < n_voters:
        with transaction.atomic():
            User.objects.bulk_create(
                [
                    User(
                        username=f"bench-votes-voter-{i}", email=f"bench-votes-voter-{i}@example.org", password=unusable
                    )
                    for i in range(have, n_voters)
                ],
                batch_size=5000,
                ignore_conflicts=True,
            )
            fresh = list(
                voters.filter(auth_token__isnull=True).values_list("pk", "email").order_by("pk")
            )  # the new ones: no token yet
            EmailAddress.objects.bulk_create(
                [EmailAddress(user_id=pk, email=email, verified=True, primary=True) for pk, email in fresh],
                batch_size=5000,
                ignore_conflicts=True,
            )
            Token.objects.bulk_create(
                [Token(key=secrets.token_hex(20), user_id=pk, created=now) for pk, _email in fresh], batch_size=5000
            )
    idea_ids = list(campaign.ideas.order_by("pk").values_list("pk", flat=True))[:N_IDEAS]
    tokens = list(Token.objects.filter(user__in=voters).order_by("user_id").values_list("key", flat=True))[:n_voters]
    print(
        f"prepared: campaign '{SLUG}' (id {campaign.pk}), {len(idea_ids)} ideas, {len(tokens)} voters "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return campaign.pk, idea_ids, tokens


def reset(campaign_id: int) -> None:
    """An empty ballot box: no vote, no ballot, every counter at zero."""
    from django.db import connection, transaction

    from ideas.models import Idea
    from votes.models import Ballot, Vote

    with transaction.atomic():
        Vote.objects.filter(campaign_id=campaign_id).delete()
        Ballot.objects.filter(campaign_id=campaign_id).delete()
        Idea.objects.filter(campaign_id=campaign_id).update(vote_count=0)
    with connection.cursor() as cursor:
        for table in ("votes_vote", "votes_ballot", "ideas_idea", "authtoken_token", "accounts_user"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")


def check(campaign_id: int, accepted: int) -> bool:
    """The database against the answers. Prints PASS/FAIL per check; True when all pass."""
    from django.db import connection

    checks = []
    with connection.cursor() as cursor:

        def one(sql: str) -> int:
            cursor.execute(sql, {"c": campaign_id, "limit": LIMIT})
            return cursor.fetchone()[0]

        stored = one("SELECT COUNT(*) FROM votes_vote WHERE campaign_id = %(c)s")
        checks.append((f"stored votes == 201 answers ({stored} == {accepted})", stored == accepted))
        over = one(
            "SELECT COUNT(*) FROM (SELECT voter_id FROM votes_vote WHERE campaign_id = %(c)s "
            "GROUP BY voter_id HAVING COUNT(*) > %(limit)s) AS over"
        )
        checks.append((f"no voter over {LIMIT} votes ({over} over)", over == 0))
        dupes = one(
            "SELECT COUNT(*) FROM (SELECT voter_id, idea_id FROM votes_vote WHERE campaign_id = %(c)s "
            "GROUP BY voter_id, idea_id HAVING COUNT(*) > 1) AS d"
        )
        checks.append((f"no duplicate (voter, idea) ({dupes} duplicated)", dupes == 0))
        drift = one(
            "SELECT COUNT(*) FROM ideas_idea i LEFT JOIN (SELECT idea_id, COUNT(*) AS n FROM votes_vote "
            "WHERE campaign_id = %(c)s GROUP BY idea_id) v ON v.idea_id = i.id "
            "WHERE i.campaign_id = %(c)s AND i.vote_count <> COALESCE(v.n, 0)"
        )
        total = one("SELECT COALESCE(SUM(vote_count), 0) FROM ideas_idea WHERE campaign_id = %(c)s")
        checks.append((f"every idea's vote_count == its rows ({drift} differ; sum {total})", drift == 0))
        ballots = one(
            "SELECT COUNT(*) FROM votes_ballot b LEFT JOIN (SELECT voter_id, COUNT(*) AS n FROM votes_vote "
            "WHERE campaign_id = %(c)s GROUP BY voter_id) v ON v.voter_id = b.voter_id "
            "WHERE b.campaign_id = %(c)s AND b.used <> COALESCE(v.n, 0)"
        )
        missing = one(
            "SELECT COUNT(DISTINCT v.voter_id) FROM votes_vote v LEFT JOIN votes_ballot b "
            "ON b.campaign_id = v.campaign_id AND b.voter_id = v.voter_id WHERE v.campaign_id = %(c)s AND b.id IS NULL"
        )
        label = f"every ballot.used == its voter's rows ({ballots} differ, {missing} voters without a ballot)"
        checks.append((label, ballots == 0 and missing == 0))
    print("\ncorrectness (database against the answers):")
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return all(ok for _label, ok in checks)


# --- the server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(args, port: int, conf_dir: str) -> subprocess.Popen:
    # deploy/gunicorn.conf.py as deployed, with the access log off (a CLI
    # flag cannot set it back to None).
    conf = Path(conf_dir) / "gunicorn_bench.conf.py"
    deploy = ROOT / "deploy" / "gunicorn.conf.py"
    conf.write_text(
        f"exec(compile(open({str(deploy)!r}).read(), {str(deploy)!r}, 'exec'))\n"
        "accesslog = None\n"
        "loglevel = 'warning'\n"
    )
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "ideabox.wsgi",
        "--config",
        str(conf),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
    ]
    if args.max_requests is not None:
        command += ["--max-requests", str(args.max_requests)]
    if args.server == "granian":
        # The same application under granian (Rust HTTP server, WSGI), one
        # Python thread per worker process, as deploy/granian.md describes.
        command = [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "wsgi",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--blocking-threads",
            "1",
            "--log-level",
            "warning",
            "--no-ws",
            *GRANIAN_EXTRA,
            "ideabox.wsgi:application",
        ]
    with open(LOG, "w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=server_environment(args), start_new_session=True, stdout=log, stderr=log
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=5) as response:
                body = json.loads(response.read())
                print(f"{args.server} ready (pid {process.pid}, {args.workers} workers): /healthz {response.status}")
                if not body.get("database", {}).get("ok", True):
                    raise SystemExit(f"/healthz reports a database problem: {body}")
                return process
        except OSError as error:
            if process.poll() is not None:
                raise SystemExit(f"{args.server} exited with status {process.returncode}") from error
            if time.monotonic() > deadline:
                raise SystemExit(f"{args.server} did not answer /healthz in 30 s: {error}") from error
            time.sleep(0.2)


def stop_gunicorn(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


# --- the load generator (a separate process, no Django) ------------------------------


class Load:
    """Counts and latencies of one phase."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.all_ms: list[float] = []
        self.accepted_ms: list[float] = []
        self.ok_ms: list[float] = []
        self.requests = 0
        self.elapsed = 0.0
        self.cpu = 0.0
        self.voters_used = 0

    def add(self, status: int, code: str, ms: float) -> None:
        self.requests += 1
        key = f"{status} {code}".strip()
        self.counts[key] = self.counts.get(key, 0) + 1
        self.all_ms.append(ms)
        if status == 201:
            self.accepted_ms.append(ms)
        elif status == 200:
            self.ok_ms.append(ms)


# Keep-alive connections (--keep-alive, for a server that supports them,
# like granian, or a proxy in front of gunicorn): idle ones wait here.
IDLE: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
KEEP_ALIVE = False


async def http(port: int, method: str, path: str, token: str) -> tuple[int, bytes]:
    if KEEP_ALIVE:
        return await http_kept(port, method, path, token)
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(
            (
                f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Token {token}\r\n"
                "Accept: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ).encode()
        )
        data = await reader.read(-1)  # sync workers close the connection after the answer
    finally:
        writer.close()
    head, _sep, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        raise ConnectionError("no HTTP answer")
    return int(head[9:12]), body


async def http_kept(port: int, method: str, path: str, token: str) -> tuple[int, bytes]:
    reader, writer = IDLE.pop() if IDLE else await asyncio.open_connection(HOST, port)
    try:
        writer.write(
            (
                f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Token {token}\r\n"
                "Accept: application/json\r\nContent-Length: 0\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1."):
            raise ConnectionError("no HTTP answer")
        headers = head.decode("latin-1").lower()
        length = 0
        for line in headers.split("\r\n"):
            if line.startswith("content-length:"):
                length = int(line.partition(":")[2])
        body = await reader.readexactly(length) if length else b""
    except (OSError, asyncio.IncompleteReadError) as error:
        writer.close()
        raise ConnectionError(str(error)) from error
    if "connection: close" in headers:
        writer.close()
    else:
        IDLE.append((reader, writer))
    return int(head[9:12]), body


async def timed(load: "Load", port: int, method: str, path: str, token: str) -> None:
    """One request, counted in `load` with its status, code and latency."""
    start = time.perf_counter()
    try:
        status, body = await http(port, method, path, token)
    except OSError as error:
        load.add(0, f"error {error.__class__.__name__}", 0.0)
        return
    load.add(status, error_code(status, body), (time.perf_counter() - start) * 1000)


def error_code(status: int, body: bytes) -> str:
    if status in (200, 201, 204):
        return ""
    try:
        return str(json.loads(body).get("code", "?"))
    except ValueError:
        return "(not JSON)"


def voter_plans(tokens: list[str], idea_ids: list[int], seed: int):
    """Per voter: a list of steps, each a list of idea ids sent at once."""
    rng = random.Random(seed)
    weights = [1 / (rank + 20) for rank in range(len(idea_ids))]  # a few popular ideas
    for token in tokens:
        chosen: list[int] = []
        while len(chosen) < LIMIT + 2:
            idea = rng.choices(idea_ids, weights)[0]
            if idea not in chosen:
                chosen.append(idea)
        draw = rng.random()
        if draw < BURST_SHARE:
            steps = [[i] for i in chosen[: LIMIT - 1]] + [chosen[LIMIT - 1 : LIMIT + 2]]
        elif draw < BURST_SHARE + REPEAT_SHARE:
            steps = [[i] for i in chosen[:LIMIT]]
            steps.insert(rng.randrange(1, LIMIT + 1), [chosen[rng.randrange(0, 1)]])
        elif draw < BURST_SHARE + REPEAT_SHARE + EXTRA_SHARE:
            steps = [[i] for i in chosen[: LIMIT + 1]]
        else:
            steps = [[i] for i in chosen[:LIMIT]]
        yield token, steps


async def run_votes(port: int, tokens, idea_ids, seconds: float, concurrency: int) -> Load:
    load = Load()
    plans = voter_plans(tokens, idea_ids, seed=4)
    deadline = time.perf_counter() + seconds
    exhausted = False

    async def slot() -> None:
        nonlocal exhausted
        while time.perf_counter() < deadline:
            plan = next(plans, None)
            if plan is None:
                exhausted = True
                return
            load.voters_used += 1
            token, steps = plan
            for step in steps:
                if time.perf_counter() >= deadline:
                    return
                await asyncio.gather(
                    *(timed(load, port, "POST", f"/api/v1/ideas/{idea}/vote/", token) for idea in step)
                )

    started = time.perf_counter()
    await asyncio.gather(*(slot() for _ in range(concurrency)))
    load.elapsed = time.perf_counter() - started
    if exhausted:
        print(f"  note: all {len(tokens)} voters were used before the time was up: raise --voters")
    return load


async def run_minimal(port: int, tokens, seconds: float, concurrency: int) -> Load:
    load = Load()
    rng = random.Random(5)
    deadline = time.perf_counter() + seconds

    async def slot() -> None:
        while time.perf_counter() < deadline:
            await timed(load, port, "GET", "/api/v1/me/", rng.choice(tokens))

    started = time.perf_counter()
    await asyncio.gather(*(slot() for _ in range(concurrency)))
    load.elapsed = time.perf_counter() - started
    return load


REFUSAL_VOTERS = 3000  # kept out of the main load for the refusal phase
REFUSAL_ROUNDS = 3
FULL_VOTERS = 20  # their ballots are filled first: they make the `vote_limit_reached` refusals
REPEATERS = 20  # one vote each, which they send again: `already_voted` with votes left


def refusal_requests(tokens, idea_ids) -> tuple[list, dict]:
    """The votes that prepare the refusals, and endless (token, idea) streams per kind."""
    full, repeaters = tokens[:FULL_VOTERS], tokens[FULL_VOTERS : FULL_VOTERS + REPEATERS]
    fresh = tokens[FULL_VOTERS + REPEATERS :]
    fill = [(token, idea) for token in full for idea in idea_ids[:LIMIT]] + [
        (token, idea_ids[0]) for token in repeaters
    ]

    def accepted():
        for token in fresh:  # five distinct ideas each: within the limit
            for idea in idea_ids[10 : 10 + LIMIT]:
                yield token, idea

    def cycle(voters, pick):
        n = 0
        while True:
            yield voters[n % len(voters)], pick(n)
            n += 1

    return fill, {
        "accepted": accepted(),
        "already_voted": cycle(repeaters, lambda n: idea_ids[0]),
        "vote_limit_reached": cycle(full, lambda n: idea_ids[LIMIT + n % 40]),
    }


async def run_sequence(port: int, pairs, seconds: float, concurrency: int) -> Load:
    load = Load()
    deadline = time.perf_counter() + seconds

    async def slot() -> None:
        while time.perf_counter() < deadline:
            pair = next(pairs, None)
            if pair is None:
                return
            token, idea = pair
            await timed(load, port, "POST", f"/api/v1/ideas/{idea}/vote/", token)

    started = time.perf_counter()
    await asyncio.gather(*(slot() for _ in range(concurrency)))
    load.elapsed = time.perf_counter() - started
    return load


def machine_busy_now(seconds: float = 1.0) -> float:
    before = machine_ticks()
    time.sleep(seconds)
    busy, total = machine_ticks()
    return (busy - before[0]) / max(total - before[1], 1)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def closing(coroutine):
    """Run a load, then close the connections kept open (each load has its own event loop)."""
    try:
        return await coroutine
    finally:
        for _reader, writer in IDLE:
            writer.close()
        IDLE.clear()


def generator(port, master, tokens, idea_ids, options, results) -> None:
    """The load generator's process: warm-up, half the minimal endpoint, the
    votes, the other half (so that a change in the machine's load during the
    run weighs on both alike)."""
    global KEEP_ALIVE
    KEEP_ALIVE = options["keep_alive"]
    concurrency, half = options["concurrency"], options["minimal_seconds"] / 2
    asyncio.run(closing(run_minimal(port, tokens, 2.0, concurrency)))  # warm-up: every worker loads its code

    database = options["database_name"]

    def measured(coroutine) -> tuple[Load, dict]:
        machine, server, own = machine_ticks(), process_tree_ticks(master), cpu_seconds()
        backends = postgres_ticks(database)
        load = asyncio.run(closing(coroutine))
        load.cpu = cpu_seconds() - own
        busy, _total = machine_ticks()
        after = postgres_ticks(database)
        usage = {
            "machine": (busy - machine[0]) / TICKS,
            "gunicorn": (process_tree_ticks(master) - server) / TICKS,
            "postgres": sum(ticks - backends.get(pid, 0) for pid, ticks in after.items()) / TICKS,
        }
        return load, usage

    reserved = REFUSAL_VOTERS if options["refusal_seconds"] > 0 else 0
    main_tokens, refusal_tokens = tokens[: len(tokens) - reserved], tokens[len(tokens) - reserved :]
    before, before_usage = measured(run_minimal(port, tokens, half, concurrency))
    votes, votes_usage = measured(run_votes(port, main_tokens, idea_ids, options["seconds"], concurrency))
    after, after_usage = measured(run_minimal(port, tokens, half, concurrency))
    minimal = Load()
    for part in (before, after):
        for key, count in part.counts.items():
            minimal.counts[key] = minimal.counts.get(key, 0) + count
        minimal.ok_ms += part.ok_ms
        minimal.requests += part.requests
        minimal.elapsed += part.elapsed
        minimal.cpu += part.cpu
    minimal_usage = {key: before_usage[key] + after_usage[key] for key in before_usage}
    rates = [len(part.ok_ms) / part.elapsed for part in (before, after)]
    kinds: dict[str, list] = {}
    if reserved:
        fill, streams = refusal_requests(refusal_tokens, idea_ids)
        filled = asyncio.run(closing(run_sequence(port, iter(fill), 60.0, 1)))
        kinds["(filling ballots)"] = [(filled.__dict__, {"machine": 0, "gunicorn": 0, "postgres": 0})]
        for _round in range(REFUSAL_ROUNDS):
            for kind, pairs in streams.items():
                load, usage = measured(
                    run_sequence(port, pairs, options["refusal_seconds"], options["refusal_concurrency"])
                )
                kinds.setdefault(kind, []).append((load.__dict__, usage))
    results.put((votes.__dict__, votes_usage, minimal.__dict__, minimal_usage, rates, kinds))


TICKS = os.sysconf("SC_CLK_TCK")


def postgres_ticks(database: str) -> dict[int, int]:
    """CPU ticks of the PostgreSQL backends serving this database (gunicorn's connections)."""
    ticks = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                words = cmdline.read().replace(b"\0", b" ").split()
            if len(words) < 3 or words[0] != b"postgres:" or words[2].decode() != database:
                continue
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            ticks[int(entry)] = int(fields[11]) + int(fields[12])
        except (OSError, UnicodeDecodeError):
            continue
    return ticks


def process_tree_ticks(pid: int) -> int:
    """CPU ticks of a process and its live children, plus its reaped children
    (so gunicorn workers recycled by max_requests still count)."""
    total = 0
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            for child in children.read().split():
                with open(f"/proc/{child}/stat") as stat:
                    fields = stat.read().rpartition(")")[2].split()
                total += int(fields[11]) + int(fields[12])
    except OSError:
        pass
    return total


def machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        fields = [int(f) for f in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


# --- the report ----------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def usage_line(usage: dict, generator_cpu: float, elapsed: float, cores: int) -> str:
    share = 100 / elapsed
    other = usage["machine"] - usage["gunicorn"] - usage["postgres"] - generator_cpu
    return (
        f"  CPU over {cores} cores ({cores * 100}%): machine {usage['machine'] * share:.0f}% busy = web server "
        f"{usage['gunicorn'] * share:.0f}% + its PostgreSQL backends {usage['postgres'] * share:.0f}% + load "
        f"generator {generator_cpu * share:.0f}% + the rest (Redis, kernel, any other process) {other * share:.0f}%"
    )


def refusal_report(kinds: dict) -> int:
    """The refusal phase, per kind; returns its 201 answers (for the check)."""
    accepted = sum(len(load["accepted_ms"]) for runs in kinds.values() for load, _usage in runs)
    measured = {kind: runs for kind, runs in kinds.items() if not kind.startswith("(")}
    if not measured:
        return accepted
    print(f"\nwhat a refusal costs: one kind at a time, {REFUSAL_ROUNDS} rounds (a line per round, then all):")
    p50s = {}
    for kind, runs in measured.items():
        print(f"  {kind}:")
        every: list[float] = []
        for entry in [*runs, None]:
            if entry is None:
                loads = [load for load, _usage in runs]
                usage = {key: sum(u[key] for _l, u in runs) for key in ("gunicorn", "postgres")}
                load = {
                    "all_ms": every,
                    "requests": sum(x["requests"] for x in loads),
                    "elapsed": sum(x["elapsed"] for x in loads),
                    "counts": {},
                }
                for x in loads:
                    for key, count in x["counts"].items():
                        load["counts"][key] = load["counts"].get(key, 0) + count
                label = "all"
                p50s[kind] = percentile(every, 0.5)
            else:
                load, usage = entry
                every += load["all_ms"]
                label = "round"
            n = max(load["requests"], 1)
            codes = ", ".join(f"{key} x{count}" for key, count in sorted(load["counts"].items()))
            print(
                f"    {label:5} {load['requests'] / load['elapsed']:7.1f} req/s  p50 {percentile(load['all_ms'], 0.5):5.1f} ms"
                f"  p90 {percentile(load['all_ms'], 0.9):5.1f} ms  CPU/request: web server "
                f"{usage['gunicorn'] / n * 1000:4.1f} ms, PostgreSQL {usage['postgres'] / n * 1000:4.1f} ms  ({codes})"
            )
    base = p50s.get("accepted")
    for kind, p50 in p50s.items():
        if kind != "accepted" and base:
            print(f"  p50 {kind} / p50 accepted: {p50 / base:.2f}")
    return accepted


def report(votes: dict, votes_usage: dict, minimal: dict, minimal_usage: dict, rates, cores: int):
    accepted = len(votes["accepted_ms"])
    vote_rate = accepted / votes["elapsed"]
    print(f"\nvotes: {votes['requests']} requests in {votes['elapsed']:.1f} s, {votes['voters_used']} voters")
    print(f"  accepted votes/s (201)   {vote_rate:9.1f}   (target >= 1,000; aim 2,000)")
    print(f"  all requests/s           {votes['requests'] / votes['elapsed']:9.1f}")
    p50, p99 = percentile(votes["accepted_ms"], 0.50), percentile(votes["accepted_ms"], 0.99)
    print(f"  accepted p50 / p99       {p50:6.1f} ms / {p99:.1f} ms   (target p99 < 100 ms)")
    print("  answers by status and code:")
    for key, count in sorted(votes["counts"].items()):
        print(f"    {key:32} {count:8d}")
    print(usage_line(votes_usage, votes["cpu"], votes["elapsed"], cores))
    per_vote = votes_usage["gunicorn"] / max(votes["requests"], 1) * 1000
    per_vote_db = votes_usage["postgres"] / max(votes["requests"], 1) * 1000
    print(f"  CPU per vote request: web server {per_vote:.1f} ms, PostgreSQL {per_vote_db:.1f} ms")
    minimal_rate = len(minimal["ok_ms"]) / minimal["elapsed"]
    print(
        f"\nminimal endpoint GET /api/v1/me/ (token auth + roles: 4 queries), half before and half after "
        f"the votes: {minimal['requests']} requests"
    )
    print(f"  200s/s                   {minimal_rate:9.1f}   (before {rates[0]:.1f}, after {rates[1]:.1f})")
    print(
        f"  p50 / p99                {percentile(minimal['ok_ms'], 0.5):6.1f} ms / "
        f"{percentile(minimal['ok_ms'], 0.99):.1f} ms"
    )
    for key, count in sorted(minimal["counts"].items()):
        print(f"    {key:32} {count:8d}")
    print(usage_line(minimal_usage, minimal["cpu"], minimal["elapsed"], cores))
    per_request = minimal_usage["gunicorn"] / max(minimal["requests"], 1) * 1000
    per_request_db = minimal_usage["postgres"] / max(minimal["requests"], 1) * 1000
    print(f"  CPU per request: web server {per_request:.1f} ms, PostgreSQL {per_request_db:.1f} ms")
    print(f"\nratio accepted votes/s / minimal requests/s: {vote_rate / minimal_rate:.2f}")
    met = vote_rate >= 1000 and p99 < 100
    return accepted, met


def main() -> None:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--minimal-seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--voters", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--max-requests", type=int, default=None, help="gunicorn's; default: the deploy file's")
    parser.add_argument("--server", choices=["gunicorn", "granian"], default="gunicorn")
    parser.add_argument(
        "--keep-alive",
        action="store_true",
        help="reuse connections (granian keeps them open; gunicorn's sync workers close each one)",
    )
    parser.add_argument("--keep", action="store_true", help="leave this run's votes in the database")
    parser.add_argument(
        "--refusal-seconds", type=float, default=3, help="per kind and round of the refusal phase; 0: none"
    )
    parser.add_argument("--refusal-concurrency", type=int, default=1)
    args = parser.parse_args()
    args.database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    args.redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    args.secret_key = secrets.token_urlsafe(45)[:60]
    args.database_name = args.database_url.rpartition("/")[2].partition("?")[0]
    if not args.database_url.startswith("postgres"):
        sys.exit("bench/votes.py needs PostgreSQL: set DATABASE_URL.")

    setup_django(args)
    from django.db import connection

    campaign_id, idea_ids, tokens = prepare(args.voters)
    reset(campaign_id)
    connection.close()
    print(
        f"machine: {cores} cores, shared by {args.server} ({args.workers} "
        f"{'sync workers' if args.server == 'gunicorn' else 'workers, one thread each'}"
        f"{', keep-alive' if args.keep_alive else ''}), PostgreSQL, Redis "
        f"and the load generator (one process, {args.concurrency} requests in flight)"
    )
    print(f"run: {args.seconds:g} s of votes, between two halves of {args.minimal_seconds:g} s of GET /api/v1/me/")
    busy = machine_busy_now()
    print(f"machine busy before the run: {busy * 100:.0f}% of {cores} cores", end="")
    print(" (other processes are running: the figures will be lower and noisier)" if busy > 0.1 else "")

    server = load = None
    conf_dir = tempfile.mkdtemp(prefix="ideabox-vbench-")
    try:
        port = free_port()
        server = start_gunicorn(args, port, conf_dir)
        results = multiprocessing.get_context("spawn").Queue()
        load = multiprocessing.get_context("spawn").Process(
            target=generator, args=(port, server.pid, tokens, idea_ids, vars(args), results)
        )
        load.start()
        outcome = results.get(timeout=args.seconds + args.minimal_seconds + 9 * args.refusal_seconds + 180)
        load.join()
    finally:
        if load is not None and load.is_alive():
            load.terminate()
        stop_gunicorn(server)
        for leftover in Path(conf_dir).iterdir():
            leftover.unlink()
        os.rmdir(conf_dir)

    print(f"{args.server}'s output: {LOG} ({sum(1 for _line in LOG.open())} lines)")
    *main_outcome, kinds = outcome
    accepted, met = report(*main_outcome, cores)
    accepted += refusal_report(kinds)
    correct = check(campaign_id, accepted)
    print(f"\ntarget (>= 1,000 votes/s, p99 < 100 ms): {'MET' if met else 'NOT MET'}")
    print(f"correctness: {'PASS' if correct else 'FAIL'}")
    if not args.keep:
        reset(campaign_id)
    sys.exit(0 if correct else 1)


if __name__ == "__main__":
    main()
