from django.urls import path

from results import views

app_name = "results"

urlpatterns = [
    path("<slug:course_slug>/results/", views.results_index, name="index"),
    path("<slug:course_slug>/results/papers/<slug:paper_slug>/", views.paper_results, name="paper"),
    path(
        "<slug:course_slug>/results/papers/<slug:paper_slug>/questions/<slug:question_slug>/",
        views.question_results,
        name="paper-question",
    ),
    path(
        "<slug:course_slug>/results/questions/<slug:question_slug>/",
        views.question_results,
        name="question",
    ),
    path(
        "<slug:course_slug>/results/students/<int:user_id>/",
        views.student_results,
        name="student",
    ),
]
