import numpy as np


def two_layer_gradients(x, t, W1, W2, activation="tanh"):
    return np.zeros_like(W1), np.zeros_like(W2)
