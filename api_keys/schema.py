"""The course API key in the OpenAPI schema (drf-spectacular), as a security scheme."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CourseAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api_keys.authentication.CourseAPIKeyAuthentication"
    name = "courseApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        """An API key sent in the Authorization header as `Api-Key <key>`."""
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A course API key, sent as `Authorization: Api-Key <key>` "
            "(created in the admin or with `manage.py course_api_key create`).",
        }
