"""Property tests of the L-BFGS chapter's public API.

``bfgs_update``, ``two_loop``, ``line_search_wolfe`` and ``lbfgs`` are tried on sizes, seeds,
conditioning and scales the chapter never uses, against independent routes (the literal
product form of the BFGS update, dense updates, ``numpy.linalg.solve`` for quadratics, the
strong Wolfe inequalities themselves), invariances (joint scaling of a pair, scaling of the
objective), and edge cases (one dimension, an already optimal start, an overflowing objective,
a gradient returned as a list, failing line searches). Bad input must fail with a
``ValueError``/``TypeError`` naming the argument.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("lbfgs")


seeds = st.integers(0, 2**31 - 1)
dims = st.integers(1, 8)
log_conds = st.floats(0.0, 3.0)
FEW = settings(max_examples=20)


def _spd(rng, n, log_cond):
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (Q * np.logspace(0, log_cond, n)) @ Q.T


def _pair(rng, n, log_cond):
    """A pair (s, y) with sᵀy > 0: y = A s for a random SPD A."""
    s = rng.standard_normal(n)
    return s, _spd(rng, n, log_cond) @ s


def _product_form(H, s, y):
    rho = 1.0 / (y @ s)
    V = np.eye(len(s)) - rho * np.outer(y, s)
    return V.T @ H @ V + rho * np.outer(s, s)


def _quadratic(rng, n, log_cond):
    A, b = _spd(rng, n, log_cond), rng.standard_normal(n)

    def fun(x):
        return 0.5 * x @ A @ x - b @ x, A @ x - b

    return fun, A, b


def _extended_rosenbrock(x):
    a, b = x[0::2], x[1::2]
    r = b - a * a
    g = np.empty_like(x)
    g[0::2], g[1::2] = -400.0 * a * r - 2.0 * (1.0 - a), 200.0 * r
    return float(np.sum(100.0 * r * r + (1.0 - a) ** 2)), g


class Counted:
    def __init__(self, fun):
        self.fun, self.calls = fun, 0

    def __call__(self, x):
        self.calls += 1
        return self.fun(x)


# ---------------------------------------------------------------- bfgs_update


@FEW
@given(seeds, dims, log_conds)
def test_bfgs_update_secant_symmetry_definiteness(ch, seed, n, log_cond):
    rng = make_rng(seed)
    H = _spd(rng, n, log_cond)
    s, y = _pair(rng, n, log_cond)
    H_new = ch.bfgs_update(H, s, y)
    assert np.array_equal(H_new, H_new.T)
    np.testing.assert_allclose(H_new @ y, s, rtol=1e-7, atol=1e-9 * np.abs(s).max())
    assert np.linalg.eigvalsh(H_new).min() > 0
    ref = _product_form(H, s, y)
    np.testing.assert_allclose(H_new, ref, rtol=1e-7, atol=1e-9 * np.abs(ref).max())
    assert np.linalg.matrix_rank(H_new - H, tol=1e-8 * np.abs(H_new).max()) <= 2


@FEW
@given(seeds, dims, st.floats(-170.0, 170.0))
def test_bfgs_update_is_invariant_to_joint_scaling_of_the_pair(ch, seed, n, log_c):
    # The first edition returned NaN/inf once sᵀy fell below ~1e-154 (ρ² overflowed).
    rng = make_rng(seed)
    H = _spd(rng, n, 1.0)
    s, y = _pair(rng, n, 1.0)
    c = 10.0**log_c
    ref = ch.bfgs_update(H, s, y)
    np.testing.assert_allclose(ch.bfgs_update(H, c * s, c * y), ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("c", [1e-170, 1e-80, 1e80, 1e170])
def test_bfgs_update_at_extreme_scales(ch, c):
    rng = make_rng(7)
    H, (s, y) = _spd(rng, 4, 1.0), _pair(rng, 4, 1.0)
    ref = ch.bfgs_update(H, s, y)
    np.testing.assert_allclose(ch.bfgs_update(H, c * s, c * y), ref, rtol=1e-9, atol=1e-12)


def test_bfgs_update_one_dimension_is_the_secant_slope(ch):
    np.testing.assert_allclose(ch.bfgs_update([[5.0]], [2.0], [0.5]), [[4.0]], rtol=1e-14)


def test_bfgs_update_refuses_bad_input(ch):
    H, s, y = np.eye(3), np.array([1.0, 0.0, 0.0]), np.array([1.0, 1.0, 0.0])
    check_raises(ch.bfgs_update, H, s, -y, match="s, y")
    check_raises(ch.bfgs_update, H, np.zeros(3), y, match="s, y")
    check_raises(ch.bfgs_update, np.full((3, 3), np.nan), s, y, match="H_inv")
    check_raises(ch.bfgs_update, np.diag([1.0, np.inf, 1.0]), s, y, match="H_inv")
    check_raises(ch.bfgs_update, np.triu(np.ones((3, 3))), s, y, match="H_inv")
    check_raises(ch.bfgs_update, np.eye(2), s, y, match="s")
    check_raises(ch.bfgs_update, H, s, y[:2], match="y")
    check_raises(ch.bfgs_update, H, "abc", y, match="s")


# ---------------------------------------------------------------- two_loop


@FEW
@given(seeds, st.integers(1, 12), st.integers(1, 6), log_conds)
def test_two_loop_equals_dense_updates_from_gamma_identity(ch, seed, n, m, log_cond):
    rng = make_rng(seed)
    pairs = [_pair(rng, n, log_cond) for _ in range(m)]
    S, Y = [p[0] for p in pairs], [p[1] for p in pairs]
    H = (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1]) * np.eye(n)
    for s, y in pairs:
        H = _product_form(H, s, y)
    v = rng.standard_normal(n)
    ref = H @ v
    np.testing.assert_allclose(ch.two_loop(v, S, Y), ref, rtol=1e-7, atol=1e-9 * np.abs(ref).max())


@FEW
@given(seeds, st.integers(1, 10), st.integers(1, 5), st.floats(-100.0, 100.0))
def test_two_loop_is_linear_and_scale_invariant(ch, seed, n, m, log_c):
    rng = make_rng(seed)
    pairs = [_pair(rng, n, 1.0) for _ in range(m)]
    S, Y = [p[0] for p in pairs], [p[1] for p in pairs]
    g1, g2 = rng.standard_normal(n), rng.standard_normal(n)
    r1, r2 = ch.two_loop(g1, S, Y), ch.two_loop(g2, S, Y)
    scale = np.abs(r1).max() + np.abs(r2).max()
    combo = ch.two_loop(2.0 * g1 - 3.0 * g2, S, Y)
    np.testing.assert_allclose(combo, 2.0 * r1 - 3.0 * r2, rtol=1e-9, atol=1e-10 * scale)
    c = 10.0**log_c
    scaled = ch.two_loop(g1, [c * s for s in S], [c * y for y in Y])
    np.testing.assert_allclose(scaled, r1, rtol=1e-9, atol=1e-10 * scale)


def test_two_loop_without_pairs_is_the_identity(ch):
    g = np.array([1.0, -2.0, 3.0])
    out = ch.two_loop(g, [], [])
    assert np.array_equal(out, g) and out is not g


def test_two_loop_refuses_bad_input(ch):
    s, y = np.array([1.0, 0.0]), np.array([1.0, 1.0])
    check_raises(ch.two_loop, [1.0, 1.0], [s], [], match="s_hist")
    check_raises(ch.two_loop, [1.0, 1.0], [s], [-y], match="s_hist")
    check_raises(ch.two_loop, [1.0, np.nan], [s], [y], match="grad")
    check_raises(ch.two_loop, [1.0, 1.0], [np.ones(3)], [y], match="s_hist")
    check_raises(ch.two_loop, [1.0, 1.0], [s], [[1.0, np.inf]], match="y_hist")
    check_raises(ch.two_loop, "g", [s], [y], match="grad")


# ---------------------------------------------------------------- line_search_wolfe


@FEW
@given(seeds, st.integers(2, 8), st.floats(-3.0, 1.0), st.sampled_from([0.1, 0.5, 0.9]))
def test_line_search_returns_strong_wolfe_steps_and_counts_calls(ch, seed, n, log_a0, c2):
    rng = make_rng(seed)
    x = rng.uniform(-2.0, 2.0, n if n % 2 == 0 else n + 1)
    f, g = _extended_rosenbrock(x)
    d = rng.standard_normal(x.size)
    d = -d if g @ d > 0 else d
    fun = Counted(_extended_rosenbrock)
    alpha, f_new, g_new, n_evals = ch.line_search_wolfe(fun, x, f, g, d, 10.0**log_a0, c2=c2)
    assert n_evals == fun.calls and 1 <= n_evals <= 30
    assert f_new <= f + 1e-4 * alpha * (g @ d)
    assert abs(g_new @ d) <= c2 * abs(g @ d)
    f_ref, g_ref = _extended_rosenbrock(x + alpha * d)
    assert f_new == f_ref and np.array_equal(g_new, g_ref)


@pytest.mark.parametrize("c1", [1e-4, 0.1, 0.4])
def test_line_search_never_accepts_a_rise_above_the_armijo_line(ch, c1):
    # φ(α) = -α + 2.3α² - 1.2α³: at α = 1 the slope is 0 (curvature holds) but φ(1) = 0.1 > φ(0).
    def phi(x):
        a = x[0]
        return float(-a + 2.3 * a**2 - 1.2 * a**3), np.array([-1.0 + 4.6 * a - 3.6 * a**2])

    alpha, f_new, _, _ = ch.line_search_wolfe(
        phi, np.zeros(1), 0.0, np.array([-1.0]), np.ones(1), c1=c1
    )
    assert f_new <= -c1 * alpha


def test_line_search_finds_the_narrow_window_past_a_flat_slope(ch):
    # φ(α) = -α up to α = 1, then a steep wall: the strong Wolfe steps (c2 = 0.9) are
    # 1 + [5e-5, 9.5e-4], a narrow window that zoom must find from the first trial 2.
    def flat_wall(x):
        past = max(x[0] - 1.0, 0.0)
        return -x[0] + 1000.0 * past**2, np.array([-1.0 + 2000.0 * past])

    z0 = np.zeros(1)
    alpha, *_ = ch.line_search_wolfe(flat_wall, z0, *flat_wall(z0), np.ones(1), 2.0)
    assert 5e-5 <= alpha - 1.0 <= 9.5e-4


def test_line_search_shrinks_past_an_overflowing_objective(ch):
    def steep(x):  # overflows for x > ~14
        e = np.exp(50.0 * x[0])
        return float(e - 60.0 * x[0]), np.array([50.0 * e - 60.0])

    f, g = steep(np.zeros(1))
    alpha, f_new, _, _ = ch.line_search_wolfe(steep, np.zeros(1), f, g, np.ones(1), alpha0=100.0)
    assert np.isfinite(f_new) and 0 < alpha < 1


def test_line_search_treats_a_nan_gradient_as_a_step_too_long(ch):
    def fun(x):  # finite value everywhere, gradient undefined beyond x = 1.5
        g = 2.0 * (x - 1.0)
        return float(np.sum((x - 1.0) ** 2)), np.where(x > 1.5, np.nan, g)

    alpha, f_new, g_new, _ = ch.line_search_wolfe(
        fun, np.zeros(1), 1.0, np.array([-2.0]), np.ones(1), alpha0=1.8
    )
    assert alpha <= 1.5 and np.all(np.isfinite(g_new)) and f_new < 1.0


def test_line_search_reports_failure_within_max_evals(ch):
    def unbounded(x):
        return -float(x[0]), np.array([-1.0])

    err = check_raises(
        ch.line_search_wolfe,
        unbounded,
        np.zeros(1),
        0.0,
        np.array([-1.0]),
        np.ones(1),
        max_evals=5,
        exc=ch.LineSearchError,
    )
    assert err.n_evals == 5


def test_line_search_accepts_a_list_gradient_and_numpy_integers(ch):
    def fun(x):
        return float(x @ x), list(2.0 * x)

    x = np.array([1.0, 2.0])
    out = ch.line_search_wolfe(fun, x, 5.0, [2.0, 4.0], [-1.0, -2.0], max_evals=np.int64(7))
    assert isinstance(out[2], np.ndarray) and out[2].dtype == float


def test_line_search_refuses_bad_input(ch):
    def fun(x):
        return float(x @ x), 2.0 * x

    x, g = np.array([1.0, 2.0]), np.array([2.0, 4.0])
    ls = ch.line_search_wolfe
    check_raises(ls, fun, x, 5.0, g, g, match="d")  # ascent direction
    check_raises(ls, fun, x, 5.0, g, -g[:1], match="d")
    check_raises(ls, fun, x, np.nan, g, -g, match="f")
    check_raises(ls, fun, x, 5.0, g[:1], -g, match="g")
    check_raises(ls, fun, [np.inf, 1.0], 5.0, g, -g, match="x")
    check_raises(ls, "fun", x, 5.0, g, -g, match="fun")
    check_raises(ls, fun, x, 5.0, g, -g, alpha0=0.0, match="alpha0")
    check_raises(ls, fun, x, 5.0, g, -g, c1=0.5, c2=0.4, match="c2")
    check_raises(ls, fun, x, 5.0, g, -g, c1=1.5, match="c1")
    check_raises(ls, fun, x, 5.0, g, -g, max_evals=0, match="max_evals")
    check_raises(ls, fun, x, 5.0, g, -g, max_evals=True, match="max_evals")
    check_raises(ls, fun, x, 5.0, g, -g, max_evals=2.0, match="max_evals")


def test_line_search_names_a_wrong_gradient(ch):
    def bad_shape(x):
        return float(x @ x), np.ones(3)

    def scalar(x):
        return 1.0

    x, g = np.array([1.0, 2.0]), np.array([2.0, 4.0])
    check_raises(ch.line_search_wolfe, bad_shape, x, 5.0, g, -g, match="gradient")
    check_raises(ch.line_search_wolfe, scalar, x, 5.0, g, -g, match="fun")


# ---------------------------------------------------------------- lbfgs


@FEW
@given(seeds, st.integers(1, 12), log_conds, st.integers(1, 15))
def test_lbfgs_solves_random_quadratics_monotonically(ch, seed, n, log_cond, m):
    rng = make_rng(seed)
    fun, A, b = _quadratic(rng, n, log_cond)
    counted = Counted(fun)
    res = ch.lbfgs(counted, rng.standard_normal(n), m=m, gtol=1e-5, max_iter=5000)
    x_star = np.linalg.solve(A, b)
    assert res.converged and res.grad_norm <= 1e-5, res.message
    mu = np.linalg.eigvalsh(A).min()
    assert np.linalg.norm(res.x - x_star) <= 1.1 * np.linalg.norm(A @ res.x - b) / mu + 1e-14
    assert np.all(np.diff(res.f_history) <= 0)  # Armijo: f never increases
    assert res.nfev == counted.calls == res.nfev_history[-1]
    assert len(res.f_history) == len(res.nfev_history) == res.nit + 1


@FEW
@given(seeds, st.sampled_from([2, 4, 6, 10]))
def test_lbfgs_finds_the_extended_rosenbrock_minimum_from_random_starts(ch, seed, n):
    x0 = make_rng(seed).uniform(-2.0, 2.0, n)
    res = ch.lbfgs(_extended_rosenbrock, x0, max_iter=5000)
    assert res.converged
    g = _extended_rosenbrock(res.x)[1]
    mu = 0.3993607701  # smallest Hessian eigenvalue of 2-D Rosenbrock at (1, 1)
    assert np.linalg.norm(res.x - 1.0) <= 1.1 * np.linalg.norm(g) / mu


@FEW
@given(seeds, st.floats(-100.0, 200.0))
def test_lbfgs_is_robust_to_the_scale_of_the_objective(ch, seed, log_c):
    # The first edition failed with an error about `alpha0` once |g| exceeded ~1e154.
    rng = make_rng(seed)
    fun, A, b = _quadratic(rng, 4, 1.0)
    c = 10.0**log_c

    def scaled(x):
        f, g = fun(x)
        return c * f, c * g

    ref = ch.lbfgs(fun, np.zeros(4), gtol=1e-7, max_iter=500)
    res = ch.lbfgs(scaled, np.zeros(4), gtol=1e-7 * c, max_iter=500)
    assert res.converged, res.message
    np.testing.assert_allclose(res.x, np.linalg.solve(A, b), rtol=1e-5, atol=1e-6)
    assert abs(res.nit - ref.nit) <= 2  # the iterates do not depend on the scale of f


def test_lbfgs_accepts_a_list_gradient_at_every_iteration(ch):
    # The first edition accepted a list at the start and crashed at iteration 2.
    def fun(x):
        return float(np.sum((x - 1.0) ** 2) + np.sum(x**4)), 2.0 * (x - 1.0) + 4.0 * x**3

    def as_list(x):
        f, g = fun(x)
        return f, list(g)

    ref = ch.lbfgs(fun, np.zeros(5))
    res = ch.lbfgs(as_list, np.zeros(5))
    assert res.nit > 2 and res.converged and np.array_equal(res.x, ref.x)


def test_lbfgs_accepts_numpy_integers_like_python_ones(ch):
    fun, _, _ = _quadratic(make_rng(3), 6, 2.0)
    ref = ch.lbfgs(fun, np.ones(6), m=3, max_iter=50)
    res = ch.lbfgs(fun, np.ones(6), m=np.int64(3), max_iter=np.int32(50))
    assert np.array_equal(res.x, ref.x) and res.nit == ref.nit


def test_lbfgs_at_the_optimum_and_with_no_iterations(ch):
    fun, A, b = _quadratic(make_rng(4), 3, 1.0)
    x_star = np.linalg.solve(A, b)
    res = ch.lbfgs(fun, x_star, gtol=1e-8)
    assert res.converged and res.nit == 0 and res.nfev == 1
    res = ch.lbfgs(fun, np.zeros(3), max_iter=0)
    assert not res.converged and res.nit == 0 and np.array_equal(res.x, np.zeros(3))
    assert "maximum" in res.message


def test_lbfgs_survives_an_objective_undefined_outside_its_domain(ch):
    def barrier(x):  # NaN (no warning inside the line search) where x <= 0
        return float(np.sum(x - np.log(x))), 1.0 - 1.0 / x

    res = ch.lbfgs(barrier, np.full(3, 5.0))
    assert res.converged
    np.testing.assert_allclose(res.x, 1.0, atol=1e-5)


@pytest.mark.parametrize("fail_at", [2, 3, 5])
def test_lbfgs_restarts_after_a_failed_line_search(ch, fail_at):
    calls = []

    def flaky(fun, x, f, g, d, alpha0):
        calls.append(d / np.linalg.norm(d) + g / np.linalg.norm(g))
        if len(calls) == fail_at:
            raise ch.LineSearchError("on purpose", 2)
        return ch.line_search_wolfe(fun, x, f, g, d, alpha0)

    res = ch.lbfgs(_extended_rosenbrock, np.array([-1.2, 1.0, 0.5, 0.5]), line_search=flaky)
    assert res.converged and res.n_restarts == 1
    assert np.abs(calls[fail_at]).max() < 1e-12  # the retry is along -g
    assert res.nfev == res.nfev_history[-1]


def test_lbfgs_stops_cleanly_when_the_search_fails_along_minus_g(ch):
    def always_fails(fun, x, f, g, d, alpha0):
        raise ch.LineSearchError("never", 3)

    res = ch.lbfgs(_extended_rosenbrock, np.zeros(2), line_search=always_fails)
    assert not res.converged and res.nit == 0 and res.nfev == 4
    assert "line search failed" in res.message


def test_lbfgs_with_armijo_only_steps_skips_bad_pairs(ch):
    def tiny_steps(fun, x, f, g, d, alpha0):  # Armijo holds, curvature does not
        alpha = 1e-9 * alpha0
        f_new, g_new = fun(x + alpha * d)
        return alpha, f_new, g_new, 1

    fun, _, _ = _quadratic(make_rng(5), 3, 1.0)

    def concave_then(x):  # negative curvature along x[0] near 0
        f, g = fun(x)
        return f - 3.0 * x[0] ** 2, g - np.array([6.0 * x[0], 0.0, 0.0])

    res = ch.lbfgs(concave_then, np.array([0.1, 0.0, 0.0]), max_iter=5, line_search=tiny_steps)
    assert res.n_skipped > 0


def test_lbfgs_refuses_bad_input(ch):
    fun, _, _ = _quadratic(make_rng(6), 2, 1.0)
    x0 = np.zeros(2)
    check_raises(ch.lbfgs, "fun", x0, match="fun")
    check_raises(ch.lbfgs, fun, [np.nan, 0.0], match="x0")
    check_raises(ch.lbfgs, fun, np.zeros((2, 2)), match="x0")
    check_raises(ch.lbfgs, fun, [], match="x0")
    check_raises(ch.lbfgs, fun, x0, m=0, match="m")
    check_raises(ch.lbfgs, fun, x0, m=2.0, match="m")
    check_raises(ch.lbfgs, fun, x0, gtol=0.0, match="gtol")
    check_raises(ch.lbfgs, fun, x0, gtol=np.inf, match="gtol")
    check_raises(ch.lbfgs, fun, x0, max_iter=-1, match="max_iter")
    check_raises(ch.lbfgs, fun, x0, callback=3, match="callback")
    check_raises(ch.lbfgs, fun, x0, line_search="wolfe", match="line_search")
    check_raises(ch.lbfgs, lambda x: (np.nan, x), x0, match="fun")
    check_raises(ch.lbfgs, lambda x: (0.0, np.ones(3)), x0, match="gradient")
    check_raises(ch.lbfgs, lambda x: 0.0, x0, match="fun")
    check_raises(ch.lbfgs, lambda x: ("a", x), x0, match="fun")
