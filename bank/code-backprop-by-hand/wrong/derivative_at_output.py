import torch


def two_layer_gradients(x, t, W1, W2, activation="tanh"):
    a = W1 @ x
    if activation == "tanh":
        z = torch.tanh(a)
        slope = 1 - torch.tanh(z) ** 2
    elif activation == "sigmoid":
        z = torch.sigmoid(a)
        slope = torch.sigmoid(z) * (1 - torch.sigmoid(z))
    else:
        z = torch.nn.functional.softplus(a)
        slope = torch.sigmoid(z)
    e = W2 @ z - t
    delta = slope * (W2.T @ e)
    return torch.outer(delta, x), torch.outer(e, z)
