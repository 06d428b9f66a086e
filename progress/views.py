"""Student pages: the history of a student's attempts in a course, with charts and tables."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from exams import selectors as exam_selectors
from frontend.charts import Bar, column_chart, horizontal_bar_chart
from progress import selectors

RECENT_ATTEMPTS_CHARTED = 12  # the chart shows the latest 12 marked attempts; the table all


@login_required
def course_history(request: HttpRequest, course_slug: str) -> HttpResponse:
    """The signed-in student's own attempts in one of their courses (404 for any other)."""
    course = exam_selectors.course_get_for_user(user=request.user, slug=course_slug)
    progress = selectors.course_progress(student=request.user, course=course)
    topics = [topic for topic in progress.topics if topic.best is not None]
    recent = progress.scored_attempts[-RECENT_ATTEMPTS_CHARTED:]
    topic_chart = horizontal_bar_chart(
        [Bar(t.name, t.best_percent, f"{t.best_percent}%") for t in topics],
        title="Best score per topic",
        description="; ".join(f"{t.name}: best {t.best_percent}%" for t in topics),
        maximum=100,
    )
    starts = [timezone.localtime(row.started_at) for row in recent]
    same_day = len({start.date() for start in starts}) <= 1
    recent_chart = column_chart(
        [
            Bar(f"{start:%H:%M}" if same_day else f"{start:%d %b}", row.percent, f"{row.percent}%")
            for start, row in zip(starts, recent, strict=True)
        ],
        title="Scores of your recent attempts, oldest first",
        description="; ".join(
            f"{row.title}, {row.started_at:%d %b %Y}: {row.percent}%" for row in recent
        ),
        maximum=100,
    )
    return render(
        request,
        "progress/course_history.html",
        {
            "course": course,
            "progress": progress,
            "charted_topics": topics,
            "topic_chart": topic_chart,
            "recent": recent,
            "recent_chart": recent_chart,
        },
    )
