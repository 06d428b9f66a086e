"""Failed passbacks on the instructor's LMS page and in the admin, with "resend"; roster sync
from the page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from lti_grades import services
from lti_grades.models import ScorePassback
from tests.lti_grades.test_passback import mark, refresh


@pytest.fixture
def failed(link, launched_attempt, student, django_capture_on_commit_callbacks):
    """A passback the platform refused (400), waiting for the instructor."""
    link.services.score_failures = [400]
    mark(launched_attempt, student)
    (row,), _ = refresh(launched_attempt, django_capture_on_commit_callbacks)
    row = services.passback_send(passback_id=row.pk)
    assert row.status == ScorePassback.Status.FAILED
    return row


def logged_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_instructor_sees_the_failure_and_resends_it(
    link, course, instructor, failed, django_capture_on_commit_callbacks
):
    client = logged_in(instructor)
    overview = client.get(f"/instructor/courses/{course.slug}/")
    assert f"/instructor/courses/{course.slug}/lms/" in overview.content.decode()

    page = client.get(f"/instructor/courses/{course.slug}/lms/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "simulated failure 400" in text and "Linear neuron" in text and "alice" in text
    assert "2.0 / 2.0 (FullyGraded)" in text
    with django_capture_on_commit_callbacks() as queued:
        resent = client.post(
            f"/instructor/courses/{course.slug}/lms/resend/",
            {"passback": failed.pk, "csrfmiddlewaretoken": csrf_token(text)},
        )
    assert resent.status_code == 302
    failed.refresh_from_db()
    assert failed.status == ScorePassback.Status.PENDING and failed.tries == 0
    assert len(queued) == 1

    sent = services.passback_send(passback_id=failed.pk)

    assert sent.status == ScorePassback.Status.SENT
    assert link.services.scores_for(link.line_item.url, "learner-1")[0]["scoreGiven"] == 2.0
    after = client.get(f"/instructor/courses/{course.slug}/lms/").content.decode()
    assert "simulated failure 400" not in after and "queued to be sent again" in after


def test_resend_needs_csrf_and_an_instructor(course, instructor, student, failed):
    without_token = logged_in(instructor).post(
        f"/instructor/courses/{course.slug}/lms/resend/", {"passback": failed.pk}
    )
    assert without_token.status_code == 403

    student_client = logged_in(student)
    assert student_client.get(f"/instructor/courses/{course.slug}/lms/").status_code == 404
    plain = Client()
    plain.force_login(student)
    refused = plain.post(f"/instructor/courses/{course.slug}/lms/resend/", {"passback": failed.pk})
    assert refused.status_code == 404
    failed.refresh_from_db()
    assert failed.status == ScorePassback.Status.FAILED


def test_resending_a_sent_score_says_why_not(course, instructor, failed):
    ScorePassback.objects.filter(pk=failed.pk).update(
        status=ScorePassback.Status.SENT, sent_payload={}, sent_at=timezone.now(), error=""
    )
    client = Client()
    client.force_login(instructor)

    response = client.post(
        f"/instructor/courses/{course.slug}/lms/resend/", {"passback": failed.pk}, follow=True
    )

    assert "only a failed score can be resent" in response.content.decode()


def test_admin_action_resends_failed_scores(failed, django_capture_on_commit_callbacks):
    admin = get_user_model().objects.create_superuser("root", "root@example.edu", "pw")
    client = Client()
    client.force_login(admin)

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            "/admin/lti_grades/scorepassback/",
            {"action": "resend", "_selected_action": [failed.pk]},
            follow=True,
        )

    assert "1 queued to be sent again; 0 skipped" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == ScorePassback.Status.PENDING and len(queued) == 1


def test_instructor_syncs_the_roster_from_the_page(link, course, instructor):
    link.services.members["course-101"] = [
        {"user_id": "new-1", "roles": ["Learner"], "status": "Active", "name": "New One"}
    ]
    client = Client()
    client.force_login(instructor)

    unconfirmed = client.post(f"/instructor/courses/{course.slug}/lms/roster-sync/", {})
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm" in unconfirmed.content.decode()

    synced = client.post(
        f"/instructor/courses/{course.slug}/lms/roster-sync/", {"confirm": "on"}, follow=True
    )

    assert "Roster synced: 1 listed: 1 new users, 1 added" in synced.content.decode()
    assert course.memberships.count() == 4
