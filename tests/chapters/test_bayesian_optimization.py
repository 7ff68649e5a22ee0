"""Property tests of the Bayesian-optimisation chapter's public API and its derivation pieces.

Public API (issue 17): ``expected_improvement(mu, sigma, best, xi=0.0)`` and
``bayes_opt(f, bounds, n_iter, n_init=5, seed=0, acquisition="ei")``; the chapter also exposes
``random_search(f, bounds, n_evals, seed=0)``. Every property is mathematical: agreement with
quadrature, scikit-learn or finite differences; an identity (EI parity, scaling, shifts); a
monotonicity; an invariance of the whole loop (affine changes of f or of the box); and clear
errors naming the argument for bad input.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import ndtr
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("bayesian-optimization")


seeds = st.integers(0, 2**31 - 1)
means = st.floats(-50.0, 50.0)
sds = st.floats(1e-3, 30.0)
FEW = settings(max_examples=25)
RUNS = settings(max_examples=6)


def _ei_quad(mu, sigma, best, xi):
    """E[max(best - xi - f, 0)] for f ~ N(mu, sigma²) by quadrature in standard units."""
    z = (best - xi - mu) / sigma
    if z < -12:
        return 0.0
    val, _ = quad(
        lambda e: (z - e) * np.exp(-0.5 * e * e) / np.sqrt(2 * np.pi),
        -12.0,
        z,
        epsabs=1e-14,
        epsrel=1e-12,
    )
    return sigma * val


# ---------------------------------------------------------------- expected improvement


@FEW
@given(means, sds, means, st.floats(0.0, 5.0))
def test_ei_equals_quadrature(ch, mu, sigma, best, xi):
    ours = float(ch.expected_improvement(mu, sigma, best, xi))
    ref = _ei_quad(mu, sigma, best, xi)
    assert ours == pytest.approx(ref, rel=1e-8, abs=1e-12 * (1 + abs(best - mu) + sigma))


@FEW
@given(seeds, st.integers(1, 40), means)
def test_ei_bounds_and_parity(ch, seed, n, best):
    rng = make_rng(seed)
    mu = rng.normal(0, 20, n)
    sigma = rng.uniform(0, 10, n)
    sigma[rng.random(n) < 0.2] = 0.0  # some exact zeros
    ei = ch.expected_improvement(mu, sigma, best)
    gain = best - mu
    # Jensen below, the sd term above: max(g, 0) <= EI <= max(g, 0) + σ φ(0)
    assert np.all(ei >= np.maximum(gain, 0) - 1e-12 * (1 + np.abs(gain)))
    assert np.all(ei <= np.maximum(gain, 0) + sigma / np.sqrt(2 * np.pi) + 1e-12)
    # put-call parity: improvement below best minus improvement above best = best - mu
    above = ch.expected_improvement(-mu, sigma, -best)
    np.testing.assert_allclose(ei - above, gain, rtol=1e-10, atol=1e-10 * (1 + abs(best)))


@FEW
@given(means, sds, means, st.floats(0.0, 3.0), st.floats(0.01, 100.0), st.floats(-100, 100))
def test_ei_scales_and_shifts(ch, mu, sigma, best, xi, a, c):
    ei = float(ch.expected_improvement(mu, sigma, best, xi))
    scaled = float(ch.expected_improvement(a * mu + c, a * sigma, a * best + c, a * xi))
    assert scaled == pytest.approx(a * ei, rel=1e-7, abs=1e-9 * a * (1 + abs(mu) + abs(best)))


@FEW
@given(seeds, means)
def test_ei_is_monotone(ch, seed, best):
    rng = make_rng(seed)
    mu = np.sort(rng.normal(0, 10, 30))
    sigma = np.sort(rng.uniform(0, 10, 30))
    # increasing in sigma at fixed mu, decreasing in mu at fixed sigma
    assert np.all(np.diff(ch.expected_improvement(mu[0], sigma, best)) >= -1e-12)
    assert np.all(np.diff(ch.expected_improvement(mu, sigma[-1], best)) <= 1e-12)
    # a margin xi can only lower the expected improvement
    assert np.all(
        ch.expected_improvement(mu, sigma, best, xi=0.5)
        <= ch.expected_improvement(mu, sigma, best) + 1e-12
    )


@FEW
@given(seeds, st.integers(1, 20), means, st.floats(0.0, 2.0))
def test_ei_at_zero_sigma_is_the_plain_gain(ch, seed, n, best, xi):
    mu = make_rng(seed).normal(0, 20, n)
    ei = ch.expected_improvement(mu, np.zeros(n), best, xi)
    np.testing.assert_array_equal(ei, np.maximum(best - xi - mu, 0.0))
    assert np.all(ei[mu >= best - xi] == 0.0)


def test_ei_extreme_values_without_warnings(ch):
    # tiny and huge z: no overflow, no negative values (tests run with RuntimeWarning = error)
    mu = np.array([0.0, 0.0, 1e6, -1e6, 0.0])
    sigma = np.array([1e-300, 1e-300, 1.0, 1.0, 1e300])
    ei = ch.expected_improvement(mu, sigma, best=1.0)
    assert np.all(np.isfinite(ei)) and np.all(ei >= 0)
    np.testing.assert_allclose(ei[:4], [1.0, 1.0, 0.0, 1e6 + 1.0], rtol=1e-12)


def test_ei_broadcasts(ch):
    ei = ch.expected_improvement(np.zeros((3, 1)), np.ones(4), best=0.0)
    assert ei.shape == (3, 4)
    np.testing.assert_allclose(ei, 1 / np.sqrt(2 * np.pi), rtol=1e-14)


def test_ei_rejects_bad_input(ch):
    ei = ch.expected_improvement
    check_raises(ei, [np.nan], [1.0], 0.0, match="mu")
    check_raises(ei, [], [], 0.0, match="mu")
    check_raises(ei, "a", [1.0], 0.0, match="mu")
    check_raises(ei, [0.0], [-1.0], 0.0, match="sigma")
    check_raises(ei, [0.0], [np.inf], 0.0, match="sigma")
    check_raises(ei, np.zeros(3), np.ones(2), 0.0, match="sigma")
    check_raises(ei, [0.0], [1.0], np.nan, match="best")
    check_raises(ei, [0.0], [1.0], "0", match="best")
    check_raises(ei, [0.0], [1.0], 0.0, xi=-0.1, match="xi")
    check_raises(ei, [0.0], [1.0], 0.0, xi=[0.1], match="xi")


# ---------------------------------------------------------------- the other pieces


@FEW
@given(seeds, st.integers(1, 12), st.integers(1, 4), st.floats(-1.5, 0.5), st.floats(-1, 1))
def test_gp_posterior_equals_scikit_learn(ch, seed, n, d, log_ell, log_s2):
    rng = make_rng(seed)
    X, Xs = rng.uniform(size=(n, d)), rng.uniform(size=(7, d))
    y = rng.normal(size=n)
    ell = 10.0 ** (log_ell + 0.3 * rng.normal(size=d))
    theta = np.r_[np.log(ell), log_s2 * np.log(10), np.log(1e-3)]
    mu, sd = ch.gp_predict(ch.gp_condition(X, y, theta), Xs)
    kernel = ConstantKernel(10.0**log_s2) * Matern(ell, nu=2.5)
    gp = GaussianProcessRegressor(kernel, alpha=1e-3, optimizer=None).fit(X, y)
    mu_sk, sd_sk = gp.predict(Xs, return_std=True)
    np.testing.assert_allclose(mu, mu_sk, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(sd, sd_sk, rtol=1e-5, atol=1e-6 * 10.0**log_s2)


@FEW
@given(seeds, st.integers(2, 10), st.integers(1, 3))
def test_evidence_value_and_gradient(ch, seed, n, d):
    rng = make_rng(seed)
    X, y = rng.uniform(size=(n, d)), rng.normal(size=n)
    box = ch.theta_bounds(d)
    theta = rng.uniform(box[:, 0], box[:, 1])
    theta[-1] = max(theta[-1], np.log(1e-3))  # keep K_y well conditioned for the FD check
    value, grad = ch.log_marginal_likelihood(theta, X, y)
    order = np.r_[d, np.arange(d), d + 1]  # scikit-learn orders (s², ℓ, noise)
    kernel = ConstantKernel() * Matern(np.ones(d), nu=2.5) + WhiteKernel()
    gp = GaussianProcessRegressor(kernel, alpha=0.0, optimizer=None).fit(X, y)
    ref, ref_grad = gp.log_marginal_likelihood(theta[order], eval_gradient=True)
    assert value == pytest.approx(ref, rel=1e-8, abs=1e-8)
    np.testing.assert_allclose(grad[order], ref_grad, rtol=1e-6, atol=1e-8)


@FEW
@given(seeds, st.integers(2, 10), st.integers(1, 3), st.sampled_from(["ei", "pi", "ucb"]))
def test_acquisition_gradient_in_x(ch, seed, n, d, kind):
    rng = make_rng(seed)
    X, y = rng.uniform(size=(n, d)), rng.normal(size=n)
    state = ch.gp_condition(X, y, np.r_[np.full(d, np.log(0.4)), 0.0, np.log(1e-3)])
    u = rng.uniform(0.1, 0.9, d)
    value, grad = ch.negative_acquisition(u, state, kind, y.min() + 0.3, 4.0)
    h = 1e-6
    fd = [
        (
            ch.negative_acquisition(u + h * e, state, kind, y.min() + 0.3, 4.0)[0]
            - ch.negative_acquisition(u - h * e, state, kind, y.min() + 0.3, 4.0)[0]
        )
        / (2 * h)
        for e in np.eye(d)
    ]
    np.testing.assert_allclose(grad, fd, rtol=1e-4, atol=1e-7 * (1 + abs(value)))
    mu, sd = ch.gp_predict(state, u[None])
    assert -value == pytest.approx(
        float(ch.acquisition(kind, mu, sd, y.min() + 0.3, 4.0)[0]), rel=1e-12, abs=1e-300
    )


@FEW
@given(means, sds, means, st.floats(0.0, 30.0))
def test_pi_and_ucb_formulas(ch, mu, sigma, best, beta):
    z = (best - mu) / sigma
    assert float(ch.probability_of_improvement(mu, sigma, best)) == pytest.approx(ndtr(z))
    lcb = float(ch.lower_confidence_bound(mu, sigma, beta))
    assert lcb == pytest.approx(mu - np.sqrt(beta) * sigma, rel=1e-12, abs=1e-12)
    # PI at sigma = 0 is the indicator of a strict improvement
    assert float(ch.probability_of_improvement(mu, 0.0, best)) == float(mu < best)


@FEW
@given(st.integers(1, 10_000), st.integers(1, 10**6), st.floats(1e-4, 0.5))
def test_ucb_beta_union_bound(ch, t, n_points, delta):
    # |D| exp(-β_t / 2) summed over t is delta; per round it is 6 δ / (π² t²)
    beta = ch.ucb_beta(t, n_points, delta)
    assert n_points * np.exp(-beta / 2) == pytest.approx(6 * delta / (np.pi**2 * t**2))
    assert ch.ucb_beta(t + 1, n_points, delta) > beta


@FEW
@given(seeds, st.integers(1, 3), st.integers(2, 5))
def test_snap_is_a_projection(ch, seed, n_int, n_levels):
    rng = make_rng(seed)
    low = rng.integers(-5, 5, n_int).astype(float)
    high = low + rng.integers(0, 6, n_int)
    z = np.column_stack(
        [rng.uniform(low - 0.5, high + 0.5, (50, n_int)), rng.uniform(size=(50, n_levels))]
    )
    t = ch.snap(z, low, high, n_levels)
    np.testing.assert_array_equal(ch.snap(t, low, high, n_levels), t)
    ints, hot = t[:, :n_int], t[:, n_int:]
    assert np.all(ints == np.round(ints)) and np.all((ints >= low) & (ints <= high))
    np.testing.assert_array_equal(hot.sum(axis=1), 1.0)
    assert np.all(np.abs(ints - z[:, :n_int]) <= 0.5 + 1e-12)  # the nearest integer
    np.testing.assert_array_equal(np.argmax(hot, axis=1), np.argmax(z[:, n_int:], axis=1))


def test_maximize_acquisition_beats_a_grid(ch):
    rng = make_rng(5)
    X = rng.uniform(size=(6, 1))
    y = np.sin(9 * X[:, 0])
    state = ch.gp_condition(X, y, np.log([0.15, 1.0, 1e-4]))
    grid = np.linspace(0, 1, 20_001)[:, None]
    for kind in ("ei", "pi", "ucb"):
        on_grid = ch.acquisition(kind, *ch.gp_predict(state, grid), y.min(), 4.0).max()
        u = ch.maximize_acquisition(state, kind, y.min(), 4.0, make_rng(1))
        assert 0.0 <= u[0] <= 1.0
        found = ch.acquisition(kind, *ch.gp_predict(state, u[None]), y.min(), 4.0)[0]
        assert found >= on_grid - 1e-9 * (1 + abs(on_grid))


# ---------------------------------------------------------------- the loop


def _quadratic(c):
    def f(x):
        return float(np.sum((np.asarray(x) - c) ** 2))

    return f


@RUNS
@given(seeds, st.integers(1, 3), st.integers(1, 4), st.integers(0, 3))
def test_bayes_opt_contract(ch, seed, d, n_init, n_iter):
    rng = make_rng(seed)
    low = rng.uniform(-3, 3, d)
    bounds = np.column_stack([low, low + rng.uniform(0.5, 4, d)])
    calls = []
    f0 = _quadratic(rng.uniform(bounds[:, 0], bounds[:, 1]))

    def f(x):
        calls.append(np.array(x))
        return f0(x)

    res = ch.bayes_opt(f, bounds, n_iter, n_init=n_init, seed=seed % 1000)
    X, y = res["X"], res["y"]
    assert X.shape == (n_init + n_iter, d) and y.shape == (n_init + n_iter,)
    assert len(calls) == n_init + n_iter
    np.testing.assert_array_equal(np.array(calls), X)
    np.testing.assert_array_equal(y, [f0(x) for x in X])
    assert np.all((X >= bounds[:, 0]) & (X <= bounds[:, 1]))
    assert res["y_best"] == y.min() and res["y_best"] == f0(res["x_best"])
    # the same seed gives the same run, and the design of random search
    again = ch.bayes_opt(f0, bounds, n_iter, n_init=n_init, seed=seed % 1000)
    np.testing.assert_array_equal(again["X"], X)
    rs = ch.random_search(f0, bounds, n_init, seed=seed % 1000)
    np.testing.assert_array_equal(rs["X"], X[:n_init])


@RUNS
@given(seeds, st.sampled_from(["ei", "pi", "ucb"]))
def test_bayes_opt_is_invariant_to_affine_changes(ch, seed, kind):
    # standardising y and mapping the box to the unit cube make the loop invariant to
    # f -> a f + b (a > 0) and to an affine change of the box
    rng = make_rng(seed)
    c = rng.uniform(0.1, 0.9, 2)

    def f(x):
        return float(np.sum(np.sin(5 * (x - c)) ** 2) + 0.1 * x[0])

    unit = np.array([[0.0, 1.0], [0.0, 1.0]])
    base = ch.bayes_opt(f, unit, 3, n_init=4, seed=3, acquisition=kind)
    scaled = ch.bayes_opt(lambda x: 7.5 * f(x) - 40.0, unit, 3, n_init=4, seed=3, acquisition=kind)
    np.testing.assert_allclose(scaled["X"], base["X"], rtol=1e-6, atol=1e-6)
    a, b = np.array([3.0, 0.5]), np.array([-2.0, 10.0])
    moved = ch.bayes_opt(
        lambda x: f((x - b) / a), np.column_stack([b, a + b]), 3, 4, seed=3, acquisition=kind
    )
    np.testing.assert_allclose(moved["X"], b + a * base["X"], rtol=1e-6, atol=1e-6)


def test_every_round_refits_the_hyperparameters(ch):
    # the GP of each round sits at a stationary point of the evidence (within its box)
    rounds = []

    def f(x):
        return float(np.sin(7 * x[0]) + (x[1] - 0.3) ** 2)

    ch.bo_loop(f, np.zeros(2), np.ones(2), 6, 4, make_rng(2), "ei", callback=rounds.append)
    box = ch.theta_bounds(2)
    for info in rounds:
        state = info["state"]
        noise = (state.L @ state.L.T)[0, 0] - state.s2  # k(x, x) = s² on the diagonal
        theta = np.r_[np.log(state.ell), np.log(state.s2), np.log(noise)]
        y = (state.L @ state.L.T) @ state.alpha  # the standardised observations
        value, grad = ch.log_marginal_likelihood(theta, state.X, y)
        at_low, at_high = theta <= box[:, 0] + 1e-6, theta >= box[:, 1] - 1e-6
        free = ~at_low & ~at_high
        assert np.all(np.abs(grad[free]) <= 1e-3 * (1 + abs(value)))
        assert np.all(grad[at_low] <= 1e-3 * (1 + abs(value)))
        assert np.all(grad[at_high] >= -1e-3 * (1 + abs(value)))


@pytest.mark.parametrize(("kind", "tol"), [("ei", 1e-4), ("pi", 1e-2), ("ucb", 1e-4)])
def test_bayes_opt_finds_a_1d_minimum(ch, kind, tol):
    # PI is greedy: it creeps towards the minimum by sure, small steps
    f = _quadratic(np.array([0.37]))
    res = ch.bayes_opt(f, [[0.0, 1.0]], 10, n_init=3, seed=1, acquisition=kind)
    assert res["y_best"] < tol
    assert res["y_best"] <= res["y"][:3].min()


def test_bayes_opt_constant_function(ch):
    res = ch.bayes_opt(lambda x: 2.0, [[0.0, 1.0], [-1.0, 1.0]], 3, n_init=1, seed=0)
    np.testing.assert_array_equal(res["y"], 2.0)
    assert res["X"].shape == (4, 2)


def test_bayes_opt_beats_random_search_on_branin(ch):
    branin = ch.TEST_FUNCTIONS["branin"]
    bo = ch.bayes_opt(branin.f, branin.bounds, 20, n_init=5, seed=11)
    rs = ch.random_search(branin.f, branin.bounds, 25, seed=11)
    assert bo["y_best"] < rs["y_best"]
    assert bo["y_best"] - branin.f_min < 0.1


def test_bayes_opt_rejects_bad_input(ch):
    bo, f, box = ch.bayes_opt, _quadratic(0.5), [[0.0, 1.0]]
    check_raises(bo, "f", box, 2, match="f")
    check_raises(bo, f, [0.0, 1.0], 2, match="bounds")
    check_raises(bo, f, [[1.0, 0.0]], 2, match="bounds")
    check_raises(bo, f, [[0.0, 0.0]], 2, match="bounds")
    check_raises(bo, f, [[0.0, np.nan]], 2, match="bounds")
    check_raises(bo, f, np.zeros((0, 2)), 2, match="bounds")
    check_raises(bo, f, box, -1, match="n_iter")
    check_raises(bo, f, box, 2.0, match="n_iter")
    check_raises(bo, f, box, 2, n_init=0, match="n_init")
    check_raises(bo, f, box, 2, seed=-1, match="seed")
    check_raises(bo, f, box, 2, seed=1.5, match="seed")
    check_raises(bo, f, box, 2, acquisition="EI", match="acquisition")
    check_raises(bo, f, box, 2, acquisition=["ei"], match="acquisition")
    check_raises(bo, lambda x: np.nan, box, 2, match="f(x)")
    check_raises(bo, lambda x: np.array([1.0, 2.0]), box, 2, match="f(x)")
    check_raises(bo, lambda x: "1", box, 2, match="f(x)")


def test_random_search_contract_and_bad_input(ch):
    bounds = np.array([[-1.0, 2.0], [5.0, 6.0]])
    res = ch.random_search(_quadratic(np.array([0.0, 5.5])), bounds, 50, seed=4)
    assert res["X"].shape == (50, 2)
    assert np.all((res["X"] >= bounds[:, 0]) & (res["X"] <= bounds[:, 1]))
    assert res["y_best"] == res["y"].min()
    rs = ch.random_search
    check_raises(rs, 3, bounds, 5, match="f")
    check_raises(rs, _quadratic(0.0), bounds[:, ::-1], 5, match="bounds")
    check_raises(rs, _quadratic(0.0), bounds, 0, match="n_evals")
    check_raises(rs, _quadratic(0.0), bounds, 5, seed="0", match="seed")
    check_raises(rs, lambda x: np.inf, bounds, 5, match="f(x)")
