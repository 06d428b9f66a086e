from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from exams.api import views

app_name = "api"

urlpatterns = [
    path("courses/", views.CourseListView.as_view(), name="course-list"),
    path(
        "courses/<slug:slug>/questions/",
        views.CourseQuestionListView.as_view(),
        name="course-questions",
    ),
    path("attempts/", views.AttemptCreateView.as_view(), name="attempt-create"),
    path("attempts/<int:attempt_id>/", views.AttemptDetailView.as_view(), name="attempt-detail"),
    path(
        "attempts/<int:attempt_id>/submissions/",
        views.AttemptSubmissionsView.as_view(),
        name="attempt-submissions",
    ),
    path(
        "attempts/<int:attempt_id>/run-tests/",
        views.VisibleTestsRunView.as_view(),
        name="attempt-run-tests",
    ),
    path(
        "attempts/<int:attempt_id>/solution/",
        views.SolutionRevealView.as_view(),
        name="attempt-solution",
    ),
    path(
        "submissions/<int:submission_id>/",
        views.SubmissionDetailView.as_view(),
        name="submission-detail",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start-up script is served as its own file (`?script`), not inline, so the
    # site's Content-Security-Policy (scripts only from this site) holds on these pages too.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(
            url_name="api:schema", template_name="frontend/api/redoc.html"
        ),
        name="redoc",
    ),
]
