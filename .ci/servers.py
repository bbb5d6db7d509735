"""Run a command with a throwaway PostgreSQL cluster and Redis server.

    .venv/bin/python .ci/servers.py COMMAND [ARG...]

Both listen on 127.0.0.1, on ports the system says are free, with their files
in a temporary directory. The command gets DATABASE_URL (role and database
`ideabox`, which may create the test databases) and REDIS_URL; its exit
status is ours. Both servers are stopped and the directory removed however
it ends (a failure, Ctrl-C, SIGTERM from `timeout`). PostgreSQL refuses to run
as root: as root, its programs run as the `postgres` user of Debian's package.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import redis

START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path:
    """The newest PostgreSQL server Debian installed (/usr/lib/postgresql/<version>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        sys.exit("servers: no PostgreSQL under /usr/lib/postgresql/*/bin (apt-get install postgresql).")
    return found[-1].parent


def wait_until(what: str, answers, server: subprocess.Popen, log: Path) -> None:
    """Until answers() stops raising a connection error; exit with the server's log if it dies or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            answers()
            print(f"{what} answers.", flush=True)
            return
        except (OSError, psycopg.OperationalError, redis.ConnectionError) as error:
            if server.poll() is not None or time.monotonic() > deadline:
                print(log.read_text(errors="replace"), file=sys.stderr)
                sys.exit(f"{what} did not answer within {START_TIMEOUT}s ({error}).")
            time.sleep(0.5)


def main(command: list[str]) -> int:
    # `timeout` and Ctrl-C end us through the `finally` below.
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda signum, _frame: sys.exit(128 + signum))
    as_postgres = {"user": "postgres", "group": "postgres", "extra_groups": []} if os.getuid() == 0 else {}
    tmp = Path(tempfile.mkdtemp(prefix="ideabox-servers-"))
    servers: list[subprocess.Popen] = []
    try:
        if as_postgres:
            os.chown(tmp, pwd.getpwnam("postgres").pw_uid, -1)
        pg_port, redis_port, bin_dir = free_port(), free_port(), postgres_bin()
        subprocess.run(
            [bin_dir / "initdb", "-D", tmp / "data", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]
            + ["--auth-local=trust", "--auth-host=scram-sha-256"],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=tmp,
            **as_postgres,
        )
        # Only this throwaway cluster's data is at risk: durability is traded for speed.
        settings = {"listen_addresses": "127.0.0.1", "port": pg_port, "unix_socket_directories": tmp}
        settings |= {"max_connections": 200, "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        options = [f"--{name}={value}" for name, value in settings.items()]
        with open(tmp / "postgres.log", "w") as log:
            servers.append(
                subprocess.Popen(
                    [bin_dir / "postgres", "-D", tmp / "data", *options], stdout=log, stderr=log, cwd=tmp, **as_postgres
                )
            )
        with open(tmp / "redis.log", "w") as log:
            redis_options = [
                "--bind",
                "127.0.0.1",
                "--port",
                str(redis_port),
                "--dir",
                tmp,
                "--save",
                "",
                "--appendonly",
                "no",
            ]
            servers.append(subprocess.Popen(["redis-server", *redis_options], stdout=log, stderr=log))

        def create_role() -> None:
            with psycopg.connect(host=tmp, port=pg_port, user="postgres", dbname="postgres", autocommit=True) as admin:
                admin.execute("CREATE ROLE ideabox LOGIN CREATEDB PASSWORD 'ideabox'")
                admin.execute("CREATE DATABASE ideabox OWNER ideabox")

        wait_until(f"PostgreSQL on 127.0.0.1:{pg_port}", create_role, servers[0], tmp / "postgres.log")
        database_url = f"postgres://ideabox:ideabox@127.0.0.1:{pg_port}/ideabox"
        psycopg.connect(database_url).close()  # the way the tests connect: TCP, with the password
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        wait_until(
            f"Redis on 127.0.0.1:{redis_port}", redis.Redis.from_url(redis_url).ping, servers[1], tmp / "redis.log"
        )
        return subprocess.run(
            command, env={**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
        ).returncode
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not stop the cleanup
        for server in reversed(servers):
            server.send_signal(signal.SIGINT)  # PostgreSQL: fast shutdown; Redis: shutdown without saving
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        print("servers: PostgreSQL and Redis stopped, their directory removed.", flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
