"""Property tests of the constrained CMA-ES chapter: its public ``cma_es`` and the derived
pieces it is assembled from, on inputs the chapter never tries."""

import math
from functools import cmp_to_key

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammaln
from scipy.stats import multivariate_normal, norm

from mlnotes_helpers import check_raises, ellipsoid, load_chapter, make_rng, sphere


@pytest.fixture(scope="module")
def ch():
    return load_chapter("constrained-cma-es")


def spd(n, seed, cond):
    rng = make_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (Q * np.geomspace(1.0, cond, n)) @ Q.T


dims = st.integers(1, 6)
seeds = st.integers(0, 10_000)
conds = st.sampled_from([1.0, 10.0, 1e3, 1e6])


# --- the Gaussian's geometry -------------------------------------------------------------


@settings(max_examples=25)
@given(n=dims, seed=seeds, cond=conds)
def test_axis_factor_is_the_eigen_square_root(ch, n, seed, cond):
    S = spd(n, seed, cond)
    A, d = ch.axis_factor(S)
    np.testing.assert_allclose(A @ A.T, S, rtol=1e-9, atol=1e-9 * cond)
    assert np.all(np.diff(d) <= 1e-12 * cond), "eigenvalues in decreasing order"
    np.testing.assert_allclose(np.linalg.norm(A, axis=0), np.sqrt(d), rtol=1e-9)
    G = A.T @ A  # orthogonal columns: a diagonal Gram matrix
    np.testing.assert_allclose(G - np.diag(np.diag(G)), 0, atol=1e-9 * cond)


@settings(max_examples=20)
@given(n=dims, seed=seeds, cond=conds)
def test_logpdf_equals_scipy(ch, n, seed, cond):
    rng = make_rng(seed)
    S, m = spd(n, seed, cond), rng.standard_normal(n)
    X = rng.standard_normal((4, n))
    np.testing.assert_allclose(
        ch.gaussian_logpdf(X, m, S), multivariate_normal(m, S).logpdf(X), rtol=1e-8
    )


@settings(max_examples=20)
@given(n=st.integers(2, 6), seed=seeds, c=st.floats(0.01, 100.0))
def test_stretch_adds_c_times_overlap_squared(ch, n, seed, c):
    rng = make_rng(seed)
    S = spd(n, seed, 10.0)
    y, u = rng.standard_normal(n), rng.standard_normal(n)
    y /= np.linalg.norm(y)
    S2 = ch.stretch(S, y, c)
    got = ch.directional_variance(S2, u) - ch.directional_variance(S, u)
    np.testing.assert_allclose(got, c * (u @ y) ** 2, rtol=1e-8, atol=1e-10 * c)


# --- weights, paths, step size ------------------------------------------------------------


@settings(max_examples=30)
@given(n=st.integers(2, 60), lam_extra=st.integers(0, 30))
def test_weights_properties(ch, n, lam_extra):
    import cma

    P = ch.default_parameters(n)
    lam = P.lam + lam_extra
    w, mu_eff = ch.recombination_weights(n, lam, P.c1, P.cmu)
    mu = lam // 2
    np.testing.assert_allclose(w[:mu].sum(), 1.0, rtol=1e-12)
    assert np.all(np.diff(w) < 0), "weights strictly decrease with rank"
    assert np.all(w[:mu] > 0) and np.all(w[mu:] <= 0)
    assert 1.0 <= mu_eff <= mu + 1e-12
    ref = cma.recombination_weights.RecombinationWeights(lam)
    np.testing.assert_allclose(w[:mu], np.asarray(ref)[:mu], rtol=1e-12)
    np.testing.assert_allclose(mu_eff, ref.mueff, rtol=1e-12)
    neg = math.log((lam + 1) / 2) - np.log(np.arange(mu + 1, lam + 1))
    bound = min(
        1 + P.c1 / P.cmu,
        1 + 2 * neg.sum() ** 2 / np.sum(neg**2) / (mu_eff + 2),
        (1 - P.c1 - P.cmu) / (n * P.cmu),
    )
    np.testing.assert_allclose(w[mu:].sum(), -bound, rtol=1e-12)
    w_passive, _ = ch.recombination_weights(n, lam, P.c1, P.cmu, active=False)
    assert np.all(w_passive[mu:] == 0)


def test_default_parameters_match_tutorial_and_pycma(ch):
    import cma

    for n in (2, 5, 10, 40):
        P = ch.default_parameters(n)
        es = cma.CMAEvolutionStrategy(np.zeros(n), 1.0, {"verbose": -9})
        assert P.lam == es.popsize and P.mu == P.lam // 2
        np.testing.assert_allclose(
            [P.mu_eff, P.c1, P.c_c], [es.sp.weights.mueff, es.sp.c1, es.sp.cc], rtol=1e-12
        )
        np.testing.assert_allclose(P.c_sigma, (P.mu_eff + 2) / (n + P.mu_eff + 5))
        mu_eff = P.mu_eff
        cmu = 2 * (mu_eff - 2 + 1 / mu_eff) / ((n + 2) ** 2 + mu_eff)
        np.testing.assert_allclose(P.cmu, min(1 - P.c1, cmu), rtol=1e-12)
        np.testing.assert_allclose(
            P.d_sigma, 1 + 2 * max(0, math.sqrt((mu_eff - 1) / (n + 1)) - 1) + P.c_sigma
        )
        assert P.beta == pytest.approx(0.1 / (n + 2)) and P.c_v == pytest.approx(1 / (n + 2))


@given(n=st.integers(2, 200))
def test_expected_norm_series(ch, n):
    exact = math.sqrt(2) * math.exp(gammaln((n + 1) / 2) - gammaln(n / 2))
    np.testing.assert_allclose(ch.expected_norm(n), exact, rtol=1e-3)


@settings(max_examples=20)
@given(n=st.integers(1, 8), c=st.floats(0.01, 0.99), mu_eff=st.floats(1.0, 20.0))
def test_evolution_path_preserves_unit_variance(ch, n, c, mu_eff):
    # Var of (1-c) p + sqrt(c(2-c) mu_eff) s with Var p = 1 and Var s = 1/mu_eff is 1:
    # the map is linear, so apply it to the two variances' square roots coordinatewise.
    e = np.ones(n)
    a = ch.evolution_path(e, np.zeros(n), c, mu_eff)
    b = ch.evolution_path(np.zeros(n), e / math.sqrt(mu_eff), c, mu_eff)
    np.testing.assert_allclose(a**2 + b**2, 1.0, rtol=1e-12)


@settings(max_examples=20)
@given(n=st.integers(2, 20), sigma=st.floats(1e-6, 1e3), r=st.floats(0.0, 5.0))
def test_csa_update_monotone_and_neutral(ch, n, sigma, r):
    P = ch.default_parameters(n)
    e = np.zeros(n)
    e[0] = 1.0
    neutral = ch.csa_update(sigma, P.chi_n * e, P.c_sigma, P.d_sigma, P.chi_n)
    np.testing.assert_allclose(neutral, sigma, rtol=1e-12)
    new = ch.csa_update(sigma, r * P.chi_n * e, P.c_sigma, P.d_sigma, P.chi_n)
    assert (new > sigma) == (r > 1) or math.isclose(r, 1.0)
    np.testing.assert_allclose(new, sigma * math.exp(P.c_sigma / P.d_sigma * (r - 1)), rtol=1e-12)


# --- covariance update and constraint downdate ---------------------------------------------


@settings(max_examples=25)
@given(n=st.integers(2, 8), seed=seeds, cond=conds, h=st.sampled_from([0.0, 1.0]))
def test_covariance_update_symmetric_pd_and_positive_part(ch, n, seed, cond, h):
    rng = make_rng(seed)
    P = ch.default_parameters(n)
    C = spd(n, seed, cond)
    A, _ = ch.axis_factor(C)
    Y = 3.0 * rng.standard_normal((P.lam, n)) @ A.T
    p_c = A @ rng.standard_normal(n)
    C_new = ch.covariance_update(C, p_c, Y, P.weights, P.c1, P.cmu, h, P.c_c)
    assert np.array_equal(C_new, C_new.T)
    assert np.linalg.eigvalsh(C_new)[0] > 0
    # positive weights only, no decay: the rank-mu term is the weighted sum of y y^T
    w = np.zeros(P.lam)
    w[: P.mu] = P.weights[: P.mu]
    brute = sum(wi * np.outer(y, y) for wi, y in zip(w, Y, strict=True))
    C_mu = ch.covariance_update(C, p_c, Y, w, 0.0, 1.0, 1.0, P.c_c)
    np.testing.assert_allclose(C_mu, brute, rtol=1e-9, atol=1e-12 * np.abs(brute).max())
    # the rank-one term, with the h_sigma = 0 correction of the decay
    C_one = ch.covariance_update(C, p_c, Y, np.zeros(P.lam), 0.3, 0.0, h, 0.5)
    decay = 1 - 0.3 + 0.3 * (1 - h) * 0.5 * 1.5
    np.testing.assert_allclose(C_one, decay * C + 0.3 * np.outer(p_c, p_c), rtol=1e-10)


@settings(max_examples=25)
@given(n=st.integers(2, 6), seed=seeds, cond=conds, beta=st.floats(0.001, 0.99))
def test_constraint_downdate_is_a_rank_one_downdate(ch, n, seed, cond, beta):
    rng = make_rng(seed)
    C = spd(n, seed, cond)
    A, _ = ch.axis_factor(C)
    v = rng.standard_normal(n)
    A1 = ch.constraint_downdate(A, v[None, :], beta)
    expect = C - (2 * beta - beta**2) * np.outer(v, v) / (v @ np.linalg.solve(C, v))
    np.testing.assert_allclose(A1 @ A1.T, expect, rtol=1e-7, atol=1e-9 * cond)
    V = rng.standard_normal((3, n))
    A3 = ch.constraint_downdate(A, V, beta)
    assert np.linalg.eigvalsh(A3 @ A3.T)[0] > 0
    # directions the constraint vectors cannot see (A^-1 u orthogonal to all w_j) stay
    W = np.linalg.solve(A, V.T)
    if n > 3:
        z_perp = np.linalg.svd(W.T)[2][3:].T
        np.testing.assert_allclose(A3 @ z_perp, A @ z_perp, rtol=1e-9, atol=1e-9 * cond)


@settings(max_examples=20)
@given(n=st.integers(1, 5), seed=seeds, c_v=st.floats(0.0, 1.0))
def test_constraint_vectors_fade(ch, n, seed, c_v):
    rng = make_rng(seed)
    V, y = rng.standard_normal((2, n)), rng.standard_normal(n)
    np.testing.assert_allclose(ch.constraint_vectors(V, y, c_v), (1 - c_v) * V + c_v * y)


# --- constraint handling pieces ------------------------------------------------------------


@settings(max_examples=25)
@given(n=st.integers(1, 5), seed=seeds, sigma=st.floats(0.01, 10.0), shift=st.floats(-3, 3))
def test_halfspace_probability_symmetry_and_invariance(ch, n, seed, sigma, shift):
    rng = make_rng(seed)
    C, m, a = spd(n, seed, 10.0), rng.standard_normal(n), rng.standard_normal(n)
    b = a @ m + shift * sigma * math.sqrt(a @ C @ a)
    p = ch.halfspace_probability(m, sigma, C, a, b)
    q = ch.halfspace_probability(m, sigma, C, -a, -b)
    np.testing.assert_allclose(p + q, 1.0, rtol=1e-12)
    p0 = ch.halfspace_probability(np.zeros(n), 1.0, C, a, (b - a @ m) / sigma)
    np.testing.assert_allclose(p, p0, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(p, norm.cdf(shift), rtol=1e-8, atol=1e-15)


@settings(max_examples=30)
@given(seed=seeds, k=st.integers(1, 15))
def test_feasibility_order_equals_deb_rules(ch, seed, k):
    rng = make_rng(seed)
    F = rng.integers(-2, 3, k).astype(float)
    viol = np.where(rng.random(k) < 0.5, 0.0, rng.integers(1, 3, k).astype(float))

    def deb(i, j):
        if viol[i] != viol[j]:
            return -1 if viol[i] < viol[j] else 1
        return int(F[i] > F[j]) - int(F[i] < F[j])

    brute = sorted(range(k), key=cmp_to_key(deb))
    order = ch.feasibility_order(F, viol)
    assert sorted(order) == list(range(k))
    np.testing.assert_array_equal(viol[order], viol[brute])
    np.testing.assert_array_equal(F[order], F[brute])


@settings(max_examples=15)
@given(seed=seeds, lam=st.integers(1, 12), offset=st.floats(-1.0, 1.0))
def test_sample_offspring_handlers(ch, seed, lam, offset):
    n = 3
    A = np.linalg.cholesky(spd(n, seed, 10.0))
    m = np.zeros(n)

    def g(x):
        return np.array([x[0] - offset, -50.0 - x[1]])

    Y, viol, A_out, draws = ch.sample_offspring(m, 1.0, A, lam, make_rng(seed), g)
    assert Y.shape == (lam, n) and draws >= lam and np.all(viol == 0)
    assert np.all(Y[:, 0] <= offset) and A_out is A
    Yp, violp, _, drawsp = ch.sample_offspring(m, 1.0, A, lam, make_rng(seed), g, "penalty")
    assert drawsp == lam and Yp.shape == (lam, n)
    expect = np.maximum(Yp[:, 0] - offset, 0) + np.maximum(-50.0 - Yp[:, 1], 0)
    np.testing.assert_allclose(violp, expect, rtol=1e-12, atol=1e-15)
    P = ch.default_parameters(n)
    V = np.zeros((2, n))
    Ya, _, A_act, drawsa = ch.sample_offspring(m, 1.0, A, lam, make_rng(seed), g, "active", V, P)
    assert np.all(Ya[:, 0] <= offset)
    if drawsa > lam:  # some draws violated g_0: its vector moved, the factor shrank
        assert np.any(V[0] != 0) and np.all(V[1] == 0)
        assert np.linalg.det(A_act @ A_act.T) < np.linalg.det(A @ A.T)


def test_sample_offspring_gives_up(ch):
    Y, _, _, draws = ch.sample_offspring(
        np.zeros(2), 1.0, np.eye(2), 5, make_rng(0), lambda x: [1.0], max_draws=50
    )
    assert len(Y) == 0 and draws == 50


# --- the public function ------------------------------------------------------------------


@settings(max_examples=6)
@given(n=st.integers(2, 6), seed=seeds, scale=st.floats(0.1, 3.0))
def test_cma_es_solves_sphere_and_keeps_records(ch, n, seed, scale):
    x0 = make_rng(seed).standard_normal(n) * scale
    r = ch.cma_es(sphere, x0, scale, max_evals=20_000, ftarget=1e-10, seed=seed)
    lam = ch.default_parameters(n).lam
    assert r.stop == "ftarget" and r.f_best <= 1e-10 and r.feasible
    np.testing.assert_allclose(r.f_best, sphere(r.x_best), rtol=1e-12)
    assert r.n_evals % lam == 0 and r.n_evals <= 20_000
    H = r.history
    k = len(H["f"])
    assert r.n_evals == H["n_evals"][-1] == k * lam
    assert H["eigvals"].shape == (k, n) and H["C"].shape == (k, n, n)
    assert np.all(np.diff(H["f"]) <= 0), "best value never increases"
    assert np.all(H["eigvals"][:, 0] > 0) and np.all(H["sigma"] > 0)
    np.testing.assert_allclose(H["eigvals"], np.linalg.eigvalsh(H["C"]), rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("transform", [lambda v: 3 * v - 2, lambda v: math.exp(v), np.cbrt])
def test_cma_es_sees_only_ranks(ch, transform):
    # an increasing transformation of f changes nothing: same samples, same ranking
    f = lambda x: ellipsoid(x, 100.0)  # noqa: E731
    r1 = ch.cma_es(f, np.ones(4), 0.5, max_evals=400, ftarget=-np.inf, seed=3)
    r2 = ch.cma_es(
        lambda x: transform(f(x)), np.ones(4), 0.5, max_evals=400, ftarget=-np.inf, seed=3
    )
    np.testing.assert_array_equal(r1.history["mean"], r2.history["mean"])
    np.testing.assert_array_equal(r1.x_best, r2.x_best)


def test_cma_es_deterministic_and_seed_sensitive(ch):
    a = ch.cma_es(sphere, np.ones(3), 1.0, max_evals=300, seed=5)
    b = ch.cma_es(sphere, np.ones(3), 1.0, max_evals=300, seed=5)
    c = ch.cma_es(sphere, np.ones(3), 1.0, max_evals=300, seed=6)
    np.testing.assert_array_equal(a.history["mean"], b.history["mean"])
    assert not np.array_equal(a.history["mean"], c.history["mean"])


def test_cma_es_from_the_optimum_and_budget(ch):
    r = ch.cma_es(sphere, np.zeros(5), 1e-3, max_evals=8, ftarget=1e-3)
    assert r.n_evals == 8 and r.stop == "ftarget"  # lambda = 8 in n = 5: one generation
    r = ch.cma_es(sphere, np.ones(5), 1.0, max_evals=20, ftarget=-np.inf)
    assert r.n_evals == 16 and r.stop == "max_evals"


@settings(max_examples=6)
@given(seed=seeds, k=st.integers(1, 3), handling=st.sampled_from(["penalty", "active"]))
def test_cma_es_linear_constraints_reach_the_projection(ch, seed, k, handling):
    n = 4
    Q = np.linalg.qr(make_rng(seed).standard_normal((n, n)))[0][:k]
    b = 1.0 + make_rng(seed + 1).random(k)
    x_star = Q.T @ b  # projection of 0 onto {Q x >= b}: orthonormal rows, all active

    def g(x):
        return b - Q @ x

    r = ch.cma_es(
        sphere,
        3 * x_star + 0.1,
        1.0,
        max_evals=20_000,
        ftarget=-np.inf,
        seed=seed,
        constraints=g,
        handling=handling,
    )
    assert r.feasible and np.all(g(r.x_best) <= 0)
    assert 0 <= r.f_best - b @ b <= 1e-6 * b @ b
    np.testing.assert_allclose(r.x_best, x_star, atol=1e-3)


def test_cma_es_resample_keeps_every_point_feasible(ch):
    g = lambda x: np.array([1.0 - x[0] - x[1]])  # noqa: E731
    r = ch.cma_es(
        sphere, [2.0, 2.0], 0.5, max_evals=600, ftarget=-np.inf, constraints=g, handling="resample"
    )
    assert r.feasible and r.n_constraint_evals >= r.n_evals + 1
    assert np.all(r.history["mean"].sum(axis=1) >= 1 - 1e-12), "convex: the mean stays in"


def test_cma_es_penalty_from_an_infeasible_start(ch):
    g = lambda x: np.array([1.0 - x[0]])  # noqa: E731
    r = ch.cma_es(
        sphere,
        [-3.0, 0.5],
        0.5,
        max_evals=3000,
        ftarget=-np.inf,
        constraints=g,
        handling="penalty",
    )
    assert r.feasible and g(r.x_best)[0] <= 0
    np.testing.assert_allclose(r.f_best, 1.0, rtol=1e-6)


def test_cma_es_reports_infeasible_result(ch):
    g = lambda x: np.array([1.0])  # never feasible  # noqa: E731
    r = ch.cma_es(
        sphere, [0.0, 0.0], 1.0, max_evals=60, ftarget=-np.inf, constraints=g, handling="penalty"
    )
    assert not r.feasible and np.all(np.isinf(r.history["f"]))


def test_cma_es_bad_input(ch):
    f, x0 = sphere, np.ones(3)
    check_raises(ch.cma_es, "sphere", x0, 1.0, match="f")
    check_raises(ch.cma_es, f, [1.0, np.nan, 0.0], 1.0, match="x0")
    check_raises(ch.cma_es, f, np.ones((2, 2)), 1.0, match="x0")
    check_raises(ch.cma_es, f, [1.0], 1.0, match="x0")
    check_raises(ch.cma_es, f, [], 1.0, match="x0")
    check_raises(ch.cma_es, f, "abc", 1.0, match="x0")
    check_raises(ch.cma_es, f, x0, 0.0, match="sigma0")
    check_raises(ch.cma_es, f, x0, -1.0, match="sigma0")
    check_raises(ch.cma_es, f, x0, np.inf, match="sigma0")
    check_raises(ch.cma_es, f, x0, 1.0, max_evals=100.0, match="max_evals")
    check_raises(ch.cma_es, f, x0, 1.0, max_evals=3, match="max_evals")
    check_raises(ch.cma_es, f, x0, 1.0, ftarget=np.nan, match="ftarget")
    check_raises(ch.cma_es, f, x0, 1.0, ftarget="low", match="ftarget")
    check_raises(ch.cma_es, f, x0, 1.0, seed=-1, match="seed")
    check_raises(ch.cma_es, f, x0, 1.0, seed=1.5, match="seed")
    check_raises(ch.cma_es, f, x0, 1.0, constraints=3, match="constraints")
    check_raises(
        ch.cma_es, f, x0, 1.0, constraints=lambda x: -x, handling="clip", match="handling"
    )
    check_raises(ch.cma_es, f, x0, 1.0, constraints=lambda x: 5 - x, match="x0")
    check_raises(ch.cma_es, f, x0, 1.0, constraints=lambda x: [np.nan], match="constraints")
    check_raises(ch.cma_es, lambda x: np.nan, x0, 1.0, match="f")
    bad_later = lambda x: np.array([np.nan]) if x[0] > 1.0 else -x  # noqa: E731
    check_raises(ch.cma_es, f, np.zeros(3), 1.0, constraints=bad_later, match="constraints")


@pytest.mark.parametrize("n", [2, 5])
def test_cma_es_runs_to_the_floating_point_resolution(ch, n):
    # without a target the run stops when the sampling ellipsoid is below 1e-12 of the scale
    r = ch.cma_es(sphere, np.ones(n), 1.0, max_evals=50_000, ftarget=-np.inf, seed=n)
    assert r.stop == "tolx"
    assert r.f_best < 1e-20
    sig, top = r.history["sigma"][-1], r.history["eigvals"][-1, -1]
    assert sig * math.sqrt(top) < 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_h_sigma_stalls_the_rank_one_path_on_a_linear_function(ch, seed):
    # On f(x) = x_1 the step size grows geometrically, |p_sigma| stays long and h_sigma = 0
    # stalls p_c: the rank-one term must not stretch C without bound along the slope.
    r = ch.cma_es(lambda x: x[0], np.zeros(5), 1.0, max_evals=320, ftarget=-np.inf, seed=seed)
    assert r.history["sigma"][-1] > 1e3, "sigma grows on a linear function"
    ev = r.history["eigvals"][-1]
    assert ev[-1] / ev[0] < 1e3


def test_covariance_learns_the_inverse_hessian(ch):
    # on a rotated ellipsoid (condition 1e6) C ends close to a multiple of H^-1: the
    # spectrum of C H is nearly flat although that of H spans six orders of magnitude
    n = 10
    R, _ = np.linalg.qr(make_rng(7).standard_normal((n, n)))
    r = ch.cma_es(lambda x: ellipsoid(R @ x), np.ones(n), 1.0, max_evals=20_000, ftarget=1e-8)
    L = np.linalg.cholesky(2 * R.T @ np.diag(1e6 ** (np.arange(n) / (n - 1))) @ R)
    ev = np.linalg.eigvalsh(L.T @ r.history["C"][-1] @ L)
    assert r.f_best <= 1e-8 and ev[-1] / ev[0] < 20
