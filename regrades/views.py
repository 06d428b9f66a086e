"""Instructor pages: start a regrade and watch it (progress polled as JSON), export marks as CSV."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from exams import selectors as exam_selectors
from exams.errors import ApplicationError, NotFoundError
from exams.models import Course
from regrades import exports, selectors, services
from regrades.forms import MarksExportForm, RegradeStartForm


def _instructor_course(request: HttpRequest, slug: str) -> Course:
    course = exam_selectors.course_get_for_user(user=request.user, slug=slug)
    if not exam_selectors.is_instructor(user=request.user, course=course):
        raise NotFoundError("Only the course's instructors can open this page.")
    return course


@login_required
def regrade_list(request: HttpRequest, course_slug: str) -> HttpResponse:
    """GET: the course's regrade jobs and the form to start one; POST: start it, then show it."""
    course = _instructor_course(request, course_slug)
    form = RegradeStartForm(request.POST if request.method == "POST" else None, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.regrade_job_create(
                course=course,
                requested_by=request.user,
                question=form.cleaned_data["question"],
                paper=form.cleaned_data["paper"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Regrade started: {job.total} submissions to mark again.")
            return redirect("regrades:job", course_slug=course.slug, job_id=job.pk)
    return render(
        request,
        "regrades/regrade_list.html",
        {
            "course": course,
            "form": form,
            "jobs": selectors.course_regrade_job_list(course=course)[:20],
        },
    )


@login_required
@require_GET
def regrade_job(request: HttpRequest, course_slug: str, job_id: int) -> HttpResponse:
    """One job: its progress (live while it runs) and the marks it changed."""
    course = _instructor_course(request, course_slug)
    job = selectors.course_regrade_job_get(course=course, job_id=job_id)
    return render(
        request,
        "regrades/regrade_job.html",
        {
            "course": course,
            "job": job,
            "progress": selectors.regrade_job_progress(job=job),
            "changes": selectors.regrade_job_changes(job=job),
            "failures": selectors.regrade_job_failures(job=job),
        },
    )


@login_required
@require_GET
def regrade_job_progress(request: HttpRequest, course_slug: str, job_id: int) -> JsonResponse:
    """The job's progress as JSON (what the job page polls)."""
    course = _instructor_course(request, course_slug)
    job = selectors.course_regrade_job_get(course=course, job_id=job_id)
    return JsonResponse(selectors.regrade_job_progress(job=job))


@login_required
@require_GET
def marks_export(request: HttpRequest, course_slug: str) -> HttpResponse:
    """The export form; with its fields in the query, the CSV file (streamed) or the form's
    errors. `?preview=1` shows what the file will hold before downloading it."""
    course = _instructor_course(request, course_slug)
    bound = "layout" in request.GET
    form = MarksExportForm(request.GET if bound else None, course=course)
    summary = None
    if bound and form.is_valid():
        scope = {"paper": form.cleaned_data["paper"], "question": form.cleaned_data["question"]}
        layout = exports.LAYOUTS[form.cleaned_data["layout"]]
        if request.GET.get("preview") != "1":
            filename = exports.export_filename(
                course=course, layout=layout, on=timezone.localdate(), **scope
            )
            response = StreamingHttpResponse(
                exports.export_csv_lines(course=course, layout=layout, **scope),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        summary = exports.export_summary(course=course, **scope)
    return render(
        request,
        "regrades/marks_export.html",
        {
            "course": course,
            "form": form,
            "summary": summary,
            "gaps": selectors.export_identity_gaps(course=course),
        },
    )
