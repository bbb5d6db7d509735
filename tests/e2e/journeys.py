"""What every page of a browser journey is checked for, and the steps the
journeys share.

Each page the journey lands on is checked (Journey.check): no JavaScript
error and no console error (a Content-Security-Policy refusal, "Refused to
..." or "... violates the following Content Security Policy directive", is
one), and axe-core finds no critical, serious or moderate
violation. axe-core (shipped by axe-playwright-python) is injected with
Playwright's evaluate, which the page's CSP does not apply to: the CSP stays
as strict as in production (no bypass_csp). In a context without
JavaScript the page's timers never fire, and axe-core waits on them: there,
before it runs, they are replaced by microtasks (NO_JS_TIMERS), which still
run; the page has no script of its own to disturb.
"""

import re
from pathlib import Path

from tests.factories import PASSWORD
from tests.faults.harness import wait_for

IMPACTS_THAT_FAIL = {"critical", "serious", "moderate"}
# Markup drawn by a third-party widget, left out of the axe-core check.
THIRD_PARTY = "#swagger-ui"
NO_JS_TIMERS = """() => {
    window.setTimeout = (callback, delay, ...args) => { Promise.resolve().then(() => callback(...args)); return 0; };
    window.clearTimeout = () => {};
}"""


class Journey:
    def __init__(self, page, *, site, screenshots: Path, javascript: bool = True):
        self.page = page
        self.javascript = javascript
        self.site = site
        self.screenshots = screenshots
        self.errors: list[str] = []
        self.checked: list[str] = []
        self.shots = 0
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: JavaScript error: {error}"))
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if message.type == "error" or text.startswith("Refused to") or "Content Security Policy" in text:
            self.errors.append(f"{self.page.url}: console {message.type}: {text}")

    def check(self, name: str | None = None) -> None:
        """Check the page as it is now; `name` also saves a screenshot of it."""
        page = self.page
        page.wait_for_load_state("load")
        assert not self.errors, "\n".join(self.errors)
        from axe_playwright_python.sync_playwright import Axe

        if not self.javascript:
            page.evaluate(NO_JS_TIMERS)
        # The API docs' interactive explorer is Swagger UI's (drf-spectacular-sidecar),
        # drawn after load when its script gets to it: not ours to fix, and checked
        # or not by chance. The page around it is checked.
        results = Axe().run(page, context={"exclude": [[THIRD_PARTY]]})
        failing = [v for v in results.response["violations"] if v.get("impact") in IMPACTS_THAT_FAIL]
        assert not failing, f"axe-core on {page.url}:\n" + "\n".join(
            f"- {v['impact']}: {v['id']} ({v['help']}): "
            + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
            for v in failing
        )
        self.checked.append(page.url)
        if name:
            self.screenshot(name)

    def screenshot(self, name: str) -> None:
        """A full-page screenshot, numbered in the order taken (self.shots)."""
        self.shots += 1
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=self.screenshots / f"{self.shots:02d}-{name}.png", full_page=True)

    def log_in(self, username: str, password: str = PASSWORD) -> None:
        """From the home page, with the log-in form (English), as `username`."""
        from playwright.sync_api import expect

        page = self.page
        page.goto("/")
        self.check()
        page.get_by_role("link", name="Log in").click()
        page.get_by_label(re.compile("^(Username or email|Login)", re.I)).fill(username)
        page.get_by_label(re.compile(r"^Password:?$")).fill(password)
        page.get_by_role("button", name=re.compile("^(sign|log) in$", re.I)).click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    def finish(self) -> None:
        """Errors that came after the last check (an htmx swap's) fail too."""
        assert not self.errors, "\n".join(self.errors)

    def mail_link(self, to: str, pattern: str, seconds: float = 30) -> str:
        """The first link matching `pattern` in the newest e-mail to `to`,
        waiting for the worker to send it."""
        regex = re.compile(pattern)

        def find():
            for message in reversed(self.site.mail()):
                if to in message["To"]:
                    body = message.get_body(preferencelist=("plain",)).get_content()
                    match = regex.search(body)
                    if match:
                        return match.group(0)
            return None

        link = wait_for(find, seconds, every=0.2)
        assert link, f"no e-mail to {to} with a link like {pattern} within {seconds}s: {self.site.mail()}"
        return link
