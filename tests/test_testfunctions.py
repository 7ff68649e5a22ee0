import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import mlnotes_helpers as h

FUNCS = h.TEST_FUNCTIONS


def _central_difference(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def _dim(tf):
    return tf.dim if tf.dim is not None else 5


@pytest.mark.parametrize("name", list(FUNCS))
def test_known_minimum_value(name):
    tf = FUNCS[name]
    d = _dim(tf)
    x_star = tf.minimizer(d)
    assert x_star.shape == (d,)
    tol = tf.f_min_digits if tf.f_min_digits else 1e-15
    assert abs(tf.f(x_star) - tf.f_min) <= tol
    if tf.minimizers is not None:
        np.testing.assert_allclose(tf.f(tf.minimizers), tf.f_min, atol=tol)


@pytest.mark.parametrize("name", list(FUNCS))
def test_minimum_is_local_minimum_and_gradient_small(name):
    tf = FUNCS[name]
    d = _dim(tf)
    x_star = tf.minimizer(d)
    # Published minimisers have ~6 digits: the gradient there is small but not zero.
    assert np.max(np.abs(tf.grad(x_star))) < 1e-3
    rng = np.random.default_rng(0)
    for _ in range(50):
        step = 1e-2 * rng.standard_normal(d)
        assert tf.f(x_star + step) >= tf.f_min - 1e-5


@pytest.mark.parametrize("name", list(FUNCS))
def test_gradient_matches_finite_differences(name):
    tf = FUNCS[name]
    d = _dim(tf)
    rng = np.random.default_rng(1)
    lo, hi = (tf.bounds[:, 0], tf.bounds[:, 1]) if tf.bounds is not None else (-2, 2)
    for _ in range(5):
        x = lo + (hi - lo) * rng.random(d)
        np.testing.assert_allclose(
            tf.grad(x), _central_difference(tf.f, x), rtol=1e-6, atol=1e-6 * (1 + abs(tf.f(x)))
        )


@settings(max_examples=50, deadline=None)
@given(arrays(float, (4, 3), elements=st.floats(-3, 3)))
def test_vectorised_over_leading_axes(x):
    for f, g in [(h.sphere, h.sphere_grad), (h.rosenbrock, h.rosenbrock_grad)]:
        vals = f(x)
        assert vals.shape == (4,)
        np.testing.assert_allclose(vals, [f(row) for row in x], rtol=1e-12)
        np.testing.assert_allclose(g(x), np.array([g(row) for row in x]), rtol=1e-12)


def test_rosenbrock_is_the_chained_form():
    x = np.array([0.5, -1.0, 2.0])
    expected = 100 * (-1.0 - 0.25) ** 2 + 0.25 + 100 * (2.0 - 1.0) ** 2 + 4.0
    assert h.rosenbrock(x) == pytest.approx(expected)


def test_ellipsoid_condition_number():
    d = 4
    H = np.diag([h.ellipsoid(np.eye(d)[i]) for i in range(d)])
    assert np.max(np.diag(H)) / np.min(np.diag(H)) == pytest.approx(1e6)


def test_input_validation():
    with pytest.raises(ValueError):
        h.branin(np.zeros(3))
    with pytest.raises(ValueError):
        h.hartmann6(np.zeros(3))
    with pytest.raises(ValueError):
        h.rosenbrock(np.zeros(1))
    with pytest.raises(ValueError):
        h.sphere(1.0)
    with pytest.raises(ValueError):
        FUNCS["sphere"].minimizer()
