"""No answer reaches a student: every URL of the site, walked as a student who holds variants
of a numeric and a code question (alone and in a paper, in practice and in an open exam
sitting) and has marked wrong answers on them, answers without the variants' reference values,
model answers, worked solutions or reference code.

The URLs come from the URL conf, so a new endpoint is walked without touching this test: every
GET with every path parameter filled from the student's world (a parameter the walker cannot
fill fails the test, naming it), plus every POST the schema documents as taking `answers` (a
submission) or `source` (visible tests). Pages that are not the student's to see are refused
by role (the admin, instructor pages, others' objects); what they answer is grepped too.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

import question_engine
from exams import services
from exams.bank_bridge import definition_from_version
from exams.models import Attempt, Membership, Submission, Variant
from question_engine.code_parts import code_parts
from question_engine.render import answer_text
from tests.exams.api_world import ApiWorld, build_api_world, wrong_answers

# A route parameter converter's text, e.g. "<int:attempt_id>" or "<slug>".
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
MIN_CODE_LINE = 20
MIN_MODEL_ANSWER = 8
MIN_SOLUTION_LINE = 30


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    params: tuple[str, ...]


@dataclass
class Reply:
    method: str
    url: str
    status: int
    text: str


def _routes(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every URL pattern of the URL conf with its full route; the admin site is left out (its
    pages need a staff account, which `test_the_admin_refuses_the_student` checks)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            route = prefix + str(entry.pattern)
            params = tuple(m["name"] for m in ROUTE_PARAM.finditer(route))
            regex_params = tuple(entry.pattern.regex.groupindex)
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(route, name, params or regex_params)


def _url(route: Route, values: dict[str, Any]) -> str:
    """The URL of the route with `values` for its parameters (regular-expression routes are
    reversed by name)."""
    if route.name is not None:
        return reverse(route.name, kwargs=values)
    if "(?P<" in route.route or route.route.startswith("^"):
        raise AssertionError(f"the walker cannot fill the unnamed route {route.route}")
    return "/" + ROUTE_PARAM.sub(lambda m: str(values[m["name"]]), route.route)


def _param_values(world: ApiWorld) -> dict[str, list[Any]]:
    """What the course offers for each path parameter name the site uses: the student's own
    attempts and submissions, and another student's (which must be refused)."""
    attempts = Attempt.objects.filter(course=world.course)
    submissions = Submission.objects.filter(attempt__in=attempts)
    variants = Variant.objects.filter(assignments__attempt__in=attempts).distinct()
    questions = [question.slug for question in world.questions]
    external_ids = Membership.objects.filter(course=world.course).exclude(external_id="")
    return {
        "external_id": list(external_ids.values_list("external_id", flat=True)),
        "slug": [world.course.slug],
        "course_slug": [world.course.slug],
        "question_slug": questions,
        "paper_slug": [world.paper.slug],
        "attempt_id": [attempt.pk for attempt in attempts],
        "submission_id": [submission.pk for submission in submissions],
        "variant_id": [variant.pk for variant in variants],
        # The parts of the course's questions (the instructors' marking page of one part).
        "part_label": sorted(
            {part.label for variant in variants for part in variant.version.parts.all()}
        ),
        # Members' ids (the instructors' results pages of one student): the student's own too.
        "user_id": list(
            Membership.objects.filter(course=world.course).values_list("user_id", flat=True)
        ),
        # Objects no student has (a course's webhook endpoints and their deliveries, an LTI
        # registration): a value that names nothing, so the walk still reaches the view.
        "endpoint_id": [0],
        "job_id": [0],
        "delivery_id": [0],
        "registration_uuid": [uuid.UUID(int=0)],
    }


def _fillings(route: Route, values: dict[str, list[Any]]) -> list[dict[str, Any]]:
    unknown = [name for name in route.params if name not in values]
    assert not unknown, (
        f"the answer-leak walker cannot fill {unknown} in {route.route}: add what a student's "
        "world offers for it to _param_values"
    )
    choices = [values[name] for name in route.params]
    return [dict(zip(route.params, combo, strict=True)) for combo in itertools.product(*choices)]


def _text(body: bytes, content_type: str) -> str:
    """The body as a student would read it: JSON strings decoded, HTML entities unescaped."""
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False, indent=1)
        except ValueError:
            return text
    return html.unescape(text)


def _significant_digits(text: str) -> int:
    return len(text.lstrip("-").replace(".", "").strip("0"))


def _numbers(value: Any) -> Iterator[float]:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield float(value)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _numbers(item)


def _number_texts(value: float) -> set[str]:
    """The ways a number appears on a page or in JSON."""
    texts = {repr(value), str(value), answer_text(value, None)}
    texts |= {answer_text(value, dp) for dp in (1, 2, 3, 4)}
    if value == int(value):
        texts.add(str(int(value)))
    return {text for text in texts if _significant_digits(text) >= 2}


@dataclass(frozen=True)
class Needle:
    """A text no student-facing body may contain; a number only as a whole number (not as
    part of a longer one, such as a timestamp)."""

    what: str
    text: str
    number: bool = False

    def found_in(self, body: str) -> bool:
        if not self.number:
            return self.text in body
        return bool(re.search(r"(?<![\d.])" + re.escape(self.text) + r"(?!\d)", body))


def _needles(variants: list[Variant], public: str) -> list[Needle]:
    """What no student-facing body may contain: the variants' reference values (exact and
    rounded, as numbers are written), model answers, worked-solution lines and reference code,
    less whatever the student is shown on purpose (`public`: statements, prompts, starter code,
    their own answers)."""
    needles: list[Needle] = []
    for variant in variants:
        where = f"variant {variant.pk} ({variant.version.question.slug})"
        for kind in ("exact", "rounded"):
            for quantity, value in (variant.reference.get(kind) or {}).items():
                needles += [
                    Needle(f"{where} {kind} {quantity}", text, number=True)
                    for number in _numbers(value)
                    for text in _number_texts(number)
                ]
        needles += [
            Needle(f"{where} model answer", part.model_answer)
            for part in variant.version.parts.all()
            if len(part.model_answer) >= MIN_MODEL_ANSWER
        ]
        needles += [
            Needle(f"{where} worked solution", line.strip())
            for line in variant.solution_md.splitlines()
            if len(line.strip()) >= MIN_SOLUTION_LINE
        ]
        for part in code_parts(definition_from_version(variant.version)):
            needles += [
                Needle(f"{where} reference code", line.strip())
                for source in (part.reference, part.solution)
                for line in source.splitlines()
                if len(line.strip()) >= MIN_CODE_LINE
            ]
    unique = {needle.text: needle for needle in needles}
    return [needle for needle in unique.values() if not needle.found_in(public)]


def _public_text(variants: list[Variant], submissions: list[Submission]) -> str:
    """What the student is shown on purpose, from the variants' own fields (not from the code
    under test): statements and part prompts (as written and as HTML), starter code, and the
    student's own answers."""
    shown = []
    for variant in variants:
        texts = [variant.statement_md, *(variant.part_prompts or {}).values()]
        shown += texts + [question_engine.render_markdown(text) for text in texts]
        shown += [
            part.starter(variant.params)
            for part in code_parts(definition_from_version(variant.version))
        ]
    shown += [answer for submission in submissions for answer in submission.answers.values()]
    return "\n".join(shown)


class Walker:
    """The student's browser and API client, recording every reply."""

    def __init__(self, world: ApiWorld, student) -> None:  # noqa: ANN001
        self.client = Client(HTTP_AUTHORIZATION=f"Token {world.student_token}")
        self.client.force_login(student)
        self.user = student
        self.replies: list[Reply] = []

    def request(self, method: str, url: str, **kwargs: Any) -> Reply:
        response = getattr(self.client, method.lower())(url, **kwargs)
        content = b"".join(response) if response.streaming else response.content
        reply = Reply(
            method, url, response.status_code, _text(content, response.get("Content-Type", ""))
        )
        assert reply.status < 500, f"{method} {url} failed on our side: {reply.text[:500]}"
        self.replies.append(reply)
        return reply


def _schema_posts(field: str) -> list[str]:
    """The routes of the API's POST operations whose JSON request body has `field`."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = []
    for path, item in schema["paths"].items():
        body = item.get("post", {}).get("requestBody", {}).get("content", {})
        ref = body.get("application/json", {}).get("schema", {}).get("$ref", "")
        component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
        if field in component.get("properties", {}):
            routes.append(path.replace("{", "<").replace("}", ">").lstrip("/"))
    return routes


def _post_answers(walker: Walker, world: ApiWorld, values: dict[str, list[Any]]) -> None:
    """Submit wrong answers, and run the visible tests of code parts, on every endpoint that
    takes them, in each of the student's attempts and for each question; then mark what was
    queued (so the walk sees marked submissions with feedback)."""
    posts = [(route, "answers") for route in _schema_posts("answers")]
    posts += [(route, "source") for route in _schema_posts("source")]
    assert {field for _, field in posts} == {"answers", "source"}
    for route_text, field in posts:
        route = Route(route_text, None, tuple(m["name"] for m in ROUTE_PARAM.finditer(route_text)))
        for attempt in Attempt.objects.filter(pk__in=values["attempt_id"], student=walker.user):
            filled = {name: values[name][0] for name in route.params} | {"attempt_id": attempt.pk}
            for question in [attempt.question] if attempt.question else world.questions:
                answers = wrong_answers(attempt, question)
                body: dict[str, Any] = {"question": question.slug}
                if field == "answers":
                    body["answers"] = answers
                else:
                    variant = services.attempt_variant(attempt=attempt, question=question)
                    code = [p.label for p in variant.version.parts.all() if p.kind == "code"]
                    if not code:
                        continue
                    body.update(part=code[0], source=answers[code[0]])
                walker.request(
                    "POST",
                    _url(route, filled),
                    data=json.dumps(body),
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
                )
    for submission in Submission.objects.filter(status=Submission.Status.PENDING):
        services.submission_grade(submission_id=submission.pk)


@pytest.fixture
def walk(course, student, other_student, instructor) -> tuple[Walker, list[Route]]:
    world = build_api_world(
        course=course, student=student, instructor=instructor, other_student=other_student
    )
    walker = Walker(world, student)
    values = _param_values(world)
    _post_answers(walker, world, values)
    values = _param_values(world)
    routes = list(_routes(get_resolver().url_patterns))
    for route in routes:
        for filling in _fillings(route, values):
            walker.request("GET", _url(route, filling))
    return walker, routes


@pytest.mark.django_db
@pytest.mark.slow
def test_no_student_facing_reply_contains_an_answer(walk, student):
    walker, routes = walk
    ok = {reply.url for reply in walker.replies if reply.status == 200}
    assert any(url.startswith("/api/v1/submissions/") for url in ok)
    assert any(url.startswith("/api/v1/attempts/") for url in ok)
    assert any(url.startswith("/attempts/") for url in ok)
    posted = [reply for reply in walker.replies if reply.method == "POST"]
    assert {reply.status for reply in posted} == {200, 202}, [(r.url, r.text) for r in posted]

    theirs = Attempt.objects.exclude(student=student).get()
    refused = [r for r in walker.replies if r.url.startswith(f"/api/v1/attempts/{theirs.pk}/")]
    assert refused and all(r.status in (404, 405) for r in refused), refused

    attempts = Attempt.objects.filter(student=student)
    variants = list(Variant.objects.filter(assignments__attempt__in=attempts).distinct())
    submissions = list(Submission.objects.filter(attempt__in=attempts))
    assert all(s.status == Submission.Status.GRADED for s in submissions)
    everyones = list(Variant.objects.filter(assignments__isnull=False).distinct())
    needles = _needles(everyones, _public_text(variants, submissions))
    assert any(str(theirs.assignments.get().variant.pk) in n.what for n in needles)
    assert any(n.what.endswith("exact y") for n in needles), "no numeric reference to look for"
    assert any("reference code" in n.what for n in needles), "no reference code to look for"
    leaks = [
        f"{reply.method} {reply.url} ({reply.status}) shows {needle.what}: {needle.text!r}"
        for reply in walker.replies
        for needle in needles
        if needle.found_in(reply.text)
    ]
    assert not leaks, "answers reach the student:\n" + "\n".join(leaks)


@pytest.mark.django_db
def test_the_admin_refuses_the_student(client, student):
    client.force_login(student)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
