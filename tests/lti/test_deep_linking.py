"""Deep linking: an instructor picks a paper inside the LMS; the platform receives a signed
LtiDeepLinkingResponse and the link it creates launches students into that paper."""

from __future__ import annotations

from decimal import Decimal

import pytest

from exams import services as exam_services
from exams.models import Attempt, Course
from lti.models import LtiContextCourse
from tests.conftest import DEMO_SLUG
from tests.lti.platform.launch import login_and_launch, post_deep_link_response
from tests.lti.platform.server import DL, INSTRUCTOR, LEARNER, LTI, REMOVE


def _deep_linking_claims(platform, roles=(INSTRUCTOR,)) -> dict:
    return {
        "sub": "teacher-1",
        LTI + "roles": list(roles),
        LTI + "message_type": "LtiDeepLinkingRequest",
        LTI + "resource_link": REMOVE,
        DL + "deep_linking_settings": {
            "deep_link_return_url": platform.url("/deep_link_return"),
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "data": "opaque-platform-data",
        },
    }


def _paper_in_lti_course(platform, tool) -> tuple[Course, object]:
    """The course an instructor's first launch made, with a 2-mark paper assembled in it."""
    login_and_launch(platform, tool, claims={"sub": "teacher-1", LTI + "roles": [INSTRUCTOR]})
    course = LtiContextCourse.objects.get().course
    paper = exam_services.paper_create(
        course=course,
        title="Mock exam",
        time_limit_minutes=None,
        use_original_numbers=False,
        items=[(course.questions.get(slug=DEMO_SLUG), Decimal("2"))],
    )
    return course, paper


def test_deep_linking_round_trip(platform, tool):
    _course, paper = _paper_in_lti_course(platform, tool)

    outcome = login_and_launch(platform, tool, claims=_deep_linking_claims(platform))

    assert outcome.response.status_code == 302, outcome.response.text
    assert outcome.response.headers["Location"] == "/lti/deep-link/"
    session = outcome.session
    picker = session.get(tool + "/lti/deep-link/")
    assert picker.status_code == 200
    assert f"paper:{paper.slug}:exam" in picker.text and f"question:{DEMO_SLUG}" in picker.text
    answer = session.post(
        tool + "/lti/deep-link/",
        data={
            "target": f"paper:{paper.slug}:exam",
            "csrfmiddlewaretoken": session.cookies.get("csrftoken"),
        },
        headers={"Referer": tool + "/lti/deep-link/"},
    )
    assert answer.status_code == 200, answer.text
    policy = answer.headers["Content-Security-Policy"]
    assert "'sha256-" in policy and f"form-action 'self' {platform.base_url}" in policy

    received = post_deep_link_response(session, answer.text)

    assert received.status_code == 200, received.text
    (claims,) = platform.deep_link_responses
    assert claims["iss"] == platform.client_id
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "deployment_id"] == platform.deployment_id
    assert claims[DL + "data"] == "opaque-platform-data"
    (item,) = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == tool + "/lti/launch/"
    assert item["custom"] == {"paper": paper.slug, "mode": "exam"}
    assert item["lineItem"]["scoreMaximum"] == pytest.approx(2.0)
    assert item["lineItem"]["label"] == "Mock exam (exam)"

    # The platform creates a link from the item: a learner's launch opens the exam sitting.
    learner = login_and_launch(
        platform,
        tool,
        claims={
            LTI + "roles": [LEARNER],
            LTI + "resource_link": {"id": "link-from-deep-link", "title": item["title"]},
            LTI + "custom": item["custom"],
        },
    )
    attempt = Attempt.objects.get(student__lti_users__sub="learner-1")
    assert learner.response.headers["Location"] == f"/attempts/{attempt.pk}/"
    assert (attempt.paper, attempt.mode) == (paper, "exam")


def test_learner_cannot_deep_link(platform, tool):
    outcome = login_and_launch(platform, tool, claims=_deep_linking_claims(platform, [LEARNER]))

    assert outcome.response.status_code == 403
    assert "Only instructors" in outcome.response.text


def test_deep_link_page_needs_a_deep_linking_launch(platform, tool):
    outcome = login_and_launch(
        platform, tool, claims={"sub": "teacher-1", LTI + "roles": [INSTRUCTOR]}
    )

    page = outcome.session.get(tool + "/lti/deep-link/")

    assert page.status_code == 403
    assert "deep linking launch" in page.text


def test_deep_linking_response_leaves_out_data_the_request_did_not_send(platform, tool):
    _course, paper = _paper_in_lti_course(platform, tool)
    claims = _deep_linking_claims(platform)
    del claims[DL + "deep_linking_settings"]["data"]
    outcome = login_and_launch(platform, tool, claims=claims)
    session = outcome.session
    session.get(tool + "/lti/deep-link/")
    answer = session.post(
        tool + "/lti/deep-link/",
        data={
            "target": f"paper:{paper.slug}:practice",
            "csrfmiddlewaretoken": session.cookies.get("csrftoken"),
        },
        headers={"Referer": tool + "/lti/deep-link/"},
    )
    assert answer.status_code == 200, answer.text

    assert post_deep_link_response(session, answer.text).status_code == 200
    (received,) = platform.deep_link_responses
    assert DL + "data" not in received
    assert received[DL + "content_items"][0]["custom"] == {"paper": paper.slug, "mode": "practice"}
