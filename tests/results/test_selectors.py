"""The results statistics over hand-built submissions: what counts, medians, wrong answers."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from exams.models import Submission
from results import selectors
from results.selectors import ResultsFilter
from tests.results.world import part, question_attempt, submit

ALL = ResultsFilter()


def _results(course, filters=ALL):
    return selectors.question_results(
        course=course, question=course.questions.get(), filters=filters
    )


def _parts(results):
    return {p.label: p for p in results.parts}


@pytest.mark.django_db
def test_only_the_latest_submission_of_an_attempt_counts_and_only_when_marked(
    course, student, other_student
):
    first = question_attempt(course, student)
    submit(
        first,
        answers={"y": "1", "loss": "1"},
        feedback={"y": part(0, "incorrect"), "loss": part(0, "incorrect")},
    )
    submit(
        first,
        answers={"y": "3.8", "loss": "1.44"},
        feedback={"y": part(1, "correct"), "loss": part(1, "correct")},
    )
    waiting = question_attempt(course, other_student)
    submit(
        waiting,
        answers={"y": "2", "loss": "2"},
        feedback={"y": part(0, "incorrect"), "loss": part(0, "incorrect")},
    )
    submit(waiting, answers={"y": "3.8", "loss": "2"}, status=Submission.Status.PENDING)
    failed = question_attempt(course, other_student)
    submit(failed, answers={"y": "3.8", "loss": "2"}, status=Submission.Status.ERROR)
    grading = question_attempt(course, student)
    submit(grading, answers={"y": "3.8", "loss": "2"}, status=Submission.Status.GRADING)

    results = _results(course)

    assert results.scores == [2.0]
    assert (results.awaiting, results.failed) == (2, 1)
    assert _parts(results)["y"].scores == [1.0]
    assert _parts(results)["y"].wrong_answers == {}


@pytest.mark.django_db
def test_means_and_medians_with_an_even_count(course, student, other_student):
    for who, y_score in [
        (student, 0.0),
        (student, 1.0),
        (other_student, 1.0),
        (other_student, 0.5),
    ]:
        attempt = question_attempt(course, who)
        status = {0.0: "incorrect", 0.5: "partially_correct", 1.0: "correct"}[y_score]
        submit(
            attempt,
            answers={"y": "3", "loss": "1"},
            feedback={"y": part(y_score, status), "loss": part(0, "incorrect")},
        )

    results = _results(course)
    y = _parts(results)["y"]

    assert y.median == 0.75
    assert y.mean == 0.625
    assert y.share_correct == 0.5
    assert results.median == 0.75
    assert [b.count for b in results.bins] == [1, 0, 1, 0, 0, 2, 0, 0, 0, 0]
    assert selectors.median([]) is None
    assert [b.count for b in selectors.distribution([0.3, 1.0, 1.2, -1])] == [
        1,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        2,
    ]


@pytest.mark.django_db
def test_common_wrong_answers_are_normalised_and_counted(course, student, other_student):
    wrong = ["[1, 2]", "[1,2] ", "  [1 ,2]", "ABC", "abc", "", "3.80"]
    statuses = ["incorrect"] * 5 + ["incorrect", "correct"]
    for text, status in zip(wrong, statuses, strict=True):
        attempt = question_attempt(course, student)
        score = 1.0 if status == "correct" else 0.0
        submit(
            attempt,
            answers={"y": text, "loss": "1"},
            feedback={"y": part(score, status), "loss": part(0, "incorrect")},
        )

    y = _parts(_results(course))["y"]

    assert y.top_wrong_answers == [("[1,2]", 3), ("abc", 2)]
    assert y.unanswered == 1
    assert y.marked == 7
    assert selectors.answer_normalised("  Sum( x ;  y )  ") == "sum(x;y)"


@pytest.mark.django_db
def test_named_mistakes_failed_tests_manual_parts_and_marking_time(course, student):
    feedback = [
        {"y": part(0, "incorrect", mistakes=("bias forgotten",)), "loss": part(0, "needs_manual")},
        {
            "y": part(0, "incorrect", mistakes=("bias forgotten", "sign")),
            "loss": part(1, "correct"),
        },
        {
            "y": part(
                0,
                "incorrect",
                details=({"name": "shape", "passed": False}, {"name": "values", "passed": True}),
            ),
            "loss": part(1, "correct"),
        },
    ]
    for seconds, fb in zip([1.0, 3.0, 10.0], feedback, strict=True):
        submit(
            question_attempt(course, student),
            answers={"y": "1", "loss": "1"},
            feedback=fb,
            marking_s=seconds,
        )

    results = _results(course)
    y, loss = _parts(results)["y"], _parts(results)["loss"]

    assert y.top_mistakes == [("bias forgotten", 2), ("sign", 1)]
    assert y.top_failed_tests == [("shape", 1)]
    assert (loss.needs_manual, loss.marked) == (1, 2)
    assert results.median_marking_seconds == 3.0
    assert y.display_label == "(a)"


@pytest.mark.django_db
def test_filters_by_date_inclusive_and_by_student(course, student, other_student):
    def at(day):
        return timezone.make_aware(datetime(2026, 3, day, 12, 0))

    for who, day in [(student, 1), (student, 5), (other_student, 5), (student, 9)]:
        submit(
            question_attempt(course, who),
            answers={"y": "1", "loss": "1"},
            feedback={"y": part(day / 10, "incorrect"), "loss": part(0, "incorrect")},
            at=at(day),
        )

    period = ResultsFilter(date_from=date(2026, 3, 5), date_to=date(2026, 3, 9))
    assert sorted(_parts(_results(course, period))["y"].scores) == [0.5, 0.5, 0.9]
    alone = ResultsFilter(date_to=date(2026, 3, 5), student=student)
    assert sorted(_parts(_results(course, alone))["y"].scores) == [0.1, 0.5]


@pytest.mark.django_db
def test_paper_totals_scale_to_the_papers_marks_and_leave_out_unmarked_attempts(
    course, student, other_student, make_paper
):
    from exams import services

    paper = make_paper(minutes=None)
    paper.items.update(marks=10)
    marked = services.attempt_start_paper(student=student, paper=paper, mode="practice")
    question = course.questions.get()
    submit(
        marked,
        question=question,
        answers={"y": "1", "loss": "1"},
        feedback={"y": part(1, "correct"), "loss": part(0, "incorrect")},
    )
    waiting = services.attempt_start_paper(student=other_student, paper=paper, mode="practice")
    submit(
        waiting,
        question=question,
        answers={"y": "1", "loss": "1"},
        status=Submission.Status.PENDING,
    )

    results = selectors.paper_results(course=course, paper=paper, filters=ALL)

    assert results.totals == [5.0]
    assert results.incomplete == 1
    assert results.out_of == 10.0
    question_results, marks = results.questions[0]
    assert (question_results.marked, question_results.awaiting, marks) == (1, 1, 10.0)
    assert [b.count for b in results.bins][5] == 1
