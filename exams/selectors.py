"""Reads: what a user may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from exams.errors import NotFoundError
from exams.models import Attempt, Course, Membership, Paper, Question, Submission


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
