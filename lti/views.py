"""LTI 1.3 endpoints: OIDC login, launch, JWKS, choosing a link's target, deep linking.

Validation of logins and launches is django-lti's and pylti1p3's; these views turn their
refusals into pages saying what was wrong, and route a valid launch into Tensorgrade.
"""

from __future__ import annotations

import base64
import hashlib
import re
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from lti_tool import views as lti_tool_views
from lti_tool.models import LtiLaunch
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from exams import selectors as exam_selectors
from exams.errors import ApplicationError
from exams.models import Course, Membership
from lti import selectors, services
from lti.forms import TargetChoiceForm
from lti.middleware import frame_ancestors_policy

REFUSED_TEMPLATE = "lti/refused.html"
ADMIN_HINT = (
    "If this keeps happening, your LMS administrator should compare the tool's registration "
    "in Tensorgrade's admin with the LMS's settings (see docs/lms.md)."
)
SCRIPT = re.compile(r"<script[^>]*>(.*?)</script>", re.DOTALL)


def refused(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    """A page saying why an LTI request was refused and what to do."""
    return render(request, REFUSED_TEMPLATE, {"message": message}, status=status)


def with_inline_scripts_allowed(
    response: HttpResponse, *, form_origin: str | None = None
) -> HttpResponse:
    """Allow exactly the inline scripts of this HTML response (by hash) in its CSP, and a form
    posting to `form_origin`; LTI pages may be framed by the registered platforms."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in SCRIPT.findall(response.content.decode())
    ]
    directives = []
    for directive in frame_ancestors_policy(selectors.lti_frame_ancestors()).split("; "):
        name = directive.split(" ", 1)[0]
        if name == "script-src" and hashes:
            directive = " ".join([directive, *hashes])
        elif name == "form-action" and form_origin:
            directive = f"{directive} {form_origin}"
        directives.append(directive)
    response.headers["Content-Security-Policy"] = "; ".join(directives)
    return response


@method_decorator((csrf_exempt, xframe_options_exempt), name="dispatch")
class LoginView(lti_tool_views.OIDCLoginInitView):
    """OIDC login initiation (GET or POST), django-lti's, with its cookie check page.

    Inside an iframe whose browser blocks third-party cookies, the page offers to open the
    launch in a new window (pylti1p3's cookie check); errors are pages, not 500s.
    """

    main_msg = (
        "Your browser blocks cookies for Tensorgrade inside the LMS page, so it must open in "
        "its own tab or window. "
    )
    click_msg = "Open Tensorgrade in a new tab."

    def get_redirect_url(self, target_link_uri: str) -> str:
        """The redirect_uri sent to the platform: always this tool's own launch URL (absolute,
        from the request's host), never the request's `target_link_uri`, so nobody can have
        the platform post an id_token elsewhere."""
        return self.request.build_absolute_uri(reverse("lti:launch"))

    def get_oidc_response(
        self, request: HttpRequest, registration_uuid: UUID | None, params: QueryDict
    ) -> HttpResponse:
        """Answer a login initiation: the cookie check page, the redirect to the platform's
        authorization URL, or a 400 page naming what was wrong."""
        services.tool_key_ensure()
        missing = [
            name for name in ("iss", "login_hint", "target_link_uri") if not params.get(name)
        ]
        if missing:
            return refused(
                request,
                "This login request from the LMS lacks "
                + ", ".join(missing)
                + ". Start the activity from the LMS; this address is the tool's OpenID Connect "
                "login initiation URL, called by the LMS only. " + ADMIN_HINT,
            )
        try:
            response = super().get_oidc_response(request, registration_uuid, params)
        except (OIDCException, LtiException) as exc:
            return refused(
                request,
                f"The LMS's login request was refused: {exc}. No active registration here "
                f"matches issuer {params.get('iss')!r} and client id "
                f"{params.get('client_id')!r}. " + ADMIN_HINT,
            )
        if response.status_code == 200:
            return with_inline_scripts_allowed(response)
        return response


@method_decorator(xframe_options_exempt, name="dispatch")
class LaunchView(lti_tool_views.LtiLaunchBaseView):
    """The launch URL: django-lti validates the id_token and records the LTI user, context,
    membership and resource link; then the user is signed in and sent on."""

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """The launch URL opened directly: a 405 page saying what it is for."""
        return refused(
            request,
            "This address receives launches from an LMS (a form POST after the login). Open "
            "the activity from your course in the LMS.",
            status=405,
        )

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """django-lti's launch handling; a refused launch is a 4xx page, never a 500."""
        services.tool_key_ensure()
        try:
            return super().post(request, *args, **kwargs)
        except LtiException as exc:
            return refused(
                request,
                f"The launch from the LMS could not be verified: {exc}. Nothing was opened. "
                "Open the activity again from the LMS. " + ADMIN_HINT,
            )
        except ApplicationError as exc:
            return refused(request, exc.message, status=exc.status)
        except (DataError, ValidationError) as exc:
            return refused(
                request,
                f"The launch carried a value Tensorgrade cannot store ({exc}): e.g. a name, "
                "email, picture URL or course title longer than the tool accepts. Nothing was "
                "opened. " + ADMIN_HINT,
            )

    def launch_setup(self, request: HttpRequest, lti_launch: LtiLaunch) -> None:
        """Accept each launch's nonce once (ApplicationError 400 `lti_replayed` otherwise)."""
        services.lti_nonce_consume(
            issuer=lti_launch.get_claim("iss"),
            nonce=lti_launch.get_claim("nonce"),
            expires=lti_launch.get_claim("exp"),
        )

    def handle_inactive_deployment(
        self, request: HttpRequest, lti_launch: LtiLaunch
    ) -> HttpResponse:
        """A launch from a deployment not (yet) active: a 403 page saying how to activate it."""
        deployment = lti_launch.deployment
        return refused(
            request,
            f"The LMS launched from deployment {deployment.deployment_id!r}, which is not "
            f"active for the registration '{deployment.registration}'. A Tensorgrade "
            "administrator ticks 'is active' for that deployment in /admin/ (LTI tool → LTI "
            "registrations) once it is expected; then launch again.",
            status=403,
        )

    def _enter(
        self, request: HttpRequest, lti_launch: LtiLaunch
    ) -> tuple[str | None, Course | None]:
        """Sign the launching user in as a member of the context's course: (role, course)."""
        role = services.lti_role_map(roles=lti_launch.roles_claim or [])
        if role is None:
            return None, None
        user = services.lti_account_get_or_create(lti_user=lti_launch.user)
        course = services.lti_course_get_or_create(context=lti_launch.context)
        services.lti_membership_set(
            user=user, course=course, role=role, lti_user_id=lti_launch.user.sub
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return role, course

    def _role_refused(self, request: HttpRequest) -> HttpResponse:
        return refused(
            request,
            "Your role in this LMS course is neither a learner nor an instructor (or teaching "
            "assistant), so Tensorgrade cannot tell what to show you. Ask the course's "
            "instructor to enrol you as a student or as teaching staff.",
            status=403,
        )

    def handle_resource_launch(self, request: HttpRequest, lti_launch: LtiLaunch) -> HttpResponse:
        """Students to their attempt at the link's target; instructors to the choose page."""
        role, course = self._enter(request, lti_launch)
        if role is None:
            return self._role_refused(request)
        custom = lti_launch.get_claim("https://purl.imsglobal.org/spec/lti/claim/custom") or {}
        try:
            target = services.lti_target_resolve(
                resource_link=lti_launch.resource_link, course=course, custom=custom
            )
        except ApplicationError as exc:
            if role != Membership.Role.INSTRUCTOR:
                raise
            messages.error(request, exc.message)  # the instructor fixes it on the next page
            return redirect("lti:choose")
        if target is not None:
            services.lti_line_item_sync(
                context=lti_launch.context, target=target, ags_claim=lti_launch.ags_claim
            )
        if role == Membership.Role.INSTRUCTOR:
            return redirect("lti:choose")
        if target is None:
            return render(request, "lti/no_target.html", {"course": course})
        attempt = services.lti_attempt_open(
            lti_user=lti_launch.user, student=request.user, target=target
        )
        return redirect("frontend:attempt", attempt_id=attempt.pk)

    def handle_deep_linking_launch(
        self, request: HttpRequest, lti_launch: LtiLaunch
    ) -> HttpResponse:
        """Instructors to the deep-link picker; anyone else is refused (403)."""
        role, _course = self._enter(request, lti_launch)
        if role is None:
            return self._role_refused(request)
        if role != Membership.Role.INSTRUCTOR:
            return refused(
                request,
                "Only instructors choose what a link in the LMS opens; ask your instructor.",
                status=403,
            )
        return redirect("lti:deep-link")


def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys (django-lti's JWKS view); the first key is made if none exists."""
    services.tool_key_ensure()
    return lti_tool_views.jwks(request)


def _instructor_launch_course(request: HttpRequest, *, deep_link: bool) -> tuple[LtiLaunch, Course]:
    """The course of the session's launch, if the user is its instructor; else ApplicationError."""
    launch = request.lti_launch
    kind_ok = launch.is_present and (
        launch.is_deep_link_launch if deep_link else launch.is_resource_launch
    )
    if not kind_ok or not request.user.is_authenticated:
        what = "a deep linking launch" if deep_link else "a launch of a link"
        raise ApplicationError(
            f"This page opens from {what} in the LMS; launch the tool from your LMS course.",
            code="lti_launch_required",
            status=403,
        )
    course = selectors.launch_course(context=launch.context)
    if not exam_selectors.is_instructor(user=request.user, course=course):
        raise ApplicationError(
            "Only the course's instructors choose what a link opens.",
            code="permission_denied",
            status=403,
        )
    return launch, course


def choose(request: HttpRequest) -> HttpResponse:
    """An instructor's page for a launched link: what it opens, and a form to change it."""
    launch, course = _instructor_launch_course(request, deep_link=False)
    form = TargetChoiceForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        target = services.lti_target_set(
            resource_link=launch.resource_link, course=course, **form.choice()
        )
        services.lti_line_item_sync(
            context=launch.context, target=target, ags_claim=launch.ags_claim
        )
        messages.success(request, f"This link now opens {selectors.target_title(target=target)}.")
        return redirect("lti:choose")
    target = selectors.link_target(resource_link=launch.resource_link)
    return render(
        request,
        "lti/choose.html",
        {
            "form": form,
            "course": course,
            "target": target,
            "deep_link": False,
            "context": launch.context,
        },
        status=400 if form.is_bound else 200,
    )


DL_DATA_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/data"


def _deep_link_response(launch: LtiLaunch, resources: list[DeepLinkResource]) -> HttpResponse:
    """pylti1p3's auto-posting LtiDeepLinkingResponse form, except that the `data` claim is
    left out when the request's deep linking settings had no `data` (the spec: send it back
    only when it was given; pylti1p3 would send null)."""
    deep_link = launch.get_message_launch().get_deep_link()
    message = deep_link.get_message_jwt(resources)
    if message.get(DL_DATA_CLAIM) is None:
        message.pop(DL_DATA_CLAIM, None)
    return HttpResponse(deep_link.get_response_form_html(deep_link.encode_jwt(message)))


def deep_link(request: HttpRequest) -> HttpResponse:
    """Deep linking: the instructor picks a paper or question; the tool answers the platform
    with a signed LtiDeepLinkingResponse holding one ltiResourceLink with a line item."""
    launch, course = _instructor_launch_course(request, deep_link=True)
    form = TargetChoiceForm(request.POST or None, course=course)
    if request.method != "POST" or not form.is_valid():
        return render(
            request,
            "lti/choose.html",
            {
                "form": form,
                "course": course,
                "target": None,
                "deep_link": True,
                "context": launch.context,
            },
            status=400 if form.is_bound else 200,
        )
    choice = form.choice()
    item = selectors.content_item_for(course=course, **choice)
    resource = (
        DeepLinkResource()
        .set_url(request.build_absolute_uri(reverse("lti:launch")))
        .set_title(item.title)
        .set_custom_params(item.custom)
        .set_lineitem(
            LineItem()
            .set_score_maximum(item.max_score)
            .set_label(item.title)
            .set_resource_id(item.resource_id)
        )
    )
    response = _deep_link_response(launch, [resource])
    settings_claim = launch.get_claim(
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    )
    return with_inline_scripts_allowed(
        response, form_origin=selectors.url_origin(settings_claim["deep_link_return_url"])
    )
