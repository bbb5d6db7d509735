"""Company sign-in over OpenID Connect, against a real provider
(tests/accounts/sso_oidc.py: oidc-provider-mock in a thread): the site's
redirects, its callback's token, userinfo and key requests are real HTTP."""

import pytest

from accounts import roles
from accounts.models import User
from tests.accounts import sso_oidc

pytestmark = pytest.mark.django_db

oidc_provider = sso_oidc.oidc_provider  # the fixture


def test_a_first_sign_in_makes_an_account(oidc_provider, client):
    oidc_provider.set_user("ada", email="ada@corp.example", given_name="Ada", family_name="Lovelace", locale="fr-FR")
    response = oidc_provider.sign_in(client, "ada")
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="ada@corp.example")
    assert roles.is_employee(user)
