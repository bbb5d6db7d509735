"""Journey 7: an employee signs in with the company account (OpenID Connect).

A real identity provider (oidc-provider-mock, tests/accounts/sso_oidc.py)
runs in a thread of the test process, and a second web server of the site,
beside the session's (tests/e2e/conftest.py) and on the same database, has
it as company sign-in through SSO_PROVIDERS in its environment. The person
presses the company button on the log-in page, refuses at the provider's
own page (not ours: no axe-core there) and is told so, tries again and
comes back signed in as an employee with the name and entity the provider
said, sees the account's company connection and the sign-in's confirmation
page, reaches the idea box and an internal
campaign, makes an API token on the profile page and uses it, and logs out.
With the provider stopped, the button leads to a page that says so (503),
never a server error. Every page of ours is checked (tests/e2e/journeys.py).
"""

import contextlib
import json
import re

import pytest
import requests

from campaigns.models import Audience, Phase
from tests.accounts.sso_oidc import free_port, running_provider
from tests.factories import CampaignFactory, the_box

SUBJECT = "ada.lovelace"
EMAIL = "ada@corp.example"  # corp.example: served by the company sign-in, not in EMPLOYEE_EMAIL_DOMAINS
NAME = "Ada Lovelace"
DEPARTMENT = "Analytical Engines"
CAMPAIGN = "Safer warehouses"
COMPANY_BUTTON = "Sign in with Corp"
# The provider's page takes its style sheet from a CDN: answered empty here
# (the tests run offline, and a refused request would be a console error).
PROVIDER_CDN = "https://cdn.jsdelivr.net/**"


@pytest.fixture(scope="module")
def provider():
    """The company's identity provider; `provider.stop()` takes it down."""
    with contextlib.ExitStack() as stack:
        running = stack.enter_context(running_provider(free_port()))
        running.stop = stack.close
        yield running


@pytest.fixture(scope="module")
def company_site(another_site, provider):
    """The site again, on a port of its own, with the provider as company sign-in."""
    with another_site(SSO_PROVIDERS=json.dumps([provider.entry()])) as company:
        yield company


@pytest.fixture(scope="module")
def data(seeded, provider):
    provider.set_user(
        SUBJECT,
        email=EMAIL,
        email_verified=True,
        given_name="Ada",
        family_name="Lovelace",
        department=DEPARTMENT,
        locale="en",
    )

    def make():
        the_box()
        CampaignFactory(title=CAMPAIGN, slug="safer-warehouses", phase=Phase.SUBMISSION, audience=Audience.INTERNAL)

    seeded(make)


def test_an_employee_signs_in_with_the_company_account(new_journey, company_site, provider, data, seeded):
    from playwright.sync_api import expect

    journey = new_journey(base_url=company_site.url)
    page = journey.page
    page.context.route(PROVIDER_CDN, lambda route: route.fulfill(status=200, content_type="text/css", body=""))

    # The log-in page offers the company's button beside the password form.
    page.goto("/")
    journey.check()
    page.get_by_role("link", name="Log in").click()
    company = page.get_by_role("region", name="Employees: sign in with your company account")
    expect(company.get_by_role("button", name=COMPANY_BUTTON)).to_be_visible()
    journey.check("log-in-page")

    # Refused at the provider: back on a page that says so, signed out. (The
    # mock sends its refusal without the state, which RFC 6749 4.1.2.1 says a
    # provider sends back, so the site cannot tie it to a sign-in: the
    # "failed" page. With the state, it is "cancelled": tests/accounts.)
    company.get_by_role("button", name=COMPANY_BUTTON).click()
    page.wait_for_url(f"{provider.base_url}/**", timeout=10_000)
    page.get_by_role("button", name="Deny", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Company sign-in failed")
    expect(page.get_by_role("link", name="Back to the log-in page")).to_be_visible()
    assert all("status of 4" in error for error in journey.errors), journey.errors
    journey.errors.clear()
    journey.check("sign-in-refused")
    page.get_by_role("link", name="Log in").click()
    company = page.get_by_role("region", name="Employees: sign in with your company account")

    # The provider's own page: the person says who they are there.
    company.get_by_role("button", name=COMPANY_BUTTON).click()
    # (A Content-Security-Policy form-action without the provider's origin
    # stops the browser here: the error says so.)
    try:
        page.wait_for_url(f"{provider.base_url}/**", timeout=10_000)
    except Exception:
        raise AssertionError(f"still on {page.url}: {journey.errors}") from None
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    journey.screenshot("provider")
    page.get_by_placeholder("sub").fill(SUBJECT)
    page.get_by_role("button", name="Authorize", exact=True).click()

    # Back on the site, signed in: a new account, an employee by company sign-in.
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert page.url.startswith(company_site.url), page.url
    journey.check("signed-in")

    # The header names the person as the provider did; the profile says the rest.
    account_nav = page.get_by_role("navigation", name="Account")
    account_nav.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_label("Display name")).to_have_value(NAME)
    account = page.locator("section", has=page.get_by_role("heading", name="Account", exact=True))
    expect(account.get_by_role("listitem").filter(has_text="Employee")).to_be_visible()
    expect(account.get_by_text(DEPARTMENT)).to_be_visible()  # the entity, from the department claim
    expect(page.get_by_text(EMAIL)).to_be_visible()
    expect(page.get_by_text("You sign in with the company account")).to_be_visible()
    journey.check("profile")

    def placed():
        from accounts.models import User

        user = User.objects.select_related("entity").get(emailaddress__email=EMAIL)
        return user.entity.name if user.entity else None, user.has_usable_password()

    assert seeded(placed) == (DEPARTMENT, False)

    # allauth's pages of the company sign-in, in the site's look: the
    # account's connection, and the confirmation a link to the sign-in shows.
    page.goto("/accounts/3rdparty/")
    expect(page.get_by_text("You sign in to this account with your company account")).to_be_visible()
    journey.check("connections")
    page.goto("/accounts/oidc/corp/login/")
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    journey.check("sign-in-confirmation")

    # What employees reach: the idea box and the internal campaign.
    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="Idea box").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Idea box"))
    journey.check("idea-box")
    main_nav.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=CAMPAIGN).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CAMPAIGN)
    expect(page.get_by_role("link", name="Submit an idea").first).to_be_visible()
    journey.check("internal-campaign")

    # No password here: an API token comes from the profile page, shown once.
    account_nav.get_by_role("link", name=NAME).click()
    page.get_by_role("button", name="Create a token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your API token")
    key = page.get_by_label("Token").input_value()
    assert re.fullmatch(r"[0-9a-f]{40}", key), key
    journey.check("api-token")

    me = requests.get(f"{company_site.url}/api/v1/me/", headers={"Authorization": f"Token {key}"}, timeout=10)
    assert me.status_code == 200, me.text
    body = me.json()
    assert (body["email"], body["display_name"], body["is_employee"]) == (EMAIL, NAME, True)
    assert "employee" in body["roles"]
    campaign = requests.get(
        f"{company_site.url}/api/v1/campaigns/safer-warehouses/", headers={"Authorization": f"Token {key}"}, timeout=10
    )
    assert campaign.status_code == 200, campaign.text

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    journey.check()

    # The provider goes down: the button leads to a page saying so, not a server error.
    provider.stop()
    page.get_by_role("link", name="Log in").click()
    journey.check()
    with page.expect_response(re.compile(r"/accounts/oidc/corp/login/")) as answer:
        page.get_by_role("button", name=COMPANY_BUTTON).click()
    assert answer.value.status == 503
    expect(page.get_by_role("heading", level=1)).to_have_text("Company sign-in unavailable")
    expect(page.get_by_role("link", name="Back to the log-in page")).to_be_visible()
    # The 503 page is logged by Chromium: that one error is expected.
    assert all("status of 503" in error for error in journey.errors), journey.errors
    journey.errors.clear()
    journey.check("provider-down")
    journey.finish()
