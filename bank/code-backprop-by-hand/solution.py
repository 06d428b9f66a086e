import numpy as np


def two_layer_gradients(x, t, W1, W2, activation="tanh"):
    a = W1 @ x
    if activation == "tanh":
        z = np.tanh(a)
        slope = 1 - z**2
    elif activation == "sigmoid":
        z = 1 / (1 + np.exp(-a))
        slope = z * (1 - z)
    else:
        z = np.log1p(np.exp(a))
        slope = 1 / (1 + np.exp(-a))
    e = W2 @ z - t
    delta = slope * (W2.T @ e)
    return delta[:, None] * x[None, :], np.outer(e, z)
