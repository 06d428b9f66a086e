"""Roster sync over NRPS: every page fetched, memberships created, updated and removed."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from lti_tool.models import LtiMembership

from exams import services as exam_services
from exams.errors import ApplicationError
from exams.models import Attempt, Membership
from lti_grades import services
from tests.lti.platform.server import INSTRUCTOR, LEARNER

TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
CONTEXT = "course-101"


def member(sub: str, role: str, status: str = "Active") -> dict:
    return {
        "user_id": sub,
        "roles": [role],
        "status": status,
        "name": f"Person {sub}",
        "given_name": "Person",
        "family_name": sub,
        "email": f"{sub}@example.edu",
    }


@pytest.fixture
def roster(link, course, student, make_user, demo_question):
    """alice (learner-1) and dana (promoted) came from the LMS before; so did carol, who has
    left it. bob and prof have local accounts."""
    link.lti_user(student, "learner-1")
    dana, carol = make_user("dana"), make_user("carol")
    for user, sub in ((dana, "promoted-1"), (carol, "gone-1")):
        lti_user = link.lti_user(user, sub)
        LtiMembership.objects.create(context=link.context, user=lti_user, is_learner=True)
        Membership.objects.create(course=course, user=user, role=Membership.Role.STUDENT)
    exam_services.attempt_start_question(student=carol, course=course, question=demo_question)
    link.services.page_size = 2
    link.services.members[CONTEXT] = [
        member("learner-1", LEARNER),
        member("ta-1", TA),
        member("learner-2", "Learner"),
        member("learner-3", LEARNER, status="Inactive"),
        {**member("promoted-1", INSTRUCTOR), "picture": "https://lms.example/" + "p" * 300},
    ]
    del link.services.members[CONTEXT][1]["status"]  # NRPS may leave out status: Active
    return {"dana": dana, "carol": carol}


def roles(course) -> dict[str, str]:
    return {m.user.get_username(): m.role for m in course.memberships.select_related("user")}


def test_sync_fetches_every_page_and_makes_memberships_match(link, course, roster):
    report = services.roster_sync(course=course)

    pages = [r for r in link.platform.received if r.path == f"/memberships/{CONTEXT}"]
    assert [r.arg("offset") for r in pages] == [None, "2", "4"]
    assert report.members_listed == 5 and report.users_created == 2
    assert report.memberships_created == 2 and report.memberships_updated == 1
    assert report.memberships_removed == 1 and report.unchanged == 1
    now = roles(course)
    assert now.pop("alice") == "student" and now.pop("dana") == "instructor"
    assert now.pop("bob") == "student" and now.pop("prof") == "instructor"  # local: untouched
    assert sorted(now.values()) == ["instructor", "student"]  # ta-1 and learner-2, new
    assert "carol" not in roles(course)
    assert Attempt.objects.filter(student=roster["carol"]).count() == 1  # attempts are kept
    assert not LtiMembership.objects.get(user__sub="gone-1").is_active

    again = services.roster_sync(course=course)
    assert again.users_created == again.memberships_created == again.memberships_removed == 0
    assert again.unchanged == 4


def test_an_empty_roster_changes_nothing(link, course, roster):
    link.services.members[CONTEXT] = []

    with pytest.raises(ApplicationError) as refused:
        services.roster_sync(course=course)

    assert refused.value.code == "empty_roster"
    assert "carol" in roles(course)


def test_a_platform_refusal_is_reported_and_changes_nothing(link, course, roster):
    link.services.granted_scopes = frozenset()  # NRPS not enabled for the tool

    with pytest.raises(ApplicationError) as refused:
        services.roster_sync(course=course)

    assert refused.value.code == "platform_error" and refused.value.status == 502
    assert "invalid_scope" in refused.value.message
    assert "carol" in roles(course)


def test_management_command_reports_counts(link, course, roster, capsys):
    call_command("lti_sync_roster", course.slug)

    out = capsys.readouterr().out
    assert "5 listed: 2 new users, 2 added, 1 role changes, 1 removed, 1 unchanged" in out

    with pytest.raises(CommandError, match="No course 'nope'"):
        call_command("lti_sync_roster", "nope")


def test_a_course_without_lms_link_cannot_sync(course):
    with pytest.raises(ApplicationError) as refused:
        services.roster_sync(course=course)

    assert refused.value.code == "not_lti_linked"


def test_sync_gives_members_their_lti_user_id_as_external_id_when_free(
    link, course, roster, student
):
    Membership.objects.filter(course=course, user=student).update(external_id="sis-alice")
    Membership.objects.filter(course=course, user__username="bob").update(external_id="learner-2")

    services.roster_sync(course=course)

    ids = {m.user.get_username(): m.external_id for m in course.memberships.select_related("user")}
    assert ids.pop("alice") == "sis-alice"  # set by the REST roster: kept
    assert ids.pop("bob") == "learner-2"  # held by a local account: not taken from it
    assert ids.pop("dana") == "promoted-1"
    assert ids.pop("prof") == ""
    assert sorted(ids.values()) == ["", "ta-1"]  # learner-2's id is bob's: left empty
