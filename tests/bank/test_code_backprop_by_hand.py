"""The backpropagation-by-hand code question: NumPy runtime, through the real sandbox.

The reference is derived by hand like the students' code, so it is checked here against
autograd (float64) on the very inputs the tests build. Through the sandbox: torch cannot be
imported, and numerical differentiation, accurate enough on small networks, earns nothing
because those tests count only together with the wide network, where it runs past its budget.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from django.conf import settings

from question_engine import build_variants, load_question, mark_code_part
from question_engine.code_parts import code_part
from question_engine.jobs import code_tests

Q = load_question(settings.BANK_ROOT / "code-backprop-by-hand")
PART = code_part(Q, "gradients")
PAPER = dict(Q.paper_params)
SIGMOID = {**PAPER, "activation": "sigmoid", "inputs": 3, "hidden": 6, "outputs": 2}
SOFTPLUS = {**PAPER, "activation": "softplus", "data_seed": 7}
VARIANTS = [PAPER, SIGMOID, SOFTPLUS, *(v.params for v in build_variants(Q, [1, 2, 3]))]
VARIANT_IDS = ["tanh", "sigmoid", "softplus", "seed1", "seed2", "seed3"]
WRONG = {wrong.name: wrong for wrong in PART.wrong}
SMALL_TESTS = {"values", "hidden test 1", "keeps_float32"}
ALL_TESTS = SMALL_TESTS | {"wide_network"}
TORCH_ACTIVATIONS = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": torch.nn.functional.softplus,
}


def failed(result) -> set[str]:
    return {detail["name"] for detail in result.details if not detail["passed"]}


def detail(result, name: str) -> dict:
    return next(d for d in result.details if d["name"] == name)


def entry_of(source: str):
    namespace: dict = {}
    exec(compile(source, "submission.py", "exec"), namespace)
    return namespace["two_layer_gradients"]


def numpy_inputs(test) -> tuple[list[np.ndarray], dict]:
    """The test's arguments as the numpy runtime builds them (same generator, same dtype)."""
    dtype = test.raw.get("dtype", "float64")
    args = [code_tests.build_value(arg, dtype).numpy() for arg in test.raw["args"]]
    return args, dict(test.raw.get("kwargs", {}))


def autograd_gradients(x, t, W1, W2, activation) -> tuple[np.ndarray, np.ndarray]:
    """dE/dW1, dE/dW2 from torch autograd in float64: independent of any hand derivation."""
    w1 = torch.tensor(W1, dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor(W2, dtype=torch.float64, requires_grad=True)
    hidden = TORCH_ACTIVATIONS[activation](w1 @ torch.tensor(x, dtype=torch.float64))
    loss = 0.5 * ((w2 @ hidden - torch.tensor(t, dtype=torch.float64)) ** 2).sum()
    grad_w1, grad_w2 = torch.autograd.grad(loss, (w1, w2))
    return grad_w1.numpy(), grad_w2.numpy()


@pytest.mark.parametrize("params", VARIANTS, ids=VARIANT_IDS)
def test_reference_and_solution_match_autograd_on_every_test_input(params):
    reference, solution = entry_of(PART.reference), entry_of(PART.solution)
    for test in PART.tests(params):
        args, kwargs = numpy_inputs(test)
        expected = autograd_gradients(*args, **kwargs)
        tolerance = {"rtol": 1e-4, "atol": 1e-6} if test.raw.get("dtype") == "float32" else {}
        for code in (reference, solution):
            got = code(*args, **kwargs)
            assert [g.dtype for g in got] == [args[2].dtype, args[3].dtype], test.name
            for value, want in zip(got, expected, strict=True):
                np.testing.assert_allclose(value, want, **(tolerance or {"rtol": 1e-11}))


@pytest.mark.parametrize("params", VARIANTS[:3], ids=VARIANT_IDS[:3])
def test_wrong_solutions_differ_from_autograd_on_every_test(params):
    for wrong in PART.wrong:
        code = entry_of(wrong.source)
        for test in PART.tests(params):
            args, kwargs = numpy_inputs(test)
            expected = autograd_gradients(*args, **kwargs)
            got = code(*args, **kwargs)
            assert not all(
                np.allclose(value, want, rtol=test.rtol, atol=test.atol)
                for value, want in zip(got, expected, strict=True)
            ), (wrong.name, test.name)


def test_small_tests_count_only_with_the_wide_network():
    tests = {test.name: test for test in PART.tests(PAPER)}
    wide = tests.pop("wide_network")
    assert wide.raw["args"][2]["tensor"]["shape"] == [576, 512]
    assert wide.time_limit_s == 3
    assert all(test.qualifies == ("wide_network",) for test in tests.values())


@pytest.mark.parametrize("params", [PAPER, SIGMOID, SOFTPLUS], ids=["tanh", "sigmoid", "softplus"])
def test_shipped_solution_scores_full_marks(params):
    result = mark_code_part(Q, "gradients", params, PART.solution)
    assert (result.status, result.score) == ("correct", 6.0), result.feedback


def test_flipped_error_sign_fails_everything_with_its_hint():
    result = mark_code_part(Q, "gradients", SIGMOID, WRONG["error_sign"].source)
    assert failed(result) == ALL_TESTS
    assert WRONG["error_sign"].hint in detail(result, "values")["hints"]
    assert WRONG["missing_derivative"].hint not in result.feedback


def test_missing_activation_derivative_gets_its_own_hint_only():
    result = mark_code_part(Q, "gradients", PAPER, WRONG["missing_derivative"].source)
    assert result.status == "incorrect"
    assert detail(result, "values")["hints"] == [WRONG["missing_derivative"].hint]


def test_transposed_outer_product_is_reported_as_a_transpose():
    source = PART.solution.replace("delta[:, None] * x[None, :]", "np.outer(x, delta)")
    result = mark_code_part(Q, "gradients", PAPER, source)
    assert failed(result) == ALL_TESTS
    assert "expected (5, 4) (transposed?)" in result.feedback


def test_float64_constants_lose_only_the_float32_point():
    source = PART.solution.replace("e = W2 @ z - t", "e = W2 @ z - t * np.float64(1.0)")
    result = mark_code_part(Q, "gradients", PAPER, source)
    assert failed(result) == {"keeps_float32"}
    assert "expected float32" in detail(result, "keeps_float32")["message"]


@pytest.mark.parametrize("statement", ["import torch", "import sympy", "import functorch"])
def test_torch_and_sympy_cannot_be_imported(statement):
    source = f"{statement}\n\n{PART.solution}"
    result = mark_code_part(Q, "gradients", PAPER, source)
    assert result.score == 0.0
    assert "ModuleNotFoundError" in result.feedback, result.feedback


def test_torch_found_by_path_at_call_time_is_not_there():
    source = (
        "import importlib\n\n\ndef two_layer_gradients(x, t, W1, W2, activation='tanh'):\n"
        "    importlib.import_module('torch')\n"
    )
    result = mark_code_part(Q, "gradients", PAPER, source)
    assert failed(result) == ALL_TESTS
    assert "No module named 'torch'" in detail(result, "values")["message"]


def test_central_differences_pass_small_networks_but_earn_nothing():
    cheat = next(c for c in PART.cheats if c.name == "central_differences")
    result = mark_code_part(Q, "gradients", PAPER, cheat.source)
    assert result.score == 0.0
    assert "ran past its 3 s budget" in detail(result, "wide_network")["message"]
    assert any("forward pass per weight" in h for h in detail(result, "wide_network")["hints"])
    assert "`wide_network` failed" in detail(result, "values")["message"]
