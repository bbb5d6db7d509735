from django.core.cache import cache

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory, employee


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
