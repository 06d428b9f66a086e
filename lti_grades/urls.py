from django.urls import path

from lti_grades import views

app_name = "lti_grades"

urlpatterns = [
    path("<slug:course_slug>/lms/", views.lms_overview, name="instructor-lms"),
    path("<slug:course_slug>/lms/resend/", views.passback_resend, name="instructor-resend"),
    path("<slug:course_slug>/lms/roster-sync/", views.roster_sync, name="instructor-roster-sync"),
]
