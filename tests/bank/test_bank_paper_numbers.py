"""The paper variants reproduce every number the published answer keys (seeds 002/004) print."""

from __future__ import annotations

import pytest
from django.conf import settings

from question_engine import build_variant, load_question
from question_engine.jobs.question import round_half_away


def paper(slug: str):
    return build_variant(load_question(settings.BANK_ROOT / slug), paper=True)


def rounded(value, dp):
    if isinstance(value, list):
        return [rounded(item, dp) for item in value]
    return round_half_away(value, dp)


@pytest.fixture(scope="module")
def q2_variant():
    return paper("seed002-q2-mlp-forward-backward")


def test_q2_exact_path_matches_key_004(q2_variant):
    exact = q2_variant.quantities
    assert rounded(exact["u1"], 2) == [1.3, -4.7, 3.6]
    assert rounded(exact["h1"], 2) == [0.86, -1.0, 1.0]
    assert rounded(exact["u2"], 2) == [2.49, 7.2]
    assert rounded(exact["h2"], 2) == [0.99, 1.0]
    assert rounded(exact["u3"], 2) == 1.47
    assert rounded(exact["y"], 2) == 0.81
    assert rounded(exact["J"], 2) == 1.68
    assert rounded(exact["g_u3"], 2) == 0.81
    assert rounded(exact["g_u2"], 2) == [0.04, 0.0]
    assert rounded(exact["g_u1"], 2) == [0.03, 0.0, 0.0]
    assert rounded(exact["g_W3"], 2) == [0.80, 0.81]
    assert rounded(exact["g_W2"], 2) == [[0.04, 0.0], [-0.04, 0.0], [0.04, 0.0]]
    assert rounded(exact["g_W1"], 2) == [[0.03, 0.0, 0.0], [0.07, 0.0, 0.0]]
    assert rounded(exact["g_b1"], 2) == [0.03, 0.0, 0.0]


def test_q2_rounded_path_matches_key_002(q2_variant):
    r = q2_variant.rounded_quantities
    assert r["u1"] == [1.3, -4.7, 3.6]
    assert r["h1"] == [0.86, -1.0, 1.0]
    assert r["u2"] == [2.48, 7.2]
    assert r["h2"] == [0.99, 1.0]
    assert r["u3"] == 1.48
    assert r["y"] == 0.81
    assert r["J"] == 1.66
    assert r["dh1"] == [0.26, 0.0, 0.0]
    assert r["dh2"] == [0.02, 0.0]
    assert r["g_u2"] == [0.03, 0.0]
    assert r["g_u1"] == [0.02, 0.0, 0.0]
    assert r["g_W3"] == [0.8, 0.81]
    assert r["g_b3"] == 0.81
    assert r["g_W2"] == [[0.03, 0.0], [-0.03, 0.0], [0.03, 0.0]]
    assert r["g_b2"] == [0.03, 0.0]
    assert r["g_W1"] == [[0.02, 0.0, 0.0], [0.04, 0.0, 0.0]]
    assert q2_variant.reference.rounded["J"] == 1.66
    assert rounded(q2_variant.reference.exact["J"], 2) == 1.68


def test_q2_weight_matrices_are_the_papers(q2_variant):
    assert q2_variant.quantities["W1"] == [[3.2, -2.4, -2.1], [-1.2, -1.4, 2.6]]
    assert q2_variant.quantities["W2"] == [[3.0, 0.0], [-2.4, -4.2], [-3.0, 2.5]]
    assert q2_variant.quantities["W3"] == [2.0, -1.0]
    assert "1.30" in q2_variant.solution_md and "1.68" in q2_variant.solution_md


def test_q3_counts_and_flops():
    exact = paper("seed002-q3-conv-params-flops").quantities
    assert [exact[k] for k in ("n1", "d1", "F1", "p2")] == [6, 12, 7, 1]
    assert [exact[k] for k in ("params1", "params2", "params_fc")] == [3534, 220, 320128]
    assert (exact["dw_count"], exact["dw_size"]) == (12, [1, 7, 7])
    assert (exact["pw_count"], exact["pw_size"]) == (6, [12, 1, 1])
    assert exact["flops_standard"] == 16_941_456
    assert exact["flops_depthwise"] == 2_823_576
    assert exact["flops_pointwise"] == 345_744
    assert exact["flops_separable"] == 3_169_320
    assert exact["flops_ratio"] == pytest.approx(55 / 294)
    assert round_half_away(exact["flops_ratio"], 3) == 0.187
    assert [exact[f"ae{i}"] for i in range(1, 7)] == ["false", "true", "false", "true"] + [
        "false",
        "false",
    ]


def test_q4_rnn_pairs_and_positional_encoding():
    exact = paper("seed002-q4-rnn-posenc").quantities
    assert rounded(exact["h1"], 4) == [0.9973, 0.9879]
    assert rounded(exact["y1"], 4) == 0.5503
    assert rounded(exact["h2"], 4) == [0.9801, 0.9289]
    assert rounded(exact["y2"], 4) == 0.5524
    assert [exact["pair1"], exact["pair2"], exact["pair3"]] == ["B", "C", "A"]
    published = [-0.9589, 0.2837, -0.9939, 0.1107, -0.9982, -0.0595]
    published += [-0.9750, -0.2221, -0.9277, -0.3733, -0.8600]
    assert rounded(exact["pe"], 4) == published


def test_q1_parameter_count():
    exact = paper("seed002-q1-short-answers").quantities
    assert exact["n_params"] == 45
    assert exact["tensor"] == [[[1, 2, 3]], [[4, 5, 6]]]


def test_seed003_losses_and_step():
    variant = paper("seed003-q2-svm-softmax-gd")
    exact = variant.quantities
    assert rounded(exact["scores"], 6) == [[2.7, -2.3], [0.8, -1.5], [0.6, -0.7]]
    assert exact["svm_loss"] == pytest.approx(2.0)
    assert round_half_away(exact["data_loss"], 4) == 1.7811
    assert exact["reg_loss"] == pytest.approx(0.153)
    assert round_half_away(exact["softmax_loss"], 2) == 1.93
    assert rounded(exact["W_new"], 4) == [[0.0944, -0.3926], [0.4815, -0.2827], [-0.0023, 0.0023]]


def test_seed001_convergence_rates_for_kappa_4():
    exact = paper("seed001-q9-convergence-rates").quantities
    assert exact["eta_opt"] == pytest.approx(0.4)
    assert exact["rate_gd"] == pytest.approx(0.6)
    assert exact["rate_momentum"] == pytest.approx(1 / 3)
    assert round_half_away(exact["steps_ratio"], 3) == 0.465
