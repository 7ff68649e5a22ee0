"""Speed of the Gaussian-process chapter against scikit-learn (issues 4 and 12).

Target: the posterior (mean and covariance at 300 test points) plus the log marginal
likelihood for N = 2,000 training points in three dimensions, SE kernel with fixed
hyperparameters, within 1.3 times scikit-learn's ``GaussianProcessRegressor(optimizer=None)``
``fit`` + ``predict(return_cov=True)`` + ``log_marginal_likelihood_value_`` in the same run.
The error is the largest relative difference of the posterior mean, covariance (relative to
the prior variance) and log evidence.
"""

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process import kernels as skk

from mlnotes_helpers import load_chapter, make_rng


def cases():
    ch = load_chapter("gaussian-process")
    rng = make_rng(0)
    n, n_star, noise, ell, var = 2000, 300, 0.01, 1.5, 2.0
    X = rng.uniform(0, 10, (n, 3))
    y = np.sin(X).sum(axis=1) + rng.normal(0, 0.1, n)
    X_star = rng.uniform(0, 10, (n_star, 3))

    def kernel(A, B):
        return ch.rbf(A, B, lengthscale=ell, variance=var)

    def ours():
        mean, cov = ch.gp_posterior(X, y, X_star, kernel, noise)
        return mean, cov, ch.log_marginal_likelihood(X, y, kernel, noise)

    def reference():
        k = skk.ConstantKernel(var, "fixed") * skk.RBF(ell, "fixed")
        gpr = GaussianProcessRegressor(k, alpha=noise, optimizer=None).fit(X, y)
        mean, cov = gpr.predict(X_star, return_cov=True)
        return mean, cov, gpr.log_marginal_likelihood_value_

    def error(a, b):
        mean = np.max(np.abs(a[0] - b[0])) / np.max(np.abs(b[0]))
        cov = np.max(np.abs(a[1] - b[1])) / var
        return float(max(mean, cov, abs(a[2] - b[2]) / abs(b[2])))

    return [
        {
            "problem": "posterior + evidence, N=2000, d=3, 300 test points",
            "ours": ours,
            "reference": reference,
            "error": error,
            "target": 1.3,
        }
    ]
