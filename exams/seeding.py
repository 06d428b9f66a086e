"""Deterministic variant seeds per (attempt, question, draw)."""

import hashlib

SEED_BYTES = 6
# Every variant seed is a whole number in [0, SEED_LIMIT).
SEED_LIMIT = 2 ** (8 * SEED_BYTES)


def variant_seed(*, attempt_id: int, question_slug: str, draw: int = 0) -> int:
    """A stable 48-bit seed that differs between attempts, questions and draws.

    The attempt's primary key carries the student, the mode (exam or practice) and the
    attempt's number, so no two attempts share a seed; `draw` counts retired variants skipped.
    """
    digest = hashlib.sha256(f"attempt:{attempt_id}:{question_slug}:{draw}".encode()).digest()
    return int.from_bytes(digest[:SEED_BYTES], "big")
