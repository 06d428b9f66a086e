"""What an administrator does before an LMS course can open content: link its context to a
Tensorgrade course that offers questions (docs/lms.md)."""

from __future__ import annotations

from lti_tool.models import LtiContext, LtiDeployment, LtiRegistration

from exams.models import Course, Question
from lti.models import LtiContextCourse


def course_linked_to_context(
    registration: LtiRegistration, question: Question, context_id: str
) -> Course:
    """A course "Neural Networks 101" offering `question`, linked to the platform context
    `context_id` of the registration's deployment."""
    course = Course.objects.create(slug="nn101", title="Neural Networks 101")
    course.questions.add(question)
    context = LtiContext.objects.create(
        deployment=LtiDeployment.objects.get(registration=registration),
        id_on_platform=context_id,
        title="Neural Networks 101",
        label="NN101",
    )
    LtiContextCourse.objects.create(context=context, course=course)
    return course
