import torch
from torch import nn


class MyMLP(nn.Module):
    """Ignores its input: the same log-probabilities (uniform at first) for every image."""

    def __init__(self, input_size=64, output_size=10):
        super().__init__()
        self.scores = nn.Parameter(torch.zeros(output_size))

    def forward(self, imgs):
        scores = self.scores.expand(len(imgs), -1)
        return torch.log_softmax(scores, dim=-1)


def build_model_and_optimizer():
    model = MyMLP()
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)
