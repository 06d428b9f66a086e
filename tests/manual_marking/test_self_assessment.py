"""Self-assessment: practice only, for parts whose question allows it, once the worked
solution is shown; it counts until an instructor marks the part."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from exams import services as exam_services
from exams.errors import ApplicationError
from exams.models import Submission
from manual_marking import services
from manual_marking.models import ManualMark
from tests.manual_marking.conftest import TEXT_PART, answer

NOT_SELF_ASSESSED = "more_data"  # free text, but the question leaves it to the instructor


def assess(submission, student, score="2", label=TEXT_PART):
    return services.manual_mark_self_assess(
        submission=submission, part_label=label, score=Decimal(score), student=student
    )


@pytest.fixture
def shown(practice, student, marked) -> Submission:
    exam_services.solution_reveal(attempt=practice, student=student)
    return marked


@pytest.mark.django_db
def test_after_the_solution_is_shown_the_student_marks_their_answer_and_it_counts(shown, student):
    assess(shown, student, "1.5")

    submission = Submission.objects.get(pk=shown.pk)
    part = submission.feedback[TEXT_PART]
    assert part["score"] == 1.5 and part["marked_by"]["source"] == "self"
    assert part["feedback"].startswith("Self-assessed")
    assert submission.score == shown.score + Decimal("1.5")
    assess(shown, student, "2")  # they may change their mind
    assert ManualMark.objects.filter(current=True).get().score == 2


@pytest.mark.django_db
def test_not_before_the_worked_solution_is_shown(marked, student):
    with pytest.raises(ApplicationError) as refused:
        assess(marked, student)
    assert refused.value.code == "self_assessment_not_allowed"
    assert "Show the worked solution first" in refused.value.message


@pytest.mark.django_db
def test_only_parts_whose_question_allows_it(shown, student):
    with pytest.raises(ApplicationError) as refused:
        assess(shown, student, label=NOT_SELF_ASSESSED)
    assert "your instructor marks it" in refused.value.message


@pytest.mark.django_db
def test_only_in_practice(student, short_paper):
    attempt = exam_services.attempt_start_paper(student=student, paper=short_paper, mode="exam")
    submission = answer(attempt, student)
    exam_services.attempt_finish(attempt=attempt, student=student)
    with pytest.raises(ApplicationError) as refused:
        assess(submission, student)
    assert "practice only" in refused.value.message


@pytest.mark.django_db
def test_only_ones_own_answer(shown, other_student):
    with pytest.raises(ApplicationError) as refused:
        assess(shown, other_student)
    assert "your own answers" in refused.value.message


@pytest.mark.django_db
def test_attempt_page_offers_the_form_only_once_the_solution_is_shown(
    client, student, practice, marked
):
    client.force_login(student)
    page = reverse("frontend:attempt", kwargs={"attempt_id": practice.pk})
    before = client.get(page).content.decode()
    assert "Assess your answer" not in before and "Xavier or Kaiming" not in before

    exam_services.solution_reveal(attempt=practice, student=student)
    after = client.get(page).content.decode()
    # same_init only: the other flagged parts were left blank, the rest are not flagged
    assert after.count('class="self-assessment-form"') == 1
    assert "Xavier or Kaiming" in after and "identical neurons get identical gradients" in after

    response = client.post(
        reverse("manual_marking:self-assessment", kwargs={"attempt_id": practice.pk}),
        {"submission": marked.pk, "part": TEXT_PART, "score": "1"},
    )
    assert response.status_code == 302 and response["Location"].endswith(
        f"#q-{practice.question.slug}"
    )
    shown = client.get(page).content.decode()
    assert "Your mark for part (a)(iii) is saved" in shown
    assert "You gave yourself 1 / 2" in shown
    bad = client.post(
        reverse("manual_marking:self-assessment", kwargs={"attempt_id": practice.pk}),
        {"submission": marked.pk, "part": TEXT_PART, "score": "7"},
    )
    assert bad.status_code == 302
    assert "worth 2 marks" in client.get(page).content.decode()


@pytest.mark.django_db
def test_another_students_attempt_is_not_found(client, other_student, practice, marked):
    client.force_login(other_student)
    response = client.post(
        reverse("manual_marking:self-assessment", kwargs={"attempt_id": practice.pk}),
        {"submission": marked.pk, "part": TEXT_PART, "score": "1"},
    )
    assert response.status_code == 404
    assert not ManualMark.objects.exists()
