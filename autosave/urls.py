"""Routes of the autosave app: the draft API and the "Finish exam" step."""

from django.urls import path

from autosave import api, views

app_name = "autosave"

urlpatterns = [
    path(
        "api/v1/attempts/<int:attempt_id>/drafts/<slug:question_slug>/",
        api.AttemptDraftView.as_view(),
        name="attempt-draft",
    ),
    path("attempts/<int:attempt_id>/finish-exam/", views.sitting_finish, name="sitting-finish"),
]
