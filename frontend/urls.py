from django.urls import path

from frontend import views

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
]
