"""Property tests of the diffusion-models chapter's public API.

The schedules, ``q_sample``, ``gmm_eps`` and the three samplers (``ddpm_sample``,
``ddim_sample``, ``annealed_langevin``) are tried on schedules, dimensions, component counts
and seeds the chapter never uses, against independent routes: SciPy densities differentiated
numerically, the closed-form noise predictor of one Gaussian, an exact composition identity
of the forward chain, exact moment recursions for Gaussian data, and random-number replay.
Bad input must fail with a ``ValueError``/``TypeError`` naming the argument.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import logsumexp

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("diffusion-models")


seeds = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=15, deadline=None)


def random_schedule(rng, T):
    """A random decreasing alpha_bar of length T in (0, 1)."""
    betas = rng.uniform(1e-3, 0.3, T)
    return np.cumprod(1 - betas), betas


def random_gmm(rng, k, d):
    w = rng.uniform(0.2, 1.0, k)
    w /= w.sum()
    means = rng.normal(size=(k, d)) * 2
    a = rng.normal(size=(k, d, d))
    covs = a @ a.transpose(0, 2, 1) / d + 0.05 * np.eye(d)
    return w, means, covs


# --- schedules ---------------------------------------------------------------------------


@FEW
@given(st.integers(1, 500), st.floats(1e-5, 0.1), st.floats(0.0, 0.5))
def test_linear_schedule_endpoints_and_spacing(ch, T, start, extra):
    end = min(start + extra, 0.99)
    b = ch.linear_beta_schedule(T, start, end)
    assert b.shape == (T,)
    assert b[0] == pytest.approx(start)
    if T > 1:
        assert b[-1] == pytest.approx(end)
        np.testing.assert_allclose(np.diff(b), (end - start) / (T - 1), atol=1e-12)


def test_linear_schedule_defaults(ch):
    b = ch.linear_beta_schedule(1000)
    assert (b[0], b[-1]) == (pytest.approx(1e-4), pytest.approx(0.02))


@FEW
@given(st.integers(1, 2000))
def test_cosine_schedule_decreasing_and_matches_formula(ch, T):
    ab = ch.cosine_alpha_bar(T)
    assert ab.shape == (T,)
    assert np.all(ab > 0) and np.all(ab < 1)
    assert np.all(np.diff(ab) < 0)
    ratios = ab / np.concatenate([[1.0], ab[:-1]])
    assert np.all(ratios >= 0.001 * (1 - 1e-9))  # every beta capped at 0.999
    s = 0.008
    f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2
    uncapped = 1 - f[1:] / f[:-1] < 0.999
    ref = f[1:] / f[0]
    # before the first capped step, alpha_bar is the cos^2 ratio itself
    first = np.argmin(uncapped) if not uncapped.all() else T
    np.testing.assert_allclose(ab[:first], ref[:first], rtol=1e-9)


def test_schedules_reject_bad_input(ch):
    for bad in (0, -3, 2.5, True, "10", None):
        check_raises(ch.linear_beta_schedule, bad, match="T")
        check_raises(ch.cosine_alpha_bar, bad, match="T")
    check_raises(ch.linear_beta_schedule, 10, 0.0, 0.02, match="beta_start")
    check_raises(ch.linear_beta_schedule, 10, 1.0, 0.02, match="beta_start")
    check_raises(ch.linear_beta_schedule, 10, np.nan, 0.02, match="beta_start")
    check_raises(ch.linear_beta_schedule, 10, 0.05, 0.01, match="beta_end")
    check_raises(ch.linear_beta_schedule, 10, 1e-4, 1.0, match="beta_end")


# --- q_sample ----------------------------------------------------------------------------


@FEW
@given(seeds, st.integers(2, 60), st.integers(1, 20), st.integers(1, 4))
def test_q_sample_composes_with_one_forward_step(ch, seed, T, n, d):
    # x_t = sqrt(alpha_t) x_{t-1} + sqrt(beta_t) z is again the closed form, with the noise
    # combined exactly: (sqrt(alpha_t (1 - ab_{t-1})) e1 + sqrt(beta_t) z) / sqrt(1 - ab_t)
    rng = make_rng(seed)
    ab, betas = random_schedule(rng, T)
    t = int(rng.integers(1, T))
    x0, e1, z = (rng.normal(size=(n, d)) for _ in range(3))
    prev = ch.q_sample(x0, t - 1, ab, e1)
    step = np.sqrt(1 - betas[t]) * prev + np.sqrt(betas[t]) * z
    e = (np.sqrt((1 - betas[t]) * (1 - ab[t - 1])) * e1 + np.sqrt(betas[t]) * z) / np.sqrt(
        1 - ab[t]
    )
    np.testing.assert_allclose(ch.q_sample(x0, t, ab, e), step, rtol=1e-9, atol=1e-12)


@FEW
@given(seeds, st.integers(1, 30), st.integers(1, 15))
def test_q_sample_vector_steps_equal_rowwise_scalar_steps(ch, seed, T, n):
    rng = make_rng(seed)
    ab, _ = random_schedule(rng, T)
    x0, noise = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    ts = rng.integers(0, T, size=n)
    rows = [ch.q_sample(x0[i : i + 1], int(ts[i]), ab, noise[i : i + 1]) for i in range(n)]
    np.testing.assert_allclose(ch.q_sample(x0, ts, ab, noise), np.vstack(rows), rtol=1e-12)


@FEW
@given(seeds, st.integers(1, 30))
def test_q_sample_zero_noise_and_linearity(ch, seed, T):
    rng = make_rng(seed)
    ab, _ = random_schedule(rng, T)
    t = int(rng.integers(T))
    x0, n1, n2 = rng.normal(size=(4, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    zero = ch.q_sample(x0, t, ab, np.zeros_like(x0))
    np.testing.assert_allclose(zero, np.sqrt(ab[t]) * x0, rtol=1e-12)
    lhs = ch.q_sample(x0, t, ab, n1 + n2) - zero
    rhs = (ch.q_sample(x0, t, ab, n1) - zero) + (ch.q_sample(x0, t, ab, n2) - zero)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9, atol=1e-12)


def test_q_sample_matches_simulated_chain_in_distribution(ch):
    rng = make_rng(5)
    betas = ch.linear_beta_schedule(30, 0.01, 0.2)
    ab = np.cumprod(1 - betas)
    x = np.full(40_000, -1.5)
    for b in betas[:20]:
        x = np.sqrt(1 - b) * x + np.sqrt(b) * rng.standard_normal(x.size)
    direct = ch.q_sample(np.full((40_000, 1), -1.5), 19, ab, rng.normal(size=(40_000, 1)))
    assert stats.ks_2samp(x, direct[:, 0]).pvalue > 1e-3


def test_q_sample_rejects_bad_input(ch):
    ab = np.array([0.9, 0.7, 0.4])
    x0, noise = np.zeros((2, 2)), np.zeros((2, 2))
    check_raises(ch.q_sample, x0, 3, ab, noise, match="t")
    check_raises(ch.q_sample, x0, -1, ab, noise, match="t")
    check_raises(ch.q_sample, x0, 1.5, ab, noise, match="t")
    check_raises(ch.q_sample, x0, True, ab, noise, match="t")
    check_raises(ch.q_sample, x0, [0.5, 1], ab, noise, match="t")
    check_raises(ch.q_sample, x0, [0, 1, 2], ab, noise, match="t")
    check_raises(ch.q_sample, x0, np.array([0, 3]), ab, noise, match="t")
    check_raises(ch.q_sample, x0, 1, ab, np.zeros((2, 3)), match="noise")
    check_raises(ch.q_sample, np.full((2, 2), np.nan), 1, ab, noise, match="x0")
    check_raises(ch.q_sample, np.zeros(2), 1, ab, noise, match="x0")
    check_raises(ch.q_sample, x0, 1, [0.9, 1.0, 0.4], noise, match="alpha_bar")
    check_raises(ch.q_sample, x0, 1, [0.9, 0.0, 0.0], noise, match="alpha_bar")
    check_raises(ch.q_sample, x0, 1, [0.4, 0.7, 0.9], noise, match="alpha_bar")
    check_raises(ch.q_sample, x0, 1, [], noise, match="alpha_bar")


# --- gmm_eps -----------------------------------------------------------------------------


def noised_logpdf(x, ab, w, means, covs):
    d = x.shape[1]
    comps = [
        np.log(wk)
        + stats.multivariate_normal(np.sqrt(ab) * m, ab * c + (1 - ab) * np.eye(d)).logpdf(x)
        for wk, m, c in zip(w, means, covs, strict=True)
    ]
    return logsumexp(np.reshape(comps, (len(w), len(x))), axis=0)


@FEW
@given(seeds, st.integers(1, 4), st.integers(1, 3), st.integers(1, 10))
def test_gmm_eps_is_scaled_score_by_finite_differences(ch, seed, k, d, n):
    rng = make_rng(seed)
    w, means, covs = random_gmm(rng, k, d)
    ab, _ = random_schedule(rng, 8)
    t = int(rng.integers(8))
    x, h = rng.normal(size=(n, d)) * 2, 1e-5
    fd = np.stack(
        [
            (
                noised_logpdf(x + h * e, ab[t], w, means, covs)
                - noised_logpdf(x - h * e, ab[t], w, means, covs)
            )
            / (2 * h)
            for e in np.eye(d)
        ],
        axis=1,
    )
    ours = ch.gmm_eps(x, t, ab, w, means, covs)
    np.testing.assert_allclose(ours, -np.sqrt(1 - ab[t]) * fd, rtol=1e-5, atol=1e-7)


@FEW
@given(seeds, st.integers(1, 4))
def test_gmm_eps_single_gaussian_closed_form(ch, seed, d):
    rng = make_rng(seed)
    _, m, c = random_gmm(rng, 1, d)
    ab = np.array([0.99, 0.6, 0.05])
    x = rng.normal(size=(6, d))
    for t in range(3):
        cov_t = ab[t] * c[0] + (1 - ab[t]) * np.eye(d)
        ref = np.sqrt(1 - ab[t]) * np.linalg.solve(cov_t, (x - np.sqrt(ab[t]) * m[0]).T).T
        np.testing.assert_allclose(ch.gmm_eps(x, t, ab, [1.0], m, c), ref, rtol=1e-9)


@FEW
@given(seeds, st.integers(2, 5))
def test_gmm_eps_permutation_and_translation(ch, seed, k):
    rng = make_rng(seed)
    w, means, covs = random_gmm(rng, k, 2)
    ab = np.array([0.8, 0.3])
    x = rng.normal(size=(7, 2))
    base = ch.gmm_eps(x, 1, ab, w, means, covs)
    p = rng.permutation(k)
    np.testing.assert_allclose(ch.gmm_eps(x, 1, ab, w[p], means[p], covs[p]), base, rtol=1e-9)
    shift = rng.normal(size=2)
    moved = ch.gmm_eps(x + np.sqrt(ab[1]) * shift, 1, ab, w, means + shift, covs)
    np.testing.assert_allclose(moved, base, rtol=1e-8, atol=1e-10)


def test_gmm_eps_atoms_give_posterior_mean_of_noise(ch):
    # point masses: E[eps | x_t] = sum_k r_k (x_t - sqrt(ab) a_k) / sqrt(1 - ab)
    atoms, w, ab = np.array([[-1.0], [2.0]]), np.array([0.3, 0.7]), np.array([0.5])
    x = np.linspace(-3, 3, 9)[:, None]
    logr = np.log(w) + stats.norm.logpdf(x, np.sqrt(0.5) * atoms[:, 0], np.sqrt(0.5))
    r = np.exp(logr - logsumexp(logr, axis=1, keepdims=True))
    ref = (r * (x - np.sqrt(0.5) * atoms[:, 0])).sum(1, keepdims=True) / np.sqrt(0.5)
    ours = ch.gmm_eps(x, 0, ab, w, atoms, np.zeros((2, 1, 1)))
    np.testing.assert_allclose(ours, ref, rtol=1e-10)


def test_gmm_eps_far_points_stay_finite(ch):
    w, means, covs = random_gmm(make_rng(1), 3, 2)
    out = ch.gmm_eps(np.array([[1e3, -1e3], [0.0, 0.0]]), 0, [0.999], w, means, covs)
    assert np.all(np.isfinite(out))


def test_gmm_eps_rejects_bad_input(ch):
    w, m, c = random_gmm(make_rng(0), 2, 2)
    x, ab = np.zeros((3, 2)), np.array([0.9, 0.5])
    check_raises(ch.gmm_eps, x, 2, ab, w, m, c, match="t")
    check_raises(ch.gmm_eps, x, 0.5, ab, w, m, c, match="t")
    check_raises(ch.gmm_eps, np.zeros((3, 3)), 0, ab, w, m, c, match="x must")
    check_raises(ch.gmm_eps, [np.nan, 0], 0, ab, w, m, c, match="x")
    check_raises(ch.gmm_eps, x, 0, ab, [0.5, 0.6], m, c, match="weights")
    check_raises(ch.gmm_eps, x, 0, ab, [1.2, -0.2], m, c, match="weights")
    check_raises(ch.gmm_eps, x, 0, ab, w, m[:1], c, match="means")
    check_raises(ch.gmm_eps, x, 0, ab, w, m, c[:, :1], match="covs")
    asym = c.copy()
    asym[0, 0, 1] += 1.0
    check_raises(ch.gmm_eps, x, 0, ab, w, m, asym, match="covs")
    check_raises(ch.gmm_eps, x, 0, ab, w, m, -c, match="covs")
    check_raises(ch.gmm_eps, x, 0, [0.5, 0.9], w, m, c, match="alpha_bar")
    check_raises(ch.gmm_eps, x, 0, [1.0, 0.5], w, m, c, match="alpha_bar")


# --- samplers ----------------------------------------------------------------------------


def gaussian_eps(alpha_bar, mean, var):
    """Exact noise predictor for 1-D data N(mean, var)."""

    def eps(x, t):
        ab = alpha_bar[t]
        return np.sqrt(1 - ab) * (x - np.sqrt(ab) * mean) / (ab * var + 1 - ab)

    return eps


@FEW
@given(seeds, st.floats(-2, 2), st.floats(0.05, 3.0), st.integers(5, 40))
def test_ddpm_moments_follow_the_exact_linear_recursion(ch, seed, mean, var, T):
    # For Gaussian data the exact predictor is linear, so DDPM is a linear Gaussian chain
    # whose mean and variance we propagate independently of the chapter's code.
    rng = make_rng(seed)
    betas = rng.uniform(0.01, 0.4, T)
    ab = np.cumprod(1 - betas)
    out = ch.ddpm_sample(gaussian_eps(ab, mean, var), (20_000, 1), betas, rng)[:, 0]
    m, v = 0.0, 1.0
    for t in range(T - 1, -1, -1):
        c = np.sqrt(1 - ab[t]) / (ab[t] * var + 1 - ab[t])
        k = betas[t] / np.sqrt(1 - ab[t])
        gain, shift = (1 - k * c) / np.sqrt(1 - betas[t]), k * c * np.sqrt(ab[t]) * mean
        m, v = gain * m + shift / np.sqrt(1 - betas[t]), gain**2 * v + (betas[t] if t else 0)
    se_m, se_v = np.sqrt(v / out.size), v * np.sqrt(2 / out.size)
    assert abs(out.mean() - m) < 5 * se_m
    assert abs(out.var() - v) < 5 * se_v


def test_ddpm_reaches_gaussian_data_with_small_steps(ch):
    betas = ch.linear_beta_schedule(400, 1e-4, 0.04)
    ab = np.cumprod(1 - betas)
    out = ch.ddpm_sample(gaussian_eps(ab, 1.5, 0.25), (20_000, 1), betas, make_rng(3))
    assert abs(out.mean() - 1.5) < 0.03 and abs(out.var() - 0.25) < 0.02


@FEW
@given(seeds, st.integers(1, 30))
def test_ddpm_calls_every_step_once_and_no_noise_at_the_end(ch, seed, T):
    rng = make_rng(seed)
    betas = rng.uniform(0.01, 0.5, T)
    calls = []

    def zero_eps(x, t):
        calls.append(t)
        return np.zeros_like(x)

    out = ch.ddpm_sample(zero_eps, (5, 2), betas, make_rng(seed))
    assert calls == list(range(T - 1, -1, -1))
    # with eps = 0 each step divides by sqrt(1 - beta_t); replay the noise draws
    replay = make_rng(seed)
    x = replay.standard_normal((5, 2))
    for t in range(T - 1, -1, -1):
        x = x / np.sqrt(1 - betas[t])
        if t:
            x = x + np.sqrt(betas[t]) * replay.standard_normal((5, 2))
    np.testing.assert_allclose(out, x, rtol=1e-12)
    del rng


@FEW
@given(seeds, st.integers(1, 60), st.floats(0.0, 1.0), st.integers(1, 3))
def test_ddim_with_true_noise_returns_the_clean_point(ch, seed, T, eta, d):
    # if eps_fn returns the exact noise of a fixed x0, every x0_hat is x0, for any eta
    rng = make_rng(seed)
    ab, _ = random_schedule(rng, T)
    x0 = rng.normal(size=(4, d))

    def true_eps(x, t):
        return (x - np.sqrt(ab[t]) * x0) / np.sqrt(1 - ab[t])

    n_steps = int(rng.integers(1, T + 1))
    x_T = ch.q_sample(x0, T - 1, ab, rng.normal(size=x0.shape))
    out = ch.ddim_sample(true_eps, x_T, ab, n_steps, eta=eta, rng=rng)
    np.testing.assert_allclose(out, x0, rtol=1e-7, atol=1e-7)


@FEW
@given(seeds, st.integers(1, 80))
def test_ddim_step_subsequence(ch, seed, T):
    rng = make_rng(seed)
    ab, _ = random_schedule(rng, T)
    n_steps = int(rng.integers(1, T + 1))
    calls = []

    def eps(x, t):
        calls.append(t)
        return np.zeros_like(x)

    ch.ddim_sample(eps, np.zeros((2, 1)), ab, n_steps)
    assert len(calls) == n_steps and calls[0] == T - 1
    assert np.all(np.diff(calls) < 0) and (n_steps == 1 or calls[-1] == 0)


def test_ddim_one_step_is_tweedie(ch):
    ab = np.array([0.9, 0.5, 0.2])
    eps = gaussian_eps(ab, 0.7, 0.5)
    x = np.linspace(-2, 2, 5)[:, None]
    ref = (x - np.sqrt(0.8) * eps(x, 2)) / np.sqrt(0.2)
    np.testing.assert_allclose(ch.ddim_sample(eps, x, ab, 1), ref, rtol=1e-12)


def test_ddim_converges_to_gaussian_flow_map(ch):
    # the probability-flow map of N(m, v) data is affine; DDIM is first order in the steps
    m, v = 0.5, 0.3
    ab = np.cumprod(1 - ch.linear_beta_schedule(1000))
    x_T = np.linspace(-2, 2, 9)[:, None]
    exact = m + np.sqrt(v) * (x_T - np.sqrt(ab[-1]) * m) / np.sqrt(ab[-1] * v + 1 - ab[-1])
    errs = [
        np.abs(ch.ddim_sample(gaussian_eps(ab, m, v), x_T, ab, n) - exact).max()
        for n in (50, 1000)
    ]
    assert errs[1] < 0.01 and errs[1] < errs[0] / 5


def test_ddim_is_deterministic_at_eta_zero_and_random_otherwise(ch):
    ab = np.cumprod(1 - ch.linear_beta_schedule(50, 1e-3, 0.1))
    eps = gaussian_eps(ab, 0.0, 1.0)
    x = np.ones((3, 1))
    a = ch.ddim_sample(eps, x, ab, 10)
    np.testing.assert_array_equal(a, ch.ddim_sample(eps, x, ab, 10, rng=make_rng(1)))
    b = ch.ddim_sample(eps, x, ab, 10, eta=1.0, rng=make_rng(1))
    c = ch.ddim_sample(eps, x, ab, 10, eta=1.0, rng=make_rng(2))
    assert not np.allclose(b, c)


@FEW
@given(seeds, st.integers(1, 5), st.integers(1, 20), st.floats(1e-3, 0.5))
def test_annealed_langevin_step_sizes_by_replay(ch, seed, L, n_each, step_lr):
    # with a zero score, x = x0 + sum_i sum_k sqrt(alpha_i) z_ik, alpha_i = lr s_i^2 / s_L^2
    rng = make_rng(seed)
    sigmas = np.sort(rng.uniform(0.1, 3.0, L))[::-1]
    x0 = rng.normal(size=(4, 2))
    calls = []

    def zero(x, i):
        calls.append(i)
        return np.zeros_like(x)

    out = ch.annealed_langevin(zero, x0, sigmas, n_each, step_lr, make_rng(seed))
    replay, x = make_rng(seed), x0.copy()
    for s in sigmas:
        for _ in range(n_each):
            x = x + np.sqrt(step_lr * s**2 / sigmas[-1] ** 2) * replay.standard_normal(x.shape)
    np.testing.assert_allclose(out, x, rtol=1e-10, atol=1e-12)
    assert calls == [i for i in range(L) for _ in range(n_each)]


@FEW
@given(seeds, st.floats(0.2, 2.0), st.floats(0.3, 1.0))
def test_annealed_langevin_gaussian_stationary_variance(ch, seed, var, sigma_last):
    # target N(0, var + sigma^2) at the last level: x' = (1 - a / 2V) x + sqrt(a) z has
    # stationary variance a / (1 - (1 - a / 2V)^2)
    sigmas = sigma_last * np.array([2.0, 1.5, 1.0])
    V = var + sigma_last**2
    lr = 0.05 * V

    def score(x, i):
        return -x / (var + sigmas[i] ** 2)

    out = ch.annealed_langevin(score, np.zeros((8000, 1)), sigmas, 300, lr, make_rng(seed))
    expected = lr / (1 - (1 - lr / (2 * V)) ** 2)
    assert abs(out.var() - expected) < 5 * expected * np.sqrt(2 / out.size)


def test_samplers_reject_bad_input(ch):
    betas = np.array([0.1, 0.2])
    ab = np.cumprod(1 - betas)
    rng = make_rng(0)

    def eps(x, t):
        return np.zeros_like(x)

    check_raises(ch.ddpm_sample, "f", (2, 1), betas, rng, match="eps_fn")
    check_raises(ch.ddpm_sample, eps, (0, 1), betas, rng, match="shape")
    check_raises(ch.ddpm_sample, eps, 5, betas, rng, match="shape")
    check_raises(ch.ddpm_sample, eps, (2, 1.5), betas, rng, match="shape")
    check_raises(ch.ddpm_sample, eps, (2, 1), [0.1, 1.0], rng, match="betas")
    check_raises(ch.ddpm_sample, eps, (2, 1), [0.1, np.nan], rng, match="betas")
    check_raises(ch.ddpm_sample, eps, (2, 1), [], rng, match="betas")
    check_raises(ch.ddpm_sample, eps, (2, 1), betas, 0, match="rng")
    check_raises(ch.ddpm_sample, lambda x, t: x[:1], (2, 1), betas, rng, match="eps_fn")
    check_raises(ch.ddpm_sample, lambda x, t: x * np.nan, (2, 1), betas, rng, match="eps_fn")

    x = np.zeros((2, 1))
    check_raises(ch.ddim_sample, None, x, ab, 2, match="eps_fn")
    check_raises(ch.ddim_sample, eps, np.zeros(2), ab, 2, match="x_T")
    check_raises(ch.ddim_sample, eps, [[np.inf]], ab, 2, match="x_T")
    check_raises(ch.ddim_sample, eps, x, ab[::-1], 2, match="alpha_bar")
    check_raises(ch.ddim_sample, eps, x, ab, 0, match="n_steps")
    check_raises(ch.ddim_sample, eps, x, ab, 3, match="n_steps")
    check_raises(ch.ddim_sample, eps, x, ab, 2.0, match="n_steps")
    check_raises(ch.ddim_sample, eps, x, ab, 2, eta=1.5, match="eta")
    check_raises(ch.ddim_sample, eps, x, ab, 2, eta=-0.1, match="eta")
    check_raises(ch.ddim_sample, eps, x, ab, 2, eta=0.5, rng=None, match="rng")
    check_raises(ch.ddim_sample, eps, x, ab, 2, rng=7, match="rng")  # checked even at eta=0
    check_raises(ch.ddim_sample, lambda x, t: x.T, np.zeros((2, 3)), ab, 2, match="eps_fn")

    def score(x, i):
        return -x

    s = np.array([1.0, 0.5])
    check_raises(ch.annealed_langevin, 3, x, s, 2, 0.1, rng, match="score_fn")
    check_raises(ch.annealed_langevin, score, np.zeros(3), s, 2, 0.1, rng, match="x0")
    check_raises(ch.annealed_langevin, score, x, s[::-1], 2, 0.1, rng, match="sigmas")
    check_raises(ch.annealed_langevin, score, x, [1.0, 0.0], 2, 0.1, rng, match="sigmas")
    check_raises(ch.annealed_langevin, score, x, s, 0, 0.1, rng, match="n_steps_each")
    check_raises(ch.annealed_langevin, score, x, s, 2, 0.0, rng, match="step_lr")
    check_raises(ch.annealed_langevin, score, x, s, 2, 0.1, None, match="rng")
    check_raises(ch.annealed_langevin, lambda x, i: x[:, :0], x, s, 2, 0.1, rng, match="score_fn")
