import torch
from torch import nn


class QuadraticLayer(nn.Module):
    def __init__(self, in_features, out_features, lam=1.0):
        super().__init__()
        self.lam = lam
        R = torch.randn(out_features, in_features, in_features) / in_features
        self.A = nn.Parameter((R + R.transpose(-1, -2)) / 2)
        self.b = nn.Parameter(torch.randn(out_features, in_features) / in_features**0.5)
        self.c = nn.Parameter(torch.zeros(out_features))

    def forward(self, x):
        quadratic = torch.einsum("bi,nij,bj->bn", x, self.A, x)
        return self.lam * quadratic + x @ self.b.T + self.c
