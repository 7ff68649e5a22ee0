"""Speed of the online-linear-regression chapter (issues 2 and 10).

Target: one recursive-least-squares update (``RecursiveRidge.partial_fit`` on one row) is at
least 5 times faster than re-solving the accumulated normal equations by Cholesky after the
same row, at p = 400 features (ratio ours / reference ≤ 0.2). Both sides see the same cycle of
rows in the same order, so after each call they hold the same ridge solution; the error is
the largest relative difference of the two coefficient vectors.

For information (no target): ``ridge`` against scikit-learn's ``Ridge(solver="cholesky")``
on n = 10,000 samples and p = 100 features.
"""

import numpy as np
from sklearn.linear_model import Ridge

from mlnotes_helpers import load_chapter, make_rng


def _max_rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def cases():
    ch = load_chapter("online-linear-regression")
    rls_update, cholesky_resolve = ch.timed_updates(400, make_rng(0))

    rng = make_rng(1)
    X = rng.standard_normal((10_000, 100))
    y = X @ rng.standard_normal(100) + rng.standard_normal(10_000)
    sk = Ridge(alpha=1.0, fit_intercept=False, solver="cholesky")

    return [
        {
            "problem": "one RLS update vs Cholesky re-solve, p = 400",
            "ours": lambda: rls_update().copy(),
            "reference": cholesky_resolve,
            "error": _max_rel,
            "target": 0.2,
        },
        {
            "problem": "ridge vs sklearn Ridge(cholesky), n = 10,000, p = 100",
            "ours": lambda: ch.ridge(X, y, 1.0),
            "reference": lambda: sk.fit(X, y).coef_.copy(),
            "error": _max_rel,
            "target": None,
        },
    ]
