"""Pages of the autosave app: the confirmation step of "Finish exam" (thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from autosave import selectors, services
from autosave.forms import SittingFinishForm
from exams import selectors as exam_selectors
from exams.errors import ApplicationError, NotFoundError
from exams.models import Attempt


@login_required
def sitting_finish(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """GET: what finishing will do (parts unanswered or unreadable); POST: finish the sitting,
    submitting the saved answers, and go back to its page."""
    attempt = exam_selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    if attempt.mode != Attempt.Mode.EXAM or attempt.student_id != request.user.pk:
        raise NotFoundError(f"No exam sitting {attempt_id} of yours.")
    if attempt.is_closed(timezone.now()):
        messages.info(request, "This exam is closed already; nothing more can be submitted.")
        return redirect("frontend:attempt", attempt_id=attempt.pk)
    form = SittingFinishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sitting_finish(attempt=attempt, student=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                "You finished the exam; your saved answers were submitted for marking.",
            )
        return redirect("frontend:attempt", attempt_id=attempt.pk)
    return render(
        request,
        "frontend/attempt/exam_finish_page.html",
        {
            "attempt": attempt,
            "form": form,
            "summary": selectors.sitting_finish_summary(attempt=attempt),
        },
    )
