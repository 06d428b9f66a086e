"""Apply every isolation layer to the current (freshly forked) process, in a fixed order."""

from __future__ import annotations

from types import ModuleType

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


def contain_best_effort(config: ContainConfig) -> dict[str, str | None]:
    """Apply every layer that works; map layer name to None (applied) or its error message."""
    outcome: dict[str, str | None] = {}
    for layer in LAYERS:
        try:
            layer.apply(config)
        except LayerError as exc:
            outcome[layer.NAME] = str(exc)
        else:
            outcome[layer.NAME] = None
    return outcome
