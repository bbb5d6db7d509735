"""A crawl of every page each role can reach (issue 10): the demo data
(`manage.py seed_demo`), then, for each role, a log-in through the log-in
page and a breadth-first walk over the same-origin links from the home
page. Every page gets the journeys' checks (tests/e2e/journeys.py: axe-core
finds no critical, serious or moderate violation, no JavaScript error, no
CSP refusal) and answers 200. The key pages are also shot at desktop
(1280×800) and phone (390×844) size and must not scroll sideways on a phone;
the screenshots and the list of pages visited go to
<artefacts>/crawl/<role>/.

The walk stays small and fast: GET only; no log-out, /admin/, API JSON
(the API docs page is crawled), download or media file, nor the language
switch; each kind of page once (an id is a number, a campaign's slug its
phase; an idea once from each campaign's list), its query-string
variations after the first skipped; a budget of pages per role.

It runs after every other browser test (conftest.py): the demo's accounts
(`moderator`, `manager`, ...) and campaigns would otherwise meet the
journeys' own data.
"""

import re
import shutil
import time
from collections import deque
from urllib.parse import urldefrag, urlsplit

from django.core.management import call_command

import pytest

from ideabox import demo

from .conftest import DESKTOP, PHONE

# role: the demo account it logs in as (README, "Demo accounts").
ROLES = {
    "anonymous": None,
    "public-member": "voter15",  # votes and receipts, no idea of their own
    "employee": "employee2",  # invited to co-author an idea
    "author": "voter1",  # ideas in every public campaign
    "juror": "jury1",  # chairs the demo juries
    "moderator": "moderator",
    "manager": "manager",
    "staff-admin": "admin",
}
BUDGET = 60  # pages per role
# The key pages (KEY_PAGES' names) each role must reach: a link that goes
# missing fails the crawl rather than shortening it.
EVERYONE = {"home", "campaigns", "api-docs", "idea-from-voting", "results", "check-my-vote"} | {
    f"campaign-{phase}" for phase in ("submission", "voting", "deliberation", "results", "archived")
}
REACHES = {
    "anonymous": EVERYONE | {"log-in", "sign-up"},
    "public-member": EVERYONE | {"my-votes", "profile", "submit"},
    "employee": EVERYONE | {"my-votes", "profile", "box", "box-submit", "idea-from-box"},
    "author": EVERYONE | {"my-votes", "profile", "submit"},
    "juror": EVERYONE | {"jury-scoring", "awards"},
    "moderator": EVERYONE | {"moderation-queue", "box"},
    "manager": EVERYONE | {"campaign-draft", "box"},
    "staff-admin": EVERYONE | {"campaign-draft", "moderation-queue", "box"},
}
PHASES = {spec.slug: spec.phase for spec in demo.CAMPAIGNS}
SKIPPED = re.compile(
    r"^/(admin|media|i18n)/|^/accounts/logout/|^/api/(?!docs/)"
    r"|\.(csv|json|png|jpe?g|gif|svg|webp|pdf|py|txt|zip)$"
)
# Pages a role is shown a link to but may not open, with the status expected: none so far.
EXPECTED_STATUS: dict[tuple[str, str], int] = {}
IDEA = "/ideas/<n>/"
# Kinds of page (as `kind()` names them) shot at both sizes, and the name of the shot.
KEY_PAGES = {
    "/": "home",
    "/campaigns/": "campaigns",
    **{f"/campaigns/<{phase}>/": f"campaign-{phase}" for phase in set(PHASES.values())},
    IDEA: "idea",
    "/campaigns/<submission>/ideas/new/": "submit",
    "/box/": "box",
    "/box/ideas/new/": "box-submit",
    "/moderation/": "moderation-queue",
    "/campaigns/<deliberation>/jury/": "jury-scoring",
    "/campaigns/<deliberation>/jury/awards/": "awards",
    "/campaigns/<results>/results/": "results",
    "/campaigns/<results>/tally/": "tally",
    "/accounts/receipts/": "my-votes",
    "/campaigns/<results>/tally/check/": "check-my-vote",
    "/accounts/profile/": "profile",
    "/api/docs/": "api-docs",
    "/accounts/login/": "log-in",
    "/accounts/signup/": "sign-up",
}
PHONE_SIZE = PHONE["viewport"]
# Django template syntax the reader sees: a {# comment #} over two lines is text, not a comment.
TEMPLATE_SYNTAX = r"""() => (document.body.innerText.match(/\{[#%{][^]{0,60}/) || [""])[0]"""
# The page's width, the window's, and the innermost elements that stick out on the right.
WIDTHS = """() => {
    const inner = window.innerWidth;
    const wide = [...document.body.querySelectorAll("*")].filter(element => {
        return element.getBoundingClientRect().right > inner + 1
            && ![...element.children].some(child => child.getBoundingClientRect().right > inner + 1);
    });
    const name = element => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
        + [...element.classList].map(c => "." + c).join("");
    return [document.documentElement.scrollWidth, inner, wide.slice(0, 5).map(name).join(", ")];
}"""


@pytest.fixture(scope="module")
def demo_site(seeded):
    """The demo data, as `manage.py seed_demo` makes it (a few generated
    ideas only), and the demo password on every account the crawl logs in as
    (an earlier journey may have made one of them)."""

    def make():
        from accounts.models import User

        call_command("seed_demo", extra_ideas=4, verbosity=0)
        for user in User.objects.filter(username__in=[name for name in ROLES.values() if name]):
            user.set_password(demo.PASSWORD)
            user.save(update_fields=["password"])

    seeded(make)


def kind(path: str, *, phase: bool = True) -> str:
    """The kind of page a path is: ids become <n>, a campaign's slug its
    phase (a demo campaign's) or <slug>."""
    path = re.sub(r"/\d+(?=/|$)", "/<n>", path)
    match = re.match(r"^/campaigns/([\w-]+)/", path)
    if match and match.group(1) != "new":
        slug = match.group(1)
        path = path.replace(f"/campaigns/{slug}/", f"/campaigns/<{PHASES.get(slug, 'slug') if phase else 'slug'}>/", 1)
    return path


def kinds(url: str, via: str) -> tuple[str, str]:
    """The page's kind, and the kind a visit counts for: a campaign's page
    once per phase, an idea once from each campaign's (or the box's) list,
    the pages under a campaign once in all (in one phase), except the key
    pages of a phase (the jury scoring while it deliberates, ...). `via`
    is the kind of the page that links to it."""
    parts = urlsplit(url)
    query = "?" if parts.query else ""
    specific = kind(parts.path) + query
    if specific in KEY_PAGES or re.fullmatch(r"/campaigns/<\w+>/", specific):
        if specific == IDEA and re.fullmatch(r"/campaigns/<(?!slug>)\w+>/|/box/", via):
            return specific, f"{specific} from {via}"
        return specific, specific
    return specific, kind(parts.path, phase=False) + query


def same_origin_links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "links => links.map(link => link.href)")
    return [urldefrag(href).url for href in hrefs if href.startswith(origin + "/")]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_passes_the_checks(role, demo_site, new_journey, artifacts, site):
    journey = new_journey()
    folder = artifacts / "crawl" / role
    shutil.rmtree(folder, ignore_errors=True)
    journey.screenshots = folder / "desktop"
    page = journey.page
    if ROLES[role]:
        journey.log_in(ROLES[role], demo.PASSWORD)

    started = time.monotonic()
    queue = deque([("/", "")])
    seen_urls: set[str] = {"/"}
    visited_kinds: set[str] = set()
    problems: list[str] = []
    shot: set[str] = set()
    log: list[str] = []
    while queue and len(log) < BUDGET:
        url, via = queue.popleft()
        page_kind, counts_for = kinds(url, via)
        if counts_for in visited_kinds:
            continue
        visited_kinds.add(counts_for)
        began = time.monotonic()
        response = page.goto(url)
        status = response.status if response else 0
        expected = EXPECTED_STATUS.get((role, page_kind), 200)
        name = KEY_PAGES.get(page_kind)
        if counts_for.startswith(f"{IDEA} from "):
            name += "-from-" + re.sub(r"\W", "", counts_for.rsplit("/", 2)[-2])
        if status != expected:
            problems.append(f"{url}: status {status}, expected {expected}")
        try:
            journey.check()
        except AssertionError as failure:
            problems.append(str(failure))
            journey.errors.clear()
        if leaked := page.evaluate(TEMPLATE_SYNTAX):
            problems.append(f"{url}: template syntax shown on the page: {leaked}")
        if name:
            shot.add(name)
            journey.screenshot(name)
            problems += phone_size(journey, folder / "phone" / f"{journey.shots:02d}-{name}.png")
        log.append(f"{status} {time.monotonic() - began:5.2f}s {url} ({page_kind}){' [' + name + ']' if name else ''}")
        for link in same_origin_links(page, site.url):
            path = link[len(site.url) :]
            if path not in seen_urls and not SKIPPED.search(urlsplit(path).path):
                seen_urls.add(path)
                queue.append((path, page_kind))

    folder.mkdir(parents=True, exist_ok=True)
    summary = f"{role}: {len(log)} pages in {time.monotonic() - started:.0f}s ({len(queue)} left in the queue)"
    (folder / "pages.txt").write_text("\n".join([summary, *log]) + "\n")
    print(summary)
    if missed := REACHES[role] - shot:
        problems.append(f"never reached: {', '.join(sorted(missed))}")
    assert not problems, f"{role}: {len(problems)} problems:\n" + "\n".join(problems)
    journey.finish()


def phone_size(journey, path) -> list[str]:
    """The page at phone size: shot, and no sideways scrolling."""
    page = journey.page
    page.set_viewport_size(PHONE_SIZE)
    try:
        width, inner, wide = page.evaluate(WIDTHS)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path, full_page=True)
    finally:
        page.set_viewport_size(DESKTOP)
    if width > inner + 1:
        return [f"{page.url}: scrolls sideways at phone size ({width} px wide in a {inner} px window): {wide}"]
    return []
