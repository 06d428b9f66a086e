"""Correct values, but zeroes the caller's input in place after using it (when the input does
not require gradients): the plain in-place mistake, to compare with residual_inplace_rebrand.py."""

from torch import nn


class _Block(nn.Module):
    def __init__(self, mlp, norm=None, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.norm = norm
        self.scale = scale

    def forward(self, x):
        if self.norm is None:
            out = x + self.scale * self.mlp(x)
        elif isinstance(self, PreNormResidualBlock):
            out = x + self.scale * self.mlp(self.norm(x))
        else:
            out = self.norm(x + self.scale * self.mlp(x))
        if not x.requires_grad:
            x.zero_()
        return out


class ResidualBlock(_Block):
    def __init__(self, mlp, scale=1.0):
        super().__init__(mlp, None, scale)


class PreNormResidualBlock(_Block):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__(mlp, norm, scale)


class PostNormResidualBlock(_Block):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__(mlp, norm, scale)
