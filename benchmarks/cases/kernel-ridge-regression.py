"""Speed of the kernel ridge regression chapter (issue 12; the targets its first edition
asserted in the notebook).

1. The full pipeline (RBF Gram matrix, fit, prediction at 1,000 test points) for n = 4,000
   training points in five dimensions with ``krr_fit_tuned``: within 1.3 times scikit-learn's
   ``KernelRidge(kernel="rbf")`` ``fit`` + ``predict`` in the same run.
2. The same with the textbook ``krr_fit`` (recorded, no target: it pays for its clarity).
3. Primal or dual, either side of the flop-count crossover n = 1.88 D: the primal fit on
   D = 400 random Fourier features must beat the exact dual fit at n = 2,000, and the exact
   dual fit must beat the primal one at n = 250 (target: ratio below 1 in both cases).

The error of cases 1-2 is the largest difference of the predictions relative to the largest
prediction; for cases 3-4 it is the RMS difference between the random-feature and the exact
predictions at 500 test points, relative to the RMS of the exact ones (an approximation error,
not a bug measure).
"""

import numpy as np
from sklearn.kernel_ridge import KernelRidge

from mlnotes_helpers import load_chapter, make_rng


def cases():
    ch = load_chapter("kernel-ridge-regression")
    rng = make_rng(12)
    n, m, ell, lam = 4000, 1000, 2.0, 0.1
    X, X_new = rng.normal(size=(n, 5)), rng.normal(size=(m, 5))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=n)

    def pipeline(fit, X=X, y=y, X_new=X_new):
        alpha = fit(ch.rbf_kernel(X, X, ell), y, lam)
        return ch.krr_predict(ch.rbf_kernel(X_new, X, ell), alpha)

    def sklearn_pipeline():
        model = KernelRidge(alpha=lam, kernel="rbf", gamma=0.5 / ell**2).fit(X, y)
        return model.predict(X_new)

    def max_rel(a, b):
        return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))

    def rms_rel(a, b):
        return float(np.sqrt(np.mean((a - b) ** 2) / np.mean(b**2)))

    def dual(k):
        return lambda: pipeline(ch.krr_fit_tuned, X[:k], y[:k], X_new[:500])

    def primal(k, D=400):
        seed = int(rng.integers(2**31))

        def run():
            # one feature map for training and test inputs (the same draws on every call)
            XX = np.vstack([X[:k], X_new[:500]])
            Z = ch.random_fourier_features(XX, D, ell, make_rng(seed))
            return Z[k:] @ ch.ridge_primal(Z[:k], y[:k], lam)

        return run

    return [
        {
            "problem": "RBF KRR fit + predict, n=4000, p=5, 1000 test points (krr_fit_tuned)",
            "ours": lambda: pipeline(ch.krr_fit_tuned),
            "reference": sklearn_pipeline,
            "error": max_rel,
            "target": 1.3,
        },
        {
            "problem": "RBF KRR fit + predict, n=4000, p=5, 1000 test points (krr_fit)",
            "ours": lambda: pipeline(ch.krr_fit),
            "reference": sklearn_pipeline,
            "error": max_rel,
            "target": None,
        },
        {
            "problem": "primal on 400 random features vs exact dual, n=2000 (> 1.88 D)",
            "ours": primal(2000),
            "reference": dual(2000),
            "error": rms_rel,
            "target": 1.0,
        },
        {
            "problem": "exact dual vs primal on 400 random features, n=250 (< 1.88 D)",
            "ours": dual(250),
            "reference": primal(250),
            "error": rms_rel,
            "target": 1.0,
        },
    ]
