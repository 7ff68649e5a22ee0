"""Property tests of the S4 chapter's public API.

``hippo_legs``, ``hippo_dplr``, ``discretize``, ``ssm_states``, ``ssm_scan``,
``ssm_kernel_naive``, ``causal_conv`` and ``s4_kernel`` are tried on sizes, steps, ranks,
lengths and dtypes the chapter never uses, against independent routes (explicit matrix
powers, ``numpy.convolve``, ``scipy.signal.cont2discrete``, ``scipy.linalg.expm``, the
Legendre polynomials) and invariances (linearity, chunking, the shape of P and Q), with edge
cases (N = 1, L = 1, odd and even L, real parameters, rank up to 3, kernels longer than the
input). Bad input must fail with a ``ValueError``/``TypeError`` that names the argument.
"""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm
from scipy.special import eval_legendre

from mlnotes_helpers import check_raises, load_chapter, make_rng


@pytest.fixture(scope="module")
def ch():
    return load_chapter("s4-state-spaces")


seeds = st.integers(0, 2**31 - 1)
sizes = st.integers(1, 10)
lengths = st.integers(1, 80)
log_steps = st.floats(-3.0, 0.0)  # log10 Δ
FEW = settings(max_examples=20)


def _rel(a, b):
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-300)


def _stable(rng, N, complex_=False):
    """A random stable matrix: a random one shifted left of its spectral abscissa."""
    A = rng.standard_normal((N, N))
    if complex_:
        A = A + 1j * rng.standard_normal((N, N))
    shift = np.linalg.eigvals(A).real.max() + rng.uniform(0.2, 2.0)
    return A - shift * np.eye(N)


def _dplr(rng, N, r, real=False):
    """A random stable DPLR system (Λ, P, Q, B, C) with a small low-rank part."""
    if real:
        lam = -rng.uniform(0.2, 3.0, N)
        P, Q = 0.3 * rng.standard_normal((2, N, r))
        B, C = rng.standard_normal((2, N))
    else:
        lam = -rng.uniform(0.2, 3.0, N) + 1j * rng.uniform(-20, 20, N)
        P, Q = 0.3 * (rng.standard_normal((2, N, r)) + 1j * rng.standard_normal((2, N, r)))
        B, C = rng.standard_normal((2, N)) + 1j * rng.standard_normal((2, N))
    A = np.diag(lam) - P @ Q.conj().T
    if np.linalg.eigvals(A).real.max() >= -0.05:  # keep A stable: shrink the low-rank part
        P, Q = 0.01 * P, 0.01 * Q
        A = np.diag(lam) - P @ Q.conj().T
    return lam, P, Q, B, C, A


def _powers_kernel(Ab, Bb, C, L):
    return np.array([C @ np.linalg.matrix_power(Ab, k) @ Bb for k in range(L)])


# ---------------------------------------------------------------- HiPPO


@FEW
@given(st.integers(1, 24), st.floats(0.01, 5.0))
def test_hippo_legs_state_kernel_is_warped_legendre(ch, N, tau):
    A, B = ch.hippo_legs(N)
    n = np.arange(N)
    legendre = np.sqrt(2 * n + 1) * eval_legendre(n, 2 * np.exp(-tau) - 1) * np.exp(-tau)
    assert _rel(expm(tau * A) @ B, legendre) < 1e-9
    assert np.allclose(np.diag(A), -(n + 1.0)) and np.all(np.triu(A, 1) == 0)


@FEW
@given(st.integers(1, 48))
def test_hippo_dplr_is_unitary_and_rebuilds_hippo(ch, N):
    A, B = ch.hippo_legs(N)
    Lam, P, Q, Bt, V = ch.hippo_dplr(N)
    assert np.abs(V.conj().T @ V - np.eye(N)).max() < 1e-12
    assert np.allclose(Lam.real, -0.5) and np.allclose(P, Q)
    rebuilt = V @ (np.diag(Lam) - np.outer(P, Q.conj())) @ V.conj().T
    assert _rel(rebuilt, A) < 1e-12
    assert _rel(V @ Bt, B) < 1e-12


def test_hippo_bad_input(ch):
    for fn in (ch.hippo_legs, ch.hippo_dplr):
        check_raises(fn, 0, match="N")
        check_raises(fn, 2.5, match="N")
        check_raises(fn, True, match="N")
        check_raises(fn, "4", match="N")


# ---------------------------------------------------------------- discretisation


@FEW
@given(seeds, sizes, log_steps)
def test_discretize_equals_scipy_bilinear(ch, seed, N, log_step):
    rng, step = make_rng(seed), 10.0**log_step
    A, B, C = _stable(rng, N), rng.standard_normal(N), rng.standard_normal(N)
    Ab, Bb, Cb = ch.discretize(A, B, C, step)
    Ad, Bd, _, _, _ = scipy.signal.cont2discrete(
        (A, B[:, None], C[None, :], np.zeros((1, 1))), step, method="bilinear"
    )
    assert _rel(Ab, Ad) < 1e-10 and _rel(Bb, Bd[:, 0]) < 1e-10
    assert np.array_equal(Cb, C) and Cb is not C


@FEW
@given(seeds, sizes, st.floats(-3.0, 2.0))
def test_discretize_complex_and_contraction(ch, seed, N, log_step):
    rng, step = make_rng(seed), 10.0**log_step
    A = _stable(rng, N, complex_=True)
    B = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    Ab, Bb, _ = ch.discretize(A, B, B, step)
    eye = np.eye(N)
    assert _rel((eye - step / 2 * A) @ Ab, eye + step / 2 * A) < 1e-9
    assert _rel((eye - step / 2 * A) @ Bb, step * B) < 1e-9
    # dissipative A (A + A* negative definite) gives a contraction at every step
    S = A - A.conj().T
    D = -np.diag(rng.uniform(0.1, 2.0, N))
    Ab_d = ch.discretize(0.5 * S + D, B, B, step)[0]
    assert np.linalg.norm(Ab_d, 2) <= 1 + 1e-12


def test_discretize_refuses_a_singular_step(ch):
    # 2/step = 4 is an eigenvalue at step = 0.5: exactly, and to within round-off
    for eigenvalue in (4.0, 4.0 * (1 + 4e-16), 4.0 * (1 - 4e-16)):
        A = np.diag([eigenvalue, -1.0])
        check_raises(ch.discretize, A, np.ones(2), np.ones(2), 0.5, match="step")


def test_discretize_bad_input(ch):
    A, v = -np.eye(3), np.ones(3)
    check_raises(ch.discretize, np.ones((3, 2)), v, v, 0.1, match="A")
    check_raises(ch.discretize, A, np.ones(2), v, 0.1, match="B")
    check_raises(ch.discretize, A, v, np.ones(4), 0.1, match="C")
    check_raises(ch.discretize, A * np.nan, v, v, 0.1, match="A")
    check_raises(ch.discretize, A, v, v, 0.0, match="step")
    check_raises(ch.discretize, A, v, v, np.inf, match="step")
    check_raises(ch.discretize, A, v, v, "0.1", match="step")
    check_raises(ch.discretize, [["a"]], ["b"], ["c"], 0.1, match="A")


# ---------------------------------------------------------------- recurrence and kernel


@FEW
@given(seeds, sizes, lengths, st.booleans())
def test_naive_kernel_is_matrix_powers_and_impulse_response(ch, seed, N, L, complex_):
    rng = make_rng(seed)
    Ab, Bb, C = ch.discretize(_stable(rng, N, complex_), *rng.standard_normal((2, N)), 0.1)
    K = ch.ssm_kernel_naive(Ab, Bb, C, L)
    assert K.shape == (L,) and np.iscomplexobj(K) == complex_
    assert _rel(K, _powers_kernel(Ab, Bb, C, L)) < 1e-10
    impulse = np.zeros(L)
    impulse[0] = 1.0
    assert _rel(ch.ssm_scan(Ab, Bb, C, impulse), K) < 1e-12


@FEW
@given(seeds, sizes, lengths, st.booleans())
def test_scan_equals_fft_convolution_and_is_linear(ch, seed, N, L, complex_):
    rng = make_rng(seed)
    Ab, Bb, C = ch.discretize(_stable(rng, N, complex_), *rng.standard_normal((2, N)), 0.2)
    u1, u2 = rng.standard_normal((2, L))
    if complex_:
        u1 = u1 + 1j * rng.standard_normal(L)
    y1 = ch.ssm_scan(Ab, Bb, C, u1)
    K = ch.ssm_kernel_naive(Ab, Bb, C, L)
    assert _rel(y1, ch.causal_conv(u1, K)) < 1e-10
    y_mix = ch.ssm_scan(Ab, Bb, C, 2.0 * u1 - 3.0 * u2)
    assert _rel(y_mix, 2.0 * y1 - 3.0 * ch.ssm_scan(Ab, Bb, C, u2)) < 1e-10
    X = ch.ssm_states(Ab, Bb, u1)
    assert X.shape == (L, N) and _rel(X @ C, y1) < 1e-12


def test_recurrence_bad_input(ch):
    Ab, v = 0.5 * np.eye(3), np.ones(3)
    check_raises(ch.ssm_kernel_naive, Ab, v, v, 0, match="L")
    check_raises(ch.ssm_kernel_naive, Ab, v, v, 3.0, match="L")
    check_raises(ch.ssm_kernel_naive, np.ones((3, 2)), v, v, 3, match="Ab")
    check_raises(ch.ssm_kernel_naive, Ab, np.ones(2), v, 3, match="Bb")
    check_raises(ch.ssm_kernel_naive, Ab, v, [1, 2, np.inf], 3, match="Cb")
    check_raises(ch.ssm_scan, Ab, v, v, [], match="u")
    check_raises(ch.ssm_scan, Ab, v, v, np.ones((2, 2)), match="u")
    check_raises(ch.ssm_scan, Ab, v, np.ones(4), np.ones(5), match="Cb")
    check_raises(ch.ssm_states, Ab, v, [1.0, np.nan], match="u")
    check_raises(ch.ssm_states, Ab, "abc", np.ones(5), match="Bb")


# ---------------------------------------------------------------- FFT convolution


@FEW
@given(seeds, lengths, st.integers(1, 120), st.booleans())
def test_causal_conv_equals_numpy_convolve(ch, seed, L, M, complex_):
    rng = make_rng(seed)
    u, K = rng.standard_normal(L), rng.standard_normal(M)
    if complex_:
        K = K + 1j * rng.standard_normal(M)
    y = ch.causal_conv(u, K)
    ref = np.convolve(u, K)[:L]
    assert y.shape == (L,) and np.iscomplexobj(y) == complex_
    assert np.abs(y - ref).max() <= 1e-12 * (np.abs(u).sum() * np.abs(K).max() + 1e-300)


@FEW
@given(seeds, lengths)
def test_causal_conv_commutes_at_equal_lengths(ch, seed, L):
    u, K = make_rng(seed).standard_normal((2, L))
    assert _rel(ch.causal_conv(u, K), ch.causal_conv(K, u)) < 1e-12


def test_causal_conv_bad_input(ch):
    check_raises(ch.causal_conv, np.ones((2, 3)), np.ones(3), match="u")
    check_raises(ch.causal_conv, np.ones(3), [], match="K")
    check_raises(ch.causal_conv, np.ones(3), [1.0, np.nan], match="K")
    check_raises(ch.causal_conv, ["a", "b"], np.ones(2), match="u")
    check_raises(ch.causal_conv, np.ones(3), None, match="K")


# ---------------------------------------------------------------- s4_kernel


@settings(max_examples=25)
@given(seeds, sizes, st.integers(1, 3), lengths, log_steps, st.booleans())
def test_s4_kernel_equals_stepping(ch, seed, N, r, L, log_step, real):
    rng, step = make_rng(seed), 10.0**log_step
    lam, P, Q, B, C, A = _dplr(rng, N, r, real)
    K = ch.s4_kernel(lam, P, Q, B, C, step, L)
    ref = ch.ssm_kernel_naive(*ch.discretize(A, B, C, step), L).real
    assert K.shape == (L,) and K.dtype == np.float64
    assert _rel(K, ref) < 1e-9


@FEW
@given(seeds, st.integers(1, 64), st.integers(1, 40))
def test_s4_kernel_of_hippo_equals_the_real_system(ch, seed, L, chunk):
    rng, N = make_rng(seed), 12
    A, B = ch.hippo_legs(N)
    Lam, P, Q, Bt, V = ch.hippo_dplr(N)
    C, step = rng.standard_normal(N), rng.uniform(0.001, 0.5)
    K = ch.s4_kernel(Lam, P, Q, Bt, C @ V, step, L, chunk=chunk)
    assert _rel(K, ch.ssm_kernel_naive(*ch.discretize(A, B, C, step), L)) < 1e-10


@FEW
@given(seeds, sizes)
def test_s4_kernel_vector_and_column_factors_agree(ch, seed, N):
    lam, P, Q, B, C, _ = _dplr(make_rng(seed), N, 1)
    K_col = ch.s4_kernel(lam, P, Q, B, C, 0.1, 33)
    K_vec = ch.s4_kernel(lam, P[:, 0], Q[:, 0], B, C, 0.1, 33)
    assert _rel(K_vec, K_col) < 1e-13


def test_s4_kernel_bad_input(ch):
    lam, P, Q, B, C, _ = _dplr(make_rng(0), 4, 2)
    args = [lam, P, Q, B, C, 0.1, 16]

    def call(k, value, **kw):
        bad = list(args)
        bad[k] = value
        return check_raises(ch.s4_kernel, *bad, **kw)

    call(0, -lam, match="Lambda")
    call(0, np.append(lam, -1.0), match="P")
    call(1, P[:3], match="P")
    call(2, Q[:, :1], match="Q")
    call(3, np.full(4, np.nan), match="B")
    call(4, np.ones(5), match="C")
    call(5, 0.0, match="step")
    call(5, "0.1", match="step")
    call(6, 0, match="L")
    call(6, 16.0, match="L")
    check_raises(ch.s4_kernel, *args, chunk=0, match="chunk")
    # a singular I - Δ/2 A: A = -1 - p q with p q = -1 - 2/Δ has the eigenvalue 2/Δ
    check_raises(ch.s4_kernel, [-1.0], [1.0], [-1.0 - 20.0], [1.0], [1.0], 0.1, 8, match="step")
