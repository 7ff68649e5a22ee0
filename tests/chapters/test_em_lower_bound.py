"""Property tests of the em-lower-bound chapter's public API.

``gmm_loglik``, ``elbo`` and ``em_gmm`` are tried on sizes, dimensions, component counts,
seeds and covariance conditioning the chapter never uses, against independent routes
(scipy's multivariate normal, scikit-learn's ``GaussianMixture``, the KL identity of the
bound), invariances (permuting components, translating the data) and edge cases (one
sample, one component, a component far from all data, a constant feature, identical
components, an already converged fit). Bad input must fail with a ``ValueError`` or
``TypeError`` naming the argument.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("em-lower-bound")


seeds = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=25)
SLOW = settings(max_examples=10)


def _mixture(seed, K, d, log_cond=0.0):
    """Random weights (K,), means (K, d) and covariances (K, d, d) with condition ~10**log_cond."""
    rng = make_rng(seed)
    weights = rng.dirichlet(np.full(K, 2.0))
    means = rng.normal(scale=3.0, size=(K, d))
    Q = np.linalg.qr(rng.normal(size=(K, d, d)))[0]
    eig = np.logspace(0, -log_cond, d) * rng.uniform(0.5, 2.0, size=(K, 1))
    covs = np.einsum("kij,kj,klj->kil", Q, eig, Q)
    return weights, means, 0.5 * (covs + covs.transpose(0, 2, 1))


def _sample(seed, n, weights, means, covs):
    rng = make_rng(seed + 1)
    z = rng.choice(len(weights), size=n, p=weights)
    L = np.linalg.cholesky(covs)
    return means[z] + np.einsum("nij,nj->ni", L[z], rng.normal(size=(n, means.shape[1])))


def _log_joint_scipy(X, weights, means, covs):
    parts = zip(weights, means, covs, strict=True)
    cols = [np.log(w) + stats.multivariate_normal(m, c).logpdf(X) for w, m, c in parts]
    return np.column_stack(cols)


def _start(fit):
    return {"weights": fit.weights, "means": fit.means, "covs": fit.covs}


# ---------------------------------------------------------------- gmm_loglik and elbo


@FEW
@given(seeds, st.integers(1, 60), st.integers(1, 4), st.integers(1, 4), st.floats(0, 4))
def test_loglik_matches_scipy(ch, seed, n, K, d, log_cond):
    weights, means, covs = _mixture(seed, K, d, log_cond)
    X = _sample(seed, n, weights, means, covs)
    ref = special.logsumexp(_log_joint_scipy(X, weights, means, covs), axis=1).mean()
    assert ch.gmm_loglik(X, weights, means, covs) == pytest.approx(ref, rel=1e-9, abs=1e-9)


@FEW
@given(seeds, st.integers(1, 40), st.integers(2, 4), st.integers(1, 3))
def test_loglik_invariances(ch, seed, n, K, d):
    weights, means, covs = _mixture(seed, K, d)
    X = _sample(seed, n, weights, means, covs)
    ell = ch.gmm_loglik(X, weights, means, covs)
    perm = make_rng(seed).permutation(K)
    assert ch.gmm_loglik(X, weights[perm], means[perm], covs[perm]) == pytest.approx(ell)
    shift = make_rng(seed + 2).normal(size=d)
    assert ch.gmm_loglik(X + shift, weights, means + shift, covs) == pytest.approx(ell)
    # scaling x by c changes every density by c^{-d}: ell drops by d log c
    c = 3.0
    scaled = ch.gmm_loglik(c * X, weights, c * means, c**2 * covs)
    assert scaled == pytest.approx(ell - d * np.log(c), rel=1e-10, abs=1e-10)


@FEW
@given(seeds, st.integers(1, 40), st.integers(1, 4), st.integers(1, 3), st.floats(0.05, 5))
def test_elbo_is_loglik_minus_kl(ch, seed, n, K, d, conc):
    weights, means, covs = _mixture(seed, K, d)
    X = _sample(seed, n, weights, means, covs)
    log_joint = _log_joint_scipy(X, weights, means, covs)
    post = special.softmax(log_joint, axis=1)
    q = make_rng(seed + 3).dirichlet(np.full(K, conc), size=n)
    kl = special.rel_entr(q, post).sum(axis=1).mean()
    ell = ch.gmm_loglik(X, weights, means, covs)
    bound = ch.elbo(X, q, weights, means, covs)
    assert bound <= ell + 1e-12
    assert bound == pytest.approx(ell - kl, rel=1e-9, abs=1e-9)
    assert ch.elbo(X, post, weights, means, covs) == pytest.approx(ell, rel=1e-12, abs=1e-12)


@FEW
@given(seeds, st.integers(1, 30), st.integers(2, 4))
def test_elbo_with_hard_assignments(ch, seed, n, K):
    # one-hot q (0 log 0 = 0): the bound is the complete-data log-likelihood of the labels
    weights, means, covs = _mixture(seed, K, 2)
    X = _sample(seed, n, weights, means, covs)
    labels = make_rng(seed).integers(K, size=n)
    log_joint = _log_joint_scipy(X, weights, means, covs)
    ref = log_joint[np.arange(n), labels].mean()
    got = ch.elbo(X, np.eye(K)[labels], weights, means, covs)
    assert got == pytest.approx(ref, rel=1e-10, abs=1e-10)


# ---------------------------------------------------------------- em_gmm


def _blobs(seed, n, K, d):
    weights, means, covs = _mixture(seed, K, d)
    return _sample(seed, n, weights, 2 * means, covs)


@SLOW
@given(seeds, st.integers(1, 3), st.integers(1, 3))
def test_em_never_decreases_and_is_consistent(ch, seed, K, d):
    X = _blobs(seed, 40 * K, K, d)
    fit = ch.em_gmm(X, K, n_iter=40, tol=0.0, seed=seed % 1000, reg_covar=0.0)
    assert np.all(np.diff(fit.loglik_history) >= -1e-10)
    assert fit.iterations == 40 and fit.loglik_history.size == 41
    # the record describes its own parameters
    ref = special.logsumexp(_log_joint_scipy(X, fit.weights, fit.means, fit.covs), axis=1)
    assert fit.loglik_history[-1] == pytest.approx(ref.mean(), rel=1e-10)
    post = special.softmax(_log_joint_scipy(X, fit.weights, fit.means, fit.covs), axis=1)
    np.testing.assert_allclose(fit.resp, post, rtol=1e-8, atol=1e-12)
    assert fit.weights.sum() == pytest.approx(1.0, abs=1e-12)


@SLOW
@given(seeds, st.integers(1, 5))
def test_iterations_compose(ch, seed, T):
    # T iterations at once = T single iterations; the count is exact
    X = _blobs(seed, 60, 2, 2)
    fit = ch.em_gmm(X, 2, n_iter=T, tol=0.0, seed=3)
    step = ch.em_gmm(X, 2, n_iter=0, seed=3)
    assert step.iterations == 0 and step.loglik_history.size == 1
    for _ in range(T):
        step = ch.em_gmm(X, 2, n_iter=1, tol=0.0, init=_start(step))
        assert step.iterations == 1
    assert fit.iterations == T and fit.loglik_history.size == T + 1
    np.testing.assert_allclose(fit.covs, step.covs, rtol=1e-12)
    np.testing.assert_allclose(fit.loglik_history[-1], step.loglik_history[-1], rtol=1e-13)


@SLOW
@given(seeds, st.integers(1, 3), st.integers(1, 3), st.integers(1, 6))
def test_em_matches_sklearn(ch, seed, K, d, n_iter):
    X = _blobs(seed, 50 * K, K, d)
    rng = make_rng(seed)
    init = {
        "weights": np.full(K, 1.0 / K),
        "means": X[rng.choice(len(X), K, replace=False)],
        "covs": np.stack([np.cov(X.T, bias=True).reshape(d, d) + 0.1 * np.eye(d)] * K),
    }
    ours = ch.em_gmm(X, K, n_iter=n_iter, tol=0.0, init=init)
    gm = GaussianMixture(
        K,
        covariance_type="full",
        max_iter=n_iter,
        tol=0.0,
        reg_covar=1e-6,
        weights_init=init["weights"],
        means_init=init["means"],
        precisions_init=np.linalg.inv(init["covs"]),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    assert ours.iterations == gm.n_iter_
    np.testing.assert_allclose(ours.weights, gm.weights_, rtol=1e-9)
    np.testing.assert_allclose(ours.means, gm.means_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.covs, gm.covariances_, rtol=1e-9, atol=1e-14)
    assert ours.loglik_history[-1] == pytest.approx(gm.score(X), rel=1e-11)


@FEW
@given(seeds, st.integers(1, 20), st.integers(1, 3))
def test_one_component_is_the_gaussian_mle(ch, seed, n, d):
    X = make_rng(seed).normal(size=(n, d)) * np.arange(1, d + 1)
    fit = ch.em_gmm(X, 1, n_iter=3, tol=0.0)
    cov = np.cov(X.T, bias=True).reshape(d, d) + 1e-6 * np.eye(d)
    np.testing.assert_allclose(fit.means[0], X.mean(axis=0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fit.covs[0], cov, rtol=1e-9, atol=1e-15)
    assert fit.weights[0] == pytest.approx(1.0)
    assert np.ptp(fit.loglik_history[1:]) <= 1e-12  # fixed after one step


def test_one_sample(ch):
    fit = ch.em_gmm(np.array([[1.0, -2.0]]), 1, n_iter=5)
    np.testing.assert_allclose(fit.means, [[1.0, -2.0]])
    np.testing.assert_allclose(fit.covs[0], 1e-6 * np.eye(2), atol=1e-20)
    check_raises(ch.em_gmm, np.array([[1.0, -2.0]]), 1, reg_covar=0.0, match="reg_covar")


@FEW
@given(seeds, st.integers(1, 3))
def test_constant_feature_fits_with_reg_covar(ch, seed, K):
    X = _blobs(seed, 30 * K, K, 2)
    X = np.column_stack([X, np.full(len(X), 7.0)])
    fit = ch.em_gmm(X, K, n_iter=10, seed=1)
    assert np.all(np.isfinite(fit.loglik_history))
    np.testing.assert_allclose(fit.means[:, 2], 7.0)
    np.testing.assert_allclose(fit.covs[:, 2, 2], 1e-6, rtol=1e-6)
    check_raises(ch.em_gmm, X, K, reg_covar=0.0, match="reg_covar")


@FEW
@given(seeds, st.integers(2, 4), st.floats(1e2, 1e4))
def test_empty_component_is_kept_and_reported(ch, seed, K, distance):
    X = _blobs(seed, 40, 1, 2)
    far_mean = np.array([distance, -distance])
    init = {
        "weights": np.r_[np.full(K - 1, 0.9 / (K - 1)), 0.1],
        "means": np.vstack([X[: K - 1], far_mean]),
        "covs": np.stack([np.eye(2)] * K),
    }
    fit = ch.em_gmm(X, K, n_iter=15, tol=0.0, init=init)
    assert fit.empty_components == (K - 1,)
    np.testing.assert_array_equal(fit.means[K - 1], far_mean)
    np.testing.assert_array_equal(fit.covs[K - 1], np.eye(2))
    assert np.all(np.diff(fit.loglik_history) >= -1e-10)
    assert np.all(np.isfinite(fit.weights)) and fit.weights[K - 1] < 1e-15
    # no component is empty in an ordinary fit
    assert ch.em_gmm(X, 1, n_iter=3).empty_components == ()


@FEW
@given(seeds, st.integers(2, 4))
def test_identical_components_stay_identical(ch, seed, K):
    X = _blobs(seed, 60, 2, 2)
    one = ch.em_gmm(X, 1, n_iter=1, reg_covar=0.0)
    same = {
        "weights": np.full(K, 1.0 / K),
        "means": np.repeat(one.means, K, axis=0),
        "covs": np.repeat(one.covs, K, axis=0),
    }
    fit = ch.em_gmm(X, K, n_iter=10, tol=0.0, init=same, reg_covar=0.0)
    np.testing.assert_allclose(fit.means, same["means"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fit.resp, 1.0 / K, rtol=1e-12)


@FEW
@given(seeds, st.integers(2, 3))
def test_permuted_start_permutes_the_fit(ch, seed, K):
    X = _blobs(seed, 30 * K, K, 2)
    start = _start(ch.em_gmm(X, K, n_iter=0, seed=1))
    perm = make_rng(seed).permutation(K)
    a = ch.em_gmm(X, K, n_iter=5, tol=0.0, init=start)
    b = ch.em_gmm(X, K, n_iter=5, tol=0.0, init={k: v[perm] for k, v in start.items()})
    np.testing.assert_allclose(b.means, a.means[perm], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.loglik_history, a.loglik_history, rtol=1e-12)


def test_converged_start_stops_at_once(ch):
    X = _blobs(5, 200, 2, 2)
    fit = ch.em_gmm(X, 2, n_iter=2000, tol=1e-13, reg_covar=0.0, seed=2)
    assert fit.converged
    again = ch.em_gmm(X, 2, n_iter=50, tol=1e-12, init=_start(fit), reg_covar=0.0)
    assert again.converged and again.iterations == 1
    assert abs(again.loglik_history[-1] - fit.loglik_history[-1]) < 1e-12
    # tol = 0 never stops early; n_iter = 0 only evaluates the start
    assert not ch.em_gmm(X, 2, n_iter=3, tol=0.0).converged
    assert ch.em_gmm(X, 2, n_iter=0).iterations == 0


def test_init_is_not_modified(ch):
    X = _blobs(1, 50, 2, 2)
    start = _start(ch.em_gmm(X, 2, n_iter=0))
    copy = {k: v.copy() for k, v in start.items()}
    ch.em_gmm(X, 2, n_iter=5, init=start)
    for key in start:
        np.testing.assert_array_equal(start[key], copy[key])


# ---------------------------------------------------------------- bad input


def test_bad_input(ch):
    X = _blobs(0, 30, 2, 2)
    w, m, c = _mixture(0, 2, 2)
    resp = np.full((30, 2), 0.5)
    for fn in (ch.gmm_loglik, lambda *a: ch.elbo(a[0], resp, *a[1:])):
        check_raises(fn, X[:, 0], w, m, c, match="X")
        check_raises(fn, np.where(X > 1, np.nan, X), w, m, c, match="X")
        check_raises(fn, np.empty((0, 2)), w, m, c, match="X")
        check_raises(fn, [["a", "b"]], w, m, c, match="X")
        check_raises(fn, X, [0.5, 0.6], m, c, match="weights")
        check_raises(fn, X, [1.5, -0.5], m, c, match="weights")
        check_raises(fn, X, w, m[:, :1], c, match="means")
        check_raises(fn, X, w, m, c[:1], match="covs")
        check_raises(fn, X, w, m, -c, match="covs")
        check_raises(fn, X, w, m, c + np.array([[0, 1.0], [0, 0]]), match="covs")
        check_raises(fn, X, w, m, np.full_like(c, np.inf), match="covs")
    # a covariance asymmetric by 1e-6 of its size is refused; round-off asymmetry is not
    bent = c.copy()
    bent[0, 0, 1] += 1e-6 * np.abs(c).max()
    check_raises(ch.gmm_loglik, X, w, m, bent, match="covs")
    bent[0, 0, 1] = c[0, 0, 1] * (1 + 1e-14)
    assert np.isfinite(ch.gmm_loglik(X, w, m, bent))
    check_raises(ch.elbo, X, np.ones((30, 2)), w, m, c, match="resp")
    check_raises(ch.elbo, X, np.tile([1.5, -0.5], (30, 1)), w, m, c, match="resp")
    check_raises(ch.elbo, X, resp[:5], w, m, c, match="resp")
    check_raises(ch.elbo, X, np.full((30, 2), np.nan), w, m, c, match="resp")
    check_raises(ch.em_gmm, X, 0, match="n_components")
    check_raises(ch.em_gmm, X, 31, match="n_components")
    check_raises(ch.em_gmm, X, 2.5, match="n_components")
    check_raises(ch.em_gmm, X, True, match="n_components")
    check_raises(ch.em_gmm, X, 2, n_iter=-1, match="n_iter")
    check_raises(ch.em_gmm, X, 2, n_iter=1.5, match="n_iter")
    check_raises(ch.em_gmm, X, 2, tol="small", match="tol")
    check_raises(ch.em_gmm, X, 2, tol=-1.0, match="tol")
    check_raises(ch.em_gmm, X, 2, tol=np.nan, match="tol")
    check_raises(ch.em_gmm, X, 2, reg_covar=np.inf, match="reg_covar")
    check_raises(ch.em_gmm, X, 2, reg_covar=-1e-6, match="reg_covar")
    check_raises(ch.em_gmm, X, 2, seed=-1, match="seed")
    check_raises(ch.em_gmm, X, 2, seed="a", match="seed")
    check_raises(ch.em_gmm, X, 2, init=[0.5, 0.5], match="init")
    check_raises(ch.em_gmm, X, 2, init={"weights": w}, match="init")
    check_raises(ch.em_gmm, X, 3, init={"weights": w, "means": m, "covs": c}, match="init")
    check_raises(ch.em_gmm, X, 2, init={"weights": w, "means": m, "covs": -c}, match="covs")
    check_raises(ch.em_gmm, np.full((5, 2), np.inf), 2, match="X")
    # a matrix of numpy integers is accepted, as are numpy integer counts
    assert np.isfinite(ch.em_gmm(np.arange(12).reshape(6, 2) ** 2, np.int64(2)).iterations)
