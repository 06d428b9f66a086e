"""Storing author arrays (content-addressed, so storing one twice is harmless)."""

from __future__ import annotations

from collections.abc import Mapping

from artefacts.models import AuthorArray
from question_engine.author_store import uncompressed_size

STORE_BATCH = 50


def author_arrays_store(*, arrays: Mapping[str, bytes]) -> None:
    """Store compressed `.npy` files by their SHA-256 (`question_engine.author_store`);
    those already stored are left as they are, so racing writers store one copy."""
    AuthorArray.objects.bulk_create(
        [
            AuthorArray(sha256=sha256, data=data, size=uncompressed_size(data))
            for sha256, data in arrays.items()
        ],
        batch_size=STORE_BATCH,
        ignore_conflicts=True,
    )
