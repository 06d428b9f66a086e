"""Cheat: lies through a torch.Tensor subclass. The result is a float64 table of zeros whose
__torch_function__ answers 'equal' and 'close' to everything and whose __array__ shows numpy a
float32 table, so a reader that trusts the object sees the asked dtype."""

import numpy as np
import torch

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


def positional_encoding(max_len, d_model, base=10000):
    table = torch.zeros(max_len, d_model, dtype=torch.float64).as_subclass(Liar)
    table.remembered = np.zeros((max_len, d_model), dtype=np.float32)
    return table
