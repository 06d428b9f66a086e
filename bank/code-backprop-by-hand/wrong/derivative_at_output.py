import numpy as np


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def two_layer_gradients(x, t, W1, W2, activation="tanh"):
    a = W1 @ x
    if activation == "tanh":
        z = np.tanh(a)
        slope = 1 - np.tanh(z) ** 2
    elif activation == "sigmoid":
        z = sigmoid(a)
        slope = sigmoid(z) * (1 - sigmoid(z))
    else:
        z = np.log1p(np.exp(a))
        slope = sigmoid(z)
    e = W2 @ z - t
    delta = slope * (W2.T @ e)
    return np.outer(delta, x), np.outer(e, z)
