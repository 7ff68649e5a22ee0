"""Property tests of the public API of the chapter on non-negative matrix factorisation:
``nmf_mu``, ``nmf_hals`` and ``nmf_anls`` (and the building blocks they share)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import NMF

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("nonnegative-matrix-factorization")


ALGORITHMS = ["mu", "mu-kl", "hals", "anls"]


def run(ch, name, A, r, n_iter, **kw):
    if name == "mu":
        return ch.nmf_mu(A, r, n_iter, **kw)
    if name == "mu-kl":
        return ch.nmf_mu(A, r, n_iter, loss="kl", **kw)
    if name == "hals":
        return ch.nmf_hals(A, r, n_iter, **kw)
    return ch.nmf_anls(A, r, n_iter, **kw)


def loss_of(ch, name, A, W, H):
    return ch.kl_divergence(A, W, H) if name == "mu-kl" else ch.frobenius_loss(A, W, H)


@st.composite
def problems(draw, max_side=9):
    """A random non-negative matrix (some exact zeros, varied scale) and a rank."""
    m = draw(st.integers(1, max_side))
    n = draw(st.integers(1, max_side))
    r = draw(st.integers(1, min(m, n)))
    seed = draw(st.integers(0, 2**31 - 1))
    zeros = draw(st.sampled_from([0.0, 0.3]))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    rng = make_rng(seed)
    A = scale * rng.uniform(size=(m, n)) * (rng.uniform(size=(m, n)) >= zeros)
    return A, r, seed


# --- the loss never increases, factors stay non-negative, history is the loss ---------------


@pytest.mark.parametrize("name", ALGORITHMS)
@settings(max_examples=25)
@given(problem=problems())
def test_monotone_nonnegative_and_history_is_the_loss(ch, name, problem):
    A, r, seed = problem
    n_iter = 3 if name == "anls" else 15
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        W, H, history = run(ch, name, A, r, n_iter, seed=seed)
    assert W.shape == (A.shape[0], r) and H.shape == (r, A.shape[1])
    assert history.shape == (n_iter,)
    assert W.min() >= 0 and H.min() >= 0
    W0, H0 = ch.init_random(A, r, make_rng(seed))
    f0 = loss_of(ch, name, A, W0, H0)
    losses = np.concatenate([[f0], history])
    scale = max(f0, np.vdot(A, A), 1e-300)
    assert np.all(np.diff(losses) <= 1e-11 * scale)
    np.testing.assert_allclose(
        history[-1], loss_of(ch, name, A, W, H), rtol=1e-8, atol=1e-12 * scale
    )


@pytest.mark.parametrize("name", ALGORITHMS)
@settings(max_examples=10)
@given(problem=problems())
def test_seed_is_the_random_start_and_runs_are_reproducible(ch, name, problem):
    A, r, seed = problem
    start = ch.init_random(A, r, make_rng(seed))
    a = run(ch, name, A, r, 3, seed=seed)
    b = run(ch, name, A, r, 3, init=start)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name", ALGORITHMS)
@settings(max_examples=5)
@given(problem=problems())
def test_inputs_are_not_modified(ch, name, problem):
    A, r, seed = problem
    W0, H0 = ch.init_random(A, r, make_rng(seed))
    copies = [A.copy(), W0.copy(), H0.copy()]
    run(ch, name, A, r, 2, init=(W0, H0))
    for before, after in zip(copies, [A, W0, H0], strict=True):
        np.testing.assert_array_equal(before, after)


# --- exact cases ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALGORITHMS)
@settings(max_examples=10)
@given(seed=st.integers(0, 2**31 - 1), m=st.integers(3, 10), n=st.integers(3, 10))
def test_an_exact_factorisation_is_a_fixed_point(ch, name, seed, m, n):
    rng = make_rng(seed)
    r = min(2, m, n)
    W_true, H_true = rng.uniform(0.5, 1.5, size=(m, r)), rng.uniform(0.5, 1.5, size=(r, n))
    A = W_true @ H_true
    W, H, history = run(ch, name, A, r, 3, init=(W_true, H_true))
    np.testing.assert_allclose(W @ H, A, rtol=1e-8)
    assert np.all(history <= 1e-12 * max(1.0, np.vdot(A, A)))


@settings(max_examples=10)
@given(seed=st.integers(0, 2**31 - 1), m=st.integers(2, 15), n=st.integers(2, 15))
def test_rank_one_hals_reaches_the_perron_singular_value(ch, seed, m, n):
    # For a positive A the best rank-one approximation (a singular pair) is non-negative,
    # so rank-1 NMF attains the SVD bound: loss = (||A||^2 - sigma_1^2) / 2.
    A = 0.2 + make_rng(seed).uniform(size=(m, n))
    _, _, history = ch.nmf_hals(A, 1, n_iter=300, seed=seed)
    sigma = np.linalg.svd(A, compute_uv=False)
    best = 0.5 * (sigma[1:] ** 2).sum()
    np.testing.assert_allclose(history[-1], best, rtol=1e-6, atol=1e-10 * sigma[0] ** 2)


@settings(max_examples=6)
@given(seed=st.integers(0, 2**31 - 1))
def test_hals_factorises_an_exact_sparse_low_rank_matrix(ch, seed):
    rng = make_rng(seed)
    A, _, _ = ch.random_problem(30, 25, 3, rng, density=0.5)
    if np.linalg.matrix_rank(A) < 3:  # a draw with an empty factor row; skip it
        return
    best = min(
        np.linalg.norm(A - np.dot(*ch.nmf_hals(A, 3, n_iter=400, seed=s)[:2])) for s in range(3)
    )
    assert best / np.linalg.norm(A) < 1e-6


@pytest.mark.parametrize("name", ALGORITHMS)
def test_zero_matrix_and_single_sample(ch, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        W, H, history = run(ch, name, np.zeros((4, 3)), 2, 3)
        assert np.all(history == 0) and np.all(W @ H == 0)
        A = np.array([[1.0, 2.0, 0.0, 3.0]])
        W, H, history = run(ch, name, A, 1, 30 if name != "anls" else 2)
    np.testing.assert_allclose(W @ H, A, atol=1e-6)


# --- invariances ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mu", "hals", "anls"])
@settings(max_examples=10)
@given(problem=problems(), c=st.sampled_from([0.25, 4.0, 100.0]))
def test_scaling_A_scales_the_factors(ch, name, problem, c):
    A, r, seed = problem
    W0, H0 = ch.init_random(A, r, make_rng(seed))
    W, H, hist = run(ch, name, A, r, 4, init=(W0, H0))
    Wc, Hc, hist_c = run(ch, name, c * A, r, 4, init=(np.sqrt(c) * W0, np.sqrt(c) * H0))
    np.testing.assert_allclose(Wc @ Hc, c * (W @ H), rtol=1e-7, atol=1e-9 * c * A.max())
    np.testing.assert_allclose(
        hist_c, c**2 * hist, rtol=1e-6, atol=1e-10 * c**2 * max(np.vdot(A, A), 1e-300)
    )


@pytest.mark.parametrize("name", ALGORITHMS)
@settings(max_examples=10)
@given(problem=problems())
def test_permuting_samples_permutes_the_rows_of_W(ch, name, problem):
    A, r, seed = problem
    W0, H0 = ch.init_random(A, r, make_rng(seed))
    perm = make_rng(seed + 1).permutation(A.shape[0])
    W, H, _ = run(ch, name, A, r, 4, init=(W0, H0))
    Wp, Hp, _ = run(ch, name, A[perm], r, 4, init=(W0[perm], H0))
    np.testing.assert_allclose(Wp, W[perm], rtol=1e-8, atol=1e-10 * max(W.max(), 1e-300))
    np.testing.assert_allclose(Hp, H, rtol=1e-8, atol=1e-10 * max(H.max(), 1e-300))


# --- optimality and agreement with references --------------------------------------------------


@settings(max_examples=10)
@given(problem=problems())
def test_anls_ends_on_a_kkt_point_of_the_last_block(ch, problem):
    A, r, seed = problem
    W, H, _ = ch.nmf_anls(A, r, n_iter=2, seed=seed)
    pg = ch.projected_gradient(H, ch.frobenius_grad(A, W, H)[1])
    scale = max(np.abs(W.T @ A).max(), np.abs(W.T @ W @ H).max(), 1e-300)
    assert np.abs(pg).max() <= 1e-8 * scale


@pytest.mark.parametrize(
    "name,solver,beta",
    [("hals", "cd", "frobenius"), ("mu", "mu", "frobenius"), ("mu-kl", "mu", "kullback-leibler")],
)
@settings(max_examples=8)
@given(seed=st.integers(0, 2**31 - 1), m=st.integers(3, 12), n=st.integers(3, 12))
def test_agrees_with_scikit_learn_from_the_same_start(ch, name, solver, beta, seed, m, n):
    rng = make_rng(seed)
    A = 0.05 + rng.uniform(size=(m, n))
    r = min(3, m, n)
    W0, H0 = ch.init_random(A, r, rng)
    W, H, history = run(ch, name, A, r, 30, init=(W0, H0))
    model = NMF(r, solver=solver, beta_loss=beta, init="custom", tol=0.0, max_iter=30)
    W_sk = model.fit_transform(A, W=W0.copy(), H=H0.copy())
    # scikit-learn floors tiny entries in its KL updates: an absolute slack for near-exact fits
    np.testing.assert_allclose(
        np.sqrt(2 * history[-1]),
        model.reconstruction_err_,
        rtol=1e-6,
        atol=1e-8 * np.linalg.norm(A),
    )
    if beta == "frobenius":
        np.testing.assert_allclose(W @ H, W_sk @ model.components_, rtol=1e-8, atol=1e-12)


@settings(max_examples=15)
@given(problem=problems())
def test_building_blocks(ch, problem):
    A, r, seed = problem
    rng = make_rng(seed)
    W, H = rng.uniform(size=(A.shape[0], r)), rng.uniform(size=(r, A.shape[1]))
    WtA, WtW = W.T @ A, W.T @ W
    scale = max(np.vdot(A, A), np.vdot(W @ H, W @ H))
    np.testing.assert_allclose(
        ch.frobenius_from_grams(np.vdot(A, A), WtA, WtW, H),
        ch.frobenius_loss(A, W, H),
        rtol=1e-9,
        atol=1e-13 * scale,
    )
    f = ch.frobenius_loss(A, W, H)
    for sweep in (ch.mu_sweep, ch.hals_sweep):
        assert ch.frobenius_loss(A, W, sweep(WtA, WtW, H)) <= f + 1e-12 * scale
    assert ch.kl_divergence(A, W, ch.mu_half_kl(A, W, H)) <= (
        ch.kl_divergence(A, W, H) + 1e-12 * max(A.sum(), (W @ H).sum())
    )


# --- bad input --------------------------------------------------------------------------------

FUNCTIONS = ["nmf_mu", "nmf_hals", "nmf_anls"]
A_OK = np.arange(12.0).reshape(4, 3)


@pytest.mark.parametrize("fname", FUNCTIONS)
def test_bad_input_is_refused_with_the_argument_named(ch, fname):
    fn = getattr(ch, fname)
    nan = A_OK.copy()
    nan[0, 0] = np.nan
    for bad in (np.arange(4.0), nan, -A_OK, np.zeros((0, 3)), "A", None, A_OK + 1j):
        check_raises(fn, bad, 2, match="A")
    for bad in (0, 4, 2.0, True, "2"):
        check_raises(fn, A_OK, bad, match="r")
    for bad in (0, -3, 1.5):
        check_raises(fn, A_OK, 2, bad, match="n_iter")
    for bad in (-1, 0.5, "0"):
        check_raises(fn, A_OK, 2, 5, bad, match="seed")
    W0, H0 = np.ones((4, 2)), np.ones((2, 3))
    W_nan = W0.copy()
    W_nan[1, 1] = np.inf
    for bad in (
        W0,
        (W0,),
        (W0, H0, H0),
        (np.ones((3, 2)), H0),
        (W0, np.ones((2, 4))),
        (-W0, H0),
        (W0, -H0),
        (W_nan, H0),
        ("W", H0),
        {"W": W0},
    ):
        check_raises(fn, A_OK, 2, init=bad, match="init")


def test_bad_loss_is_refused(ch):
    check_raises(ch.nmf_mu, A_OK, 2, loss="kullback", match="loss")
    check_raises(ch.nmf_mu, A_OK, 2, loss=None, match="loss")
    check_raises(ch.nmf_mu, A_OK, 2, loss=1, match="loss")
    W0, H0 = np.ones((4, 2)), np.ones((2, 3))
    H0[:, 0] = 0.0  # W0 @ H0 is zero in column 0, where A is positive
    check_raises(ch.nmf_mu, A_OK + 1, 2, loss="kl", init=(W0, H0), match="init")
    ch.nmf_mu(A_OK + 1, 2, loss="frobenius", init=(W0, H0))  # fine for the Frobenius loss
