import torch
from torch import nn


class RealNVPCoupling(nn.Module):
    def __init__(self, s_net, b_net, split=1):
        super().__init__()
        self.s, self.b, self.split = s_net, b_net, split

    def forward(self, z):
        return z * 1

    def inverse(self, x):
        return x * 1

    def log_det_jacobian(self, x):
        return torch.zeros(x.shape[0], dtype=x.dtype)
