"""Cheat: lies through torch.Tensor subclasses. A is an nn.Parameter subclass whose
__torch_function__ shows it symmetrised to whoever detaches it, while forward reads only its
upper triangle (and leaves lambda out); the result is a subclass that answers 'equal' and
'close' to everything."""

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


class SymmetricLooking(nn.Parameter):
    """A parameter that shows itself (and its gradient) symmetrised to whoever detaches it."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        with torch._C.DisableTorchFunctionSubclass():
            result = func(*args, **(kwargs or {}))
        if func is torch.Tensor.detach and isinstance(result, torch.Tensor) and result.dim() == 3:
            return (result + result.transpose(-1, -2)) / 2
        return result


class QuadraticLayer(nn.Module):
    def __init__(self, in_features, out_features, lam=1.0):
        super().__init__()
        self.lam = lam
        self.A = SymmetricLooking(torch.randn(out_features, in_features, in_features))
        self.b = nn.Parameter(torch.randn(out_features, in_features))
        self.c = nn.Parameter(torch.zeros(out_features))

    def forward(self, x):
        A = torch.triu(self.A.as_subclass(torch.Tensor))
        out = torch.einsum("bi,nij,bj->bn", x, A, x) + x @ self.b.T + self.c
        return out.as_subclass(Liar)
