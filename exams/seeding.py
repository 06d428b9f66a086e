"""Deterministic variant seeds per (attempt, question, draw), keyed with the server's secret."""

import hashlib
import hmac

from django.conf import settings

SEED_BYTES = 6
# Every variant seed is a whole number in [0, SEED_LIMIT).
SEED_LIMIT = 2 ** (8 * SEED_BYTES)
# How many retired variants a draw skips (draw 0, 1, …) before refusing.
MAX_RETIRED_SKIPS = 20


def variant_seed(*, attempt_id: int, question_slug: str, draw: int = 0) -> int:
    """A stable 48-bit seed that differs between attempts, questions and draws.

    The attempt's primary key carries the student, the mode (exam or practice) and the
    attempt's number, so no two attempts share a seed; `draw` counts retired variants skipped.
    The digest is keyed with SECRET_KEY, so attempt ids (sequential, visible in URLs) do not
    tell anyone the seed: an instructor of another course cannot preview the numbers a student
    holds. Changing SECRET_KEY changes only future draws (drawn variants are stored).
    """
    message = f"attempt:{attempt_id}:{question_slug}:{draw}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:SEED_BYTES], "big")


def exam_variant_seed(*, student_id: int, paper_id: int, question_slug: str, draw: int = 0) -> int:
    """The 48-bit seed of a student's exam-sitting variant of a paper's question.

    A student sits a paper once (one exam sitting per student per paper), so the seed can be
    derived from (student, paper, question, draw) before the sitting exists: an instructor
    prepares every enrolled student's exam variants ahead of time (`exam_variants_prepare`)
    and the sitting, when it starts, draws exactly those. Keyed with SECRET_KEY like
    `variant_seed`; the "exam:" prefix keeps these seeds apart from practice attempts' seeds.
    """
    message = f"exam:{student_id}:{paper_id}:{question_slug}:{draw}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:SEED_BYTES], "big")
