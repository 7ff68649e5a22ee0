"""Property tests of the modern-hopfield-attention chapter's public API.

``lse``, ``energy``, ``update``, ``attention``, ``retrieve`` and ``dam_recall`` are tried on
shapes, sizes, seeds and temperatures the chapter never uses, against independent routes
(SciPy's ``logsumexp`` and ``softmax``, brute-force energies), invariances (shifts,
permutations, rotations, global sign flips) and edge cases (one pattern, ties, zero scale,
a single sweep). Bad input must fail with a ``ValueError``/``TypeError`` naming the argument.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.special import softmax as scipy_softmax
from scipy.stats import ortho_group

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("modern-hopfield-attention")


seeds = st.integers(0, 2**31 - 1)
dims = st.integers(1, 10)
counts = st.integers(1, 30)
log_betas = st.floats(-3.0, 3.0)  # log10 β
FEW = settings(max_examples=25, deadline=None)


def _patterns(seed, d, N, scale=1.0):
    rng = make_rng(seed)
    return scale * rng.standard_normal((d, N)), rng


# ---------------------------------------------------------------- lse


@FEW
@given(seeds, counts, log_betas, st.floats(-3.0, 3.0))
def test_lse_matches_scipy_and_its_bounds(ch, seed, N, log_beta, log_scale):
    beta = 10.0**log_beta
    z = 10.0**log_scale * make_rng(seed).standard_normal(N)
    value = ch.lse(beta, z)
    assert value == pytest.approx(logsumexp(beta * z) / beta, rel=1e-12, abs=1e-12)
    assert z.max() <= value <= z.max() + np.log(N) / beta + 1e-12 * max(1, abs(z.max()))


@FEW
@given(seeds, counts, log_betas, st.floats(-100.0, 100.0))
def test_lse_shifts_with_its_argument(ch, seed, N, log_beta, shift):
    beta, z = 10.0**log_beta, make_rng(seed).standard_normal(N)
    assert ch.lse(beta, z + shift) == pytest.approx(ch.lse(beta, z) + shift, abs=1e-10)


@FEW
@given(seeds, st.integers(2, 30))
def test_lse_decreases_with_beta(ch, seed, N):
    # d lse / d β = −H(softmax)/β² ≤ 0: a colder softmax is a harder maximum
    z = make_rng(seed).standard_normal(N)
    values = [ch.lse(beta, z) for beta in np.geomspace(0.01, 100, 12)]
    assert np.all(np.diff(values) <= 1e-12)


def test_lse_edge_cases(ch):
    assert ch.lse(3.0, [2.5]) == 2.5  # one term
    tied = ch.lse(2.0, np.full(7, 1.5))  # ties: every term the maximum
    assert tied == pytest.approx(1.5 + np.log(7) / 2.0, rel=1e-15)
    big = ch.lse(1e3, [1e3, 999.0])  # β z = 10⁶ would overflow a naive sum
    assert np.isfinite(big) and big == pytest.approx(1e3, rel=1e-15)
    assert ch.lse(1e6, [0.0, -1.0]) == 0.0  # the other term underflows: max exactly


def test_lse_refuses_bad_input(ch):
    z = np.arange(3.0)
    for beta in (0.0, -1.0, np.nan, np.inf):
        check_raises(ch.lse, beta, z, match="beta")
    check_raises(ch.lse, True, z, match="beta")
    check_raises(ch.lse, "1", z, match="beta")
    check_raises(ch.lse, 1.0, [], match="z")
    check_raises(ch.lse, 1.0, np.ones((2, 2)), match="z")
    check_raises(ch.lse, 1.0, [1.0, np.nan], match="z")
    check_raises(ch.lse, 1.0, "abc", match="z")


# ---------------------------------------------------------------- energy


@FEW
@given(seeds, dims, counts, log_betas, st.floats(0.1, 5.0))
def test_energy_is_bounded_below_by_the_norm_gap(ch, seed, d, N, log_beta, spread):
    X, rng = _patterns(seed, d, N)
    beta, xi = 10.0**log_beta, spread * rng.standard_normal(d)
    M = np.max(np.linalg.norm(X, axis=0))
    value = ch.energy(X, xi, beta)
    ref = -logsumexp(beta * X.T @ xi) / beta + 0.5 * xi @ xi + np.log(N) / beta + 0.5 * M**2
    assert value == pytest.approx(ref, rel=1e-10, abs=1e-10)
    assert value >= 0.5 * (np.linalg.norm(xi) - M) ** 2 - 1e-10 * (1 + M**2)


@FEW
@given(seeds, dims, counts, log_betas)
def test_energy_ignores_the_order_of_the_patterns(ch, seed, d, N, log_beta):
    X, rng = _patterns(seed, d, N)
    xi, perm = rng.standard_normal(d), rng.permutation(N)
    beta = 10.0**log_beta
    assert ch.energy(X[:, perm], xi, beta) == pytest.approx(ch.energy(X, xi, beta), abs=1e-12)


@FEW
@given(seeds, dims, st.integers(1, 8), log_betas)
def test_energy_is_zero_when_patterns_and_state_coincide(ch, seed, d, N, log_beta):
    x = make_rng(seed).standard_normal(d)
    value = ch.energy(np.tile(x[:, None], N), x, 10.0**log_beta)
    assert abs(value) <= 1e-12 * (1 + x @ x)


def test_energy_refuses_bad_input(ch):
    X, xi = np.ones((3, 4)), np.ones(3)
    check_raises(ch.energy, np.ones(3), xi, 1.0, match="X")
    check_raises(ch.energy, np.full((3, 4), np.inf), xi, 1.0, match="X")
    check_raises(ch.energy, np.ones((3, 0)), xi, 1.0, match="X")
    check_raises(ch.energy, X, np.ones(4), 1.0, match="xi")
    check_raises(ch.energy, X, [1.0, np.nan, 0.0], 1.0, match="xi")
    check_raises(ch.energy, X, xi, 0.0, match="beta")
    check_raises(ch.energy, X, xi, None, match="beta")


# ---------------------------------------------------------------- update


@FEW
@given(seeds, dims, counts, log_betas)
def test_update_is_attention_and_a_convex_combination(ch, seed, d, N, log_beta):
    X, rng = _patterns(seed, d, N)
    xi, beta = rng.standard_normal(d), 10.0**log_beta
    new = ch.update(X, xi, beta)
    ref = X @ scipy_softmax(beta * X.T @ xi)
    assert np.allclose(new, ref, rtol=1e-10, atol=1e-12)
    via_attention = ch.attention(xi[None, :], X.T, X.T, beta)[0]
    assert np.allclose(new, via_attention, rtol=1e-12, atol=1e-14)
    slack = 1e-12 * (1 + np.abs(X).max())
    assert np.all(new >= X.min(axis=1) - slack) and np.all(new <= X.max(axis=1) + slack)


@FEW
@given(seeds, st.integers(2, 8), counts, log_betas)
def test_update_is_rotation_equivariant(ch, seed, d, N, log_beta):
    X, rng = _patterns(seed, d, N)
    xi, beta = rng.standard_normal(d), 10.0**log_beta
    R = ortho_group.rvs(d, random_state=seed % 2**32)
    rotated = ch.update(R @ X, R @ xi, beta)
    assert np.allclose(rotated, R @ ch.update(X, xi, beta), rtol=1e-9, atol=1e-11)


@FEW
@given(seeds, dims, counts, log_betas, st.integers(1, 20))
def test_update_never_raises_the_energy(ch, seed, d, N, log_beta, steps):
    X, rng = _patterns(seed, d, N)
    xi, beta = 3 * rng.standard_normal(d), 10.0**log_beta
    for _ in range(steps):
        new = ch.update(X, xi, beta)
        drop = ch.energy(X, xi, beta) - ch.energy(X, new, beta)
        scale = 1e-11 * (1 + ch.energy(X, xi, beta))
        assert drop >= 0.5 * np.sum((new - xi) ** 2) - scale  # the concave–convex bound
        xi = new


def test_update_edge_cases(ch):
    x = np.array([0.3, -1.2, 2.0])
    assert np.array_equal(ch.update(x[:, None], np.zeros(3), 5.0), x)  # one pattern
    X = np.array([[1.0, -1.0], [0.0, 0.0]])
    assert np.allclose(ch.update(X, [0.0, 1.0], 3.0), [0.0, 0.0])  # a tie: the midpoint
    assert np.allclose(ch.update(X, [1.0, 0.0], 1e4), [1.0, 0.0])  # cold: the nearest


def test_update_refuses_bad_input(ch):
    X, xi = np.ones((3, 4)), np.ones(3)
    check_raises(ch.update, [[1.0, "a"]], xi, 1.0, match="X")
    check_raises(ch.update, X, np.ones((3, 1)), 1.0, match="xi")
    check_raises(ch.update, X, np.ones(2), 1.0, match="xi")
    check_raises(ch.update, X, xi, -2.0, match="beta")
    check_raises(ch.update, X, xi, 1j, match="beta")


# ---------------------------------------------------------------- attention


@FEW
@given(seeds, st.integers(1, 6), st.integers(1, 12), st.integers(1, 5), st.integers(1, 5))
def test_attention_matches_scipy_and_shifted_keys(ch, seed, m, n, d_k, d_v):
    rng = make_rng(seed)
    Q, K, V = (rng.standard_normal(s) for s in ((m, d_k), (n, d_k), (n, d_v)))
    scale = float(rng.uniform(0, 3))
    out = ch.attention(Q, K, V, scale)
    assert np.allclose(out, scipy_softmax(scale * Q @ K.T, axis=1) @ V, rtol=1e-10, atol=1e-12)
    # a vector added to every key moves each query's scores by one constant: no change
    shifted = ch.attention(Q, K + rng.standard_normal(d_k), V, scale)
    assert np.allclose(shifted, out, rtol=1e-8, atol=1e-10)
    perm = rng.permutation(n)  # keys and values permuted together: no change
    assert np.allclose(ch.attention(Q, K[perm], V[perm], scale), out, rtol=1e-10, atol=1e-12)


@FEW
@given(seeds, st.integers(1, 6), st.integers(1, 12), st.integers(1, 5))
def test_attention_weights_are_a_distribution(ch, seed, m, n, d_k):
    rng = make_rng(seed)
    Q, K = rng.standard_normal((m, d_k)), rng.standard_normal((n, d_k))
    weights = ch.attention(Q, K, np.eye(n), float(rng.uniform(0, 10)))
    assert np.all(weights >= 0) and np.allclose(weights.sum(axis=1), 1.0, rtol=1e-12)
    uniform = ch.attention(Q, K, np.eye(n), 0.0)  # scale 0: the plain average
    assert np.allclose(uniform, 1.0 / n, rtol=1e-14)


def test_attention_rows_far_apart_do_not_underflow(ch):
    # each query row is stabilised by its own maximum: a row whose scores lie far below
    # another row's must not underflow to 0 / 0
    Q, K, V = np.array([[1e3, 0.0], [1e-3, 0.0]]), np.eye(2), np.array([[1.0], [-1.0]])
    out = ch.attention(Q, K, V, 1.0)
    assert np.all(np.isfinite(out))
    assert np.allclose(out, scipy_softmax(Q @ K.T, axis=1) @ V, rtol=1e-12)


def test_attention_refuses_bad_input(ch):
    Q, K, V = np.ones((2, 3)), np.ones((4, 3)), np.ones((4, 5))
    check_raises(ch.attention, np.ones(3), K, V, 1.0, match="Q")
    check_raises(ch.attention, Q, np.ones((4, 2)), V, 1.0, match="K")
    check_raises(ch.attention, Q, K, np.ones((3, 5)), 1.0, match="V")
    check_raises(ch.attention, Q, K, [[np.nan] * 5] * 4, 1.0, match="V")
    check_raises(ch.attention, Q, K, V, -0.5, match="scale")
    check_raises(ch.attention, Q, K, V, "big", match="scale")


# ---------------------------------------------------------------- retrieve


@FEW
@given(seeds, dims, counts, log_betas, st.integers(1, 4))
def test_retrieve_batches_and_descends(ch, seed, d, N, log_beta, m):
    X, rng = _patterns(seed, d, N)
    starts, beta = 2 * rng.standard_normal((m, d)), 10.0**log_beta
    ends, n_iter = ch.retrieve(X, starts, beta, max_iter=30, tol=1e-9)
    assert ends.shape == (m, d) and 1 <= n_iter <= 30
    for start, end in zip(starts, ends, strict=True):
        alone, _ = ch.retrieve(X, start, beta, max_iter=n_iter, tol=0.0)
        assert np.allclose(end, alone, rtol=1e-10, atol=1e-12)  # a batch is m retrievals
        assert ch.energy(X, end, beta) <= ch.energy(X, start, beta) + 1e-12
        if n_iter < 30:  # stopped: every state has (nearly) stopped moving
            assert np.linalg.norm(ch.update(X, end, beta) - end) <= 2e-9
    one, steps = ch.retrieve(X, starts[0], beta, max_iter=1)
    assert steps == 1 and np.allclose(one, ch.update(X, starts[0], beta), rtol=1e-12)


@FEW
@given(seeds, st.integers(8, 40), st.integers(2, 6))
def test_retrieve_lands_on_separated_patterns(ch, seed, d, N):
    X, rng = _patterns(seed, d, N)
    X /= np.linalg.norm(X, axis=0)
    gram = X.T @ X
    separation = 1 - np.max(gram - 2 * np.eye(N), axis=1)
    i = int(np.argmax(separation))
    beta = 60 / separation[i]  # exp(−β Δ / 2) is far below the tolerance
    query = X[:, i] + 0.1 * separation[i] * rng.standard_normal(d) / np.sqrt(d)
    end, _ = ch.retrieve(X, query, beta)
    assert np.allclose(end, X[:, i], atol=1e-9)


def test_retrieve_refuses_bad_input(ch):
    X, xi = np.ones((3, 4)), np.ones(3)
    check_raises(ch.retrieve, X, np.ones((2, 2, 3)), 1.0, match="xi")
    check_raises(ch.retrieve, X, np.ones((2, 4)), 1.0, match="xi")
    check_raises(ch.retrieve, X, [np.inf, 0, 0], 1.0, match="xi")
    check_raises(ch.retrieve, X, xi, 0.0, match="beta")
    check_raises(ch.retrieve, X, xi, 1.0, max_iter=0, match="max_iter")
    check_raises(ch.retrieve, X, xi, 1.0, max_iter=2.5, match="max_iter")
    check_raises(ch.retrieve, X, xi, 1.0, tol=-1e-3, match="tol")


# ---------------------------------------------------------------- dam_recall


def _binary(seed, N, d):
    rng = make_rng(seed)
    return rng.choice([-1.0, 1.0], size=(N, d)), rng.choice([-1.0, 1.0], size=d), rng


@FEW
@given(seeds, st.integers(1, 30), st.integers(4, 30), st.integers(2, 6))
def test_dam_recall_ends_at_a_lower_fixed_point(ch, seed, N, d, n_power):
    patterns, s0, rng = _binary(seed, N, d)
    kept = s0.copy()
    s = ch.dam_recall(patterns, s0, n_power, rng, max_sweeps=200)
    assert np.array_equal(s0, kept)  # the start is not modified
    assert set(np.unique(s)) <= {-1.0, 1.0}
    energy_end = ch.dam_energy(patterns, s, n_power)
    assert energy_end <= ch.dam_energy(patterns, s0, n_power)
    # a fixed point: no unit wants to flip, whatever the order
    assert ch.dam_sweep(patterns, s.copy(), n_power, rng.permutation(d)) == 0
    flips = np.where(np.eye(d) > 0, -1.0, 1.0) * s  # every single-unit flip of s
    assert all(ch.dam_energy(patterns, f, n_power) >= energy_end for f in flips)


@FEW
@given(seeds, st.integers(1, 20), st.integers(4, 30), st.sampled_from([2, 4, 6]))
def test_dam_recall_even_powers_commute_with_a_global_flip(ch, seed, N, d, n_power):
    patterns, s0, _ = _binary(seed, N, d)
    plus = ch.dam_recall(patterns, s0, n_power, make_rng(seed))
    minus = ch.dam_recall(patterns, -s0, n_power, make_rng(seed))  # same unit order
    assert np.array_equal(minus, -plus)


@FEW
@given(seeds, st.integers(2, 15), st.integers(2, 7))
def test_dam_recall_one_pattern_is_recalled_from_positive_overlap(ch, seed, k, n_power):
    patterns, s0, rng = _binary(seed, 1, 2 * k + 1)  # odd d: the overlap is never 0
    s0 *= np.sign(patterns[0] @ s0)
    assert np.array_equal(ch.dam_recall(patterns, s0, n_power, rng), patterns[0])


def test_dam_recall_single_sweep_and_capacity(ch):
    patterns, s0, _ = _binary(5, 12, 20)
    one = ch.dam_recall(patterns, s0, 3, make_rng(1), max_sweeps=1)
    ref = s0.copy()
    ch.dam_sweep(patterns, ref, 3, make_rng(1).permutation(20))
    assert np.array_equal(one, ref)
    # 20 patterns in 30 units: beyond the classic capacity, within the n = 4 one
    rng = make_rng(7)
    stored = rng.choice([-1.0, 1.0], size=(20, 30))
    hits = {2: 0, 4: 0}
    for mu in range(20):
        cue = stored[mu] * np.where(np.arange(30) < 3, -1.0, 1.0)
        for n_power in hits:
            hits[n_power] += np.array_equal(ch.dam_recall(stored, cue, n_power, rng), stored[mu])
    assert hits[4] == 20 and hits[2] < 10


def test_dam_recall_refuses_bad_input(ch):
    patterns, s0, rng = _binary(0, 3, 5)
    check_raises(ch.dam_recall, patterns * 0.5, s0, 2, rng, match="patterns")
    check_raises(ch.dam_recall, patterns[0], s0, 2, rng, match="patterns")
    check_raises(ch.dam_recall, patterns, s0[:4], 2, rng, match="s0")
    check_raises(ch.dam_recall, patterns, np.zeros(5), 2, rng, match="s0")
    check_raises(ch.dam_recall, patterns, s0, 1, rng, match="n_power")
    check_raises(ch.dam_recall, patterns, s0, 21, rng, match="n_power")
    check_raises(ch.dam_recall, patterns, s0, 2.0, rng, match="n_power")
    check_raises(ch.dam_recall, patterns, s0, 2, 42, match="rng")
    check_raises(ch.dam_recall, patterns, s0, 2, rng, max_sweeps=0, match="max_sweeps")
