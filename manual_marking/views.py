"""Pages: the instructors' marking queue, marking one part, a student's self-assessment."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

import question_engine
from exams import selectors as exam_selectors
from exams import services as exam_services
from exams.errors import ApplicationError, NotFoundError
from exams.models import Course, Question, Submission
from exams.presentation import variant_public
from manual_marking import selectors, services
from manual_marking.forms import ManualMarkForm, SelfAssessmentForm
from manual_marking.models import ManualMark
from manual_marking.selectors import QueueItem


def _instructor_course(request: HttpRequest, slug: str) -> Course:
    course = exam_selectors.course_get_for_user(user=request.user, slug=slug)
    if not exam_selectors.is_instructor(user=request.user, course=course):
        raise NotFoundError("Only the course's instructors can open this page.")
    return course


def _question_filter(request: HttpRequest, course: Course) -> Question | None:
    slug = request.GET.get("question", "")
    return exam_selectors.course_marked_question_get(course=course, slug=slug) if slug else None


def _item_url(course: Course, item: QueueItem | None, question: Question | None) -> str:
    """The marking page of `item` (the queue when None), keeping the question filter."""
    if item is None:
        url = reverse("manual_marking:queue", kwargs={"course_slug": course.slug})
    else:
        url = reverse(
            "manual_marking:mark",
            kwargs={
                "course_slug": course.slug,
                "submission_id": item.submission.pk,
                "part_label": item.part.label,
            },
        )
    return f"{url}?{urlencode({'question': question.slug})}" if question else url


def _markable(request: HttpRequest, items: list[QueueItem]) -> list[QueueItem]:
    """The items the instructor may open now (not on original exam numbers locked for them)."""
    locked = selectors.locked_submission_ids(items=items, user=request.user)
    return [item for item in items if item.submission.pk not in locked]


@login_required
def queue(request: HttpRequest, course_slug: str) -> HttpResponse:
    """Free-text parts awaiting marking, oldest first, with counts per question."""
    course = _instructor_course(request, course_slug)
    question = _question_filter(request, course)
    everything = selectors.marking_queue(course=course)
    items = (
        [i for i in everything if i.submission.variant.version.question_id == question.pk]
        if question
        else everything
    )
    locked = selectors.locked_submission_ids(items=items, user=request.user)
    markable = [item for item in items if item.submission.pk not in locked]
    return render(
        request,
        "manual_marking/queue.html",
        {
            "course": course,
            "question": question,
            "counts": selectors.queue_counts(items=everything),
            "items": [
                (item, _item_url(course, item, question), item.submission.pk in locked)
                for item in items
            ],
            "locked": len(items) - len(markable),
            "first_url": _item_url(course, markable[0], question) if markable else "",
        },
    )


@login_required
def mark(
    request: HttpRequest, course_slug: str, submission_id: int, part_label: str
) -> HttpResponse:
    """One part of one answer beside the model answer and rubric; "Save and next", "Skip"."""
    course = _instructor_course(request, course_slug)
    question = _question_filter(request, course)
    submission = (
        Submission.objects.filter(pk=submission_id, attempt__course=course)
        .select_related("student", "attempt", "variant__version__question")
        .first()
    )
    part = submission.variant.version.parts.filter(label=part_label).first() if submission else None
    if submission is None or part is None:
        raise NotFoundError("No such answer in this course; go back to the marking queue.")
    if submission.variant.is_paper:
        # Its statement, answer, model answer and rubric are on the original exam numbers.
        exam_services.original_numbers_check_visible(
            question=submission.variant.version.question, user=request.user
        )
    current = selectors.current_mark(submission=submission, part_label=part.label)
    items = _markable(request, selectors.marking_queue(course=course, question=question))
    form = ManualMarkForm(
        marks=part.marks,
        initial={
            "score": current.score if current else None,
            "comment": current.comment if current and current.source == "instructor" else "",
            "expected_mark": current.pk if current else None,
        },
    )
    status = 200
    if request.method == "POST":
        form = ManualMarkForm(request.POST, marks=part.marks)
        if form.is_valid():
            try:
                services.manual_mark_create(
                    submission=submission,
                    part_label=part.label,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    marked_by=request.user,
                    source=ManualMark.Source.INSTRUCTOR,
                    expected_mark_id=form.cleaned_data["expected_mark"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status
                current = selectors.current_mark(submission=submission, part_label=part.label)
                form.data = form.data.copy()
                form.data["expected_mark"] = current.pk if current else ""
            else:
                messages.success(
                    request,
                    f"Saved {form.cleaned_data['score'].normalize()} / {part.marks.normalize()} "
                    f"for {submission.student}, {submission.variant.version.question.title} "
                    f"{part.display_label}.",
                )
                after = selectors.queue_next(
                    items=_markable(
                        request, selectors.marking_queue(course=course, question=question)
                    ),
                    submission=submission,
                    part_label=part.label,
                )
                if after is None:
                    messages.info(request, "Nothing else awaits marking.")
                return redirect(_item_url(course, after, question))
        else:
            status = 400
    variant = variant_public(submission.variant)
    prompt = next(p for p in variant["parts"] if p["label"] == part.label)
    following = selectors.queue_next(items=items, submission=submission, part_label=part.label)
    return render(
        request,
        "manual_marking/mark.html",
        {
            "course": course,
            "question": question,
            "submission": submission,
            "part": part,
            "variant": variant,
            "prompt_html": prompt["prompt_html"],
            "answer": (submission.answers or {}).get(part.label, ""),
            "model_answer_html": question_engine.render_markdown(part.model_answer),
            "rubric_html": question_engine.render_markdown(part.rubric),
            "superseded": selectors.submission_superseded(submission=submission),
            "graded": submission.status == Submission.Status.GRADED,
            "current": current,
            "history": selectors.mark_history(submission=submission, part_label=part.label),
            "form": form,
            "skip_url": _item_url(course, following, question),
            "queue_url": _item_url(course, None, question),
            "remaining": len(items),
        },
        status=status,
    )


@login_required
@require_POST
def self_assessment(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """A student's mark for their own free-text answer, from the attempt page."""
    attempt = exam_selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    submission = (
        attempt.submissions.filter(pk=request.POST.get("submission") or 0)
        .select_related("variant__version__question", "attempt")
        .first()
        if (request.POST.get("submission") or "").isdigit()
        else None
    )
    part = (
        submission.variant.version.parts.filter(label=request.POST.get("part", "")).first()
        if submission
        else None
    )
    if submission is None or part is None:
        raise NotFoundError("No such answer in this attempt; reload the page and try again.")
    url = reverse("frontend:attempt", kwargs={"attempt_id": attempt.pk})
    url += f"#q-{submission.variant.version.question.slug}"
    form = SelfAssessmentForm(request.POST, marks=part.marks)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Part {part.display_label}: {error}")
        return redirect(url)
    try:
        services.manual_mark_self_assess(
            submission=submission,
            part_label=part.label,
            score=form.cleaned_data["score"],
            student=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Your mark for part {part.display_label} is saved; it counts until your "
            "instructor marks the part.",
        )
    return redirect(url)
