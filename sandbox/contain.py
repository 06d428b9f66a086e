"""Apply every isolation layer, in a fixed order, in two stages.

``prepare`` runs once in a template (it builds and enters the job root, and does whatever
else is the same for every job of a slot); ``contain`` runs in each freshly forked child.
The doctor's probe runs both in one process.
"""

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


STAGES = ("prepare", "apply")


def prepare(config: ContainConfig) -> None:
    """The template's stage of every layer, failing closed: raises LayerError."""
    for layer in LAYERS:
        layer.prepare(config)


def contain(config: ContainConfig) -> None:
    """The child's stage of every layer, stopping at the first failure: raises LayerError."""
    for layer in LAYERS:
        layer.apply(config)


def apply_layer(
    layer: ModuleType, config: ContainConfig, stage: str = "apply"
) -> dict[str, Any] | None:
    """Run one stage ("prepare" or "apply") of one layer; None if it worked, else its failure
    (``LayerError.as_dict()``).

    Any other exception is a bug in the layer; it is reported the same way, with the line
    it came from, so a probe never dies without saying why.
    """
    try:
        getattr(layer, stage)(config)
    except LayerError as exc:
        return exc.as_dict()
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed
        origin = traceback.extract_tb(exc.__traceback__)[-1]
        filename = getattr(exc, "filename", None)
        error = LayerError(
            layer.NAME,
            stage,
            f"unexpected {type(exc).__name__}: {exc} (at {origin.filename}:{origin.lineno})",
            path=filename if isinstance(filename, str) else None,
            errno=getattr(exc, "errno", None),
            hint="this is a bug in the sandbox; report it with the output of this command",
        )
        return error.as_dict()
    return None


def prepare_best_effort(config: ContainConfig) -> dict[str, dict[str, Any] | None]:
    """The template's stage of every layer that works; layer name -> None or its failure."""
    return {layer.NAME: apply_layer(layer, config, "prepare") for layer in LAYERS}


def contain_best_effort(config: ContainConfig) -> dict[str, dict[str, Any] | None]:
    """The child's stage of every layer that works; layer name -> None or its failure."""
    return {layer.NAME: apply_layer(layer, config) for layer in LAYERS}
