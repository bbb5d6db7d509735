"""Company sign-in over OpenID Connect, against a real provider
(tests/accounts/sso_oidc.py: oidc-provider-mock in a thread): the site's
redirects, its callback's token, userinfo and key requests are real HTTP,
and nothing of allauth is mocked."""

import http.server
import threading
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from freezegun import freeze_time

from accounts import roles, sso_config
from accounts.adapter import AccountAdapter
from accounts.models import AuditAction, AuditEvent, User
from tests.accounts import saml_idp, sso_oidc
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    # The test provider (oidc-provider-mock) calls authlib the old way.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*"),
]

oidc_provider = sso_oidc.oidc_provider  # the fixture

ADA = {
    "email": "ada@corp.example",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "locale": "fr-FR",
    "department": "Research",
}


def signed_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"]) if "_auth_user_id" in client.session else None


def sso_events(action):
    return list(AuditEvent.objects.filter(action=action).values_list("actor_id", "object_id", "detail"))


def test_a_first_sign_in_makes_an_employees_account_from_the_claims(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    response = oidc_provider.sign_in(client, "ada")

    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    user = User.objects.get(email="ada@corp.example")
    assert signed_in_user(client) == user
    assert (user.first_name, user.last_name, user.display_name) == ("Ada", "Lovelace", "Ada Lovelace")
    assert user.language == "fr"  # "fr-FR", as the site knows it
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert user.entity.name == "Research"
    assert not user.has_usable_password()
    assert EmailAddress.objects.filter(user=user, email="ada@corp.example", verified=True, primary=True).exists()
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("corp", "ada")
    assert timezone.now() - account.last_login < timedelta(minutes=1)
    assert roles.is_employee(user) and roles.is_participant(user)
    assert sso_events(AuditAction.SSO_SIGNUP) == [(user.pk, user.pk, {"provider": "corp"})]


def test_the_sign_in_goes_on_to_the_page_asked_for(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    url = oidc_provider.authorize(oidc_provider.start(client, next="/box/"), "ada")
    assert oidc_provider.finish(client, url)["Location"] == "/box/"


def test_every_sign_in_brings_the_claims_up_to_date(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    oidc_provider.sign_in(client, "ada")
    client.logout()
    oidc_provider.set_user("ada", **{**ADA, "family_name": "King", "locale": "en-GB", "department": "Engineering"})

    assert oidc_provider.sign_in(client, "ada").status_code == 302

    user = User.objects.get(email="ada@corp.example")
    assert (user.first_name, user.last_name, user.display_name) == ("Ada", "King", "Ada King")
    assert user.language == "en"
    assert user.entity.name == "Engineering"
    assert User.objects.count() == 1
    assert len(sso_events(AuditAction.SSO_SIGNUP)) == 1


def test_a_display_name_the_person_chose_is_kept(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    oidc_provider.sign_in(client, "ada")
    User.objects.filter(email="ada@corp.example").update(display_name="Countess")
    client.logout()
    oidc_provider.set_user("ada", **{**ADA, "family_name": "King"})

    oidc_provider.sign_in(client, "ada")

    user = User.objects.get(email="ada@corp.example")
    assert (user.last_name, user.display_name) == ("King", "Countess")


def test_claims_it_does_not_send_or_the_site_cannot_use_leave_the_account_as_it_is(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    oidc_provider.sign_in(client, "ada")
    client.logout()
    oidc_provider.set_user("ada", email="ada@corp.example", locale="de-DE")

    oidc_provider.sign_in(client, "ada")

    user = User.objects.get(email="ada@corp.example")
    assert (user.first_name, user.last_name, user.language, user.entity.name) == ("Ada", "Lovelace", "fr", "Research")


def test_the_claims_named_by_the_providers_entry_are_read(oidc_provider, client):
    oidc_provider.set_user("ada", email="ada@corp.example", name="Ada Lovelace", lang="fr", division="Finance")
    with oidc_provider.settings(claims={"entity": "division", "language": "lang"}):
        oidc_provider.sign_in(client, "ada")

    user = User.objects.get(email="ada@corp.example")
    # A full name alone is split at its first space.
    assert (user.first_name, user.last_name, user.display_name) == ("Ada", "Lovelace", "Ada Lovelace")
    assert (user.language, user.entity.name) == ("fr", "Finance")


def test_a_name_the_display_name_rules_would_refuse_is_taken_from_the_provider(oidc_provider, client):
    UserFactory(username="boss", display_name="Ada Lovelace", is_superuser=True, is_staff=True)
    oidc_provider.set_user("ada", email="ada@corp.example", given_name="Ada\u202e", family_name="Lovelace")

    assert oidc_provider.sign_in(client, "ada").status_code == 302

    # The company's word for who someone is: never refused, bidirectional
    # controls removed as from every name.
    assert User.objects.get(email="ada@corp.example").display_name == "Ada Lovelace"


def test_a_username_someone_has_is_never_an_obstacle(oidc_provider, client):
    UserFactory(username="ada")
    oidc_provider.set_user("ada-sub", **ADA, preferred_username="ada")

    assert oidc_provider.sign_in(client, "ada-sub").status_code == 302

    user = User.objects.get(email="ada@corp.example")
    assert user.username != "ada" and user.username


def test_an_account_with_the_address_at_the_providers_domain_is_linked(oidc_provider, client):
    ada = UserFactory(username="ada", email="ada@corp.example", display_name="")

    oidc_provider.set_user("ada-sub", **ADA)
    response = oidc_provider.sign_in(client, "ada-sub")

    assert response.status_code == 302
    assert signed_in_user(client) == ada
    assert User.objects.count() == 1
    assert SocialAccount.objects.get(uid="ada-sub").user == ada
    ada.refresh_from_db()
    assert (ada.display_name, ada.entity.name) == ("Ada Lovelace", "Research")
    assert sso_events(AuditAction.SSO_LINK) == [(ada.pk, ada.pk, {"provider": "corp"})]
    assert not sso_events(AuditAction.SSO_SIGNUP)
    assert roles.is_employee(ada)


def test_an_address_the_provider_confirms_is_linked_whatever_its_domain(oidc_provider, client):
    bob = UserFactory(username="bob", email="bob@elsewhere.example")
    oidc_provider.set_user("bob-sub", email="bob@elsewhere.example", email_verified=True, name="Bob Marley")

    assert oidc_provider.sign_in(client, "bob-sub").status_code == 302

    assert signed_in_user(client) == bob
    assert SocialAccount.objects.get(uid="bob-sub").user == bob
    assert User.objects.count() == 1


def test_an_address_the_provider_does_not_vouch_for_is_neither_linked_nor_duplicated(oidc_provider, client):
    bob = UserFactory(username="bob", email="bob@elsewhere.example")
    oidc_provider.set_user("bob-sub", email="bob@elsewhere.example", email_verified=False, name="Bob Marley")

    response = oidc_provider.sign_in(client, "bob-sub")

    assert response.status_code == 409
    page = response.content.decode()
    assert "This address already has an account" in page
    assert "bob@elsewhere.example" in page and "Log in to that account with its password" in page
    assert signed_in_user(client) is None
    assert list(User.objects.all()) == [bob]
    assert not SocialAccount.objects.exists()
    assert bob.has_usable_password()
    # allauth's own sign-up form (where another address could be typed) is not on the way.
    assert "socialaccount_sociallogin" not in client.session


def test_an_unconfirmed_address_nobody_has_makes_an_account_that_must_verify_it(oidc_provider, client, mailoutbox):
    oidc_provider.set_user("cy", email="cy@elsewhere.example", email_verified=False, name="Cy Twombly")

    response = oidc_provider.sign_in(client, "cy")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert EmailAddress.objects.get(email="cy@elsewhere.example").verified is False


def test_a_provider_that_sends_no_address_is_refused(oidc_provider, client):
    oidc_provider.set_user("nobody", name="No Body")

    response = oidc_provider.sign_in(client, "nobody")

    assert response.status_code == 403
    assert "Your company account sent no e-mail address" in response.content.decode()
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_the_social_sign_up_form_is_never_shown(client):
    response = client.get(reverse("socialaccount_signup"))
    assert response.status_code == 403
    assert "there is no form to fill in" in response.content.decode()
    assert client.post(reverse("socialaccount_signup"), {"email": "x@elsewhere.example"}).status_code == 403


def test_a_provider_that_does_not_answer_is_a_clear_page(client, settings_for_a_dead_provider):
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "corp"}))

    assert response.status_code == 503
    page = response.content.decode()
    assert "The company sign-in service does not answer. Try again in a few minutes." in page


def test_a_provider_that_stops_answering_before_the_callback_is_a_clear_page(client, db):
    with sso_oidc.running_provider() as provider, provider.settings():
        provider.set_user("ada", **ADA)
        callback = provider.authorize(provider.start(client), "ada")
        provider_settings = provider.settings()
    # The discovery document is fetched again by the callback: the server is gone.
    with provider_settings:
        response = provider.finish(client, callback)
    assert response.status_code == 503
    assert "does not answer" in response.content.decode()
    assert not User.objects.exists()


def test_the_error_page_is_in_the_persons_language(client, settings_for_a_dead_provider):
    url = reverse("openid_connect_login", kwargs={"provider_id": "corp"})
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 503
    assert response["Content-Language"] == "fr"


@pytest.fixture
def settings_for_a_dead_provider(db):
    dead = sso_oidc.Provider(f"http://127.0.0.1:{sso_oidc.free_port()}")
    with dead.settings():
        yield dead


def test_a_callback_whose_state_is_not_ours_is_refused(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    callback = oidc_provider.authorize(oidc_provider.start(client), "ada")
    parts = urlsplit(callback)
    query = dict(parse_qsl(parts.query)) | {"state": "forged"}

    response = client.get(f"{parts.path}?{urlencode(query)}")

    assert response.status_code == 401
    assert "Company sign-in failed" in response.content.decode()
    assert not User.objects.exists()


def test_a_sign_in_refused_at_the_provider_says_so(oidc_provider, client):
    response = oidc_provider.finish(client, oidc_provider.deny(oidc_provider.start(client)))

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "You cancelled the sign-in with your company account" in page.content.decode()
    assert not User.objects.exists()


def test_a_leaver_stops_being_an_employee_and_a_new_sign_in_makes_them_one_again(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    oidc_provider.sign_in(client, "ada")
    client.logout()
    user = User.objects.get(email="ada@corp.example")
    assert roles.is_employee(user)

    later = timezone.now() + timedelta(days=settings.SSO_EMPLOYEE_MAX_AGE_DAYS + 1)
    with freeze_time(later, tick=True):
        roles.forget(user)
        assert not roles.is_employee(user)
        assert roles.is_participant(user)  # still the owner of a verified address

        # The provider (same process, same frozen clock) answers again.
        assert oidc_provider.sign_in(client, "ada").status_code == 302
        roles.forget(user)
        assert roles.is_employee(user)
        assert SocialAccount.objects.get(user=user).last_login >= later - timedelta(seconds=1)


def test_a_new_address_at_the_company_becomes_the_primary_one(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    oidc_provider.sign_in(client, "ada")
    client.logout()
    oidc_provider.set_user("ada", **{**ADA, "email": "ada.king@corp.example"})

    oidc_provider.sign_in(client, "ada")

    user = User.objects.get(socialaccount__uid="ada")
    assert user.email == "ada.king@corp.example"
    assert EmailAddress.objects.get(user=user, primary=True).email == "ada.king@corp.example"
    assert EmailAddress.objects.get(email="ada.king@corp.example").verified


def test_the_log_in_page_shows_a_button_per_provider(oidc_provider, client):
    for name in ("account_login", "account_signup"):
        page = client.get(reverse(name)).content.decode()
        assert "Employees: sign in with your company account" in page
        assert f'<form method="post" action="{oidc_provider.login_url()}?process=login"' in page
        assert "Sign in with Corp" in page


def test_no_provider_no_button(client):
    assert "company account" not in client.get(reverse("account_login")).content.decode()


def test_a_link_to_the_providers_log_in_asks_before_going(oidc_provider, client):
    response = client.get(oidc_provider.login_url())
    assert response.status_code == 200
    assert "Sign in with Corp" in response.content.decode()
    assert 'method="post"' in response.content.decode()


def test_a_company_account_is_not_connected_from_a_signed_in_session(oidc_provider, client):
    someone = UserFactory(email="someone@elsewhere.example")
    client.force_login(someone)
    oidc_provider.set_user("ada", **ADA)

    response = oidc_provider.sign_in(client, "ada", process="connect")

    assert response.status_code == 403
    assert not SocialAccount.objects.exists()


def test_the_connections_page_says_which_company_sign_in_the_account_uses(oidc_provider, client):
    oidc_provider.set_user("ada", **(ADA | {"locale": "en"}))
    oidc_provider.sign_in(client, "ada")

    page = client.get(reverse("socialaccount_connections")).content.decode()

    assert "You sign in to this account with your company account" in page
    assert "Corp, last signed in" in page


# --- the same claims over SAML (tests/accounts/saml_idp.py signs the responses) -------


def saml_sign_in(browser, **person):
    response = browser.post(reverse("saml_login", args=["corp"]))
    request = saml_idp.read_request(response["Location"])
    xml = saml_idp.build_response(request, **person)
    response = browser.post(
        reverse("saml_acs", args=["corp"]), {"SAMLResponse": saml_idp.encode(xml), "RelayState": request.relay_state}
    )
    return browser.get(response["Location"])


def test_saml_attributes_map_onto_the_account_at_every_sign_in(db):
    browser = Client(HTTP_HOST=saml_idp.SP_HOST)
    with override_settings(**sso_config.overrides([saml_idp.provider_entry()])):
        person = {"email": "ann@corp.example", "first_name": "Ann", "last_name": "Archer"}
        assert saml_sign_in(browser, **person, department="Sales", language="fr-FR").status_code == 302
        user = User.objects.get(email="ann@corp.example")
        assert (user.display_name, user.language, user.entity.name) == ("Ann Archer", "fr", "Sales")
        assert roles.is_employee(user)
        browser.logout()

        assert (
            saml_sign_in(browser, **{**person, "last_name": "Baker"}, department="Legal", language="en").status_code
            == 302
        )

    user.refresh_from_db()
    assert (user.last_name, user.display_name, user.language, user.entity.name) == ("Baker", "Ann Baker", "en", "Legal")
    assert User.objects.count() == 1


def the_other_sign_in_happens_now(monkeypatch, make):
    """Run `make` (what a sign-in at the same moment commits) after every
    check, allauth's and ours, just before our account is written (allauth
    picks its username then)."""
    pick = AccountAdapter.populate_username

    def raced_then_picked(self, *args, **kwargs):
        make()
        return pick(self, *args, **kwargs)

    monkeypatch.setattr(AccountAdapter, "populate_username", raced_then_picked)


def test_two_first_sign_ins_at_once_make_one_account_and_no_error(oidc_provider, client, monkeypatch):
    oidc_provider.set_user("ada", **ADA)
    made = []
    the_other_sign_in_happens_now(
        monkeypatch,
        lambda: made.append(
            SocialAccount.objects.create(user=UserFactory(email="other@corp.example"), provider="corp", uid="ada")
        ),
    )

    response = oidc_provider.sign_in(client, "ada")

    assert response.status_code == 409
    assert "Sign in again" in response.content.decode()
    assert made  # (the other sign-in ran inside ours here, so its rows were undone with ours)
    assert not User.objects.exists() and not AuditEvent.objects.exists()


def test_an_address_taken_at_the_same_moment_makes_no_second_account(oidc_provider, client, monkeypatch):
    oidc_provider.set_user("ada", **ADA)
    made = []
    the_other_sign_in_happens_now(monkeypatch, lambda: made.append(UserFactory(email="ada@corp.example")))

    response = oidc_provider.sign_in(client, "ada")

    assert response.status_code == 409
    assert made  # (undone with ours, as above)
    assert not User.objects.exists() and not AuditEvent.objects.exists()


def test_a_callback_used_twice_signs_in_once(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    callback = oidc_provider.authorize(oidc_provider.start(client), "ada")
    assert oidc_provider.finish(client, callback).status_code == 302
    client.logout()

    response = oidc_provider.finish(client, callback)

    assert response.status_code == 401
    assert "Company sign-in failed" in response.content.decode()
    assert signed_in_user(client) is None
    assert User.objects.count() == 1


def test_a_new_address_another_account_has_is_left_to_it(oidc_provider, client):
    oidc_provider.set_user("ada", **ADA)
    oidc_provider.sign_in(client, "ada")
    client.logout()
    other = UserFactory(email="ada.king@corp.example")
    oidc_provider.set_user("ada", **{**ADA, "email": "ada.king@corp.example"})

    assert oidc_provider.sign_in(client, "ada").status_code == 302

    assert User.objects.get(socialaccount__uid="ada").email == "ada@corp.example"
    assert list(EmailAddress.objects.filter(email="ada.king@corp.example").values_list("user", flat=True)) == [other.pk]


class NotAProvider(http.server.BaseHTTPRequestHandler):
    """A server that answers JSON, but not an OpenID provider's discovery document."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args):
        pass


def test_a_server_url_that_is_not_an_openid_provider_is_a_clear_page(client, db):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotAProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sso_oidc.Provider(f"http://127.0.0.1:{server.server_port}").settings():
            response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "corp"}))
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 503
    assert "does not answer" in response.content.decode()
