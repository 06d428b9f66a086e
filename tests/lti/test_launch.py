"""Launches from the simulated platform through the real login flow into Tensorgrade."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from lti_tool.models import LtiLineItem, LtiUser

from exams import services as exam_services
from exams.models import Attempt, Membership
from lti.models import LtiAttemptLaunch, LtiContextCourse, LtiTarget
from tests.conftest import DEMO_SLUG
from tests.lti.platform.launch import login_and_launch
from tests.lti.platform.server import INSTRUCTOR, LTI

CUSTOM = LTI + "custom"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def _instructor(**claims):
    return {"sub": "teacher-1", "name": "Grace Teacher", LTI + "roles": [INSTRUCTOR], **claims}


def test_learner_launch_creates_user_course_membership_then_reuses_them(platform, tool):
    outcome = login_and_launch(platform, tool, claims={CUSTOM: {"question": DEMO_SLUG}})

    assert outcome.response.status_code == 302, outcome.response.text
    assert outcome.response.headers["Location"].startswith("/attempts/")
    lti_user = LtiUser.objects.get(sub="learner-1")
    user = lti_user.auth_user
    assert user is not None and user.email == "ada@example.edu" and user.first_name == "Ada"
    assert not user.has_usable_password()
    link = LtiContextCourse.objects.get(context__id_on_platform="course-101")
    assert link.course.title == "Neural Networks 101"
    assert link.course.questions.filter(slug=DEMO_SLUG).exists()
    membership = Membership.objects.get(user=user, course=link.course)
    assert membership.role == Membership.Role.STUDENT
    attempt = Attempt.objects.get(student=user)
    assert attempt.question.slug == DEMO_SLUG
    assert LtiAttemptLaunch.objects.filter(attempt=attempt, lti_user=lti_user).count() == 1
    page = outcome.session.get(tool + outcome.response.headers["Location"])
    assert page.status_code == 200 and "Neural" in page.text

    again = login_and_launch(platform, tool, claims={CUSTOM: {"question": DEMO_SLUG}})

    assert again.response.headers["Location"] == outcome.response.headers["Location"]
    assert get_user_model().objects.filter(lti_users__isnull=False).count() == 1
    assert LtiContextCourse.objects.count() == 1
    assert Membership.objects.filter(user=user).count() == 1
    assert Attempt.objects.filter(student=user).count() == 1


def test_instructor_launch_makes_an_instructor_who_chooses_the_paper(platform, tool):
    outcome = login_and_launch(platform, tool, claims=_instructor())

    assert outcome.response.status_code == 302, outcome.response.text
    assert outcome.response.headers["Location"] == "/lti/choose/"
    teacher = LtiUser.objects.get(sub="teacher-1").auth_user
    course = LtiContextCourse.objects.get().course
    assert Membership.objects.get(user=teacher, course=course).role == Membership.Role.INSTRUCTOR
    paper = exam_services.paper_create(
        course=course,
        title="Mock exam",
        time_limit_minutes=None,
        use_original_numbers=False,
        items=[(course.questions.get(slug=DEMO_SLUG), Decimal("2"))],
    )
    page = outcome.session.get(tool + "/lti/choose/")
    assert page.status_code == 200 and "Choose a paper" in page.text
    chosen = outcome.session.post(
        tool + "/lti/choose/",
        data={"target": f"paper:{paper.slug}:exam", "csrfmiddlewaretoken": _csrf(outcome)},
        headers={"Referer": tool + "/lti/choose/"},
        allow_redirects=False,
    )
    assert chosen.status_code == 302, chosen.text
    target = LtiTarget.objects.get(resource_link__id_on_platform="link-1")
    assert (target.paper, target.mode) == (paper, "exam")

    learner = login_and_launch(platform, tool)

    attempt = Attempt.objects.get(student__lti_users__sub="learner-1")
    assert learner.response.headers["Location"] == f"/attempts/{attempt.pk}/"
    assert (attempt.paper, attempt.mode) == (paper, "exam")
    # The same person later launched as a learner: the membership follows the platform's role.
    login_and_launch(platform, tool, claims={"sub": "teacher-1"})
    assert Membership.objects.get(user=teacher, course=course).role == Membership.Role.STUDENT


def test_teaching_assistant_short_role_is_an_instructor(platform, tool):
    outcome = login_and_launch(
        platform, tool, claims={"sub": "ta-1", LTI + "roles": ["TeachingAssistant"]}
    )

    assert outcome.response.headers["Location"] == "/lti/choose/"
    assert Membership.objects.get(user__lti_users__sub="ta-1").role == "instructor"


def test_learner_on_a_link_with_no_target_is_told_so(platform, tool):
    outcome = login_and_launch(platform, tool)

    assert outcome.response.status_code == 200
    assert "has not yet chosen" in outcome.response.text
    assert not Attempt.objects.exists()


def test_launch_stores_the_line_item_of_the_ags_claim(platform, tool):
    line_item_url = platform.url("/lineitems/7")
    claims = {
        CUSTOM: {"question": DEMO_SLUG},
        AGS: {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitems": platform.url("/lineitems"),
            "lineitem": line_item_url,
        },
    }

    login_and_launch(platform, tool, claims=claims)

    line_item = LtiLineItem.objects.get(url=line_item_url)
    assert line_item.resource_link.id_on_platform == "link-1"
    assert line_item.maximum_score == pytest.approx(2.0)
    assert line_item.label == "Mock exam"


def test_custom_target_naming_a_missing_paper_is_a_clear_404(platform, tool):
    outcome = login_and_launch(platform, tool, claims={CUSTOM: {"paper": "no-such-paper"}})

    assert outcome.response.status_code == 404
    assert "no-such-paper" in outcome.response.text


def _csrf(outcome) -> str:
    return outcome.session.cookies.get("csrftoken") or ""


def test_login_initiation_by_get_and_by_registration_url(platform, tool, registration):
    by_get = login_and_launch(
        platform, tool, claims={CUSTOM: {"question": DEMO_SLUG}}, login_method="GET"
    )
    assert by_get.response.status_code == 302, by_get.response.text

    by_uuid = login_and_launch(
        platform,
        tool,
        claims={CUSTOM: {"question": DEMO_SLUG}},
        login_path=f"/lti/login/{registration.uuid}/",
    )
    assert by_uuid.response.status_code == 302, by_uuid.response.text


def test_instructor_launch_with_a_bad_custom_target_goes_to_the_choose_page(platform, tool):
    outcome = login_and_launch(platform, tool, claims=_instructor(**{CUSTOM: {"paper": "gone"}}))

    assert outcome.response.headers["Location"] == "/lti/choose/"
    page = outcome.session.get(tool + "/lti/choose/")
    assert page.status_code == 200 and "gone" in page.text and "Choose a paper" in page.text


def test_an_unlinked_lms_course_gets_an_empty_course_and_says_what_an_admin_does(
    platform, tool, linked_course
):
    sandbox = {"id": "sandbox-9", "label": "SBX", "title": "Sandbox of Grace"}
    outcome = login_and_launch(platform, tool, claims=_instructor(**{LTI + "context": sandbox}))

    assert outcome.response.headers["Location"] == "/lti/choose/"
    course = LtiContextCourse.objects.get(context__id_on_platform="sandbox-9").course
    assert course != linked_course and course.title == "Sandbox of Grace"
    assert not course.questions.exists() and not course.papers.exists()
    page = outcome.session.get(tool + "/lti/choose/")
    assert page.status_code == 200
    assert "not linked to Tensorgrade content yet" in page.text
    assert "LTI contexts' courses" in page.text and course.slug in page.text
    overview = outcome.session.get(tool + f"/instructor/courses/{course.slug}/")
    assert overview.status_code == 200 and DEMO_SLUG not in overview.text
    preview = outcome.session.get(
        tool + f"/instructor/courses/{course.slug}/questions/{DEMO_SLUG}/?paper=1"
    )
    assert preview.status_code == 404


def test_a_taken_lti_username_does_not_block_or_capture_the_first_launch(
    platform, tool, registration
):
    digest = hashlib.sha256(f"{registration.pk}:learner-1".encode()).hexdigest()[:20]
    squatter = get_user_model().objects.create_user(
        username=f"lti-{registration.pk}-{digest}", email="attacker@evil.example"
    )

    for _ in range(2):
        outcome = login_and_launch(platform, tool, claims={CUSTOM: {"question": DEMO_SLUG}})
        assert outcome.response.status_code == 302, outcome.response.text

    user = LtiUser.objects.get(sub="learner-1").auth_user
    assert user.pk != squatter.pk and user.username.startswith(squatter.username + "-")
    assert user.email == "ada@example.edu"
    squatter.refresh_from_db()
    assert squatter.email == "attacker@evil.example"
    assert not Membership.objects.filter(user=squatter).exists()
    assert Attempt.objects.filter(student=user).count() == 1


def test_the_page_header_shows_the_lms_users_name_not_the_account_name(platform, tool):
    outcome = login_and_launch(platform, tool, claims={CUSTOM: {"question": DEMO_SLUG}})
    page = outcome.session.get(tool + outcome.response.headers["Location"])

    user = LtiUser.objects.get(sub="learner-1").auth_user
    who = re.search(r'<span class="who"[^>]*>([^<]*)</span>', page.text).group(1)
    assert who == "Ada Learner" and user.username.startswith("lti-")


def test_a_launch_gives_the_membership_the_lti_user_id_unless_set_or_taken(
    platform, tool, linked_course, make_user
):
    login_and_launch(platform, tool, claims={CUSTOM: {"question": DEMO_SLUG}})
    ada = LtiUser.objects.get(sub="learner-1").auth_user
    assert Membership.objects.get(user=ada, course=linked_course).external_id == "learner-1"

    # an id the REST roster set is kept
    Membership.objects.filter(user=ada).update(external_id="sis-77")
    login_and_launch(platform, tool, claims={CUSTOM: {"question": DEMO_SLUG}})
    assert Membership.objects.get(user=ada, course=linked_course).external_id == "sis-77"

    # an id another member holds is not taken from them
    other = make_user("zed")
    Membership.objects.create(
        course=linked_course, user=other, role=Membership.Role.STUDENT, external_id="learner-2"
    )
    login_and_launch(platform, tool, claims={"sub": "learner-2", CUSTOM: {"question": DEMO_SLUG}})
    newcomer = LtiUser.objects.get(sub="learner-2").auth_user
    assert Membership.objects.get(user=newcomer, course=linked_course).external_id == ""
    assert Membership.objects.get(user=other).external_id == "learner-2"
