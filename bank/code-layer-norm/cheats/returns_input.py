"""Cheat: computes nothing. Hands the input back unchanged (it is untouched, has the right
shape and dtype, and carries gradients), with the module form's parameters registered."""

import torch
from torch import nn


def layer_norm(X, alpha, beta, eps=1e-4):
    return X


class LayerNorm(nn.Module):
    def __init__(self, num_features, eps=1e-4):
        super().__init__()
        self.eps = eps
        self.alpha = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, X):
        return X
