from django.urls import path

from frontend import instructor_views, views

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "courses/<slug:course_slug>/questions/<slug:question_slug>/",
        views.question_practice,
        name="question",
    ),
    path(
        "courses/<slug:course_slug>/questions/<slug:question_slug>/new/",
        views.question_new_attempt,
        name="question-new-attempt",
    ),
    path("attempts/<int:attempt_id>/", views.attempt_detail, name="attempt"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="attempt-submit"),
    path("attempts/<int:attempt_id>/finish/", views.attempt_finish, name="attempt-finish"),
    path("attempts/<int:attempt_id>/solution/", views.solution_reveal, name="attempt-solution"),
    path(
        "courses/<slug:course_slug>/papers/<slug:paper_slug>/start/",
        views.paper_start,
        name="paper-start",
    ),
    path(
        "instructor/courses/<slug:course_slug>/",
        instructor_views.course_overview,
        name="instructor-course",
    ),
    path(
        "instructor/courses/<slug:course_slug>/questions/<slug:question_slug>/",
        instructor_views.question_preview,
        name="instructor-preview",
    ),
    path(
        "instructor/courses/<slug:course_slug>/variants/",
        instructor_views.variant_list,
        name="instructor-variants",
    ),
    path(
        "instructor/courses/<slug:course_slug>/variants/<int:variant_id>/retire/",
        instructor_views.variant_retire,
        name="instructor-retire",
    ),
    path(
        "instructor/courses/<slug:course_slug>/submissions/<int:submission_id>/remark/",
        instructor_views.submission_remark,
        name="instructor-remark",
    ),
    path(
        "instructor/courses/<slug:course_slug>/variants/<int:variant_id>/restore/",
        instructor_views.variant_restore,
        name="instructor-restore",
    ),
    path(
        "instructor/courses/<slug:course_slug>/papers/new/",
        instructor_views.paper_new,
        name="instructor-paper-new",
    ),
    path(
        "instructor/courses/<slug:course_slug>/papers/<slug:paper_slug>/",
        instructor_views.paper_detail,
        name="instructor-paper",
    ),
    path(
        "instructor/courses/<slug:course_slug>/papers/<slug:paper_slug>/prepare/",
        instructor_views.paper_prepare,
        name="instructor-paper-prepare",
    ),
]
