"""allauth's pages use the site's components (issue 10, a finished look): its
buttons tagged secondary, outline or danger and its badges get the design
system's classes (templates/allauth/elements)."""

import re

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def buttons(html: str) -> dict[str, str]:
    """{button text: its class attribute ("" without one)}."""
    found = re.findall(r"<button\b([^>]*)>\s*([^<]+?)\s*</button>", html)
    return {text: (re.search(r'class="([^"]*)"', attrs) or [None, ""])[1] for attrs, text in found}


def test_the_e_mail_page_has_primary_secondary_and_danger_buttons_and_badges(client):
    client.force_login(UserFactory())
    html = client.get("/accounts/email/").content.decode()
    shown = buttons(html)
    assert shown["Make primary"] == ""  # primary is the default look
    assert shown["Send the verification again"] == "secondary"
    assert shown["Remove"] == "danger"
    assert re.search(r'<span class="badge ok">\s*Verified\s*</span>', html)
    assert re.search(r'<span class="badge">\s*Primary\s*</span>', html)
    assert "<strong>" not in html.split("<main", 1)[1].split("</form>", 1)[0]
