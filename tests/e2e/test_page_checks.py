"""The checks every journey's page gets (tests/e2e/journeys.py) do catch
what they are for: the site's Content-Security-Policy is enforced in the
browser (axe-core is injected without bypassing it) and a refusal fails the
page, as a JavaScript error does."""

import pytest


def test_an_inline_script_is_refused_by_the_csp_and_fails_the_page_check(journey):
    page = journey.page
    page.goto("/")
    page.evaluate(
        "document.body.append(Object.assign(document.createElement('script'), {textContent: 'window.ran = 1'}))"
    )
    assert page.evaluate("window.ran") is None
    with pytest.raises(AssertionError, match="Content Security Policy directive .script-src"):
        journey.check()


def test_a_javascript_error_fails_the_page_check(journey):
    page = journey.page
    page.goto("/")
    page.evaluate("setTimeout(() => { throw new Error('boom') }, 0)")
    page.evaluate("new Promise(resolve => setTimeout(resolve, 10))")  # the error's timer has fired
    with pytest.raises(AssertionError, match="JavaScript error: .*boom"):
        journey.check()
