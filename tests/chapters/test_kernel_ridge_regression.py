"""Property tests of the public API of the kernel ridge regression chapter: the kernels
(``rbf_kernel``, ``exponential_kernel``, ``polynomial_kernel``, ``poly_features``), the fit
and prediction (``krr_fit``, ``krr_fit_tuned``, ``krr_predict``), random Fourier features
(``random_fourier_features``) and the derivation's pieces they are built from."""

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.gaussian_process.kernels import Matern
from sklearn.metrics.pairwise import rbf_kernel as sk_rbf

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("kernel-ridge-regression")


seeds = st.integers(0, 2**31 - 1)


@st.composite
def inputs(draw, max_n=12, max_p=4):
    """Two random input matrices with the same number of columns, at a random scale."""
    n, m, p = draw(st.integers(1, max_n)), draw(st.integers(1, max_n)), draw(st.integers(1, max_p))
    rng = make_rng(draw(seeds))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    return scale * rng.normal(size=(n, p)), scale * rng.normal(size=(m, p)), scale


@st.composite
def spd_problems(draw, max_n=20):
    """A Gram matrix of an RBF kernel (distinct points), targets with 1 or 2 columns, a
    penalty from tiny to large."""
    n = draw(st.integers(1, max_n))
    rng = make_rng(draw(seeds))
    X = rng.normal(size=(n, draw(st.integers(1, 3))))
    ell = draw(st.sampled_from([0.3, 1.0, 3.0]))
    y = rng.normal(size=(n,) if draw(st.booleans()) else (n, 2))
    lam = draw(st.sampled_from([1e-3, 0.1, 1.0, 10.0]))
    return X, ell, y, lam


# --- kernels ---------------------------------------------------------------------------------


@settings(max_examples=30)
@given(data=inputs(), ell=st.floats(0.05, 20.0))
def test_rbf_kernel_matches_sklearn_and_is_a_similarity(ch, data, ell):
    X, Y, scale = data
    ell *= scale
    K = ch.rbf_kernel(X, Y, ell)
    np.testing.assert_allclose(K, sk_rbf(X, Y, gamma=0.5 / ell**2), rtol=1e-12, atol=1e-300)
    assert np.all((K >= 0) & (K <= 1))
    KX = ch.rbf_kernel(X, X, ell)
    assert np.array_equal(KX, KX.T), "exactly symmetric"
    np.testing.assert_array_equal(np.diag(KX), 1.0)
    shift = make_rng(1).normal(size=X.shape[1]) * scale
    np.testing.assert_allclose(ch.rbf_kernel(X + shift, Y + shift, ell), K, atol=1e-12)
    assert np.all(ch.rbf_kernel(X, Y, 2 * ell) >= K), "larger lengthscale, more similar"


@settings(max_examples=30)
@given(data=inputs(), ell=st.floats(0.05, 20.0))
def test_exponential_kernel_is_matern_half(ch, data, ell):
    X, Y, scale = data
    ell *= scale
    K = ch.exponential_kernel(X, Y, ell)
    np.testing.assert_allclose(K, Matern(length_scale=ell, nu=0.5)(X, Y), rtol=1e-12)
    np.testing.assert_allclose(K, np.exp(-cdist(X, Y) / ell), rtol=1e-12, atol=1e-300)
    assert np.all(ch.exponential_kernel(X, Y, 2 * ell) >= K)


@settings(max_examples=20)
@given(
    data=inputs(),
    ell=st.sampled_from([5e-324, 1e-300, 1e-200, 1e-100]),
    name=st.sampled_from(["rbf_kernel", "exponential_kernel"]),
)
def test_tiny_lengthscale_gives_the_identity_limit(ch, data, ell, name):
    # The first edition raised ZeroDivisionError at 1e-200 (its ell**2 underflowed to 0).
    X, _, _ = data
    X = X + np.arange(len(X))[:, None]  # distinct rows
    K = getattr(ch, name)(X, X, ell)
    np.testing.assert_array_equal(K, np.eye(len(X)))


@settings(max_examples=20)
@given(
    data=inputs(),
    ell=st.sampled_from([1e100, 1e200, 1e300, 1.7e308]),
    name=st.sampled_from(["rbf_kernel", "exponential_kernel"]),
)
def test_huge_lengthscale_gives_all_ones(ch, data, ell, name):
    # The first edition raised OverflowError at 1e200 (its ell**2 overflowed).
    X, Y, _ = data
    np.testing.assert_allclose(getattr(ch, name)(X, Y, ell), 1.0, rtol=0, atol=1e-12)


def test_rbf_kernel_far_apart_points_underflow_to_zero(ch):
    X = np.array([[0.0], [1e300], [-1e300]])
    K = ch.rbf_kernel(X, X, 1.0)
    np.testing.assert_array_equal(K, np.eye(3))


@settings(max_examples=25)
@given(
    seed=seeds,
    n=st.integers(1, 10),
    p=st.integers(1, 3),
    degree=st.integers(1, 4),
    c=st.sampled_from([0.0, 0.5, 1.0, 3.0]),
)
def test_poly_features_reproduce_the_polynomial_kernel(ch, seed, n, p, degree, c):
    rng = make_rng(seed)
    X, Y = rng.normal(size=(n, p)), rng.normal(size=(4, p))
    Phi_X, Phi_Y = ch.poly_features(X, degree, c), ch.poly_features(Y, degree, c)
    assert Phi_X.shape == (n, comb(p + degree, degree))
    K = ch.polynomial_kernel(X, Y, degree, c)
    np.testing.assert_allclose(K, (X @ Y.T + c) ** degree, rtol=1e-12)
    np.testing.assert_allclose(Phi_X @ Phi_Y.T, K, rtol=1e-10, atol=1e-10 * np.abs(K).max())


@settings(max_examples=15)
@given(seed=seeds, n=st.integers(2, 15))
def test_valid_kernels_give_psd_gram_matrices(ch, seed, n):
    X = make_rng(seed).normal(size=(n, 2))
    for K in (
        ch.rbf_kernel(X, X, 0.7),
        ch.exponential_kernel(X, X, 0.7),
        ch.polynomial_kernel(X, X, 3, 1.0),
    ):
        assert np.linalg.eigvalsh(K).min() >= -1e-10 * np.abs(K).max() * n


# --- fit and predict -------------------------------------------------------------------------


@settings(max_examples=30)
@given(problem=spd_problems())
def test_krr_fit_solves_the_regularised_system(ch, problem):
    X, ell, y, lam = problem
    K = ch.rbf_kernel(X, X, ell)
    alpha = ch.krr_fit(K, y, lam)
    assert alpha.shape == y.shape
    np.testing.assert_allclose(
        alpha,
        np.linalg.solve(K + lam * np.eye(len(K)), y),
        rtol=1e-7,
        atol=1e-9 * np.abs(alpha).max(),
    )
    # the residual identity y - K alpha = lam alpha
    np.testing.assert_allclose(y - K @ alpha, lam * alpha, atol=1e-9 * np.abs(y).max())
    # scale equivariance: (cK, c lam) gives alpha / c
    np.testing.assert_allclose(
        ch.krr_fit(4.0 * K, y, 4.0 * lam), alpha / 4.0, rtol=1e-9, atol=1e-12 * np.abs(alpha).max()
    )


@settings(max_examples=30)
@given(problem=spd_problems())
def test_tuned_fit_equals_plain_fit(ch, problem):
    X, ell, y, lam = problem
    K = ch.rbf_kernel(X, X, ell)
    np.testing.assert_allclose(
        ch.krr_fit_tuned(K, y, lam),
        ch.krr_fit(K, y, lam),
        rtol=1e-8,
        atol=1e-10 * np.abs(y).max() / lam,
    )


@settings(max_examples=20)
@given(problem=spd_problems())
def test_columns_are_independent_targets(ch, problem):
    X, ell, y, lam = problem
    K = ch.rbf_kernel(X, X, ell)
    Y = np.column_stack([y.reshape(len(y), -1)[:, 0], np.cos(X[:, 0])])
    alpha = ch.krr_fit(K, Y, lam)
    for j in range(2):
        np.testing.assert_allclose(
            alpha[:, j], ch.krr_fit(K, Y[:, j], lam), rtol=1e-10, atol=1e-14
        )


def test_one_sample(ch):
    alpha = ch.krr_fit([[2.0]], [3.0], 1.0)
    np.testing.assert_allclose(alpha, [1.0])
    np.testing.assert_allclose(ch.krr_predict([[0.5]], alpha), [0.5])


def test_lam_zero_interpolates_with_a_positive_definite_kernel(ch):
    X = np.linspace(0, 1, 6)[:, None]
    y = np.sin(3 * X[:, 0])
    K = ch.rbf_kernel(X, X, 0.2)
    np.testing.assert_allclose(K @ ch.krr_fit(K, y, 0.0), y, atol=1e-8)


@pytest.mark.parametrize("fit", ["krr_fit", "krr_fit_tuned"])
def test_singular_gram_matrix_without_penalty_is_refused(ch, fit):
    X = make_rng(0).normal(size=(6, 2))
    K = X @ X.T  # rank 2 < 6
    check_raises(getattr(ch, fit), K, np.ones(6), 0.0, match="lam")
    np.testing.assert_allclose(getattr(ch, fit)(K, np.ones(6), 1e-3).shape, (6,))


@pytest.mark.parametrize("fit", ["krr_fit", "krr_fit_tuned"])
@settings(max_examples=20)
@given(problem=spd_problems(), rel=st.sampled_from([1e-8, 1e-6, 1e-3, 1e-1]))
def test_asymmetric_gram_matrix_is_refused(ch, fit, problem, rel):
    # The first edition accepted K with an asymmetry of 10% when its tolerance was loosened.
    X, ell, y, lam = problem
    n = len(X)
    if n < 2:
        return
    K = ch.rbf_kernel(X, X, ell)
    K[0, n - 1] += rel * np.abs(K).max()
    check_raises(getattr(ch, fit), K, y, lam, match="K")


@settings(max_examples=25)
@given(seed=seeds, n=st.integers(1, 700), block=st.sampled_from([1, 7, 256]))
def test_max_asymmetry_is_the_full_one(ch, seed, n, block):
    if n > 300 and block < 256:
        return
    A = make_rng(seed).normal(size=(n, n))
    assert ch.max_asymmetry(A, block) == np.abs(A - A.T).max()


@settings(max_examples=25)
@given(seed=seeds, m=st.integers(1, 8), n=st.integers(1, 8), k=st.sampled_from([0, 1, 3]))
def test_krr_predict_is_linear_in_alpha(ch, seed, m, n, k):
    rng = make_rng(seed)
    K = rng.normal(size=(m, n))
    a, b = (rng.normal(size=(n,) if k == 0 else (n, k)) for _ in range(2))
    np.testing.assert_allclose(ch.krr_predict(K, a), K @ a, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        ch.krr_predict(K, 2 * a - b),
        2 * ch.krr_predict(K, a) - ch.krr_predict(K, b),
        atol=1e-12 * (1 + np.abs(K).sum() * (np.abs(a).max() + np.abs(b).max())),
    )


@settings(max_examples=20)
@given(problem=spd_problems())
def test_smoother_and_primal_pieces(ch, problem):
    X, ell, y, lam = problem
    y = y.reshape(len(y), -1)[:, 0]
    K = ch.rbf_kernel(X, X, ell)
    X_new = X[: max(1, len(X) // 2)] + 0.1
    K_new = ch.rbf_kernel(X_new, X, ell)
    S = ch.smoother_matrix(K_new, K, lam)
    np.testing.assert_allclose(S @ y, K_new @ ch.dual_coefficients(K, y, lam), atol=1e-9)
    H = ch.smoother_matrix(K, K, lam)
    mu = np.linalg.eigvalsh((H + H.T) / 2)
    assert mu.min() > -1e-9 and mu.max() < 1, "hat matrix eigenvalues mu / (mu + lam)"
    Phi = make_rng(3).normal(size=(len(X), 5))
    w = ch.ridge_primal(Phi, y, lam)
    np.testing.assert_allclose(
        w, Phi.T @ ch.dual_coefficients(Phi @ Phi.T, y, lam), rtol=1e-8, atol=1e-10
    )


# --- random Fourier features -----------------------------------------------------------------


@settings(max_examples=20)
@given(
    seed=seeds,
    D=st.integers(1, 40),
    M=st.integers(3, 9),
    omega=st.floats(-5, 5),
    b0=st.floats(0, 6.3),
)
def test_rff_map_is_exact_in_expectation_over_phases(ch, seed, D, M, omega, b0):
    # M equally spaced phases average 2 cos(w x + b) cos(w x' + b) to cos(w (x - x')) exactly,
    # for any number of repeats D of the block: a wrong scale sqrt(2 / (D + 1)) fails.
    x, xp = make_rng(seed).normal(size=(2, 1, 1))
    omegas = np.full((1, D * M), omega)
    b = np.tile(b0 + 2 * np.pi * np.arange(M) / M, D)
    z, zp = ch.rff_map(x, omegas, b), ch.rff_map(xp, omegas, b)
    np.testing.assert_allclose(z @ zp.T, np.cos(omega * (x - xp)), atol=1e-12)


@settings(max_examples=20)
@given(seed=seeds, n=st.integers(1, 6), p=st.integers(1, 3), D=st.integers(1, 50))
def test_random_fourier_features_shape_bounds_and_reproducibility(ch, seed, n, p, D):
    X = make_rng(seed).normal(size=(n, p))
    Z = ch.random_fourier_features(X, D, 0.8, make_rng(seed + 1))
    assert Z.shape == (n, D)
    assert np.all(np.abs(Z) <= np.sqrt(2.0 / D) * (1 + 1e-12))
    np.testing.assert_array_equal(Z, ch.random_fourier_features(X, D, 0.8, make_rng(seed + 1)))


@settings(max_examples=5)
@given(seed=seeds, ell=st.sampled_from([0.5, 1.0, 2.0]))
def test_random_fourier_features_are_unbiased(ch, seed, ell):
    # mean of z(x).z(x') over 3000 draws of 4 features is within 5 standard errors of k
    X = make_rng(seed).normal(size=(4, 2))
    rng = make_rng(seed + 7)
    G = np.array(
        [Z @ Z.T for Z in (ch.random_fourier_features(X, 4, ell, rng) for _ in range(3000))]
    )
    se = G.std(axis=0) / np.sqrt(len(G))
    z = (G.mean(axis=0) - ch.rbf_kernel(X, X, ell)) / se
    assert np.abs(z).max() < 5


# --- bad input: a clear error that names the argument ----------------------------------------


GOOD_X = np.ones((3, 2))
GOOD_K = np.eye(3)


@pytest.mark.parametrize("name", ["rbf_kernel", "exponential_kernel"])
def test_distance_kernels_refuse_bad_input(ch, name):
    f = getattr(ch, name)
    check_raises(f, np.ones(3), GOOD_X, match="X")
    check_raises(f, GOOD_X, np.ones((2, 3)), match="Y")
    check_raises(f, np.full((2, 2), np.nan), GOOD_X, match="X")
    check_raises(f, GOOD_X, np.full((2, 2), np.inf), match="Y")
    check_raises(f, np.ones((0, 2)), GOOD_X, match="X")
    check_raises(f, GOOD_X * 1j, GOOD_X, match="X")
    check_raises(f, "abc", GOOD_X, match="X")
    for bad in (0.0, -1.0, np.nan, np.inf, True, "1", 1j):
        check_raises(f, GOOD_X, GOOD_X, bad, match="lengthscale")


def test_polynomial_kernel_and_features_refuse_bad_input(ch):
    for f, args in [(ch.polynomial_kernel, (GOOD_X, GOOD_X)), (ch.poly_features, (GOOD_X,))]:
        check_raises(f, *args, 0, match="degree")
        check_raises(f, *args, 2.5, match="degree")
        check_raises(f, *args, True, match="degree")
        check_raises(f, *args, 2, -1.0, match="c")
        check_raises(f, *args, 2, np.nan, match="c")
        check_raises(f, np.full((2, 2), np.nan), *args[1:], match="X")
        check_raises(f, np.ones(4), *args[1:], match="X")
    check_raises(ch.polynomial_kernel, GOOD_X, np.ones((2, 3)), match="Y")


@pytest.mark.parametrize("fit", ["krr_fit", "krr_fit_tuned"])
def test_fits_refuse_bad_input(ch, fit):
    f = getattr(ch, fit)
    y = np.ones(3)
    check_raises(f, np.ones((3, 2)), y, 1.0, match="K")
    check_raises(f, np.ones(3), y, 1.0, match="K")
    check_raises(f, np.full((3, 3), np.nan), y, 1.0, match="K")
    check_raises(f, np.triu(np.ones((3, 3))), y, 1.0, match="K")
    check_raises(f, GOOD_K, np.ones(4), 1.0, match="y")
    check_raises(f, GOOD_K, np.ones((3, 1, 1)), 1.0, match="y")
    check_raises(f, GOOD_K, [1.0, np.nan, 2.0], 1.0, match="y")
    check_raises(f, GOOD_K, ["a", "b", "c"], 1.0, match="y")
    check_raises(f, GOOD_K, y * 1j, 1.0, match="y")
    for bad in (-1.0, np.nan, np.inf, "1", True, None):
        check_raises(f, GOOD_K, y, bad, match="lam")


def test_krr_predict_refuses_bad_input(ch):
    K = np.ones((2, 3))
    check_raises(ch.krr_predict, K, np.ones(4), match="alpha")
    check_raises(ch.krr_predict, K, np.ones((3, 1, 1)), match="alpha")
    check_raises(ch.krr_predict, K, [1.0, np.nan, 0.0], match="alpha")
    check_raises(ch.krr_predict, K, [1.0, np.inf, 0.0], match="alpha")
    check_raises(ch.krr_predict, K, np.ones(3) * (1 + 1j), match="alpha")
    check_raises(ch.krr_predict, np.full((2, 3), np.nan), np.ones(3), match="K_test_train")
    check_raises(ch.krr_predict, np.ones(3), np.ones(3), match="K_test_train")


def test_random_fourier_features_refuse_bad_input(ch):
    f, rng = ch.random_fourier_features, make_rng(0)
    check_raises(f, GOOD_X, 10, 1.0, 3, match="rng")
    check_raises(f, GOOD_X, 10, 1.0, np.random.RandomState(0), match="rng")
    check_raises(f, GOOD_X, 0, 1.0, rng, match="n_features")
    check_raises(f, GOOD_X, 2.0, 1.0, rng, match="n_features")
    check_raises(f, GOOD_X, 10, 0.0, rng, match="lengthscale")
    check_raises(f, GOOD_X, 10, np.nan, rng, match="lengthscale")
    check_raises(f, np.full((2, 2), np.nan), 10, 1.0, rng, match="X")
    check_raises(f, np.ones(3), 10, 1.0, rng, match="X")
