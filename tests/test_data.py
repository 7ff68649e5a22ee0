import numpy as np
import pytest

import mlnotes_helpers as h


@pytest.mark.parametrize(
    ("loader", "shape", "n_classes"),
    [
        (h.load_digits, (1797, 64), 10),
        (h.load_breast_cancer, (569, 30), 2),
        (h.load_iris, (150, 4), 3),
        (h.load_wine, (178, 13), 3),
        (h.load_diabetes, (442, 10), None),
    ],
)
def test_sklearn_loaders(loader, shape, n_classes):
    X, y = loader()
    assert X.shape == shape and X.dtype == float
    assert y.shape == (shape[0],)
    assert np.all(np.isfinite(X))
    if n_classes is not None:
        assert len(np.unique(y)) == n_classes


def test_load_co2_monthly_and_weekly():
    t, co2 = h.load_co2()
    assert t.shape == co2.shape and t.size > 500
    assert np.all(np.diff(t) > 0)
    assert 1958 < t[0] < 1959 and 2001 < t[-1] < 2002
    assert 300 < co2.min() and co2.max() < 400
    # The Keeling curve rises: the last year is at least 50 ppm above the first.
    assert co2[-12:].mean() - co2[:12].mean() > 50
    tw, cw = h.load_co2("weekly")
    assert tw.size > 2 * t.size and np.all(np.isfinite(cw))
    with pytest.raises(ValueError):
        h.load_co2("daily")


def test_load_english_text():
    text = h.load_english_text()
    assert len(text) > 100_000
    assert text == h.load_english_text()
    assert " the " in text
    assert h.load_english_text(max_chars=50) == text[:50]
    with pytest.raises(ValueError):
        h.load_english_text(max_chars=0)
