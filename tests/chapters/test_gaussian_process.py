"""Property tests of the Gaussian-process chapter's public API (and its derivation pieces).

Every property is mathematical: agreement with a brute-force formula, a second derivation or
scikit-learn/SciPy; an invariance (units, shifts by a period); a monotonicity (data never
increase the posterior variance); and clear errors naming the argument for bad input.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gamma, kv
from scipy.stats import multivariate_normal

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("gaussian-process")


seeds = st.integers(0, 2**31 - 1)
log_scales = st.floats(-2.0, 2.0)  # log10 of a lengthscale or variance


def _points(seed, n, p, spread=2.0):
    return make_rng(seed).uniform(-spread, spread, (n, p))


def _se_brute(A, B, ell, var):
    return np.array([[var * np.exp(-np.sum((a - b) ** 2) / (2 * ell**2)) for b in B] for a in A])


# ---------------------------------------------------------------- kernels


@given(seeds, st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), log_scales, log_scales)
def test_rbf_equals_formula_and_is_psd(ch, seed, n1, n2, p, log_ell, log_var):
    ell, var = 10.0**log_ell, 10.0**log_var
    A, B = _points(seed, n1, p), _points(seed + 1, n2, p)
    np.testing.assert_allclose(ch.rbf(A, B, ell, var), _se_brute(A, B, ell, var), rtol=1e-12)
    K = ch.rbf(A, A, ell, var)
    np.testing.assert_array_equal(K, K.T)
    np.testing.assert_allclose(np.diag(K), var, rtol=1e-15)
    assert np.linalg.eigvalsh(K).min() >= -1e-10 * var


@given(seeds, st.integers(1, 6), st.integers(1, 3), log_scales, log_scales)
def test_matern_kernels_equal_the_bessel_form(ch, seed, n, p, log_ell, log_var):
    ell, var = 10.0**log_ell, 10.0**log_var
    A, B = _points(seed, n, p), _points(seed + 7, n + 1, p)
    r = np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))
    for fn, nu in ((ch.matern52, 2.5), (ch.exponential, 0.5)):
        z = np.sqrt(2 * nu) * r / ell
        with np.errstate(under="ignore"):
            ref = var * 2 ** (1 - nu) / gamma(nu) * z**nu * kv(nu, z)
        ok = z < 500  # kv underflows to 0 beyond this; the closed forms do too
        np.testing.assert_allclose(fn(A, B, ell, var)[ok], ref[ok], rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(np.diag(fn(A, A, ell, var)), var, rtol=1e-15)


@given(seeds, st.integers(1, 6), st.floats(0.1, 5.0), st.floats(0.2, 3.0), st.integers(-3, 3))
def test_periodic_is_periodic_and_a_warped_se(ch, seed, n, ell, period, shift):
    x, x2 = _points(seed, n, 1, 5.0), _points(seed + 3, n + 2, 1, 5.0)
    K = ch.periodic(x, x2, ell, period, 1.3)
    np.testing.assert_allclose(ch.periodic(x + shift * period, x2, ell, period, 1.3), K, atol=1e-9)

    def circle(t):
        return np.hstack([np.cos(2 * np.pi * t / period), np.sin(2 * np.pi * t / period)])

    np.testing.assert_allclose(K, ch.rbf(circle(x), circle(x2), ell, 1.3), rtol=1e-9, atol=1e-15)


@given(seeds, st.integers(1, 5), st.integers(1, 3), st.floats(-2, 2), log_scales)
def test_linear_kernel_is_the_centred_inner_product(ch, seed, n, p, offset, log_var):
    A, B = _points(seed, n, p), _points(seed + 5, n + 1, p)
    var = 10.0**log_var
    ref = var * np.array([[np.dot(a - offset, b - offset) for b in B] for a in A])
    np.testing.assert_allclose(ch.linear(A, B, var, offset), ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ell", [1e-300, 1e-200, 5e-324, 1e200, 1e300])
def test_kernels_at_extreme_lengthscales_take_their_limits(ch, ell):
    X = np.array([[0.0], [0.5], [3.0]])
    small = ell < 1
    for fn in (ch.rbf, ch.matern52, ch.exponential):
        K = fn(X, X, ell, 2.0)
        np.testing.assert_array_equal(K, 2.0 * np.eye(3) if small else np.full((3, 3), 2.0))
    K = ch.periodic(X, X, ell, 2.0, 2.0)
    assert np.all(np.isfinite(K)) and np.all(np.diag(K) == 2.0)
    K = ch.periodic(X, X, 1.0, ell, 2.0)  # extreme period: r/p over- or underflows safely
    assert np.all(np.isfinite(K)) and np.all((K >= 0) & (K <= 2.0))


@pytest.mark.parametrize("name", ["rbf", "matern52", "exponential", "periodic", "linear"])
def test_kernels_refuse_bad_input(ch, name):
    fn = getattr(ch, name)
    X = np.zeros((3, 2))
    check_raises(fn, np.zeros(3), X, match="X1")
    check_raises(fn, X, np.zeros((2, 3)), match="X2")
    check_raises(fn, np.full((3, 2), np.nan), X, match="X1")
    check_raises(fn, np.zeros((0, 2)), X, match="X1")
    check_raises(fn, "abc", X, match="X1")
    check_raises(fn, X, X, variance=-1.0, match="variance")
    check_raises(fn, X, X, variance=np.inf, match="variance")
    if name == "linear":
        check_raises(fn, X, X, offset=np.nan, match="offset")
        check_raises(fn, X, X, offset="0", match="offset")
        return
    check_raises(fn, X, X, lengthscale=0.0, match="lengthscale")
    check_raises(fn, X, X, lengthscale="1", match="lengthscale")
    check_raises(fn, X, X, lengthscale=True, match="lengthscale")
    if name == "periodic":
        check_raises(fn, X, X, period=-2.0, match="period")


# ---------------------------------------------------------------- derivation pieces


@given(seeds, st.integers(2, 7), st.data())
def test_conditioning_schur_equals_precision_route(ch, seed, n, data):
    rng = make_rng(seed)
    A = rng.standard_normal((n, n))
    Sigma = A @ A.T + 0.3 * np.eye(n)
    mu, x = rng.standard_normal(n), rng.standard_normal(n)
    k = data.draw(st.integers(1, n - 1))
    b = np.sort(rng.choice(n, size=k, replace=False))
    a = np.setdiff1d(np.arange(n), b)
    mean, cov = ch.condition_gaussian(mu, Sigma, b, x[b])
    Lam = np.linalg.inv(Sigma)
    cov_ref = np.linalg.inv(Lam[np.ix_(a, a)])
    mean_ref = mu[a] - cov_ref @ Lam[np.ix_(a, b)] @ (x[b] - mu[b])
    np.testing.assert_allclose(mean, mean_ref, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(cov, cov_ref, rtol=1e-8, atol=1e-10)


@given(seeds, st.integers(2, 12), log_scales, log_scales)
def test_ou_precision_is_the_inverse_and_tridiagonal(ch, seed, n, log_ell, log_var):
    t = np.sort(make_rng(seed).uniform(0, 10, n))
    t = t[np.r_[True, np.diff(t) > 1e-3]]  # distinct times keep K invertible
    ell, var = 10.0**log_ell, 10.0**log_var
    Lam = ch.ou_precision(t, ell, var)
    K = ch.exponential(t[:, None], t[:, None], ell, var)
    np.testing.assert_allclose(Lam @ K, np.eye(len(t)), atol=1e-7)
    i, j = np.indices(Lam.shape)
    assert np.all(Lam[np.abs(i - j) >= 2] == 0.0)


@given(seeds, st.integers(1, 10), st.floats(-1, 1), st.floats(-1, 1), st.floats(-3, 0))
def test_se_evidence_gradient_equals_finite_differences(ch, seed, n, le, lv, ln):
    rng = make_rng(seed)
    X, y = rng.uniform(0, 4, (n, 1)), rng.standard_normal(n)
    theta = np.log(10.0 ** np.array([le, lv, ln]))
    R2 = (X - X.T) ** 2
    lml, grad = ch.se_lml_and_grad(theta, R2, y)
    assert lml == pytest.approx(ch.evidence_at(theta, X, y), rel=1e-10)
    fd = ch.fd_gradient(lambda t: ch.evidence_at(t, X, y), theta, 1e-5)
    np.testing.assert_allclose(grad, fd, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- posterior and evidence


def _se(ell=0.7, var=1.3):
    return lambda A, B: (
        var * np.exp(-0.5 * ((A[:, None, :] - B[None, :, :]) ** 2).sum(-1) / ell**2)
    )


@given(seeds, st.integers(1, 8), st.integers(1, 5), st.integers(1, 3), st.floats(-3, 0))
def test_posterior_equals_direct_formula_and_scikit_learn(ch, seed, n, m, p, log_noise):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process import kernels as skk

    rng = make_rng(seed)
    X, Xs, y = rng.uniform(-2, 2, (n, p)), rng.uniform(-2, 2, (m, p)), rng.standard_normal(n)
    noise, k = 10.0**log_noise, _se()
    mean, cov = ch.gp_posterior(X, y, Xs, k, noise)
    Ky = k(X, X) + noise * np.eye(n)
    np.testing.assert_allclose(mean, k(Xs, X) @ np.linalg.solve(Ky, y), rtol=1e-7, atol=1e-9)
    cov_ref = k(Xs, Xs) - k(Xs, X) @ np.linalg.solve(Ky, k(X, Xs))
    np.testing.assert_allclose(cov, cov_ref, atol=1e-9)
    sk = skk.ConstantKernel(1.3, "fixed") * skk.RBF(0.7, "fixed")
    gpr = GaussianProcessRegressor(sk, alpha=noise, optimizer=None).fit(X, y)
    m_sk, c_sk = gpr.predict(Xs, return_cov=True)
    np.testing.assert_allclose(mean, m_sk, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(cov, c_sk, atol=1e-9)


@given(seeds, st.integers(1, 8), st.floats(-3, 0), st.floats(-3, 3))
def test_posterior_shrinks_variance_and_is_linear_in_y(ch, seed, n, log_noise, c):
    rng = make_rng(seed)
    X, Xs, y = rng.uniform(0, 3, (n, 1)), np.linspace(-1, 4, 9)[:, None], rng.normal(size=n)
    k, noise = _se(), 10.0**log_noise
    mean, cov = ch.gp_posterior(X, y, Xs, k, noise)
    mean_c, cov_c = ch.gp_posterior(X, c * y, Xs, k, noise)
    np.testing.assert_allclose(mean_c, c * mean, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(cov_c, cov)  # the covariance ignores y
    gap = np.linalg.eigvalsh(k(Xs, Xs) - cov)  # prior minus posterior: PSD
    assert gap.min() >= -1e-9 * max(gap.max(), 1.0)
    _, cov_more = ch.gp_posterior(np.vstack([X, [[1.5]]]), np.r_[y, 0.0], Xs, k, noise)
    assert np.all(np.diag(cov_more) <= np.diag(cov) + 1e-12)  # more data, less variance


def test_posterior_edge_cases(ch):
    k = _se()
    X, y = np.array([[0.0], [1.0]]), np.array([0.3, -0.2])
    mean, cov = ch.gp_posterior(X, y, X, k, 0.0)  # zero noise, distinct points: interpolates
    np.testing.assert_allclose(mean, y, atol=1e-10)
    np.testing.assert_allclose(cov, 0.0, atol=1e-10)
    mean, _ = ch.gp_posterior(X[:1], y[:1], X[:1], k, 0.5)  # one sample
    assert mean[0] == pytest.approx(1.3 / (1.3 + 0.5) * 0.3)
    ties = np.array([[0.0], [0.0]])  # repeated inputs: fine with noise, refused without
    mean, _ = ch.gp_posterior(ties, np.array([1.0, 3.0]), ties[:1], k, 0.1)
    assert mean[0] == pytest.approx(1.3 * 4.0 / (2 * 1.3 + 0.1))
    check_raises(ch.gp_posterior, ties, y, ties, k, 0.0, match="noise")


@given(seeds, st.integers(1, 8), st.integers(1, 3), st.floats(-3, 0))
def test_evidence_equals_scipy_and_the_chain_rule(ch, seed, n, p, log_noise):
    rng = make_rng(seed)
    X, y, noise, k = rng.uniform(-2, 2, (n, p)), rng.normal(size=n), 10.0**log_noise, _se()
    lml = ch.log_marginal_likelihood(X, y, k, noise)
    ref = multivariate_normal(np.zeros(n), k(X, X) + noise * np.eye(n)).logpdf(y)
    assert lml == pytest.approx(ref, rel=1e-9, abs=1e-9)
    chain = multivariate_normal(0, 1.3 + noise).logpdf(y[0])  # log p(y) = sum log p(y_i | y_<i)
    for i in range(1, n):
        m_i, c_i = ch.gp_posterior(X[:i], y[:i], X[i : i + 1], k, noise)
        chain += multivariate_normal(m_i[0], c_i[0, 0] + noise).logpdf(y[i])
    assert lml == pytest.approx(chain, rel=1e-7, abs=1e-7)


@pytest.mark.parametrize("fn", ["gp_posterior", "log_marginal_likelihood"])
def test_posterior_and_evidence_refuse_bad_input(ch, fn):
    f = getattr(ch, fn)
    X, y, k = np.zeros((3, 1)) + [[0.0], [1.0], [2.0]], np.zeros(3), _se()

    def call(X=X, y=y, kernel=k, noise=0.1, X_star=X):
        return f(X, y, X_star, kernel, noise) if fn == "gp_posterior" else f(X, y, kernel, noise)

    check_raises(call, X=np.zeros(3), match="X")
    check_raises(call, X=np.zeros((0, 1)), y=np.zeros(0), match="X")
    check_raises(call, X=np.full((3, 1), np.inf), match="X")
    check_raises(call, y=np.zeros(4), match="y")
    check_raises(call, y=np.array([0.0, np.nan, 1.0]), match="y")
    check_raises(call, noise=-0.1, match="noise")
    check_raises(call, noise="0.1", match="noise")
    check_raises(call, kernel="rbf", match="kernel")
    check_raises(call, kernel=lambda A, B: k(A, B) * np.nan, match="kernel")
    check_raises(call, kernel=lambda A, B: k(A, B)[:, :1], match="kernel")
    check_raises(
        call, kernel=lambda A, B: k(A, B) + np.triu(np.ones((len(A), len(B)))), match="kernel"
    )
    check_raises(call, kernel=lambda A, B: -k(A, B), noise=0.0, match="noise")
    slightly = lambda A, B: k(A, B) + 1e-6 * np.triu(np.ones((len(A), len(B))), 1)  # noqa: E731
    check_raises(call, kernel=slightly, match="kernel")  # asymmetric by 1e-6 of the scale
    if fn == "gp_posterior":
        check_raises(call, X_star=np.zeros((2, 2)), match="X_star")
        check_raises(call, X_star=np.zeros((0, 1)), match="X_star")


# ---------------------------------------------------------------- fitting


def _wiggly(seed, n=25, scale_x=1.0, scale_y=1.0):
    rng = make_rng(seed)
    x = np.sort(rng.uniform(0, 6, n))[:, None]
    y = np.sin(2 * x[:, 0]) + 0.3 * np.cos(5 * x[:, 0]) + rng.normal(0, 0.2, n)
    return x * scale_x, y * scale_y


@settings(max_examples=12)
@given(seeds, st.integers(-12, 12), st.integers(-12, 12))
def test_fit_is_equivariant_to_units(ch, seed, kx, ky):
    a, c = 2.0**kx, 2.0**ky  # powers of two scale exactly
    x, y = _wiggly(seed)
    fit = ch.fit_hyperparameters(x, y)
    fit_s = ch.fit_hyperparameters(x * a, y * c, a * 1.0, c**2 * 1.0, c**2 * 0.1)
    assert fit_s["lengthscale"] == pytest.approx(a * fit["lengthscale"], rel=1e-9)
    assert fit_s["variance"] == pytest.approx(c**2 * fit["variance"], rel=1e-9)
    assert fit_s["noise"] == pytest.approx(c**2 * fit["noise"], rel=1e-9)
    lml_s = fit_s["log_marginal_likelihood"] + len(y) * np.log(c)
    assert lml_s == pytest.approx(fit["log_marginal_likelihood"], rel=1e-9, abs=1e-9)


@settings(max_examples=12)
@given(seeds, st.floats(-5, 5), st.floats(-4, 0.5))
def test_fit_is_a_stationary_maximum_at_least_as_good_as_its_start(ch, seed, log_sy, log_n0):
    x, y = _wiggly(seed, scale_y=10.0**log_sy)
    s2 = np.mean(y**2)
    fit = ch.fit_hyperparameters(x, y, 1.0, s2, 10.0**log_n0 * s2)
    params = [fit[k] for k in ch.HYPER_NAMES]
    lml = ch.evidence_at(np.log(params), x, y)
    assert fit["log_marginal_likelihood"] == pytest.approx(lml, rel=1e-9, abs=1e-9)
    assert lml >= ch.evidence_at(np.log([1.0, s2, 10.0**log_n0 * s2]), x, y) - 1e-9
    assert fit["success"] and fit["at_bounds"] == ()
    assert fit["lengthscale"] > 0.1  # never the pure-noise plateau (spacing ~ 0.25)
    slope = ch.fd_gradient(lambda t: ch.evidence_at(t, x, y), np.log(params), 1e-5)
    np.testing.assert_allclose(slope, 0.0, atol=2e-3)


def test_fit_robust_to_large_targets_and_bad_starts(ch):
    x, y = _wiggly(0, n=60)
    base = ch.fit_hyperparameters(x, y)
    for sy in (100.0, 1e3, 1e4):  # std(y) of 79 to 7,900: pure-noise fits before the fix
        fit = ch.fit_hyperparameters(x, y * sy)
        assert fit["lengthscale"] == pytest.approx(base["lengthscale"], rel=1e-6)
    for start in ({"noise": 1e-4}, {"noise": 1e-6}, {"lengthscale": 10.0}, {"lengthscale": 100.0}):
        fit = ch.fit_hyperparameters(x, y, **start)
        assert fit["log_marginal_likelihood"] == pytest.approx(
            base["log_marginal_likelihood"], rel=1e-8
        )


def test_fit_reports_bounds_and_edge_cases(ch):
    x = np.linspace(0, 5, 15)[:, None]
    fit = ch.fit_hyperparameters(x, np.sin(x[:, 0]))  # noise-free: noise on its lower bound
    assert fit["at_bounds"] == ("noise",)
    assert fit["noise"] == pytest.approx(np.exp(-12) * np.mean(np.sin(x[:, 0]) ** 2), rel=1e-5)
    line = ch.fit_hyperparameters(x, 0.5 + 0.0 * x[:, 0])  # a constant: lengthscale on top
    assert "lengthscale" in line["at_bounds"]
    one = ch.fit_hyperparameters(np.array([[1.0]]), np.array([2.0]))  # one sample
    assert np.isfinite(one["log_marginal_likelihood"]) and isinstance(one["message"], str)
    assert one["variance"] + one["noise"] == pytest.approx(4.0, rel=1e-4)  # ML of var(y)
    zeros = ch.fit_hyperparameters(x, np.zeros(15))  # all-zero targets: finite, no warning
    assert np.isfinite(zeros["log_marginal_likelihood"])
    assert isinstance(fit["n_evaluations"], int) and fit["n_evaluations"] > 0


def test_fit_refuses_bad_input(ch):
    x, y = _wiggly(1)
    f = ch.fit_hyperparameters
    check_raises(f, np.zeros((0, 1)), np.zeros(0), match="X")
    check_raises(f, x[:, 0], y, match="X")
    check_raises(f, x, y[:-1], match="y")
    check_raises(f, x, y * np.nan, match="y")
    check_raises(f, x, y, lengthscale=-1.0, match="lengthscale")
    check_raises(f, x, y, variance=True, match="variance")
    check_raises(f, x, y, noise=0.0, match="noise")
    check_raises(f, x, y, noise=np.inf, match="noise")


def test_fit_reports_a_start_moved_onto_the_search_range(ch):
    x, y = _wiggly(1)
    fit = ch.fit_hyperparameters(x, y, lengthscale=1e-9, noise=1e12)
    assert fit["start_clipped"] == ("lengthscale", "noise")
    assert ch.fit_hyperparameters(x, y)["start_clipped"] == ()
    assert ch.fit_hyperparameters(x, y * 1e4)["start_clipped"] == ("variance", "noise")


# ---------------------------------------------------------------- the CO2 kernel


def _co2_params(ch, seed):
    rng = make_rng(seed)
    return dict(
        zip(
            ch.CO2_NAMES,
            np.exp(rng.uniform(-1, 1, 9)) * [4, 5, 1, 20, 1, 1, 0.3, 0.5, 0.1],
            strict=True,
        )
    )


@given(seeds, st.integers(1, 8))
def test_co2_kernel_is_the_sum_of_its_parts(ch, seed, n):
    P = _co2_params(ch, seed)
    T = np.sort(make_rng(seed).uniform(1960, 1970, n))[:, None]
    ref = (
        ch.rbf(T, T, P["trend_lengthscale"], P["trend_variance"])
        + ch.rbf(T, T, P["seasonal_decay"], P["seasonal_variance"])
        * ch.periodic(T, T, P["seasonal_lengthscale"], P["period"])
        + ch.matern52(T, T, P["medium_lengthscale"], P["medium_variance"])
    )
    K = ch.co2_kernel(T, T, P)
    np.testing.assert_allclose(K, ref, rtol=1e-9, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() >= -1e-9 * np.abs(K).max()


def test_co2_derivatives_equal_finite_differences(ch):
    P = _co2_params(ch, 3)
    t = np.linspace(1960, 1965, 7)
    r = np.abs(t[:, None] - t[None, :])
    theta = np.log([P[k] for k in ch.CO2_NAMES])
    _, dK = ch.co2_parts(theta, r)
    for j in range(8):
        e = 1e-6 * np.eye(9)[j]
        fd = (ch.co2_parts(theta + e, r)[0] - ch.co2_parts(theta - e, r)[0]) / 2e-6
        np.testing.assert_allclose(dK[j], fd, rtol=1e-5, atol=1e-8)


def test_co2_fit_improves_a_small_problem(ch):
    rng = make_rng(0)
    t = np.arange(30) / 12 + 1960.0
    y = 0.5 * (t - 1961) + np.sin(2 * np.pi * t) + rng.normal(0, 0.1, 30)
    y = y - y.mean()
    start = dict(zip(ch.CO2_NAMES, [4.0, 5.0, 1.0, 20.0, 1.0, 1.0, 0.1, 0.5, 0.05], strict=True))
    fit = ch.fit_co2_kernel(t, y, start)

    def lml(P):
        return ch.log_marginal_likelihood(
            t[:, None], y, lambda A, B: ch.co2_kernel(A, B, P), P["noise"]
        )

    assert fit["log_marginal_likelihood"] == pytest.approx(lml(fit), rel=1e-9)
    assert fit["log_marginal_likelihood"] > lml(start)


def test_co2_functions_refuse_bad_input(ch):
    P = _co2_params(ch, 0)
    T = np.zeros((3, 1))
    check_raises(
        ch.co2_kernel, T, T, {k: v for k, v in P.items() if k != "period"}, match="params"
    )
    check_raises(ch.co2_kernel, T, T, [1.0] * 9, match="params")
    check_raises(ch.co2_kernel, np.zeros((3, 2)), T, P, match="T1")
    check_raises(ch.co2_kernel, T, np.zeros(3), P, match="T2")
    check_raises(ch.co2_kernel, T, T, P | {"period": -1.0}, match="period")
    t, y = np.arange(5.0), np.zeros(5)
    check_raises(ch.fit_co2_kernel, t[:, None], y, P, match="t")
    check_raises(ch.fit_co2_kernel, t, y[:-1], P, match="y")
    check_raises(ch.fit_co2_kernel, t, y, {}, match="start")
    check_raises(ch.fit_co2_kernel, t, y, P | {"noise": np.nan}, match="noise")
