"""Instructor pages: browse the bank, preview variants with answers, list the variants students
hold, retire (after confirming) and restore them, assemble papers, see and re-mark submissions
that could not be marked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

import grader
import question_engine
from exams import selectors, services
from exams.bank_bridge import definition_from_version
from exams.errors import ApplicationError, NotFoundError
from exams.models import Course, Submission
from exams.presentation import variant_public
from exams.seeding import SEED_LIMIT
from frontend.forms import PaperForm, VariantRetireForm
from question_engine.render import answer_text

JUST_RETIRED_SESSION_KEY = "instructor_just_retired_variant"


def _instructor_course(request: HttpRequest, slug: str) -> Course:
    course = selectors.course_get_for_user(user=request.user, slug=slug)
    if not selectors.is_instructor(user=request.user, course=course):
        raise NotFoundError("Only the course's instructors can open this page.")
    return course


def _reference_text(exact: dict, spec: grader.PartSpec) -> str | None:
    """The reference as a student would type it, at the precision the part asks for."""
    if spec.quantity_name not in exact:
        return None
    decimals = grader.rounding_decimals(spec)
    value = exact[spec.quantity_name]
    return answer_text(value, decimals) if decimals is not None else str(value)


@login_required
def course_overview(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = _instructor_course(request, course_slug)
    return render(
        request,
        "frontend/instructor/course.html",
        {
            "course": course,
            "questions": selectors.course_question_list(course=course),
            "papers": selectors.course_paper_list(course=course),
            "failed_submissions": selectors.course_submissions_in_error(course=course),
            "waiting_submissions": selectors.course_submissions_waiting(course=course),
        },
    )


def _preview_seed(text: str) -> int:
    """The seed asked for in a preview URL; raises ApplicationError (400) unless it is valid."""
    try:
        seed = int(text.strip())
    except ValueError:
        seed = None
    if seed is None or not 0 <= seed < SEED_LIMIT:
        raise ApplicationError(
            f"The seed must be a whole number from 0 to {SEED_LIMIT - 1}, not {text[:40]!r}; "
            "change it in the address bar, e.g. ?seed=0."
        )
    return seed


@login_required
@require_POST
def submission_remark(request: HttpRequest, course_slug: str, submission_id: int) -> HttpResponse:
    """Mark a failed submission again now (after fixing the question, or the service)."""
    course = _instructor_course(request, course_slug)
    submission = Submission.objects.filter(pk=submission_id, attempt__course=course).first()
    if submission is None:
        raise NotFoundError("No such submission in this course.")
    try:
        services.submission_remark(submission=submission)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Submission {submission.pk} by {submission.student} is queued to be marked again.",
        )
    return redirect("frontend:instructor-course", course_slug=course.slug)


@login_required
def question_preview(request: HttpRequest, course_slug: str, question_slug: str) -> HttpResponse:
    course = _instructor_course(request, course_slug)
    question = selectors.course_question_get(course=course, slug=question_slug)
    version = services.question_current_version(question=question)
    paper = request.GET.get("paper") == "1" and version.paper_params is not None
    seed = None if paper else _preview_seed(request.GET.get("seed", "0"))
    if paper:
        services.original_numbers_check_visible(question=question, user=request.user)
    variant = services.variant_get_or_build(course=course, version=version, seed=seed, paper=paper)
    specs = definition_from_version(version).part_specs()
    parts = [
        {
            **public,
            "answer": _reference_text(variant.reference["exact"], spec),
            "model_answer": part.model_answer,
        }
        for public, part, spec in zip(
            variant_public(variant)["parts"], version.parts.all(), specs, strict=True
        )
    ]
    return render(
        request,
        "frontend/instructor/preview.html",
        {
            "course": course,
            "question": question,
            "version": version,
            "variant": variant,
            "statement_html": question_engine.render_markdown(variant.statement_md),
            "solution_html": question_engine.render_markdown(variant.solution_md),
            "parts": parts,
            "seed": seed,
            "has_paper": version.paper_params is not None,
        },
    )


@login_required
def variant_list(request: HttpRequest, course_slug: str) -> HttpResponse:
    """The course's variants that students hold, with how many attempts hold each."""
    course = _instructor_course(request, course_slug)
    just_retired_id = request.session.pop(JUST_RETIRED_SESSION_KEY, None)
    just_retired = (
        selectors.course_held_variant_list(course=course)
        .filter(pk=just_retired_id, retired=True)
        .first()
        if just_retired_id
        else None
    )
    return render(
        request,
        "frontend/instructor/variants.html",
        {
            "course": course,
            "variants": selectors.course_held_variant_list(course=course),
            "just_retired": just_retired,
        },
    )


@login_required
def variant_retire(request: HttpRequest, course_slug: str, variant_id: int) -> HttpResponse:
    """Confirm, then retire: GET shows who holds the variant and the form; POST retires."""
    course = _instructor_course(request, course_slug)
    variant = selectors.course_variant_get(course=course, variant_id=variant_id)
    form = VariantRetireForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.variant_retire(variant=variant)
        # The variants page shows the success notice with an Undo button (restore) right there.
        request.session[JUST_RETIRED_SESSION_KEY] = variant.pk
        return redirect("frontend:instructor-variants", course_slug=course.slug)
    if variant.is_paper:
        services.original_numbers_check_visible(
            question=variant.version.question, user=request.user
        )
    attempts, students, answered = selectors.variant_holder_counts(variant=variant)
    return render(
        request,
        "frontend/instructor/variant_retire.html",
        {
            "course": course,
            "variant": variant,
            "form": form,
            "attempts": attempts,
            "students": students,
            "answered": answered,
            "statement_html": question_engine.render_markdown(variant.statement_md),
        },
    )


@login_required
@require_POST
def variant_restore(request: HttpRequest, course_slug: str, variant_id: int) -> HttpResponse:
    """Undo a retirement: new attempts may draw the variant again."""
    course = _instructor_course(request, course_slug)
    variant = selectors.course_variant_get(course=course, variant_id=variant_id)
    services.variant_restore(variant=variant)
    numbers = "original exam numbers" if variant.is_paper else f"seed {variant.seed}"
    messages.success(
        request,
        f"Restored {variant.version.question.title}, {numbers}: new attempts may draw it again.",
    )
    return redirect("frontend:instructor-variants", course_slug=course.slug)


@login_required
def paper_new(request: HttpRequest, course_slug: str) -> HttpResponse:
    """Assemble a paper from the course's questions (a form; errors next to the fields)."""
    course = _instructor_course(request, course_slug)
    questions = list(selectors.course_question_list(course=course))
    form = PaperForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_create(
                course=course,
                title=form.cleaned_data["title"],
                time_limit_minutes=form.cleaned_data["time_limit_minutes"],
                use_original_numbers=form.cleaned_data["use_original_numbers"],
                items=form.items(),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Paper created.")
            return redirect("frontend:instructor-course", course_slug=course.slug)
    return render(request, "frontend/instructor/paper_new.html", {"course": course, "form": form})


@login_required
def paper_detail(request: HttpRequest, course_slug: str, paper_slug: str) -> HttpResponse:
    """A paper's questions and how far its exam variants are prepared, with the button that
    prepares them for every enrolled student."""
    course = _instructor_course(request, course_slug)
    paper = selectors.course_paper_get(course=course, slug=paper_slug)
    return render(
        request,
        "frontend/instructor/paper.html",
        {
            "course": course,
            "paper": paper,
            "items": paper.items.select_related("question").order_by("order"),
            "prepared": selectors.paper_exam_variants_status(paper=paper),
        },
    )


@login_required
@require_POST
def paper_prepare(request: HttpRequest, course_slug: str, paper_slug: str) -> HttpResponse:
    """Prepare the paper's exam variants for every enrolled student (built in the background)."""
    course = _instructor_course(request, course_slug)
    paper = selectors.course_paper_get(course=course, slug=paper_slug)
    try:
        outcome = services.exam_variants_prepare(paper=paper)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Preparing exam variants for {outcome.students} student"
            f"{'s' if outcome.students != 1 else ''}: {outcome.requested} sent to be built "
            f"in the background, {outcome.existing} already there ({outcome.ready} ready in "
            f"all, {outcome.failed} failed). This page shows progress when reloaded.",
        )
    return redirect("frontend:instructor-paper", course_slug=course.slug, paper_slug=paper.slug)
