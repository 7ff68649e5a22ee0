"""Property tests of the belief propagation chapter (notebooks/inference/belief-propagation.md).

sum_product, max_product, forward_backward and viterbi are checked on random trees, forests,
small loopy graphs and hidden Markov chains against brute-force enumeration (written here,
independently of the chapter), against each other, and against invariances of the model; bad
input must raise errors that name the argument.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp, softmax

from mlnotes_helpers import check_raises, load_chapter


@pytest.fixture(scope="module")
def ch():
    return load_chapter("belief-propagation")


seeds = st.integers(0, 2**32 - 1)


def random_forest(rng, n, drop=0.0):
    """Edges of a random tree on n nodes, each edge dropped with probability `drop`."""
    edges = [(int(rng.integers(v)), v) for v in range(1, n)]
    edges = [e if rng.random() < 0.5 else e[::-1] for e in edges if rng.random() >= drop]
    return np.array(edges, dtype=int).reshape(-1, 2)


def model(rng, n, k, edges, scale=1.0):
    return scale * rng.normal(size=(n, k)), scale * rng.normal(size=(len(edges), k, k))


def log_scores(X, log_phi, log_psi, edges):
    """Unnormalised log-probabilities of the rows of X, by plain loops."""
    out = np.array([sum(log_phi[i, x[i]] for i in range(len(x))) for x in X], dtype=float)
    for e, (i, j) in enumerate(edges):
        out += np.array([log_psi[e][x[i], x[j]] for x in X])
    return out


def brute(log_phi, log_psi, edges):
    """Configurations, their log-scores and the exact node marginals (n, k)."""
    n, k = log_phi.shape
    X = np.array(list(itertools.product(range(k), repeat=n)))
    lp = log_scores(X, log_phi, log_psi, edges)
    p = np.exp(lp - logsumexp(lp))
    return X, lp, np.array([[p[X[:, i] == a].sum() for a in range(k)] for i in range(n)])


def chain_hmm(rng, T, k, scale=1.0):
    log_pi = scale * rng.normal(size=k)
    return log_pi, scale * rng.normal(size=(k, k)), scale * rng.normal(size=(T, k))


def hmm_brute(log_pi, log_A, log_B):
    T, k = log_B.shape
    Z = np.array(list(itertools.product(range(k), repeat=T)))
    lp = log_pi[Z[:, 0]] + log_B[np.arange(T), Z].sum(axis=1)
    lp += log_A[Z[:, :-1], Z[:, 1:]].sum(axis=1)
    p = np.exp(lp - logsumexp(lp))
    return Z, lp, np.array([[p[Z[:, t] == a].sum() for a in range(k)] for t in range(T)])


# --- sum_product -----------------------------------------------------------------------


@settings(max_examples=30)
@given(seed=seeds, n=st.integers(1, 7), k=st.integers(2, 3), drop=st.sampled_from([0, 0.4]))
def test_sum_product_exact_on_trees_and_forests(ch, seed, n, k, drop):
    rng = np.random.default_rng(seed)
    edges = random_forest(rng, n, drop)
    log_phi, log_psi = model(rng, n, k, edges, scale=rng.choice([0.1, 1.0, 3.0]))
    b = ch.sum_product(log_phi, log_psi, edges)
    np.testing.assert_allclose(b, brute(log_phi, log_psi, edges)[2], atol=1e-10)
    np.testing.assert_allclose(b.sum(axis=1), 1.0, rtol=1e-12)


@settings(max_examples=20)
@given(seed=seeds, n=st.integers(2, 7), k=st.integers(2, 3))
def test_flooding_on_a_tree_is_exact_after_n_minus_1_sweeps(ch, seed, n, k):
    rng = np.random.default_rng(seed)
    edges = random_forest(rng, n)
    log_phi, log_psi = model(rng, n, k, edges)
    exact = brute(log_phi, log_psi, edges)[2]
    flooded = ch.sum_product(log_phi, log_psi, edges, n_iter=n - 1 + int(rng.integers(3)))
    np.testing.assert_allclose(flooded, exact, atol=1e-10)


@settings(max_examples=20)
@given(seed=seeds, n=st.integers(1, 6), k=st.integers(2, 3))
def test_sum_product_invariances(ch, seed, n, k):
    rng = np.random.default_rng(seed)
    edges = random_forest(rng, n)
    log_phi, log_psi = model(rng, n, k, edges)
    b = ch.sum_product(log_phi, log_psi, edges)
    # constants added to any potential do not change the distribution
    shifted = ch.sum_product(log_phi + rng.normal(size=(n, 1)), log_psi + 5.0, edges)
    np.testing.assert_allclose(shifted, b, atol=1e-10)
    # reversing an edge with the transposed potential is the same model
    flipped = ch.sum_product(log_phi, np.swapaxes(log_psi, 1, 2), edges[:, ::-1])
    np.testing.assert_allclose(flipped, b, atol=1e-10)
    # relabelling the nodes permutes the marginals
    perm = rng.permutation(n)
    inv = np.argsort(perm)
    relabelled = ch.sum_product(log_phi[perm], log_psi, inv[edges])
    np.testing.assert_allclose(relabelled, b[perm], atol=1e-10)


def test_sum_product_without_edges_is_a_softmax(ch):
    log_phi = np.random.default_rng(0).normal(size=(4, 3))
    for edges, log_psi in [([], []), (np.zeros((0, 2)), np.zeros((0, 3, 3)))]:
        np.testing.assert_allclose(ch.sum_product(log_phi, log_psi, edges), softmax(log_phi, 1))
    b = ch.sum_product(log_phi, [], [], n_iter=3, damping=0.5)
    np.testing.assert_allclose(b, softmax(log_phi, 1), rtol=1e-12)


@settings(max_examples=15)
@given(seed=seeds, n=st.integers(3, 7))
def test_loopy_on_a_weak_ring_is_close_and_damping_keeps_the_fixed_point(ch, seed, n):
    rng = np.random.default_rng(seed)
    edges = np.c_[np.arange(n), (np.arange(n) + 1) % n]
    log_phi, log_psi = rng.normal(size=(n, 2)), 0.2 * rng.normal(size=(n, 2, 2))
    exact = brute(log_phi, log_psi, edges)[2]
    plain = ch.sum_product(log_phi, log_psi, edges)
    damped = ch.sum_product(log_phi, log_psi, edges, damping=0.5)
    assert np.abs(plain - exact).max() < 0.05
    np.testing.assert_allclose(damped, plain, atol=1e-7)


def test_sum_product_is_stable_for_huge_log_potentials(ch):
    rng = np.random.default_rng(1)
    edges = random_forest(rng, 6)
    log_phi, log_psi = model(rng, 6, 3, edges, scale=1e3)
    b = ch.sum_product(log_phi, log_psi, edges)
    assert np.all(np.isfinite(b))
    np.testing.assert_allclose(b, brute(log_phi, log_psi, edges)[2], atol=1e-9)
    grid = np.array([[0, 1], [1, 2], [2, 3], [3, 0]])
    b = ch.sum_product(log_phi[:4], rng.normal(size=(4, 3, 3)) * 1e3, grid, n_iter=20)
    assert np.all(np.isfinite(b))


# --- max_product -----------------------------------------------------------------------


@settings(max_examples=30)
@given(seed=seeds, n=st.integers(1, 7), k=st.integers(2, 3), ties=st.booleans())
def test_max_product_finds_a_map_on_forests(ch, seed, n, k, ties):
    rng = np.random.default_rng(seed)
    edges = random_forest(rng, n, drop=0.3)
    log_phi, log_psi = model(rng, n, k, edges)
    if ties:  # integer potentials make many configurations tie
        log_phi, log_psi = np.round(log_phi), np.round(log_psi)
    x = ch.max_product(log_phi, log_psi, edges)
    assert x.shape == (n,) and np.issubdtype(x.dtype, np.integer)
    _, lp, _ = brute(log_phi, log_psi, edges)
    best = log_scores(x[None], log_phi, log_psi, edges)[0]
    np.testing.assert_allclose(best, lp.max(), rtol=1e-12, atol=1e-12)


def test_max_product_with_all_ties_returns_a_maximiser(ch):
    edges = np.array([[0, 1], [1, 2]])
    anti = np.array([[-1.0, 1.0], [1.0, -1.0]])
    x = ch.max_product(np.zeros((3, 2)), [anti, anti], edges)
    assert x[0] != x[1] and x[1] != x[2]


@settings(max_examples=10)
@given(seed=seeds, h=st.integers(2, 4), w=st.integers(2, 4))
def test_loopy_max_product_without_couplings_is_the_unary_argmax(ch, seed, h, w):
    rng = np.random.default_rng(seed)
    idx = np.arange(h * w).reshape(h, w)
    edges = np.r_[
        np.c_[idx[:, :-1].ravel(), idx[:, 1:].ravel()], np.c_[idx[:-1].ravel(), idx[1:].ravel()]
    ]
    log_phi = rng.normal(size=(h * w, 3))
    x = ch.max_product(log_phi, np.zeros((len(edges), 3, 3)), edges)
    np.testing.assert_array_equal(x, log_phi.argmax(axis=1))


def test_loopy_max_product_on_a_ferromagnetic_grid(ch):
    rng = np.random.default_rng(3)
    idx = np.arange(9).reshape(3, 3)
    edges = np.r_[
        np.c_[idx[:, :-1].ravel(), idx[:, 1:].ravel()], np.c_[idx[:-1].ravel(), idx[1:].ravel()]
    ]
    log_phi = 0.3 * rng.normal(size=(9, 2))
    log_phi[:, 0] += 0.5  # a field that favours state 0 on average
    log_psi = np.repeat(2.0 * np.eye(2)[None], len(edges), axis=0)
    x = ch.max_product(log_phi, log_psi, edges)
    _, lp, _ = brute(log_phi, log_psi, edges)
    np.testing.assert_allclose(log_scores(x[None], log_phi, log_psi, edges)[0], lp.max())


# --- forward_backward and viterbi ------------------------------------------------------


@settings(max_examples=30)
@given(seed=seeds, T=st.integers(1, 6), k=st.integers(2, 3), scale=st.sampled_from([0.1, 1, 5]))
def test_forward_backward_and_viterbi_equal_brute_force(ch, seed, T, k, scale):
    rng = np.random.default_rng(seed)
    hmm = chain_hmm(rng, T, k, scale)
    Z, lp, marg = hmm_brute(*hmm)
    post = ch.forward_backward(*hmm)
    np.testing.assert_allclose(post, marg, atol=1e-10)
    path = ch.viterbi(*hmm)
    assert path.shape == (T,)
    lp_path = (
        hmm[0][path[0]] + hmm[2][np.arange(T), path].sum() + hmm[1][path[:-1], path[1:]].sum()
    )
    np.testing.assert_allclose(lp_path, lp.max(), rtol=1e-12, atol=1e-12)


@settings(max_examples=15)
@given(seed=seeds, T=st.integers(2, 40), k=st.integers(2, 4))
def test_forward_backward_equals_sum_product_on_the_chain(ch, seed, T, k):
    rng = np.random.default_rng(seed)
    log_pi, log_A, log_B = chain_hmm(rng, T, k)
    log_phi = log_B.copy()
    log_phi[0] += log_pi
    edges = np.c_[np.arange(T - 1), np.arange(1, T)]
    log_psi = np.repeat(log_A[None], T - 1, axis=0)
    np.testing.assert_allclose(
        ch.forward_backward(log_pi, log_A, log_B),
        ch.sum_product(log_phi, log_psi, edges),
        atol=1e-10,
    )
    v = ch.viterbi(log_pi, log_A, log_B)
    x = ch.max_product(log_phi, log_psi, edges)
    score = lambda z: log_pi[z[0]] + log_B[np.arange(T), z].sum() + log_A[z[:-1], z[1:]].sum()  # noqa: E731
    np.testing.assert_allclose(score(v), score(x), rtol=1e-12)


def test_hmm_functions_are_stable_on_long_chains(ch):
    rng = np.random.default_rng(5)
    log_pi, log_A, log_B = chain_hmm(rng, 5000, 3, scale=30.0)
    post = ch.forward_backward(log_pi, log_A, log_B)
    assert np.all(np.isfinite(post))
    np.testing.assert_allclose(post.sum(axis=1), 1.0, rtol=1e-12)
    path = ch.viterbi(log_pi, log_A, log_B)
    assert path.shape == (5000,) and path.min() >= 0 and path.max() < 3


def test_one_step_hmm(ch):
    log_pi, log_B = np.log([0.2, 0.3, 0.5]), np.log([[0.5, 0.4, 0.1]])
    expected = softmax(log_pi + log_B[0])
    np.testing.assert_allclose(ch.forward_backward(log_pi, np.zeros((3, 3)), log_B)[0], expected)
    assert ch.viterbi(log_pi, np.zeros((3, 3)), log_B)[0] == np.argmax(expected)


# --- bad input -------------------------------------------------------------------------


def test_pairwise_functions_refuse_bad_input(ch):
    log_phi, edges = np.zeros((3, 2)), np.array([[0, 1], [1, 2]])
    log_psi = np.zeros((2, 2, 2))
    for fn in (ch.sum_product, ch.max_product):
        check_raises(fn, np.zeros(3), log_psi, edges, match="log_phi")
        check_raises(fn, np.full((3, 2), np.nan), log_psi, edges, match="log_phi")
        check_raises(fn, "abc", log_psi, edges, match="log_phi")
        check_raises(fn, log_phi, np.zeros((2, 3, 3)), edges, match="log_psi")
        check_raises(fn, log_phi, np.zeros((1, 2, 2)), edges, match="log_psi")
        check_raises(fn, log_phi, np.full((2, 2, 2), np.inf), edges, match="log_psi")
        check_raises(fn, log_phi, log_psi, [[0, 1], [1, 3]], match="edges")
        check_raises(fn, log_phi, log_psi, [[0, 1], [1, -1]], match="edges")
        check_raises(fn, log_phi, log_psi, [[0, 1], [1, 1.5]], match="edges")
        check_raises(fn, log_phi, log_psi, [[0, 1], [2, 2]], match="edges")
        check_raises(fn, log_phi, log_psi, [0, 1, 2], match="edges")
        check_raises(fn, log_phi, log_psi, [[True, False], [False, True]], match="edges")
    sp = ch.sum_product
    check_raises(sp, log_phi, log_psi, edges, n_iter=0, match="n_iter")
    check_raises(sp, log_phi, log_psi, edges, n_iter=2.0, match="n_iter")
    check_raises(sp, log_phi, log_psi, edges, damping=1.0, match="damping")
    check_raises(sp, log_phi, log_psi, edges, damping=-0.1, match="damping")
    check_raises(sp, log_phi, log_psi, edges, damping="0.5", match="damping")
    check_raises(sp, log_phi, log_psi, edges, damping=np.nan, match="damping")


def test_hmm_functions_refuse_bad_input(ch):
    log_pi, log_A, log_B = np.zeros(2), np.zeros((2, 2)), np.zeros((4, 2))
    for fn in (ch.forward_backward, ch.viterbi):
        check_raises(fn, log_pi, log_A, np.zeros(4), match="log_B")
        check_raises(fn, log_pi, log_A, np.zeros((0, 2)), match="log_B")
        check_raises(fn, log_pi, log_A, np.full((4, 2), np.nan), match="log_B")
        check_raises(fn, np.zeros(3), log_A, log_B, match="log_pi")
        check_raises(fn, [np.inf, 0.0], log_A, log_B, match="log_pi")
        check_raises(fn, log_pi, np.zeros((2, 3)), log_B, match="log_A")
        check_raises(fn, log_pi, np.zeros((3, 3)), log_B, match="log_A")
        check_raises(fn, log_pi, [[0.0, np.nan], [0.0, 0.0]], log_B, match="log_A")
        check_raises(fn, log_pi, "A", log_B, match="log_A")
