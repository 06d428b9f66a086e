"""Student pages: thin views over exams' selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from exams import selectors, services
from exams.errors import ApplicationError, NotFoundError
from exams.presentation import submission_public, variant_public


def _or_404(call, **kwargs):  # noqa: ANN001, ANN202 - tiny adapter
    try:
        return call(**kwargs)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


@login_required
def home(request: HttpRequest) -> HttpResponse:
    courses = [
        {
            "course": course,
            "role": selectors.course_role(user=request.user, course=course),
            "questions": selectors.course_question_list(course=course),
        }
        for course in selectors.course_list_for_user(user=request.user)
    ]
    return render(request, "frontend/home.html", {"courses": courses})


@login_required
def question_practice(request: HttpRequest, course_slug: str, question_slug: str) -> HttpResponse:
    """Open the student's latest attempt at a question, starting the first one if needed."""
    course = _or_404(selectors.course_get_for_user, user=request.user, slug=course_slug)
    question = _or_404(selectors.course_question_get, course=course, slug=question_slug)
    attempt = selectors.question_attempt_list(student=request.user, question=question).first()
    if attempt is None:
        attempt = services.attempt_start_question(
            student=request.user, course=course, question=question
        )
    return redirect("frontend:attempt", attempt_id=attempt.pk)


@login_required
@require_POST
def question_new_attempt(
    request: HttpRequest, course_slug: str, question_slug: str
) -> HttpResponse:
    course = _or_404(selectors.course_get_for_user, user=request.user, slug=course_slug)
    question = _or_404(selectors.course_question_get, course=course, slug=question_slug)
    attempt = services.attempt_start_question(
        student=request.user, course=course, question=question
    )
    return redirect("frontend:attempt", attempt_id=attempt.pk)


@login_required
def attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _or_404(selectors.attempt_get_for_user, user=request.user, attempt_id=attempt_id)
    variant = services.attempt_variant(attempt=attempt)
    submissions = [submission_public(s) for s in selectors.attempt_submission_list(attempt=attempt)]
    return render(
        request,
        "frontend/attempt.html",
        {
            "attempt": attempt,
            "variant": variant_public(variant),
            "latest": submissions[0] if submissions else None,
            "format_errors": request.session.pop(f"format_errors_{attempt.pk}", {}),
            "previous_answers": request.session.pop(f"answers_{attempt.pk}", None)
            or (submissions[0]["answers"] if submissions else {}),
        },
    )


@login_required
@require_POST
def attempt_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Form fallback for browsers without JavaScript; the page script uses the API instead."""
    attempt = _or_404(selectors.attempt_get_for_user, user=request.user, attempt_id=attempt_id)
    answers = {
        key.removeprefix("answer_"): value
        for key, value in request.POST.items()
        if key.startswith("answer_")
    }
    try:
        services.submission_create(attempt=attempt, student=request.user, answers=answers)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        request.session[f"format_errors_{attempt.pk}"] = exc.details.get("parts", {})
        request.session[f"answers_{attempt.pk}"] = answers
    return redirect("frontend:attempt", attempt_id=attempt.pk)
