"""Property tests of the neural population models chapter (issue 21).

Public API: fit_poisson_glm, spike_triggered_average, gpfa_fit, gpfa_posterior. The tests use
inputs the chapter never tries (random shapes, sizes, scalings, trial lengths) and check
mathematical properties against independent routes (a stationarity condition written here,
statsmodels, dense Gaussian conditioning, factor analysis), plus every bad-input branch.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.linalg import block_diag

from mlnotes_helpers import check_raises, load_chapter, make_rng

GP_NOISE = 1e-3


@pytest.fixture(scope="module")
def ch():
    return load_chapter("neural-population-models")


def glm_problem(seed, n, p, scale=0.5):
    rng = make_rng(seed)
    X = scale * rng.standard_normal((n, p))
    w = 0.5 * rng.standard_normal(p)
    y = rng.poisson(np.exp(X @ w)).astype(float)
    return X, y


def stationarity(X, y, w, l2):
    """Gradient of the penalised log-likelihood, written independently of the chapter."""
    rate = np.exp(X @ w)
    grad = X.T @ (y - rate) - l2 * w
    scale = 1.0 + np.abs(X).T @ (y + rate) + l2 * np.abs(w)
    return np.abs(grad) / scale


# ---------------------------------------------------------------- fit_poisson_glm


@settings(max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 60),
    p=st.integers(1, 5),
    l2=st.sampled_from([0.0, 1e-3, 0.5, 10.0]),
    scale=st.sampled_from([0.1, 0.5, 1.5]),
)
def test_glm_gradient_vanishes(ch, seed, n, p, l2, scale):
    X, y = glm_problem(seed, n, p, scale)
    if l2 == 0:
        assume(np.sum(y > 0) > p + 1 and n > p + 2)
    assume(y.any())
    w = ch.fit_poisson_glm(X, y, l2=l2)
    assert np.all(stationarity(X, y, w, l2) < 1e-8)


@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), n=st.integers(20, 200), p=st.integers(1, 6))
def test_glm_recovers_exact_rates(ch, seed, n, p):
    # Non-integer "counts" equal to the rates: the weights that made them are the maximiser.
    rng = make_rng(seed)
    X = rng.standard_normal((n, p))
    w_true = 0.4 * rng.standard_normal(p)
    w = ch.fit_poisson_glm(X, np.exp(X @ w_true))
    np.testing.assert_allclose(w, w_true, rtol=1e-8, atol=1e-9)


@settings(max_examples=15)
@given(
    seed=st.integers(0, 10_000),
    p=st.integers(1, 5),
    l2=st.sampled_from([0.0, 0.3, 5.0]),
)
def test_glm_rotation_equivariance(ch, seed, p, l2):
    X, y = glm_problem(seed, 80, p)
    assume(np.sum(y > 0) > p + 1)
    Q = np.linalg.qr(make_rng(seed + 1).standard_normal((p, p)))[0]
    w = ch.fit_poisson_glm(X, y, l2=l2)
    w_rot = ch.fit_poisson_glm(X @ Q, y, l2=l2)
    np.testing.assert_allclose(Q @ w_rot, w, rtol=1e-7, atol=1e-9)


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000), p=st.integers(1, 6))
def test_glm_matches_statsmodels(ch, seed, p):
    sm = pytest.importorskip("statsmodels.api")
    X, y = glm_problem(seed, 150, p)
    X = np.column_stack([np.ones(len(X)), X])
    ref = sm.GLM(y, X, family=sm.families.Poisson()).fit(tol=1e-12).params
    np.testing.assert_allclose(ch.fit_poisson_glm(X, y), ref, rtol=1e-7, atol=1e-9)


@settings(max_examples=10)
@given(seed=st.integers(0, 10_000), l2=st.sampled_from([0.1, 1.0, 10.0]))
def test_glm_map_beats_neighbours(ch, seed, l2):
    X, y = glm_problem(seed, 40, 3)
    w = ch.fit_poisson_glm(X, y, l2=l2)

    def objective(v):
        eta = X @ v
        return y @ eta - np.exp(eta).sum() - 0.5 * l2 * v @ v

    bumps = 1e-3 * make_rng(seed).standard_normal((30, 3))
    assert all(objective(w + b) <= objective(w) for b in bumps)


def test_glm_larger_prior_shrinks(ch):
    X, y = glm_problem(3, 100, 4)
    norms = [np.linalg.norm(ch.fit_poisson_glm(X, y, l2=l2)) for l2 in (0.0, 1.0, 10.0, 100.0)]
    assert all(a > b for a, b in zip(norms, norms[1:], strict=False))


def test_glm_zero_counts_with_prior_go_negative(ch):
    X = np.ones((5, 1))
    w = ch.fit_poisson_glm(X, np.zeros(5), l2=1.0)
    # stationarity: -5 exp(w) - w = 0
    np.testing.assert_allclose(-5 * np.exp(w[0]) - w[0], 0.0, atol=1e-12)


def test_glm_large_first_step_is_damped(ch):
    # Huge counts: the first Newton step from w = 0 overshoots; the line search must cope.
    X = np.ones((3, 1))
    y = np.array([1e5, 2e5, 3e5])
    w = ch.fit_poisson_glm(X, y)
    np.testing.assert_allclose(w, np.log(y.mean()), rtol=1e-12)


def penalised_loglik(X, y, w, l2=0.0):
    eta = X @ w
    return y @ eta - np.exp(eta).sum() - 0.5 * l2 * w @ w


@settings(max_examples=10)
@given(seed=st.integers(0, 10_000), l2=st.sampled_from([0.0, 0.5]))
def test_glm_steps_never_lower_the_likelihood(ch, seed, l2):
    # Truncating the Newton iteration after k steps gives a non-decreasing objective in k.
    X, y = glm_problem(seed, 30, 2, scale=1.5)
    assume(np.sum(y > 0) > 3)
    values = [penalised_loglik(X, y, np.zeros(2), l2)]
    for k in range(1, 6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            w = ch.fit_poisson_glm(X, y, l2=l2, max_iter=k)
        values.append(penalised_loglik(X, y, w, l2))
    assert np.all(np.diff(values) >= -1e-9 * np.abs(values).max())


def test_glm_overshooting_newton_step_is_halved(ch):
    # From w = 0 the full Newton step (7/3) lowers the likelihood; a half step raises it.
    X, y = np.ones((3, 1)), np.array([0.0, 0.0, 10.0])
    with pytest.warns(UserWarning):
        w = ch.fit_poisson_glm(X, y, max_iter=1)
    np.testing.assert_allclose(w, [7 / 6], rtol=1e-12)


def test_glm_nearly_singular_hessian_is_refused(ch):
    rng = make_rng(4)
    x = rng.standard_normal(40)
    X = np.column_stack([x, x + 1e-7 * rng.standard_normal(40)])
    y = rng.poisson(np.exp(0.3 * x)).astype(float)
    check_raises(ch.fit_poisson_glm, X, y, match="X")


def test_glm_warns_without_convergence(ch):
    X, y = glm_problem(1, 50, 3, scale=1.5)
    with pytest.warns(UserWarning, match="max_iter|Newton"):
        ch.fit_poisson_glm(X, y, max_iter=1)


def test_glm_converged_returns_without_warning(ch):
    X, y = glm_problem(1, 50, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ch.fit_poisson_glm(X, y)


def test_glm_bad_input(ch):
    X, y = glm_problem(0, 30, 2)
    f = ch.fit_poisson_glm
    check_raises(f, X, np.zeros(30), match="y")  # no maximiser
    check_raises(f, np.column_stack([X, X[:, 0]]), y, match="X")  # rank-deficient
    check_raises(f, X, -y - 1, match="y")
    check_raises(f, X, y[:-1], match="y")
    check_raises(f, X[:, 0], y, match="X")
    bad = X.copy()
    bad[0, 0] = np.nan
    check_raises(f, bad, y, match="X")
    check_raises(f, X, np.where(y > 0, np.inf, y), match="y")
    check_raises(f, "X", y, exc=TypeError, match="X")
    check_raises(f, X, y, l2=-1.0, match="l2")
    check_raises(f, X, y, l2="big", exc=TypeError, match="l2")
    check_raises(f, X, y, max_iter=0, match="max_iter")
    check_raises(f, X, y, max_iter=2.5, exc=TypeError, match="max_iter")
    check_raises(f, np.empty((0, 2)), np.empty(0), match="X")


# ---------------------------------------------------------- spike_triggered_average


@settings(max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 50),
    p=st.integers(1, 6),
    c=st.floats(0.01, 100.0),
)
def test_sta_weighted_mean_and_invariances(ch, seed, n, p, c):
    rng = make_rng(seed)
    X = rng.standard_normal((n, p))
    y = rng.poisson(2.0, n).astype(float)
    assume(y.any())
    sta = ch.spike_triggered_average(X, y)
    np.testing.assert_allclose(sta, np.average(X, axis=0, weights=y), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ch.spike_triggered_average(X, c * y), sta, atol=1e-12)
    A, b = rng.standard_normal((p, p)), rng.standard_normal(p)
    np.testing.assert_allclose(
        ch.spike_triggered_average(X @ A + b, y), sta @ A + b, rtol=1e-10, atol=1e-10
    )


def test_sta_single_spike_is_that_stimulus(ch):
    X = make_rng(0).standard_normal((7, 3))
    y = np.zeros(7)
    y[4] = 1.0
    np.testing.assert_array_equal(ch.spike_triggered_average(X, y), X[4])


def test_sta_bad_input(ch):
    X = np.ones((4, 2))
    f = ch.spike_triggered_average
    check_raises(f, X, np.zeros(4), match="y")
    check_raises(f, X, np.array([1.0, -1.0, 0.0, 2.0]), match="y")
    check_raises(f, X, np.ones(3), match="y")
    check_raises(f, np.full((4, 2), np.nan), np.ones(4), match="X")
    check_raises(f, [["a", "b"]] * 4, np.ones(4), exc=TypeError, match="X")


# ------------------------------------------------------------------------- GPFA


def kernel(T, tau):
    lag = np.subtract.outer(np.arange(T), np.arange(T))
    return (1 - GP_NOISE) * np.exp(-0.5 * (lag / tau) ** 2) + GP_NOISE * np.eye(T)


def dense_posterior_mean(y, C, d, R, taus):
    """E[z | y] for one trial by conditioning the joint Gaussian directly: (T, p)."""
    q, p = C.shape
    T = y.shape[1]
    K = block_diag(*[kernel(T, tau) for tau in taus])
    Cb = np.kron(C, np.eye(T))
    Sy = Cb @ K @ Cb.T + np.diag(np.repeat(R, T))
    mean = K @ Cb.T @ np.linalg.solve(Sy, y.ravel() - np.repeat(d, T))
    return mean.reshape(p, T).T


def random_trials(seed, q, lengths):
    rng = make_rng(seed)
    return [rng.standard_normal((q, T)) + rng.standard_normal((q, 1)) for T in lengths]


def random_params(seed, q, p, bin_width):
    rng = make_rng(seed)
    return {
        "C": rng.standard_normal((q, p)),
        "d": rng.standard_normal(q),
        "R": rng.uniform(0.1, 2.0, q),
        "timescales": bin_width * rng.uniform(0.5, 6.0, p),
        "bin_width": bin_width,
    }


@settings(max_examples=20)
@given(
    seed=st.integers(0, 10_000),
    q=st.integers(1, 6),
    p=st.integers(1, 3),
    lengths=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    bin_width=st.sampled_from([1.0, 0.02, 20.0]),
)
def test_posterior_matches_dense_conditioning(ch, seed, q, p, lengths, bin_width):
    params = random_params(seed, q, p, bin_width)
    Y = random_trials(seed + 1, q, lengths)
    means = ch.gpfa_posterior(Y, params)
    taus = params["timescales"] / bin_width
    for y, m in zip(Y, means, strict=True):
        assert m.shape == (y.shape[1], p)
        ref = dense_posterior_mean(y, params["C"], params["d"], params["R"], taus)
        np.testing.assert_allclose(m, ref, rtol=1e-8, atol=1e-10)


@settings(max_examples=10)
@given(seed=st.integers(0, 10_000), q=st.integers(2, 6), p=st.integers(1, 2))
def test_posterior_with_tiny_timescales_is_factor_analysis(ch, seed, q, p):
    params = random_params(seed, q, p, 1.0)
    params["timescales"] = np.full(p, 1e-3)
    Y = random_trials(seed + 1, q, [5, 3])
    C, d, R = params["C"], params["d"], params["R"]
    gain = np.linalg.solve(np.eye(p) + C.T @ (C / R[:, None]), C.T / R)
    for y, m in zip(Y, ch.gpfa_posterior(Y, params), strict=True):
        np.testing.assert_allclose(m, (gain @ (y - d[:, None])).T, rtol=1e-8, atol=1e-10)


@settings(max_examples=12)
@given(
    seed=st.integers(0, 10_000),
    q=st.integers(2, 6),
    p=st.integers(1, 3),
    lengths=st.lists(st.integers(2, 15), min_size=1, max_size=4),
    start=st.sampled_from([0, 1, 7]),
)
def test_gpfa_likelihood_never_decreases(ch, seed, q, p, lengths, start):
    assume(p <= q)
    Y = random_trials(seed, q, lengths)
    fit = ch.gpfa_fit(Y, p, 0.01, n_iter=8, seed=start)
    hist = fit["loglik_history"]
    assert hist.shape == (8,)
    assert np.all(np.diff(hist) >= -1e-9 * np.abs(hist).max())
    assert fit["C"].shape == (q, p) and fit["d"].shape == (q,) and fit["R"].shape == (q,)
    assert np.all(fit["R"] > 0) and np.all(fit["timescales"] > 0)
    # the last M-step is an ascent step too: the returned parameters are at least as good
    dense = 0.0
    taus = fit["timescales"] / fit["bin_width"]
    for y in Y:
        T = y.shape[1]
        K = block_diag(*[kernel(T, tau) for tau in taus])
        Cb = np.kron(fit["C"], np.eye(T))
        Sy = Cb @ K @ Cb.T + np.diag(np.repeat(fit["R"], T))
        dense += stats.multivariate_normal(np.repeat(fit["d"], T), Sy).logpdf(y.ravel())
    assert dense >= hist[-1] - 1e-9 * abs(hist[-1])


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000), shift=st.floats(-50, 50), width=st.floats(0.001, 100))
def test_gpfa_equivariance(ch, seed, shift, width):
    # Shifting the data shifts d only; changing the bin width rescales the time scales only.
    Y = random_trials(seed, 4, [10, 8, 10])
    base = ch.gpfa_fit(Y, 2, 1.0, n_iter=5)
    shifted = ch.gpfa_fit([y + shift for y in Y], 2, width, n_iter=5)
    np.testing.assert_allclose(shifted["d"], base["d"] + shift, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(shifted["timescales"], base["timescales"] * width, rtol=1e-5)
    np.testing.assert_allclose(shifted["R"], base["R"], rtol=1e-5)
    np.testing.assert_allclose(np.abs(shifted["C"]), np.abs(base["C"]), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        shifted["loglik_history"], base["loglik_history"], rtol=1e-7, atol=1e-7
    )


def test_gpfa_recovers_subspace_and_timescales(ch):
    rng = make_rng(5)
    q, taus = 12, np.array([1.5, 6.0])
    C = rng.standard_normal((q, 2))
    d, R = rng.standard_normal(q), rng.uniform(0.1, 0.3, q)
    chols = [np.linalg.cholesky(kernel(40, tau)) for tau in taus]
    Y = []
    for _ in range(30):
        z = np.column_stack([L @ rng.standard_normal(40) for L in chols])
        Y.append(C @ z.T + d[:, None] + np.sqrt(R)[:, None] * rng.standard_normal((q, 40)))
    fit = ch.gpfa_fit(Y, 2, 10.0, n_iter=25)
    from scipy.linalg import subspace_angles

    assert np.degrees(subspace_angles(C, fit["C"])).max() < 3
    np.testing.assert_allclose(np.sort(fit["timescales"]), 10.0 * taus, rtol=0.2)


def test_gpfa_edge_cases(ch):
    rng = make_rng(2)
    # one bin per trial (no lag pairs), one latent per neuron, one trial
    fit = ch.gpfa_fit([rng.standard_normal((3, 1)) for _ in range(6)], 3, 1.0, n_iter=3)
    assert np.all(np.isfinite(fit["loglik_history"]))
    fit = ch.gpfa_fit([rng.standard_normal((1, 20))], 1, 1.0, n_iter=3)
    assert np.all(np.diff(fit["loglik_history"]) >= -1e-9 * abs(fit["loglik_history"][-1]))
    # a silent neuron next to active ones: the noise floor keeps R positive
    Y = [np.vstack([rng.standard_normal((2, 10)), np.zeros((1, 10))]) for _ in range(3)]
    fit = ch.gpfa_fit(Y, 1, 1.0, n_iter=4)
    assert np.all(fit["R"] > 0) and np.all(np.isfinite(fit["loglik_history"]))
    # tuple input and integer counts are accepted
    counts = tuple(rng.poisson(3.0, (3, 8)) for _ in range(2))
    assert len(ch.gpfa_posterior(counts, ch.gpfa_fit(counts, 1, 1.0, n_iter=2))) == 2


def test_gpfa_bad_input(ch):
    Y = random_trials(0, 3, [5, 6])
    f = ch.gpfa_fit
    check_raises(f, np.ones((3, 5)), 1, 1.0, exc=TypeError, match="Y")
    check_raises(f, [], 1, 1.0, match="Y")
    check_raises(f, [Y[0], np.ones((4, 5))], 1, 1.0, match="Y[1]")
    check_raises(f, [np.full((3, 5), np.nan)], 1, 1.0, match="Y[0]")
    check_raises(f, [np.ones(5)], 1, 1.0, match="Y[0]")
    check_raises(f, [np.ones((3, 5))], 1, 1.0, match="Y")  # constant data
    check_raises(f, Y, 4, 1.0, match="n_latents")
    check_raises(f, Y, 0, 1.0, match="n_latents")
    check_raises(f, Y, 1.5, 1.0, exc=TypeError, match="n_latents")
    check_raises(f, Y, 1, 0.0, match="bin_width")
    check_raises(f, Y, 1, np.inf, match="bin_width")
    check_raises(f, Y, 1, 1.0, n_iter=0, match="n_iter")
    check_raises(f, Y, 1, 1.0, seed=-1, match="seed")
    check_raises(f, Y, 1, 1.0, seed=1.0, exc=TypeError, match="seed")


def test_posterior_bad_input(ch):
    Y = random_trials(0, 3, [5])
    params = random_params(0, 3, 2, 1.0)
    g = ch.gpfa_posterior
    check_raises(g, Y, [1, 2], exc=TypeError, match="params")
    check_raises(g, Y, {k: v for k, v in params.items() if k != "R"}, match="params")
    check_raises(g, Y, {**params, "R": -params["R"]}, match="params")
    check_raises(g, Y, {**params, "timescales": np.zeros(2)}, match="params")
    check_raises(g, Y, {**params, "timescales": np.ones(3)}, match="timescales")
    check_raises(g, Y, {**params, "d": np.ones(4)}, match="d")
    check_raises(g, Y, {**params, "bin_width": -1.0}, match="bin_width")
    check_raises(g, [np.ones((4, 5))], params, match="Y[0]")
    check_raises(g, "Y", params, exc=TypeError, match="Y")
