import torch


def two_layer_gradients(x, t, W1, W2, activation="tanh"):
    a = W1 @ x
    if activation == "tanh":
        z, slope = torch.tanh(a), 1 - torch.tanh(a) ** 2
    elif activation == "sigmoid":
        z, slope = torch.sigmoid(a), torch.sigmoid(a) * (1 - torch.sigmoid(a))
    else:
        z, slope = torch.nn.functional.softplus(a), torch.sigmoid(a)
    e = t - W2 @ z
    delta = slope * (W2.T @ e)
    return torch.outer(delta, x), torch.outer(e, z)
