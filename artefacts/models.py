"""The arrays the author runs of a variant observed, stored once per content.

`Variant.author_runs` holds the runs as small plain JSON whose arrays are references
(``{"npy": <sha256>}``) to rows here, so a variant's row stays small (pages that show a
variant never load megabytes of expected outputs) and an array shared by several runs or
variants (initial weights, inputs) is stored once. Server-side only: hidden tests' expected
outputs are among them.
"""

from __future__ import annotations

from django.db import models


class AuthorArray(models.Model):
    """One array an author run observed: its `.npy` file (saved without pickle), compressed
    with zlib, keyed by the SHA-256 of the uncompressed file."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    data = models.BinaryField(help_text="zlib-compressed .npy file (no pickle).")
    size = models.PositiveBigIntegerField(help_text="Bytes of the uncompressed .npy file.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"array {self.sha256[:12]} ({self.size} bytes)"
