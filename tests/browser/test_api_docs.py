"""Swagger UI and Redoc work in a real browser under the site's Content-Security-Policy, with
nothing fetched from another site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.test_csp import RECORD_VIOLATIONS

# Redoc's bundle always renders a Redocly logo from Redocly's CDN in its menu footer. The policy
# blocks it (the browser never sends the request) and Redoc then leaves the image out.
REDOC_LOGO = "img-src https://cdn.redoc.ly/redoc/logo-mini.svg"


def _open(page, url: str, selector: str) -> tuple[list[str], list[str]]:  # noqa: ANN001
    """The policy violations and the requests to other sites while `url` loads and renders."""
    elsewhere: list[str] = []
    here = urlsplit(url).netloc

    def note(request) -> None:  # noqa: ANN001
        if urlsplit(request.url).netloc not in (here, ""):
            elsewhere.append(request.url)

    page.on("request", note)
    page.goto(url)
    page.wait_for_selector(selector, timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.remove_listener("request", note)
    return page.evaluate("window.__cspViolations"), elsewhere


@pytest.mark.integration
def test_swagger_ui_and_redoc_render_the_api_under_the_policy(
    live_server,
    desktop_page,
):
    page = desktop_page
    page.add_init_script(RECORD_VIOLATIONS)
    violations, elsewhere = _open(page, f"{live_server.url}/api/v1/docs/", ".opblock")
    assert violations == [] and elsewhere == []
    operations = page.inner_text("#swagger-ui")
    assert "/api/v1/attempts/{attempt_id}/submissions/" in operations

    violations, elsewhere = _open(page, f"{live_server.url}/api/v1/redoc/", "[data-section-id]")
    assert violations in ([], [REDOC_LOGO])
    assert all(url.startswith("https://cdn.redoc.ly/") for url in elsewhere)
    content = page.inner_text(".api-content")
    assert "Submit answers (marked asynchronously)" in content and "Retry-After" in content
