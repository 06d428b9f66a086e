import pytest

from grader import PartSpec, rounding_decimals, validate_rule


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("number", {}),
        ("number", {"tolerance": {"dp": 2}}),
        ("number", {"tolerance": {"rel": 0.01, "abs": 1e-9}}),
        ("number", {"tolerance": {"sf": 3}, "rounded_credit": 0.5, "carried_forward_credit": 1}),
        ("number", {"mistake_hints": {"log": "ln", "angle": {"function": "sin", "argument": "x"}}}),
        ("number", {"anticipated": [{"answer": "0.19", "feedback": "1 - y", "credit": 0.5}]}),
        ("number", {"abs_tol": 0.01}),
        ("number", {"decimal_comma": True, "mistake_hints": {"percent": True}}),
        ("matrix", {"tolerance": {"dp": 2}, "per_element_credit": True, "shape": [3, 2]}),
        ("integer", {"tolerance": {"abs": 0}}),
        ("tensor_shape", {"shape": [2, 1, 3], "elements": "integer"}),
        ("formula", {"variables": ["k"], "domain": {"k": [1, 100]}}),
        ("choice", {"options": ["a", "b", "c", "d"]}),
        ("multi", {"options": ["a", "b", "c"], "scoring": "net_correct"}),
        ("pair", {"partial_credit": True}),
        ("truefalse", {}),
        ("text", {}),
        ("code", {"anything": "goes"}),
    ],
)
def test_valid_rules_have_no_problems(kind, rule):
    assert validate_rule(kind, rule) == []


@pytest.mark.parametrize(
    ("kind", "rule", "fragment"),
    [
        ("essay", {}, "unknown answer kind 'essay'"),
        ("number", {"tol": 1}, "unknown key 'tol'"),
        ("number", {"tolerance": {"dp": -1}}, "'dp' must be a whole number from 0 to 15"),
        ("number", {"tolerance": {"dp": True}}, "'dp' must be a whole number"),
        ("number", {"tolerance": {"rel": -0.1}}, "'rel' must be a number ≥ 0"),
        ("number", {"tolerance": 2}, "'tolerance' must be a mapping"),
        ("number", {"rounded_credit": 1.5}, "from 0 (no credit) to 1"),
        ("number", {"mistakes": "yes"}, "'mistakes' must be true or false"),
        ("number", {"mistake_hints": {"log": "log3"}}, "'log' must be one of ln, log10, log2"),
        ("number", {"mistake_hints": {"angle": {"function": "sin"}}}, "needs both"),
        ("number", {"anticipated": [{"feedback": "x"}]}, "exactly one of 'answer'"),
        ("number", {"anticipated": [{"answer": "1"}]}, "non-empty 'feedback'"),
        ("number", {"per_element_credit": True}, "unknown key 'per_element_credit'"),
        ("number", {"decimal_comma": "yes"}, "'decimal_comma' must be true or false"),
        ("integer", {"decimal_comma": True}, "unknown key 'decimal_comma'"),
        ("vector", {"decimal_comma": True}, "unknown key 'decimal_comma'"),
        ("matrix", {"shape": [3, 0]}, "positive whole numbers"),
        ("tensor_shape", {}, "'shape' is required"),
        ("tensor_shape", {"shape": [2], "elements": "complex"}, "one of integer, real, any"),
        ("formula", {"variables": ["2k"]}, "variable names"),
        ("formula", {"variables": ["k"], "domain": {"M": [1, 2]}}, "not in 'variables'"),
        ("formula", {"variables": ["k"], "domain": {"k": [2, 1]}}, "low < high"),
        ("choice", {"options": ["a"]}, "at least two"),
        ("choice", {"options": ["a", "A"]}, "different from each other"),
        ("multi", {}, "'options' is required"),
        ("multi", {"options": ["a", "b"], "scoring": "most"}, "all_or_nothing"),
        ("pair", {"partial_credit": 1}, "true or false"),
        ("text", {"tolerance": {}}, "unknown key 'tolerance'"),
    ],
)
def test_invalid_rules_explain_the_problem(kind, rule, fragment):
    problems = validate_rule(kind, rule)
    assert any(fragment in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("kind", "rule", "decimals"),
    [
        ("number", {"tolerance": {"dp": 2}}, 2),
        ("vector", {"tolerance": {"dp": 4}}, 4),
        ("number", {"tolerance": {"dp": 2}, "rounded_dp": 3}, 3),
        ("number", {"tolerance": {"sf": 3}}, None),
        ("number", {}, None),
        ("choice", {}, None),
    ],
)
def test_rounding_decimals(kind, rule, decimals):
    assert rounding_decimals(PartSpec("a", kind, 1, rule)) == decimals


def test_referenced_quantities_lists_anticipated_and_angle_arguments():
    from grader.rules import referenced_quantities

    rule = {
        "anticipated": [
            {"quantity": "loss_no_square", "feedback": "Square the difference.", "credit": 0},
            {"answer": "0", "feedback": "Zero?", "credit": 0},
        ],
        "mistake_hints": {"angle": {"function": "sin", "argument": "theta"}},
    }
    assert referenced_quantities(rule) == {"loss_no_square", "theta"}
    assert referenced_quantities({"tolerance": {"dp": 2}}) == set()
