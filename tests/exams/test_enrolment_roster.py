"""The roster (PUT/DELETE enrolments by external id) never takes over an account from outside
the course, edits only accounts it created, and keeps the external id's account after removal."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from exams.models import Course, Membership, RosterLink

User = get_user_model()


@pytest.fixture
def other_course(course, student) -> Course:
    """Course B: bob-like member `studentb` and an LTI-style account without a password."""
    other = Course.objects.create(slug="other", title="Other")
    studentb = User.objects.create_user("studentb", "b@example.org", "pw-b")
    lti_user = User.objects.create_user("lti-1-abc", "lti@example.org", first_name="Ina")
    lti_user.set_unusable_password()
    lti_user.save()
    Membership.objects.create(course=other, user=studentb, role="student")
    Membership.objects.create(course=other, user=lti_user, role="instructor")
    Membership.objects.create(course=other, user=student, role="student", external_id="b-alice")
    return other


@pytest.fixture
def lms(course_key, key_client):
    return key_client(course_key[1])


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["studentb", "lti-1-abc", "prof"])
def test_no_account_is_bound_by_name_from_anywhere(course, other_course, lms, name):
    response = lms.put(
        f"/api/v1/courses/nndl/enrolments/hijack-{name}/",
        {"role": "instructor", "username": name},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert not Membership.objects.filter(course=course, external_id=f"hijack-{name}").exists()
    assert name not in response.content.decode().replace(f"hijack-{name}", "")


@pytest.mark.django_db
def test_an_unknown_external_id_gets_a_new_account_even_when_its_name_is_taken(
    course, other_course, lms
):
    squatter = User.objects.create_user("lms-nndl-u-7", "s@example.org", "pw-s")
    squatter_upper = User.objects.create_user("LMS-NNDL-U-8", "t@example.org", "pw-t")
    for external_id, taken in (("u-7", squatter), ("u-8", squatter_upper)):
        response = lms.put(
            f"/api/v1/courses/nndl/enrolments/{external_id}/",
            {"role": "student", "email": "new@example.org", "first_name": "New"},
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["username"].lower() != taken.username.lower()
        assert body["username"].startswith(f"lms-nndl-{external_id}-")
        assert not Membership.objects.filter(course=course, user=taken).exists()
        taken.refresh_from_db()
        assert taken.email in ("s@example.org", "t@example.org")


@pytest.mark.django_db
def test_the_roster_edits_only_the_profiles_of_accounts_it_created(course, other_course, lms):
    url = "/api/v1/courses/nndl/enrolments/u-1/"
    created = lms.put(url, {"role": "student", "email": "one@example.org"}, format="json")
    assert created.status_code == 201
    user = User.objects.get(username=created.json()["username"])
    assert RosterLink.objects.get(course=course, external_id="u-1").created_account
    lms.put(
        url, {"role": "student", "email": "two@example.org", "first_name": "Two"}, format="json"
    )
    user.refresh_from_db()
    assert (user.email, user.first_name) == ("two@example.org", "Two")
    # An account another course's roster created is that course's: this one never edits it.
    lti_user = User.objects.get(username="lti-1-abc")
    Membership.objects.create(course=course, user=lti_user, role="student", external_id="x-9")
    response = lms.put(
        "/api/v1/courses/nndl/enrolments/x-9/",
        {"role": "student", "email": "evil@example.org", "first_name": "Pwned"},
        format="json",
    )
    assert response.status_code == 200
    lti_user.refresh_from_db()
    assert (lti_user.email, lti_user.first_name) == ("lti@example.org", "Ina")
    assert not RosterLink.objects.get(course=course, external_id="x-9").created_account


@pytest.mark.django_db
def test_an_instructor_session_follows_the_same_rules(course, other_course, instructor, api_for):
    client = api_for(instructor)
    response = client.put(
        "/api/v1/courses/nndl/enrolments/probe/",
        {"role": "student", "username": "lti-1-abc"},
        format="json",
    )
    assert response.status_code == 400
    assert "lti@example.org" not in response.content.decode()
    assert not Membership.objects.filter(course=course, user__username="lti-1-abc").exists()


@pytest.mark.django_db
def test_enrolling_a_removed_external_id_again_restores_the_account_and_its_work(course, lms):
    url = "/api/v1/courses/nndl/enrolments/canvas-5/"
    first = lms.put(url, {"role": "student"}, format="json")
    assert first.status_code == 201
    attempt = lms.post(
        "/api/v1/courses/nndl/attempts/",
        {"question": "demo-linear-neuron", "student": "canvas-5"},
        format="json",
    )
    assert attempt.status_code == 201, attempt.content
    assert lms.delete(url).status_code == 204
    assert lms.get(url).status_code == 404
    again = lms.put(url, {"role": "student"}, format="json")
    assert again.status_code == 201
    assert again.json()["username"] == first.json()["username"]
    listed = lms.get("/api/v1/courses/nndl/attempts/?student=canvas-5").json()["results"]
    assert [a["id"] for a in listed] == [attempt.json()["id"]]
    assert listed[0]["student"]["external_id"] == "canvas-5"


@pytest.mark.django_db
def test_a_member_enrolled_outside_the_roster_keeps_the_account_after_removal(course, student, lms):
    """An LTI launch (or the admin) sets the membership's external id without a roster link."""
    Membership.objects.filter(course=course, user=student).update(external_id="lti-sub-1")
    url = "/api/v1/courses/nndl/enrolments/lti-sub-1/"
    assert lms.delete(url).status_code == 204
    assert RosterLink.objects.get(course=course, external_id="lti-sub-1").user == student
    again = lms.put(url, {"role": "student"}, format="json")
    assert again.status_code == 201, again.content
    assert again.json()["username"] == student.username


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_puts_of_one_new_external_id_create_one_account(course, course_key, key_client):
    import threading

    from django.db import connections

    threads_n = 8
    barrier = threading.Barrier(threads_n)
    statuses: list[int] = []
    errors: list[BaseException] = []
    before = User.objects.count()

    def put() -> None:
        try:
            barrier.wait(timeout=60)
            response = key_client(course_key[1]).put(
                "/api/v1/courses/nndl/enrolments/race-1/", {"role": "student"}, format="json"
            )
            statuses.append(response.status_code)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=put) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201, 409}, statuses
    assert User.objects.count() == before + 1
    assert RosterLink.objects.filter(course=course, external_id="race-1").count() == 1
