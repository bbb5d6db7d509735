"""The public pages in both languages, and the language switch."""

from django.urls import reverse

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "home": ("/", "Ideas that go somewhere", "Des idées qui aboutissent"),
    "signup": ("/accounts/signup/", "Sign up", "S'inscrire"),
    "login": ("/accounts/login/", "Log in", "Se connecter"),
    "api-docs": ("/api/docs/", "API documentation", "Documentation de l'API"),
}


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_served_in_english_by_default(client, name):
    url, english, _french = PAGES[name]
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert english in html


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_served_in_french_from_the_browser_language(client, name):
    url, _english, french = PAGES[name]
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert french in html


def test_the_language_switch_sets_a_cookie_and_keeps_the_address(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies["ideabox_language"].value == "fr"
    assert '<html lang="fr">' in client.get("/accounts/login/").content.decode()


def test_the_cookie_wins_over_the_browser(client):
    client.cookies["ideabox_language"] = "en"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en">' in html


def test_addresses_have_no_language_prefix(client):
    assert client.get("/fr/").status_code == 404
    assert client.get("/en/accounts/login/").status_code == 404


def test_the_layout_offers_navigation_a_skip_link_and_htmx(client):
    html = client.get("/").content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert 'id="main"' in html
    assert "htmx-2.0.11.min.js" in html
    assert 'hx-headers=\'{"X-CSRFToken": ' in html
    assert 'href="/accounts/signup/"' in html


def test_a_logged_in_user_sees_their_name_and_a_log_out_button(client):
    client.force_login(UserFactory(display_name="Camille"))
    html = client.get("/").content.decode()
    assert "Camille" in html
    assert 'action="/accounts/logout/"' in html
    assert 'href="/accounts/signup/"' not in html


def test_an_unverified_user_is_told_to_verify(client):
    client.force_login(UserFactory(verified=False))
    html = client.get("/").content.decode()
    assert "Verify your e-mail address to submit ideas, comment and vote." in html


def test_the_admin_link_is_for_staff_only(client):
    client.force_login(UserFactory())
    assert 'href="/admin/"' not in client.get("/").content.decode()
    client.force_login(UserFactory(is_staff=True))
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_schema_is_openapi_and_lists_the_core_endpoints(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/auth/token/", "/api/v1/me/"} <= set(schema["paths"])


def test_the_schema_speaks_french_when_asked(client):
    schema = client.get("/api/schema/?format=json&lang=fr").json()
    assert "jeton" in schema["info"]["description"]


def test_static_files_are_served_by_whitenoise(client, settings):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
