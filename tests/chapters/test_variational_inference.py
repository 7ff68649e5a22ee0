"""Property tests of the variational inference chapter's public API
(notebooks/inference/variational-inference.md).

cavi_gmm is checked against the exact posterior and evidence (one component), brute-force
enumeration of the ELBO, monotonicity and permutation invariance; elbo_grad_score and
elbo_grad_reparam against the analytic ELBO gradient of Gaussian targets, exact identities for
linear and matched targets, and reproducibility. Bad input must raise errors naming the
argument.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mlnotes_helpers import check_raises, load_chapter


@pytest.fixture(scope="module")
def ch():
    return load_chapter("variational-inference")


seeds = st.integers(0, 2**32 - 1)
prior_vars = st.sampled_from([0.05, 1.0, 30.0])


def mixture_data(seed, n, spread=3.0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, spread, size=3)
    return centres[rng.integers(3, size=n)] + rng.standard_normal(n)


def brute_force_elbo(x, m, s2, phi, prior_var):
    """ELBO by enumerating assignments and Gauss-Hermite quadrature over the means."""
    n, K = phi.shape
    nodes, weights = np.polynomial.hermite_e.hermegauss(3)
    grid = np.array(list(itertools.product(nodes, repeat=K)))
    mus = m + np.sqrt(s2) * grid
    w = np.prod(list(itertools.product(weights / weights.sum(), repeat=K)), axis=1)
    log_q_mu = stats.norm.logpdf(mus, m, np.sqrt(s2)).sum(axis=1)
    log_prior = stats.norm.logpdf(mus, 0.0, np.sqrt(prior_var)).sum(axis=1)
    total = 0.0
    for c in itertools.product(range(K), repeat=n):
        q_c = np.prod(phi[np.arange(n), c])
        if q_c == 0.0:
            continue
        log_p = log_prior - n * np.log(K) + stats.norm.logpdf(x, mus[:, c]).sum(axis=1)
        total += q_c * (w @ (log_p - log_q_mu - np.log(q_c)))
    return total


# --- cavi_gmm -----------------------------------------------------------------------


@settings(max_examples=30)
@given(seed=seeds, n=st.integers(1, 60), K=st.integers(1, 5), pv=prior_vars, init=seeds)
def test_cavi_is_monotone_and_self_consistent(ch, seed, n, K, pv, init):
    x = mixture_data(seed, n)
    m, s2, phi, hist = ch.cavi_gmm(x, K, pv, n_iter=20, seed=init)
    assert m.shape == (K,) and s2.shape == (K,) and phi.shape == (n, K)
    assert hist.shape == (20,) and np.all(np.isfinite(hist))
    np.testing.assert_allclose(phi.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(phi >= 0)
    assert np.all(np.diff(hist) >= -1e-10 * np.abs(hist).max())
    # the returned factors are the closed-form updates given the returned phi
    np.testing.assert_allclose(s2, 1.0 / (1.0 / pv + phi.sum(axis=0)), rtol=1e-12)
    np.testing.assert_allclose(m, s2 * (x @ phi), rtol=1e-10, atol=1e-12)


@settings(max_examples=20)
@given(
    seed=seeds, n=st.integers(1, 4), K=st.integers(1, 3), pv=prior_vars, iters=st.integers(1, 5)
)
def test_cavi_elbo_matches_brute_force(ch, seed, n, K, pv, iters):
    x = mixture_data(seed, n)
    m, s2, phi, hist = ch.cavi_gmm(x, K, pv, n_iter=iters, seed=seed % 1000)
    np.testing.assert_allclose(hist[-1], brute_force_elbo(x, m, s2, phi, pv), rtol=1e-9)


@settings(max_examples=25)
@given(seed=seeds, n=st.integers(1, 40), pv=prior_vars)
def test_one_component_is_exact(ch, seed, n, pv):
    # With K = 1 the assignments are known, q(mu) is the exact posterior and ELBO = log p(x).
    x = mixture_data(seed, n)
    m, s2, phi, hist = ch.cavi_gmm(x, 1, pv, n_iter=2, seed=0)
    v = 1.0 / (1.0 / pv + n)
    np.testing.assert_allclose(s2, [v], rtol=1e-12)
    np.testing.assert_allclose(m, [v * x.sum()], rtol=1e-10, atol=1e-12)
    log_evidence = stats.multivariate_normal(np.zeros(n), np.eye(n) + pv).logpdf(x)
    np.testing.assert_allclose(hist, log_evidence, rtol=1e-10)


@settings(max_examples=15)
@given(seed=seeds, n=st.integers(2, 40), K=st.integers(1, 4), pv=prior_vars)
def test_cavi_permutation_invariant(ch, seed, n, K, pv):
    x = mixture_data(seed, n)
    perm = np.random.default_rng(seed).permutation(n)
    m, s2, phi, hist = ch.cavi_gmm(x, K, pv, n_iter=15, seed=3)
    m_p, s2_p, phi_p, hist_p = ch.cavi_gmm(x[perm], K, pv, n_iter=15, seed=3)
    np.testing.assert_allclose(m_p, m, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(s2_p, s2, rtol=1e-8)
    np.testing.assert_allclose(phi_p, phi[perm], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(hist_p, hist, rtol=1e-10)


def test_cavi_separated_clusters(ch):
    x = np.r_[np.full(50, -10.0), np.full(50, 10.0)] + np.linspace(-0.5, 0.5, 100)
    best = max(
        (ch.cavi_gmm(x, 2, 100.0, n_iter=30, seed=s) for s in range(5)), key=lambda r: r[3][-1]
    )
    # assignments are certain, so each factor is the exact posterior of its cluster's mean
    exact = [x[:50].sum() / (1 / 100.0 + 50), x[50:].sum() / (1 / 100.0 + 50)]
    np.testing.assert_allclose(np.sort(best[0]), exact, rtol=1e-10)
    np.testing.assert_allclose(best[1], 1 / (1 / 100.0 + 50), rtol=1e-10)


def test_cavi_bad_input(ch):
    x = np.array([0.0, 1.0, 2.0])
    check_raises(ch.cavi_gmm, x[:, None], 2, 1.0, match="x")
    check_raises(ch.cavi_gmm, np.array([0.0, np.nan]), 2, 1.0, match="x")
    check_raises(ch.cavi_gmm, np.array([]), 2, 1.0, match="x")
    check_raises(ch.cavi_gmm, "abc", 2, 1.0, match="x")
    check_raises(ch.cavi_gmm, x, 0, 1.0, match="n_components")
    check_raises(ch.cavi_gmm, x, 2.0, 1.0, match="n_components")
    check_raises(ch.cavi_gmm, x, 2, 0.0, match="prior_var")
    check_raises(ch.cavi_gmm, x, 2, -1.0, match="prior_var")
    check_raises(ch.cavi_gmm, x, 2, np.inf, match="prior_var")
    check_raises(ch.cavi_gmm, x, 2, 1.0, n_iter=0, match="n_iter")
    check_raises(ch.cavi_gmm, x, 2, 1.0, seed=-1, match="seed")
    check_raises(ch.cavi_gmm, x, 2, 1.0, seed=1.5, match="seed")


# --- gradient estimators ------------------------------------------------------------


def gaussian_target(seed, d):
    """log N(z | b, diag c) for rows of Z, its gradient, and the exact ELBO gradient."""
    rng = np.random.default_rng(seed)
    b, c = rng.normal(size=d), np.exp(rng.uniform(-1, 1, size=d))

    def log_joint(Z):
        return stats.norm.logpdf(Z, b, np.sqrt(c)).sum(axis=1)

    def grad_log_joint(Z):
        return -(Z - b) / c

    def exact(mu, log_sigma):
        return -(mu - b) / c, 1.0 - np.exp(2 * log_sigma) / c

    return b, c, log_joint, grad_log_joint, exact


def repeated(estimator, reps, rng):
    draws = np.array([np.hstack(estimator(rng)) for _ in range(reps)])
    return draws.mean(axis=0), draws.std(axis=0) / np.sqrt(reps)


@settings(max_examples=10)
@given(seed=seeds, d=st.integers(1, 4))
def test_both_estimators_are_unbiased(ch, seed, d):
    b, c, lj, glj, exact = gaussian_target(seed, d)
    rng = np.random.default_rng(seed + 1)
    mu, ls = rng.normal(size=d), rng.uniform(-1.0, 0.5, size=d)
    ref = np.hstack(exact(mu, ls))
    for est in (
        lambda r: ch.elbo_grad_score(lj, mu, ls, 20, r),
        lambda r: ch.elbo_grad_reparam(lj, glj, mu, ls, 20, r),
    ):
        mean, se = repeated(est, 200, rng)
        assert np.all(np.abs(mean - ref) <= 5 * se + 1e-12)


@settings(max_examples=20)
@given(seed=seeds, d=st.integers(1, 5), S=st.integers(1, 30))
def test_reparam_exact_on_linear_log_joint(ch, seed, d, S):
    # log p = a^T z: the pathwise mu-gradient is a for every draw.
    rng = np.random.default_rng(seed)
    a, mu, ls = rng.normal(size=(3, d))
    g_mu, g_ls = ch.elbo_grad_reparam(
        lambda Z: Z @ a, lambda Z: np.tile(a, (len(Z), 1)), mu, ls, S, rng
    )
    np.testing.assert_allclose(g_mu, a, rtol=1e-12, atol=1e-15)
    assert g_ls.shape == (d,) and np.all(np.isfinite(g_ls))


@settings(max_examples=20)
@given(seed=seeds, d=st.integers(1, 5), S=st.integers(1, 30))
def test_score_vanishes_when_q_is_the_target(ch, seed, d, S):
    # Already optimal: log p - log q = 0 for every draw, so every estimate is exactly zero.
    b, c, lj, _, _ = gaussian_target(seed, d)
    g_mu, g_ls = ch.elbo_grad_score(lj, b, 0.5 * np.log(c), S, np.random.default_rng(seed))
    np.testing.assert_allclose(g_mu, 0.0, atol=1e-10)
    np.testing.assert_allclose(g_ls, 0.0, atol=1e-10)


@settings(max_examples=20)
@given(seed=seeds, d=st.integers(1, 4), S=st.integers(1, 20))
def test_estimators_match_their_formulas_on_reproduced_draws(ch, seed, d, S):
    b, c, lj, glj, _ = gaussian_target(seed, d)
    rng = np.random.default_rng(seed)
    mu, ls = rng.normal(size=d), rng.uniform(-1, 1, size=d)
    eps = np.random.default_rng(seed + 7).standard_normal((S, d))
    z, sigma = mu + np.exp(ls) * eps, np.exp(ls)
    f = lj(z) - stats.norm.logpdf(z, mu, sigma).sum(axis=1)
    s_mu, s_ls = ch.elbo_grad_score(lj, mu, ls, S, np.random.default_rng(seed + 7))
    np.testing.assert_allclose(s_mu, (eps / sigma * f[:, None]).mean(0), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(s_ls, ((eps**2 - 1) * f[:, None]).mean(0), rtol=1e-9, atol=1e-12)
    r_mu, r_ls = ch.elbo_grad_reparam(lj, glj, mu, ls, S, np.random.default_rng(seed + 7))
    g = glj(z)
    np.testing.assert_allclose(r_mu, g.mean(0), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(r_ls, (g * sigma * eps).mean(0) + 1, rtol=1e-12, atol=1e-14)


def test_reparam_has_lower_variance_near_the_target(ch):
    b, c, lj, glj, _ = gaussian_target(11, 3)
    rng = np.random.default_rng(0)
    mu, ls = b + 0.3, 0.5 * np.log(c) - 0.2
    score = np.array([np.hstack(ch.elbo_grad_score(lj, mu, ls, 5, rng)) for _ in range(300)])
    reparam = np.array(
        [np.hstack(ch.elbo_grad_reparam(lj, glj, mu, ls, 5, rng)) for _ in range(300)]
    )
    assert reparam.var(axis=0).sum() < score.var(axis=0).sum()


def test_estimators_bad_input(ch):
    _, _, lj, glj, _ = gaussian_target(0, 2)
    rng = np.random.default_rng(0)
    mu, ls = np.zeros(2), np.zeros(2)
    for est, extra in ((ch.elbo_grad_score, ()), (ch.elbo_grad_reparam, (glj,))):
        check_raises(est, "not callable", *extra, mu, ls, 4, rng, match="log_joint")
        check_raises(est, lj, *extra, np.array([0.0, np.nan]), ls, 4, rng, match="mu")
        check_raises(est, lj, *extra, np.zeros((2, 2)), ls, 4, rng, match="mu")
        check_raises(est, lj, *extra, np.array([]), np.array([]), 4, rng, match="mu")
        check_raises(est, lj, *extra, mu, np.zeros(3), 4, rng, match="log_sigma")
        check_raises(est, lj, *extra, mu, np.array([0.0, np.inf]), 4, rng, match="log_sigma")
        check_raises(est, lj, *extra, mu, ls, 0, rng, match="n_samples")
        check_raises(est, lj, *extra, mu, ls, 2.5, rng, match="n_samples")
        check_raises(est, lj, *extra, mu, ls, 4, 0, match="rng")
    check_raises(
        ch.elbo_grad_score, lambda Z: np.zeros(len(Z) + 1), mu, ls, 4, rng, match="log_joint"
    )
    check_raises(
        ch.elbo_grad_score, lambda Z: np.full(len(Z), np.nan), mu, ls, 4, rng, match="log_joint"
    )
    check_raises(ch.elbo_grad_reparam, lj, "no", mu, ls, 4, rng, match="grad_log_joint")
    check_raises(
        ch.elbo_grad_reparam, lj, lambda Z: Z[:, :1], mu, ls, 4, rng, match="grad_log_joint"
    )
    check_raises(
        ch.elbo_grad_reparam, lj, lambda Z: Z * np.nan, mu, ls, 4, rng, match="grad_log_joint"
    )
