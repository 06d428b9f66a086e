import math

import torch


def positional_encoding(max_len, d_model, base=10000):
    table = torch.empty(max_len, d_model)
    for pos in range(max_len):
        for i in range(0, d_model, 2):
            angle = pos / math.pow(base, i / d_model)
            table[pos, i] = math.sin(angle)
            table[pos, i + 1] = math.cos(angle)
    return table
