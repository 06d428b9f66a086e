import torch
from torch import nn


class MyMLP(nn.Module):
    def __init__(self, input_size=64, output_size=10):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(input_size, 256),
            nn.Tanh(),
            nn.Dropout(0.2),
            nn.Linear(256, 128),
            nn.Tanh(),
            nn.Dropout(0.2),
            nn.Linear(128, output_size),
        )
        self.softmax = nn.LogSoftmax(dim=-1)
        self._reset_parameters()

    def _reset_parameters(self):
        for name, parameter in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(parameter)
            else:
                nn.init.xavier_uniform_(parameter, gain=nn.init.calculate_gain("tanh"))

    def forward(self, imgs):
        logits = self.layers(imgs.flatten(start_dim=1))
        return self.softmax(logits)


def build_model_and_optimizer():
    model = MyMLP()
    return model, torch.optim.Adam(model.parameters(), lr=2e-3)
