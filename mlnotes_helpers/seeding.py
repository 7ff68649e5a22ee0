"""Seeded random number generators: every chapter passes its own ``Generator`` around."""

import numbers

import numpy as np

__all__ = ["make_rng"]


def make_rng(seed):
    """Return a ``numpy.random.Generator`` (PCG64) seeded with ``seed``.

    Parameters
    ----------
    seed : int
        A non-negative integer. Required: the book never draws unseeded randomness.

    Returns
    -------
    numpy.random.Generator
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    return np.random.default_rng(int(seed))
