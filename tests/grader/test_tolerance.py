import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.tolerance import Tolerance, epsilon, round_decimal_places

references = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
places = st.integers(min_value=0, max_value=6)
figures = st.integers(min_value=1, max_value=6)
fractions_of_band = st.floats(min_value=-1.0, max_value=1.0)
beyond_band = st.floats(min_value=1.001, max_value=50.0)
signs = st.sampled_from([-1.0, 1.0])


@pytest.mark.parametrize(
    ("rule", "reference", "answer", "accepted"),
    [
        ({"dp": 2}, 1.6791, 1.68, True),
        ({"dp": 2}, 1.6791, 1.675, True),
        ({"dp": 2}, 1.6791, 1.685, True),
        ({"dp": 2}, 1.6791, 1.6851, False),
        ({"dp": 2}, 1.6791, 1.66, False),
        ({"dp": 2}, 0.125, 0.13, True),
        ({"dp": 2}, 0.125, 0.12, True),
        ({"dp": 4}, math.sin(5), -0.9589, True),
        ({"dp": 4}, math.sin(5), -0.9598, False),
        ({"sf": 3}, 320128, 320000, True),
        ({"sf": 3}, 320128, 321000, False),
        ({"sf": 3}, 0.0018707, 0.00187, True),
        ({"abs": 0.01}, 2.0, 2.01, True),
        ({"abs": 0.01}, 2.0, 2.0101, False),
        ({"rel": 0.01}, 200.0, 202.0, True),
        ({"rel": 0.01}, 200.0, 202.1, False),
        ({"dp": 2, "rel": 0.1}, 10.0, 10.9, True),
        ({}, 45, 45, True),
        ({}, 45, 45.0000001, False),
    ],
)
def test_documented_bands(rule, reference, answer, accepted):
    assert Tolerance.from_rule(rule, Tolerance()).accepts(answer, reference) is accepted


@given(references, places, fractions_of_band)
def test_every_value_inside_the_dp_band_is_accepted(reference, dp, fraction):
    rounded = min(round_decimal_places(reference, dp))
    answer = rounded + fraction * 0.5 * 10.0**-dp
    assert Tolerance(dp=dp).accepts(answer, reference)


@given(references, places, beyond_band, signs)
def test_every_value_outside_the_dp_band_is_rejected(reference, dp, factor, sign):
    half_unit = 0.5 * 10.0**-dp
    for rounded in round_decimal_places(reference, dp):
        answer = rounded + sign * (factor * half_unit + 2 * epsilon(rounded))
        other_roundings = round_decimal_places(reference, dp) - {rounded}
        if all(abs(answer - other) > half_unit + epsilon(other) for other in other_roundings):
            assert not Tolerance(dp=dp).accepts(answer, reference)


@given(references, places)
def test_correctly_rounded_reference_is_always_accepted(reference, dp):
    for rounded in round_decimal_places(reference, dp):
        assert Tolerance(dp=dp).accepts(float(f"{rounded:.{dp}f}"), reference)


@given(references.filter(lambda r: abs(r) > 1e-3), figures)
def test_correctly_rounded_to_sig_figs_is_always_accepted(reference, sf):
    answer = float(f"{reference:.{sf - 1}e}")
    assert Tolerance(sf=sf).accepts(answer, reference)


@given(
    references,
    st.floats(min_value=0, max_value=10),
    st.floats(min_value=0, max_value=0.5),
    fractions_of_band,
)
def test_abs_rel_band_is_exact(reference, absolute, relative, fraction):
    tolerance = Tolerance(absolute=absolute, relative=relative)
    allowed = max(absolute, relative * abs(reference))
    assert tolerance.accepts(reference + fraction * allowed, reference)
    outside = reference + math.copysign(allowed * 1.001 + 3 * epsilon(reference), fraction)
    assert not tolerance.accepts(outside, reference)


def test_describe_names_every_band():
    assert Tolerance(dp=2).describe() == "2 d.p."
    assert Tolerance(sf=3, relative=0.01).describe() == "3 s.f. or within 1%"
    assert Tolerance().describe() == "exactly"
