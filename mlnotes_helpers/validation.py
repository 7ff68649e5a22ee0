"""Shared input validation for the chapters' public functions.

Every public function of a chapter checks its arguments with one line per argument::

    X = as_matrix(X, "X")
    y = as_vector(y, "y", size=X.shape[0])
    lam = as_scalar(lam, "lam", low=0)
    n_iter = as_int(n_iter, "n_iter", low=1)

Each validator returns the cleaned value (a float64 or complex128 array, a float, an int) or
raises a ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind, wrong value) whose
message names the argument, says what was expected and what came. NaN and inf are refused by
default, so that no public function turns a bad input into a silent NaN.
"""

import numbers

import numpy as np

__all__ = [
    "as_array",
    "as_callable",
    "as_int",
    "as_matrix",
    "as_rng",
    "as_scalar",
    "as_square_matrix",
    "as_symmetric_matrix",
    "as_vector",
    "check_raises",
]


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"[:80]


def as_array(value, name, *, ndim=None, shape=None, finite=True, complex_ok=False, empty_ok=False):
    """A real (or complex) float array from ``value``, checked.

    Parameters
    ----------
    value : array_like
        Numbers (bools and strings are refused).
    name : str
        The argument's name, used in error messages.
    ndim : int, optional
        Required number of dimensions.
    shape : tuple of (int or None), optional
        Required shape; ``None`` entries match any length.
    finite : bool
        Refuse NaN and inf (default).
    complex_ok : bool
        Accept complex entries (returned as complex128); otherwise they are refused.
    empty_ok : bool
        Accept arrays with zero entries.

    Returns
    -------
    numpy.ndarray
        float64 (or complex128 when ``complex_ok`` and the input is complex).
    """
    if isinstance(value, str | bytes) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{name} must be an array of numbers ({exc})") from exc
    kind = arr.dtype.kind
    if kind == "c" and not complex_ok:
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if kind not in "iufc":
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.complex128 if kind == "c" else np.float64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(arr.shape, shape, strict=True)
        ):
            wanted = ", ".join("any" if s is None else str(s) for s in shape)
            wanted = f"({wanted},)" if len(shape) == 1 else f"({wanted})"
            raise ValueError(f"{name} must have shape {wanted}, got {arr.shape}")
    if arr.size == 0 and not empty_ok:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or inf")
    return arr


def as_vector(value, name, *, size=None, **kwargs):
    """A 1-D array of length ``size`` (any length if ``None``); see :func:`as_array`."""
    return as_array(value, name, shape=(size,), **kwargs)


def as_matrix(value, name, *, shape=None, **kwargs):
    """A 2-D array, of ``shape`` if given (``None`` entries match any); see :func:`as_array`."""
    return as_array(value, name, shape=shape if shape is not None else (None, None), **kwargs)


def as_square_matrix(value, name, *, size=None, **kwargs):
    """A square 2-D array (``size`` × ``size`` if given); see :func:`as_array`."""
    arr = as_matrix(value, name, shape=(size, size), **kwargs)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be square, got shape {arr.shape}")
    return arr


def as_symmetric_matrix(value, name, *, size=None, rtol=1e-10, **kwargs):
    """A square array equal to its (conjugate) transpose to within ``rtol`` of its largest
    entry; returned exactly symmetrised, ``(A + Aᴴ) / 2`` (the array itself if it already is).

    The test runs over pairs of square tiles, so that the transposed reads stay in cache and
    no full-size temporary is made: a 2,000 × 2,000 kernel matrix takes a few milliseconds.
    """
    arr = as_square_matrix(value, name, size=size, **kwargs)
    n, tile = arr.shape[0], 256
    scale = float(np.max(np.abs(arr)) if np.iscomplexobj(arr) else max(arr.max(), -arr.min()))
    asym = 0.0
    for i in range(0, n, tile):
        for j in range(i, n, tile):
            diff = arr[i : i + tile, j : j + tile] - arr[j : j + tile, i : i + tile].conj().T
            asym = max(asym, float(np.max(np.abs(diff))))
            if asym > rtol * scale:
                raise ValueError(
                    f"{name} must be symmetric, got |A - Aᵀ| up to {asym:.2e} "
                    f"(largest entry {scale:.2e}, tolerance {rtol:g} relative)"
                )
    if asym == 0.0:
        return arr
    return (arr + arr.conj().T) / 2


def as_scalar(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """A finite real number in ``[low, high]`` (open ends if ``low_open``/``high_open``).

    Python and numpy numbers and 0-d arrays are accepted; bools, strings and complex numbers
    are refused.
    """
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a real number, got bool {value!r}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    x = float(value)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    if low is not None and (x <= low if low_open else x < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {x:g}")
    if high is not None and (x >= high if high_open else x > high):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {x:g}")
    return x


def as_int(value, name, *, low=None, high=None):
    """An integer in ``[low, high]``; numpy integers are accepted, bools and floats refused."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    k = int(value)
    if low is not None and k < low:
        raise ValueError(f"{name} must be >= {low}, got {k}")
    if high is not None and k > high:
        raise ValueError(f"{name} must be <= {high}, got {k}")
    return k


def as_callable(value, name):
    """``value`` itself if it is callable."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {_describe(value)}")
    return value


def as_rng(value, name="rng"):
    """A ``numpy.random.Generator`` (the book never draws from global state)."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (use make_rng(seed)), got {_describe(value)}"
        )
    return value


def check_raises(fn, *args, exc=(ValueError, TypeError), match=None, **kwargs):
    """Assert that ``fn(*args, **kwargs)`` raises ``exc`` whose message contains ``match``.

    For tests of bad input: ``check_raises(ridge, X, y, -1.0, match="lam")``. Returns the
    exception so that a test can look further. Raises ``AssertionError`` if nothing is raised,
    if another exception type comes, or if the message does not contain ``match``.
    """
    expected = exc if isinstance(exc, tuple) else (exc,)
    try:
        fn(*args, **kwargs)
    except expected as err:
        if match is not None and match not in str(err):
            raise AssertionError(
                f"{getattr(fn, '__name__', fn)} raised {type(err).__name__}({err}) "
                f"without naming {match!r}"
            ) from err
        return err
    except Exception as err:
        names = "/".join(e.__name__ for e in expected)
        raise AssertionError(
            f"{getattr(fn, '__name__', fn)} raised {type(err).__name__}({err}), expected {names}"
        ) from err
    names = "/".join(e.__name__ for e in expected)
    raise AssertionError(f"{getattr(fn, '__name__', fn)} accepted bad input: no {names}")
