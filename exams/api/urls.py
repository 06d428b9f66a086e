from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from exams.api import attempts, courses, enrolments, marks, papers, questions, regrade, views

app_name = "api"

urlpatterns = [
    path("courses/", views.CourseListView.as_view(), name="course-list"),
    path("courses/<slug:slug>/", courses.CourseDetailView.as_view(), name="course-detail"),
    path(
        "courses/<slug:slug>/questions/",
        views.CourseQuestionListView.as_view(),
        name="course-questions",
    ),
    path(
        "courses/<slug:slug>/questions/<slug:question_slug>/",
        questions.CourseQuestionDetailView.as_view(),
        name="course-question-detail",
    ),
    path("courses/<slug:slug>/papers/", papers.CoursePaperListView.as_view(), name="course-papers"),
    path(
        "courses/<slug:slug>/papers/<slug:paper_slug>/",
        papers.CoursePaperDetailView.as_view(),
        name="course-paper-detail",
    ),
    path(
        "courses/<slug:slug>/enrolments/",
        enrolments.EnrolmentListView.as_view(),
        name="course-enrolments",
    ),
    path(
        "courses/<slug:slug>/enrolments/<str:external_id>/",
        enrolments.EnrolmentDetailView.as_view(),
        name="course-enrolment-detail",
    ),
    path(
        "courses/<slug:slug>/attempts/",
        attempts.CourseAttemptListView.as_view(),
        name="course-attempts",
    ),
    path("courses/<slug:slug>/marks/", marks.CourseMarkListView.as_view(), name="course-marks"),
    path(
        "courses/<slug:slug>/regrade/",
        regrade.CourseRegradeView.as_view(),
        name="course-regrade",
    ),
    path("attempts/", views.AttemptCreateView.as_view(), name="attempt-create"),
    path("attempts/<int:attempt_id>/", views.AttemptDetailView.as_view(), name="attempt-detail"),
    path(
        "attempts/<int:attempt_id>/questions/<slug:question_slug>/variant/",
        attempts.AttemptVariantView.as_view(),
        name="attempt-variant",
    ),
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
