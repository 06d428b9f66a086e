from django.urls import path

from regrades import views

app_name = "regrades"

urlpatterns = [
    path("<slug:course_slug>/regrades/", views.regrade_list, name="list"),
    path("<slug:course_slug>/regrades/<int:job_id>/", views.regrade_job, name="job"),
    path(
        "<slug:course_slug>/regrades/<int:job_id>/progress/",
        views.regrade_job_progress,
        name="progress",
    ),
    path("<slug:course_slug>/export/", views.marks_export, name="export"),
]
