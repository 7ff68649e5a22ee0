"""Timing: medians of repeated runs, and speed ratios measured in the same run."""

import time

import numpy as np

__all__ = ["median_time", "speed_ratio"]


def _validate(fn, repeats, number):
    if not callable(fn):
        raise TypeError("the timed object must be callable with no arguments")
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    if not isinstance(number, int) or number < 1:
        raise ValueError(f"number must be a positive integer, got {number!r}")


def _once(fn, number):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def median_time(fn, repeats=5, number=1, warmup=1):
    """Median wall time of ``fn()`` in seconds.

    Parameters
    ----------
    fn : callable
        Called with no arguments.
    repeats : int
        Number of timed repeats; the median of these is returned.
    number : int
        Calls per repeat (their mean is one repeat's time), for very fast functions.
    warmup : int
        Untimed calls before timing.

    Returns
    -------
    float
    """
    _validate(fn, repeats, number)
    for _ in range(warmup):
        fn()
    return float(np.median([_once(fn, number) for _ in range(repeats)]))


def speed_ratio(fn_a, fn_b, repeats=5, number=1, warmup=1):
    """Time two callables in the same run, interleaved, and return their ratio.

    Interleaving (a, b, a, b, ...) keeps slow drifts of the machine from favouring one side.

    Returns
    -------
    t_a, t_b : float
        Median seconds per call of ``fn_a`` and ``fn_b``.
    ratio : float
        ``t_a / t_b``: above 1 means ``fn_a`` is slower.
    """
    _validate(fn_a, repeats, number)
    _validate(fn_b, repeats, number)
    for _ in range(warmup):
        fn_a()
        fn_b()
    times_a, times_b = [], []
    for _ in range(repeats):
        times_a.append(_once(fn_a, number))
        times_b.append(_once(fn_b, number))
    t_a, t_b = float(np.median(times_a)), float(np.median(times_b))
    return t_a, t_b, t_a / t_b
