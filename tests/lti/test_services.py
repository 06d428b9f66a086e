"""LTI services without HTTP: targets from custom parameters, start or resume of attempts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from lti_tool.models import LtiContext, LtiDeployment, LtiRegistration, LtiResourceLink, LtiUser

from exams import services as exam_services
from exams.errors import ApplicationError
from lti import services
from lti.models import LtiAttemptLaunch, LtiContextCourse
from tests.conftest import DEMO_SLUG


@pytest.fixture
def link(db) -> LtiResourceLink:
    registration = LtiRegistration.objects.create(
        name="LMS",
        issuer="https://lms.example.edu",
        client_id="c1",
        auth_url="https://lms.example.edu/auth",
        token_url="https://lms.example.edu/token",
        keyset_url="https://lms.example.edu/jwks",
    )
    deployment = LtiDeployment.objects.create(registration=registration, deployment_id="d1")
    context = LtiContext.objects.create(deployment=deployment, id_on_platform="ctx", title="NN")
    return LtiResourceLink.objects.create(context=context, id_on_platform="rl")


@pytest.fixture
def lti_student(link, student) -> LtiUser:
    return LtiUser.objects.create(
        registration=link.context.deployment.registration, sub="s1", auth_user=student
    )


def test_practice_launches_resume_the_open_attempt_then_start_a_new_one(
    link, lti_student, student, course, make_paper
):
    paper = make_paper(minutes=None)
    target = services.lti_target_resolve(
        resource_link=link, course=course, custom={"paper": paper.slug}
    )

    first = services.lti_attempt_open(lti_user=lti_student, student=student, target=target)
    again = services.lti_attempt_open(lti_user=lti_student, student=student, target=target)
    exam_services.attempt_finish(attempt=first, student=student)
    after_finishing = services.lti_attempt_open(
        lti_user=lti_student, student=student, target=target
    )

    assert again == first
    assert after_finishing != first and after_finishing.mode == "practice"
    assert LtiAttemptLaunch.objects.filter(lti_user=lti_student).count() == 2


def test_exam_launches_always_open_the_one_sitting(link, lti_student, student, course, make_paper):
    paper = make_paper()
    target = services.lti_target_set(
        resource_link=link, course=course, paper_slug=paper.slug, mode="exam"
    )

    sitting = services.lti_attempt_open(lti_user=lti_student, student=student, target=target)
    exam_services.attempt_finish(attempt=sitting, student=student)

    assert (
        services.lti_attempt_open(lti_user=lti_student, student=student, target=target) == sitting
    )


@pytest.mark.parametrize(
    ("custom", "code"),
    [
        ({"paper": "p", "question": DEMO_SLUG}, "lti_bad_target"),
        ({"question": DEMO_SLUG, "mode": "exam"}, "lti_bad_target"),
        ({"paper": "nope"}, "lti_target_not_found"),
        ({"question": "nope"}, "lti_target_not_found"),
        ({"question": DEMO_SLUG, "mode": "timed"}, "lti_bad_target"),
    ],
)
def test_bad_custom_targets_say_what_is_wrong(link, course, custom, code):
    with pytest.raises(ApplicationError) as raised:
        services.lti_target_resolve(resource_link=link, course=course, custom=custom)

    assert raised.value.code == code


def test_a_link_without_custom_target_has_none(link, course):
    assert services.lti_target_resolve(resource_link=link, course=course, custom={}) is None


def _race(count: int, work) -> list:  # noqa: ANN001
    """Run `work` in `count` threads released together; each closes its connection."""
    barrier = Barrier(count)

    def run(_: int) -> object:
        barrier.wait()
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_first_launches_make_one_course_and_one_account(link):
    context = link.context
    courses = _race(8, lambda: services.lti_course_get_or_create(context=context).pk)
    assert len(set(courses)) == 1 and LtiContextCourse.objects.count() == 1

    lti_user = LtiUser.objects.create(
        registration=context.deployment.registration, sub="new-1", given_name="Ann"
    )
    accounts = _race(
        8,
        lambda: services.lti_account_get_or_create(lti_user=LtiUser.objects.get(pk=lti_user.pk)).pk,
    )
    assert len(set(accounts)) == 1
    assert get_user_model().objects.filter(username__startswith="lti-").count() == 1
