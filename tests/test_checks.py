import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlnotes_helpers import check, check_close


def test_check_close_passes_and_prints(capsys):
    res = check_close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 2e-12]), rtol=1e-10, what="ok")
    out = capsys.readouterr().out
    assert out == "✓ ok (rel. error 1.0e-12 ≤ 1e-10)\n"
    assert res is None


def test_check_close_fails_with_clear_message():
    with pytest.raises(AssertionError, match=r"✗ wrong formula: 1 of 2 entries"):
        check_close([1.0, 2.0], [1.0, 2.1], rtol=1e-6, what="wrong formula")


def test_check_close_atol_for_zeros(capsys):
    check_close([1e-14, 0.0], [0.0, 0.0], rtol=0, atol=1e-12, what="zeros")
    assert "error 1.0e-14 ≤ 1.0e-12" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        check_close([1e-10], [0.0], rtol=1e-3, atol=1e-12, what="zeros")


def test_check_close_rejects_bad_arguments():
    with pytest.raises(ValueError, match="both be zero"):
        check_close(1.0, 1.0, rtol=0, atol=0)
    with pytest.raises(ValueError, match="non-negative"):
        check_close(1.0, 1.0, rtol=-1)
    with pytest.raises(TypeError, match="numeric"):
        check_close(["a"], [1.0])
    with pytest.raises(TypeError, match="what"):
        check_close(1.0, 1.0, what=3)


def test_check_close_shape_mismatch_and_nan():
    with pytest.raises(AssertionError, match="shapes"):
        check_close(np.ones(3), np.ones(4), what="shapes")
    with pytest.raises(AssertionError, match="non-finite"):
        check_close([np.nan], [1.0], what="nan")
    check_close([np.inf, 1.0], [np.inf, 1.0], what="same infinities")


def test_check_close_complex():
    check_close(np.array([1 + 1j]), np.array([1 + 1j + 1e-13]), rtol=1e-10, what="complex")
    with pytest.raises(AssertionError):
        check_close(np.array([1 + 1j]), np.array([1 - 1j]), rtol=1e-10, what="complex")


@given(
    st.lists(
        st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-200),
        min_size=1,
        max_size=20,
    ),
    st.floats(1e-12, 1e-2),
)
def test_check_close_matches_numpy_allclose(values, rtol):
    a = np.array(values)
    b = a * (1 + 0.5 * rtol)
    assert np.allclose(b, a, rtol=rtol, atol=0)
    check_close(b, a, rtol=rtol, what="within tolerance")
    c = a + np.where(a == 0, 1.0, 3 * rtol * np.abs(a))
    with pytest.raises(AssertionError):
        check_close(c, a, rtol=rtol, what="out of tolerance")


def test_check(capsys):
    check(True, what="property", detail="3 iterations")
    assert capsys.readouterr().out == "✓ property (3 iterations)\n"
    check(np.array([True, True]), what="all")
    with pytest.raises(AssertionError, match="✗ broken"):
        check(np.array([True, False]), what="broken")
    with pytest.raises(TypeError, match="boolean"):
        check(1.0, what="not a bool")
