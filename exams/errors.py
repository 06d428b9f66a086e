"""The one error type the application raises for anything a user can get wrong."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A problem the user can fix; carries a stable code, a message and optional details."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        status: int = 400,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFoundError(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found", status=404)


class PermissionDeniedError(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="permission_denied", status=403)
