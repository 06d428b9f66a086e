"""Reads for LTI launches."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from lti_tool.models import LtiContext, LtiRegistration, LtiResourceLink

from exams.errors import ApplicationError
from exams.models import Course, Paper, Question
from lti.models import LtiContextCourse, LtiTarget


def url_origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def lti_frame_ancestors() -> list[str]:
    """Origins allowed to frame LTI pages: LTI_FRAME_ANCESTORS, then each active registration's
    issuer and authorization URL origins."""
    origins = list(settings.LTI_FRAME_ANCESTORS)
    for issuer, auth_url in LtiRegistration.objects.active().values_list("issuer", "auth_url"):
        for origin in (url_origin(issuer), url_origin(auth_url)):
            if origin and origin not in origins:
                origins.append(origin)
    return origins


def max_score_of(*, paper: Paper | None = None, question: Question | None = None) -> float:
    """The most an attempt can score: the paper's total marks, or the question's."""
    if paper is not None:
        return float(sum(item.marks for item in paper.items.all()))
    version = question.current_version
    return version.max_score if version is not None else 0.0


def target_max_score(*, target: LtiTarget) -> float:
    """The most a launch of the target can score (see max_score_of)."""
    return max_score_of(paper=target.paper, question=target.question)


def target_title(*, target: LtiTarget) -> str:
    """The title of the paper or question the target opens."""
    if target.paper is not None:
        return target.paper.title
    return target.question.title


def launch_course(*, context: LtiContext) -> Course:
    """The course the launch's LTI context is linked to; ApplicationError 404 if none yet."""
    link = LtiContextCourse.objects.select_related("course").filter(context=context).first()
    if link is None:
        raise ApplicationError(
            "This LMS course is not linked to a Tensorgrade course yet; launch the tool from "
            "the LMS again.",
            code="lti_no_course",
            status=404,
        )
    return link.course


def link_target(*, resource_link: LtiResourceLink) -> LtiTarget | None:
    """What the resource link opens, if chosen yet."""
    return (
        LtiTarget.objects.select_related("paper", "question")
        .filter(resource_link=resource_link)
        .first()
    )


@dataclass(frozen=True)
class ContentItem:
    """What a deep linking response says about a chosen paper or question."""

    title: str
    custom: dict[str, str]
    max_score: float
    resource_id: str


def content_item_for(
    *, course: Course, paper_slug: str = "", question_slug: str = "", mode: str = "practice"
) -> ContentItem:
    """The content item for a paper (in a mode) or question of the course.

    Raises ApplicationError 404 (`lti_target_not_found`) when the course has no such one.
    """
    if paper_slug:
        paper = course.papers.filter(slug=paper_slug).first()
        if paper is not None:
            suffix = " (exam)" if mode == "exam" else ""
            return ContentItem(
                title=f"{paper.title}{suffix}",
                custom={"paper": paper.slug, "mode": mode},
                max_score=max_score_of(paper=paper),
                resource_id=f"paper:{paper.slug}:{mode}",
            )
    else:
        question = course.questions.filter(slug=question_slug).first()
        if question is not None:
            return ContentItem(
                title=question.title,
                custom={"question": question.slug, "mode": "practice"},
                max_score=max_score_of(question=question),
                resource_id=f"question:{question.slug}",
            )
    raise ApplicationError(
        f"The course '{course.title}' has no such paper or question; choose again.",
        code="lti_target_not_found",
        status=404,
    )
