import os

from django.core.cache import cache

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory, employee

# The fault tests start real worker processes and Redis servers, the browser
# tests a web server, a worker, the scheduler and Chromium: each runs on its
# own, under its own settings (`make faults`, `make e2e`), not in `make test`.
collect_ignore = [
    folder
    for folder, settings_module in (("faults", "ideabox.settings.faults"), ("e2e", "ideabox.settings.e2e"))
    if os.environ.get("DJANGO_SETTINGS_MODULE") != settings_module
]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits (allauth's, the API's) count in the cache: each test starts afresh.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def participant(db):
    return UserFactory()


@pytest.fixture
def an_employee(db):
    return employee()


@pytest.fixture
def moderator(db):
    return UserFactory(groups=["moderators"])


@pytest.fixture
def manager(db):
    return UserFactory(groups=["campaign managers"])


@pytest.fixture
def administrator(db):
    return UserFactory(is_superuser=True, is_staff=True)


def pytest_collection_modifyitems(items):
    # A transactional test empties the database when it ends, taking with it
    # what the migrations made (the role groups, the idea box). Serialized
    # rollback puts that back before each of them, whatever ran before.
    for item in items:
        marker = item.get_closest_marker("django_db")
        wanted = "django_db_serialized_rollback"
        if marker and marker.kwargs.get("transaction") and wanted not in item.fixturenames:
            item.fixturenames.append(wanted)
