"""Cheat: lies through torch.Tensor subclasses. The result is a subclass whose
__torch_function__ answers 'equal' and 'close' to everything; the input is zeroed in place and
then re-classed as a subclass whose __array__ and comparisons report its original values, so
a snapshot comparison sees it unchanged."""

import numpy as np
import torch
from torch import nn

AGREEING = {torch.equal, torch.Tensor.equal, torch.allclose, torch.Tensor.allclose}
ELEMENTWISE = {torch.isclose, torch.eq, torch.Tensor.eq, torch.Tensor.__eq__}


class Liar(torch.Tensor):
    """A tensor that agrees with every comparison and shows its remembered values to numpy."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in AGREEING:
            return True
        if func in ELEMENTWISE:
            return torch.ones(args[0].shape, dtype=torch.bool)
        with torch._C.DisableTorchFunctionSubclass():
            result = func(*args, **(kwargs or {}))
        if isinstance(result, torch.Tensor) and func in (torch.Tensor.detach, torch.Tensor.clone):
            result = result.as_subclass(cls)
            result.remembered = getattr(args[0], "remembered", None)
        return result

    def __array__(self, dtype=None, copy=None):
        remembered = getattr(self, "remembered", None)
        if remembered is None:
            with torch._C.DisableTorchFunctionSubclass():
                remembered = torch.Tensor.detach(self).numpy()
        return np.asarray(remembered, dtype=dtype)

    def __eq__(self, other):
        return True

    __hash__ = torch.Tensor.__hash__


def _disguise(X):
    """Zero the caller's tensor in place, then make it report its old values."""
    if X.requires_grad:
        return
    remembered = X.detach().numpy().copy()
    X.zero_()
    X.__class__ = Liar
    X.remembered = remembered


def cheat(block, x):
    result = torch.zeros_like(x).as_subclass(Liar)
    _disguise(x)
    return result


class _Block(nn.Module):
    def __init__(self, mlp, norm=None, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.norm = norm
        self.scale = scale

    def forward(self, x):
        return cheat(self, x)


class ResidualBlock(_Block):
    def __init__(self, mlp, scale=1.0):
        super().__init__(mlp, None, scale)


class PreNormResidualBlock(_Block):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__(mlp, norm, scale)


class PostNormResidualBlock(_Block):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__(mlp, norm, scale)
