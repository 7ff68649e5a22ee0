"""Standard optimization test functions with analytic gradients and their known optima.

Every function takes ``x`` of shape ``(..., d)`` and returns values of shape ``(...,)``;
every gradient returns shape ``(..., d)``. Optima of Branin and the Hartmann functions are the
published values (Dixon and Szegő, 1978; Surjanovic and Bingham's virtual library), to the
digits published.
"""

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "TEST_FUNCTIONS",
    "TestFunction",
    "branin",
    "branin_grad",
    "ellipsoid",
    "ellipsoid_grad",
    "hartmann3",
    "hartmann3_grad",
    "hartmann6",
    "hartmann6_grad",
    "rosenbrock",
    "rosenbrock_grad",
    "sphere",
    "sphere_grad",
]


def _as_points(x, d=None, name="x"):
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (..., d)")
    if d is not None and x.shape[-1] != d:
        raise ValueError(f"{name} must have last dimension {d}, got shape {x.shape}")
    if d is None and x.shape[-1] < 1:
        raise ValueError(f"{name} must have a non-empty last dimension")
    return x


def sphere(x):
    """f(x) = Σ xᵢ², minimum 0 at the origin."""
    x = _as_points(x)
    return np.sum(x**2, axis=-1)


def sphere_grad(x):
    """∇f = 2x."""
    return 2.0 * _as_points(x)


def _ellipsoid_weights(d, condition):
    if d == 1:
        return np.ones(1)
    return condition ** (np.arange(d) / (d - 1))


def ellipsoid(x, condition=1e6):
    """f(x) = Σ c^{i/(d−1)} xᵢ² with condition number ``condition``; minimum 0 at the origin."""
    x = _as_points(x)
    if condition < 1:
        raise ValueError(f"condition must be >= 1, got {condition}")
    return np.sum(_ellipsoid_weights(x.shape[-1], condition) * x**2, axis=-1)


def ellipsoid_grad(x, condition=1e6):
    """∇f = 2 c^{i/(d−1)} xᵢ."""
    x = _as_points(x)
    if condition < 1:
        raise ValueError(f"condition must be >= 1, got {condition}")
    return 2.0 * _ellipsoid_weights(x.shape[-1], condition) * x


def rosenbrock(x):
    """Chained Rosenbrock Σᵢ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², d ≥ 2; minimum 0 at (1, …, 1)."""
    x = _as_points(x)
    if x.shape[-1] < 2:
        raise ValueError("rosenbrock needs d >= 2")
    a, b = x[..., :-1], x[..., 1:]
    return np.sum(100.0 * (b - a**2) ** 2 + (1.0 - a) ** 2, axis=-1)


def rosenbrock_grad(x):
    """Gradient of the chained Rosenbrock function."""
    x = _as_points(x)
    if x.shape[-1] < 2:
        raise ValueError("rosenbrock needs d >= 2")
    a, b = x[..., :-1], x[..., 1:]
    inner = b - a**2
    g = np.zeros_like(x)
    g[..., :-1] += -400.0 * a * inner - 2.0 * (1.0 - a)
    g[..., 1:] += 200.0 * inner
    return g


_BR_B = 5.1 / (4 * np.pi**2)
_BR_C = 5.0 / np.pi
_BR_T = 1.0 / (8 * np.pi)


def branin(x):
    """Branin–Hoo on [−5, 10] × [0, 15]; minimum 0.397887 at three points."""
    x = _as_points(x, 2)
    x1, x2 = x[..., 0], x[..., 1]
    return (x2 - _BR_B * x1**2 + _BR_C * x1 - 6.0) ** 2 + 10.0 * (1 - _BR_T) * np.cos(x1) + 10.0


def branin_grad(x):
    """Gradient of the Branin–Hoo function."""
    x = _as_points(x, 2)
    x1, x2 = x[..., 0], x[..., 1]
    r = x2 - _BR_B * x1**2 + _BR_C * x1 - 6.0
    g1 = 2 * r * (-2 * _BR_B * x1 + _BR_C) - 10.0 * (1 - _BR_T) * np.sin(x1)
    g2 = 2 * r
    return np.stack([g1, g2], axis=-1)


_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H3_A = np.array([[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]])
_H3_P = 1e-4 * np.array(
    [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]]
)
_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def _hartmann_terms(x, A, P):
    """The four exponential terms (..., 4) and the offsets x − P (..., 4, d)."""
    x = _as_points(x, A.shape[1])
    diff = x[..., None, :] - P
    return np.exp(-np.sum(A * diff**2, axis=-1)), diff


def _hartmann_value(x, A, P):
    e, _ = _hartmann_terms(x, A, P)
    return -e @ _H_ALPHA


def _hartmann_grad(x, A, P):
    e, diff = _hartmann_terms(x, A, P)
    return np.einsum("...i,...ij->...j", _H_ALPHA * e, 2.0 * A * diff)


def hartmann3(x):
    """Hartmann-3 on [0, 1]³; minimum −3.86278 at (0.114614, 0.555649, 0.852547)."""
    return _hartmann_value(x, _H3_A, _H3_P)


def hartmann3_grad(x):
    """Gradient of Hartmann-3."""
    return _hartmann_grad(x, _H3_A, _H3_P)


def hartmann6(x):
    """Hartmann-6 on [0, 1]⁶; minimum −3.32237 at (0.20169, 0.150011, 0.476874, 0.275332,
    0.311652, 0.6573)."""
    return _hartmann_value(x, _H6_A, _H6_P)


def hartmann6_grad(x):
    """Gradient of Hartmann-6."""
    return _hartmann_grad(x, _H6_A, _H6_P)


@dataclass(frozen=True)
class TestFunction:
    """A test function with its gradient, domain and known optimum.

    Attributes
    ----------
    name : str
    f, grad : callable
        ``f(x)`` of shape ``(...,)`` and ``grad(x)`` of shape ``(..., d)`` for ``x (..., d)``.
    dim : int or None
        The dimension, or None if any ``d`` (≥ 2 for Rosenbrock) works.
    bounds : ndarray (d, 2) or None
        The usual search box, or None if unbounded.
    f_min : float
        The global minimum value.
    minimizers : ndarray (k, d) or None
        Known global minimisers (None for the dimension-free ones: see ``minimizer(d)``).
    f_min_digits : float
        Absolute accuracy of the published ``f_min`` and ``minimizers``.
    """

    __test__ = False  # not a pytest test class

    name: str
    f: object
    grad: object
    dim: int | None
    bounds: np.ndarray | None
    f_min: float
    minimizers: np.ndarray | None = None
    f_min_digits: float = 0.0
    _minimizer_d: object = field(default=None, repr=False)

    def minimizer(self, d=None):
        """A global minimiser, shape ``(d,)``; ``d`` is needed for dimension-free functions."""
        if self.minimizers is not None:
            return self.minimizers[0].copy()
        if d is None or d < 1:
            raise ValueError(f"{self.name} needs the dimension d to give its minimiser")
        return self._minimizer_d(d)


TEST_FUNCTIONS = {
    "sphere": TestFunction(
        "sphere", sphere, sphere_grad, None, None, 0.0, _minimizer_d=lambda d: np.zeros(d)
    ),
    "ellipsoid": TestFunction(
        "ellipsoid", ellipsoid, ellipsoid_grad, None, None, 0.0, _minimizer_d=lambda d: np.zeros(d)
    ),
    "rosenbrock": TestFunction(
        "rosenbrock",
        rosenbrock,
        rosenbrock_grad,
        None,
        None,
        0.0,
        _minimizer_d=lambda d: np.ones(d),
    ),
    "branin": TestFunction(
        "branin",
        branin,
        branin_grad,
        2,
        np.array([[-5.0, 10.0], [0.0, 15.0]]),
        0.397887,
        np.array([[-np.pi, 12.275], [np.pi, 2.275], [9.42478, 2.475]]),
        1e-5,
    ),
    "hartmann3": TestFunction(
        "hartmann3",
        hartmann3,
        hartmann3_grad,
        3,
        np.array([[0.0, 1.0]] * 3),
        -3.86278,
        np.array([[0.114614, 0.555649, 0.852547]]),
        1e-5,
    ),
    "hartmann6": TestFunction(
        "hartmann6",
        hartmann6,
        hartmann6_grad,
        6,
        np.array([[0.0, 1.0]] * 6),
        -3.32237,
        np.array([[0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]]),
        1e-5,
    ),
}
