"""Shared ground for the tests in a real browser: one Chromium per test module, pages at desktop
and phone sizes against the live server, and helpers to log in, take screenshots and run the
axe-core accessibility scan.

Every test here drives Debian's chromium (`/usr/bin/chromium`) through Playwright against
pytest-django's `live_server` (one server for the whole session). `celery_worker` is also shared:
one real worker process for the session instead of one per test (see `celery_worker` below).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config import queues
from config.celery import app as celery_app
from tests.integration.conftest import (  # noqa: F401  (fixtures used by the browser tests)
    ROOT,
    STARTUP_TIMEOUT_S,
    _reset_producer_pool,
    _stop,
    broker,
    redis_url,
    start_worker,
)
from tests.postgres import database_url

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-extensions",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}

AXE_SCRIPT = ROOT / "frontend" / "assets" / "node_modules" / "axe-core" / "axe.min.js"
# axe-core is handed to the page as if the site served it, so the page's own
# Content-Security-Policy (script-src 'self') stays in force while the scan runs.
AXE_URL_PATH = "/__browser-tests__/axe.min.js"
AXE_BLOCKING_IMPACTS = ("serious", "critical")
_AXE_ROUTED_PAGES: weakref.WeakSet = weakref.WeakSet()

SCREENSHOT_DIR_ENV = "TENSORGRADE_SCREENSHOT_DIR"
DEFAULT_SCREENSHOT_DIR = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium (a Playwright `Browser`) for all the tests of a module.

    Module scope: a launch costs under a second; the live server and the worker, the slow
    parts, are shared by the whole session. Every browser test uses this fixture (tests/lti's
    imports it), so no two Playwright instances ever run at once in this thread.
    Playwright's event loop runs in this thread, which Django's async-safety check would take
    for async code touching the database: the check is off while the browser is open.
    """
    if CHROMIUM is None:
        pytest.fail("chromium is not installed; run `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[[str], object]]:
    """`new_page("desktop" | "phone")`: a fresh page (own cookies) on the live server.

    The page's context has `base_url` set, so `page.goto("/login/")` works. Every context opened
    is closed after the test.
    """
    contexts = []

    def open_page(size: str = "desktop") -> object:
        context = browser.new_context(viewport=SIZES[size], base_url=live_server.url)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def desktop_page(new_page) -> object:
    """A Playwright page 1280×800 on the live server."""
    return new_page("desktop")


@pytest.fixture
def phone_page(new_page) -> object:
    """A Playwright page 390×844 (a phone held upright) on the live server."""
    return new_page("phone")


def login(page, user, password: str | None = None) -> None:  # noqa: ANN001
    """Log `user` in through the login form and wait for the home page.

    The password defaults to the fixtures' convention ("pw-" + username). Fails the test with
    the page's error text when the login is refused.
    """
    page.goto("/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", password or "pw-" + user.get_username())
    with page.expect_navigation():
        page.click("form.login button[type=submit]")
    if "/login/" in page.url:
        pytest.fail(f"logging in as {user.get_username()} failed: {page.inner_text('main')}")


def screenshot_dir() -> Path:
    """Where screenshots go: $TENSORGRADE_SCREENSHOT_DIR, else artifacts/screenshots/."""
    folder = Path(os.environ.get(SCREENSHOT_DIR_ENV) or DEFAULT_SCREENSHOT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, name: str) -> Path:  # noqa: ANN001
    """Save a full-page PNG of `page` as `<screenshot dir>/<name>.png`; returns its path."""
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe(page, disable: tuple[str, ...] = ()) -> list[dict]:  # noqa: ANN001
    """Run axe-core on the page as it is now; returns axe's list of violations.

    `disable` names axe rules not to run (for markup the site does not write, e.g. a vendored
    documentation viewer); say why wherever it is used.

    Each violation is axe's dict: `id`, `impact` ("minor" … "critical"), `help`, `helpUrl` and
    `nodes` (each with `target`, a list of CSS selectors). axe-core comes from the npm project in
    frontend/assets; the test fails with the command to install it when it is missing.
    """
    if not AXE_SCRIPT.exists():
        pytest.fail(
            f"axe-core is not installed ({AXE_SCRIPT.relative_to(ROOT)} is missing); "
            "run `cd frontend/assets && npm ci`."
        )
    if page not in _AXE_ROUTED_PAGES:
        source = AXE_SCRIPT.read_text()
        page.route(
            "**" + AXE_URL_PATH,
            lambda route: route.fulfill(body=source, content_type="text/javascript"),
        )
        _AXE_ROUTED_PAGES.add(page)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL_PATH)
    return page.evaluate(
        """async (disable) => {
          const rules = Object.fromEntries(disable.map((id) => [id, { enabled: false }]));
          const results = await window.axe.run(document, { resultTypes: ["violations"], rules });
          return results.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })),
          }));
        }""",
        list(disable),
    )


def axe_report(violations: list[dict]) -> str:
    """The violations as text: rule id, impact, help and its URL, and each element's selector."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        lines += [f"    at {' '.join(map(str, node['target']))}" for node in violation["nodes"]]
    return "\n".join(lines)


def serious_violations(violations: list[dict]) -> list[dict]:
    """The violations whose impact is serious or critical."""
    return [v for v in violations if v["impact"] in AXE_BLOCKING_IMPACTS]


def assert_accessible(page, where: str = "") -> None:  # noqa: ANN001
    """Run axe on `page` and fail on any serious or critical violation, listing each one."""
    blocking = serious_violations(axe(page))
    assert not blocking, (
        f"axe-core found serious or critical violations on {where or page.url}:\n"
        + axe_report(blocking)
    )


def horizontal_overflow(page) -> int:  # noqa: ANN001
    """How many CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)")


def sideways_scroll_report(page, where: str = "") -> str | None:  # noqa: ANN001
    """None when the page does not scroll sideways, else a message naming what sticks out."""
    overflow = horizontal_overflow(page)
    if not overflow:
        return None
    culprits = page.evaluate(
        """() => {
          const width = window.innerWidth;
          const describe = (el) => el.tagName.toLowerCase()
            + (el.id ? "#" + el.id : "")
            + (typeof el.className === "string" && el.className.trim()
               ? "." + el.className.trim().split(/\\s+/).join(".") : "")
            + " (right edge " + Math.round(el.getBoundingClientRect().right) + "px)";
          const sticksOut = (el) => el.getBoundingClientRect().right > width + 1;
          const inScrollBox = (el) => {
            for (let box = el.parentElement; box !== document.body; box = box.parentElement) {
              if (getComputedStyle(box).overflowX !== "visible") return true;
            }
            return false;
          };
          return [...document.body.querySelectorAll("*")]
            .filter((el) => sticksOut(el) && !sticksOut(el.parentElement) && !inScrollBox(el))
            .slice(0, 8)
            .map(describe);
        }"""
    )
    return (
        f"{where or page.url} scrolls sideways by {overflow}px at "
        f"{page.viewport_size['width']}px; sticking out: {', '.join(culprits) or 'the body'}"
    )


def assert_no_sideways_scroll(page, where: str = "") -> None:  # noqa: ANN001
    """Fail when the page scrolls sideways, naming the outermost elements that stick out."""
    report = sideways_scroll_report(page, where)
    assert report is None, report


@pytest.fixture(scope="session")
def shared_broker_url(redis_url) -> str:  # noqa: F811
    """The session's Redis, database 2: the shared worker's queue.

    Apart from database 0 (the `broker` of workers a test starts itself with `start_worker`) and
    database 1 (their cache), so the shared worker never takes another worker's tasks.
    """
    return redis_url.rsplit("/", 1)[0] + "/2"


@pytest.fixture(scope="session")
def _shared_worker_process(
    shared_broker_url, django_db_setup, tmp_path_factory
) -> Iterator[object]:
    """One real `celery worker` for all browser tests, on the session's Redis and test database.

    Started on first use (about 5 s on a small machine) and stopped at the end of the session.
    """
    log = tmp_path_factory.mktemp("browser-worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": shared_broker_url,
        "DATABASE_URL": database_url(connection.settings_dict),
        "TENSORGRADE_VAR_DIR": str(settings.VAR_DIR),
    }
    command = [
        sys.executable,
        *("-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO"),
        *("--queues", ",".join(queues.ALL)),
        *("--hostname", f"browser-{os.getpid()}@%h"),
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"the Celery worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    yield process
    _stop(process)
    print(log.read_text()[-3000:])


@pytest.fixture
def celery_worker(
    _shared_worker_process, shared_broker_url, transactional_db, monkeypatch
) -> Iterator[object]:
    """The session's real `celery worker` process, with this test's producer pointed at it.

    Overrides tests/integration's per-test worker for the browser tests, which saves a worker
    start per test. A test that needs other worker settings or the beat schedule calls
    `start_worker(env=..., beat=True)` instead (and not this fixture), which starts its own
    worker on its own queue and stops it after the test.
    """
    if _shared_worker_process.poll() is not None:
        pytest.fail("the shared Celery worker has exited; see its log at the end of the run")
    monkeypatch.setattr(celery_app.conf, "broker_url", shared_broker_url)
    _reset_producer_pool()
    yield _shared_worker_process
    _reset_producer_pool()
