"""Template filters of the web UI."""

from __future__ import annotations

from decimal import Decimal

import pytest

from frontend.templatetags.lookup import plain_number


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1.500"), "1.5"),
        (2.0, "2"),
        (Decimal("10.000"), "10"),
        (0.333, "0.333"),
        (Decimal("0"), "0"),
        ("", ""),
        (None, "None"),
    ],
)
def test_marks_are_written_without_trailing_zeros(value, shown):
    assert plain_number(value) == shown
