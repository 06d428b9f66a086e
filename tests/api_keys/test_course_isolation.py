"""Authorization: a key of course A neither reads nor writes course B (not found, never a
leak); a student never reads another student's attempts, submissions or marks; no
student-facing payload of the LMS resources carries an answer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from exams import services
from exams.models import Attempt, Course, Membership, Submission


@pytest.fixture
def other_course(db, demo_question):
    """Course B: its own student (external id c-1), paper, attempt and submission."""
    course = Course.objects.create(slug="secret-course", title="Secret Course B")
    course.questions.add(demo_question)
    carol = get_user_model().objects.create_user(username="carol", password="pw-carol")
    Membership.objects.create(course=course, user=carol, role="student", external_id="c-1")
    paper = services.paper_create(
        course=course,
        title="Secret paper",
        time_limit_minutes=None,
        use_original_numbers=False,
        items=[(demo_question, Decimal("2"))],
    )
    attempt = services.attempt_start_paper(student=carol, paper=paper, mode="practice")
    variant = services.attempt_variant(attempt=attempt, question=demo_question)
    answers = {label: "1" for label in variant.reference["exact"]}
    submission = services.submission_create(
        attempt=attempt, student=carol, answers=answers, question=demo_question
    )
    return {"course": course, "paper": paper, "attempt": attempt, "submission": submission}


def _b_requests(b: dict) -> list[tuple[str, str, dict | None]]:
    attempt, submission = b["attempt"], b["submission"]
    base = "/api/v1/courses/secret-course"
    return [
        ("get", f"{base}/", None),
        ("get", f"{base}/questions/", None),
        ("get", f"{base}/questions/demo-linear-neuron/", None),
        ("get", f"{base}/papers/", None),
        ("get", f"{base}/papers/{b['paper'].slug}/", None),
        ("get", f"{base}/enrolments/", None),
        ("get", f"{base}/enrolments/c-1/", None),
        ("put", f"{base}/enrolments/c-1/", {"role": "instructor"}),
        ("put", f"{base}/enrolments/new-1/", {"role": "student"}),
        ("delete", f"{base}/enrolments/c-1/", None),
        ("get", f"{base}/attempts/", None),
        ("post", f"{base}/attempts/", {"paper": b["paper"].slug, "student": "c-1"}),
        ("get", f"{base}/marks/", None),
        ("post", f"{base}/regrade/", {"paper": b["paper"].slug}),
        ("get", f"/api/v1/attempts/{attempt.pk}/", None),
        ("get", f"/api/v1/attempts/{attempt.pk}/questions/demo-linear-neuron/variant/", None),
        ("post", f"/api/v1/attempts/{attempt.pk}/submissions/", {"answers": {"y": "1"}}),
        ("get", f"/api/v1/submissions/{submission.pk}/", None),
        ("post", "/api/v1/courses/nndl/regrade/", {"submission": submission.pk}),
    ]


@pytest.mark.django_db
def test_a_key_of_course_a_gets_not_found_for_everything_of_course_b(
    course, course_key, key_client, other_course
):
    client = key_client(course_key[1])
    before = (
        Membership.objects.filter(course=other_course["course"]).count(),
        Attempt.objects.filter(course=other_course["course"]).count(),
        Submission.objects.filter(attempt__course=other_course["course"]).count(),
    )
    status_before = Submission.objects.get(pk=other_course["submission"].pk).status
    for method, url, body in _b_requests(other_course):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.content)
        text = response.content.decode()
        assert "Secret Course B" not in text and "carol" not in text, (url, text)
    after = (
        Membership.objects.filter(course=other_course["course"]).count(),
        Attempt.objects.filter(course=other_course["course"]).count(),
        Submission.objects.filter(attempt__course=other_course["course"]).count(),
    )
    assert after == before
    assert Membership.objects.get(external_id="c-1").role == "student"
    assert Submission.objects.get(pk=other_course["submission"].pk).status == status_before
    assert [c["slug"] for c in client.get("/api/v1/courses/").json()] == ["nndl"]


@pytest.mark.django_db
def test_an_outsider_user_is_refused_course_b_the_same_way(
    course, instructor, api_for, other_course
):
    client = api_for(instructor)  # an instructor of course A only
    for method, url, body in _b_requests(other_course)[:-1]:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.content)


@pytest.mark.django_db
def test_students_cannot_reach_the_roster_regrade_or_another_students_work(
    course, course_key, key_client, student, other_student, api_for, make_paper
):
    Membership.objects.filter(user=student).update(external_id="s-alice")
    Membership.objects.filter(user=other_student).update(external_id="s-bob")
    paper = make_paper("Final", minutes=None)
    lms = key_client(course_key[1])
    bobs = lms.post(
        "/api/v1/courses/nndl/attempts/", {"paper": paper.slug, "student": "s-bob"}, format="json"
    ).json()
    variant = services.attempt_variant(
        attempt=Attempt.objects.get(pk=bobs["id"]), question=paper.questions.get()
    )
    answers = {label: "1" for label in variant.reference["exact"]}
    submitted = lms.post(
        bobs["submissions_url"],
        {"question": "demo-linear-neuron", "answers": answers},
        format="json",
    ).json()
    alice = api_for(student)
    for method, url, body in [
        ("get", f"/api/v1/attempts/{bobs['id']}/", None),
        ("get", f"/api/v1/attempts/{bobs['id']}/questions/demo-linear-neuron/variant/", None),
        ("post", f"/api/v1/attempts/{bobs['id']}/submissions/", {"answers": answers}),
        ("get", f"/api/v1/submissions/{submitted['id']}/", None),
        ("get", "/api/v1/courses/nndl/attempts/?student=s-bob", None),
        ("get", "/api/v1/courses/nndl/marks/?student=s-bob", None),
        ("get", "/api/v1/courses/nndl/enrolments/", None),
        ("get", "/api/v1/courses/nndl/enrolments/s-bob/", None),
        ("put", "/api/v1/courses/nndl/enrolments/s-alice/", {"role": "instructor"}),
        ("post", "/api/v1/courses/nndl/regrade/", {"paper": paper.slug}),
    ]:
        response = getattr(alice, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.content)
    assert Membership.objects.get(user=student).role == "student"
    assert alice.get("/api/v1/courses/nndl/attempts/").json()["results"] == []
    assert alice.get("/api/v1/courses/nndl/marks/").json()["results"] == []


@pytest.mark.django_db
def test_no_student_facing_payload_of_the_lms_resources_carries_an_answer(
    course, student, api_for, make_paper
):
    Membership.objects.filter(user=student).update(external_id="s-alice")
    paper = make_paper("Final")
    client = api_for(student)
    started = client.post(
        "/api/v1/courses/nndl/attempts/", {"paper": paper.slug, "mode": "exam"}, format="json"
    )
    assert started.status_code == 201
    attempt = Attempt.objects.get(pk=started.json()["id"])
    variant = services.attempt_variant(attempt=attempt, question=paper.questions.get())
    answers = {label: "0.5" for label in variant.reference["exact"]}
    client.post(
        started.json()["submissions_url"],
        {"question": "demo-linear-neuron", "answers": answers},
        format="json",
    )
    Submission.objects.update(status="graded", score=1, graded_at=attempt.started_at)
    bodies = [
        started.content,
        client.get("/api/v1/courses/nndl/").content,
        client.get("/api/v1/courses/nndl/papers/").content,
        client.get("/api/v1/courses/nndl/questions/demo-linear-neuron/").content,
        client.get("/api/v1/courses/nndl/attempts/").content,
        client.get(started.json()["questions"][0]["variant_url"]).content,
        client.get("/api/v1/courses/nndl/marks/").content,
    ]
    references = [
        text
        for value in variant.reference["exact"].values()
        for text in (f"{value:.4f}", f"{value:.3f}", repr(value))
    ]
    for body in bodies:
        text = body.decode()
        for forbidden in ("reference", "model_answer", "solution_template", "rubric"):
            assert forbidden not in text
        for value in references:
            assert value not in text
    (mark,) = client.get("/api/v1/courses/nndl/marks/").json()["results"]
    assert mark["score"] is None  # an open exam's marks are not released to the student
