"""The Content-Security-Policy lets every page work: no violation in a real browser."""

from __future__ import annotations

import pytest

from tests.integration.test_browser_practice import browser_page  # noqa: F401  (fixture)

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _log_in(page, base_url: str, user) -> None:  # noqa: ANN001
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-" + user.username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def _violations_on(page, url: str) -> list[str]:  # noqa: ANN001
    response = page.goto(url)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


@pytest.mark.integration
def test_pages_with_mathjax_and_scripts_run_under_the_policy(
    live_server,
    course,
    student,
    instructor,
    browser_page,  # noqa: F811
):
    page = browser_page
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    assert _violations_on(page, f"{base}/login/") == []
    _log_in(page, base, student)
    assert _violations_on(page, f"{base}/") == []
    assert _violations_on(page, f"{base}/courses/{course.slug}/questions/demo-linear-neuron/") == []
    page.wait_for_selector("mjx-container", timeout=30_000)
    page.fill("input[name=answer_y]", "three")
    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector("fieldset[data-label=y] .format-error:not(:empty)")
    assert page.evaluate("window.__cspViolations") == []

    page.context.clear_cookies()
    _log_in(page, base, instructor)
    preview = f"{base}/instructor/courses/{course.slug}/questions/demo-linear-neuron/?seed=7"
    assert _violations_on(page, preview) == []
    page.wait_for_selector("mjx-container", timeout=30_000)
    assert _violations_on(page, f"{base}/admin/login/") == []
    assert not [text for text in console if "Content Security Policy" in text]
