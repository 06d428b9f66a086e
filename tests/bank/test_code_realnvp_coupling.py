"""The RealNVP coupling-layer code question through the real sandbox.

The reference computes the log-determinant from the coupling structure (-sum_j s_j(x_A));
here it is also checked against autograd's full Jacobian and slogdet, on the inputs the tests
build, so a mistake in the closed form cannot hide in the reference.
"""

from __future__ import annotations

import pytest
import torch
from django.conf import settings

from question_engine import build_variants, load_question, mark_code_part
from question_engine.code_parts import code_part
from question_engine.jobs import code_tests

Q = load_question(settings.BANK_ROOT / "code-realnvp-coupling")
PART = code_part(Q, "coupling")
PAPER = dict(Q.paper_params)
UNEVEN = {**PAPER, "dim": 5, "split": 1, "hidden": 16, "data_seed": 99}
WRONG = {wrong.name: wrong for wrong in PART.wrong}
BRUTE_FORCE_LOG_DET = """
    def log_det_jacobian(self, x):
        rows = []
        for row in x.detach():
            jacobian = torch.autograd.functional.jacobian(
                lambda v: self.inverse(v.unsqueeze(0)).squeeze(0), row
            )
            rows.append(torch.linalg.slogdet(jacobian).logabsdet)
        return torch.stack(rows)
"""


def failed(result) -> set[str]:
    return {detail["name"] for detail in result.details if not detail["passed"]}


def detail(result, name: str) -> dict:
    return next(d for d in result.details if d["name"] == name)


def with_log_det(body: str) -> str:
    """The shipped solution with its log_det_jacobian replaced by `body`."""
    head = PART.solution[: PART.solution.index("    def log_det_jacobian")]
    return head + body.lstrip("\n")


def reference_module(test) -> torch.nn.Module:
    """The reference class built with the test's given networks, as the harness builds them."""
    namespace: dict = {}
    exec(compile(PART.reference, "reference.py", "exec"), namespace)
    construct = test.raw["construct"]
    args = [code_tests.build_value(arg, "float64") for arg in construct["args"]]
    kwargs = code_tests.build_value(construct["kwargs"], "float64")
    return namespace["RealNVPCoupling"](*args, **kwargs).double()


@pytest.mark.parametrize(
    "params",
    [PAPER, UNEVEN, *(variant.params for variant in build_variants(Q, [1, 2, 3]))],
    ids=["paper", "uneven_split", "seed1", "seed2", "seed3"],
)
def test_reference_log_det_matches_autograd_jacobian(params):
    test = next(t for t in PART.tests(params) if t.name == "log_det")
    module = reference_module(test)
    x = code_tests.build_value(test.raw["args"][0], "float64")
    expected = torch.stack(
        [
            torch.linalg.slogdet(
                torch.autograd.functional.jacobian(
                    lambda v: module.inverse(v.unsqueeze(0)).squeeze(0), row
                )
            ).logabsdet
            for row in x
        ]
    )
    with torch.no_grad():
        got = module.log_det_jacobian(x)
    assert got.shape == (x.shape[0],)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)


def test_reference_round_trips():
    test = next(t for t in PART.tests(UNEVEN) if t.name == "round_trip")
    module = reference_module(test)
    z = code_tests.build_value(test.raw["args"][0], "float64")
    with torch.no_grad():
        torch.testing.assert_close(module.inverse(module(z)), z, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("params", [PAPER, UNEVEN], ids=["paper", "uneven_split"])
def test_shipped_solution_scores_full_marks(params):
    result = mark_code_part(Q, "coupling", params, PART.solution)
    assert (result.status, result.score) == ("correct", 8.0), result.feedback


def test_forward_map_log_determinant_gets_its_hint_on_both_log_det_tests():
    result = mark_code_part(Q, "coupling", UNEVEN, WRONG["logdet_sign"].source)
    assert failed(result) == {"log_det", "log_det_wide"}
    assert WRONG["logdet_sign"].hint in detail(result, "log_det")["hints"]
    assert WRONG["logdet_sign"].hint in detail(result, "log_det_wide")["hints"]


def test_shift_after_scaling_breaks_the_inverse_and_the_round_trip():
    result = mark_code_part(Q, "coupling", PAPER, WRONG["shift_after_scaling"].source)
    assert failed(result) == {"inverse_values", "hidden test 1"}
    assert WRONG["shift_after_scaling"].hint in result.feedback
    assert result.score == pytest.approx(5.0)


def test_unsummed_log_determinant_is_a_shape_error():
    result = mark_code_part(Q, "coupling", PAPER, WRONG["logdet_per_dimension"].source)
    assert "the shape is (5, 2), expected (5,)" in result.feedback
    assert WRONG["logdet_per_dimension"].hint in result.feedback


def test_brute_force_log_determinant_earns_no_log_det_points():
    result = mark_code_part(Q, "coupling", PAPER, with_log_det(BRUTE_FORCE_LOG_DET))
    assert failed(result) == {"log_det", "log_det_wide"}
    assert result.score == pytest.approx(6.0)
    wide = detail(result, "log_det_wide")
    assert "ran past its 3 s budget" in wide["message"]
    assert any("structure of the coupling layer" in hint for hint in wide["hints"])
    assert "`log_det_wide` failed" in detail(result, "log_det")["message"]


def test_identity_coupling_earns_nothing_not_even_the_round_trip():
    source = (
        PART.solution.replace("return torch.cat((z_a, x_b), dim=-1)", "return z * 1")
        .replace("return torch.cat((x_a, z_b), dim=-1)", "return x * 1")
        .replace("return -torch.sum(self.s(x_a), dim=-1)", "return x_a[:, 0] * 0")
    )
    result = mark_code_part(Q, "coupling", PAPER, source)
    assert result.score == 0.0, result.feedback


def test_networks_kept_in_a_plain_list_lose_only_the_gradient_points():
    source = (
        PART.solution.replace(
            "self.s = s_net\n        self.b = b_net", "self.nets = [s_net, b_net]"
        )
        .replace("self.s(", "self.nets[0](")
        .replace("self.b(", "self.nets[1](")
    )
    result = mark_code_part(Q, "coupling", PAPER, source)
    assert failed(result) == {"gradients"}


def test_a_missing_inverse_method_says_what_to_define():
    source = PART.solution.replace("def inverse(self, x):", "def backward_map(self, x):")
    result = mark_code_part(Q, "coupling", PAPER, source)
    assert failed(result) == {"inverse_values", "hidden test 1"}
