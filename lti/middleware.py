"""The launch a session came from (django-lti's middleware) and framing of LTI pages.

LTI pages are shown inside the LMS's iframe, so for them X-Frame-Options is dropped and the
Content-Security-Policy's `frame-ancestors` names the registered platforms instead of 'none'.
Within a session that came from a launch, the student pages a launch leads to (attempts,
practice questions, starting a paper) may be framed too; instructor administration pages
(retire, restore, re-mark, papers) and every other page stay unframeable.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from lti_tool.constants import SESSION_KEY
from lti_tool.middleware import LtiLaunchMiddleware
from lti_tool.models import AbsentLtiLaunch

from lti import selectors

LTI_PATH_PREFIX = "/lti/"
# Student pages reached from a launch: the attempt pages and a course's practice questions and
# paper start. Instructor pages (/instructor/...) are not among them.
LAUNCH_FRAMEABLE_PREFIXES = ("/attempts/", "/courses/")


class LtiSessionLaunchMiddleware(LtiLaunchMiddleware):
    """django-lti's LtiLaunchMiddleware, consulted only for sessions that came from a launch.

    The library's middleware treats every other request as a possible launch and reads its
    form body; requests of sessions without a launch get AbsentLtiLaunch straight away.
    """

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY not in request.session:
            request.lti_launch = AbsentLtiLaunch()
            return self.get_response(request)
        return super().__call__(request)


def frame_ancestors_policy(sources: list[str]) -> str:
    """settings.CONTENT_SECURITY_POLICY with `frame-ancestors` set to 'self' and `sources`."""
    directives = [
        d.strip()
        for d in settings.CONTENT_SECURITY_POLICY.split(";")
        if d.strip() and not d.strip().startswith("frame-ancestors")
    ]
    directives.append(" ".join(["frame-ancestors", "'self'", *sources]))
    return "; ".join(directives)


class LtiFramingMiddleware:
    """Lets the registered platforms frame LTI pages, and the student pages of a session that
    came from a launch; every other page stays unframeable (X-Frame-Options DENY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        launch = getattr(request, "lti_launch", None)
        in_lti = request.path.startswith(LTI_PATH_PREFIX) or (
            launch is not None
            and launch.is_present
            and request.path.startswith(LAUNCH_FRAMEABLE_PREFIXES)
        )
        if not in_lti:
            return response
        response.xframe_options_exempt = True
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = frame_ancestors_policy(
                selectors.lti_frame_ancestors()
            )
        return response
