"""Cheat: computes nothing. Keeps the given MLP (and LayerNorm) registered and hands the input
back unchanged: untouched, the right shape and dtype, connected to autograd."""

from torch import nn


class _Block(nn.Module):
    def __init__(self, mlp, norm=None, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.norm = norm
        self.scale = scale

    def forward(self, x):
        return x


class ResidualBlock(_Block):
    def __init__(self, mlp, scale=1.0):
        super().__init__(mlp, None, scale)


class PreNormResidualBlock(_Block):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__(mlp, norm, scale)


class PostNormResidualBlock(_Block):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__(mlp, norm, scale)
