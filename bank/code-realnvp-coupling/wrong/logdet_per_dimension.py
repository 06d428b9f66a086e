import torch
from torch import nn


class RealNVPCoupling(nn.Module):
    def __init__(self, s_net, b_net, split=1):
        super().__init__()
        self.s = s_net
        self.b = b_net
        self.split = split

    def halves(self, v):
        return v[..., : self.split], v[..., self.split :]

    def forward(self, z):
        z_a, z_b = self.halves(z)
        x_b = z_b * self.s(z_a).exp() + self.b(z_a)
        return torch.cat((z_a, x_b), dim=-1)

    def inverse(self, x):
        x_a, x_b = self.halves(x)
        z_b = (x_b - self.b(x_a)) / self.s(x_a).exp()
        return torch.cat((x_a, z_b), dim=-1)

    def log_det_jacobian(self, x):
        x_a, _ = self.halves(x)
        return -self.s(x_a)
