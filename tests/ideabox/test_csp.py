"""A strict Content-Security-Policy on every response, in every settings
module, and pages that comply with it (issue 9, item 11): no inline script,
no style block or attribute, no event-handler or hx-on attribute."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from campaigns.models import Phase
from ideabox.settings.base import media_origins
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, the_box
from tests.ideabox.test_deploy import PRODUCTION_ENV, ROOT
from tests.results.test_results_page import published

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_strict(response):
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    found = directives(header)
    for name, value in STRICT.items():
        assert found.get(name) == value, (name, header)
    assert "unsafe" not in header


class InlineFinder(HTMLParser):
    """What a strict CSP would block in a page: inline scripts, style blocks
    and attributes, event-handler attributes, htmx's evaluated hx-on."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        values = dict(attrs)
        if tag == "script" and "src" not in names and values.get("type") != "application/json":
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name in names:
            if name == "style" or name.startswith(("on", "hx-on", "data-hx-on")):
                self.found.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")


def inline_content(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


@pytest.fixture
def site():
    """One of each kind of page, and someone who may see them all."""
    everyone = UserFactory(
        username="staff", groups=["campaign managers", "moderators"], is_staff=True, is_superuser=True
    )
    campaign = CampaignFactory(phase=Phase.VOTING, slug="voting")
    idea = IdeaFactory(campaign=campaign, title="Solar roofs")
    results = published()
    deliberating = published(phase=Phase.DELIBERATION, publish=False)
    box_idea = IdeaFactory(campaign=the_box())
    return {
        "user": everyone,
        "campaign": campaign,
        "idea": idea,
        "results": results,
        "jury": deliberating,
        "box_idea": box_idea,
    }


def crawl(site) -> list[str]:
    campaign, results, jury = site["campaign"].slug, site["results"].slug, site["jury"].slug
    return [
        "/",
        "/campaigns/",
        f"/campaigns/{campaign}/",
        f"/campaigns/{campaign}/?q=solar",
        f"/ideas/{site['idea'].pk}/",
        f"/ideas/{site['box_idea'].pk}/",
        "/box/",
        f"/campaigns/{campaign}/edit/",
        f"/campaigns/{campaign}/manage/",
        "/campaigns/new/",
        f"/campaigns/{results}/results/",
        f"/campaigns/{results}/tally/",
        f"/campaigns/{results}/tally/check/",
        f"/campaigns/{jury}/jury/",
        f"/campaigns/{jury}/jury/setup/",
        f"/campaigns/{jury}/jury/progress/",
        f"/campaigns/{jury}/jury/awards/",
        "/moderation/",
        "/moderation/box/",
        "/moderation/log/",
        "/accounts/profile/",
        "/accounts/notifications/",
        "/accounts/receipts/",
        "/api/docs/",
        "/admin/",
        "/admin/campaigns/campaign/",
    ]


def test_every_page_of_a_crawl_carries_the_strict_policy_and_no_inline_content(client, site):
    client.force_login(site["user"])
    for path in crawl(site):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)
        if path.startswith("/admin/"):
            continue  # Django's own pages: the header is what we control there
        assert inline_content(response.content.decode()) == [], path


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/accounts/signup/", "/admin/login/", "/api/docs/", "/campaigns/"]
)
def test_pages_for_visitors_carry_the_policy_and_no_inline_content(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_strict(response)
    if not path.startswith("/admin/"):
        assert inline_content(response.content.decode()) == []


@pytest.mark.parametrize(
    ("path", "status"),
    [("/no-such-page/", 404), ("/api/v1/campaigns/", 200), ("/api/v1/nothing/", 404), ("/healthz", 200)],
)
def test_error_pages_and_the_api_carry_the_policy_too(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_strict(response)


def test_htmx_fragments_carry_the_policy_and_no_inline_content(client, site):
    client.force_login(UserFactory())
    idea = site["idea"]
    response = client.post(f"/ideas/{idea.pk}/vote/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert_strict(response)
    assert inline_content(response.content.decode()) == []


def test_htmx_is_told_not_to_inject_styles_nor_evaluate_attributes(client):
    html = client.get("/").content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false""" in html
    css = (ROOT / "static/css/site.css").read_text()
    assert ".htmx-indicator" in css  # the style htmx would have injected


TEMPLATES = [
    path
    for path in (ROOT / "templates").rglob("*.html")
    if "emails" not in path.parts and "email" not in path.parts  # e-mails are not pages
]
INLINE = re.compile(r"<style|\sstyle=|\shx-on|\son[a-z]+=|<script(?![^>]*\ssrc=)(?![^>]*application/json)", re.I)


@pytest.mark.parametrize("template", TEMPLATES, ids=[str(p.relative_to(ROOT / "templates")) for p in TEMPLATES])
def test_no_template_of_a_page_holds_inline_script_or_style(template):
    found = [
        f"line {number}: {line.strip()[:80]}"
        for number, line in enumerate(template.read_text().splitlines(), start=1)
        if INLINE.search(line)
    ]
    assert found == []


# --- every settings module ------------------------------------------------------------------


def header_under(settings_module: str, path: str, env: dict | None = None) -> str:
    # The test settings allow fixed host names only.
    host = "localhost" if settings_module.endswith(".test") else "ideas.example.com"
    code = (
        "from django.test import Client; "
        f"r = Client().get({path!r}, secure=True, HTTP_HOST={host!r}); "
        "print(r.status_code, r.get('Content-Security-Policy', 'MISSING'))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**clean, "ALLOWED_HOSTS": "ideas.example.com", **(env or {}), "DJANGO_SETTINGS_MODULE": settings_module},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("module", "path", "env", "expected"),
    [
        ("ideabox.settings.dev", "/api/docs/", {}, "200"),
        ("ideabox.settings.test", "/api/docs/", {}, "200"),
        ("ideabox.settings.prod", "/api/v1/nothing/", PRODUCTION_ENV, "404"),
    ],
    ids=["dev", "test", "prod"],
)
def test_every_settings_module_sends_the_policy(module, path, env, expected):
    status, header = header_under(module, path, env).split(" ", 1)
    assert status == expected
    found = directives(header)
    assert {name: found.get(name) for name in STRICT} == STRICT


def test_production_with_s3_allows_images_from_the_bucket_only():
    env = {**PRODUCTION_ENV, "AWS_STORAGE_BUCKET_NAME": "ideabox-media", "AWS_S3_CUSTOM_DOMAIN": "media.example.com"}
    _status, header = header_under("ideabox.settings.prod", "/api/v1/nothing/", env).split(" ", 1)
    assert directives(header)["img-src"] == "'self' data: https://media.example.com"


def test_an_operator_adds_media_origins_by_environment():
    env = {"CSP_MEDIA_ORIGINS": "https://cdn.example.com"}
    _status, header = header_under("ideabox.settings.dev", "/api/docs/", env).split(" ", 1)
    assert directives(header)["img-src"] == "'self' data: https://cdn.example.com"


@pytest.mark.parametrize(
    ("storage", "origins"),
    [
        ({"custom_domain": "cdn.example.com/media"}, ["https://cdn.example.com"]),
        (
            {"endpoint_url": "https://s3.fr-par.scw.cloud"},
            ["https://s3.fr-par.scw.cloud", "https://bucket.s3.fr-par.scw.cloud"],
        ),
        ({"region": "eu-west-3"}, ["https://bucket.s3.amazonaws.com", "https://bucket.s3.eu-west-3.amazonaws.com"]),
    ],
)
def test_media_origins_follow_the_storage_settings(storage, origins):
    arguments = {"bucket": "bucket", "custom_domain": None, "endpoint_url": None, "region": None, **storage}
    assert media_origins(**arguments) == origins


def test_requirements_pin_django_csp():
    assert re.search(r"^django-csp==4\.\d+(\.\d+)?$", (ROOT / "requirements.txt").read_text(), re.M)
