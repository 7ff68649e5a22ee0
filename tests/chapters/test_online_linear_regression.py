"""Property tests of the online-linear-regression chapter's public API.

``ridge``, ``ridge_svd``, ``sherman_morrison``, ``woodbury`` and ``RecursiveRidge`` are tried
on shapes, sizes, seeds, penalties and conditioning the chapter never uses, against
independent routes (augmented least squares, ``numpy.linalg.lstsq``, ``numpy.linalg.inv``,
weighted ridge), invariances (scaling, how a stream is cut into batches) and edge cases (one
sample, rank-deficient designs, zero noise, an already optimal row, a feature that stops
varying). Bad input must fail with a ``ValueError``/``TypeError`` naming the argument.
"""

import tracemalloc

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("online-linear-regression")


seeds = st.integers(0, 2**31 - 1)
sizes = st.integers(1, 12)
log_lams = st.floats(-3.0, 3.0)  # log10 λ
log_conds = st.floats(0.0, 3.0)  # log10 of the spread of the column scales
FEW = settings(max_examples=25)
LONG = settings(max_examples=3, phases=[Phase.generate])  # long streams: no shrinking


def _design(seed, n, p, log_cond=0.0):
    """A Gaussian design (n, p) with column scales spread over 10**log_cond, and targets."""
    rng = make_rng(seed)
    X = rng.standard_normal((n, p)) * np.logspace(0, -log_cond, p)
    return X, X @ rng.standard_normal(p) + 0.1 * rng.standard_normal(n)


def _augmented(X, y, lam):
    """Ridge by least squares on [X; √λ I] with targets [y; 0]: an independent route."""
    p = X.shape[1]
    X_aug, y_aug = np.vstack([X, np.sqrt(lam) * np.eye(p)]), np.r_[y, np.zeros(p)]
    return np.linalg.lstsq(X_aug, y_aug)[0]


def _weighted_ridge(X, y, lam, gamma):
    """The minimiser of Σ γⁿ⁻ⁱ (yᵢ − xᵢᵀβ)² + γⁿ λ ‖β‖², by augmented least squares."""
    n = len(X)
    w = np.sqrt(gamma ** np.arange(n - 1, -1, -1))
    return _augmented(X * w[:, None], y * w, gamma**n * lam)


def _stream(model, X, y, cuts):
    for X_b, y_b in zip(np.split(X, cuts), np.split(y, cuts), strict=True):
        model.partial_fit(X_b, y_b)
    return model


# ---------------------------------------------------------------- batch solvers


@FEW
@given(seeds, sizes, sizes, log_lams, log_conds)
def test_ridge_and_ridge_svd_equal_augmented_least_squares(ch, seed, n, p, log_lam, cond):
    X, y = _design(seed, n, p, cond)
    lam = 10.0**log_lam
    ref = _augmented(X, y, lam)
    scale = np.abs(ref).max() + 1e-300
    np.testing.assert_allclose(ch.ridge(X, y, lam), ref, rtol=1e-7, atol=1e-9 * scale)
    np.testing.assert_allclose(ch.ridge_svd(X, y, lam), ref, rtol=1e-7, atol=1e-9 * scale)


@FEW
@given(seeds, sizes, sizes, log_lams)
def test_ridge_zeroes_the_gradient(ch, seed, n, p, log_lam):
    X, y = _design(seed, n, p)
    lam = 10.0**log_lam
    grad = ch.ridge_gradient(X, y, lam, ch.ridge(X, y, lam))
    assert np.abs(grad).max() <= 1e-9 * (np.abs(X.T @ y).max() + lam)


@FEW
@given(seeds, sizes, sizes, log_lams, st.floats(-2.0, 2.0))
def test_ridge_is_invariant_to_rescaling_the_units(ch, seed, n, p, log_lam, log_c):
    # Scaling X and y by c and λ by c² leaves the objective's minimiser unchanged.
    X, y = _design(seed, n, p)
    lam, c = 10.0**log_lam, 10.0**log_c
    np.testing.assert_allclose(ch.ridge(c * X, c * y, c**2 * lam), ch.ridge(X, y, lam), rtol=1e-8)


@FEW
@given(seeds, st.integers(2, 30), st.integers(1, 6))
def test_lambda_zero_on_full_column_rank_is_least_squares(ch, seed, extra, p):
    X, y = _design(seed, p + extra, p)
    ref = np.linalg.lstsq(X, y)[0]
    np.testing.assert_allclose(ch.ridge(X, y, 0), ref, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ch.ridge_svd(X, y, 0), ref, rtol=1e-8, atol=1e-10)


@FEW
@given(seeds, st.integers(3, 15), st.integers(2, 8), st.integers(1, 3))
def test_ridge_svd_gives_the_minimum_norm_solution_when_rank_deficient(ch, seed, n, p, r):
    rng = make_rng(seed)
    r = min(r, n, p) - 1 or 1  # rank strictly below min(n, p) when possible
    X = rng.standard_normal((n, r)) @ rng.standard_normal((r, p))
    y = rng.standard_normal(n)
    beta = ch.ridge_svd(X, y, 0)
    np.testing.assert_allclose(beta, np.linalg.lstsq(X, y)[0], rtol=1e-7, atol=1e-9)
    null = np.linalg.svd(X)[2][r:]  # the row space of X holds β: no part in the null space
    assert np.abs(null @ beta).max() <= 1e-8 * (1 + np.abs(beta).max())
    assert np.all(np.isfinite(beta))


@FEW
@given(seeds, st.integers(4, 40))
def test_ridge_refuses_a_singular_gram_matrix_at_lambda_zero(ch, seed, n):
    rng = make_rng(seed)
    group = np.r_[0, 1, 2, rng.integers(0, 3, n - 3)]
    X_trap = np.column_stack([np.ones(n), np.eye(3)[group], rng.standard_normal(n)])
    X_dup = np.column_stack([X_trap[:, -1], X_trap[:, -1]])
    for X in (X_trap, X_dup, rng.standard_normal((2, 5))):
        y = rng.standard_normal(len(X))
        check_raises(ch.ridge, X, y, 0.0, exc=ValueError, match="lam")
        assert np.all(np.isfinite(ch.ridge(X, y, 1e-3)))  # any λ > 0 is fine
        assert np.all(np.isfinite(ch.ridge_svd(X, y, 0.0)))


@FEW
@given(seeds, sizes, log_lams)
def test_one_sample_has_the_closed_form(ch, seed, p, log_lam):
    # n = 1: β = x y / (‖x‖² + λ), from Sherman–Morrison on λI.
    rng = make_rng(seed)
    x, y, lam = rng.standard_normal(p), rng.standard_normal(), 10.0**log_lam
    ref = x * y / (x @ x + lam)
    np.testing.assert_allclose(ch.ridge(x[None], [y], lam), ref, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(ch.ridge_svd(x[None], [y], lam), ref, rtol=1e-10, atol=1e-15)


@FEW
@given(seeds, sizes)
def test_zero_noise_recovers_the_coefficients(ch, seed, p):
    rng = make_rng(seed)
    X, beta = rng.standard_normal((3 * p + 5, p)), rng.standard_normal(p)
    np.testing.assert_allclose(ch.ridge(X, X @ beta, 0), beta, rtol=1e-8, atol=1e-10)
    model = ch.RecursiveRidge(p, 1e-10)
    for x, y in zip(X, X @ beta, strict=True):
        model.partial_fit(x, y)
    np.testing.assert_allclose(model.coef_, beta, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- inverse updates


def _invertible(rng, p):
    return rng.standard_normal((p, p)) + p * np.eye(p)


@FEW
@given(seeds, sizes)
def test_sherman_morrison_equals_the_inverse(ch, seed, p):
    rng = make_rng(seed)
    A, u, v = _invertible(rng, p), rng.standard_normal(p), rng.standard_normal(p)
    ref = np.linalg.inv(A + np.outer(u, v))
    ours = ch.sherman_morrison(np.linalg.inv(A), u, v)
    assert np.linalg.norm(ours - ref) <= 1e-10 * np.linalg.norm(ref)
    # u = v on a symmetric positive definite A keeps the result symmetric
    S = A @ A.T
    sym = ch.sherman_morrison(np.linalg.inv(S), u, u)
    np.testing.assert_allclose(sym, sym.T, rtol=1e-10, atol=1e-14 * np.abs(sym).max())


@FEW
@given(seeds, sizes)
def test_sherman_morrison_refuses_a_singular_update(ch, seed, p):
    # A + u vᵀ with vᵀA⁻¹u = −1 is singular (determinant lemma).
    rng = make_rng(seed)
    A, u = _invertible(rng, p), rng.standard_normal(p)
    A_inv = np.linalg.inv(A)
    w = A_inv @ u
    v = -w / (w @ w)  # vᵀA⁻¹u = −1 up to round-off
    check_raises(ch.sherman_morrison, A_inv, u, v, exc=ValueError, match="u, v")


@FEW
@given(seeds, sizes, st.integers(1, 5))
def test_woodbury_equals_the_inverse_and_sherman_morrison(ch, seed, p, k):
    rng = make_rng(seed)
    A = _invertible(rng, p)
    U, V = rng.standard_normal((p, k)) / np.sqrt(p), rng.standard_normal((k, p)) / np.sqrt(p)
    C = np.eye(k) + 0.3 * rng.standard_normal((k, k))
    ref = np.linalg.inv(A + U @ C @ V)
    ours = ch.woodbury(np.linalg.inv(A), U, C, V)
    assert np.linalg.norm(ours - ref) <= 1e-9 * np.linalg.norm(ref)
    u, v = U[:, 0], V[0]
    one = ch.woodbury(np.linalg.inv(A), u[:, None], np.eye(1), v[None])
    sm = ch.sherman_morrison(np.linalg.inv(A), u, v)
    assert np.linalg.norm(one - sm) <= 1e-12 * np.linalg.norm(sm)


def test_woodbury_refuses_a_singular_middle_matrix(ch):
    C = np.array([[1.0, 2.0], [2.0, 4.0]])
    check_raises(ch.woodbury, np.eye(3), np.ones((3, 2)), C, np.ones((2, 3)), match="C")


# ---------------------------------------------------------------- RecursiveRidge


@FEW
@given(seeds, st.integers(1, 40), st.integers(1, 8), log_lams, st.data())
def test_streaming_in_any_batches_equals_ridge(ch, seed, n, p, log_lam, data):
    X, y = _design(seed, n, p, 1.0)
    lam = 10.0**log_lam
    cuts = sorted(data.draw(st.sets(st.integers(1, max(n - 1, 1)), max_size=6)) - {n})
    model = _stream(ch.RecursiveRidge(p, lam), X, y, cuts)
    ref = _augmented(X, y, lam)
    np.testing.assert_allclose(model.coef_, ref, rtol=1e-7, atol=1e-9 * np.abs(ref).max())
    P_ref = np.linalg.inv(X.T @ X + lam * np.eye(p))
    assert np.linalg.norm(model.P_ - P_ref) <= 1e-8 * np.linalg.norm(P_ref)
    np.testing.assert_array_equal(model.P_, model.P_.T)  # exactly symmetric
    assert model.n_samples_seen_ == n and model.n_refreshes_ == 0


@FEW
@given(seeds, st.integers(1, 60), st.integers(1, 6), st.floats(0.5, 0.999), st.data())
def test_forgetting_equals_weighted_ridge_in_rows_and_batches(ch, seed, n, p, gamma, data):
    X, y = _design(seed, n, p)
    n = min(n, int(np.log(1e-6) / np.log(gamma)))  # keep γⁿ ≥ 1e-6: no refresh can fire
    X, y = X[:n], y[:n]
    cuts = sorted(data.draw(st.sets(st.integers(1, max(n - 1, 1)), max_size=5)) - {n})
    ref = _weighted_ridge(X, y, 1.0, gamma)
    rows = ch.RecursiveRidge(p, 1.0, forgetting=gamma)
    for x_i, y_i in zip(X, y, strict=True):
        rows.partial_fit(x_i, y_i)
    batches = _stream(ch.RecursiveRidge(p, 1.0, forgetting=gamma), X, y, cuts)
    for model in (rows, batches):
        np.testing.assert_allclose(model.coef_, ref, rtol=1e-7, atol=1e-9 * np.abs(ref).max())
        assert model.n_refreshes_ == 0


@FEW
@given(seeds, st.integers(2, 8), st.floats(0.5, 1.0))
def test_an_already_optimal_row_leaves_the_coefficients_alone(ch, seed, p, gamma):
    X, y = _design(seed, 3 * p, p)
    model = _stream(ch.RecursiveRidge(p, 1.0, forgetting=gamma), X, y, [p])
    before = model.coef_.copy()
    x = make_rng(seed + 1).standard_normal(p)
    model.partial_fit(x, model.predict(x))  # zero prediction error
    np.testing.assert_array_equal(model.coef_, before)


@FEW
@given(seeds, st.integers(1, 6), st.integers(1, 10))
def test_predict_is_x_times_the_coefficients(ch, seed, p, m):
    X, y = _design(seed, 10, p)
    model = _stream(ch.RecursiveRidge(p, 0.5), X, y, [])
    X_new = make_rng(seed + 2).standard_normal((m, p))
    np.testing.assert_allclose(model.predict(X_new), X_new @ model.coef_, rtol=1e-14)
    assert np.ndim(model.predict(X_new[0])) == 0


@LONG
@given(seeds, st.floats(0.85, 0.9))
def test_a_dead_feature_does_not_wind_up_the_stream(ch, seed, gamma):
    # Unguarded, P₂₂ = γ⁻ⁿ/λ overflows after log(max float)/log(1/γ) rows (6,737 at 0.9).
    n = int(1.3 * np.log(np.finfo(float).max) / np.log(1 / gamma))
    rng = make_rng(seed)
    X = np.column_stack([rng.standard_normal(n), np.zeros(n)])
    y = 2 * X[:, 0] + 0.1 * rng.standard_normal(n)
    model = ch.RecursiveRidge(2, 1.0, forgetting=gamma)
    for x_i, y_i in zip(X, y, strict=True):
        model.partial_fit(x_i, y_i)
    assert np.all(np.isfinite(model.P_)) and model.n_refreshes_ > 0
    assert model.P_.max() <= 1 / (1.0 * ch.DELTA)
    live = _weighted_ridge(X[:, :1], y, 0.0, gamma)  # the dead coordinate decouples
    np.testing.assert_allclose(model.coef_, [live[0], 0.0], rtol=1e-9)
    # The same stream as one batch: it must be cut into chunks with the guard run between.
    whole = ch.RecursiveRidge(2, 1.0, forgetting=gamma).partial_fit(X, y)
    np.testing.assert_allclose(whole.coef_, [live[0], 0.0], rtol=1e-9)


@LONG
@given(seeds, st.integers(20, 300))
def test_a_feature_that_stops_varying_keeps_a_diagonal_penalty(ch, seed, batch):
    # Feature 2 varies for 200 rows, then stays 0: wind-up along it is refreshed, and the
    # refreshes only add a diagonal to the penalty, so P⁻¹ − XᵀWX is diagonal and ≥ 0, and
    # the coefficients still solve P⁻¹ β = XᵀW y.
    rng, n, gamma = make_rng(seed), 2500, 0.95
    X = rng.standard_normal((n, 2))
    X[200:, 1] = 0.0
    y = X @ [1.0, -1.0] + 0.1 * rng.standard_normal(n)
    model = _stream(ch.RecursiveRidge(2, 1.0, forgetting=gamma), X, y, range(batch, n, batch))
    assert model.n_refreshes_ > 0 and np.all(np.isfinite(model.P_))
    w = gamma ** np.arange(n - 1, -1, -1)
    A = np.linalg.inv(model.P_)
    penalty = A - X.T @ (w[:, None] * X)
    assert abs(penalty[0, 1]) <= 1e-8 * np.abs(A).max()
    assert np.all(np.diag(penalty) >= -1e-8 * np.abs(A).max())
    ref = model.P_ @ (X.T @ (w * y))
    np.testing.assert_allclose(model.coef_, ref, rtol=1e-8, atol=1e-10 * np.abs(ref).max())


@LONG
@given(seeds)
def test_long_forgetting_streams_stay_exactly_symmetric_where_the_shortcut_drifts(ch, seed):
    # The chapter's "round-off asymmetry": 2,000 rows at γ = 0.95, three by rows and two as a
    # batch in turn. Subtracting h hᵀ (rows) and symmetrising the Woodbury result (batches)
    # keep P exactly symmetric and the coefficients exact; the common shortcut
    # P ← (P − k πᵀ)/γ, fed the same rows, drifts far from the answer.
    X, y = _design(seed, 2000, 2)
    P, beta, P_sc, beta_sc = np.eye(2), np.zeros(2), np.eye(2), np.zeros(2)
    for i in range(0, 2000, 5):
        for j in range(i, i + 3):
            ch.rls_update(P, beta, X[j], y[j], 0.95)
        ch.rls_batch_update(P, beta, X[i + 3 : i + 5], y[i + 3 : i + 5], 0.95)
    for x_i, y_i in zip(X, y, strict=True):
        pi = P_sc @ x_i
        k = pi / (0.95 + x_i @ pi)
        beta_sc += k * (y_i - x_i @ beta_sc)
        P_sc = (P_sc - np.outer(k, pi)) / 0.95
    ref = _weighted_ridge(X, y, 1.0, 0.95)
    np.testing.assert_array_equal(P, P.T)
    np.testing.assert_allclose(beta, ref, rtol=1e-10)
    assert np.max(np.abs(beta_sc - ref)) > 1e-2 * np.max(np.abs(ref))


@pytest.mark.parametrize("gamma", [1.0, 0.99])
def test_a_row_update_works_in_place(ch, gamma):
    # An O(p²) update must not allocate a new p × p matrix: P_ is updated where it lies.
    p = 400
    model, x = ch.RecursiveRidge(p, 1.0, forgetting=gamma), make_rng(0).standard_normal(p)
    model.partial_fit(x, 1.0)  # warm-up: a first call may allocate caches
    P_before = model.P_
    tracemalloc.start()
    model.partial_fit(-x, 0.5)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert model.P_ is P_before
    assert peak < 0.5 * 8 * p**2, f"peak {peak / 1e3:.0f} kB"


def test_one_sample_and_one_feature(ch):
    model = ch.RecursiveRidge(1, 2.0).partial_fit([3.0], 1.5)
    np.testing.assert_allclose(model.coef_, [3.0 * 1.5 / (9.0 + 2.0)], rtol=1e-15)
    np.testing.assert_allclose(model.P_, [[1 / 11.0]], rtol=1e-15)
    assert model.n_samples_seen_ == 1


def test_numpy_integers_and_scalars_are_accepted(ch):
    model = ch.RecursiveRidge(np.int64(3), np.float32(0.5), forgetting=np.float64(0.9))
    model.partial_fit(np.ones(3, dtype=int), np.int32(2))
    assert model.n_samples_seen_ == 1 and np.all(np.isfinite(model.coef_))


# ---------------------------------------------------------------- bad input


def test_batch_solvers_refuse_bad_input(ch):
    X, y = _design(0, 6, 3)
    for fn in (ch.ridge, ch.ridge_svd):
        check_raises(fn, X[:, 0], y, 1.0, match="X")  # 1-D design
        check_raises(fn, X, y[:-1], 1.0, match="y")  # wrong length
        check_raises(fn, np.where(X == X[0, 0], np.nan, X), y, 1.0, match="X")
        check_raises(fn, X, np.r_[y[:-1], np.inf], 1.0, match="y")
        check_raises(fn, X, y, -1.0, match="lam")
        check_raises(fn, X, y, np.nan, match="lam")
        check_raises(fn, X, y, "1", match="lam")
        check_raises(fn, X, y, True, match="lam")
        check_raises(fn, np.empty((0, 3)), np.empty(0), 1.0, match="X")
        check_raises(fn, [["a", "b"]], [1.0], 1.0, match="X")


def test_inverse_updates_refuse_bad_input(ch):
    A_inv, u = np.eye(3), np.ones(3)
    check_raises(ch.sherman_morrison, np.ones((3, 2)), u, u, match="A_inv")
    check_raises(ch.sherman_morrison, A_inv, np.ones(2), u, match="u")
    check_raises(ch.sherman_morrison, A_inv, u, np.r_[1.0, np.nan, 0], match="v")
    check_raises(ch.sherman_morrison, np.full((3, 3), np.inf), u, u, match="A_inv")
    U, C, V = np.ones((3, 2)), np.eye(2), np.ones((2, 3))
    check_raises(ch.woodbury, A_inv, np.ones((2, 2)), C, V, match="U")
    check_raises(ch.woodbury, A_inv, U, np.eye(3), V, match="C")
    check_raises(ch.woodbury, A_inv, U, C, np.ones((2, 2)), match="V")
    check_raises(ch.woodbury, A_inv, U, C, np.full((2, 3), np.nan), match="V")
    check_raises(ch.woodbury, np.ones((2, 3)), U, C, V, match="A_inv")


def test_recursive_ridge_refuses_bad_input(ch):
    R = ch.RecursiveRidge
    for bad in (0, -2, 2.0, True, "3"):
        check_raises(R, bad, 1.0, match="n_features")
    for bad in (0.0, -1.0, np.nan, np.inf, "1", True):
        check_raises(R, 3, bad, match="lam")
    for bad in (0.0, -0.5, 1.5, np.nan, "0.9"):
        check_raises(R, 3, 1.0, forgetting=bad, match="forgetting")
    model = R(3, 1.0)
    check_raises(model.partial_fit, np.ones(2), 1.0, match="X")
    check_raises(model.partial_fit, np.ones((4, 2)), np.ones(4), match="X")
    check_raises(model.partial_fit, np.ones((2, 3, 1)), np.ones(2), match="X")
    check_raises(model.partial_fit, np.r_[1.0, np.nan, 0.0], 1.0, match="X")
    check_raises(model.partial_fit, np.ones(3), np.inf, match="y")
    check_raises(model.partial_fit, np.ones((4, 3)), np.ones(3), match="y")
    check_raises(model.partial_fit, np.empty((0, 3)), np.empty(0), match="X")
    check_raises(model.partial_fit, np.ones(3), "1", match="y")
    check_raises(model.predict, np.ones(4), match="X")
    check_raises(model.predict, np.ones((2, 4)), match="X")
    check_raises(model.predict, np.ones((2, 3, 1)), match="X")
    check_raises(model.predict, np.r_[np.nan, 0.0, 0.0], match="X")
    assert model.n_samples_seen_ == 0  # refused input changes nothing
    np.testing.assert_array_equal(model.P_, np.eye(3))
