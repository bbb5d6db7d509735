"""Each person's notification settings: the service, the page, the API and unsubscribing."""

import datetime

from django.core import signing
from django.test import Client
from django.urls import reverse

import pytest
from freezegun import freeze_time
from rest_framework.authtoken.models import Token

from accounts import notifications
from accounts.models import NotificationSettings
from ideabox.exceptions import DomainError
from tests.factories import UserFactory, employee

pytestmark = pytest.mark.django_db

API = "/api/v1/me/notifications/"

PAGE = "/accounts/notifications/"
DEFAULTS = {
    "idea_commented": True,
    "idea_status_changed": True,
    "followed_idea_changed": True,
    "followed_campaign_phase": True,
    "campaign_closing": True,
    "jury_reminders": True,
    "review_reminders": True,
    "weekly_digest": False,
}

ROLES = {
    "unverified": lambda: UserFactory(verified=False),
    "participant": lambda: UserFactory(),
    "employee": lambda: employee(),
    "moderator": lambda: UserFactory(groups=["moderators"]),
    "manager": lambda: UserFactory(groups=["campaign managers"]),
    "administrator": lambda: UserFactory(is_superuser=True, is_staff=True),
}


def flags_of(user) -> dict:
    found = NotificationSettings.objects.get(user=user)
    return {kind: getattr(found, kind) for kind in DEFAULTS}


# --- the service ---------------------------------------------------------------


def test_settings_are_created_once_with_the_defaults_on_first_use():
    user = UserFactory()
    assert not NotificationSettings.objects.filter(user=user).exists()
    first = notifications.settings_for(user)
    second = notifications.settings_for(user)
    assert first.pk == second.pk == user.pk
    assert flags_of(user) == DEFAULTS


def test_updating_changes_only_the_kinds_named():
    user = UserFactory()
    notifications.update_notification_settings(user=user, weekly_digest=True, campaign_closing=False)
    assert flags_of(user) == {**DEFAULTS, "weekly_digest": True, "campaign_closing": False}


def test_an_unknown_kind_is_refused_and_changes_nothing():
    user = UserFactory()
    with pytest.raises(DomainError) as refused:
        notifications.update_notification_settings(user=user, weekly_digest=True, carrier_pigeon=True)
    assert refused.value.code == "invalid"
    assert not NotificationSettings.objects.filter(user=user).exists()


def test_recipients_follow_the_settings_and_the_defaults():
    untouched, opted_out, digest_reader = UserFactory(), UserFactory(), UserFactory()
    notifications.update_notification_settings(user=opted_out, idea_commented=False)
    notifications.update_notification_settings(user=digest_reader, weekly_digest=True)
    everyone = [untouched.pk, opted_out.pk, digest_reader.pk]
    assert list(notifications.recipients(everyone, "idea_commented")) == [untouched, digest_reader]
    assert list(notifications.recipients(everyone, "weekly_digest")) == [digest_reader]


# --- the settings page --------------------------------------------------------------


def test_the_settings_page_address_is_stable():
    assert reverse("accounts:notifications") == PAGE


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PAGE}"
    assert client.post(PAGE, {"weekly_digest": "on"}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_person_sees_their_settings(client, role):
    client.force_login(ROLES[role]())
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<legend>Send me an e-mail about…</legend>" in page
    assert 'name="idea_commented" id="id_idea_commented" checked' in page
    assert 'name="weekly_digest" id="id_weekly_digest" aria-describedby="id_weekly_digest_helptext">' in page
    assert "Once a week: the new ideas in your campaigns" in page


def test_saving_the_page_turns_unticked_kinds_off(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PAGE, {"weekly_digest": "on", "idea_commented": "on"})
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert flags_of(user) == {kind: kind in {"weekly_digest", "idea_commented"} for kind in DEFAULTS}
    assert "Your notification settings were saved." in client.get(PAGE).content.decode()


def test_saving_with_every_box_unticked_turns_everything_off(client):
    user = UserFactory()
    client.force_login(user)
    assert client.post(PAGE, {}).status_code == 302
    assert flags_of(user) == dict.fromkeys(DEFAULTS, False)


def test_someone_only_changes_their_own_settings(client):
    user, other = UserFactory(), UserFactory()
    notifications.settings_for(other)
    client.force_login(user)
    client.post(PAGE, {"user": other.pk})
    assert flags_of(other) == DEFAULTS


def test_a_wrong_method_on_the_page_is_refused(client):
    client.force_login(UserFactory())
    assert client.put(PAGE).status_code == 405


def test_the_profile_links_to_the_settings(client):
    client.force_login(UserFactory())
    assert f'href="{PAGE}"' in client.get("/accounts/profile/").content.decode()


# --- unsubscribing -----------------------------------------------------------------


def url_for(token: str) -> str:
    return f"/accounts/unsubscribe/{token}/"


def test_the_unsubscribe_link_asks_before_changing_anything(client):
    user = UserFactory()
    token = notifications.unsubscribe_token(user_id=user.pk, kind="weekly_digest")
    response = client.get(url_for(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Stop the e-mails about “weekly digest”?" in page
    assert f'<form method="post" action="{url_for(token)}">' in page
    assert not NotificationSettings.objects.filter(user=user).exists()


def test_posting_unsubscribes_from_that_kind_only(client):
    user = UserFactory()
    notifications.update_notification_settings(user=user, weekly_digest=True)
    token = notifications.unsubscribe_token(user_id=user.pk, kind="weekly_digest")
    response = client.post(url_for(token))
    assert response.status_code == 200
    assert "You will no longer receive e-mails about “weekly digest”." in response.content.decode()
    assert flags_of(user) == DEFAULTS
    assert client.post(url_for(token)).status_code == 200  # again: still off, no error


def test_an_all_token_turns_every_kind_off(client):
    user = UserFactory()
    client.post(url_for(notifications.unsubscribe_token(user_id=user.pk, kind=notifications.ALL)))
    assert flags_of(user) == dict.fromkeys(DEFAULTS, False)


def test_the_one_click_post_of_a_mail_client_needs_no_csrf_token_nor_session():
    user = UserFactory()
    mail_client = Client(enforce_csrf_checks=True)
    token = notifications.unsubscribe_token(user_id=user.pk, kind="idea_commented")
    response = mail_client.post(
        url_for(token), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert flags_of(user)["idea_commented"] is False


def forged_tokens(user):
    good = notifications.unsubscribe_token(user_id=user.pk, kind="idea_commented")
    other_salt = signing.dumps([user.pk, "idea_commented"], salt="something else")
    bad_kind = signing.dumps([user.pk, "carrier_pigeon"], salt=notifications.UNSUBSCRIBE_SALT)
    bad_shape = signing.dumps({"user": user.pk}, salt=notifications.UNSUBSCRIBE_SALT)
    bad_id = signing.dumps(["1", "idea_commented"], salt=notifications.UNSUBSCRIBE_SALT)
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    return [tampered, "nonsense", other_salt, bad_kind, bad_shape, bad_id]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_gets_a_clear_400_and_changes_nothing(client, method):
    user = UserFactory()
    notifications.settings_for(user)
    for token in forged_tokens(user):
        response = getattr(client, method)(url_for(token))
        assert response.status_code == 400, token
        assert "This unsubscribe link is not valid or has expired." in response.content.decode()
    assert flags_of(user) == DEFAULTS


def test_an_expired_token_or_a_deleted_account_gets_400(client):
    user = UserFactory()
    with freeze_time(datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(days=400)):
        old = notifications.unsubscribe_token(user_id=user.pk, kind="idea_commented")
    assert client.post(url_for(old)).status_code == 400
    assert not NotificationSettings.objects.filter(user=user).exists()

    gone = notifications.unsubscribe_token(user_id=user.pk, kind="idea_commented")
    user.delete()
    assert client.post(url_for(gone)).status_code == 400


def test_the_unsubscribe_page_speaks_the_recipients_language(client):
    user = UserFactory(language="fr")
    response = client.get(url_for(notifications.unsubscribe_token(user_id=user.pk, kind="weekly_digest")))
    assert '<html lang="fr">' in response.content.decode()


def test_a_wrong_method_on_the_unsubscribe_link_is_refused(client):
    token = notifications.unsubscribe_token(user_id=UserFactory().pk, kind="weekly_digest")
    assert client.put(url_for(token)).status_code == 405


def test_a_token_for_an_unknown_kind_cannot_be_made():
    with pytest.raises(ValueError):
        notifications.unsubscribe_token(user_id=1, kind="carrier_pigeon")


# --- the API -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "patch"])
def test_the_api_asks_a_visitor_to_authenticate(api_client, method):
    response = getattr(api_client, method)(API, {"weekly_digest": True}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ROLES)
def test_the_api_shows_each_person_their_settings(api_client, role):
    api_client.force_authenticate(ROLES[role]())
    response = api_client.get(API)
    assert response.status_code == 200
    assert response.json() == DEFAULTS


def test_patch_changes_the_kinds_sent_and_keeps_the_others(api_client):
    user = UserFactory()
    key = Token.objects.create(user=user).key
    response = api_client.patch(
        API, {"weekly_digest": True, "idea_commented": False}, format="json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 200
    assert response.json() == {**DEFAULTS, "weekly_digest": True, "idea_commented": False}
    assert flags_of(user) == response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"weekly_digest": "perhaps"}, "weekly_digest"), ({"carrier_pigeon": True}, "carrier_pigeon")],
)
def test_patch_refuses_a_bad_value_or_an_unknown_kind_and_changes_nothing(api_client, body, field):
    user = UserFactory()
    api_client.force_authenticate(user)
    response = api_client.patch(API, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not NotificationSettings.objects.filter(user=user).exists()


def test_patch_refuses_a_body_that_is_not_an_object(api_client):
    api_client.force_authenticate(UserFactory())
    response = api_client.patch(API, [True], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_are_refused(api_client, method):
    api_client.force_authenticate(UserFactory())
    response = getattr(api_client, method)(API, {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_the_api_answers_in_a_constant_number_of_queries(api_client, django_assert_num_queries):
    user = UserFactory()
    notifications.settings_for(user)
    api_client.force_authenticate(user)
    with django_assert_num_queries(1):
        assert api_client.get(API).status_code == 200


def test_the_settings_api_lives_at_its_documented_address():
    from django.urls import reverse

    assert reverse("api:me-notifications") == API
