from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("courses/<slug:course_slug>/progress/", views.course_history, name="course"),
]
