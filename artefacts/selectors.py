"""Reading author arrays."""

from __future__ import annotations

from collections.abc import Collection

from artefacts.models import AuthorArray


def author_arrays_get(*, hashes: Collection[str]) -> dict[str, bytes]:
    """The stored compressed `.npy` files among `hashes` (missing ones are left out)."""
    rows = AuthorArray.objects.filter(sha256__in=list(hashes)).values_list("sha256", "data")
    return {sha256: bytes(data) for sha256, data in rows}
