"""The error every isolation layer raises when it cannot be applied."""

from __future__ import annotations

import errno as errno_codes
import os
from typing import Any

# What to do when a layer fails with one of these errnos, unless the raising site knows better.
PRIVILEGE_HINT = (
    "run the sandbox server as root (in Docker: cap_add SYS_ADMIN, SETUID, SETGID, KILL and "
    "security_opt seccomp=unconfined, apparmor=unconfined)"
)
LAYER_HINTS = {
    "cgroup": "optional: give the server a writable memory cgroup (v1 or a delegated v2 subtree)",
    "fds": "the server's file descriptors are broken; restart it",
    "environment": "the server's environment cannot be replaced; restart it",
    "namespaces": PRIVILEGE_HINT,
    "mounts": PRIVILEGE_HINT,
    "rlimits": "the server's hard resource limits are below what a job needs; raise them",
    "credentials": PRIVILEGE_HINT,
    "seccomp": "install libseccomp2 (apt-get install -y libseccomp2) and pyseccomp",
}


class LayerError(RuntimeError):
    """An isolation layer failed; names the layer, syscall, path and errno, and what to do."""

    def __init__(
        self,
        layer: str,
        syscall: str,
        detail: str,
        *,
        path: str | None = None,
        errno: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = f" on {path!r}" if path else ""
        super().__init__(f"isolation layer '{layer}' failed: {syscall}{where}: {detail}")
        self.layer = layer
        self.syscall = syscall
        self.detail = detail
        self.path = path
        self.errno = errno
        self.hint = hint or LAYER_HINTS.get(layer, "")

    @classmethod
    def from_os_error(
        cls,
        layer: str,
        syscall: str,
        exc: OSError,
        *,
        path: str | None = None,
        hint: str | None = None,
    ) -> LayerError:
        """Wrap ``exc``; ``path`` defaults to the file name the OSError carries."""
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        code = errno_codes.errorcode.get(exc.errno, str(exc.errno)) if exc.errno else None
        detail = f"{reason} ({code}, errno {exc.errno})" if code else reason
        filename = exc.filename if isinstance(exc.filename, str) else None
        return cls(
            layer, syscall, detail, path=path or filename, errno=exc.errno or None, hint=hint
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description: layer, syscall, path, errno, detail, hint and the message."""
        return {
            "layer": self.layer,
            "syscall": self.syscall,
            "path": self.path,
            "errno": self.errno,
            "detail": self.detail,
            "hint": self.hint,
            "message": str(self),
        }
