"""The Content-Security-Policy lets every page work: no violation in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _violations_on(page, url: str) -> list[str]:  # noqa: ANN001
    response = page.goto(url)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


@pytest.mark.integration
@pytest.mark.slow
def test_pages_with_mathjax_and_scripts_run_under_the_policy(
    live_server,
    course,
    student,
    instructor,
    desktop_page,
):
    page = desktop_page
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    assert _violations_on(page, f"{base}/login/") == []
    login(page, student)
    assert _violations_on(page, f"{base}/") == []
    assert _violations_on(page, f"{base}/courses/{course.slug}/questions/demo-linear-neuron/") == []
    page.wait_for_selector("mjx-container", timeout=30_000)
    page.fill("input[name=answer_y]", "three")
    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector("fieldset[data-label=y] .format-error:not(:empty)")
    assert page.evaluate("window.__cspViolations") == []

    page.context.clear_cookies()
    login(page, instructor)
    preview = f"{base}/instructor/courses/{course.slug}/questions/demo-linear-neuron/?seed=7"
    assert _violations_on(page, preview) == []
    page.wait_for_selector("mjx-container", timeout=30_000)
    assert _violations_on(page, f"{base}/admin/login/") == []
    assert not [text for text in console if "Content Security Policy" in text]
