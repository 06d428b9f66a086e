"""A browser's part in an LTI 1.3 launch, done with a real HTTP client against the tool.

OIDC login initiation (POST or GET) → the tool's cookie check page (its script re-requests
the login with `lti1p3_new_window=1`; done here as the script would) → redirect to the
platform's authorization endpoint → the platform's form_post of the id_token → the tool's
launch URL. Deep linking responses (the tool's auto-submitted form) are posted back to the
platform the same way.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import requests

from tests.lti.platform.server import SimulatedPlatform

COOKIE_CHECK_PARAMS = re.compile(r"var urlParams = (\{.*?\});")


class FormParser(HTMLParser):
    """The first form of a page: its action and hidden/text inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attributes.get("action") or ""
            self._in_form = True
        elif tag == "input" and self._in_form and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def parse_form(page: str) -> tuple[str, dict[str, str]]:
    parser = FormParser()
    parser.feed(page)
    if parser.action is None:
        raise AssertionError(f"No form in the page: {page[:500]}")
    return parser.action, parser.fields


@dataclass
class LaunchOutcome:
    """What the tool answered to the launch (the form_post of the id_token)."""

    response: requests.Response
    session: requests.Session
    launch_form: tuple[str, dict[str, str]] | None = None
    steps: list[requests.Response] = field(default_factory=list)

    def replay(self) -> requests.Response:
        """Post the same id_token and state to the launch URL again."""
        action, fields = self.launch_form
        return self.session.post(action, data=fields, allow_redirects=False)


def login_and_launch(
    platform: SimulatedPlatform,
    tool_url: str,
    *,
    claims: dict[str, Any] | None = None,
    session: requests.Session | None = None,
    login_method: str = "POST",
    signing_key: Any = None,
    kid: str | None = None,
    login_params: dict[str, str] | None = None,
    login_path: str = "/lti/login/",
) -> LaunchOutcome:
    """Run the whole flow; `claims` go into the id_token over the platform's base claims."""
    session = session or requests.Session()
    hint = platform.expect_launch(claims, signing_key=signing_key, kid=kid)
    params = {
        "iss": platform.issuer,
        "login_hint": (claims or {}).get("sub", "learner-1"),
        "target_link_uri": tool_url + "/lti/launch/",
        "lti_message_hint": hint,
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
        **(login_params or {}),
    }
    login_url = tool_url + login_path
    steps = []
    if login_method == "POST":
        response = session.post(login_url, data=params, allow_redirects=False)
    else:
        response = session.get(login_url, params=params, allow_redirects=False)
    steps.append(response)
    if response.status_code == 200 and "lti1p3-new-tab-link" in response.text:
        found = COOKIE_CHECK_PARAMS.search(response.text)
        retry = {k: html.unescape(v) for k, v in json.loads(found.group(1)).items()}
        response = session.get(login_url + "?" + urlencode(retry), allow_redirects=False)
        steps.append(response)
    if response.status_code != 302:
        return LaunchOutcome(response, session, None, steps)
    auth = session.get(response.headers["Location"], allow_redirects=False)
    steps.append(auth)
    if auth.status_code != 200:
        raise AssertionError(f"The platform refused the authorization request: {auth.text}")
    action, fields = parse_form(auth.text)
    launched = session.post(action, data=fields, allow_redirects=False)
    return LaunchOutcome(launched, session, (action, fields), steps)


def post_deep_link_response(session: requests.Session, page: str) -> requests.Response:
    """Submit the tool's auto-submitting deep linking response form, as the browser would."""
    action, fields = parse_form(page)
    return session.post(action, data=fields, allow_redirects=False)
