"""Persistent database connections only where a bounded pool of workers
reuses them (issue 9, item 8): `make run`'s development server starts a
thread, and so a connection, per request; kept open, 50 parallel requests
left 50 connections behind, round after round."""

import pytest

from tests.ideabox.test_deploy import PRODUCTION_ENV, manage

POSTGRES = "postgres://ideabox:secret@127.0.0.1:1/ideabox"  # never connected to
PRINT_CONN_MAX_AGE = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"


def conn_max_age(env: dict) -> int:
    result = manage("shell", "-c", PRINT_CONN_MAX_AGE, env=env)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("settings_module", ["", "ideabox.settings.dev"])
def test_the_development_server_closes_its_connections_whatever_the_database(settings_module):
    env = {"DATABASE_URL": POSTGRES, "CONN_MAX_AGE": ""}
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    assert conn_max_age(env) == 0


def test_an_operator_may_still_keep_development_connections_open():
    assert conn_max_age({"DATABASE_URL": POSTGRES, "CONN_MAX_AGE": "30"}) == 30


def test_production_keeps_connections_open_in_its_bounded_workers():
    assert conn_max_age({**PRODUCTION_ENV, "CONN_MAX_AGE": ""}) == 60
    assert conn_max_age({**PRODUCTION_ENV, "CONN_MAX_AGE": "5"}) == 5
