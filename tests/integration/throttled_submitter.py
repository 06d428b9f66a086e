"""A separate Django process that submits answers, for the shared-throttle integration test.

Usage: python throttled_submitter.py USERNAME ATTEMPT_ID QUESTION_SLUG PATH...  where each PATH
is `api` or `form`. Prints one JSON object: the cache backend in use and, per submission,
"accepted" or "throttled".
"""

from __future__ import annotations

import json
import sys

import django


def main(username: str, attempt_id: int, question: str, paths: list[str]) -> dict:
    """Submit once per entry of ``paths`` as ``username`` and report what each one got."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    outcomes = []
    for path in paths:
        if path == "api":
            response = client.post(
                f"/api/v1/attempts/{attempt_id}/submissions/",
                {"question": question, "answers": {"y": "0.5", "loss": "0.25"}},
                content_type="application/json",
            )
            outcomes.append({202: "accepted", 429: "throttled"}.get(response.status_code, "?"))
        else:
            response = client.post(
                f"/attempts/{attempt_id}/submit/",
                {"question": question, "answer_y": "0.5", "answer_loss": "0.25"},
                follow=True,
            )
            throttled = "Too many submissions" in response.content.decode()
            outcomes.append("throttled" if throttled else "accepted")
    return {"cache": settings.CACHES["default"]["BACKEND"], "outcomes": outcomes}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:])))
