"""allauth's e-mails and pages name the site, in sentence case (issue 10,
item 2): the sign-up e-mail said "Hello from !" and "register an account on
." (allauth's site name was empty), and its pages said "Sign Up"."""

import re

from django.core import mail
from django.urls import reverse

import pytest

from tests.accounts.test_signup import sign_up
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TITLE_CASE = re.compile(r"Sign Up|Sign In|Sign Out|Remember Me|Password Reset|Email Address|Reset My Password|Signup")


def reset_password(client, django_capture_on_commit_callbacks, email: str):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("account_reset_password"), {"email": email}).status_code == 302
    return mail.outbox[-1]


def test_the_sign_up_e_mail_names_the_site_in_sentence_case(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.subject == "[Ideabox] Confirm your e-mail address"
    assert "Hello from Ideabox!" in message.body
    assert "register an account on 127.0.0.1:8000." in message.body
    assert "Thank you for using Ideabox!" in message.body
    assert " !" not in message.body and " on ." not in message.body


def test_the_password_reset_e_mail_names_the_site_in_sentence_case(client, django_capture_on_commit_callbacks):
    message = reset_password(client, django_capture_on_commit_callbacks, UserFactory().email)
    assert message.subject == "[Ideabox] Reset your password"
    assert "Hello from Ideabox!" in message.body
    assert "Thank you for using Ideabox!" in message.body


def test_the_e_mails_name_the_site_in_french(client, django_capture_on_commit_callbacks):
    client.cookies["ideabox_language"] = "fr"
    sign_up(client, django_capture_on_commit_callbacks)
    message = reset_password(client, django_capture_on_commit_callbacks, UserFactory().email)
    for message in mail.outbox:
        assert message.subject.startswith("[Ideabox] ")
        assert "Bonjour, c'est Ideabox !" in message.body
        assert "Merci d'utiliser Ideabox" in message.body


def test_the_e_mails_name_the_configured_site(client, django_capture_on_commit_callbacks, settings):
    settings.SITE_NAME = "Acme ideas"
    settings.SITE_URL = "https://ideas.acme.example"
    sign_up(client, django_capture_on_commit_callbacks)
    assert "Hello from Acme ideas!" in mail.outbox[0].body
    assert "register an account on ideas.acme.example." in mail.outbox[0].body


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_login", "Log in"),
        ("account_signup", "Sign up"),
        ("account_reset_password", "Reset your password"),
        ("account_email_verification_sent", "Verify your e-mail address"),
    ],
)
def test_the_account_pages_name_the_site_in_sentence_case(client, name, heading):
    html = client.get(reverse(name)).content.decode()
    assert re.search(rf"<title>\s*{heading}\s*· Ideabox</title>", html)
    assert f">{heading}<" in re.sub(r"\s*\n\s*", "", html)
    assert not TITLE_CASE.search(html), TITLE_CASE.search(html)


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_the_account_pages_name_the_site_in_french(client, name):
    client.cookies["ideabox_language"] = "fr"
    html = client.get(reverse(name)).content.decode()
    assert '<html lang="fr">' in html
    assert re.search(r"· Ideabox</title>", html)
    assert not TITLE_CASE.search(html), TITLE_CASE.search(html)


def test_site_name_sets_the_prefix_of_every_e_mail_subject():
    from tests.ideabox.test_deploy import manage

    code = "from django.conf import settings; print(repr(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX))"
    result = manage("shell", "-c", code, env={"SITE_NAME": "Acme ideas"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "'[Acme ideas] '"


def test_notifications_share_the_account_e_mails_subject_prefix(settings):
    from accounts import notifications
    from tests.factories import IdeaFactory

    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Acme ideas] "
    idea = IdeaFactory(title="Solar roofs")
    message = notifications.render_email(
        user=idea.author, kind="idea_commented", template="idea_commented", context={"idea": idea, "idea_url": "/"}
    )
    assert message.subject == "[Acme ideas] New comment on “Solar roofs”"
