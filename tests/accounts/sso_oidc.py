"""A real OpenID Connect provider for the tests: oidc-provider-mock (a small
Flask site built on authlib) served by a thread on 127.0.0.1, on a free port.

Nothing of allauth is mocked: the site fetches the provider's discovery
document, redirects to its authorize endpoint, and its callback exchanges the
code for tokens and reads the userinfo endpoint over HTTP, as in production.

    from tests.accounts.sso_oidc import oidc_provider  # noqa: F401 (the fixture)

    def test_it(oidc_provider, client, settings):
        oidc_provider.set_user("ada", email="ada@corp.example", given_name="Ada")
        response = oidc_provider.sign_in(client, "ada")  # the whole round trip
        assert response.status_code == 302               # signed in, sent on

`oidc_provider` configures one provider, id "corp", name "Corp", serving the
domain corp.example (`sso_config.overrides`), for the length of the test.
The steps can be driven one at a time: `start(client)` posts the log-in
button and returns the authorize URL; `authorize(url, sub)` (or `deny(url)`)
answers as the person at the provider and returns our callback's URL;
`finish(client, url)` follows it. A browser (tests/e2e) drives the same
provider: `running_provider()` starts one, `entry()` is its SSO_PROVIDERS
entry (json.dumps([entry]) for the server's environment), and the provider's
own authorize page is a form with a "sub" field and an "Authorize" button.
"""

import atexit
import os
import socket
import threading
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.test import override_settings
from django.urls import reverse

import pytest
import requests
import werkzeug.serving
from oidc_provider_mock import app as provider_app

from accounts import sso_config

# authlib refuses plain HTTP unless told otherwise; the provider is local.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

PROVIDER_ID = "corp"
PROVIDER_NAME = "Corp"
DOMAIN = "corp.example"
CLIENT_ID = "ideabox-tests"


class Provider:
    """One running oidc-provider-mock and what the tests ask of it."""

    def __init__(self, base_url: str, provider_id: str = PROVIDER_ID, name: str = PROVIDER_NAME):
        self.base_url = base_url
        self.id = provider_id
        self.name = name

    def entry(self, **extra) -> dict:
        """This provider's SSO_PROVIDERS entry (extra keys override)."""
        return {
            "protocol": "openid_connect",
            "id": self.id,
            "name": self.name,
            "server_url": self.base_url,
            "client_id": CLIENT_ID,
            "secret": "ideabox-tests-secret",
            "domains": [DOMAIN],
            **extra,
        }

    def settings(self, **extra) -> override_settings:
        return override_settings(**sso_config.overrides([self.entry(**extra)]))

    def set_user(self, sub: str, **claims) -> None:
        """What the provider says of `sub` from now on (its claims)."""
        response = requests.put(f"{self.base_url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def login_url(self) -> str:
        return reverse("openid_connect_login", kwargs={"provider_id": self.id})

    def start(self, client, **query) -> str:
        """Press the log-in page's button: the provider's authorize URL."""
        response = client.post(self.login_url(), query)
        assert response.status_code == 302, response.content[:500]
        location = response["Location"]
        assert location.startswith(self.base_url), location
        return location

    def authorize(self, url: str, sub: str) -> str:
        """Sign in at the provider as `sub`: the URL it sends the browser back to."""
        response = requests.post(url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]

    def deny(self, url: str) -> str:
        """Refuse at the provider ("Deny"): the URL it sends the browser back to."""
        response = requests.post(url, data={"action": "deny"}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:500]
        location = response.headers["Location"]
        # The mock leaves out the state, which a provider sends back with an
        # error as with a code (RFC 6749, 4.1.2.1).
        state = dict(parse_qsl(urlsplit(url).query))["state"]
        return location if "state=" in location else f"{location}&{urlencode({'state': state})}"

    @staticmethod
    def finish(client, url: str):
        """Follow the provider's redirect to our callback."""
        parts = urlsplit(url)
        return client.get(f"{parts.path}?{parts.query}")

    def sign_in(self, client, sub: str, **query):
        """The whole round trip: our callback's response."""
        return self.finish(client, self.authorize(self.start(client, **query), sub))


def free_port() -> int:
    """A port nothing listens on (for a provider that is down, too)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_provider(port: int = 0):
    """An oidc-provider-mock serving on 127.0.0.1 until the block ends."""
    server = werkzeug.serving.make_server("127.0.0.1", port, provider_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


_shared = None


def shared_provider() -> Provider:
    """One provider for the whole test run, started on first use and
    stopped when the process ends."""
    global _shared
    if _shared is None:
        running = running_provider()
        _shared = running.__enter__()
        atexit.register(running.__exit__, None, None, None)
    return _shared


@pytest.fixture
def oidc_provider(db):
    """The running provider, configured as the site's only company sign-in."""
    provider = shared_provider()
    with provider.settings():
        yield provider
