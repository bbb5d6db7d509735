"""Helpers of the fault tests (fixtures in conftest.py), also used by the
browser tests (tests/e2e): a Redis server of their own, child processes (a
real Celery worker, a web server, the scheduler), the mail they wrote,
PostgreSQL's view of who waits for a lock."""

import contextlib
import ctypes
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, seconds: float = 30.0, every: float = 0.05):
    """The predicate's first truthy value within `seconds`, else None."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the test process dies, even
    killed (Linux's PR_SET_PDEATHSIG), so that no server outlives an
    interrupted run."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


class RedisServer:
    """A redis-server of the tests' own, on a free port, in a temporary folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        assert wait_for(lambda: port_open(self.port), 10), "redis-server did not start"

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None
        assert wait_for(lambda: not port_open(self.port), 10), "redis-server did not stop"


class Service:
    """A child process (`argv`, from the project's folder), in a process group
    of its own, its output appended to `log`; started when `ready(output)`
    says so (within `seconds`)."""

    argv: list[str] = []

    def __init__(self, *, env: dict, log: Path, argv: list[str] | None = None, ready=None, seconds: float = 60):
        self.env = env
        self.log = log
        self.argv = argv or self.argv
        self.ready = ready or self.ready
        self.seconds = seconds
        self.process: subprocess.Popen | None = None

    def ready(self, output: str) -> bool:
        return True

    def start(self) -> "Service":
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        ready = wait_for(lambda: self.ready(self.output(offset)) or self.process.poll() is not None, self.seconds)
        assert ready and self.process.poll() is None, f"{self.argv[:4]} did not start:\n{self.output(offset)}"
        return self

    def output(self, offset: int = 0) -> str:
        return self.log.read_bytes()[offset:].decode(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole group: main process and children at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        # SIGTERM: Celery's warm shutdown (the main process lets its pool
        # finish, then exits), gunicorn's graceful one.
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever is left of the group
        self.process.wait(timeout=10)
        self.process = None


class Worker(Service):
    """`celery -A ideabox worker` as a child process, in a process group of its own."""

    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "ideabox",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]

    def ready(self, output: str) -> bool:
        return " ready." in output


def database_url() -> str:
    """The test database, as the worker process must be told it."""
    s = connection.settings_dict
    if s["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def sent_mail(folder: Path) -> list[email.message.Message]:
    """Every message the file e-mail backend wrote (one file per connection,
    messages separated by a line of 79 dashes)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def waiting_on_a_lock(conn, table: str) -> int | None:
    """The pid of a backend of the test database waiting for a row lock on `table`."""
    row = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
        "AND query ILIKE %s AND pid <> pg_backend_pid() LIMIT 1",
        [f"%{table}%"],
    ).fetchone()
    conn.commit()
    return row[0] if row else None


def backend_alive(conn, pid: int) -> bool:
    row = conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    conn.commit()
    return row is not None
