"""Readable numerical checks for the verification cells of the chapters.

Each check prints one line starting with ``✓`` when it passes and raises ``AssertionError``
with a message that names the check and the size of the failure otherwise, so that a broken
derivation stops the notebook (and therefore nbval and the book build).
"""

import numpy as np

__all__ = ["check", "check_close"]


def _as_float_array(value, name):
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy rarely refuses
        raise TypeError(f"{name} could not be converted to an array: {exc}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    return arr


def check_close(actual, expected, rtol=1e-10, atol=0.0, what="values agree"):
    """Assert that ``actual`` equals ``expected`` elementwise within tolerances.

    The test is numpy's: ``|actual - expected| <= atol + rtol * |expected|`` for every entry.

    Parameters
    ----------
    actual, expected : array_like
        Numeric arrays of the same shape (or broadcastable scalars).
    rtol, atol : float
        Relative and absolute tolerances, both non-negative and not both zero.
    what : str
        What is being checked, printed in the success line and the error message.

    Returns
    -------
    None
        Nothing, so that a check as the last line of a cell shows only its ✓ line.

    Raises
    ------
    AssertionError
        If any entry differs by more than the tolerance, or if ``actual`` holds NaN or inf
        where ``expected`` does not.
    """
    if not isinstance(what, str):
        raise TypeError("what must be a string describing the check")
    if rtol < 0 or atol < 0:
        raise ValueError(f"tolerances must be non-negative, got rtol={rtol}, atol={atol}")
    if rtol == 0 and atol == 0:
        raise ValueError("rtol and atol cannot both be zero: give the tolerance the check needs")
    a = _as_float_array(actual, "actual")
    e = _as_float_array(expected, "expected")
    try:
        a_b, e_b = np.broadcast_arrays(a, e)
    except ValueError as exc:
        raise AssertionError(f"✗ {what}: shapes {a.shape} and {e.shape} do not match") from exc
    a_b = a_b.astype(np.complex128 if np.iscomplexobj(a_b) or np.iscomplexobj(e_b) else float)
    e_b = e_b.astype(a_b.dtype)
    nonfinite = ~np.isfinite(a_b) | ~np.isfinite(e_b)
    if np.any(nonfinite & ~((a_b == e_b) | (np.isnan(a_b) & np.isnan(e_b)))):
        raise AssertionError(f"✗ {what}: non-finite values that do not match")
    finite = ~nonfinite
    diff = np.abs(a_b[finite] - e_b[finite])
    scale = np.abs(e_b[finite])
    tiny = np.finfo(float).tiny
    max_rel = float(np.max(diff / np.maximum(scale, tiny))) if diff.size else 0.0
    max_abs = float(np.max(diff)) if diff.size else 0.0
    bad = diff > atol + rtol * scale
    if np.any(bad):
        raise AssertionError(
            f"✗ {what}: {int(bad.sum())} of {bad.size} entries out of tolerance "
            f"(max abs. error {max_abs:.2e}, max rel. error {max_rel:.2e}, "
            f"rtol={rtol:g}, atol={atol:g})"
        )
    if atol == 0:
        print(f"✓ {what} (rel. error {max_rel:.1e} ≤ {rtol:.0e})")
    else:
        # the entry closest to its tolerance, and that tolerance
        tol = atol + rtol * scale
        worst = int(np.argmax(diff / tol)) if diff.size else 0
        err, lim = (float(diff[worst]), float(tol[worst])) if diff.size else (0.0, atol)
        print(f"✓ {what} (error {err:.1e} ≤ {lim:.1e})")


def check(condition, what="condition holds", detail=""):
    """Assert a non-numerical property, printing ``✓ what`` when it holds.

    Parameters
    ----------
    condition : bool or array_like of bool
        The property; an array must be true everywhere.
    what : str
        What is being checked.
    detail : str, optional
        Extra information (a measured number, say) printed after ``what``.

    Raises
    ------
    AssertionError
        If ``condition`` is false (anywhere).
    """
    if not isinstance(what, str):
        raise TypeError("what must be a string describing the check")
    arr = np.asarray(condition)
    if arr.dtype != np.bool_:
        raise TypeError(f"condition must be boolean, got dtype {arr.dtype}")
    suffix = f" ({detail})" if detail else ""
    if not bool(np.all(arr)):
        raise AssertionError(f"✗ {what}{suffix}")
    print(f"✓ {what}{suffix}")
