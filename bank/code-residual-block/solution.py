import torch
from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, mlp, scale=1.0):
        super().__init__()
        self.branch = mlp
        self.register_buffer("scale", torch.tensor(float(scale)))

    def forward(self, x):
        return torch.add(x, self.branch(x), alpha=float(self.scale))


class PreNormResidualBlock(nn.Module):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__()
        self.layers = nn.Sequential(norm, mlp)
        self.scale = scale

    def forward(self, x):
        return x + self.layers(x) * self.scale


class PostNormResidualBlock(nn.Module):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__()
        self.f, self.ln, self.scale = mlp, norm, scale

    def forward(self, x):
        h = self.scale * self.f(x) + x
        return self.ln(h)
