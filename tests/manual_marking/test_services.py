"""Applying marks given by hand: the submission's feedback and score, history, overrides,
bounds, concurrent marking, re-marking, and the follow-ups (signal)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from exams import selectors as exam_selectors
from exams import services as exam_services
from exams.errors import ApplicationError
from exams.models import Submission
from exams.signals import submission_marked
from manual_marking import services
from manual_marking.models import ManualMark
from tests.manual_marking.conftest import TEXT_PART, answer

INSTRUCTOR = ManualMark.Source.INSTRUCTOR
SELF = ManualMark.Source.SELF


def give(submission, who, score, *, expected=None, source=INSTRUCTOR, comment="", label=TEXT_PART):
    return services.manual_mark_create(
        submission=submission,
        part_label=label,
        score=Decimal(score),
        comment=comment,
        marked_by=who,
        source=source,
        expected_mark_id=expected,
    )


@pytest.mark.django_db
def test_a_mark_updates_the_parts_feedback_and_the_score(marked, instructor):
    before = Submission.objects.get(pk=marked.pk)
    assert before.feedback[TEXT_PART]["status"] == "needs_manual"

    mark = give(marked, instructor, "1.5", comment="Symmetry, yes; say why it is bad.")

    after = Submission.objects.get(pk=marked.pk)
    part = after.feedback[TEXT_PART]
    assert part["status"] == "partially_correct" and part["score"] == 1.5
    assert part["max_score"] == 2.0
    assert "Symmetry, yes; say why it is bad." in part["feedback"]
    assert part["marked_by"]["source"] == "instructor" and part["marked_by"]["name"] == "prof"
    assert after.score == before.score + Decimal("1.5")
    assert after.graded_at > before.graded_at
    assert mark.current and ManualMark.objects.get().pk == mark.pk


@pytest.mark.django_db
@pytest.mark.parametrize(("score", "status"), [("2", "correct"), ("0", "incorrect")])
def test_status_follows_the_score(marked, instructor, score, status):
    give(marked, instructor, score)
    assert Submission.objects.get(pk=marked.pk).feedback[TEXT_PART]["status"] == status


@pytest.mark.django_db
def test_a_new_mark_replaces_the_current_one_and_history_is_kept(marked, instructor, make_user):
    first = give(marked, instructor, "1")
    other = make_user("second-marker")
    second = give(marked, other, "2", expected=first.pk)

    marks = list(ManualMark.objects.order_by("pk"))
    assert [m.pk for m in marks] == [first.pk, second.pk]
    assert [m.current for m in marks] == [False, True]
    submission = Submission.objects.get(pk=marked.pk)
    assert submission.feedback[TEXT_PART]["score"] == 2.0
    assert submission.score == marked.score + 2


@pytest.mark.django_db
def test_an_instructor_mark_overrides_a_self_assessment_which_cannot_come_back(
    marked, instructor, student
):
    own = give(marked, student, "2", source=SELF)
    assert Submission.objects.get(pk=marked.pk).feedback[TEXT_PART]["marked_by"]["source"] == "self"

    give(marked, instructor, "1", expected=own.pk)

    assert Submission.objects.get(pk=marked.pk).feedback[TEXT_PART]["score"] == 1.0
    current = ManualMark.objects.get(current=True)
    with pytest.raises(ApplicationError) as refused:
        give(marked, student, "2", source=SELF, expected=current.pk)
    assert refused.value.code == "instructor_marked"


@pytest.mark.django_db
@pytest.mark.parametrize("score", ["2.5", "-0.5"])
def test_a_mark_outside_the_parts_marks_is_refused(marked, instructor, score):
    with pytest.raises(ApplicationError) as refused:
        give(marked, instructor, score)
    assert refused.value.code == "invalid_score" and "between 0 and 2" in refused.value.message
    assert not ManualMark.objects.exists()


@pytest.mark.django_db
def test_automatically_marked_parts_cannot_be_marked_by_hand(marked, instructor):
    with pytest.raises(ApplicationError) as refused:
        give(marked, instructor, "1", label="n_params")
    assert refused.value.code == "not_manually_marked"


@pytest.mark.django_db
def test_a_mark_given_meanwhile_is_never_silently_overwritten(marked, instructor, make_user):
    colleague = make_user("colleague")
    give(marked, colleague, "2")  # saved while the instructor had the page open

    with pytest.raises(ApplicationError) as refused:
        give(marked, instructor, "0", expected=None)

    assert refused.value.status == 409 and refused.value.code == "marked_meanwhile"
    assert "colleague gave it 2" in refused.value.message
    assert Submission.objects.get(pk=marked.pk).feedback[TEXT_PART]["score"] == 2.0
    assert ManualMark.objects.count() == 1


@pytest.mark.django_db
def test_only_the_latest_answer_is_marked(practice, student, instructor):
    older = answer(practice, student, "first try")
    answer(practice, student, "second try")
    with pytest.raises(ApplicationError) as refused:
        give(older, instructor, "1")
    assert refused.value.code == "superseded"


@pytest.mark.django_db
def test_an_answer_being_marked_again_waits(marked, instructor):
    exam_services.submissions_regrade(submissions=Submission.objects.filter(pk=marked.pk))
    with pytest.raises(ApplicationError) as refused:
        give(marked, instructor, "1")
    assert refused.value.code == "not_marked_yet" and refused.value.status == 409


@pytest.mark.django_db
def test_marking_again_automatically_keeps_the_marks_given_by_hand(marked, instructor):
    give(marked, instructor, "1.5", comment="Half of it.")
    given = Submission.objects.get(pk=marked.pk)

    queued, _ = exam_services.submissions_regrade(
        submissions=Submission.objects.filter(pk=marked.pk)
    )
    assert queued == [marked.pk]
    regraded = exam_services.submission_grade(submission_id=marked.pk)

    assert regraded.status == Submission.Status.GRADED
    assert regraded.feedback[TEXT_PART]["score"] == 1.5
    assert "Half of it." in regraded.feedback[TEXT_PART]["feedback"]
    assert regraded.score == given.score
    assert regraded.feedback["more_data"]["status"] == "unanswered"


@pytest.mark.django_db
def test_a_mark_is_followed_by_the_marking_signal_after_commit(
    marked, instructor, django_capture_on_commit_callbacks
):
    seen = []

    def receiver(sender, submission, **kwargs):
        seen.append((submission.pk, submission.score))

    submission_marked.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            give(marked, instructor, "2")
    finally:
        submission_marked.disconnect(receiver)
    assert seen == [(marked.pk, marked.score + 2)]


@pytest.mark.django_db
def test_paper_totals_and_marks_status_follow_the_manual_mark(
    course, student, instructor, short_paper
):
    attempt = exam_services.attempt_start_paper(student=student, paper=short_paper, mode="practice")
    submission = answer(attempt, student, more_data="More data would help.")
    exam_services.attempt_finish(attempt=attempt, student=student)
    assert exam_selectors.paper_attempt_marking_status(attempt=attempt) == "pending"
    before, out_of = exam_selectors.paper_attempt_score(attempt=attempt)

    give(submission, instructor, "2")

    after, _ = exam_selectors.paper_attempt_score(attempt=attempt)
    maximum = float(submission.max_score)
    assert after == pytest.approx(before + round(2 / maximum * out_of, 2), abs=0.01)
    # The other answered free-text part still awaits a person (empty ones are unanswered).
    assert exam_selectors.paper_attempt_marking_status(attempt=attempt) == "pending"


@pytest.mark.django_db
def test_the_rest_marks_list_shows_the_new_score_once_every_part_is_marked(
    course, student, instructor, short_paper, course_key, key_client
):
    attempt = exam_services.attempt_start_paper(student=student, paper=short_paper, mode="practice")
    submission = answer(attempt, student)
    exam_services.attempt_finish(attempt=attempt, student=student)
    lms = key_client(course_key[1])
    (before,) = lms.get("/api/v1/courses/nndl/marks/").json()["results"]
    assert before["status"] == "pending"

    for part in submission.variant.version.parts.filter(kind="text"):
        give(submission, instructor, str(part.marks), label=part.label)

    (after,) = lms.get("/api/v1/courses/nndl/marks/").json()["results"]
    assert after["status"] == "marked" and after["updated_at"] > before["updated_at"]
    marked = Submission.objects.get(pk=submission.pk)
    assert after["score"] == pytest.approx(float(marked.score / marked.max_score) * 10, abs=0.01)
    assert after["score"] > before["score"]
    since = lms.get("/api/v1/courses/nndl/marks/", {"updated_since": before["updated_at"]})
    assert [m["attempt"] for m in since.json()["results"]] == [attempt.pk]


@pytest.mark.django_db
def test_saving_another_part_keeps_the_hand_mark_of_an_unchanged_free_text_answer(
    marked, practice, student, instructor
):
    give(marked, instructor, "1.5", comment="Half of it.")
    exact = exam_services.attempt_variant(attempt=practice).reference["exact"]

    same_text = exam_services.submission_create(
        attempt=practice, student=student, answers={"n_params": str(exact["n_params"])}
    )
    kept = exam_services.submission_grade(submission_id=same_text.pk)
    assert kept.feedback[TEXT_PART]["score"] == 1.5
    assert "Half of it." in kept.feedback[TEXT_PART]["feedback"]
    assert kept.score == Submission.objects.get(pk=marked.pk).score

    new_text = exam_services.submission_create(
        attempt=practice, student=student, answers={TEXT_PART: "Yes: it breaks symmetry."}
    )
    waiting = exam_services.submission_grade(submission_id=new_text.pk)
    assert waiting.feedback[TEXT_PART]["status"] == "needs_manual"
