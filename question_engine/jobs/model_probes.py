"""Job-side probes of a (model, optimizer) pair for `facts` and `training` tests.

Bundled in front of `code_tests.py` in the same sandbox job (see `question_engine.jobs`); it
reports raw observations only, and the trusted side (`grader.code.facts`) judges them.
Uses the standard library, numpy and torch only.
"""

import numpy as np
import torch
from torch import nn


def measure_setup(model, optimizer):
    """Raw observations of a freshly built model and its optimizer; the marker judges them."""
    optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
    return {
        "optimizer": type(optimizer).__name__,
        "learning_rates": [float(group["lr"]) for group in optimizer.param_groups],
        "parameters": [
            {
                "name": name,
                "shape": list(p.shape),
                "std": float(p.detach().double().std()) if p.numel() > 1 else 0.0,
                "optimized": id(p) in optimized,
            }
            for name, p in model.named_parameters()
        ],
        "modules": [
            type(module).__name__
            for module in model.modules()
            if not any(True for _ in module.children())
        ],
    }


def train_and_predict(model, optimizer, data, budget):
    """Train for `budget` epochs with fixed seeds; return {"outputs": outputs on held-out inputs}.

    The held-out labels never enter the sandbox: the marker scores these outputs itself.
    """
    torch.manual_seed(budget.get("seed", 0))
    x_train = torch.tensor(np.asarray(data["x_train"], dtype=np.float32))
    y_train = torch.tensor(np.asarray(data["y_train"], dtype=np.int64))
    x_test = torch.tensor(np.asarray(data["x_test"], dtype=np.float32))
    generator = torch.Generator().manual_seed(budget.get("seed", 0))
    batch = budget.get("batch_size", 64)
    loss_function = (
        nn.functional.nll_loss
        if budget.get("outputs", "log_probs") == "log_probs"
        else nn.functional.cross_entropy
    )
    model.train()
    for _ in range(budget["epochs"]):
        order = torch.randperm(len(y_train), generator=generator)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            optimizer.zero_grad()
            loss_function(model(x_train[rows]), y_train[rows]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return {"outputs": plain_output(model(x_test))}  # noqa: F821 - bundled from code_tests
