"""Fixtures of the campaigns tests: one user per role, and a client for each."""

from django.contrib.auth.models import AnonymousUser

import pytest
from rest_framework.test import APIClient

from tests.factories import user_with_role


def user_for(role: str):
    return user_with_role(role) or AnonymousUser()


@pytest.fixture
def client_as(client):
    """`client_as(role)`: the Django test client, logged in as a new user with that role."""

    def login(role: str):
        user = user_for(role)
        if user.is_authenticated:
            client.force_login(user)
        return client

    return login


@pytest.fixture
def api_as():
    """`api_as(role)`: a DRF client authenticated as a new user with that role."""

    def login(role: str):
        api = APIClient()
        user = user_for(role)
        if user.is_authenticated:
            api.force_authenticate(user)
        return api

    return login
