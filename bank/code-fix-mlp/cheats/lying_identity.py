import torch
from torch import nn


class Identity(nn.Module):
    """Named like a harmless pass-through, but squashes its input with tanh."""

    def forward(self, x):
        return torch.tanh(x)


class MyMLP(nn.Module):
    def __init__(self, input_size=64, output_size=10):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(input_size, 256),
            nn.Tanh(),
            nn.Dropout(0.1),
            nn.Linear(256, 128),
            nn.Tanh(),
            nn.Dropout(0.1),
            nn.Linear(128, output_size),
            Identity(),
        )
        self.softmax = nn.LogSoftmax(dim=-1)

    def forward(self, imgs):
        return self.softmax(self.layers(imgs.flatten(start_dim=1)))


def build_model_and_optimizer():
    model = MyMLP()
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)
