"""A launch in a real browser (Chromium): the tool's cookie check page runs under the tool's
Content-Security-Policy, and where the LMS's iframe cannot keep cookies the page's "new tab"
link completes the launch in a tab of its own."""

from __future__ import annotations

import pytest

from exams.models import Attempt
from tests.browser.conftest import browser  # noqa: F401  (the browser tests' one Chromium)
from tests.conftest import DEMO_SLUG
from tests.lti.platform.server import LTI, PlatformResponse, auto_post_form


def _start_route(platform, tool: str) -> str:
    """A platform page that starts a launch of the demo question, as an LMS link does."""
    hint = platform.expect_launch({LTI + "custom": {"question": DEMO_SLUG}})
    login = {
        "iss": platform.issuer,
        "login_hint": "learner-1",
        "target_link_uri": tool + "/lti/launch/",
        "lti_message_hint": hint,
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
    }
    platform.add_route(
        "GET",
        "/start",
        lambda request: PlatformResponse.html(auto_post_form(tool + "/lti/login/", login)),
    )
    platform.add_route(
        "GET",
        "/course",
        lambda request: PlatformResponse.html(
            f'<h1>LMS course</h1><iframe id="tool" src="{platform.url("/start")}"></iframe>'
        ),
    )
    return platform.url("/start")


@pytest.mark.slow
def test_launch_in_a_browser_tab_reaches_the_attempt(platform, tool, browser):  # noqa: F811
    page = browser.new_page()
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )

    page.goto(_start_route(platform, tool))
    page.wait_for_url("**/attempts/*/", timeout=30_000)

    attempt = Attempt.objects.get(student__lti_users__sub="learner-1")
    assert page.url.endswith(f"/attempts/{attempt.pk}/")
    assert "linear neuron" in page.content().lower()
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.slow
def test_iframe_without_cookies_offers_a_new_tab_that_completes_the_launch(
    platform,
    tool,
    browser,  # noqa: F811
):
    context = browser.new_context()
    page = context.new_page()
    _start_route(platform, tool)

    page.goto(platform.url("/course"))
    frame = page.frame_locator("#tool")
    link = frame.locator("#lti1p3-new-tab-link")
    link.wait_for(timeout=30_000)
    assert "blocks cookies" in frame.locator("#lti1p3-warning-msg").inner_text()
    with context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_url("**/attempts/*/", timeout=30_000)

    attempt = Attempt.objects.get(student__lti_users__sub="learner-1")
    assert tab.url.endswith(f"/attempts/{attempt.pk}/")
