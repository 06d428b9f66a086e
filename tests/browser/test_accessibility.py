"""Every page of the web UI, at desktop and phone sizes: no serious or critical axe-core
violation, no sideways scrolling on a phone, and a screenshot of each kept as a test artifact.

To add a page: add a `Page` to `STUDENT_PAGES` or `INSTRUCTOR_PAGES` naming the route it lands
on, and make the data it needs in `site`. A route that is only a form's target (POST) goes in
`ACTION_ROUTES`. `test_every_web_route_is_scanned` fails, naming the route, until one of the two
holds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Attempt, Course, Paper, Question, Submission, Variant
from manual_marking import selectors as marking_selectors
from regrades import services as regrade_services
from tests.browser.conftest import (
    axe,
    axe_report,
    login,
    screenshot,
    serious_violations,
    sideways_scroll_report,
)
from tests.manual_marking.conftest import SHORT_SLUG, TEXT_PART
from tests.progress.helpers import answered
from tests.variant_wait import built_variant

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
DEMO_SLUG = PAPER_QUESTIONS[0]
COURSE_SLUG = "nndl"
MARKING_TIMEOUT_S = 60

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
    "frontend:instructor-paper-prepare",
    "lti_grades:instructor-resend",
    "lti_grades:instructor-roster-sync",
    "manual_marking:self-assessment",
}
# Routes a page's script fetches (JSON), never a page themselves: the scan checks that the page
# named here fetched each one and got JSON.
SCRIPT_DATA_ROUTES = {"regrades:progress": "regrade-job"}


@dataclass(frozen=True)
class Site:
    """The data the scan visits: a course of one question per answer kind, a paper, and a
    one-minute paper whose sitting the scan lets run out."""

    course: Course
    paper: Paper
    timed_paper: Paper
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


def _open_sitting(site: Site) -> Attempt:
    return Attempt.objects.get(
        student=site.student, paper=site.paper, mode=Attempt.Mode.EXAM, finished_at=None
    )


def _finish_exam_confirmation(page, site: Site) -> None:  # noqa: ANN001
    page.goto(reverse("autosave:sitting-finish", args=[_open_sitting(site).pk]))


def _timed_out_exam(page, site: Site) -> None:  # noqa: ANN001
    """A one-minute sitting whose time ran out an hour ago: the page says it closed."""
    sitting = services.attempt_start_paper(
        student=site.student, paper=site.timed_paper, mode=Attempt.Mode.EXAM
    )
    Attempt.objects.filter(pk=sitting.pk).update(started_at=timezone.now() - timedelta(hours=1))
    page.goto(reverse("frontend:attempt", args=[sitting.pk]))


def _wait_marked(submissions: list[Submission]) -> None:
    """Wait until the worker has marked every one of `submissions` (the scan's pages show
    marks, and a regrade takes only marked submissions)."""
    deadline = time.monotonic() + MARKING_TIMEOUT_S
    ids = [submission.pk for submission in submissions]
    while Submission.objects.filter(pk__in=ids, status=Submission.Status.GRADED).count() < len(ids):
        assert time.monotonic() < deadline, "the worker did not mark the scan's answers in time"
        time.sleep(0.1)


def _self_assessment(page, site: Site) -> None:  # noqa: ANN001
    """The free-text question's attempt once answered, marked and its worked solution shown:
    its self-assessed part offers the box."""
    attempt = Attempt.objects.filter(student=site.student, question__slug=SHORT_SLUG).first()
    variant = built_variant(attempt=attempt)
    exact = variant.reference["exact"]
    answers = {
        "n_params": str(exact["n_params"]),
        "tensor": str(list(exact["tensor"])),
        TEXT_PART: "No: every neuron gets the same gradient.",
    }
    _wait_marked(
        [services.submission_create(attempt=attempt, student=site.student, answers=answers)]
    )
    services.solution_reveal(attempt=attempt, student=site.student)
    page.goto(reverse("frontend:attempt", args=[attempt.pk]))


def _marked_class_work(site: Site) -> None:
    """Marked answers for the instructor's pages: the student's practice of the demo question
    and the demo question in the paper they practised (the scan's student pages opened both)."""
    question = Question.objects.get(slug=DEMO_SLUG)
    practice = Attempt.objects.filter(student=site.student, question=question).first()
    sitting = Attempt.objects.get(
        student=site.student, paper=site.paper, mode=Attempt.Mode.PRACTICE
    )
    _wait_marked(
        [
            answered(practice, site.student, question, right=1, grade=False),
            answered(sitting, site.student, question, right=2, grade=False),
        ]
    )


def _results(path: str) -> Callable[[object, Site], None]:
    def open_results(page, site: Site) -> None:  # noqa: ANN001
        page.goto(
            f"/instructor/courses/{site.course.slug}/results/"
            + path.format(paper=site.paper.slug, question=DEMO_SLUG, student=site.student.pk)
        )

    return open_results


def _marking_page(page, site: Site) -> None:  # noqa: ANN001
    item = marking_selectors.marking_queue(course=site.course)[0]
    page.goto(
        reverse(
            "manual_marking:mark",
            args=[site.course.slug, item.submission.pk, item.part.label],
        )
    )


def _regrade_job(page, site: Site) -> None:  # noqa: ANN001
    job = regrade_services.regrade_job_create(
        course=site.course,
        requested_by=site.instructor,
        question=Question.objects.get(slug=DEMO_SLUG),
    )
    page.goto(reverse("regrades:job", args=[site.course.slug, job.pk]))


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
    Page(
        "attempt-self-assessment",
        ("frontend:attempt",),
        _self_assessment,
        wait_for="section.self-assessment",
    ),
    Page("paper-practice", ("frontend:paper-start", "frontend:attempt"), _paper("practice")),
    Page("paper-exam", ("frontend:paper-start", "frontend:attempt"), _paper("exam")),
    Page("paper-exam-finish", ("autosave:sitting-finish",), _finish_exam_confirmation),
    Page("paper-exam-closed", ("frontend:attempt",), _closed_exam),
    Page(
        "paper-exam-timed-out",
        ("frontend:attempt",),
        _timed_out_exam,
        wait_for=".exam-closed:has-text('This exam closed at')",
    ),
    Page("progress", ("progress:course",), _goto("/courses/{course}/progress/"), "svg.chart"),
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
        "instructor-paper",
        ("frontend:instructor-paper",),
        lambda page, site: page.goto(
            reverse("frontend:instructor-paper", args=[site.course.slug, site.paper.slug])
        ),
        "table.exam-variants",
    ),
    Page(
        "instructor-lms", ("lti_grades:instructor-lms",), _goto("/instructor/courses/{course}/lms/")
    ),
    Page("results-index", ("results:index",), _results(""), "table.results-papers"),
    Page("results-paper", ("results:paper",), _results("papers/{paper}/"), "svg.chart"),
    Page(
        "results-paper-question",
        ("results:paper-question",),
        _results("papers/{paper}/questions/{question}/"),
        "svg.chart",
    ),
    Page("results-question", ("results:question",), _results("questions/{question}/"), "svg.chart"),
    Page(
        "results-student",
        ("results:student",),
        _results("students/{student}/"),
        "section.student-attempt",
    ),
    Page(
        "marking-queue",
        ("manual_marking:queue",),
        _goto("/instructor/courses/{course}/marking/"),
        "table.marking-queue",
    ),
    Page("marking-mark", ("manual_marking:mark",), _marking_page, "form.marking-form"),
    Page("regrade-job", ("regrades:job",), _regrade_job, "#regrade-status:has-text('Done')"),
    Page("regrades", ("regrades:list",), _goto("/instructor/courses/{course}/regrades/")),
    Page("export", ("regrades:export",), _goto("/instructor/courses/{course}/export/")),
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
    pages = {page.name for page in INSTRUCTOR_PAGES + STUDENT_PAGES}
    assert set(SCRIPT_DATA_ROUTES.values()) <= pages
    missing = [
        f"{name} (/{route})"
        for route, name in _web_routes()
        if name not in scanned and name not in ACTION_ROUTES and name not in SCRIPT_DATA_ROUTES
    ]
    assert not missing, (
        "these pages are not in the accessibility scan: add each to STUDENT_PAGES or "
        "INSTRUCTOR_PAGES in tests/browser/test_accessibility.py (or to ACTION_ROUTES if it "
        "only takes a form's POST, SCRIPT_DATA_ROUTES if a page's script fetches it): "
        + ", ".join(missing)
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
    """The `course` fixture with one question of each answer kind, a two-question paper and a
    one-minute paper of the demo question."""
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
    timed_paper = services.paper_create(
        course=course,
        title="One-minute quiz",
        time_limit_minutes=1,
        use_original_numbers=False,
        items=[(Question.objects.get(slug=DEMO_SLUG), Decimal("2"))],
    )
    return Site(
        course=course,
        paper=paper,
        timed_paper=timed_paper,
        student=student,
        instructor=instructor,
    )


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


def _record_script_data(page, fetched: dict[str, set[str]], entry: list[str]) -> None:  # noqa: ANN001
    """Note, under the name of the page being scanned (`entry[0]`), the content type of every
    response to a SCRIPT_DATA_ROUTES URL."""

    def note(response) -> None:  # noqa: ANN001
        path = urlsplit(response.url).path
        try:
            name = resolve(path).view_name
        except Exception:  # noqa: BLE001  (a URL outside the site: the scan ignores it)
            return
        if name in SCRIPT_DATA_ROUTES:
            kind = response.headers.get("content-type", "")
            fetched.setdefault(name, set()).add(f"{entry[0]}:{kind.split(';')[0]}")

    page.on("response", note)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker")  # marks the regrade job the scan starts
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
    _marked_class_work(site)
    page = new_page(size)
    fetched: dict[str, set[str]] = {}
    current: list[str] = [""]
    _record_script_data(page, fetched, current)
    login(page, site.instructor)
    for entry in INSTRUCTOR_PAGES:
        current[0] = entry.name
        entry.open(page, site)
        _check(page, entry, size, problems)
    for route, name in SCRIPT_DATA_ROUTES.items():
        if f"{name}:application/json" not in fetched.get(route, set()):
            problems.append(f"{name}: its script did not fetch {route} as JSON ({fetched})")
    assert not problems, f"accessibility problems at {size} size:\n" + "\n".join(problems)
