"""The backpropagation-by-hand code question through the real sandbox, autograd switched off."""

from __future__ import annotations

import pytest
from django.conf import settings

from question_engine import load_question, mark_code_part, validate_question
from question_engine.code_parts import code_part

Q = load_question(settings.BANK_ROOT / "code-backprop-by-hand")
PART = code_part(Q, "gradients")
PAPER = dict(Q.paper_params)
SIGMOID = {**PAPER, "activation": "sigmoid", "inputs": 3, "hidden": 6, "outputs": 2}
SOFTPLUS = {**PAPER, "activation": "softplus", "data_seed": 7}
WRONG = {wrong.name: wrong for wrong in PART.wrong}
AUTOGRAD_BODY = """
    W1 = W1.clone().requires_grad_(True)
    W2 = W2.clone().requires_grad_(True)
    loss = 0.5 * ((W2 @ torch.tanh(W1 @ x) - t) ** 2).sum()
"""


def failed(result) -> set[str]:
    return {detail["name"] for detail in result.details if not detail["passed"]}


@pytest.mark.parametrize("params", [PAPER, SIGMOID, SOFTPLUS], ids=["tanh", "sigmoid", "softplus"])
def test_shipped_solution_scores_full_marks(params):
    result = mark_code_part(Q, "gradients", params, PART.solution)
    assert (result.status, result.score) == ("correct", 6.0), result.feedback


def test_flipped_error_sign_is_named_as_a_sign_flip():
    result = mark_code_part(Q, "gradients", SIGMOID, WRONG["error_sign"].source)
    assert failed(result) == {"values", "hidden test 1", "keeps_float32"}
    assert "sign flipped" in result.feedback
    assert WRONG["error_sign"].hint in result.feedback
    assert WRONG["missing_derivative"].hint not in result.feedback


def test_missing_activation_derivative_gets_its_own_hint_only():
    result = mark_code_part(Q, "gradients", PAPER, WRONG["missing_derivative"].source)
    assert result.status == "incorrect"
    values = next(d for d in result.details if d["name"] == "values")
    assert values["hints"] == [WRONG["missing_derivative"].hint]


def test_transposed_outer_product_is_reported_as_a_transpose():
    source = PART.solution.replace("delta[:, None] * x[None, :]", "torch.outer(x, delta)")
    result = mark_code_part(Q, "gradients", PAPER, source)
    assert failed(result) == {"values", "hidden test 1", "keeps_float32"}
    assert "expected (5, 4) (transposed?)" in result.feedback


@pytest.mark.parametrize(
    ("imports", "gradient_call"),
    [
        ("import torch\n", "loss.backward()\n    return W1.grad, W2.grad"),
        (
            "import torch\nfrom torch.autograd import grad\n",
            "return grad(loss, (W1, W2))",
        ),
        (
            "import torch\n",
            "error = lambda w: 0.5 * ((W2 @ torch.tanh(w @ x) - t) ** 2).sum()\n"
            "    return torch.func.grad(error)(W1), W2",
        ),
    ],
    ids=["backward", "grad_imported_before_the_test", "torch_func"],
)
def test_autograd_is_refused_while_the_submission_runs(imports, gradient_call):
    source = (
        imports
        + '\n\ndef two_layer_gradients(x, t, W1, W2, activation="tanh"):'
        + AUTOGRAD_BODY
        + "    "
        + gradient_call
        + "\n"
    )
    result = mark_code_part(Q, "gradients", PAPER, source)
    assert result.score == 0.0
    assert "asks for the gradients by hand" in result.feedback
    call_lines = range(source.count("\n") - gradient_call.count("\n"), source.count("\n") + 1)
    assert any(f"line {number} (" in result.feedback for number in call_lines)


def test_autograd_is_available_again_after_the_forbidden_call():
    source = PART.solution + (
        "\n\n_probe = torch.ones(2, requires_grad=True)\n"
        "(_probe * 3).sum().backward()\n"
        "assert _probe.grad.tolist() == [3.0, 3.0]\n"
    )
    assert mark_code_part(Q, "gradients", PAPER, source).status == "correct"


def test_question_validates():
    assert validate_question(Q, seeds=3) == []
