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
        """From autograd's full Jacobian of the inverse map, one row at a time."""
        rows = []
        for row in x.detach():
            jacobian = torch.autograd.functional.jacobian(
                lambda v: self.inverse(v.unsqueeze(0)).squeeze(0), row
            )
            rows.append(torch.linalg.slogdet(jacobian).logabsdet)
        return torch.stack(rows)
