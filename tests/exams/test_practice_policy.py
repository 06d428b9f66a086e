"""Practice as examiners expect: the worked solution is shown when the student asks (after a
marked answer), and answers on those numbers are not scored after it."""

from __future__ import annotations

import pytest

from exams import services
from exams.errors import ApplicationError
from exams.models import Submission, VariantAssignment


def _answers(variant, *, off: float = 0.0) -> dict[str, str]:
    return {label: f"{value + off:.2f}" for label, value in variant.reference["exact"].items()}


def _start(api, slug: str) -> dict:
    response = api.post("/api/v1/attempts/", {"question": slug}, format="json")
    assert response.status_code == 201
    return response.json()


def _submit_and_grade(api, attempt_id: int, answers: dict, question: str | None = None) -> dict:
    body = {"answers": answers, **({"question": question} if question else {})}
    accepted = api.post(f"/api/v1/attempts/{attempt_id}/submissions/", body, format="json")
    assert accepted.status_code == 202, accepted.content
    services.submission_grade(submission_id=accepted.json()["id"])
    return api.get(accepted.json()["status_url"]).json()


@pytest.mark.django_db
def test_the_solution_is_not_shown_until_the_student_asks(course, student, demo_question, api_for):
    api = api_for(student)
    attempt = _start(api, demo_question.slug)
    assert attempt["questions"][0]["state"]["solution_status"] == "not_yet"
    early = api.post(f"/api/v1/attempts/{attempt['id']}/solution/", {}, format="json")
    assert early.status_code == 409 and early.json()["error"]["code"] == "answer_first"

    variant = VariantAssignment.objects.get(attempt_id=attempt["id"]).variant
    result = _submit_and_grade(api, attempt["id"], _answers(variant, off=1.0))
    assert result["score"] == 0.0 and result["feedback"]
    assert "solution_html" not in result and result["solution_status"] == "on_request"
    assert VariantAssignment.objects.get().solution_shown_at is None

    # retrying on the same numbers is scored as long as the solution stays hidden
    again = _submit_and_grade(api, attempt["id"], _answers(variant))
    assert again["score"] == 2.0 and "solution_html" not in again


@pytest.mark.django_db
def test_after_the_solution_is_shown_answers_on_those_numbers_are_refused(
    course, student, demo_question, api_for
):
    api = api_for(student)
    attempt = _start(api, demo_question.slug)
    variant = VariantAssignment.objects.get(attempt_id=attempt["id"]).variant
    first = _submit_and_grade(api, attempt["id"], _answers(variant, off=1.0))

    shown = api.post(f"/api/v1/attempts/{attempt['id']}/solution/", {}, format="json")
    assert shown.status_code == 200
    body = shown.json()
    assert body["solution_html"] and body["question"] == demo_question.slug
    stamp = VariantAssignment.objects.get().solution_shown_at
    assert stamp is not None and body["solution_shown_at"] == stamp.isoformat()
    assert api.post(f"/api/v1/attempts/{attempt['id']}/solution/", {}).status_code == 200
    assert VariantAssignment.objects.get().solution_shown_at == stamp  # the first time stands

    assert "solution_html" in api.get(f"/api/v1/submissions/{first['id']}/").json()
    state = api.get(f"/api/v1/attempts/{attempt['id']}/").json()["questions"][0]["state"]
    assert state["solution_status"] == "shown" and not state["answerable"]
    refused = api.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/",
        {"answers": _answers(variant)},
        format="json",
    )
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "solution_shown" and "Try a new variant" in error["message"]
    assert Submission.objects.count() == 1

    fresh = _start(api, demo_question.slug)
    fresh_variant = VariantAssignment.objects.get(attempt_id=fresh["id"]).variant
    assert fresh_variant.pk != variant.pk
    assert _submit_and_grade(api, fresh["id"], _answers(fresh_variant))["score"] == 2.0


@pytest.mark.django_db
def test_the_web_page_offers_the_solution_button_then_a_new_variant(
    client, course, student, demo_question
):
    client.force_login(student)
    client.get(f"/courses/{course.slug}/questions/{demo_question.slug}/")
    attempt = student.attempts.get()
    variant = services.attempt_variant(attempt=attempt)
    url = f"/attempts/{attempt.pk}/"
    fields = {f"answer_{label}": text for label, text in _answers(variant, off=1.0).items()}
    page = client.get(url).content.decode()
    assert 'class="reveal-form" method="post" action="/attempts/' in page
    assert f'action="{url}solution/" hidden' in page  # nothing marked yet

    early = client.post(f"{url}solution/", {"question": demo_question.slug}, follow=True)
    assert "Submit an answer and let it be marked" in early.content.decode()
    assert VariantAssignment.objects.get().solution_shown_at is None

    client.post(f"{url}submit/", {"question": demo_question.slug, **fields})
    services.submission_grade(submission_id=Submission.objects.get().pk)
    page = client.get(url).content.decode()
    assert f'action="{url}solution/" >' in page or f'action="{url}solution/">' in page
    assert "Show worked solution" in page and '<section class="solution" hidden>' in page

    shown = client.post(f"{url}solution/", {"question": demo_question.slug}, follow=True)
    text = shown.content.decode()
    assert '<section class="solution" >' in text or '<section class="solution">' in text
    assert "answers on them are no longer scored" in text
    assert "Submit answers" not in text and "Try a new variant" in text

    resubmitted = client.post(
        f"{url}submit/", {"question": demo_question.slug, **fields}, follow=True
    )
    assert "You have seen the worked solution" in resubmitted.content.decode()
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_practice_paper_reveals_per_question_and_offers_that_question_on_new_numbers(
    client, course, student, demo_question, make_paper
):
    paper = make_paper("Practice set", minutes=None, original=True)
    attempt = services.attempt_start_paper(student=student, paper=paper, mode="practice")
    variant = services.attempt_variant(attempt=attempt, question=demo_question)
    submission = services.submission_create(
        attempt=attempt, student=student, answers=_answers(variant), question=demo_question
    )
    services.submission_grade(submission_id=submission.pk)
    with pytest.raises(ApplicationError, match="Name the question"):
        services.solution_reveal(attempt=attempt, student=student)
    services.solution_reveal(attempt=attempt, student=student, question=demo_question)
    with pytest.raises(ApplicationError) as refused:
        services.submission_create(
            attempt=attempt, student=student, answers=_answers(variant), question=demo_question
        )
    assert refused.value.code == "solution_shown" and refused.value.status == 409
    client.force_login(student)
    page = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert "Practise this question on new numbers" in page
    assert f"/courses/{course.slug}/questions/{demo_question.slug}/new/" in page


@pytest.mark.django_db
def test_in_an_exam_the_solution_waits_for_the_end_and_no_one_else_may_reveal_it(
    course, student, other_student, demo_question, make_paper
):
    paper = make_paper("Exam")
    sitting = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    with pytest.raises(ApplicationError) as early:
        services.solution_reveal(attempt=sitting, student=student, question=demo_question)
    assert early.value.code == "exam_open"
    with pytest.raises(ApplicationError) as foreign:
        services.solution_reveal(attempt=sitting, student=other_student, question=demo_question)
    assert foreign.value.status == 403
    services.attempt_finish(attempt=sitting, student=student)
    shown = services.solution_reveal(attempt=sitting, student=student, question=demo_question)
    assert shown.solution_shown_at is not None
