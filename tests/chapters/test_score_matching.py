"""Property tests of the score-matching chapter's public API.

``gmm_logpdf``, ``noised_gmm_score``, ``esm_loss``, ``dsm_loss`` and ``fit_linear_score``
are tried on dimensions, component counts, seeds and noise levels the chapter never uses,
against independent routes (SciPy densities, finite differences, the normal equations),
identities (DSM is ESM with the kernel score as target; translation equivariance of the
score) and edge cases (one sample, one component, atoms, rank-deficient features, an exact
linear score). Bad input must fail with a ``ValueError``/``TypeError`` naming the argument.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("score-matching")


seeds = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=15, deadline=None)


def random_gmm(rng, k, d, scale=1.0):
    w = rng.uniform(0.2, 1.0, k)
    w /= w.sum()
    means = rng.normal(size=(k, d)) * 2
    a = rng.normal(size=(k, d, d))
    covs = scale * (a @ a.transpose(0, 2, 1) / d + 0.1 * np.eye(d))
    return w, means, covs


@FEW
@given(seeds, st.integers(1, 4), st.integers(1, 4), st.integers(1, 30))
def test_logpdf_matches_scipy(ch, seed, k, d, n):
    rng = make_rng(seed)
    w, m, c = random_gmm(rng, k, d)
    x = rng.normal(size=(n, d)) * 2
    ref = np.log(
        sum(
            wi * stats.multivariate_normal(mi, ci).pdf(x).reshape(n)
            for wi, mi, ci in zip(w, m, c, strict=True)
        )
    )
    np.testing.assert_allclose(ch.gmm_logpdf(x, w, m, c), ref, rtol=1e-9, atol=1e-12)


@FEW
@given(seeds, st.integers(1, 4))
def test_logpdf_permutation_invariant(ch, seed, k):
    rng = make_rng(seed)
    w, m, c = random_gmm(rng, k, 2)
    x = rng.normal(size=(7, 2))
    p = rng.permutation(k)
    np.testing.assert_allclose(
        ch.gmm_logpdf(x, w, m, c), ch.gmm_logpdf(x, w[p], m[p], c[p]), rtol=1e-12
    )


@FEW
@given(seeds, st.integers(1, 3), st.integers(1, 3), st.floats(0.0, 2.0))
def test_score_is_gradient_of_blurred_logpdf(ch, seed, k, d, sigma):
    rng = make_rng(seed)
    w, m, c = random_gmm(rng, k, d)
    x = rng.normal(size=(5, d)) * 2
    cb = c + sigma**2 * np.eye(d)
    h = 1e-5
    fd = np.stack(
        [
            (ch.gmm_logpdf(x + h * e, w, m, cb) - ch.gmm_logpdf(x - h * e, w, m, cb)) / (2 * h)
            for e in np.eye(d)
        ],
        axis=1,
    )
    got = ch.noised_gmm_score(x, w, m, c, sigma)
    np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-6)


@FEW
@given(seeds, st.floats(0.1, 2.0))
def test_score_translation_equivariant_and_atoms(ch, seed, sigma):
    rng = make_rng(seed)
    w, m, _ = random_gmm(rng, 3, 2)
    atoms = np.zeros((3, 2, 2))
    x, shift = rng.normal(size=(6, 2)), rng.normal(size=2)
    a = ch.noised_gmm_score(x, w, m, atoms, sigma)
    b = ch.noised_gmm_score(x + shift, w, m + shift, atoms, sigma)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    # one atom: the blurred score is -(x - mu) / sigma^2 exactly
    one = ch.noised_gmm_score(x, [1.0], m[:1], atoms[:1], sigma)
    np.testing.assert_allclose(one, -(x - m[0]) / sigma**2, rtol=1e-10)


@FEW
@given(seeds, st.integers(1, 20), st.integers(1, 4), st.floats(0.05, 3.0))
def test_dsm_is_esm_with_kernel_target(ch, seed, n, d, sigma):
    rng = make_rng(seed)
    x, z = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    a = rng.normal(size=(d, d))

    def model(u):
        return np.tanh(u @ a)

    dsm = ch.dsm_loss(model, x, sigma, z)
    esm = ch.esm_loss(model, x + sigma * z, -z / sigma)
    np.testing.assert_allclose(dsm, esm, rtol=1e-12)
    brute = np.mean(
        [
            0.5 * np.sum((model((xi + sigma * zi)[None])[0] + zi / sigma) ** 2)
            for xi, zi in zip(x, z, strict=True)
        ]
    )
    np.testing.assert_allclose(dsm, brute, rtol=1e-12)
    assert dsm >= 0


@FEW
@given(seeds, st.integers(1, 10))
def test_esm_callable_equals_array(ch, seed, n):
    rng = make_rng(seed)
    xt = rng.normal(size=(n, 2))

    def target(u):
        return -u

    def model(u):
        return 0.5 * u

    assert ch.esm_loss(model, xt, target) == ch.esm_loss(model, xt, target(xt))
    assert ch.esm_loss(target, xt, target) == 0.0


def rbf_features(centers, width):
    def features(x):
        diff = x[:, None, :] - centers[None]
        phi = np.exp(-0.5 * np.sum(diff**2, axis=2) / width**2)
        return (-(diff / width**2) * phi[:, :, None]).transpose(0, 2, 1)

    return features


@FEW
@given(seeds, st.integers(1, 50), st.integers(1, 3), st.floats(0.1, 2.0), st.integers(1, 3))
def test_fit_solves_normal_equations(ch, seed, n, d, sigma, r):
    rng = make_rng(seed)
    feats = rbf_features(rng.normal(size=(4, d)), 1.0)
    x = rng.normal(size=(n, d))
    theta = ch.fit_linear_score(feats, x, sigma, make_rng(seed), n_noise=r)
    z = make_rng(seed).standard_normal((r, n, d)).reshape(-1, d)
    phi = feats(np.tile(x, (r, 1)) + sigma * z).reshape(-1, 4)
    grad = phi.T @ (phi @ theta + (z / sigma).ravel())
    assert np.linalg.norm(grad) <= 1e-8 * (1 + np.linalg.norm(phi.T @ z.ravel()) / sigma)


@FEW
@given(seeds, st.integers(5, 40), st.floats(0.1, 2.0))
def test_esm_recovers_exact_linear_score(ch, seed, n, sigma):
    rng = make_rng(seed)
    feats = rbf_features(rng.normal(size=(3, 2)), 1.5)
    star = rng.normal(size=3)
    x = rng.normal(size=(n, 2))
    theta = ch.fit_linear_score(feats, x, sigma, rng, "esm", true_score=lambda u: feats(u) @ star)
    np.testing.assert_allclose(theta, star, rtol=1e-6, atol=1e-6)


@FEW
@given(seeds)
def test_rank_deficient_features_give_min_norm(ch, seed):
    rng = make_rng(seed)
    base = rbf_features(rng.normal(size=(2, 2)), 1.0)

    def feats(u):
        f = base(u)
        return np.concatenate([f, f[:, :, :1]], axis=2)  # a duplicated column

    x = rng.normal(size=(30, 2))
    theta = ch.fit_linear_score(feats, x, 0.5, make_rng(seed))
    assert np.all(np.isfinite(theta))
    np.testing.assert_allclose(theta[0], theta[2], rtol=1e-8, atol=1e-10)


def test_one_sample(ch):
    feats = rbf_features(np.zeros((1, 1)), 1.0)
    theta = ch.fit_linear_score(feats, [[0.3]], 0.5, make_rng(0))
    assert theta.shape == (1,) and np.isfinite(theta[0])


def test_bad_input(ch):
    w, m, c = np.array([0.4, 0.6]), np.zeros((2, 2)), np.stack([np.eye(2)] * 2)
    x = np.zeros((3, 2))
    check_raises(ch.gmm_logpdf, np.zeros(3), w, m, c, match="x")
    check_raises(ch.gmm_logpdf, x, [0.5, 0.6], m, c, match="weights")
    check_raises(ch.gmm_logpdf, x, [-0.4, 1.4], m, c, match="weights")
    check_raises(ch.gmm_logpdf, x, w, np.zeros((2, 3)), c, match="means")
    check_raises(ch.gmm_logpdf, x, w, m, np.zeros((2, 2, 2)), match="covs")
    check_raises(ch.gmm_logpdf, [[np.nan, 0.0]], w, m, c, match="x")
    bad = c.copy()
    bad[0, 0, 1] = 0.5
    check_raises(ch.gmm_logpdf, x, w, m, bad, match="covs")
    check_raises(ch.noised_gmm_score, x, w, m, c, -1.0, match="sigma")
    check_raises(ch.noised_gmm_score, x, w, m, np.zeros((2, 2, 2)), 0.0, match="sigma")
    check_raises(ch.noised_gmm_score, x, w, m, -c, 1.0, match="covs")
    check_raises(ch.noised_gmm_score, x, w, m, c, "a", match="sigma")
    f = np.negative
    check_raises(ch.esm_loss, 3, x, x, match="score_fn")
    check_raises(ch.esm_loss, f, np.zeros(3), x, match="x_tilde")
    check_raises(ch.esm_loss, f, x, np.zeros((2, 2)), match="true_score")
    check_raises(ch.esm_loss, lambda u: u[:1], x, x, match="score_fn")
    check_raises(ch.dsm_loss, f, x, 0.0, x, match="sigma")
    check_raises(ch.dsm_loss, f, x, 1.0, np.zeros((2, 2)), match="z")
    check_raises(ch.dsm_loss, f, x, np.inf, x, match="sigma")
    check_raises(ch.dsm_loss, None, x, 1.0, x, match="score_fn")
    feats = rbf_features(np.zeros((1, 2)), 1.0)
    rng = make_rng(0)
    check_raises(ch.fit_linear_score, 1, x, 1.0, rng, match="features")
    check_raises(ch.fit_linear_score, feats, [1.0, 2.0], 1.0, rng, match="x")
    check_raises(ch.fit_linear_score, feats, x, 0.0, rng, match="sigma")
    check_raises(ch.fit_linear_score, feats, x, 1.0, 0, match="rng")
    check_raises(ch.fit_linear_score, feats, x, 1.0, rng, "mle", match="objective")
    check_raises(ch.fit_linear_score, feats, x, 1.0, rng, "esm", match="true_score")
    check_raises(ch.fit_linear_score, feats, x, 1.0, rng, n_noise=0, match="n_noise")
    check_raises(ch.fit_linear_score, feats, x, 1.0, rng, n_noise=1.5, match="n_noise")
    check_raises(ch.fit_linear_score, lambda u: u, x, 1.0, rng, match="features")
