"""Property tests of the Hopfield network chapter's public API
(notebooks/neural/hopfield-network.md).

hebbian, energy, recall and perceptron_rule are checked on random sizes, loads, seeds and
edge cases (one neuron, one pattern, zero weights, orthogonal patterns) against brute-force
reference implementations and mathematical properties; bad input must raise errors that
name the argument.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import hadamard

from mlnotes_helpers import check_raises, load_chapter


@pytest.fixture(scope="module")
def ch():
    return load_chapter("hopfield-network")


seeds = st.integers(0, 2**32 - 1)


def spins(rng, *shape):
    return rng.choice([-1.0, 1.0], size=shape)


def sym(rng, n, diagonal=0.0):
    A = rng.standard_normal((n, n))
    W = (A + A.T) / 2
    np.fill_diagonal(W, diagonal)
    return W


def is_fixed_point(W, s, tol=1e-12):
    """Every field agrees with its neuron, up to rounding of fields that are exactly zero."""
    return bool(np.all(s * (W @ s) >= -tol))


def brute_async(W, s, rng, max_sweeps):
    """Reference: one neuron at a time with plain Python loops, same orders as recall."""
    s = s.copy()
    n_changed = 0
    for _ in range(max_sweeps):
        changed = False
        for i in rng.permutation(len(s)):
            h = sum(W[i, j] * s[j] for j in range(len(s)))
            new = s[i] if h == 0 else (1.0 if h > 0 else -1.0)
            changed |= new != s[i]
            s[i] = new
        if not changed:
            break
        n_changed += 1
    return s, n_changed


def brute_perceptron_epoch(W, X, lr):
    """Reference: one epoch of the tied perceptron rule with explicit loops."""
    W = W.copy()
    K, N = X.shape
    for p in range(K):
        x = X[p]
        u = [int(x[i] * sum(W[i, j] * x[j] for j in range(N)) < 1 - 1e-9) for i in range(N)]
        for i in range(N):
            for j in range(N):
                if i != j:
                    W[i, j] += lr / N * (u[i] + u[j]) * x[i] * x[j]
    return W


# --- hebbian ------------------------------------------------------------------------


@settings(max_examples=30)
@given(seed=seeds, K=st.integers(1, 12), N=st.integers(1, 30))
def test_hebbian_is_sum_of_outer_products(ch, seed, K, N):
    X = spins(np.random.default_rng(seed), K, N)
    W = ch.hebbian(X)
    ref = sum(np.outer(x, x) for x in X) / N
    np.fill_diagonal(ref, 0.0)
    np.testing.assert_allclose(W, ref, rtol=0, atol=1e-12)
    assert np.array_equal(W, W.T)


@settings(max_examples=25)
@given(seed=seeds, K=st.integers(1, 8), N=st.integers(2, 20))
def test_hebbian_invariances_and_additivity(ch, seed, K, N):
    rng = np.random.default_rng(seed)
    X, Y = spins(rng, K, N), spins(rng, 3, N)
    W = ch.hebbian(X)
    flips = rng.choice([-1.0, 1.0], size=(K, 1))
    np.testing.assert_allclose(ch.hebbian(X * flips), W, atol=1e-12)
    np.testing.assert_allclose(ch.hebbian(X[rng.permutation(K)]), W, atol=1e-12)
    perm = rng.permutation(N)
    np.testing.assert_allclose(ch.hebbian(X[:, perm]), W[np.ix_(perm, perm)], atol=1e-12)
    np.testing.assert_allclose(ch.hebbian(np.vstack([X, Y])), W + ch.hebbian(Y), atol=1e-12)


@settings(max_examples=20)
@given(seed=seeds, k=st.integers(2, 5))
def test_hebbian_stores_orthogonal_patterns(ch, seed, k):
    # Rows of a Hadamard matrix are orthogonal: no crosstalk, every pattern is a fixed point.
    N = 2**k
    X = hadamard(N)[1 : min(N, 6)].astype(float)
    W = ch.hebbian(X)
    rng = np.random.default_rng(seed)
    for x in X:
        assert is_fixed_point(W, x)
        state, n_sweeps = ch.recall(W, x, rng)
        assert n_sweeps == 0 and np.array_equal(state, x)


def test_hebbian_bad_input(ch):
    X = np.ones((3, 5))
    check_raises(ch.hebbian, X * 0.5, match="patterns")
    check_raises(ch.hebbian, np.where(X > 0, np.nan, 1.0), match="patterns")
    check_raises(ch.hebbian, np.ones(5), match="patterns")
    check_raises(ch.hebbian, np.ones((0, 5)), match="patterns")
    check_raises(ch.hebbian, "patterns", match="patterns")
    check_raises(ch.hebbian, np.zeros((2, 4)), match="patterns")


# --- energy -------------------------------------------------------------------------


@settings(max_examples=30)
@given(seed=seeds, N=st.integers(1, 25), c=st.floats(-3, 3))
def test_energy_quadratic_form(ch, seed, N, c):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((N, N))
    s = rng.standard_normal(N)
    E = ch.energy(W, s)
    ref = -0.5 * sum(W[i, j] * s[i] * s[j] for i in range(N) for j in range(N))
    assert isinstance(E, float)
    np.testing.assert_allclose(E, ref, rtol=1e-10, atol=1e-12 * N)
    np.testing.assert_allclose(ch.energy(W, -s), E, rtol=1e-12, atol=1e-12 * N)
    np.testing.assert_allclose(ch.energy(c * W, s), c * E, rtol=1e-10, atol=1e-12 * N)
    np.testing.assert_allclose(ch.energy((W + W.T) / 2, s), E, rtol=1e-10, atol=1e-12 * N)


@settings(max_examples=25)
@given(seed=seeds, K=st.integers(1, 10), N=st.integers(2, 40))
def test_hebbian_energy_through_overlaps(ch, seed, K, N):
    rng = np.random.default_rng(seed)
    X, s = spins(rng, K, N), spins(rng, N)
    m = X @ s / N
    np.testing.assert_allclose(
        ch.energy(ch.hebbian(X), s), -N / 2 * np.sum(m**2) + K / 2, rtol=1e-10, atol=1e-10
    )


def test_energy_bad_input(ch):
    W, s = np.eye(3), np.ones(3)
    check_raises(ch.energy, np.ones((3, 2)), s, match="W")
    check_raises(ch.energy, W, np.ones(4), match="s")
    check_raises(ch.energy, W, np.array([1.0, np.inf, 1.0]), match="s")
    check_raises(ch.energy, np.full((3, 3), np.nan), s, match="W")
    check_raises(ch.energy, "W", s, match="W")


# --- recall -------------------------------------------------------------------------


@settings(max_examples=30)
@given(seed=seeds, N=st.integers(1, 14), diagonal=st.sampled_from([0.0, 0.5]))
def test_recall_async_matches_brute_force(ch, seed, N, diagonal):
    rng = np.random.default_rng(seed)
    W, s0 = sym(rng, N, diagonal), spins(rng, N)
    state, n_sweeps = ch.recall(W, s0, np.random.default_rng(seed + 1), max_sweeps=50)
    ref, n_ref = brute_async(W, s0, np.random.default_rng(seed + 1), 50)
    assert np.array_equal(state, ref) and n_sweeps == n_ref
    assert n_sweeps < 50 and is_fixed_point(W, state)
    assert ch.energy(W, state) <= ch.energy(W, s0) + 1e-12


@settings(max_examples=25)
@given(seed=seeds, K=st.integers(1, 20), N=st.integers(2, 40))
def test_recall_descends_and_returns_spins(ch, seed, K, N):
    rng = np.random.default_rng(seed)
    X, s0 = spins(rng, K, N), spins(rng, N)
    W = ch.hebbian(X)
    state, n_sweeps = ch.recall(W, s0, rng)
    assert state.shape == (N,) and set(np.unique(state)) <= {-1.0, 1.0}
    assert isinstance(n_sweeps, int) and 0 <= n_sweeps < 100
    assert is_fixed_point(W, state)
    assert ch.energy(W, state) <= ch.energy(W, s0) + 1e-12
    # a fixed point is left alone, and the reversed state is a fixed point too
    assert ch.recall(W, state, rng)[1] == 0
    assert np.array_equal(ch.recall(W, -state, rng)[0], -state)


@settings(max_examples=25)
@given(seed=seeds, N=st.integers(2, 12))
def test_recall_sync_ends_in_period_one_or_two(ch, seed, N):
    rng = np.random.default_rng(seed)
    W, s0 = sym(rng, N), spins(rng, N)
    state, n_sweeps = ch.recall(W, s0, rng, max_sweeps=300, mode="sync")
    again, _ = ch.recall(W, state, rng, max_sweeps=2, mode="sync")
    assert np.array_equal(again, state)  # two synchronous steps bring it back
    if n_sweeps < 300:
        assert is_fixed_point(W, state)
    else:
        assert not is_fixed_point(W, state)


def test_recall_edge_cases(ch):
    rng = np.random.default_rng(0)
    s0 = spins(rng, 7)
    # zero weights: every field is zero, every state is kept
    state, n = ch.recall(np.zeros((7, 7)), s0, rng)
    assert n == 0 and np.array_equal(state, s0)
    # the two-neuron 2-cycle of the chapter, and the max_sweeps branch
    W2 = np.array([[0.0, 1.0], [1.0, 0.0]])
    state, n = ch.recall(W2, [1.0, -1.0], rng, max_sweeps=7, mode="sync")
    assert n == 7 and np.array_equal(state, [-1.0, 1.0])
    state, n = ch.recall(W2, [1.0, -1.0], rng, max_sweeps=1)
    assert n == 1 and abs(state.sum()) == 2
    # one neuron
    state, n = ch.recall([[0.0]], [1.0], rng)
    assert n == 0 and np.array_equal(state, [1.0])


def test_recall_is_reproducible(ch):
    rng = np.random.default_rng(3)
    X = spins(rng, 30, 60)
    W, s0 = ch.hebbian(X), spins(rng, 60)
    a = ch.recall(W, s0, np.random.default_rng(11))
    b = ch.recall(W, s0, np.random.default_rng(11))
    assert np.array_equal(a[0], b[0]) and a[1] == b[1]


def test_recall_bad_input(ch):
    rng = np.random.default_rng(0)
    W, s0 = np.eye(3) * 0, np.ones(3)
    check_raises(ch.recall, np.ones((3, 2)), s0, rng, match="W")
    check_raises(ch.recall, W, np.ones(4), rng, match="s0")
    check_raises(ch.recall, W, np.array([1.0, 0.0, 1.0]), rng, match="s0")
    check_raises(ch.recall, W, np.array([1.0, np.nan, 1.0]), rng, match="s0")
    check_raises(ch.recall, W, s0, 42, match="rng")
    check_raises(ch.recall, W, s0, rng, max_sweeps=0, match="max_sweeps")
    check_raises(ch.recall, W, s0, rng, max_sweeps=2.5, match="max_sweeps")
    check_raises(ch.recall, W, s0, rng, mode="parallel", match="mode")
    check_raises(ch.recall, W, s0, rng, mode=1, match="mode")


# --- perceptron_rule ----------------------------------------------------------------


@settings(max_examples=20)
@given(seed=seeds, K=st.integers(1, 4), N=st.integers(2, 9), lr=st.sampled_from([0.3, 1.0]))
def test_perceptron_one_epoch_matches_brute_force(ch, seed, K, N, lr):
    X = spins(np.random.default_rng(seed), K, N)
    W = ch.perceptron_rule(X, n_epochs=1, lr=lr)
    np.testing.assert_allclose(W, brute_perceptron_epoch(np.zeros((N, N)), X, lr), atol=1e-12)


@settings(max_examples=15)
@given(seed=seeds, K=st.integers(2, 5), N=st.integers(2, 8))
def test_perceptron_epoch_follows_the_rng_order(ch, seed, K, N):
    X = spins(np.random.default_rng(seed), K, N)
    W = ch.perceptron_rule(X, n_epochs=1, rng=np.random.default_rng(seed + 1))
    order = np.random.default_rng(seed + 1).permutation(K)
    np.testing.assert_allclose(W, brute_perceptron_epoch(np.zeros((N, N)), X[order], 1.0))


@settings(max_examples=20)
@given(seed=seeds, N=st.integers(20, 40), load=st.floats(0.05, 0.3))
def test_perceptron_stores_the_patterns(ch, seed, N, load):
    rng = np.random.default_rng(seed)
    X = spins(rng, max(1, int(load * N)), N)
    W = ch.perceptron_rule(X, n_epochs=1000, rng=rng)
    assert np.array_equal(W, W.T) and not np.diagonal(W).any()
    gamma = X * (X @ W)
    assert gamma.min() >= 1 - 1e-9
    for x in X:
        assert ch.recall(W, x, rng)[1] == 0


@settings(max_examples=20)
@given(seed=seeds, K=st.integers(1, 10), N=st.integers(2, 20))
def test_perceptron_sign_invariance_and_determinism(ch, seed, K, N):
    rng = np.random.default_rng(seed)
    X = spins(rng, K, N)
    flips = rng.choice([-1.0, 1.0], size=(K, 1))
    W = ch.perceptron_rule(X, n_epochs=20)
    np.testing.assert_allclose(ch.perceptron_rule(X * flips, n_epochs=20), W, atol=1e-12)
    a = ch.perceptron_rule(X, n_epochs=5, rng=np.random.default_rng(seed))
    b = ch.perceptron_rule(X, n_epochs=5, rng=np.random.default_rng(seed))
    assert np.array_equal(a, b)


def test_perceptron_edge_cases(ch):
    x = np.array([1.0, -1.0, 1.0, 1.0])
    # one pattern: a single update from zero gives 2/N times the Hebbian outer product
    ref = 2 / 4 * np.outer(x, x)
    np.fill_diagonal(ref, 0.0)
    np.testing.assert_allclose(ch.perceptron_rule(x[None]), ref, atol=1e-12)
    # one neuron: no weights to learn
    assert np.array_equal(ch.perceptron_rule([[1.0]], n_epochs=3), [[0.0]])


def test_perceptron_bad_input(ch):
    X = np.ones((2, 4))
    check_raises(ch.perceptron_rule, X * 2, match="patterns")
    check_raises(ch.perceptron_rule, np.ones(4), match="patterns")
    check_raises(ch.perceptron_rule, X, n_epochs=0, match="n_epochs")
    check_raises(ch.perceptron_rule, X, n_epochs=1.5, match="n_epochs")
    check_raises(ch.perceptron_rule, X, lr=0.0, match="lr")
    check_raises(ch.perceptron_rule, X, lr=np.nan, match="lr")
    check_raises(ch.perceptron_rule, X, lr="1", match="lr")
    check_raises(ch.perceptron_rule, X, rng=7, match="rng")
