"""The error pages (400, 403, 404, 500, and 403 for a refused form) say what
happened and what to do next, in the reader's language (issue 10, "A
finished look"), in the site's layout."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import path

import pytest

from ideabox.urls import urlpatterns as site_urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def bad(request):
    raise SuspiciousOperation("a forged header")


def forbidden(request):
    raise PermissionDenied


def crashing(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test/400/", bad), path("test/403/", forbidden), path("test/500/", crashing), *site_urls]
handler400 = "ideabox.views.bad_request"
handler403 = "ideabox.views.permission_denied"
handler404 = "ideabox.views.page_not_found"
handler500 = "ideabox.views.server_error"

# Each page: its address, status, then its heading and one line of what to do next, in English and in French.
PAGES = {
    400: ("/test/400/", "Bad request", "Requête incorrecte"),
    403: ("/test/403/", "Not allowed", "Accès refusé"),
    404: ("/no-such-page/", "Page not found", "Page introuvable"),
    500: ("/test/500/", "Something went wrong", "Une erreur s'est produite"),
}
NEXT = {
    400: "Go back, check what you typed and send it again.",
    403: "If you think you should be allowed, ask the team that runs this site.",
    404: "Check the address for a typing mistake.",
    500: "Reload the page in a minute",
}


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("status", PAGES)
def test_each_error_page_says_what_happened_and_what_to_do_next_in_english(client, status):
    url, english, _french = PAGES[status]
    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert f'<h1 id="error-heading">{english}</h1>' in html
    assert NEXT[status] in html
    assert 'class="button" href="/"' in html
    assert "/static/css/site.css" in html  # the site's look, not a bare page
    assert "a bug" not in html and "forged" not in html


@pytest.mark.parametrize("status", PAGES)
def test_each_error_page_is_french_for_a_french_browser(client, status):
    url, _english, french = PAGES[status]
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert f'<h1 id="error-heading">{french}</h1>' in html


@pytest.mark.parametrize("status", PAGES)
def test_each_error_page_follows_the_language_cookie(client, status):
    url, english, french = PAGES[status]
    client.cookies["ideabox_language"] = "fr"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<h1 id="error-heading">{french}</h1>' in html
    client.cookies["ideabox_language"] = "en"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'<h1 id="error-heading">{english}</h1>' in html


def test_a_visitor_is_offered_to_log_in_on_a_page_not_found(client):
    html = client.get("/campaigns/secret/").content.decode()
    assert '<a href="/accounts/login/?next=/campaigns/secret/">log in</a>' in html


def test_a_member_is_not_offered_to_log_in(client):
    client.force_login(UserFactory())
    html = client.get("/campaigns/secret/").content.decode()
    assert "/accounts/login/?next=" not in html


@pytest.mark.parametrize(("language", "heading"), [("en", "Not allowed"), ("fr", "Accès refusé")])
def test_a_form_refused_for_its_csrf_token_gets_the_site_s_403_page(language, heading):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f'<h1 id="error-heading">{heading}</h1>' in html
    if language == "en":
        assert "Go back, reload the page and send the form again." in html
    assert "CSRF verification failed" not in html  # Django's own English page
