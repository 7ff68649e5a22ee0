"""Loaders for the data sets bundled with the book's dependencies. Nothing is downloaded.

Each loader returns plain numpy arrays (``X`` of shape ``(n_samples, n_features)`` and a
target ``y``), or a small dict for data that is not a table.
"""

import numpy as np

__all__ = [
    "load_breast_cancer",
    "load_co2",
    "load_diabetes",
    "load_digits",
    "load_english_text",
    "load_iris",
    "load_wine",
]


def _sklearn_xy(name):
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    return np.asarray(bunch.data, dtype=float), np.asarray(bunch.target)


def load_digits():
    """8×8 handwritten digits (scikit-learn, bundled): ``X (1797, 64)`` in 0..16, ``y (1797,)``."""
    return _sklearn_xy("digits")


def load_breast_cancer():
    """Wisconsin breast cancer (scikit-learn, bundled): ``X (569, 30)``, ``y (569,)`` in {0, 1}."""
    return _sklearn_xy("breast_cancer")


def load_iris():
    """Fisher's iris (scikit-learn, bundled): ``X (150, 4)``, ``y (150,)`` in {0, 1, 2}."""
    return _sklearn_xy("iris")


def load_diabetes():
    """Diabetes progression (scikit-learn, bundled, scaled): ``X (442, 10)``, ``y (442,)``."""
    return _sklearn_xy("diabetes")


def load_wine():
    """Wine recognition (scikit-learn, bundled): ``X (178, 13)``, ``y (178,)`` in {0, 1, 2}."""
    return _sklearn_xy("wine")


def load_co2(freq="monthly"):
    """The Mauna Loa CO₂ record bundled with statsmodels.

    The raw data are weekly (1958–2001) with gaps; by default they are averaged per month
    and months without data are dropped.

    Parameters
    ----------
    freq : {"monthly", "weekly"}

    Returns
    -------
    t : ndarray, shape (n,)
        Time in decimal years (the middle of the month, or the week's date).
    co2 : ndarray, shape (n,)
        CO₂ concentration in ppm.
    """
    if freq not in ("monthly", "weekly"):
        raise ValueError(f"freq must be 'monthly' or 'weekly', got {freq!r}")
    from statsmodels.datasets import co2

    df = co2.load_pandas().data.dropna()
    if freq == "monthly":
        df = df.resample("MS").mean().dropna()
        offset_days = 15.0
    else:
        offset_days = 0.0
    idx = df.index
    t = idx.year + (idx.day_of_year - 1 + offset_days) / np.where(idx.is_leap_year, 366.0, 365.0)
    return np.asarray(t, dtype=float), df["co2"].to_numpy(dtype=float)


def load_english_text(max_chars=None):
    """English prose from the Python documentation (``pydoc_data.topics``, standard library).

    The help topics are joined in sorted key order, so the text is the same on every run of
    the same Python version.

    Parameters
    ----------
    max_chars : int, optional
        Truncate the text to this many characters.

    Returns
    -------
    str
    """
    from pydoc_data.topics import topics

    if max_chars is not None and (not isinstance(max_chars, int) or max_chars <= 0):
        raise ValueError(f"max_chars must be a positive integer, got {max_chars!r}")
    text = "\n".join(topics[key] for key in sorted(topics))
    return text if max_chars is None else text[:max_chars]
