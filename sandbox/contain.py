"""Apply every isolation layer to the current (freshly forked) process, in a fixed order."""

from __future__ import annotations

import traceback
from types import ModuleType
from typing import Any

from sandbox.layers import (
    cgroup,
    credentials,
    environment,
    fds,
    mounts,
    namespaces,
    rlimits,
    seccomp,
)
from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

# cgroup needs the host /sys and fds the host /dev/null, so both precede the new root; the
# uid drop comes after mounting (which needs root) and seccomp last (it forbids mount).
LAYERS: tuple[ModuleType, ...] = (
    cgroup,
    fds,
    environment,
    namespaces,
    mounts,
    rlimits,
    credentials,
    seccomp,
)
LAYER_NAMES = tuple(layer.NAME for layer in LAYERS)


def contain(config: ContainConfig) -> None:
    """Apply all layers, stopping at the first failure (fail closed): raises LayerError."""
    for layer in LAYERS:
        layer.apply(config)


def apply_layer(layer: ModuleType, config: ContainConfig) -> dict[str, Any] | None:
    """Apply one layer; None if it worked, else its failure (``LayerError.as_dict()``).

    Any other exception is a bug in the layer; it is reported the same way, with the line
    it came from, so a probe never dies without saying why.
    """
    try:
        layer.apply(config)
    except LayerError as exc:
        return exc.as_dict()
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed
        origin = traceback.extract_tb(exc.__traceback__)[-1]
        filename = getattr(exc, "filename", None)
        error = LayerError(
            layer.NAME,
            "apply",
            f"unexpected {type(exc).__name__}: {exc} (at {origin.filename}:{origin.lineno})",
            path=filename if isinstance(filename, str) else None,
            errno=getattr(exc, "errno", None),
            hint="this is a bug in the sandbox; report it with the output of this command",
        )
        return error.as_dict()
    return None


def contain_best_effort(config: ContainConfig) -> dict[str, dict[str, Any] | None]:
    """Apply every layer that works; map layer name to None (applied) or its failure."""
    return {layer.NAME: apply_layer(layer, config) for layer in LAYERS}
