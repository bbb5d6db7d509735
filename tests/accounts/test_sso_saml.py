"""Company sign-in over SAML 2.0, through allauth's own endpoints.

Our login button posts to allauth's login view, which redirects to the
identity provider with an AuthnRequest; tests/accounts/saml_idp.py reads it
and answers with a Response whose Assertion it signs (xmlsec, a key made
for the session); the test posts that to allauth's assertion consumer, as
the person's browser would, and follows to the end. Nothing of allauth or
python3-saml is mocked: every refusal below is theirs, with our settings
(accounts.sso_config: signed assertions only, strict, no unsolicited
responses).
"""

import base64
import datetime as dt
import logging
import zlib

from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from freezegun import freeze_time
from lxml import etree

from accounts import roles, sso_config
from accounts.models import AuditAction, AuditEvent, Entity, EntityKind, User
from tests.accounts import saml_idp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ERROR_PAGE = "socialaccount/authentication_error.html"


def configure(**changes):
    return override_settings(**sso_config.overrides([saml_idp.provider_entry(**changes)]))


@pytest.fixture(autouse=True)
def corp():
    with configure():
        yield


@pytest.fixture
def browser():
    return Client(HTTP_HOST=saml_idp.SP_HOST)


def start(browser, **data) -> saml_idp.AuthnRequest:
    """Press "Sign in with Corp": allauth sends the browser to the IdP."""
    response = browser.post(reverse("saml_login", args=["corp"]), data)
    assert response.status_code == 302
    return saml_idp.read_request(response["Location"])


def post_response(browser, xml: str, relay_state: str = ""):
    """The IdP's auto-submitted form: to the assertion consumer, which hands
    over to its finishing view; the finishing view's answer."""
    response = browser.post(
        reverse("saml_acs", args=["corp"]), {"SAMLResponse": saml_idp.encode(xml), "RelayState": relay_state}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("saml_finish_acs", args=["corp"])
    return browser.get(response["Location"])


def sign_in(browser, **answer):
    request = start(browser)
    return post_response(browser, saml_idp.build_response(request, **answer), request.relay_state)


def audited(action: str) -> list:
    return list(AuditEvent.objects.filter(action=action).values_list("actor_id", "detail"))


def signed_in_user(browser) -> User | None:
    user_id = browser.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.fixture
def saml_log(caplog):
    """What allauth logs when it refuses a response: the reason, for the
    operator (the person sees a page that says the sign-in failed)."""
    caplog.set_level(logging.ERROR, logger="allauth.socialaccount.providers.saml")
    return caplog


def assert_refused(response, browser, *, users: int = 0):
    """A clear page, never a 500; nobody signed in, nothing created."""
    assert response.status_code < 500
    assert response.status_code != 302, response.get("Location")
    assert signed_in_user(browser) is None
    assert User.objects.count() == users
    assert SocialAccount.objects.count() == users


def assert_refused_because(reason: str, response, browser, saml_log):
    assert_refused(response, browser)
    assert reason in saml_log.text


# --- signing in ----------------------------------------------------------------------


def test_the_login_button_sends_a_request_for_our_assertion_consumer(browser):
    request = start(browser)
    assert request.id
    assert request.acs_url == f"http://{saml_idp.SP_HOST}/accounts/saml/corp/acs/"
    assert request.issuer == f"http://{saml_idp.SP_HOST}/accounts/saml/corp/metadata/"


def test_a_first_sign_in_makes_a_verified_employee_account(browser):
    response = sign_in(
        browser, email="ann@corp.example", first_name="Ann", last_name="Archer", department="Sales", language="fr-FR"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = signed_in_user(browser)
    assert user is not None
    assert (user.email, user.first_name, user.last_name) == ("ann@corp.example", "Ann", "Archer")
    assert (user.display_name, user.language, user.entity.name) == ("Ann Archer", "fr", "Sales")
    assert user.has_usable_password() is False
    assert EmailAddress.objects.get(user=user).verified
    account = SocialAccount.objects.get(user=user)
    assert account.provider == "corp"
    # Without an object id attribute, the NameID identifies the person.
    assert account.uid == "ann@corp.example"
    assert roles.is_employee(user)
    assert audited(AuditAction.SSO_SIGNUP) == [(user.pk, {"provider": "corp"})]


def test_a_display_name_alone_gives_the_first_and_last_names(browser):
    sign_in(browser, attributes={saml_idp.EMAIL: "ann@corp.example", saml_idp.DISPLAY_NAME: "Ann Mary Archer"})
    user = signed_in_user(browser)
    assert (user.first_name, user.last_name, user.display_name) == ("Ann", "Mary Archer", "Ann Mary Archer")


def test_the_entity_attribute_may_name_an_entitys_code(browser):
    sales = Entity.objects.create(name="Sales and Marketing", code="D-042", kind=EntityKind.DEPARTMENT)
    sign_in(browser, department="D-042")
    assert signed_in_user(browser).entity == sales
    assert Entity.objects.count() == 1


def test_an_object_id_attribute_identifies_the_person_whatever_the_name_id(browser):
    attributes = saml_idp.default_attributes(email="ann@corp.example") | {saml_idp.OBJECT_ID: "0f9a-77"}
    sign_in(browser, name_id="transient-1", attributes=attributes)
    browser.logout()
    sign_in(browser, name_id="transient-2", attributes=attributes)

    assert SocialAccount.objects.get().uid == "0f9a-77"
    assert User.objects.count() == 1


def test_the_person_lands_where_they_were_going(browser):
    request = start(browser, next="/campaigns/")
    response = post_response(browser, saml_idp.build_response(request), request.relay_state)
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/"


def test_a_second_sign_in_finds_the_same_account_and_records_the_sign_in(browser):
    sign_in(browser, name_id="ann-1")
    account = SocialAccount.objects.get()
    browser.logout()

    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)):
        response = sign_in(browser, name_id="ann-1", department="Research")

    assert response.status_code == 302
    assert signed_in_user(browser) == account.user
    assert User.objects.count() == 1
    account.refresh_from_db()
    assert account.extra_data[saml_idp.DEPARTMENT] == ["Research"]
    assert account.user.entity.name == "Research"
    assert account.last_login >= account.date_joined + dt.timedelta(minutes=59)


def test_a_leaver_is_an_employee_again_after_signing_in_again(browser, settings):
    sign_in(browser)
    user = signed_in_user(browser)
    browser.logout()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=settings.SSO_EMPLOYEE_MAX_AGE_DAYS + 1)

    with freeze_time(later):
        assert not roles.is_employee(User.objects.get(pk=user.pk))
        sign_in(browser)
        assert roles.is_employee(User.objects.get(pk=user.pk))


def test_an_existing_account_with_the_verified_address_is_linked_not_duplicated(browser):
    ann = UserFactory(email="ann@corp.example", username="ann.before")

    response = sign_in(browser, email="ann@corp.example")

    assert response.status_code == 302
    assert signed_in_user(browser) == ann
    assert User.objects.count() == 1
    assert SocialAccount.objects.get().user == ann
    assert audited(AuditAction.SSO_LINK) == [(ann.pk, {"provider": "corp"})]
    assert not audited(AuditAction.SSO_SIGNUP)


def test_an_address_outside_the_providers_domains_is_not_linked_nor_duplicated(browser):
    bob = UserFactory(email="bob@elsewhere.example")

    response = sign_in(browser, email="bob@elsewhere.example")

    assert response.status_code == 409
    assert "This address already has an account" in response.content.decode()
    assert signed_in_user(browser) is None
    assert list(User.objects.all()) == [bob]
    assert not SocialAccount.objects.exists()


def test_an_address_the_provider_says_it_verified_is_linked_whatever_its_domain(browser):
    bob = UserFactory(email="bob@elsewhere.example")
    attributes = saml_idp.default_attributes(email="bob@elsewhere.example") | {"emailVerified": "true"}

    with configure(attributes={"email_verified": "emailVerified"}):
        response = sign_in(browser, attributes=attributes)

    assert response.status_code == 302
    assert signed_in_user(browser) == bob
    assert SocialAccount.objects.get().user == bob


def test_a_response_without_an_address_is_refused(browser):
    response = sign_in(browser, name_id="a1b2c3", attributes={saml_idp.GIVEN_NAME: "Ann"})
    assert response.status_code == 403
    assert "Your company account sent no e-mail address" in response.content.decode()
    assert_refused(response, browser)


def test_an_attribute_may_go_by_several_names(browser):
    with configure(attributes={"email": ["mail", saml_idp.EMAIL], "entity": ["division", "department"]}):
        sign_in(browser, attributes={"mail": "ann@corp.example", "department": "Legal"})

    user = signed_in_user(browser)
    assert (user.email, user.entity.name) == ("ann@corp.example", "Legal")


def test_the_attribute_names_are_the_operators_to_choose(browser):
    okta = {"uid": "login", "email": "email", "first_name": "firstName", "last_name": "lastName"}
    with configure(attributes=okta):
        response = sign_in(
            browser,
            name_id="00u1abcd",
            attributes={"login": "ann.archer", "email": "ann@corp.example", "firstName": "Ann", "lastName": "Archer"},
        )

    assert response.status_code == 302
    user = signed_in_user(browser)
    assert (user.email, user.first_name, user.last_name) == ("ann@corp.example", "Ann", "Archer")
    assert SocialAccount.objects.get().uid == "ann.archer"


def test_a_response_signed_as_a_whole_and_in_its_assertion_is_accepted(browser):
    response = sign_in(browser, sign_response=True)
    assert response.status_code == 302
    assert signed_in_user(browser) is not None


def test_the_certificate_may_be_given_as_pem(browser):
    with configure(idp={**saml_idp.provider_entry()["idp"], "x509cert": saml_idp.idp_credentials().cert_pem}):
        response = sign_in(browser)
    assert response.status_code == 302
    assert signed_in_user(browser) is not None


def test_an_address_given_as_the_name_id_is_the_persons_address(browser):
    response = sign_in(
        browser,
        name_id="ann@corp.example",
        name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        attributes={saml_idp.GIVEN_NAME: "Ann"},
    )
    assert response.status_code == 302
    assert signed_in_user(browser).email == "ann@corp.example"


def test_the_identity_provider_may_be_configured_by_its_metadata(browser):
    with saml_idp.metadata_server() as url, configure(idp={"entity_id": saml_idp.ENTITY_ID, "metadata_url": url}):
        response = sign_in(browser)
    assert response.status_code == 302
    assert signed_in_user(browser) is not None


def test_metadata_needs_the_identity_providers_entity_id():
    with pytest.raises(ImproperlyConfigured, match="entity_id"):
        sso_config.overrides([saml_idp.provider_entry(idp={"metadata_url": "https://idp.corp.example/metadata"})])


def test_a_sign_in_started_at_the_identity_provider_is_accepted_when_allowed(browser):
    with configure(advanced={"reject_idp_initiated_sso": False}):
        response = post_response(browser, saml_idp.build_response(None), relay_state="/campaigns/")
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/"
    assert signed_in_user(browser) is not None


# --- refusals --------------------------------------------------------------------------


def test_a_response_changed_after_signing_is_refused(browser, saml_log):
    request = start(browser)
    xml = saml_idp.build_response(request, email="ann@corp.example")
    forged = xml.replace("ann@corp.example", "boss@corp.example")
    assert forged != xml

    response = post_response(browser, forged, request.relay_state)

    assert_refused_because("Signature validation failed", response, browser, saml_log)
    assert ERROR_PAGE in [t.name for t in response.templates]


def test_a_response_signed_by_another_key_is_refused(browser, saml_log):
    response = sign_in(browser, credentials=saml_idp.other_credentials())
    assert_refused_because("Signature validation failed", response, browser, saml_log)


def test_an_unsigned_assertion_is_refused_even_in_a_signed_response(browser, saml_log):
    response = sign_in(browser, sign_assertion=False, sign_response=True)
    assert_refused_because("The Assertion of the Response is not signed", response, browser, saml_log)


def test_a_signature_made_with_sha1_is_refused(browser, saml_log):
    response = sign_in(browser, sha1=True)
    assert_refused_because("Deprecated signature algorithm", response, browser, saml_log)


def test_an_unsigned_response_is_refused(browser, saml_log):
    response = sign_in(browser, sign_assertion=False)
    assert_refused_because("The Assertion of the Response is not signed", response, browser, saml_log)


def test_an_expired_assertion_is_refused(browser, saml_log):
    response = sign_in(browser, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    assert_refused_because("Could not validate timestamp: expired", response, browser, saml_log)


def test_an_assertion_posted_after_its_validity_is_refused(browser, saml_log):
    request = start(browser)
    xml = saml_idp.build_response(request, valid_for=dt.timedelta(minutes=5))

    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)):
        response = post_response(browser, xml, request.relay_state)

    assert_refused_because("A valid SubjectConfirmation was not found", response, browser, saml_log)


def test_an_assertion_for_another_service_is_refused(browser, saml_log):
    response = sign_in(browser, audience="https://another-app.corp.example/saml/metadata")
    assert_refused_because("is not a valid audience for this Response", response, browser, saml_log)


def test_a_response_sent_to_another_address_is_refused(browser, saml_log):
    response = sign_in(browser, destination="https://another-app.corp.example/saml/acs")
    assert_refused_because("The response was received at", response, browser, saml_log)


def test_a_response_from_another_issuer_is_refused(browser, saml_log):
    response = sign_in(browser, issuer="https://idp.elsewhere.example/saml")
    assert_refused_because("Invalid issuer in the Assertion/Response", response, browser, saml_log)


def test_an_unsolicited_response_is_refused(browser, saml_log):
    xml = saml_idp.build_response(None)
    response = post_response(browser, xml, relay_state="/campaigns/")
    assert_refused_because("IdP initiated SSO rejected", response, browser, saml_log)


def test_a_response_to_a_request_this_browser_did_not_make_is_refused(browser):
    start(browser)
    other = saml_idp.AuthnRequest(
        id="ONELOGIN_not_ours", acs_url=f"http://{saml_idp.SP_HOST}/accounts/saml/corp/acs/", issuer="", relay_state=""
    )
    response = post_response(browser, saml_idp.build_response(other))
    assert response.status_code == 403
    assert_refused(response, browser)


def test_a_replayed_response_is_refused(browser):
    request = start(browser)
    xml = saml_idp.build_response(request)
    assert post_response(browser, xml, request.relay_state).status_code == 302
    browser.logout()

    # allauth consumed the request's state at the first answer: the same
    # response again (in this browser or in another) answers nothing.
    again = post_response(browser, xml, request.relay_state)
    assert again.status_code == 403
    elsewhere = Client(HTTP_HOST=saml_idp.SP_HOST)
    stolen = post_response(elsewhere, xml, request.relay_state)
    assert stolen.status_code == 403

    assert_refused(again, browser, users=1)
    assert signed_in_user(elsewhere) is None


@pytest.mark.parametrize(
    "saml_response",
    [
        "",
        "not base64 at all!",
        base64.b64encode(b"<unclosed").decode(),
        base64.b64encode(b"<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>").decode(),
        base64.b64encode(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>').decode(),
        base64.b64encode(b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>').decode(),
    ],
    ids=["empty", "not-base64", "not-xml", "empty-response", "external-entity", "entity-expansion"],
)
def test_whatever_is_posted_to_the_assertion_consumer_gives_a_clear_page(browser, saml_response):
    start(browser)
    response = browser.post(reverse("saml_acs", args=["corp"]), {"SAMLResponse": saml_response})
    response = browser.get(response["Location"])
    assert_refused(response, browser)
    assert ERROR_PAGE in [t.name for t in response.templates]


@pytest.mark.parametrize(
    "message",
    [
        {},
        {"SAMLRequest": "x"},
        {"SAMLResponse": "x"},
        {"SAMLRequest": base64.b64encode(b"garbage").decode()},
        {"SAMLRequest": base64.b64encode(zlib.compress(b"<x/>")[2:-4]).decode()},
        {"SAMLResponse": base64.b64encode(zlib.compress(b"<unclosed")[2:-4]).decode()},
    ],
    ids=["nothing", "request-not-base64", "response-not-base64", "not-deflated", "not-a-request", "not-xml"],
)
def test_whatever_reaches_the_logout_endpoint_is_a_bad_request(browser, message):
    with configure(idp={**saml_idp.provider_entry()["idp"], "slo_url": "https://idp.corp.example/slo"}):
        response = browser.get(reverse("saml_sls", args=["corp"]), message)
    assert response.status_code == 400


def test_without_the_providers_logout_url_there_is_no_single_logout(browser):
    sign_in(browser)
    logout = saml_idp.logout_request("ann@corp.example")

    response = browser.get(reverse("saml_sls", args=["corp"]), {"SAMLRequest": logout})

    assert response.status_code == 404
    assert signed_in_user(browser) is not None


def test_a_logout_request_from_the_provider_logs_the_person_out(browser):
    with configure(idp={**saml_idp.provider_entry()["idp"], "slo_url": "https://idp.corp.example/slo"}):
        sign_in(browser)
        logout = saml_idp.logout_request("ann@corp.example")
        response = browser.get(reverse("saml_sls", args=["corp"]), {"SAMLRequest": logout})

    assert response.status_code == 302
    assert response["Location"].startswith("https://idp.corp.example/slo?SAMLResponse=")
    assert signed_in_user(browser) is None


def test_an_identity_provider_whose_metadata_does_not_answer_gives_a_clear_page(browser):
    with configure(idp={"entity_id": saml_idp.ENTITY_ID, "metadata_url": saml_idp.unreachable_url()}):
        response = browser.post(reverse("saml_login", args=["corp"]))
        metadata = browser.get(reverse("saml_metadata", args=["corp"]))

    assert response.status_code == 503
    assert "unreachable" in response.context
    assert metadata.status_code == 503


def test_metadata_that_is_not_metadata_gives_a_clear_page(browser):
    with (
        saml_idp.metadata_server(body="<html><body>Maintenance</body></html>") as url,
        configure(idp={"entity_id": saml_idp.ENTITY_ID, "metadata_url": url}),
    ):
        response = browser.post(reverse("saml_login", args=["corp"]))
    assert response.status_code == 503


def test_the_finishing_view_alone_gives_a_clear_page(browser):
    response = browser.get(reverse("saml_finish_acs", args=["corp"]))
    assert_refused(response, browser)


def test_an_unknown_provider_is_not_found(browser):
    assert browser.post(reverse("saml_login", args=["nobody"])).status_code == 404
    assert browser.get(reverse("saml_metadata", args=["nobody"])).status_code == 404


# --- our side's metadata ------------------------------------------------------------


def _metadata(browser):
    response = browser.get(reverse("saml_metadata", args=["corp"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return etree.fromstring(response.content)


MD = {"md": "urn:oasis:names:tc:SAML:2.0:metadata"}


def test_the_metadata_names_our_entity_and_assertion_consumer(browser):
    root = _metadata(browser)
    assert root.get("entityID") == f"http://{saml_idp.SP_HOST}/accounts/saml/corp/metadata/"
    (acs,) = root.xpath("//md:AssertionConsumerService", namespaces=MD)
    assert acs.get("Location") == f"http://{saml_idp.SP_HOST}/accounts/saml/corp/acs/"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    (descriptor,) = root.xpath("//md:SPSSODescriptor", namespaces=MD)
    assert descriptor.get("WantAssertionsSigned") == "true"


def test_a_configured_entity_id_is_our_audience(browser):
    with configure(sp_entity_id="urn:ideabox:corp"):
        assert _metadata(browser).get("entityID") == "urn:ideabox:corp"
        refused = sign_in(browser)  # the audience is the metadata URL
        assert_refused(refused, browser)
        response = sign_in(browser, audience="urn:ideabox:corp")

    assert response.status_code == 302
    assert signed_in_user(browser) is not None
