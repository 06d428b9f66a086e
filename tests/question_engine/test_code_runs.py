"""Marking a code submission whose process crashes: the student's fault, said plainly."""

from __future__ import annotations

from django.conf import settings

from question_engine import load_question, mark_code_part

Q = load_question(settings.BANK_ROOT / "code-layer-norm")
SEGFAULTING = (
    "import ctypes\n\ndef layer_norm(X, alpha, beta, eps=1e-4):\n    return ctypes.string_at(0)\n"
)


def test_code_that_crashes_its_process_is_told_so_and_scores_nothing():
    result = mark_code_part(Q, "impl", dict(Q.paper_params), SEGFAULTING)
    assert result.score == 0.0
    assert "crashed the process" in result.feedback
    assert "segmentation fault" in result.feedback
    assert "stopped by the sandbox" not in result.feedback
