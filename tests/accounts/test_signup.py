import re

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress

from accounts import roles
from accounts.models import User
from tests.accounts.hashers import CountingHasher
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "newcomer",
    "email": "newcomer@ideabox.example",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def sign_up(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("account_signup"), {**SIGNUP, **overrides})


def test_sign_up_sends_a_verification_email_after_commit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    # Nothing is sent before the sign-up is committed...
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    # ...then the worker sends one message with the link.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@ideabox.example"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_following_the_link_verifies_the_address_and_logs_in(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    user = User.objects.get(username="newcomer")
    assert not roles.is_participant(user)

    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    roles.forget(user)
    assert roles.roles_of(user) == ["participant", "employee"]
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_wrong_confirmation_key_verifies_nothing(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    response = client.post("/accounts/confirm-email/not-a-real-key/")
    assert response.status_code == 404
    assert not EmailAddress.objects.get(user__username="newcomer").verified


def test_an_unverified_user_cannot_log_in(client):
    UserFactory(username="pending", verified=False)
    response = client.post(reverse("account_login"), {"login": "pending", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("login", ["alice", "alice@example.org"])
def test_a_verified_user_logs_in_by_username_or_email(client, login):
    UserFactory(username="alice")
    response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_wrong_password_redisplays_the_form_with_an_error(client):
    UserFactory(username="alice")
    response = client.post(reverse("account_login"), {"login": "alice", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_log_out_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_bad_sign_up_creates_nobody_and_explains_in_french(client, django_capture_on_commit_callbacks):
    client.cookies["ideabox_language"] = "fr"
    response = sign_up(client, django_capture_on_commit_callbacks, password2="something else entirely")
    assert response.status_code == 200
    assert not User.objects.filter(username="newcomer").exists()
    assert mail.outbox == []
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Vous devez saisir deux fois le même mot de passe." in html


def test_an_address_already_taken_creates_nobody_and_reveals_nothing(client, django_capture_on_commit_callbacks):
    UserFactory(username="first", email="newcomer@ideabox.example")
    response = sign_up(client, django_capture_on_commit_callbacks)
    # The page answers as for a new address, so sign-up cannot be used to
    # learn who has an account; the owner of the address is told by e-mail.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="newcomer@ideabox.example").count() == 1
    assert not User.objects.filter(username="newcomer").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@ideabox.example"]


def test_password_reset_mails_a_link_that_sets_a_new_password(client, django_capture_on_commit_callbacks):
    user = UserFactory(username="forgetful")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": "another long passphrase", "password2": "another long passphrase"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another long passphrase")


def inserts(queries, table: str) -> int:
    return sum(1 for q in queries if q["sql"].startswith(f'INSERT INTO "{table}"'))


def signup_work(client, settings, django_capture_on_commit_callbacks, **overrides) -> dict:
    """What one sign-up did: passwords hashed, users inserted, callbacks queued
    after the commit (the e-mail's task), e-mails the worker then sent."""
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingHasher"]
    CountingHasher.hashed = 0
    sent_before = len(mail.outbox)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(reverse("account_signup"), {**SIGNUP, **overrides})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    return {
        "passwords hashed": CountingHasher.hashed,
        "users inserted": inserts(queries, User._meta.db_table),
        "addresses inserted": inserts(queries, EmailAddress._meta.db_table),
        "callbacks after commit": len(queued),
        "e-mails sent": len(mail.outbox) - sent_before,
    }


def test_sign_up_does_the_same_work_for_an_address_that_has_an_account(
    client, settings, django_capture_on_commit_callbacks
):
    # Hashing a password is most of a sign-up's time: an address that has an
    # account must not be answered faster than a new one.
    UserFactory(username="owner", email="owner@example.org")
    new = signup_work(client, settings, django_capture_on_commit_callbacks)
    existing = signup_work(
        client, settings, django_capture_on_commit_callbacks, username="someone", email="owner@example.org"
    )
    assert new == existing
    assert new["passwords hashed"] == new["users inserted"] == new["addresses inserted"] == new["e-mails sent"] == 1
    # The rehearsal left nothing behind.
    assert not User.objects.filter(username="someone").exists()
    assert list(User.objects.filter(email__iexact="owner@example.org").values_list("username", flat=True)) == ["owner"]
