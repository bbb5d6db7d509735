"""Journey 8: an employee signs in with the company account over SAML 2.0.

The SAML test identity provider (tests/accounts/saml_idp.py) runs as a web
server in a thread of the test process, reached as "localhost" while the
site is 127.0.0.1: another site, so the browser posts the signed response
back cross-site, as from a real provider, and allauth's hand-over from its
assertion consumer to its finishing view must still find the person's
session (SameSite=Lax). A second web server of the site, on the same
database, has the provider as company sign-in (SSO_PROVIDERS): the
Content-Security-Policy must let the company button's redirect go to the
provider. Every page of ours is checked (tests/e2e/journeys.py).
"""

import json

import pytest

from tests.accounts import saml_idp

EMAIL = "grace@corp.example"  # corp.example: served by the company sign-in only
NAME = "Grace Hopper"
DEPARTMENT = "Compilers"
COMPANY_BUTTON = "Sign in with Corp"


@pytest.fixture(scope="module")
def provider():
    with saml_idp.running_idp() as idp:
        idp.person = {"email": EMAIL, "first_name": "Grace", "last_name": "Hopper", "department": DEPARTMENT}
        yield idp


@pytest.fixture(scope="module")
def company_site(another_site, provider):
    """The site again, on a port of its own, with the provider as company sign-in."""
    with another_site(SSO_PROVIDERS=json.dumps([provider.entry()])) as company:
        yield company


def test_an_employee_signs_in_over_saml(new_journey, company_site, provider, seeded):
    from playwright.sync_api import expect

    journey = new_journey(base_url=company_site.url)
    page = journey.page

    page.goto("/accounts/login/")
    company = page.get_by_role("region", name="Employees: sign in with your company account")
    company.get_by_role("button", name=COMPANY_BUTTON).click()
    try:
        page.wait_for_url(f"{provider.sso_url}?**", timeout=10_000)
    except Exception:
        raise AssertionError(f"still on {page.url}: {journey.errors}") from None
    expect(page.get_by_role("heading", name="Corp identity provider")).to_be_visible()
    journey.screenshot("provider")

    # The provider's form posts the signed response to our assertion consumer.
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert page.url.startswith(company_site.url), page.url
    journey.check("signed-in")

    page.get_by_role("navigation", name="Account").get_by_role("link", name=NAME).click()
    expect(page.get_by_label("Display name")).to_have_value(NAME)
    account = page.locator("section", has=page.get_by_role("heading", name="Account", exact=True))
    expect(account.get_by_role("listitem").filter(has_text="Employee")).to_be_visible()
    expect(account.get_by_text(DEPARTMENT)).to_be_visible()
    journey.check("profile")

    def made():
        from allauth.socialaccount.models import SocialAccount

        account = SocialAccount.objects.select_related("user__entity").get(user__email=EMAIL)
        return account.provider, account.user.entity.name

    assert seeded(made) == ("corp", DEPARTMENT)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    journey.finish()
