"""Feature and gradient variances through Post-LN and Pre-LN Transformer blocks."""

import numpy as np

INPUT_VARIANCES = tuple(k / 4 for k in range(1, 25))
GRADIENT_VARIANCES = tuple(k / 4 for k in range(1, 17))


def generate(rng: np.random.Generator) -> dict:
    s = float(rng.choice(INPUT_VARIANCES))
    t = float(rng.choice([v for v in GRADIENT_VARIANCES if v != s]))
    return {"s": s, "t": t}


def solve(p: dict, r) -> None:
    s, t = p["s"], p["t"]
    # Post-LN: z1 = x + MHA(x), y = LN(z1), z2 = y + FFN(y), x_next = LN(z2).
    var_z1 = r.report("var_z1", s + s)
    var_z2 = r.report("var_z2", 1.0 + 1.0)
    r.report("post_fwd", np.array([0.0, 1.0]))
    # Pre-LN: x1 = x + MHA(LN(x)), x_next = x1 + FFN(LN(x1)); each branch adds variance 1.
    var_x1 = r.report("var_x1", s + 1.0)
    pre_var = r.report("pre_var", var_x1 + 1.0)
    r.report("pre_fwd", np.array([0.0, pre_var]))
    # Post-LN backward: LN divides by its input's std, a residual join adds two independent parts.
    g_z2 = r.report("g_z2", t / var_z2)
    g_y = r.report("g_y", 2 * g_z2)
    g_z1 = r.report("g_z1", g_y / var_z1)
    post_grad = r.report("post_grad_var", 2 * g_z1)
    r.report("post_grad", np.array([0.0, post_grad]))
    # Pre-LN backward: identity path plus the branch through LN (scaled by 1/variance of its input).
    g_x1 = r.report("g_x1", t + t / var_x1)
    pre_grad = r.report("pre_grad_var", g_x1 + g_x1 / s)
    r.report("pre_grad", np.array([0.0, pre_grad]))
