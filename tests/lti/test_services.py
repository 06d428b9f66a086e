"""LTI services without HTTP: targets from custom parameters, start or resume of attempts."""

from __future__ import annotations

import pytest
from lti_tool.models import LtiContext, LtiDeployment, LtiRegistration, LtiResourceLink, LtiUser

from exams import services as exam_services
from exams.errors import ApplicationError
from lti import services
from lti.models import LtiAttemptLaunch
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
