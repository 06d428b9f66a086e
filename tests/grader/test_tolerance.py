import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.tolerance import (
    Tolerance,
    epsilon,
    round_decimal_places,
    round_significant,
    significant_half_unit,
)

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
    if outside == reference:
        outside = math.nextafter(reference, math.copysign(math.inf, fraction))
    assert not tolerance.accepts(outside, reference)


def test_describe_names_every_band():
    assert Tolerance(dp=2).describe() == "to 2 d.p."
    assert Tolerance(sf=3, relative=0.01).describe() == "to 3 s.f. or within 1%"
    assert Tolerance(absolute=0.01).describe() == "within ±0.01"
    assert Tolerance(relative=0.001).describe() == "within 0.1%"
    assert Tolerance().describe() == "exactly"


@pytest.mark.parametrize(
    ("rule", "reference", "answer", "accepted"),
    [
        ({"rel": 0.01}, 3e-14, 0.0, False),
        ({"rel": 0.01}, 3e-14, 3e-14, True),
        ({"rel": 0.01}, 3e-14, 3.03e-14, True),
        ({"rel": 0.01}, 3e-14, 3.031e-14, False),
        ({"rel": 0.01}, -3e-14, 0.0, False),
        ({"sf": 3}, 7.2e-13, 0.0, False),
        ({"sf": 3}, 7.2e-13, 7.2e-13, True),
        ({"sf": 3}, 7.2e-13, 7.2049e-13, True),
        ({"sf": 3}, 7.2e-13, 7.21e-13, False),
        ({"rel": 0.001}, 1e-300, 0.0, False),
        ({}, 1e-15, 0.0, False),
        ({}, 0.0, 0.0, True),
        ({}, 0.0, 1e-300, False),
        ({"sf": 3}, 0.0, 0.0, True),
        ({"sf": 3}, 0.0, 1e-13, False),
    ],
)
def test_tiny_references_get_no_absolute_slack(rule, reference, answer, accepted):
    assert Tolerance.from_rule(rule, Tolerance()).accepts(answer, reference) is accepted


@pytest.mark.parametrize(
    ("rule", "reference", "answer"),
    [({"dp": 4}, 3e-14, 0.0), ({"abs": 1e-9}, 3e-14, 0.0), ({"dp": 2}, 0.004, 0.0)],
)
def test_absolute_bands_the_author_asked_for_stay_absolute(rule, reference, answer):
    assert Tolerance.from_rule(rule, Tolerance()).accepts(answer, reference)


@given(
    st.floats(min_value=1e-300, max_value=1e3),
    signs,
    st.sampled_from([{"rel": 0.01}, {"rel": 0.5}, {"sf": 1}, {"sf": 3}, {}]),
)
def test_zero_is_never_within_a_relative_or_sig_fig_band_of_a_non_zero_reference(
    magnitude, sign, rule
):
    assert not Tolerance.from_rule(rule, Tolerance()).accepts(0.0, sign * magnitude)


def test_epsilon_is_relative_to_the_value():
    assert epsilon(0.0) == 0.0
    assert epsilon(3e-14) == pytest.approx(3e-26)
    assert epsilon(-200.0) == pytest.approx(2e-10)


@pytest.mark.parametrize(
    ("reference", "answer", "accepted"),
    [
        (0.09996, 0.0996, False),
        (0.09996, 0.100, True),
        (0.09996, 0.1, True),
        (0.09996, 0.1000, True),
        (0.09996, 0.09996, True),
        (0.09996, 0.10004, True),
        (0.09996, 0.1004, False),
        (-0.09996, -0.0996, False),
        (-0.09996, -0.100, True),
        (9.9996, 9.96, False),
        (9.9996, 10.0, True),
        (99960.0, 99600.0, False),
        (99960.0, 100000.0, True),
        (999.7, 996.0, False),
        (999.7, 1000.0, True),
    ],
)
def test_sig_fig_band_at_a_power_of_ten_comes_from_the_unrounded_reference(
    reference, answer, accepted
):
    assert Tolerance(sf=3).accepts(answer, reference) is accepted


def test_significant_half_unit_uses_the_value_as_it_stands():
    assert significant_half_unit(0.09996, 3) == pytest.approx(5e-5)
    assert significant_half_unit(0.1, 3) == pytest.approx(5e-4)
    assert significant_half_unit(1000.0, 1) == 500.0
    assert significant_half_unit(0.0, 3) == 0.0


@given(references.filter(lambda r: r != 0), figures, beyond_band, signs)
def test_every_value_outside_the_sf_band_is_rejected(reference, sf, factor, sign):
    half_unit = significant_half_unit(reference, sf)
    roundings = round_significant(reference, sf)
    for rounded in roundings:
        answer = rounded + sign * (factor * half_unit + 2 * epsilon(rounded))
        if all(abs(answer - other) > half_unit + epsilon(other) for other in roundings):
            assert not Tolerance(sf=sf).accepts(answer, reference)
