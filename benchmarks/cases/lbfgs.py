"""Speed and evaluation counts of the L-BFGS chapter (issues 5 and 13).

Target (issue 5): function evaluations to max |g_i| <= 1e-6 within 1.3 times those of SciPy's
L-BFGS-B with the same memory (m = maxcor = 10), on the extended Rosenbrock function
(Moré–Garbow–Hillstrom problem 21, n = 100 and n = 1,000) and SciPy's chained ``rosen``
(n = 100), from the standard start (-1.2, 1, ...). Here ``error`` is that evaluation ratio,
bounded by ``error_target``; the wall-time ratio is recorded without a target (our loop is
Python, SciPy's is compiled).

For information: logistic regression on the breast-cancer data (standardised, L2 penalty
1e-3 on the weights) at gtol = 1e-9, where ``error`` is the distance between the two
solutions.
"""

import numpy as np
from scipy.optimize import minimize, rosen, rosen_der
from scipy.special import expit
from threadpoolctl import threadpool_limits

from mlnotes_helpers import load_breast_cancer, load_chapter


def _extended_rosenbrock(x):
    a, b = x[0::2], x[1::2]
    r = b - a * a
    g = np.empty_like(x)
    g[0::2], g[1::2] = -400.0 * a * r - 2.0 * (1.0 - a), 200.0 * r
    return float(np.sum(100.0 * r * r + (1.0 - a) ** 2)), g


def _chained_rosenbrock(x):
    return float(rosen(x)), rosen_der(x)


def _logistic():
    X, labels = load_breast_cancer()
    Z = np.column_stack([np.ones(len(X)), (X - X.mean(0)) / X.std(0)])
    t, lam, penalty = 2.0 * labels - 1.0, 1e-3, np.r_[0.0, np.ones(X.shape[1])]

    def fun(w):
        margin = t * (Z @ w)
        f = np.mean(np.logaddexp(0.0, -margin)) + 0.5 * lam * np.sum(penalty * w * w)
        return float(f), Z.T @ (-t * expit(-margin)) / len(t) + lam * penalty * w

    return fun, np.zeros(Z.shape[1])


def _scipy(fun, x0, gtol=1e-6):
    """SciPy's L-BFGS-B without bounds; returns (x, number of calls of fun)."""
    calls = [0]

    def counted(x):
        calls[0] += 1
        return fun(x)

    options = dict(maxcor=10, gtol=gtol, ftol=0.0, maxiter=20000, maxfun=20000)
    with threadpool_limits(limits=1):
        res = minimize(counted, x0, jac=True, method="L-BFGS-B", options=options)
    return res.x, calls[0]


def cases():
    ch = load_chapter("lbfgs")

    def ours(fun, x0, gtol=1e-6):
        res = ch.lbfgs(fun, x0, m=10, gtol=gtol, max_iter=20000)
        return res.x, res.nfev

    def eval_ratio(o, r):
        return o[1] / r[1]

    out = []
    for name, fun, x0 in [
        ("extended Rosenbrock, n = 100", _extended_rosenbrock, np.tile([-1.2, 1.0], 50)),
        ("extended Rosenbrock, n = 1,000", _extended_rosenbrock, np.tile([-1.2, 1.0], 500)),
        ("chained Rosenbrock, n = 100", _chained_rosenbrock, np.tile([-1.2, 1.0], 50)),
    ]:
        out.append(
            {
                "problem": f"{name}: evaluations ours / SciPy",
                "ours": lambda fun=fun, x0=x0: ours(fun, x0),
                "reference": lambda fun=fun, x0=x0: _scipy(fun, x0),
                "error": eval_ratio,
                "error_target": 1.3,
                "target": None,
            }
        )
    fun, w0 = _logistic()
    out.append(
        {
            "problem": "logistic regression, gtol 1e-9: distance to SciPy's x",
            "ours": lambda: ours(fun, w0, 1e-9),
            "reference": lambda: _scipy(fun, w0, 1e-9),
            "error": lambda o, r: float(np.linalg.norm(o[0] - r[0])),
            "error_target": 2e-6,
            "target": None,
        }
    )
    return out
