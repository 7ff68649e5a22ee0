"""Unit and property tests of the shared validators (mlnotes_helpers.validation)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mlnotes_helpers import (
    as_array,
    as_callable,
    as_int,
    as_matrix,
    as_rng,
    as_scalar,
    as_square_matrix,
    as_symmetric_matrix,
    as_vector,
    check_raises,
    make_rng,
)

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3), elements=finite))
def test_as_array_round_trips_finite_float_arrays(a):
    out = as_array(a, "a")
    assert out.dtype == np.float64 and out.shape == a.shape
    np.testing.assert_array_equal(out, a)


@given(hnp.arrays(np.int64, hnp.array_shapes(max_dims=2), elements=st.integers(-100, 100)))
def test_integer_arrays_become_float(a):
    out = as_array(a, "a")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, a.astype(float))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_entries_are_refused_naming_the_argument(bad):
    err = check_raises(as_vector, [1.0, bad], "weights", exc=ValueError, match="weights")
    assert "finite" in str(err)
    assert as_vector([1.0, bad], "w", finite=False).shape == (2,)


@pytest.mark.parametrize("bad", ["abc", None, [1, "a"], {"a": 1}, [True, False]])
def test_non_numbers_are_refused_with_type_error(bad):
    check_raises(as_array, bad, "X", exc=TypeError, match="X")


def test_complex_refused_unless_allowed():
    check_raises(as_vector, [1 + 2j], "z", exc=TypeError, match="real")
    assert as_vector([1 + 2j], "z", complex_ok=True).dtype == np.complex128
    assert as_vector([1.0], "z", complex_ok=True).dtype == np.float64


def test_shapes_and_dimensions():
    check_raises(as_matrix, np.ones(3), "X", exc=ValueError, match="X")
    check_raises(
        as_matrix, np.ones((2, 3)), "X", shape=(None, 4), exc=ValueError, match="(any, 4)"
    )
    assert as_matrix(np.ones((2, 3)), "X", shape=(None, 3)).shape == (2, 3)
    check_raises(as_vector, np.ones(3), "y", size=4, exc=ValueError, match="y")
    check_raises(as_vector, np.ones((3, 1)), "y", exc=ValueError, match="y")
    check_raises(as_array, np.ones((2, 2)), "a", ndim=3, exc=ValueError, match="3 dimension")
    check_raises(as_square_matrix, np.ones((2, 3)), "A", exc=ValueError, match="square")
    check_raises(as_square_matrix, np.ones((2, 2)), "A", size=3, exc=ValueError, match="A")


def test_empty_refused_unless_allowed():
    check_raises(as_matrix, np.ones((0, 3)), "X", exc=ValueError, match="empty")
    assert as_matrix(np.ones((0, 3)), "X", empty_ok=True).shape == (0, 3)


@given(hnp.arrays(np.float64, (4, 4), elements=finite))
def test_symmetric_matrix_accepts_symmetric_and_refuses_skew(a):
    sym = a + a.T
    np.testing.assert_allclose(as_symmetric_matrix(sym, "K"), sym)
    skew = a - a.T
    if np.max(np.abs(skew)) > 0:
        check_raises(as_symmetric_matrix, sym + skew, "K", exc=ValueError, match="symmetric")


def test_symmetric_tolerance_is_relative():
    a = np.array([[1.0, 1.0 + 1e-13], [1.0, 1.0]])
    np.testing.assert_array_equal(as_symmetric_matrix(a, "K"), (a + a.T) / 2)
    check_raises(as_symmetric_matrix, a, "K", rtol=1e-15, exc=ValueError, match="K")


@given(finite)
def test_scalar_bounds(x):
    assert as_scalar(x, "lam") == x
    assert as_scalar(np.float32(1.5), "lam") == 1.5
    assert as_scalar(np.array(2.0), "lam") == 2.0
    if x < 0:
        check_raises(as_scalar, x, "lam", low=0, exc=ValueError, match="lam")
    if x <= 0:
        check_raises(as_scalar, x, "lam", low=0, low_open=True, exc=ValueError, match="> 0")
    if x >= 1:
        check_raises(as_scalar, x, "gamma", high=1, high_open=True, exc=ValueError, match="< 1")


@pytest.mark.parametrize("bad", [True, "1", None, 1j, [1.0], np.ones(2)])
def test_scalar_refuses_non_reals(bad):
    check_raises(as_scalar, bad, "lam", exc=TypeError, match="lam")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_scalar_refuses_non_finite(bad):
    check_raises(as_scalar, bad, "lam", exc=ValueError, match="finite")


@given(st.integers(-1000, 1000))
def test_int_accepts_python_and_numpy_integers(k):
    assert as_int(k, "n") == k
    assert as_int(np.int32(k), "n") == k
    if k < 1:
        check_raises(as_int, k, "n_iter", low=1, exc=ValueError, match="n_iter")
    if k > 5:
        check_raises(as_int, k, "n_iter", high=5, exc=ValueError, match="<= 5")


@pytest.mark.parametrize("bad", [True, np.True_, 1.0, "3", None])
def test_int_refuses_bools_floats_and_strings(bad):
    check_raises(as_int, bad, "n", exc=TypeError, match="n")


def test_callable_and_rng():
    assert as_callable(len, "f") is len
    check_raises(as_callable, 3, "f", exc=TypeError, match="f")
    rng = make_rng(0)
    assert as_rng(rng) is rng
    check_raises(as_rng, 0, "rng", exc=TypeError, match="make_rng")


def test_check_raises_fails_when_nothing_or_the_wrong_thing_is_raised():
    with pytest.raises(AssertionError, match="accepted bad input"):
        check_raises(lambda: None)
    with pytest.raises(AssertionError, match="without naming"):
        check_raises(as_scalar, "x", "lam", match="gamma")
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        check_raises(lambda: 1 / 0)
