"""Property tests of the kernel PCA chapter's public API (notebooks/regression/kernel-pca.md).

center_kernel, center_test_kernel, kernel_pca and kernel_pca_transform are checked on random
sizes, ranks and scales against explicit feature maps, ordinary PCA, scikit-learn and
mathematical identities; bad input must raise errors that name the argument.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.linalg import ArpackNoConvergence
from sklearn.decomposition import KernelPCA

from mlnotes_helpers import check_raises, load_chapter


@pytest.fixture(scope="module")
def ch():
    return load_chapter("kernel-pca")


seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 25)
scales = st.sampled_from([1e-3, 1.0, 1e3])


def features(seed, n, d, scale=1.0):
    """Random features (n, d) with a random offset and per-column scales."""
    rng = np.random.default_rng(seed)
    cols = np.exp(rng.uniform(-2, 2, d))
    return scale * (rng.standard_normal((n, d)) * cols + rng.standard_normal(d))


def centred(A):
    return A - A.mean(axis=0)


def tol(A):
    return 1e-10 * max(np.abs(A).max(), 1e-300)


def aligned(A, B):
    """Flip columns of A to agree in sign with B."""
    return A * np.where(np.sum(A * B, axis=0) < 0, -1.0, 1.0)


# --- center_kernel ------------------------------------------------------------------


@settings(max_examples=40)
@given(seed=seeds, n=sizes, d=st.integers(1, 8), scale=scales)
def test_center_kernel_is_gram_of_centred_features(ch, seed, n, d, scale):
    Phi = features(seed, n, d, scale)
    K = Phi @ Phi.T
    K_bar = ch.center_kernel(K)
    expected = centred(Phi) @ centred(Phi).T
    np.testing.assert_allclose(K_bar, expected, rtol=0, atol=tol(K))
    J = np.eye(n) - np.ones((n, n)) / n
    np.testing.assert_allclose(K_bar, J @ K @ J, rtol=0, atol=tol(K))
    np.testing.assert_allclose(K_bar.sum(axis=0), 0, atol=n * tol(K))
    np.testing.assert_allclose(K_bar.sum(axis=1), 0, atol=n * tol(K))


@settings(max_examples=30)
@given(seed=seeds, n=sizes)
def test_center_kernel_idempotent_and_ignores_row_column_terms(ch, seed, n):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n))
    K = A @ A.T
    a = rng.standard_normal(n)
    K_bar = ch.center_kernel(K)
    np.testing.assert_allclose(ch.center_kernel(K_bar), K_bar, atol=tol(K))
    # terms that depend on one index only (like the squared norms in a distance) vanish
    shifted = K + a[:, None] + a[None, :] + 3.0
    np.testing.assert_allclose(ch.center_kernel(shifted), K_bar, atol=tol(shifted))


def test_center_kernel_one_sample_and_constant(ch):
    np.testing.assert_array_equal(ch.center_kernel([[2.5]]), [[0.0]])
    np.testing.assert_allclose(ch.center_kernel(np.full((4, 4), 7.0)), 0.0, atol=1e-14)


def test_center_kernel_bad_input(ch):
    good = np.eye(3)
    for bad in (
        np.ones((2, 3)),
        np.ones(3),
        np.array([[1.0, np.nan], [np.nan, 1.0]]),
        np.array([[np.inf]]),
        np.zeros((0, 0)),
        np.array([[1.0, 2.0], [0.0, 1.0]]),
        "K",
        None,
        [[1 + 1j]],
    ):
        check_raises(ch.center_kernel, bad, match="K")
    ch.center_kernel(good)


# --- center_test_kernel ---------------------------------------------------------------


@settings(max_examples=40)
@given(seed=seeds, n=sizes, m=st.integers(1, 10), d=st.integers(1, 6), scale=scales)
def test_center_test_kernel_matches_features(ch, seed, n, m, d, scale):
    Phi = features(seed, n + m, d, scale)
    train, test = Phi[:n], Phi[n:]
    K = train @ train.T
    K_test = test @ train.T
    mean = train.mean(axis=0)
    expected = (test - mean) @ (train - mean).T
    out = ch.center_test_kernel(K_test, K)
    assert out.shape == (m, n)
    np.testing.assert_allclose(out, expected, rtol=0, atol=tol(K))
    np.testing.assert_allclose(ch.center_test_kernel(K, K), ch.center_kernel(K), atol=tol(K))
    # a constant added to every kernel value changes nothing
    np.testing.assert_allclose(
        ch.center_test_kernel(K_test + 5.0, K + 5.0), out, rtol=0, atol=tol(K + 5.0)
    )


def test_center_test_kernel_bad_input(ch):
    K = np.eye(4)
    check_raises(ch.center_test_kernel, np.ones((2, 3)), K, match="K_test")
    check_raises(ch.center_test_kernel, np.ones(4), K, match="K_test")
    check_raises(ch.center_test_kernel, np.full((2, 4), np.nan), K, match="K_test")
    check_raises(ch.center_test_kernel, np.ones((0, 4)), K, match="K_test")
    check_raises(ch.center_test_kernel, "x", K, match="K_test")
    check_raises(ch.center_test_kernel, np.ones((2, 4)), np.triu(np.ones((4, 4))), match="K_train")
    check_raises(ch.center_test_kernel, np.ones((2, 4)), np.ones((4, 3)), match="K_train")
    check_raises(ch.center_test_kernel, np.ones((2, 4)), [[np.inf]], match="K_train")


# --- kernel_pca -----------------------------------------------------------------------


@settings(max_examples=40)
@given(seed=seeds, n=st.integers(2, 25), d=st.integers(1, 8), scale=scales, data=st.data())
def test_kernel_pca_linear_kernel_is_pca(ch, seed, n, d, scale, data):
    X = features(seed, n, d, scale)
    k = data.draw(st.integers(1, n))
    alphas, lambdas = ch.kernel_pca(X @ X.T, k)
    assert alphas.shape == (n, k) and lambdas.shape == (k,)
    s = np.linalg.svd(centred(X), compute_uv=False)
    expected = np.zeros(k)
    m = min(k, s.size)
    expected[:m] = s[:m] ** 2
    rank = np.linalg.matrix_rank(centred(X))
    expected[rank:] = 0.0
    np.testing.assert_allclose(lambdas, expected, rtol=1e-8, atol=1e-9 * s[0] ** 2 + 1e-300)
    assert np.all(np.diff(lambdas) <= 0) and np.all(lambdas >= 0)
    # unit-norm feature directions where lambda > 0, zero coefficients elsewhere
    V = centred(X).T @ alphas
    pos = lambdas > 0
    np.testing.assert_allclose(np.linalg.norm(V[:, pos], axis=0), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(alphas[:, ~pos], 0.0)
    assert np.count_nonzero(lambdas) == min(rank, k)


@settings(max_examples=30)
@given(seed=seeds, n=st.integers(2, 25), d=st.integers(1, 6), data=st.data())
def test_kernel_pca_solves_the_centred_eigenproblem(ch, seed, n, d, data):
    X = features(seed, n, d)
    K = (X @ X.T + 1.0) ** 2  # degree-2 polynomial kernel, rank up to 1 + d + d(d+1)/2
    k = data.draw(st.integers(1, n))
    alphas, lambdas = ch.kernel_pca(K, k)
    K_bar = ch.center_kernel(K)
    scale = np.abs(K_bar).max()
    np.testing.assert_allclose(K_bar @ alphas, alphas * lambdas, atol=1e-8 * np.sqrt(scale))
    pos = lambdas > 0
    # unit eigenvectors are orthogonal to 1, up to rounding / (gap to the null vector 1)
    u_sums = alphas[:, pos].sum(axis=0) * np.sqrt(lambdas[pos])
    slack = 1e-8 + 1e3 * n * np.finfo(float).eps * np.abs(K).max() / lambdas[pos]
    assert np.all(np.abs(u_sums) <= slack)
    np.testing.assert_allclose(np.sum(alphas[:, pos] ** 2, axis=0), 1 / lambdas[pos], rtol=1e-8)
    # deterministic signs: the largest-magnitude entry of each column is positive (up to ties)
    for a in alphas[:, pos].T:
        biggest = np.abs(a) >= (1 - 1e-9) * np.abs(a).max()
        assert np.any(a[biggest] > 0)


@settings(max_examples=25)
@given(seed=seeds, n=st.integers(3, 20), c=st.floats(1e-3, 1e3))
def test_kernel_pca_scaling_and_permutation(ch, seed, n, c):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    K = np.exp(-np.sum((X[:, None] - X[None]) ** 2, axis=-1) / 2)
    k = min(3, n - 1)
    alphas, lambdas = ch.kernel_pca(K, k)
    alphas_c, lambdas_c = ch.kernel_pca(c * K, k)
    np.testing.assert_allclose(lambdas_c, c * lambdas, rtol=1e-9)
    gaps = np.abs(np.diff(np.concatenate([lambdas, [0.0]]))) > 1e-6 * lambdas[0]
    if np.all(gaps):  # eigenvectors are defined up to sign only for distinct eigenvalues
        np.testing.assert_allclose(alphas_c * np.sqrt(c), alphas, atol=1e-7 * np.abs(alphas).max())
        perm = rng.permutation(n)
        alphas_p, lambdas_p = ch.kernel_pca(K[np.ix_(perm, perm)], k)
        np.testing.assert_allclose(lambdas_p, lambdas, rtol=1e-9)
        np.testing.assert_allclose(
            aligned(alphas_p, alphas[perm]), alphas[perm], atol=1e-7 * np.abs(alphas).max()
        )


@pytest.mark.parametrize("k", [1, 4, 9])
def test_kernel_pca_lanczos_branch_agrees_with_dense(ch, k):
    rng = np.random.default_rng(k)
    X = rng.standard_normal((260, 3))
    K = np.exp(-np.sum((X[:, None] - X[None]) ** 2, axis=-1) / 4)
    alphas, lambdas = ch.kernel_pca(K, k)  # N > 200, k < 10: the Lanczos branch
    lam_d, U_d = ch.top_eigenpairs(ch.center_kernel(K), k)
    np.testing.assert_allclose(lambdas, lam_d, rtol=1e-10)
    np.testing.assert_allclose(aligned(alphas * np.sqrt(lambdas), U_d), U_d, atol=1e-8)


def test_kernel_pca_falls_back_when_lanczos_fails(ch, monkeypatch):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((230, 2))
    K = X @ X.T + 1.0
    expected = ch.kernel_pca(K, 3)

    def no_convergence(A, k):
        raise ArpackNoConvergence("no convergence", np.zeros(0), np.zeros((A.shape[0], 0)))

    monkeypatch.setattr(ch, "lanczos_eigenpairs", no_convergence)
    alphas, lambdas = ch.kernel_pca(K, 3)
    np.testing.assert_allclose(lambdas, expected[1], rtol=1e-10)
    np.testing.assert_allclose(aligned(alphas, expected[0]), expected[0], atol=1e-8)
    # only two nonzero components: a 2-D linear kernel (plus a constant, which centring removes)
    assert lambdas[2] == 0.0 and np.all(alphas[:, 2] == 0.0)


@pytest.mark.parametrize("n", [30, 240])
def test_kernel_pca_on_identity(ch, n):
    # K = I: the centred kernel J has eigenvalue 1 with multiplicity N - 1 (heavy ties); both
    # ARPACK (n = 240) and LAPACK's index-range driver struggle with it
    alphas, lambdas = ch.kernel_pca(np.eye(n), 4)
    np.testing.assert_allclose(lambdas, 1.0, rtol=1e-10)
    U = alphas * np.sqrt(lambdas)
    np.testing.assert_allclose(U.T @ U, np.eye(4), atol=1e-10)
    np.testing.assert_allclose(U.sum(axis=0), 0.0, atol=1e-10)


def test_kernel_pca_edge_cases(ch):
    alphas, lambdas = ch.kernel_pca([[3.0]], 1)
    np.testing.assert_array_equal(lambdas, [0.0])
    np.testing.assert_array_equal(alphas, [[0.0]])
    alphas, lambdas = ch.kernel_pca(np.full((5, 5), 2.0), 2)  # constant kernel: nothing varies
    np.testing.assert_array_equal(lambdas, 0.0)
    np.testing.assert_array_equal(alphas, 0.0)
    X = np.random.default_rng(0).standard_normal((6, 10))  # D > N: N - 1 components
    _, lambdas = ch.kernel_pca(X @ X.T, 6)
    assert np.count_nonzero(lambdas) == 5 and lambdas[-1] == 0.0
    # ties: two identical samples
    X2 = np.vstack([X, X[:1]])
    alphas2, lambdas2 = ch.kernel_pca(X2 @ X2.T, 3)
    np.testing.assert_allclose(alphas2[0], alphas2[-1], atol=1e-12)


@settings(max_examples=15)
@given(seed=seeds, n=st.integers(5, 30), m=st.integers(1, 8), k=st.integers(1, 4))
def test_kernel_pca_matches_scikit_learn(ch, seed, n, m, k):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n + m, 3))
    sq = np.sum((X[:, None] - X[None]) ** 2, axis=-1)
    K_all = np.exp(-sq / 3)
    K, K_test = K_all[:n, :n], K_all[n:, :n]
    alphas, lambdas = ch.kernel_pca(K, k)
    sk = KernelPCA(k, kernel="precomputed").fit(K)
    np.testing.assert_allclose(lambdas, sk.eigenvalues_, rtol=1e-8, atol=1e-12)
    gaps = np.abs(np.diff(np.concatenate([lambdas, [0.0]]))) > 1e-6 * lambdas[0]
    if np.all(gaps):
        Z = ch.kernel_pca_transform(K_test, K, alphas)
        Z_sk = sk.transform(K_test)
        np.testing.assert_allclose(aligned(Z, Z_sk), Z_sk, atol=1e-8)


def test_kernel_pca_refuses_indefinite_and_bad_input(ch):
    A = np.random.default_rng(1).standard_normal((6, 6))
    err = check_raises(ch.kernel_pca, -(A @ A.T + np.eye(6)), 2, match="K")
    assert "semi-definite" in str(err)
    K = A @ A.T
    for bad in (np.ones((3, 4)), np.full((2, 2), np.nan), np.triu(K), "K", np.zeros((0, 0))):
        check_raises(ch.kernel_pca, bad, 1, match="K")
    for bad_k in (0, 7, -1):
        check_raises(ch.kernel_pca, K, bad_k, exc=ValueError, match="n_components")
    for bad_k in (2.0, True, "2", None):
        check_raises(ch.kernel_pca, K, bad_k, exc=TypeError, match="n_components")


# --- kernel_pca_transform -------------------------------------------------------------


@settings(max_examples=30)
@given(seed=seeds, n=st.integers(2, 25), m=st.integers(1, 10), d=st.integers(1, 6))
def test_transform_linear_kernel_is_pca_projection(ch, seed, n, m, d):
    X = features(seed, n + m, d)
    train, test = X[:n], X[n:]
    K = train @ train.T
    k = min(n - 1, d)
    alphas, lambdas = ch.kernel_pca(K, k)
    Z_train = ch.kernel_pca_transform(K, K, alphas)
    # training scores: zero mean, orthogonal, squared norms lambda
    np.testing.assert_allclose(Z_train.T @ Z_train, np.diag(lambdas), atol=1e-8 * lambdas[0])
    np.testing.assert_allclose(Z_train.sum(axis=0), 0.0, atol=1e-8 * np.sqrt(lambdas[0]) * n)
    Z_test = ch.kernel_pca_transform(test @ train.T, K, alphas)
    # the same scores from the feature directions v_j = X_bar^T alpha_j
    V = centred(train).T @ alphas
    expected = (test - train.mean(axis=0)) @ V
    scale = np.abs(expected).max() + np.abs(Z_test).max()
    np.testing.assert_allclose(Z_test, expected, atol=1e-8 * scale + 1e-300)


def test_transform_bad_input(ch):
    K = np.eye(4) + 1.0
    alphas, _ = ch.kernel_pca(K, 2)
    check_raises(ch.kernel_pca_transform, np.ones((2, 3)), K, alphas, match="K_test")
    check_raises(
        ch.kernel_pca_transform, np.ones((2, 4)), np.ones((4, 3)), alphas, match="K_train"
    )
    check_raises(ch.kernel_pca_transform, np.ones((2, 4)), K, alphas[:3], match="alphas")
    check_raises(ch.kernel_pca_transform, np.ones((2, 4)), K, alphas[:, 0], match="alphas")
    nan_alphas = alphas.copy()
    nan_alphas[0, 0] = np.nan
    check_raises(ch.kernel_pca_transform, np.ones((2, 4)), K, nan_alphas, match="alphas")
    check_raises(ch.kernel_pca_transform, np.ones((2, 4)), K, "alphas", match="alphas")
    check_raises(ch.kernel_pca_transform, [[np.inf] * 4], K, alphas, match="K_test")
