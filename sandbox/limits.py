"""Resource limits of one sandbox job, shared by the CLI, the server and the client."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENV_PREFIX = "SANDBOX_"


@dataclass(frozen=True)
class Limits:
    """Per-job limits; every field name carries its unit."""

    wall_time_s: float = 10.0
    cpu_time_s: float = 10.0
    memory_mb: int = 512
    max_processes: int = 32
    max_file_size_mb: int = 16
    max_open_files: int = 64
    max_output_bytes: int = 64 * 1024
    max_return_bytes: int = 16 * 1024 * 1024

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            expected = float if field.type == "float" else int
            if type(value) is bool or not isinstance(value, int | float):
                raise ValueError(
                    f"limit {field.name} must be a number, got {value!r}; pass a positive value"
                )
            if expected is int and not isinstance(value, int):
                raise ValueError(f"limit {field.name} must be a whole number, got {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"limit {field.name} must be positive, got {value!r}")

    @property
    def cpu_time_rlimit_s(self) -> int:
        """Whole CPU seconds for RLIMIT_CPU (which only counts whole seconds)."""
        return max(1, math.ceil(self.cpu_time_s))

    def as_dict(self) -> dict[str, float | int]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Limits:
        """Build from a mapping, rejecting unknown names with a message listing the known ones."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown limit(s) {unknown}; known limits are {sorted(known)}")
        return cls(**dict(values))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, prefix: str = ENV_PREFIX) -> Limits:
        """Defaults overridden by variables such as SANDBOX_WALL_TIME_S or SANDBOX_MEMORY_MB."""
        environ = os.environ if environ is None else environ
        overrides: dict[str, float | int] = {}
        for field in dataclasses.fields(cls):
            name = prefix + field.name.upper()
            if name not in environ:
                continue
            raw = environ[name]
            try:
                overrides[field.name] = float(raw) if field.type == "float" else int(raw)
            except ValueError:
                kind = "a number" if field.type == "float" else "a whole number"
                raise ValueError(f"{name}={raw!r} is not {kind}") from None
        return cls(**overrides)
