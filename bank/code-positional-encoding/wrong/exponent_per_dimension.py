import torch


def positional_encoding(max_len, d_model, base=10000):
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    dimension = torch.arange(d_model, dtype=torch.float64)
    angle = position / base ** (dimension / d_model)
    table = torch.where(dimension.long() % 2 == 0, torch.sin(angle), torch.cos(angle))
    return table.float()
