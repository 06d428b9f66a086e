from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, mlp, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.scale = scale

    def forward(self, x):
        x += self.scale * self.mlp(x)
        return x


class PreNormResidualBlock(nn.Module):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.norm = norm
        self.scale = scale

    def forward(self, x):
        x += self.scale * self.mlp(self.norm(x))
        return x


class PostNormResidualBlock(nn.Module):
    def __init__(self, mlp, norm, scale=1.0):
        super().__init__()
        self.mlp = mlp
        self.norm = norm
        self.scale = scale

    def forward(self, x):
        x += self.scale * self.mlp(x)
        return self.norm(x)
