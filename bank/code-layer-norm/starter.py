import torch
from torch import nn

{% if form == "module" %}
class LayerNorm(nn.Module):
    def __init__(self, num_features, eps={{ eps }}):
        super().__init__()
        # register the learnable scale `alpha` and shift `beta` here

    def forward(self, X):
        # X has shape (batch, num_features); normalise each row
        ...
{% else %}
def layer_norm(X, alpha, beta, eps={{ eps }}):
    # X has shape (batch, D); alpha and beta have shape (D,)
    ...
{% endif %}
