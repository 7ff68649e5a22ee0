"""Speed of the neural population models chapter's Poisson GLM fit against statsmodels (issue 21).

Target: ``fit_poisson_glm`` on 10^5 samples x 50 features (an intercept and 49 Gaussian
covariates) is within 1.5 times statsmodels' ``GLM(family=Poisson()).fit()`` (its IRLS, default
tolerance) in the same run. The error is the largest relative difference of the weights.
"""

import numpy as np
import statsmodels.api as sm

from mlnotes_helpers import load_chapter, make_rng


def cases():
    ch = load_chapter("neural-population-models")
    rng = make_rng(0)
    n = 100_000
    X = np.column_stack([np.ones(n), 0.15 * rng.standard_normal((n, 49))])
    w = np.append(-0.5, 0.5 * rng.standard_normal(49))
    y = rng.poisson(np.exp(X @ w)).astype(float)
    return [
        {
            "problem": "Poisson GLM, n=100000, p=50",
            "ours": lambda: ch.fit_poisson_glm(X, y),
            "reference": lambda: sm.GLM(y, X, family=sm.families.Poisson()).fit().params,
            "error": lambda a, b: float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12))),
            "target": 1.5,
            "repeats": 3,
        }
    ]
