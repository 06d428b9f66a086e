from django.urls import path

from manual_marking import views

app_name = "manual_marking"

urlpatterns = [
    path("instructor/courses/<slug:course_slug>/marking/", views.queue, name="queue"),
    path(
        "instructor/courses/<slug:course_slug>/marking/<int:submission_id>/<str:part_label>/",
        views.mark,
        name="mark",
    ),
    path(
        "attempts/<int:attempt_id>/self-assessment/",
        views.self_assessment,
        name="self-assessment",
    ),
]
