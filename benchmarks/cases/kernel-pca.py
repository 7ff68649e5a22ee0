"""Speed of the kernel PCA chapter's fit against scikit-learn's ``KernelPCA`` (issue 14).

Target: fitting on N = 2,000 points (a precomputed RBF kernel, the same matrix on both sides)
is within 1.5 times scikit-learn's ``KernelPCA(kernel="precomputed").fit`` in the same run.
Few components use the Lanczos branch (ARPACK, as scikit-learn's ``auto`` does); many use
LAPACK's dense index-range solver (as scikit-learn's ``dense``). The error is the largest
relative difference of the eigenvalues.
"""

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.decomposition import KernelPCA

from mlnotes_helpers import load_chapter, load_digits, make_rng


def _case(ch, name, K, k):
    def ours():
        return ch.kernel_pca(K, k)[1]

    def reference():
        return KernelPCA(k, kernel="precomputed").fit(K).eigenvalues_

    return {
        "problem": name,
        "ours": ours,
        "reference": reference,
        "error": lambda a, b: float(np.max(np.abs(a - b) / np.abs(b))),
        "target": 1.5,
    }


def cases():
    ch = load_chapter("kernel-pca")
    X = make_rng(0).standard_normal((2000, 5))
    K = np.exp(-cdist(X, X, "sqeuclidean") / (2 * 2.0**2))
    digits, _ = load_digits()
    ell = 0.5 * np.median(cdist(digits, digits))
    K_digits = np.exp(-cdist(digits, digits, "sqeuclidean") / (2 * ell**2))
    return [
        _case(ch, "RBF kernel, N=2000, d=5, k=5 (Lanczos)", K, 5),
        _case(ch, "RBF kernel, N=2000, d=5, k=20 (dense)", K, 20),
        _case(ch, "RBF kernel, digits N=1797, k=2 (Lanczos)", K_digits, 2),
    ]
