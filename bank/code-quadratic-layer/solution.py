import torch
from torch import nn


class QuadraticLayer(nn.Module):
    def __init__(self, in_features, out_features, lam=1.0):
        super().__init__()
        self.lam = lam
        upper = torch.randn(out_features, in_features, in_features).triu()
        self.A = nn.Parameter(0.1 * (upper + upper.transpose(1, 2)))
        self.b = nn.Parameter(0.1 * torch.randn(out_features, in_features))
        self.c = nn.Parameter(torch.zeros(out_features))

    def forward(self, x):
        Ax = torch.matmul(self.A, x.T)  # (out, in, batch)
        quadratic = (x.T.unsqueeze(0) * Ax).sum(dim=1).T  # (batch, out)
        linear = torch.stack([x @ self.b[i] for i in range(self.b.shape[0])], dim=1)
        return self.lam * quadratic + linear + self.c
