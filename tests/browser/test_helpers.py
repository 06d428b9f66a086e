"""The shared helpers catch what they are for: an axe violation, a page wider than a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    assert_accessible,
    axe,
    axe_report,
    screenshot,
    serious_violations,
    sideways_scroll_report,
)

UNLABELLED_INPUT_AND_WIDE_BOX = """() => {
  const input = document.createElement("input");
  input.type = "text";
  const wide = document.createElement("div");
  wide.id = "too-wide";
  wide.style.width = "900px";
  wide.textContent = "wide";
  document.querySelector("main").append(input, wide);
}"""


@pytest.mark.integration
def test_axe_and_the_width_check_report_a_broken_page(phone_page, tmp_path, monkeypatch):
    page = phone_page
    page.goto("/login/")
    assert_accessible(page)
    assert sideways_scroll_report(page) is None

    page.evaluate(UNLABELLED_INPUT_AND_WIDE_BOX)
    blocking = serious_violations(axe(page))
    assert [v["id"] for v in blocking] == ["label"]
    report = axe_report(blocking)
    assert "label (critical)" in report and "dequeuniversity.com" in report
    assert "at main > input" in report or "at input" in report
    assert "label" not in [v["id"] for v in axe(page, disable=("label",))]

    overflow = sideways_scroll_report(page, "the login page")
    assert overflow is not None
    assert "the login page scrolls sideways" in overflow and "div#too-wide" in overflow

    monkeypatch.setenv("TENSORGRADE_SCREENSHOT_DIR", str(tmp_path))
    assert screenshot(page, "broken-login").read_bytes()[:4] == b"\x89PNG"
