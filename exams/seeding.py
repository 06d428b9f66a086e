"""Deterministic variant seeds per (student, question, attempt)."""

import hashlib

SEED_BYTES = 6


def variant_seed(*, student_id: int, question_slug: str, attempt_number: int) -> int:
    """A stable seed that differs between students, questions and attempts."""
    digest = hashlib.sha256(f"{student_id}:{question_slug}:{attempt_number}".encode()).digest()
    return int.from_bytes(digest[:SEED_BYTES], "big")
