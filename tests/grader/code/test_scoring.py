"""Turning runs into a part result: scaling, hidden tests, hints from known wrong solutions."""

import numpy as np
import pytest

from grader.code import CodeRun, ReferenceRunError, WrongRun, mark_code_tests, parse_code_tests

TESTS = parse_code_tests(
    [
        {"name": "values", "points": 2, "check": "forward", "hint": "Look at the axis."},
        {"name": "secret", "points": 1, "check": "forward", "visibility": "hidden"},
        {"name": "facts", "points": 1, "check": "facts", "expect": {"lr": {"max": 0.01}}},
    ]
)


def tensor(values):
    array = np.asarray(values, dtype=np.float64)
    return {"type": "tensor", "dtype": "float64", "shape": list(array.shape), "values": array}


def setup(lr):
    return {
        "optimizer": "Adam",
        "learning_rates": [lr],
        "parameters": [{"name": "w", "shape": [3, 2], "std": 0.5, "optimized": True}],
        "modules": ["Linear"],
    }


def run(values, secret, lr, stdout=""):
    return CodeRun(
        tests={
            "values": {"observed": {"outputs": [tensor(values)]}},
            "secret": {"observed": {"outputs": [tensor(secret)]}},
            "facts": {"observed": {"setup": setup(lr)}},
        },
        stdout=stdout,
    )


REFERENCE = run([1.0, 2.0], [3.0], 0.001)


def test_all_passing_is_correct_with_full_marks():
    result = mark_code_tests("impl", 8, TESTS, run([1.0, 2.0], [3.0], 0.001), REFERENCE)
    assert (result.status, result.score, result.max_score) == ("correct", 8.0, 8.0)
    assert [d["passed"] for d in result.details] == [True, True, True]


def test_partial_credit_is_the_share_of_points_scaled_to_marks():
    result = mark_code_tests("impl", 8, TESTS, run([1.0, 2.0], [0.0], 0.1), REFERENCE)
    assert (result.status, result.score) == ("partially_correct", 4.0)
    assert "lr is 0.1, above the allowed maximum 0.01." in result.feedback


def test_hidden_tests_show_only_pass_fail_and_points():
    result = mark_code_tests("impl", 4, TESTS, run([1.0, 2.0], [9.0], 0.001), REFERENCE)
    hidden = result.details[1]
    assert hidden == {
        "name": "hidden test 1",
        "visibility": "hidden",
        "passed": False,
        "points": 0.0,
        "max_points": 1.0,
        "message": "",
        "hints": [],
    }
    assert "secret" not in result.feedback and "hidden test 1: FAILED (0/1)" in result.feedback


def test_hint_of_a_matching_wrong_solution_is_shown():
    wrong = [
        WrongRun("axis", "Normalise over the features.", run([5.0, 6.0], [3.0], 0.001)),
        WrongRun("other", "Never shown here.", run([7.0, 7.0], [3.0], 0.001)),
    ]
    student = run([5.0, 6.0], [3.0], 0.001)
    result = mark_code_tests("impl", 4, TESTS, student, REFERENCE, wrong)
    assert result.details[0]["hints"] == ["Normalise over the features.", "Look at the axis."]
    assert "Never shown here." not in result.feedback


def test_errors_in_a_test_fail_only_that_test():
    student = run([1.0, 2.0], [3.0], 0.001)
    student.tests["values"] = {"error": {"type": "ValueError", "message": "bad", "line": 4}}
    result = mark_code_tests("impl", 4, TESTS, student, REFERENCE)
    assert result.details[0]["message"] == "line 4: ValueError: bad"
    assert result.score == 2.0


def test_import_errors_are_format_errors_and_other_load_errors_fail_every_test():
    missing = CodeRun(load_error={"type": "ModuleNotFoundError", "message": "no jax", "line": 1})
    result = mark_code_tests("impl", 4, TESTS, missing, REFERENCE)
    assert result.status == "format_error" and "line 1: ModuleNotFoundError" in result.feedback
    broken = CodeRun(load_error={"type": "NameError", "message": "x", "line": 3})
    result = mark_code_tests("impl", 4, TESTS, broken, REFERENCE)
    assert result.status == "incorrect" and "failed while it was being loaded" in result.feedback


def test_stdout_is_capped_and_visible_only_runs_say_so():
    student = run([1.0, 2.0], [3.0], 0.001, stdout="x" * 5000)
    result = mark_code_tests("impl", 4, TESTS, student, REFERENCE, visible_only=True)
    assert "This is not your mark: hidden tests run when you submit." in result.feedback
    assert len(result.details) == 2 and result.status == "visible_tests_passed"
    assert (result.score, result.max_score) == (3.0, 3.0)
    assert result.feedback.endswith("…")


def test_a_reference_that_fails_is_the_question_s_fault():
    reference = CodeRun(tests={"values": {"error": {"type": "TypeError", "message": "oops"}}})
    with pytest.raises(ReferenceRunError, match="reference implementation fails test 'values'"):
        mark_code_tests("impl", 4, TESTS, run([1.0], [3.0], 0.001), reference)


def test_parameter_gradients_match_by_shape_and_value_when_names_differ():
    tests = parse_code_tests([{"name": "grads", "points": 1, "check": "gradients"}])
    output = tensor([1.0])

    def grads_run(grads):
        observed = {"outputs": [output], "input_grads": {}, "param_grads": grads}
        return CodeRun(tests={"grads": {"observed": observed}})

    reference = grads_run({"mlp.0.weight": tensor([[1.0, 2.0]]), "mlp.0.bias": tensor([3.0])})
    renamed = grads_run({"f.bias": tensor([3.0]), "f.weight": tensor([[1.0, 2.0]])})
    assert mark_code_tests("b", 1, tests, renamed, reference).status == "correct"
    missing = grads_run({"f.weight": tensor([[1.0, 2.0]]), "f.bias": tensor([0.0])})
    result = mark_code_tests("b", 1, tests, missing, reference)
    assert "no learnable parameter of shape (1,)" in result.feedback


PROPERTY_TESTS = parse_code_tests(
    [
        {"name": "values", "points": 2, "check": "forward"},
        {"name": "params", "points": 1, "check": "parameters"},
        {"name": "untouched", "points": 1, "check": "inplace", "visibility": "hidden"},
    ]
)
ROWS = [{"name": "w", "shape": [2], "requires_grad": True, "is_parameter": True}]


def property_run(values, changed=()):
    return CodeRun(
        tests={
            "values": {"observed": {"outputs": [tensor(values)], "changed": list(changed)}},
            "params": {"observed": {"parameters": ROWS, "changed": []}},
            "untouched": {"observed": {"outputs": [tensor([5.0])], "changed": []}},
        }
    )


PROPERTY_REFERENCE = CodeRun(
    tests={
        "values": {"observed": {"outputs": [tensor([1.0, 2.0])]}},
        "params": {"observed": {"parameters": ROWS}},
        "untouched": {"observed": {"outputs": [tensor([5.0])]}},
    }
)


def test_property_checks_earn_nothing_when_no_value_is_right():
    result = mark_code_tests("p", 4, PROPERTY_TESTS, property_run([0.0, 0.0]), PROPERTY_REFERENCE)
    assert (result.status, result.score) == ("incorrect", 0.0)
    assert "earns its points only together with the value tests" in result.feedback
    assert "`values` failed" in result.feedback


def test_property_checks_count_once_a_value_is_right():
    result = mark_code_tests("p", 4, PROPERTY_TESTS, property_run([1.0, 2.0]), PROPERTY_REFERENCE)
    assert (result.status, result.score) == ("correct", 4.0)


def test_an_in_place_change_in_any_call_fails_the_in_place_check():
    student = property_run([1.0, 2.0], changed=["argument 0"])
    result = mark_code_tests("p", 4, PROPERTY_TESTS, student, PROPERTY_REFERENCE)
    assert [d["passed"] for d in result.details] == [True, True, False]


def test_named_qualifiers_must_all_pass():
    tests = parse_code_tests(
        [
            {"name": "values", "points": 2, "check": "forward"},
            {"name": "params", "points": 1, "check": "parameters", "qualifies": ["values"]},
        ]
    )
    student = property_run([1.0, 9.0])
    result = mark_code_tests("p", 3, tests, student, PROPERTY_REFERENCE)
    assert result.score == 0.0


def test_parameters_must_be_registered_in_every_job_that_built_the_module():
    """A module that registers its parameters only when it is not called (as in a
    construct-only parameters test) is caught by the other tests' exported parameters."""
    student = property_run([1.0, 2.0])
    student.tests["values"]["observed"]["parameters"] = []
    result = mark_code_tests("p", 4, PROPERTY_TESTS, student, PROPERTY_REFERENCE)
    params = next(d for d in result.details if d["name"] == "params")
    assert not params["passed"]
    assert "as built in test `values`" in params["message"]
