"""The layer-norm code question through the real sandbox: right answers, typical wrong ones."""

from __future__ import annotations

import pytest
from django.conf import settings

from question_engine import load_question, mark_code_part, run_visible_tests
from question_engine.code_parts import code_part

Q = load_question(settings.BANK_ROOT / "code-layer-norm")
PART = code_part(Q, "impl")
FUNCTION = dict(Q.paper_params)
MODULE = {**FUNCTION, "form": "module", "eps": 0.001, "features": 4}
WRONG = {wrong.name: wrong for wrong in PART.wrong}


def failed(result) -> set[str]:
    return {detail["name"] for detail in result.details if not detail["passed"]}


@pytest.mark.parametrize("params", [FUNCTION, MODULE], ids=["function", "module"])
def test_shipped_solution_scores_full_marks(params):
    result = mark_code_part(Q, "impl", params, PART.solution)
    assert (result.status, result.score) == ("correct", 8.0), result.feedback


def test_eps_outside_the_square_root_loses_the_value_points_with_its_hint():
    result = mark_code_part(Q, "impl", FUNCTION, WRONG["eps_outside_sqrt"].source)
    # The hidden in-place check (hidden test 2) earns nothing while the values are wrong.
    assert failed(result) == {"mixed_scale_rows", "hidden test 1", "gradients", "hidden test 2"}
    assert result.score == pytest.approx(1.0)
    values = next(d for d in result.details if d["name"] == "mixed_scale_rows")
    assert values["hints"] == [WRONG["eps_outside_sqrt"].hint]
    assert "Typical difference where it is not close" in values["message"]


def test_normalising_over_the_batch_gets_the_axis_hint():
    result = mark_code_part(Q, "impl", MODULE, WRONG["batch_axis"].source)
    # Every value is wrong, so the registered parameters earn nothing either.
    assert (result.status, result.score) == ("incorrect", 0.0)
    assert WRONG["batch_axis"].hint in result.feedback
    assert WRONG["unbiased_variance"].hint not in result.feedback


def test_plain_tensor_parameters_fail_only_the_learnability_checks():
    result = mark_code_part(Q, "impl", MODULE, WRONG["plain_tensors"].source)
    assert failed(result) == {"learnable_parameters", "gradients"}
    assert "no registered parameter named alpha, beta" in result.feedback


def test_in_place_modification_of_the_input_is_caught():
    source = (
        "import torch\n\n"
        "def layer_norm(X, alpha, beta, eps=1e-4):\n"
        "    X -= X.mean(dim=-1, keepdim=True)\n"
        "    return alpha * X / torch.sqrt((X * X).mean(dim=-1, keepdim=True) + eps) + beta\n"
    )
    result = mark_code_part(Q, "impl", FUNCTION, source)
    assert "hidden test 2" in failed(result)
    assert "gradients" in failed(result)


def test_errors_carry_the_student_s_line_numbers_and_prints():
    source = (
        "import torch\n\n"
        "def layer_norm(X, alpha, beta, eps=1e-4):\n"
        "    print('rows', len(X))\n"
        "    return X.nope\n"
    )
    result = mark_code_part(Q, "impl", FUNCTION, source)
    assert result.status == "incorrect"
    assert "line 5 (`return X.nope`): AttributeError" in result.feedback
    assert "Your code printed:" in result.feedback and "rows 8" in result.feedback


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def layer_norm(X:\n    pass\n", "line 1"),
        ("import tensorflow\n", "line 1 (`import tensorflow`): ModuleNotFoundError"),
    ],
)
def test_syntax_and_import_errors_are_format_errors(source, expected):
    result = mark_code_part(Q, "impl", FUNCTION, source)
    assert result.status == "format_error" and expected in result.feedback


def test_a_missing_entry_point_says_what_to_define():
    result = mark_code_part(Q, "impl", MODULE, PART.solution.replace("class LayerNorm", "class LN"))
    assert "your code does not define LayerNorm" in result.feedback


def test_run_visible_tests_skips_hidden_ones():
    result = run_visible_tests(Q, "impl", FUNCTION, WRONG["eps_outside_sqrt"].source)
    assert all(detail["visibility"] == "visible" for detail in result.details)
    assert result.status == "visible_tests_failed"
    assert (result.score, result.max_score) == (1.0, 5.0)
    assert "This is not your mark: hidden tests run when you submit." in result.feedback


def test_starter_is_shown_in_the_prompt_and_scores_nothing():
    assert "def layer_norm(X, alpha, beta, eps={{ eps }}):" in Q.part("impl").prompt
    assert mark_code_part(Q, "impl", FUNCTION, PART.starter(FUNCTION)).score == 0.0
