"""The error every isolation layer raises when it cannot be applied."""

from __future__ import annotations

import os


class LayerError(RuntimeError):
    """An isolation layer failed; names the layer and the syscall so the cause is findable."""

    def __init__(self, layer: str, syscall: str, detail: str) -> None:
        super().__init__(f"isolation layer '{layer}' failed: {syscall}: {detail}")
        self.layer = layer
        self.syscall = syscall
        self.detail = detail

    @classmethod
    def from_os_error(cls, layer: str, syscall: str, exc: OSError) -> LayerError:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        return cls(layer, syscall, f"{reason} (errno {exc.errno})")
