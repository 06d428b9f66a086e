"""Student pages: thin views over exams' selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from autosave.selectors import answers_to_show
from exams import selectors, services
from exams.api.throttles import form_attempt_start_check, form_submission_refusal
from exams.errors import ApplicationError
from exams.models import Attempt
from exams.presentation import (
    held_variant_state,
    submission_public,
    variant_public,
    variant_status,
)
from frontend.forms import SolutionRevealForm
from progress.selectors import course_progress


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's courses, each with what they did (per question and paper) and what is next."""
    courses = [
        {
            "course": course,
            "role": selectors.course_role(user=request.user, course=course),
            "progress": course_progress(student=request.user, course=course),
        }
        for course in selectors.course_list_for_user(user=request.user)
    ]
    return render(request, "frontend/home.html", {"courses": courses})


@login_required
def question_practice(request: HttpRequest, course_slug: str, question_slug: str) -> HttpResponse:
    """Open the student's latest attempt at a question, starting the first one if needed."""
    course = selectors.course_get_for_user(user=request.user, slug=course_slug)
    question = selectors.course_question_get(course=course, slug=question_slug)
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
    course = selectors.course_get_for_user(user=request.user, slug=course_slug)
    question = selectors.course_question_get(course=course, slug=question_slug)
    form_attempt_start_check(request)
    attempt = services.attempt_start_question(
        student=request.user, course=course, question=question
    )
    return redirect("frontend:attempt", attempt_id=attempt.pk)


@login_required
def attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The attempt's questions; one whose variant is still being built shows "Preparing your
    question…" (the page script replaces it with the question once built; without scripts, a
    refresh link does)."""
    attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    format_errors = request.session.pop(f"format_errors_{attempt.pk}", {})
    posted = request.session.pop(f"answers_{attempt.pk}", {})
    items = []
    for question, marks in selectors.attempt_questions(attempt=attempt):
        latest = selectors.latest_submission(attempt=attempt, question=question)
        latest_public = submission_public(latest) if latest else None
        variant = services.attempt_variant(attempt=attempt, question=question)
        ready = variant.is_ready
        if not ready:
            services.variant_build_resend_if_stale(variant=variant)
        items.append(
            {
                "question": question,
                "marks_in_paper": marks,
                "built": variant_status(variant),
                "variant": variant_public(variant) if ready else None,
                "state": held_variant_state(attempt=attempt, variant=variant) if ready else {},
                "latest": latest_public,
                "pending": latest_public is not None and latest_public["awaiting_marking"],
                "answers": posted.get(question.slug)
                or answers_to_show(attempt=attempt, question=question, latest=latest),
                "format_errors": format_errors.get(question.slug, {}),
            }
        )
    score = selectors.paper_attempt_score(attempt=attempt) if attempt.paper else None
    return render(
        request,
        "frontend/attempt.html",
        {
            "attempt": attempt,
            "items": items,
            "closed": attempt.is_closed(timezone.now()),
            "paper_score": score,
        },
    )


@login_required
@require_POST
def attempt_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Form fallback for browsers without JavaScript; the page script uses the API instead.

    Ticked checkboxes of a part are joined "a, c"; a part sent with nothing ticked or chosen
    keeps its last saved answer.
    """
    attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    question = selectors.course_question_get(
        course=attempt.course, slug=request.POST.get("question", "")
    )
    answers = {
        key.removeprefix("answer_"): ", ".join(request.POST.getlist(key))
        for key in request.POST
        if key.startswith("answer_")
    }
    refusal = form_submission_refusal(request)
    if refusal is not None:
        messages.error(request, refusal)
        request.session[f"answers_{attempt.pk}"] = {question.slug: answers}
        return redirect("frontend:attempt", attempt_id=attempt.pk)
    try:
        services.submission_create(
            attempt=attempt, student=request.user, answers=answers, question=question
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        request.session[f"format_errors_{attempt.pk}"] = {
            question.slug: exc.details.get("parts", {})
        }
        request.session[f"answers_{attempt.pk}"] = {question.slug: answers}
    return redirect("frontend:attempt", attempt_id=attempt.pk)


@login_required
@require_POST
def solution_reveal(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The "Show worked solution" button: record that it was shown, then show the page."""
    attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    form = SolutionRevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say which question's solution to show.")
        return redirect("frontend:attempt", attempt_id=attempt.pk)
    question = selectors.course_question_get(
        course=attempt.course, slug=form.cleaned_data["question"]
    )
    try:
        services.solution_reveal(attempt=attempt, student=request.user, question=question)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    response = redirect("frontend:attempt", attempt_id=attempt.pk)
    response["Location"] += f"#q-{question.slug}"
    return response


@login_required
@require_POST
def attempt_finish(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Finish a practice attempt. An exam sitting is finished on its own confirmation step,
    which submits the answers saved as they were typed, so it is sent there."""
    attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    if attempt.mode == Attempt.Mode.EXAM:
        return redirect("autosave:sitting-finish", attempt_id=attempt.pk)
    services.attempt_finish(attempt=attempt, student=request.user)
    return redirect("frontend:attempt", attempt_id=attempt.pk)


@login_required
@require_POST
def paper_start(request: HttpRequest, course_slug: str, paper_slug: str) -> HttpResponse:
    course = selectors.course_get_for_user(user=request.user, slug=course_slug)
    paper = selectors.paper_get_for_user(user=request.user, course=course, slug=paper_slug)
    form_attempt_start_check(request)
    attempt = services.attempt_start_paper(
        student=request.user, paper=paper, mode=request.POST.get("mode", "practice")
    )
    return redirect("frontend:attempt", attempt_id=attempt.pk)
