"""Every page of the web UI, at desktop and phone sizes: no serious or critical axe-core
violation, no sideways scrolling on a phone, and a screenshot of each kept as a test artifact.

To add a page: add a `Page` to `STUDENT_PAGES` or `INSTRUCTOR_PAGES` naming the route it lands
on, and make the data it needs in `site`. A route that is only a form's target (POST) goes in
`ACTION_ROUTES`. `test_every_web_route_is_scanned` fails, naming the route, until one of the two
holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Course, Paper, Question, Variant
from tests.browser.conftest import (
    axe,
    axe_report,
    login,
    screenshot,
    serious_violations,
    sideways_scroll_report,
)

# One bank question per answer kind the attempt page shows (several kinds share a question).
QUESTIONS_BY_KIND = {
    "number": "demo-linear-neuron",
    "integer, text, truefalse, vector": "seed002-q3-conv-params-flops",
    "pair": "seed001-q8-vae-elbo-kl",
    "choice, formula, matrix": "seed000-q3-two-layer-backprop",
    "multi": "seed001-q1-mcq-ssl-generative",
    "tensor_shape": "seed002-q1-short-answers",
    "code": "code-layer-norm",
}
PREVIEW_QUESTION = QUESTIONS_BY_KIND["choice, formula, matrix"]
PAPER_QUESTIONS = ("demo-linear-neuron", "seed001-q1-mcq-ssl-generative")
COURSE_SLUG = "nndl"

# URLs outside the web UI the scan covers: the JSON API (its two documentation pages are scanned
# below all the same), Django's admin, and the LTI launch endpoints an LMS posts to.
NOT_WEB_UI_PREFIXES = ("api/", "admin/", "lti/")

# Routes that are only the target of a form (POST) and answer with a redirect, never a page.
ACTION_ROUTES = {
    "logout",
    "frontend:question-new-attempt",
    "frontend:attempt-submit",
    "frontend:attempt-finish",
    "frontend:attempt-solution",
    "frontend:paper-start",
    "frontend:instructor-remark",
    "frontend:instructor-restore",
    "lti_grades:instructor-resend",
    "lti_grades:instructor-roster-sync",
}


@dataclass(frozen=True)
class Site:
    """The data the scan visits: a course of one question per answer kind, and a paper."""

    course: Course
    paper: Paper
    student: object
    instructor: object


@dataclass(frozen=True)
class Page:
    """One page of the scan.

    `open(page, site)` brings the browser to the page (and may click through to it); `routes`
    are the URL names the visit passes through, the last one being where it lands; `wait_for`
    is a selector present once the page is drawn; `skip_axe_rules` are axe rules not run there
    (only for markup the site does not write).
    """

    name: str
    routes: tuple[str, ...]
    open: Callable[[object, Site], None]
    wait_for: str = "main"
    skip_axe_rules: tuple[str, ...] = ()


def _goto(path: str) -> Callable[[object, Site], None]:
    return lambda page, site: page.goto(path.format(course=site.course.slug))


def _question(slug: str) -> Callable[[object, Site], None]:
    return lambda page, site: page.goto(reverse("frontend:question", args=[site.course.slug, slug]))


def _paper(mode: str) -> Callable[[object, Site], None]:
    def open_paper(page, site: Site) -> None:  # noqa: ANN001
        page.goto("/")
        label = "Practise" if mode == "practice" else "Sit as exam"
        page.get_by_role("button", name=label).first.click()
        page.wait_for_url("**/attempts/*/")

    return open_paper


def _closed_exam(page, site: Site) -> None:  # noqa: ANN001
    attempt = services.attempt_start_paper(student=site.student, paper=site.paper, mode="exam")
    services.attempt_finish(attempt=attempt, student=site.student)
    page.goto(reverse("frontend:attempt", args=[attempt.pk]))


def _retire_confirmation(page, site: Site) -> None:  # noqa: ANN001
    variant = Variant.objects.filter(version__question__slug=PAPER_QUESTIONS[0]).first()
    page.goto(reverse("frontend:instructor-retire", args=[site.course.slug, variant.pk]))


STUDENT_PAGES = [
    Page("home", ("frontend:home",), _goto("/")),
    *(
        Page(
            f"question-{slug}",
            ("frontend:question", "frontend:attempt"),
            _question(slug),
            wait_for="form.answer-form",
        )
        for slug in QUESTIONS_BY_KIND.values()
    ),
    Page("paper-practice", ("frontend:paper-start", "frontend:attempt"), _paper("practice")),
    Page("paper-exam", ("frontend:paper-start", "frontend:attempt"), _paper("exam")),
    Page("paper-exam-closed", ("frontend:attempt",), _closed_exam),
    Page(
        "error-not-found",
        ("frontend:question",),
        _goto("/courses/{course}/questions/no-such-question/"),
    ),
]
INSTRUCTOR_PAGES = [
    Page(
        "instructor-course", ("frontend:instructor-course",), _goto("/instructor/courses/{course}/")
    ),
    Page(
        "instructor-preview",
        ("frontend:instructor-preview",),
        _goto(f"/instructor/courses/{{course}}/questions/{PREVIEW_QUESTION}/?seed=0"),
    ),
    Page(
        "instructor-variants",
        ("frontend:instructor-variants",),
        _goto("/instructor/courses/{course}/variants/"),
    ),
    Page("instructor-retire", ("frontend:instructor-retire",), _retire_confirmation),
    Page(
        "instructor-paper-new",
        ("frontend:instructor-paper-new",),
        _goto("/instructor/courses/{course}/papers/new/"),
    ),
    Page(
        "instructor-lms", ("lti_grades:instructor-lms",), _goto("/instructor/courses/{course}/lms/")
    ),
    Page("regrades", ("regrades:list",), _goto("/instructor/courses/{course}/regrades/")),
    Page("marks-export", ("regrades:export",), _goto("/instructor/courses/{course}/export/")),
]
ANONYMOUS_PAGES = [Page("login", ("login",), _goto("/login/"))]
# Swagger UI's page comes whole from drf-spectacular and Swagger UI: its <html> has no lang, its
# grey texts are too light, and each operation's summary is a button holding another. Those
# rules are left out there; everything else is checked. Redoc is not scanned: its page is one
# huge DOM (a 17 s scan per size); tests/browser/test_api_docs.py checks it renders.
SWAGGER_UI_OWN_MARKUP = ("html-has-lang", "color-contrast", "nested-interactive")
API_DOC_PAGES = [
    Page(
        "api-docs-swagger",
        ("api:docs",),
        _goto("/api/v1/docs/"),
        wait_for=".opblock",
        skip_axe_rules=SWAGGER_UI_OWN_MARKUP,
    ),
]


def _web_routes() -> Iterator[tuple[str, str]]:
    """(route, URL name) of every URL pattern outside NOT_WEB_UI_PREFIXES."""

    def walk(patterns, prefix: str, namespace: str) -> Iterator[tuple[str, str]]:  # noqa: ANN001
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                yield route, f"{namespace}:{pattern.name}" if namespace else str(pattern.name)

    for route, name in walk(get_resolver().url_patterns, "", ""):
        if not route.startswith(NOT_WEB_UI_PREFIXES):
            yield route, name


def test_every_web_route_is_scanned():
    scanned = {
        route
        for page in ANONYMOUS_PAGES + STUDENT_PAGES + INSTRUCTOR_PAGES
        for route in page.routes
    }
    missing = [
        f"{name} (/{route})"
        for route, name in _web_routes()
        if name not in scanned and name not in ACTION_ROUTES
    ]
    assert not missing, (
        "these pages are not in the accessibility scan: add each to STUDENT_PAGES or "
        "INSTRUCTOR_PAGES in tests/browser/test_accessibility.py (or to ACTION_ROUTES if it "
        "only takes a form's POST): " + ", ".join(missing)
    )


@pytest.mark.django_db
def test_action_routes_take_no_get(client, instructor):
    """A route left out of the scan as a form target really is one: a GET is refused (405)."""
    client.force_login(instructor)
    for route, name in _web_routes():
        if name in ACTION_ROUTES:
            path = "/" + route.replace("<slug:course_slug>", COURSE_SLUG)
            path = path.replace("<slug:question_slug>", "q").replace("<slug:paper_slug>", "p")
            for converter in ("attempt_id", "variant_id", "submission_id"):
                path = path.replace(f"<int:{converter}>", "1")
            assert client.get(path).status_code == 405, f"{name} ({path}) answers a GET"


@pytest.fixture
def site(course, student, instructor) -> Site:
    """The `course` fixture with one question of each answer kind and a two-question paper."""
    for slug in QUESTIONS_BY_KIND.values():
        question_sync(definition=question_engine.load_question(settings.BANK_ROOT / slug))
    course.questions.add(*Question.objects.filter(slug__in=QUESTIONS_BY_KIND.values()))
    paper = services.paper_create(
        course=course,
        title="Mock exam",
        time_limit_minutes=30,
        use_original_numbers=False,
        items=[(Question.objects.get(slug=slug), Decimal("2")) for slug in PAPER_QUESTIONS],
    )
    return Site(course=course, paper=paper, student=student, instructor=instructor)


def _settle(page, wait_for: str) -> None:  # noqa: ANN001
    """Wait until the page is drawn: loaded (MathJax is an async script: the load waits for
    it), its key element shown, and MathJax's typesetting done."""
    page.wait_for_load_state()
    page.wait_for_selector(wait_for, timeout=30_000)
    page.evaluate(
        "async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise)"
        " { await MathJax.startup.promise; } }"
    )


def _check(page, entry: Page, size: str, problems: list[str]) -> None:  # noqa: ANN001
    """Scan the page the browser is on; note what is wrong in `problems`."""
    _settle(page, entry.wait_for)
    landed = resolve(urlsplit(page.url).path).view_name
    if landed != entry.routes[-1]:
        problems.append(f"{entry.name}: expected to land on {entry.routes[-1]}, got {landed}")
    screenshot(page, f"{entry.name}-{size}")
    blocking = serious_violations(axe(page, disable=entry.skip_axe_rules))
    if blocking:
        problems.append(f"{entry.name} ({page.url}):\n{axe_report(blocking)}")
    overflow = sideways_scroll_report(page, entry.name) if size == "phone" else None
    if overflow:
        problems.append(overflow)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_page_passes_axe_and_fits(size, site, new_page):
    problems: list[str] = []
    page = new_page(size)
    for entry in ANONYMOUS_PAGES + API_DOC_PAGES:
        entry.open(page, site)
        _check(page, entry, size, problems)
    login(page, site.student)
    for entry in STUDENT_PAGES:
        entry.open(page, site)
        _check(page, entry, size, problems)
    page = new_page(size)
    login(page, site.instructor)
    for entry in INSTRUCTOR_PAGES:
        entry.open(page, site)
        _check(page, entry, size, problems)
    assert not problems, f"accessibility problems at {size} size:\n" + "\n".join(problems)
