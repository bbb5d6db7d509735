"""The browser tests' session: a real web server (gunicorn), a Celery worker
and `celery beat` started as child processes under ideabox.settings.e2e, on
the session's test database, and headless Chromium driven by Playwright.

Run with `make e2e` (E2E_ARGS selects, e.g. E2E_ARGS=tests/e2e/test_journey_public_voter.py).
Without Debian's Chromium (/usr/bin/chromium, or IDEABOX_E2E_CHROMIUM) or
Playwright the tests skip, and fail under CI=true; IDEABOX_SKIP_BROWSER=1
skips them. Screenshots go to IDEABOX_E2E_ARTIFACTS (default
var/e2e-artifacts/).
"""

import contextlib
import os
import shutil
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

from django.db import connection

import pytest

from tests.faults.harness import ROOT, Service, Worker, database_url, free_port, port_open, sent_mail

from .journeys import Journey

CHROMIUM = os.environ.get("IDEABOX_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("IDEABOX_E2E_ARTIFACTS", ROOT / "var" / "e2e-artifacts"))
DESKTOP = {"width": 1280, "height": 800}


def _no_browser(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(f"Browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def browser_available():
    """Skip (or fail, under CI=true) when there is no browser to drive."""
    if os.environ.get("IDEABOX_SKIP_BROWSER") == "1":
        pytest.skip("Browser tests skipped: IDEABOX_SKIP_BROWSER=1")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _no_browser(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set IDEABOX_E2E_CHROMIUM)")
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        _no_browser("Playwright or axe-playwright-python is not installed (pip install -r requirements-dev.txt)")


@pytest.fixture(scope="session")
def chromium(site):
    """Headless Chromium. Started after the site: Playwright's sync API runs an
    event loop in this thread, and Django refuses database work where one
    runs (the test database is set up before)."""
    from playwright.sync_api import expect, sync_playwright

    # What the user sees is waited for, never slept on: generous but bounded.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def e2e_database(django_db_blocker):
    """The session's test database, migrated (pytest-django's django_db_setup
    prepares one only for tests marked django_db, and those run in a
    transaction or empty the tables after each test: the site needs data
    committed for the whole session)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def site(browser_available, e2e_database, tmp_path_factory):
    """The site at `site.url`: gunicorn, a worker and beat on the session's
    test database, with the mail in `site.mail_dir`. Stopped when the session ends."""
    folder = tmp_path_factory.mktemp("e2e")
    mail_dir = folder / "mail"
    mail_dir.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "ideabox.settings.e2e",
        "DATABASE_URL": database_url(),
        "IDEABOX_VAR_DIR": str(folder / "var"),
        "EMAIL_FILE_PATH": str(mail_dir),
        "SITE_URL": url,
        "CONN_MAX_AGE": "0",
        # A cache of this session's own in a shared Redis (rate limits start afresh).
        "CACHE_KEY_PREFIX": f"e2e-{uuid.uuid4().hex[:8]}",
    }
    log = folder / "services.log"
    bin_dir = Path(sys.executable).parent
    services = [
        Service(
            argv=[str(bin_dir / "gunicorn"), "ideabox.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
            + ["--timeout", "60", "--no-control-socket", "--access-logfile", "-"],
            env=env,
            log=log,
            ready=lambda _output: port_open(port),
        ),
        Worker(env=env, log=log),
        Service(
            argv=[sys.executable, "-m", "celery", "-A", "ideabox", "beat", "--loglevel=INFO", "--max-interval=1"]
            + ["--scheduler=tests.e2e.scheduler:EveryFewSeconds", f"--schedule={folder / 'beat-schedule'}"],
            env=env,
            log=log,
            ready=lambda output: "beat: Starting" in output,
        ),
    ]
    started = []
    # `env`: for a journey that starts a web server of its own beside this one
    # (the company sign-in's, with SSO_PROVIDERS), on the same database.
    site = SimpleNamespace(url=url, mail_dir=mail_dir, log=log, mail=lambda: sent_mail(mail_dir), env=env)
    try:
        for service in services:
            started.append(service.start())
        yield site
    finally:
        for service in reversed(started):
            service.stop()
        if os.environ.get("IDEABOX_E2E_SHOW_LOG") and log.exists():
            sys.stderr.write(log.read_text(errors="replace"))


@pytest.fixture(scope="session")
def another_site(site):
    """`with another_site(SSO_PROVIDERS=...) as company:` the site again (its
    web server only), on a port of its own and the same database, with these
    environment variables: the company sign-in journeys' site."""

    @contextlib.contextmanager
    def start(**env_changes):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**site.env, "SITE_URL": url, **env_changes}
        gunicorn = Service(
            argv=[str(Path(sys.executable).parent / "gunicorn"), "ideabox.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--timeout", "60", "--no-control-socket", "--access-logfile", "-"],
            env=env,
            log=site.log,
            ready=lambda _output: port_open(port),
        )
        gunicorn.start()
        try:
            yield SimpleNamespace(**{**vars(site), "url": url, "env": env})
        finally:
            gunicorn.stop()

    return start


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def new_journey(site, chromium, artifacts, request):
    """`new_journey(name="...", **context_options)`: another browser context
    (a second person, another language or screen, no JavaScript) with the
    checks every page gets, e.g. new_journey("moderator"),
    new_journey("phone", locale="fr-FR", **PHONE), new_journey("no-js",
    java_script_enabled=False), or on another server, base_url=...
    Its screenshots go in a subfolder `name` of the test's folder. Closed
    when the test ends."""
    contexts = []
    test_folder = artifacts / request.node.name
    shutil.rmtree(test_folder, ignore_errors=True)

    def make(name: str = "", **options) -> Journey:
        options = {"base_url": site.url, "viewport": DESKTOP, "locale": "en-GB", **options}
        context = chromium.new_context(**options)
        contexts.append(context)
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(30_000)
        folder = test_folder / name if name else test_folder
        return Journey(
            context.new_page(), site=site, screenshots=folder, javascript=options.get("java_script_enabled", True)
        )

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def journey(new_journey):
    """A fresh browser context at desktop size on the site, with the checks
    every page gets (no JavaScript error, no CSP refusal, axe-core)."""
    return new_journey()


@pytest.fixture(scope="session")
def seeded(site, django_db_blocker):
    """`seeded(make_data)`: run `make_data()`, committed, on the session's
    database. In a thread of its own: Playwright's sync API runs an event
    loop in this one, where Django refuses database work (and would not see
    the test database's connection)."""

    def run(make_data):
        try:
            with django_db_blocker.unblock():
                return make_data()
        finally:
            connection.close()

    def seed(make_data):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run, make_data).result()

    return seed


def pytest_collection_modifyitems(items):
    """The crawl (test_crawl.py) runs after every other browser test: the
    demo data it seeds (accounts named `moderator`, `manager`, ...) would
    otherwise meet the journeys' own."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/e2e/test_crawl.py"))
