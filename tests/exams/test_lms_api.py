"""The REST resources an LMS scripts with a course API key: enrolments by external id,
attempts for a student, variants, idempotent and limited submissions, marks, regrade."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from exams import services
from exams.models import Attempt, Membership, Submission


@pytest.fixture
def lms(course, course_key, key_client):
    """The course key's client, with alice enrolled as external id `s-alice`."""
    Membership.objects.filter(course=course, user__username="alice").update(external_id="s-alice")
    return key_client(course_key[1])


def _answers(attempt_id: int, question_slug: str = "demo-linear-neuron") -> dict[str, str]:
    attempt = Attempt.objects.get(pk=attempt_id)
    question = attempt.question or attempt.paper.questions.get(slug=question_slug)
    variant = services.attempt_variant(attempt=attempt, question=question)
    return {label: f"{value:.4f}" for label, value in variant.reference["exact"].items()}


@pytest.mark.django_db
def test_enrolment_put_creates_the_user_then_updates_and_delete_removes(course, lms):
    url = "/api/v1/courses/nndl/enrolments/u-1001/"
    created = lms.put(url, {"role": "student", "email": "new@example.org"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["external_id"] == "u-1001" and body["role"] == "student"
    user = get_user_model().objects.get(username=body["username"])
    assert not user.has_usable_password()
    again = lms.put(url, {"role": "instructor"}, format="json")
    assert again.status_code == 200
    assert again.json()["username"] == body["username"] and again.json()["role"] == "instructor"
    listed = lms.get("/api/v1/courses/nndl/enrolments/?role=instructor").json()
    assert [(m["external_id"], m["username"]) for m in listed] == [
        ("", "prof"),
        ("u-1001", body["username"]),
    ]
    assert lms.delete(url).status_code == 204
    assert lms.get(url).status_code == 404
    assert get_user_model().objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_enrolment_refuses_a_username_and_a_bad_role(course, lms):
    response = lms.put(
        "/api/v1/courses/nndl/enrolments/x-bob/",
        {"role": "student", "username": "bob"},
        format="json",
    )
    assert response.status_code == 400
    assert "username" in response.json()["error"]["details"]
    assert Membership.objects.get(course=course, user__username="bob").external_id == ""
    bad = lms.put("/api/v1/courses/nndl/enrolments/u-2/", {"role": "dean"}, format="json")
    assert bad.status_code == 400


@pytest.mark.django_db
def test_a_key_starts_and_resumes_a_question_attempt_for_a_named_student(course, lms, student):
    body = {"question": "demo-linear-neuron", "student": "s-alice"}
    first = lms.post("/api/v1/courses/nndl/attempts/", body, format="json")
    assert first.status_code == 201, first.content
    attempt = first.json()
    assert attempt["student"] == {"external_id": "s-alice", "username": "alice"}
    assert Attempt.objects.get(pk=attempt["id"]).student == student
    resumed = lms.post("/api/v1/courses/nndl/attempts/", body, format="json")
    assert resumed.status_code == 200 and resumed.json()["id"] == attempt["id"]
    fresh = lms.post("/api/v1/courses/nndl/attempts/", {**body, "resume": False}, format="json")
    assert fresh.status_code == 201 and fresh.json()["number"] == 2
    missing = lms.post(
        "/api/v1/courses/nndl/attempts/", {"question": "demo-linear-neuron"}, format="json"
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "student_required"
    unknown = lms.post(
        "/api/v1/courses/nndl/attempts/", {**body, "student": "nobody"}, format="json"
    )
    assert unknown.status_code == 404


@pytest.mark.django_db
def test_a_paper_exam_is_started_once_and_its_variant_has_no_answers(course, lms, make_paper):
    paper = make_paper("Final")
    body = {"paper": paper.slug, "mode": "exam", "student": "s-alice"}
    first = lms.post("/api/v1/courses/nndl/attempts/", body, format="json")
    assert first.status_code == 201, first.content
    again = lms.post("/api/v1/courses/nndl/attempts/", {**body, "resume": False}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    (question,) = first.json()["questions"]
    variant = lms.get(question["variant_url"])
    assert variant.status_code == 200
    assert [p["label"] for p in variant.json()["parts"]] == ["y", "loss"]
    text = variant.content.decode()
    for forbidden in ("reference", "model_answer", "solution", "params"):
        assert forbidden not in text
    for value in _answers(first.json()["id"]).values():
        assert value not in text


@pytest.mark.django_db
def test_a_student_starts_their_own_attempts_and_cannot_name_another(course, lms, student, api_for):
    mine = api_for(student)
    response = mine.post(
        "/api/v1/courses/nndl/attempts/", {"question": "demo-linear-neuron"}, format="json"
    )
    assert response.status_code == 201
    assert Attempt.objects.get(pk=response.json()["id"]).student == student
    Membership.objects.filter(user__username="bob").update(external_id="s-bob")
    other = mine.post(
        "/api/v1/courses/nndl/attempts/",
        {"question": "demo-linear-neuron", "student": "s-bob"},
        format="json",
    )
    assert other.status_code == 404


@pytest.mark.django_db
def test_the_same_idempotency_key_and_body_returns_the_first_submission(course, lms):
    attempt = lms.post(
        "/api/v1/courses/nndl/attempts/",
        {"question": "demo-linear-neuron", "student": "s-alice"},
        format="json",
    ).json()
    url = attempt["submissions_url"]
    answers = _answers(attempt["id"])
    first = lms.post(url, {"answers": answers}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 202, first.content
    again = lms.post(url, {"answers": answers}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    changed = lms.post(
        url, {"answers": {**answers, "y": "0"}}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert changed.status_code == 409
    error = changed.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["details"] == {"submission": first.json()["id"]}
    assert Submission.objects.count() == 1
    other_key = lms.post(url, {"answers": answers}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other_key.status_code == 202
    assert Submission.objects.count() == 2
    bad = lms.post(url, {"answers": answers}, format="json", HTTP_IDEMPOTENCY_KEY="a b")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_idempotency_key"
    status = lms.get(first.json()["status_url"])
    assert status.status_code == 200 and status.json()["status"] == "pending"


@pytest.mark.django_db
def test_idempotency_keys_are_scoped_to_the_attempt_not_shared_across_courses(
    course, lms, student, demo_question, key_client
):
    from api_keys import services as api_key_services
    from exams.models import Course

    other = Course.objects.create(slug="other", title="Other")
    other.questions.add(demo_question)
    Membership.objects.create(course=other, user=student, role="student", external_id="b-1")
    other_lms = key_client(api_key_services.api_key_create(course=other, name="B")[1])
    body = {"question": "demo-linear-neuron"}
    mine = lms.post("/api/v1/courses/nndl/attempts/", {**body, "student": "s-alice"}, format="json")
    theirs = other_lms.post(
        "/api/v1/courses/other/attempts/", {**body, "student": "b-1"}, format="json"
    )
    assert theirs.status_code == 201, theirs.content
    # Course A uses the key first; course B's own first request with it is still stored.
    claimed = lms.post(
        mine.json()["submissions_url"],
        {"answers": {"y": "3", "loss": "3"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="canvas-sub-2",
    )
    assert claimed.status_code == 202
    genuine = other_lms.post(
        theirs.json()["submissions_url"],
        {"answers": {"y": "4", "loss": "4"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="canvas-sub-2",
    )
    assert genuine.status_code == 202, genuine.content
    assert genuine.json()["id"] != claimed.json()["id"]
    # Naming the attempt's own question or leaving it out is the same request.
    named = lms.post(
        mine.json()["submissions_url"],
        {"answers": {"y": "3", "loss": "3"}, "question": "demo-linear-neuron"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="canvas-sub-2",
    )
    assert named.status_code == 200 and named.json()["id"] == claimed.json()["id"]


@pytest.mark.django_db
def test_over_the_courses_submission_limit_is_a_429_with_retry_after_and_nothing_stored(
    course, lms, student, api_for
):
    course.submissions_per_window, course.submission_window_seconds = 2, 600
    course.save()
    attempt = lms.post(
        "/api/v1/courses/nndl/attempts/",
        {"question": "demo-linear-neuron", "student": "s-alice"},
        format="json",
    ).json()
    answers = {"answers": _answers(attempt["id"])}
    for _ in range(2):
        assert lms.post(attempt["submissions_url"], answers, format="json").status_code == 202
    oldest = Submission.objects.order_by("created_at").first()
    Submission.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - timedelta(seconds=500)
    )
    refused = lms.post(attempt["submissions_url"], answers, format="json")
    assert refused.status_code == 429
    retry = int(refused["Retry-After"])
    assert 90 <= retry <= 101  # the oldest leaves the 600 s window 100 s from now
    error = refused.json()["error"]
    assert error["code"] == "submission_limit"
    assert error["details"]["retry_after_s"] == retry
    assert Submission.objects.count() == 2
    # The student's own web session counts against the same limit.
    own = api_for(student).post(attempt["submissions_url"], answers, format="json")
    assert own.status_code == 429
    Submission.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - timedelta(seconds=601)
    )
    assert lms.post(attempt["submissions_url"], answers, format="json").status_code == 202


def _graded(submission: Submission, score: str) -> None:
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.GRADED, score=Decimal(score), graded_at=timezone.now()
    )


@pytest.mark.django_db
def test_marks_list_paper_attempts_with_filters_and_cursor_pages(course, lms, make_paper):
    paper = make_paper("Final", minutes=None)
    Membership.objects.filter(user__username="bob").update(external_id="s-bob")
    ids = {}
    for who in ("s-alice", "s-bob"):
        attempt = lms.post(
            "/api/v1/courses/nndl/attempts/",
            {"paper": paper.slug, "student": who},
            format="json",
        ).json()
        ids[who] = attempt["id"]
        lms.post(
            attempt["submissions_url"],
            {"question": "demo-linear-neuron", "answers": _answers(attempt["id"])},
            format="json",
        )
    _graded(Submission.objects.get(attempt_id=ids["s-alice"]), "2")
    first = lms.get("/api/v1/courses/nndl/marks/?page_size=1")
    assert first.status_code == 200, first.content
    page = first.json()
    assert len(page["results"]) == 1 and page["next"]
    second = lms.get(page["next"]).json()
    seen = {m["student"]["external_id"]: m for m in page["results"] + second["results"]}
    assert set(seen) == {"s-alice", "s-bob"}
    assert seen["s-alice"]["score"] == 2.0 and seen["s-alice"]["max_score"] == 2.0
    assert seen["s-alice"]["status"] == "in_progress" and seen["s-alice"]["results_released"]
    only_bob = lms.get("/api/v1/courses/nndl/marks/?student=s-bob").json()["results"]
    assert [m["attempt"] for m in only_bob] == [ids["s-bob"]]
    later = max(m["updated_at"] for m in seen.values())
    since = lms.get("/api/v1/courses/nndl/marks/", {"updated_since": later}).json()
    assert since["results"] == []
    earlier = (timezone.now() - timedelta(hours=1)).isoformat()
    assert (
        len(lms.get("/api/v1/courses/nndl/marks/", {"updated_since": earlier}).json()["results"])
        == 2
    )
    bad = lms.get("/api/v1/courses/nndl/marks/?updated_since=yesterday")
    assert bad.status_code == 400
    assert lms.get(f"/api/v1/courses/nndl/marks/?paper={paper.slug}").status_code == 200
    assert lms.get("/api/v1/courses/nndl/marks/?paper=nope").status_code == 404


@pytest.mark.django_db
def test_marks_hold_an_open_exam_sittings_score_until_it_closes(course, lms, make_paper, student):
    paper = make_paper("Final", minutes=None)
    attempt = lms.post(
        "/api/v1/courses/nndl/attempts/",
        {"paper": paper.slug, "student": "s-alice", "mode": "exam"},
        format="json",
    ).json()
    lms.post(
        attempt["submissions_url"],
        {"question": "demo-linear-neuron", "answers": _answers(attempt["id"])},
        format="json",
    )
    _graded(Submission.objects.get(attempt_id=attempt["id"]), "2")
    (mark,) = lms.get("/api/v1/courses/nndl/marks/").json()["results"]
    assert (mark["score"], mark["results_released"]) == (None, False)
    assert mark["status"] == "in_progress"
    services.attempt_finish(attempt=Attempt.objects.get(pk=attempt["id"]), student=student)
    (mark,) = lms.get("/api/v1/courses/nndl/marks/").json()["results"]
    assert (mark["score"], mark["results_released"]) == (2.0, True)


@pytest.mark.django_db
def test_regrade_queues_marked_submissions_and_skips_those_being_marked(course, lms):
    attempt = lms.post(
        "/api/v1/courses/nndl/attempts/",
        {"question": "demo-linear-neuron", "student": "s-alice"},
        format="json",
    ).json()
    answers = {"answers": _answers(attempt["id"])}
    done = lms.post(attempt["submissions_url"], answers, format="json").json()["id"]
    waiting = lms.post(attempt["submissions_url"], answers, format="json").json()["id"]
    _graded(Submission.objects.get(pk=done), "1")
    response = lms.post(
        "/api/v1/courses/nndl/regrade/", {"question": "demo-linear-neuron"}, format="json"
    )
    assert response.status_code == 202, response.content
    assert response.json() == {"queued": 1, "skipped_in_progress": 1, "submission_ids": [done]}
    assert Submission.objects.get(pk=done).status == Submission.Status.PENDING
    assert Submission.objects.get(pk=waiting).status == Submission.Status.PENDING
    one = lms.post("/api/v1/courses/nndl/regrade/", {"submission": done}, format="json")
    assert one.status_code == 202 and one.json()["queued"] == 0
    neither = lms.post("/api/v1/courses/nndl/regrade/", {}, format="json")
    assert neither.status_code == 400


@pytest.mark.django_db
def test_question_detail_shows_reference_answers_to_the_key_and_instructors_only(
    course, lms, student, instructor, api_for
):
    url = "/api/v1/courses/nndl/questions/demo-linear-neuron/"
    for client in (lms, api_for(instructor)):
        body = client.get(url).json()
        assert "solution_template" in body and "model_answer" in body["parts"][0]
    body = api_for(student).get(url).json()
    assert [p["label"] for p in body["parts"]] == ["y", "loss"]
    assert "solution_template" not in body
    assert all(set(p) == {"label", "kind", "marks", "quantity"} for p in body["parts"])


@pytest.mark.django_db
def test_course_and_papers_are_listed_for_the_key(course, lms, make_paper):
    make_paper("Final")
    detail = lms.get("/api/v1/courses/nndl/").json()
    assert detail["role"] == "api_key" and detail["submissions_per_window"] == 100
    (paper,) = lms.get("/api/v1/courses/nndl/papers/").json()
    assert paper["questions"][0]["question"] == "demo-linear-neuron"
    assert lms.get(f"/api/v1/courses/nndl/papers/{paper['slug']}/").json() == paper
    assert lms.get("/api/v1/courses/nndl/questions/").status_code == 200


@pytest.mark.django_db
def test_the_roster_never_changes_the_email_of_an_account_it_did_not_create(course, lms, student):
    student.email = "alice@example.org"
    student.save()
    response = lms.put(
        "/api/v1/courses/nndl/enrolments/s-alice/",
        {"role": "student", "email": "attacker@example.org"},
        format="json",
    )
    assert response.status_code == 200
    student.refresh_from_db()
    assert student.email == "alice@example.org"


@pytest.mark.django_db
def test_the_web_form_shows_the_courses_submission_limit_and_keeps_the_answers(
    course, student, api_for
):
    from django.test import Client

    course.submissions_per_window = 1
    course.save()
    attempt = api_for(student).post(
        "/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json"
    )
    client = Client()
    client.force_login(student)

    def submit(y: str) -> str:
        return client.post(
            f"/attempts/{attempt.json()['id']}/submit/",
            {"question": "demo-linear-neuron", "answer_y": y, "answer_loss": "0.25"},
            follow=True,
        ).content.decode()

    submit("0.5")
    page = submit("0.777")
    assert "the course allows 1; nothing was submitted. Submit again in" in page
    assert 'value="0.777"' in page
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_part_left_out_keeps_its_last_answer_and_all_empty_is_refused(course, lms):
    attempt = lms.post(
        "/api/v1/courses/nndl/attempts/",
        {"question": "demo-linear-neuron", "student": "s-alice"},
        format="json",
    ).json()
    answers = _answers(attempt["id"])
    response = lms.post(attempt["submissions_url"], {"answers": {"y": answers["y"]}}, format="json")
    assert response.status_code == 202, response.content
    response = lms.post(
        attempt["submissions_url"], {"answers": {"loss": answers["loss"]}}, format="json"
    )
    assert response.status_code == 202, response.content
    assert Submission.objects.latest("pk").answers == answers
    response = lms.post(attempt["submissions_url"], {"answers": {"loss": " "}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_answers"
    assert Submission.objects.count() == 2


@pytest.mark.django_db
def test_students_and_instructors_get_a_403_that_says_what_they_cannot_do(
    course, lms, student, instructor, api_for
):
    for path in ("enrolments/", "regrade/"):
        response = api_for(student).get(f"/api/v1/courses/nndl/{path}")
        if path == "regrade/":
            response = api_for(student).post(
                "/api/v1/courses/nndl/regrade/", {"question": "demo-linear-neuron"}, format="json"
            )
        assert response.status_code == 403, response.content
        error = response.json()["error"]
        assert error["code"] == "instructors_only" and "instructors" in error["message"]
    assert api_for(student).get("/api/v1/courses/other/enrolments/").status_code == 404
    attempt = lms.post(
        "/api/v1/courses/nndl/attempts/",
        {"question": "demo-linear-neuron", "student": "s-alice"},
        format="json",
    ).json()
    response = api_for(instructor).post(
        attempt["submissions_url"], {"answers": _answers(attempt["id"])}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_your_attempt"
    assert "API key" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_the_attempt_detail_has_the_fields_of_the_list_and_no_link_a_key_cannot_use(
    course, lms, student, api_for
):
    started = lms.post(
        "/api/v1/courses/nndl/attempts/",
        {"question": "demo-linear-neuron", "student": "s-alice"},
        format="json",
    ).json()
    (listed,) = lms.get("/api/v1/courses/nndl/attempts/").json()["results"]
    detail = lms.get(started["url"]).json()
    for field, value in listed.items():
        if field == "questions":
            continue
        assert detail[field] == value, field
    for in_list, in_detail in zip(listed["questions"], detail["questions"], strict=True):
        assert {k: in_detail[k] for k in in_list} == in_list
    assert "solution_url" not in detail
    assert "solution_url" in api_for(student).get(started["url"]).json()
