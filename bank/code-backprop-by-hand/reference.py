import torch
from torch.nn import functional

ACTIVATIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "softplus": functional.softplus}


def two_layer_gradients(x, t, W1, W2, activation="tanh"):
    W1 = W1.detach().clone().requires_grad_(True)
    W2 = W2.detach().clone().requires_grad_(True)
    y = W2 @ ACTIVATIONS[activation](W1 @ x)
    loss = 0.5 * ((y - t) ** 2).sum()
    grad_W1, grad_W2 = torch.autograd.grad(loss, (W1, W2))
    return grad_W1, grad_W2
