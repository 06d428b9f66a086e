"""Instructors' results pages (course instructors only; anyone else gets a 404): an index of
papers and questions, a paper's and a question's figures, and one student's attempts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString

from exams import selectors as exam_selectors
from exams.errors import NotFoundError
from exams.models import Course
from frontend.charts import Bar, column_chart
from results import selectors
from results.forms import ResultsFilterForm

ATTEMPTS_PER_PAGE = 20


def _instructor_course(request: HttpRequest, slug: str) -> Course:
    course = exam_selectors.course_get_for_user(user=request.user, slug=slug)
    if not exam_selectors.is_instructor(user=request.user, course=course):
        raise NotFoundError("Only the course's instructors can open this page.")
    return course


def _filter(
    request: HttpRequest, course: Course, *, with_student: bool = True
) -> tuple[ResultsFilterForm, selectors.ResultsFilter | None]:
    """The filter form bound to the query string, and its filter (None while it has errors)."""
    form = ResultsFilterForm(
        request.GET,
        students=selectors.course_student_choices(course=course),
        with_student=with_student,
    )
    return form, form.results_filter() if form.is_valid() else None


def _chart(bins: list[selectors.Bin], *, title: str, what: str) -> SafeString:
    """A column per bin, labelled by the bin's lower end (the table beside it names both)."""
    described = ", ".join(f"{b.label}: {b.count}" for b in bins)
    return column_chart(
        [Bar(f"{b.low}%", b.count) for b in bins],
        title=title,
        description=f"Number of {what} per band of the marks: {described}.",
    )


def _query(request: HttpRequest) -> str:
    """The filter's query string (without the page number), to carry it over to links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def results_index(request: HttpRequest, course_slug: str) -> HttpResponse:
    """Papers and questions with how many attempts, students and marked submissions."""
    course = _instructor_course(request, course_slug)
    form, filters = _filter(request, course)
    papers, questions = (
        selectors.course_results_index(course=course, filters=filters) if filters else ([], [])
    )
    return render(
        request,
        "results/index.html",
        {
            "course": course,
            "form": form,
            "filters": filters,
            "papers": papers,
            "questions": questions,
            "students": (
                selectors.course_student_attempt_counts(course=course, filters=filters)
                if filters
                else []
            ),
            "query": _query(request),
        },
    )


@login_required
def paper_results(request: HttpRequest, course_slug: str, paper_slug: str) -> HttpResponse:
    """The distribution of a paper's totals, and each question's and part's mean and median."""
    course = _instructor_course(request, course_slug)
    paper = exam_selectors.course_paper_get(course=course, slug=paper_slug)
    form, filters = _filter(request, course)
    results = (
        selectors.paper_results(course=course, paper=paper, filters=filters) if filters else None
    )
    chart = (
        _chart(results.bins, title=f"{paper.title}: paper totals", what="attempts")
        if results
        else None
    )
    return render(
        request,
        "results/paper.html",
        {
            "course": course,
            "paper": paper,
            "form": form,
            "filters": filters,
            "results": results,
            "chart": chart,
            "query": _query(request),
        },
    )


@login_required
def question_results(
    request: HttpRequest, course_slug: str, question_slug: str, paper_slug: str | None = None
) -> HttpResponse:
    """A question's score distribution and, per part: mean, median, share correct, common
    wrong answers, named mistakes, failed tests; its median marking time. Within a paper's
    attempts when `paper_slug` is given."""
    course = _instructor_course(request, course_slug)
    paper = exam_selectors.course_paper_get(course=course, slug=paper_slug) if paper_slug else None
    if paper is not None:
        question = paper.questions.filter(slug=question_slug).first()
    else:
        question = selectors.course_results_question_get(course=course, slug=question_slug)
    if question is None:
        raise NotFoundError(
            f"No question '{question_slug}' in "
            + (f"the paper '{paper.title}'." if paper else f"the course '{course.slug}'.")
        )
    form, filters = _filter(request, course)
    results = (
        selectors.question_results(
            course=course,
            question=question,
            filters=filters,
            paper=paper,
            hide_original_answers=question.pk
            in selectors.original_numbers_locked_question_ids(user=request.user),
        )
        if filters
        else None
    )
    chart = (
        _chart(results.bins, title=f"{question.title}: scores", what="submissions")
        if results
        else None
    )
    return render(
        request,
        "results/question.html",
        {
            "course": course,
            "paper": paper,
            "question": question,
            "form": form,
            "filters": filters,
            "results": results,
            "chart": chart,
            "query": _query(request),
        },
    )


@login_required
def student_results(request: HttpRequest, course_slug: str, user_id: int) -> HttpResponse:
    """One student's attempts in the course (newest first, paged) with, per question, the
    counted submission's marks, answers and feedback part by part."""
    course = _instructor_course(request, course_slug)
    student = selectors.course_student_choices(course=course).filter(pk=user_id).first()
    if student is None:
        raise NotFoundError(f"No student {user_id} in the course '{course.slug}'.")
    form, filters = _filter(request, course, with_student=False)
    page = attempts = None
    if filters:
        page = Paginator(
            selectors.student_attempt_list(course=course, student=student, filters=filters),
            ATTEMPTS_PER_PAGE,
        ).get_page(request.GET.get("page"))
        attempts = selectors.student_attempts(
            course=course,
            student=student,
            filters=filters,
            attempts=list(page.object_list),
            locked_question_ids=selectors.original_numbers_locked_question_ids(user=request.user),
        )
    return render(
        request,
        "results/student.html",
        {
            "course": course,
            "student": student,
            "form": form,
            "filters": filters,
            "page": page,
            "attempts": attempts,
            "query": _query(request),
        },
    )
