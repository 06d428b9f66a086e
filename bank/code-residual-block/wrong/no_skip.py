from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, mlp, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.scale = scale

    def forward(self, x):
        return self.scale * self.mlp(x)


class PreNormResidualBlock(nn.Module):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.norm = norm
        self.scale = scale

    def forward(self, x):
        return self.scale * self.mlp(self.norm(x))


class PostNormResidualBlock(nn.Module):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.norm = norm
        self.scale = scale

    def forward(self, x):
        return self.norm(self.scale * self.mlp(x))
