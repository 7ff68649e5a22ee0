"""Property tests of the public API of the chapter on non-parametric regression:
``nadaraya_watson``, ``local_linear``, ``smoother_matrix``, ``loo_cv`` and ``kde``."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import trapezoid
from scipy.stats import gaussian_kde, norm

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("nonparametric-regression")


METHODS = ["nw", "ll"]


@st.composite
def data(draw, min_n=1, max_n=40):
    """Random 1-D training data: size, location, scale, ties and noise all vary."""
    n = draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**31 - 1))
    loc = draw(st.sampled_from([0.0, -3.0, 1e3]))
    scale = draw(st.sampled_from([1e-2, 1.0, 50.0]))
    ties = draw(st.booleans())
    rng = make_rng(seed)
    x = loc + scale * rng.uniform(size=n)
    if ties and n > 1:
        x[rng.integers(n, size=n // 2)] = x[0]  # repeated inputs
    y = rng.normal(size=n) * draw(st.sampled_from([0.0, 1.0, 1e3]))
    h = scale * draw(st.floats(0.05, 3.0))
    q = loc + scale * rng.uniform(-0.5, 1.5, size=draw(st.integers(1, 15)))
    return x, y, q, h, rng


def brute_nw(x, y, q, h):
    out = []
    for t in q:
        w = norm.pdf((t - x) / h)
        out.append(np.sum(w * y) / np.sum(w))
    return np.array(out)


def brute_ll(x, y, q, h):
    out = []
    for t in q:
        sw = np.sqrt(norm.pdf((t - x) / h))
        A = np.column_stack([np.ones_like(x), x - t])
        out.append(np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)[0][0])
    return np.array(out)


def distinct(x):
    return np.unique(x).size


# --- Nadaraya-Watson ---------------------------------------------------------------------


@settings(max_examples=40)
@given(d=data())
def test_nw_equals_loop_and_is_a_weighted_mean(ch, d):
    x, y, q, h, _ = d
    f = ch.nadaraya_watson(x, y, q, h)
    np.testing.assert_allclose(f, brute_nw(x, y, q, h), rtol=1e-9, atol=1e-9 * np.ptp(y))
    spread = 1e-12 * (1 + np.abs(y).max())
    assert np.all(f >= y.min() - spread) and np.all(f <= y.max() + spread)


@given(d=data(), a=st.sampled_from([-2.5, 0.1, 7.0]), c=st.floats(-5, 5))
def test_nw_invariances(ch, d, a, c):
    x, y, q, h, rng = d
    f = ch.nadaraya_watson(x, y, q, h)
    perm = rng.permutation(x.size)
    np.testing.assert_allclose(
        ch.nadaraya_watson(x[perm], y[perm], q, h),
        f,
        rtol=1e-10,
        atol=1e-10 * (1 + np.abs(y).max()),
    )
    # affine change of the input axis, with the bandwidth scaled along
    g = ch.nadaraya_watson(a * x + c, y, a * q + c, abs(a) * h)
    np.testing.assert_allclose(g, f, rtol=1e-7, atol=1e-7 * (1 + np.abs(y).max()))
    # equivariance in the labels
    np.testing.assert_allclose(
        ch.nadaraya_watson(x, 3 * y - 2, q, h),
        3 * f - 2,
        rtol=1e-10,
        atol=1e-10 * (1 + np.abs(y).max()),
    )


@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 30))
def test_nw_limits_nearest_neighbour_and_mean(ch, seed, n):
    rng = make_rng(seed)
    x = np.sort(rng.uniform(size=n)) + np.arange(n)  # distinct, gaps >= some margin
    y = rng.normal(size=n)
    q = rng.uniform(-1, n + 1, size=20)
    gaps = np.abs(np.abs(q[:, None] - x).min(axis=1)[:, None] - np.abs(q[:, None] - x))
    nearest = np.argmin(np.abs(q[:, None] - x), axis=1)
    tiny = 1e-3 * np.min(np.where(gaps > 0, gaps, np.inf)) if n > 1 else 1e-3
    np.testing.assert_allclose(ch.nadaraya_watson(x, y, q, tiny), y[nearest], rtol=1e-12)
    np.testing.assert_allclose(ch.nadaraya_watson(x, y, x, tiny), y, rtol=1e-12)
    np.testing.assert_allclose(ch.nadaraya_watson(x, y, q, 1e7), y.mean(), rtol=1e-8, atol=1e-12)


def test_nw_one_sample_and_far_queries(ch):
    assert np.all(ch.nadaraya_watson([2.0], [5.0], [-1e3, 2.0, 1e3], 0.1) == 5.0)
    # far from the data the plain kernel underflows; the shifted weights pick the nearest point
    f = ch.nadaraya_watson([0.0, 1.0], [1.0, 2.0], [-50.0, 51.0], 0.01)
    np.testing.assert_array_equal(f, [1.0, 2.0])


def test_blocks_do_not_change_the_answer(ch):
    rng = make_rng(7)
    x, y = rng.uniform(size=3000), rng.normal(size=3000)
    q = rng.uniform(-0.2, 1.2, size=400)  # several blocks of queries
    np.testing.assert_allclose(
        ch.nadaraya_watson(x, y, q, 0.05), brute_nw(x, y, q, 0.05), rtol=1e-11, atol=1e-13
    )
    np.testing.assert_allclose(
        ch.local_linear(x, y, q, 0.05), brute_ll(x, y, q, 0.05), rtol=1e-8, atol=1e-10
    )
    np.testing.assert_allclose(
        ch.kde(x, q, 0.05), gaussian_kde(x, 0.05 / x.std(ddof=1))(q), rtol=1e-10
    )


# --- local linear --------------------------------------------------------------------------


@settings(max_examples=40)
@given(d=data(min_n=2))
def test_ll_equals_weighted_least_squares(ch, d):
    x, y, q, h, _ = d
    if distinct(x) < 2:
        return
    np.testing.assert_allclose(
        ch.local_linear(x, y, q, h),
        brute_ll(x, y, q, h),
        rtol=1e-6,
        atol=1e-6 * (1 + np.abs(y).max()),
    )


@settings(max_examples=40)
@given(d=data(min_n=2), a=st.floats(-10, 10), b=st.floats(-10, 10))
def test_ll_reproduces_any_line(ch, d, a, b):
    x, _, q, h, rng = d
    if distinct(x) < 2:
        return
    q = np.concatenate([q, [x.min(), x.max(), 2 * x.min() - x.max()]])  # edges and beyond
    mid = (x.max() + x.min()) / 2  # lines through the data's centre keep the scale sane
    line = a + b * (x - mid)
    scale = 1 + abs(a) + abs(b) * (np.ptp(x) + np.ptp(q))
    np.testing.assert_allclose(
        ch.local_linear(x, line, q, h), a + b * (q - mid), rtol=0, atol=1e-8 * scale
    )


@given(d=data(min_n=2))
def test_ll_huge_bandwidth_is_the_global_line(ch, d):
    x, y, q, h, _ = d
    if distinct(x) < 2:
        return
    big = 1e4 * (np.ptp(x) + np.ptp(q) + 1e-3)
    mid = x.mean()
    slope, icpt = np.polyfit(x - mid, y, 1)
    np.testing.assert_allclose(
        ch.local_linear(x, y, q, big),
        icpt + slope * (q - mid),
        rtol=1e-4,
        atol=1e-4 * (1 + np.abs(y).max()),
    )


def test_ll_needs_two_distinct_inputs(ch):
    check_raises(ch.local_linear, [1.0, 1.0, 1.0], [0.0, 1.0, 2.0], [0.5], 0.3, match="bandwidth")
    check_raises(ch.local_linear, [1.0], [2.0], [0.5], 0.3, match="bandwidth")
    # two distinct points: the line through them, whatever the bandwidth
    np.testing.assert_allclose(
        ch.local_linear([0.0, 1.0], [1.0, 3.0], [-1, 0.25, 2.0], 0.2), [-1.0, 1.5, 5.0], rtol=1e-10
    )


# --- smoother matrix and leave-one-out -----------------------------------------------------


@settings(max_examples=40)
@given(d=data(min_n=2), method=st.sampled_from(METHODS))
def test_smoother_matrix_rows_and_fitted_values(ch, d, method):
    x, y, _, h, _ = d
    if method == "ll" and distinct(x) < 2:
        return
    S = ch.smoother_matrix(x, h, method)
    assert S.shape == (x.size, x.size)
    np.testing.assert_allclose(S.sum(axis=1), 1.0, rtol=1e-9)
    fit = ch.nadaraya_watson if method == "nw" else ch.local_linear
    np.testing.assert_allclose(
        S @ y, fit(x, y, x, h), rtol=1e-9, atol=1e-9 * (1 + np.abs(y).max())
    )
    if method == "nw":
        assert np.all(S >= 0)
    else:
        xc = x - x.mean()
        np.testing.assert_allclose(S @ xc, xc, atol=1e-7 * (np.ptp(x) + 1e-300))


def loo_defined(ch, x, h, method):
    """Whether leave-one-out is defined: every point leaves others to predict it from."""
    if method == "ll" and distinct(x) < 2:
        return False
    return np.min(1 - np.diag(ch.smoother_matrix(x, h, method))) >= 1e-8


@settings(max_examples=40)
@given(d=data(min_n=1), method=st.sampled_from(METHODS))
def test_loo_cv_equals_refits_or_refuses(ch, d, method):
    x, y, _, h, _ = d
    if not loo_defined(ch, x, h, method):
        check_raises(ch.loo_cv, x, y, h, method, match="bandwidth")
        return
    cv = ch.loo_cv(x, y, h, method)
    fit = ch.nadaraya_watson if method == "nw" else ch.local_linear
    keep = ~np.eye(x.size, dtype=bool)
    loo = [fit(x[keep[i]], y[keep[i]], x[i : i + 1], h)[0] for i in range(x.size)]
    brute = np.mean((y - np.array(loo)) ** 2)
    assert cv >= 0
    np.testing.assert_allclose(cv, brute, rtol=1e-6, atol=1e-9 * (1 + np.abs(y).max()) ** 2)


@given(seed=st.integers(0, 2**31 - 1), n=st.integers(3, 25), h=st.floats(0.05, 5.0))
def test_loo_cv_zero_for_what_the_method_reproduces(ch, seed, n, h):
    x = make_rng(seed).uniform(size=n)
    for method, y in (("nw", np.full(n, 2.5)), ("ll", 1.0 - 3.0 * x)):
        if loo_defined(ch, x, h, method):
            # rounding in y - S y is amplified by 1 / (1 - S_ii)
            gap = np.min(1 - np.diag(ch.smoother_matrix(x, h, method)))
            assert ch.loo_cv(x, y, h, method) <= (1e-13 / gap) ** 2


@given(d=data(min_n=3), method=st.sampled_from(METHODS))
def test_loo_cv_permutation_invariant(ch, d, method):
    x, y, _, h, rng = d
    if not loo_defined(ch, x, h, method):
        return
    perm = rng.permutation(x.size)
    a, b = ch.loo_cv(x, y, h, method), ch.loo_cv(x[perm], y[perm], h, method)
    np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)


def test_loo_cv_refuses_when_a_point_carries_all_its_weight(ch):
    x = np.linspace(0, 1, 10)
    y = np.sin(x)
    check_raises(ch.loo_cv, x, y, 1e-4, "nw", match="bandwidth")
    check_raises(ch.loo_cv, x, y, 1e-4, "ll", match="bandwidth")
    check_raises(ch.loo_cv, [0.5], [1.0], 0.3, "nw", match="x_train")
    check_raises(ch.loo_cv, [0.0, 1.0], [1.0, 2.0], 0.3, "ll", match="x_train")


# --- kernel density estimate ----------------------------------------------------------------


@settings(max_examples=40)
@given(d=data())
def test_kde_is_a_density_and_matches_scipy(ch, d):
    x, _, q, h, _ = d
    grid = np.linspace(x.min() - 12 * h, x.max() + 12 * h, 8001)
    p = ch.kde(x, grid, h)
    assert np.all(p >= 0)
    if np.ptp(x) < 400 * h:  # the trapezoid rule resolves every bump
        np.testing.assert_allclose(trapezoid(p, grid), 1.0, rtol=1e-6)
    if x.size > 1 and np.std(x) > 0:
        ref = gaussian_kde(x, bw_method=h / np.std(x, ddof=1))(q)
        np.testing.assert_allclose(ch.kde(x, q, h), ref, rtol=1e-8, atol=1e-300)


@given(d=data(), a=st.sampled_from([-3.0, 0.5, 20.0]))
def test_kde_scaling(ch, d, a):
    x, _, q, h, _ = d
    np.testing.assert_allclose(
        ch.kde(a * x, a * q, abs(a) * h), ch.kde(x, q, h) / abs(a), rtol=1e-7, atol=1e-300
    )


# --- bad input -------------------------------------------------------------------------------


GOOD = (np.array([0.0, 0.5, 1.0]), np.array([1.0, 2.0, 0.0]), np.array([0.2, 0.7]), 0.3)


@pytest.mark.parametrize("name", ["nadaraya_watson", "local_linear"])
def test_regressors_refuse_bad_input(ch, name):
    fn = getattr(ch, name)
    x, y, q, h = GOOD
    check_raises(fn, x[:, None], y, q, h, match="x_train")
    check_raises(fn, [0.0, np.nan, 1.0], y, q, h, match="x_train")
    check_raises(fn, [], [], q, h, match="x_train")
    check_raises(fn, "abc", y, q, h, match="x_train")
    check_raises(fn, x, y[:2], q, h, match="y_train")
    check_raises(fn, x, [1.0, np.inf, 0.0], q, h, match="y_train")
    check_raises(fn, x, y, [[0.2]], h, match="x_query")
    check_raises(fn, x, y, [np.nan], h, match="x_query")
    check_raises(fn, x, y, [], h, match="x_query")
    for bad_h in (0.0, -1.0, np.nan, np.inf, "0.3", True, None, 1e-200):
        check_raises(fn, x, y, q, bad_h, match="bandwidth")
    check_raises(fn, [0.0, 0.0], [1.0, 2.0], [0.0], 0.0, match="bandwidth")  # all-zero inputs


def test_smoother_matrix_and_loo_refuse_bad_input(ch):
    x, y, _, h = GOOD
    for fn, args in ((ch.smoother_matrix, (x,)), (ch.loo_cv, (x, y))):
        check_raises(fn, *args, h, "kernel", match="method")
        check_raises(fn, *args, h, None, match="method")
        check_raises(fn, *args, -h, "nw", match="bandwidth")
        check_raises(fn, *args, "h", "nw", match="bandwidth")
        check_raises(fn, x[:, None], *args[1:], h, "nw", match="x_train")
        check_raises(fn, [np.inf, 0, 1], *args[1:], h, "nw", match="x_train")
    check_raises(ch.loo_cv, x, y[:2], h, "nw", match="y_train")
    check_raises(ch.loo_cv, x, [0.0, np.nan, 1.0], h, "ll", match="y_train")


def test_kde_refuses_bad_input(ch):
    x, _, q, h = GOOD
    check_raises(ch.kde, x[:, None], q, h, match="x_train")
    check_raises(ch.kde, [], q, h, match="x_train")
    check_raises(ch.kde, [np.nan], q, h, match="x_train")
    check_raises(ch.kde, x, [[0.1]], h, match="x_query")
    check_raises(ch.kde, x, [np.inf], h, match="x_query")
    check_raises(ch.kde, x, q, 0, match="bandwidth")
    check_raises(ch.kde, [0.0], [0.0], 0.0, match="bandwidth")
    check_raises(ch.kde, x, q, [0.3], match="bandwidth")
