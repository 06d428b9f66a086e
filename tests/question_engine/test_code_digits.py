"""Each variant's digits are a disguised copy: same labels, no look-up in scikit-learn's copy."""

from __future__ import annotations

import numpy as np
import pytest

from question_engine.code_digits import digits_split, original_split
from question_engine.errors import QuestionRunError


def nearest_labels(queries: np.ndarray, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    q, base = queries.astype(np.float64), images.astype(np.float64)
    distances = (q**2).sum(1)[:, None] - 2 * q @ base.T + (base**2).sum(1)[None]
    return labels[distances.argmin(axis=1)]


def every_digit() -> tuple[np.ndarray, np.ndarray]:
    original = original_split()
    images = np.concatenate([original.x_train, original.x_test])
    return images, np.concatenate([original.y_train, original.y_test])


def test_a_variant_copy_is_the_same_for_its_seed_and_differs_between_seeds():
    first, again = digits_split({"data_seed": 5}), digits_split({"data_seed": 5})
    other = digits_split({"data_seed": 6})
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.x_test, other.x_test)
    assert not np.array_equal(first.x_train, other.x_train)


def test_the_copy_keeps_the_split_sizes_labels_and_pixel_range():
    original, copy = original_split(), digits_split({"data_seed": 7})
    assert copy.x_train.shape == original.x_train.shape == (1437, 64)
    assert copy.x_test.shape == original.x_test.shape == (360, 64)
    assert copy.x_test.dtype == np.float32 and copy.y_test.dtype == np.int64
    assert copy.x_test.min() >= 0.0 and copy.x_test.max() <= 1.0
    np.testing.assert_array_equal(np.sort(copy.y_test), np.sort(original.y_test))
    np.testing.assert_array_equal(np.sort(copy.y_train), np.sort(original.y_train))


def test_each_image_keeps_its_own_label():
    """Nearest neighbours within the same disguised copy agree with its labels."""
    copy = digits_split({"data_seed": 8})
    predicted = nearest_labels(copy.x_test, copy.x_train, copy.y_train)
    assert np.mean(predicted == copy.y_test) > 0.95


@pytest.mark.parametrize("seed", [0, 1, 2**53 - 1])
def test_the_held_out_images_cannot_be_looked_up_in_scikit_learns_digits(seed):
    copy = digits_split({"data_seed": seed})
    images, labels = every_digit()
    exact = (copy.x_test[:, None, :] == images[None, :, :]).all(axis=2).any(axis=1)
    assert not exact.any()
    assert np.mean(nearest_labels(copy.x_test, images, labels) == copy.y_test) < 0.35


def test_the_job_data_never_holds_the_held_out_labels():
    copy = digits_split({"data_seed": 9})
    assert set(copy.job_data()) == {"x_train", "y_train", "x_test"}


@pytest.mark.parametrize("params", [{}, {"data_seed": -1}, {"data_seed": "3"}, {"data_seed": True}])
def test_a_variant_without_a_usable_data_seed_is_refused(params):
    with pytest.raises(QuestionRunError, match="data_seed"):
        digits_split(params)
