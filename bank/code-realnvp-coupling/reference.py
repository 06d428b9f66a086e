import torch
from torch import nn


class RealNVPCoupling(nn.Module):
    def __init__(self, s_net, b_net, split=1):
        super().__init__()
        self.s_net = s_net
        self.b_net = b_net
        self.split = split

    def forward(self, z):
        z_a, z_b = z[:, : self.split], z[:, self.split :]
        return torch.cat([z_a, torch.exp(self.s_net(z_a)) * z_b + self.b_net(z_a)], dim=1)

    def inverse(self, x):
        x_a, x_b = x[:, : self.split], x[:, self.split :]
        return torch.cat([x_a, torch.exp(-self.s_net(x_a)) * (x_b - self.b_net(x_a))], dim=1)

    def log_det_jacobian(self, x):
        """ln|det dz/dx| per row: dz/dx is block triangular with diag(exp(-s(x_A))) in the BB
        block, so it is -sum_j s_j(x_A) (checked against autograd's Jacobian in the tests)."""
        return -self.s_net(x[:, : self.split]).sum(dim=1)
