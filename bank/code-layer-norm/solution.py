import torch
from torch import nn


def layer_norm(X, alpha, beta, eps=1e-4):
    # E[x^2] - E[x]^2 is a valid alternative for the variance (exact in float64 here)
    mean = X.mean(-1, keepdim=True)
    variance = (X * X).mean(-1, keepdim=True) - mean * mean
    return alpha * (X - mean) * torch.rsqrt(variance + eps) + beta


class LayerNorm(nn.Module):
    def __init__(self, num_features, eps=1e-4):
        super().__init__()
        self.eps = eps
        self.alpha = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, X):
        variance = X.var(dim=-1, keepdim=True, unbiased=False)
        centred = X - X.mean(dim=-1, keepdim=True)
        return self.alpha * centred / (variance + self.eps).sqrt() + self.beta
