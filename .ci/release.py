"""The release steps of docs/deploy.md under the production settings, then /healthz.

    .venv/bin/python .ci/servers.py .venv/bin/python .ci/release.py

On the PostgreSQL and Redis of DATABASE_URL and REDIS_URL: migrate,
collectstatic and check --deploy; then each web server docs/deploy.md offers
(gunicorn, granian as its systemd unit runs it) serves the site in turn, and
/healthz must answer over plain HTTP while every other page redirects to
HTTPS unless the proxy's X-Forwarded-Proto says the request came over it.
The web servers are stopped and the temporary directory removed however it ends.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from servers import free_port, wait_until  # .ci/servers.py, next to this file

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "ideabox.invalid"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(port: int, path: str, headers: dict | None = None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": HOST, **(headers or {})})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def check_site(port: int) -> None:
    status, _headers, body = get(port, "/healthz")
    print("GET /healthz over plain HTTP:", status, body.decode())
    health = json.loads(body)
    assert status == 200, "healthz must answer 200 with the database and the broker up"
    assert health["database"]["ok"] and health["database"]["vendor"] == "postgresql", health
    assert health["broker"]["ok"] and "pending_tasks" in health["broker"], health
    assert health["worker"]["stale"] is True, "no worker runs here: the heartbeat must be stale"

    status, headers, _body = get(port, "/")
    print("GET / over plain HTTP:", status, headers.get("Location"))
    assert status == 301 and headers["Location"] == f"https://{HOST}/", "plain HTTP must redirect to HTTPS"

    status, headers, _body = get(port, "/", {"X-Forwarded-Proto": "https"})
    print("GET / with X-Forwarded-Proto: https:", status, headers.get("Strict-Transport-Security"))
    assert status == 200, status
    assert headers.get("Strict-Transport-Security"), "HTTPS responses must carry HSTS"


def serve_and_check(name: str, command: list, env: dict, log_path: Path, port: int) -> None:
    def answers() -> None:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()

    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL, cwd=ROOT)
    try:
        wait_until(f"{name} on 127.0.0.1:{port}", answers, server, log_path)
        check_site(port)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        print(f"{name} stopped.", flush=True)


def main() -> None:
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda signum, _frame: sys.exit(128 + signum))
    with tempfile.TemporaryDirectory(prefix="ideabox-release-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ideabox.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "IDEABOX_VAR_DIR": f"{tmp}/var",
            "STATIC_ROOT": f"{tmp}/static",
        }
        for step in (
            ["migrate", "--noinput", "--verbosity", "0"],
            ["collectstatic", "--noinput"],
            ["check", "--deploy", "--database", "default", "--fail-level", "WARNING"],
        ):
            print("manage.py", *step, flush=True)
            subprocess.run(
                [BIN / "python", "manage.py", *step], env=env, check=True, stdin=subprocess.DEVNULL, cwd=ROOT
            )
        port = free_port()
        address = ["--bind", f"127.0.0.1:{port}"]
        gunicorn = [BIN / "gunicorn", "ideabox.wsgi", *address, "--workers", "2", "--no-control-socket"]
        granian = [BIN / "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
        granian += ["--workers", "1", "--blocking-threads", "1", "--no-ws", "--log-level", "warning"]
        serve_and_check("gunicorn", gunicorn, env, Path(tmp) / "gunicorn.log", port)
        serve_and_check("granian", [*granian, "ideabox.wsgi:application"], env, Path(tmp) / "granian.log", port)


if __name__ == "__main__":
    main()
