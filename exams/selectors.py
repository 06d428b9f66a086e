"""Reads: what a user may see."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, DateTimeField, F, Max, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from exams.errors import NotFoundError
from exams.models import (
    Attempt,
    Course,
    Membership,
    Paper,
    Question,
    Submission,
    Variant,
    VariantAssignment,
)
from exams.seeding import MAX_RETIRED_SKIPS, exam_variant_seed


def course_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Course]:
    return Course.objects.filter(memberships__user=user).distinct()


def course_role(*, user: AbstractBaseUser, course: Course) -> str | None:
    membership = Membership.objects.filter(user=user, course=course).first()
    return membership.role if membership else None


def course_get_for_user(*, user: AbstractBaseUser, slug: str) -> Course:
    course = course_list_for_user(user=user).filter(slug=slug).first()
    if course is None:
        raise NotFoundError(f"No course '{slug}' among your courses.")
    return course


def course_question_list(*, course: Course) -> QuerySet[Question]:
    return course.questions.order_by("topic", "slug")


def course_question_get(*, course: Course, slug: str) -> Question:
    question = course.questions.filter(slug=slug).first()
    if question is None:
        raise NotFoundError(f"The course '{course.slug}' has no question '{slug}'.")
    return question


def question_get_for_user(*, user: AbstractBaseUser, slug: str) -> tuple[Course, Question]:
    """The question and a course of the user's that offers it."""
    course = course_list_for_user(user=user).filter(questions__slug=slug).first()
    if course is None:
        raise NotFoundError(f"No question '{slug}' in any of your courses.")
    return course, course.questions.get(slug=slug)


def is_instructor(*, user: AbstractBaseUser, course: Course) -> bool:
    return course_role(user=user, course=course) == Membership.Role.INSTRUCTOR


def attempt_get_for_user(*, user: AbstractBaseUser, attempt_id: int) -> Attempt:
    attempt = Attempt.objects.select_related("course", "question").filter(pk=attempt_id).first()
    if attempt is None or not (
        attempt.student_id == user.pk or is_instructor(user=user, course=attempt.course)
    ):
        raise NotFoundError(f"No attempt {attempt_id} of yours.")
    return attempt


def submission_get_for_user(*, user: AbstractBaseUser, submission_id: int) -> Submission:
    """Students see their own submissions; instructors those in their courses."""
    submission = (
        Submission.objects.select_related("attempt__course", "variant__version__question")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or not (
        submission.student_id == user.pk
        or is_instructor(user=user, course=submission.attempt.course)
    ):
        raise NotFoundError(f"No submission {submission_id} of yours.")
    return submission


def attempt_submission_list(*, attempt: Attempt) -> QuerySet[Submission]:
    return attempt.submissions.order_by("-created_at")


def question_attempt_list(*, student: AbstractBaseUser, question: Question) -> QuerySet[Attempt]:
    return Attempt.objects.filter(student=student, question=question).order_by("-number")


def course_paper_list(*, course: Course) -> QuerySet[Paper]:
    return course.papers.order_by("title")


def paper_get_for_user(*, user: AbstractBaseUser, course: Course, slug: str) -> Paper:
    paper = course.papers.filter(slug=slug).first()
    if paper is None or course_role(user=user, course=course) is None:
        raise NotFoundError(f"No paper '{slug}' in course '{course.slug}'.")
    return paper


def attempt_questions(*, attempt: Attempt) -> list[tuple[Question, float | None]]:
    """The questions of an attempt in order, with the marks the paper gives each."""
    if attempt.question is not None:
        return [(attempt.question, None)]
    return [
        (item.question, float(item.marks))
        for item in attempt.paper.items.select_related("question").order_by("order")
    ]


def latest_submission(*, attempt: Attempt, question: Question) -> Submission | None:
    return (
        attempt.submissions.filter(variant__version__question=question)
        .order_by("-created_at")
        .first()
    )


def paper_attempt_score(*, attempt: Attempt) -> tuple[float, float]:
    """(score, out of) scaled to the paper's marks, from each question's latest graded answer."""
    total = earned = 0.0
    for question, marks in attempt_questions(attempt=attempt):
        submission = latest_submission(attempt=attempt, question=question)
        out_of = marks if marks is not None else 0.0
        total += out_of
        if submission is not None and submission.status == Submission.Status.GRADED:
            earned += float(submission.score) / float(submission.max_score) * out_of
    return round(earned, 2), total


def course_submissions_in_error(*, course: Course) -> QuerySet[Submission]:
    """Submissions of the course that failed on our side or the question's, oldest first."""
    return (
        Submission.objects.filter(attempt__course=course, status=Submission.Status.ERROR)
        .select_related("student", "variant__version__question")
        .order_by("created_at")
    )


def course_submissions_waiting(*, course: Course) -> QuerySet[Submission]:
    """Submissions of the course still queued or being marked, oldest first."""
    return (
        Submission.objects.filter(
            attempt__course=course,
            status__in=[Submission.Status.PENDING, Submission.Status.GRADING],
        )
        .select_related("student", "variant__version__question")
        .order_by("created_at")
    )


def variant_assignment_get(*, attempt: Attempt, question: Question) -> VariantAssignment | None:
    """The variant an attempt holds for a question, or None before it is first drawn."""
    return (
        VariantAssignment.objects.select_related("variant")
        .filter(attempt=attempt, question=question)
        .first()
    )


def open_exam_sittings_on_original_numbers(
    *, question: Question, now: datetime | None = None
) -> list[Attempt]:
    """Exam attempts still open (not finished, within their time limit), in ANY course, on a
    paper that gives everyone the original exam's numbers and contains the question.

    The original numbers are the bank's, the same in every course, so while this list is not
    empty they are not released anywhere: no practice of them, no worked solution, no preview
    outside the courses holding the sittings. An exam sitting without a time limit stays open
    until its student finishes it.
    """
    now = now or timezone.now()
    candidates = Attempt.objects.filter(
        mode=Attempt.Mode.EXAM,
        finished_at__isnull=True,
        paper__use_original_numbers=True,
        paper__items__question=question,
    ).select_related("paper")
    return [attempt for attempt in candidates if not attempt.is_closed(now)]


def original_numbers_in_open_exam(*, question: Question) -> bool:
    """True while any exam sitting (in any course) that shows the question's original numbers
    is open."""
    return bool(open_exam_sittings_on_original_numbers(question=question))


def original_numbers_locked_for_staff(*, course_ids: set[int], question: Question) -> bool:
    """True while an exam sitting showing the question's original numbers is open in a course
    outside `course_ids` (the courses whose staff is asking): those staff must not see them."""
    return any(
        attempt.course_id not in course_ids
        for attempt in open_exam_sittings_on_original_numbers(question=question)
    )


def instructor_course_ids(*, user: AbstractBaseUser) -> set[int]:
    """The ids of the courses the user teaches."""
    return set(
        Membership.objects.filter(user=user, role=Membership.Role.INSTRUCTOR).values_list(
            "course_id", flat=True
        )
    )


def paper_questions_in_open_exam(*, paper: Paper) -> list[Question]:
    """The questions of an original-numbers paper whose numbers an open exam sitting (in any
    course) shows."""
    if not paper.use_original_numbers:
        return []
    return [
        item.question
        for item in paper.items.select_related("question").order_by("order")
        if original_numbers_in_open_exam(question=item.question)
    ]


def paper_questions_in_open_exam_elsewhere(*, paper: Paper) -> list[Question]:
    """The questions of an original-numbers paper whose numbers an open exam sitting of ANOTHER
    course shows: a new sitting here would show them (and later its marks) outside that exam."""
    if not paper.use_original_numbers:
        return []
    return [
        item.question
        for item in paper.items.select_related("question").order_by("order")
        if original_numbers_locked_for_staff(course_ids={paper.course_id}, question=item.question)
    ]


def course_held_variant_list(*, course: Course) -> QuerySet[Variant]:
    """The course's variants that students' attempts hold, with `holding_attempts` and
    `holding_students` counts, and every retired one, held or not (so it can be restored)."""
    return (
        Variant.objects.filter(course=course)
        .annotate(
            holding_attempts=Count("assignments__attempt", distinct=True),
            holding_students=Count("assignments__attempt__student", distinct=True),
        )
        .filter(Q(holding_attempts__gt=0) | Q(retired=True))
        .select_related("version__question")
        .order_by("version__question__slug", "-version__number", "-is_paper", "seed")
    )


def course_variant_get(*, course: Course, variant_id: int) -> Variant:
    """One of the course's variants; another course's variant is not found (404)."""
    variant = (
        Variant.objects.select_related("version__question")
        .filter(pk=variant_id, course=course)
        .first()
    )
    if variant is None:
        raise NotFoundError(f"No variant {variant_id} in course '{course.slug}'.")
    return variant


def variant_holder_counts(*, variant: Variant) -> tuple[int, int, int]:
    """(attempts holding the variant, students holding it, attempts that answered it)."""
    holders = Attempt.objects.filter(assignments__variant=variant)
    return (
        holders.distinct().count(),
        holders.values("student").distinct().count(),
        holders.filter(submissions__variant=variant).distinct().count(),
    )


def paper_questions_with_retired_original_numbers(*, paper: Paper) -> list[Question]:
    """The questions of an original-numbers paper whose course paper variant (of the current
    version) an instructor retired: a new sitting could not be given their numbers."""
    if not paper.use_original_numbers:
        return []
    withdrawn = []
    for item in paper.items.select_related("question").order_by("order"):
        version = item.question.current_version
        if Variant.objects.filter(
            course=paper.course, version=version, is_paper=True, retired=True
        ).exists():
            withdrawn.append(item.question)
    return withdrawn


def course_paper_get(*, course: Course, slug: str) -> Paper:
    """The course's paper `slug`; raises NotFoundError (404) for another course's or none."""
    paper = course.papers.filter(slug=slug).first()
    if paper is None:
        raise NotFoundError(f"The course '{course.slug}' has no paper '{slug}'.")
    return paper


def course_enrolment_list(*, course: Course, role: str | None = None) -> QuerySet[Membership]:
    """The course's memberships (with users), by external id then username."""
    memberships = Membership.objects.filter(course=course).select_related("user")
    if role:
        memberships = memberships.filter(role=role)
    return memberships.order_by("external_id", "user__username", "pk")


def course_enrolment_get(*, course: Course, external_id: str) -> Membership:
    """The course's member with that LMS external id; raises NotFoundError (404) otherwise."""
    membership = (
        Membership.objects.select_related("user")
        .filter(course=course, external_id=external_id)
        .first()
    )
    if membership is None:
        raise NotFoundError(
            f"No one is enrolled in '{course.slug}' with external id '{external_id}'."
        )
    return membership


def course_attempt_list(
    *,
    course: Course,
    student: AbstractBaseUser | None = None,
    paper: Paper | None = None,
    question: Question | None = None,
    mode: str | None = None,
) -> QuerySet[Attempt]:
    """The course's attempts, newest first, optionally of one student, paper, question, mode."""
    attempts = Attempt.objects.filter(course=course).select_related("question", "paper", "student")
    if student is not None:
        attempts = attempts.filter(student=student)
    if paper is not None:
        attempts = attempts.filter(paper=paper)
    if question is not None:
        attempts = attempts.filter(question=question)
    if mode:
        attempts = attempts.filter(mode=mode)
    return attempts.order_by("-started_at", "-pk")


def course_submission_list(
    *,
    course: Course,
    submission_id: int | None = None,
    question: Question | None = None,
    paper: Paper | None = None,
) -> QuerySet[Submission]:
    """The course's submissions: one by id, those answering a question (in any attempt), or
    those made in attempts at a paper."""
    submissions = Submission.objects.filter(attempt__course=course)
    if submission_id is not None:
        submissions = submissions.filter(pk=submission_id)
    if question is not None:
        submissions = submissions.filter(variant__version__question=question)
    if paper is not None:
        submissions = submissions.filter(attempt__paper=paper)
    return submissions


def course_paper_attempt_marks(
    *,
    course: Course,
    paper: Paper | None = None,
    student: AbstractBaseUser | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Attempt]:
    """The course's paper attempts with `updated_at` (the latest of starting, finishing, a
    submission and a mark), for syncing marks; filtered by paper, student, `updated_since`."""
    start = F("started_at")
    attempts = (
        Attempt.objects.filter(course=course, paper__isnull=False)
        .select_related("paper", "student", "course")
        .annotate(
            updated_at=Greatest(
                start,
                Coalesce("finished_at", start),
                Coalesce(Max("submissions__created_at"), start),
                Coalesce(Max("submissions__graded_at"), start),
                output_field=DateTimeField(),
            )
        )
    )
    if paper is not None:
        attempts = attempts.filter(paper=paper)
    if student is not None:
        attempts = attempts.filter(student=student)
    if updated_since is not None:
        attempts = attempts.filter(updated_at__gt=updated_since)
    return attempts


def paper_attempt_marking_status(*, attempt: Attempt) -> str:
    """Where a paper attempt's marks stand: `in_progress` (still open), `pending` (closed,
    some answer or free-text part still to be marked), `failed` (an answer the question failed
    to mark: an instructor must re-mark it) or `marked` (closed, every latest answer marked)."""
    latest = [
        latest_submission(attempt=attempt, question=question)
        for question, _ in attempt_questions(attempt=attempt)
    ]
    latest = [submission for submission in latest if submission is not None]
    if any(
        s.status == Submission.Status.ERROR and s.failure == Submission.Failure.QUESTION
        for s in latest
    ):
        return "failed"
    if not attempt.is_closed(timezone.now()):
        return "in_progress"
    if any(s.status != Submission.Status.GRADED or submission_awaits_manual(s) for s in latest):
        return "pending"
    return "marked"


def submission_awaits_manual(submission: Submission) -> bool:
    """Whether a part of the marked submission waits for a person's mark (`needs_manual`:
    free text not marked by hand yet, or a part with no reference to mark against)."""
    return any(
        isinstance(part, dict) and part.get("status") == "needs_manual"
        for part in (submission.feedback or {}).values()
    )


def course_marked_question_get(*, course: Course, slug: str) -> Question:
    """A question the course's students can answer: one of the course's own or one on a paper
    of the course. Raises NotFoundError (404) otherwise."""
    question = (
        Question.objects.filter(slug=slug)
        .filter(Q(courses=course) | Q(papers__course=course))
        .distinct()
        .first()
    )
    if question is None:
        raise NotFoundError(f"The course '{course.slug}' has no question '{slug}'.")
    return question


EXAM_VARIANT_STATES = ("ready", "building", "failed", "missing")


def paper_exam_variants_status(*, paper: Paper) -> dict[str, int]:
    """How far the paper's exam variants are prepared: one per (enrolled student, question)
    (the variant the student's sitting holds, else the one it would draw: see
    `exams.seeding.exam_variant_seed`, skipping retired ones), counted by state: `ready`,
    `building`, `failed` (the question's code failed) and `missing` (not requested yet), plus
    `students` and `expected` (students × questions). Original-numbers papers count the one
    paper variant per question for each student."""
    questions = [item.question for item in paper.items.select_related("question")]
    versions = {q.pk: q.current_version for q in questions}
    student_ids = list(
        Membership.objects.filter(course=paper.course, role=Membership.Role.STUDENT).values_list(
            "user_id", flat=True
        )
    )
    known = {
        (v.version_id, v.is_paper, v.seed): v
        for v in Variant.objects.filter(
            course=paper.course, version__in=[v for v in versions.values() if v is not None]
        ).only("version_id", "is_paper", "seed", "state", "retired")
    }
    held = {
        (a.attempt.student_id, a.question_id): a.variant
        for a in VariantAssignment.objects.filter(
            attempt__paper=paper, attempt__mode=Attempt.Mode.EXAM
        ).select_related("attempt", "variant")
    }
    counts = dict.fromkeys(EXAM_VARIANT_STATES, 0)
    for student_id in student_ids:
        for question in questions:
            variant = held.get((student_id, question.pk))
            version = versions[question.pk]
            if variant is None and version is not None and paper.use_original_numbers:
                variant = known.get((version.pk, True, None))
            elif variant is None and version is not None:
                for draw in range(MAX_RETIRED_SKIPS):
                    seed = exam_variant_seed(
                        student_id=student_id,
                        paper_id=paper.pk,
                        question_slug=question.slug,
                        draw=draw,
                    )
                    variant = known.get((version.pk, False, seed))
                    if variant is None or not variant.retired:
                        break
            counts[variant.state if variant is not None else "missing"] += 1
    return {
        **counts,
        "students": len(student_ids),
        "expected": len(student_ids) * len(questions),
    }
