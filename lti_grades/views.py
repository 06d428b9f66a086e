"""The instructor's LTI page: scores the LMS did not take (with "resend"), roster sync."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from exams import selectors as exam_selectors
from exams.errors import ApplicationError, NotFoundError
from exams.models import Course
from lti_grades import selectors, services
from lti_grades.forms import PassbackResendForm, RosterSyncForm


def _instructor_course(request: HttpRequest, slug: str) -> Course:
    course = exam_selectors.course_get_for_user(user=request.user, slug=slug)
    if not exam_selectors.is_instructor(user=request.user, course=course):
        raise NotFoundError("Only the course's instructors can open this page.")
    return course


def _page(request: HttpRequest, course: Course, sync_form: RosterSyncForm) -> HttpResponse:
    return render(
        request,
        "lti_grades/instructor_lms.html",
        {
            "course": course,
            "passbacks": selectors.course_passbacks_needing_attention(course=course),
            "contexts": selectors.course_lti_contexts(course=course),
            "sync_form": sync_form,
        },
    )


@login_required
def lms_overview(request: HttpRequest, course_slug: str) -> HttpResponse:
    """Scores the LMS refused or has not taken yet, and the roster sync form."""
    course = _instructor_course(request, course_slug)
    return _page(request, course, RosterSyncForm())


@login_required
@require_POST
def passback_resend(request: HttpRequest, course_slug: str) -> HttpResponse:
    """Send a failed score again now (with the attempt's current score)."""
    course = _instructor_course(request, course_slug)
    form = PassbackResendForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("Choose a score to resend from the list.")
    passback = selectors.course_passback_get(
        course=course, passback_id=form.cleaned_data["passback"]
    )
    try:
        services.passback_resend(passback=passback)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The score of {passback.lti_user} is queued to be sent again.")
    return redirect("lti_grades:instructor-lms", course_slug=course.slug)


@login_required
@require_POST
def roster_sync(request: HttpRequest, course_slug: str) -> HttpResponse:
    """Fetch the LMS roster and update the course's memberships; report what changed."""
    course = _instructor_course(request, course_slug)
    form = RosterSyncForm(request.POST)
    if not form.is_valid():
        return _page(request, course, form)
    try:
        report = services.roster_sync(course=course)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Roster synced: {report.summary()}.")
    return redirect("lti_grades:instructor-lms", course_slug=course.slug)
