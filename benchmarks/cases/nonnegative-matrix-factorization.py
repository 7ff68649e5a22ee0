"""Speed of the NMF chapter against scikit-learn's ``NMF`` (issue 18).

Target: the time our HALS needs to reach the relative error that scikit-learn's ``cd`` solver
(the same algorithm, in compiled code) reaches with its default stopping rule, from the same
start, is within 1.5 times scikit-learn's time. The multiplicative updates are recorded
without a target.
"""

import warnings

import numpy as np
from sklearn.decomposition import NMF

from mlnotes_helpers import load_chapter, load_digits, make_rng


def _sklearn(A, start, solver, max_iter, tol, beta="frobenius"):
    model = NMF(
        start[0].shape[1], solver=solver, beta_loss=beta, init="custom", tol=tol, max_iter=max_iter
    )
    with warnings.catch_warnings():  # a fixed iteration budget is intended here
        warnings.simplefilter("ignore", category=UserWarning)
        model.fit_transform(A, W=start[0].copy(), H=start[1].copy())
    return model


def _hals_to_cd_case(ch, name, A, r, seed):
    start = ch.init_random(A, r, make_rng(seed))
    norm_A = np.linalg.norm(A)
    cd = _sklearn(A, start, "cd", 1000, 1e-4)
    target = cd.reconstruction_err_ / norm_A
    _, _, history = ch.nmf_hals(A, r, cd.n_iter_ + 100, init=start)
    reached = np.sqrt(2 * history) / norm_A <= target * (1 + 1e-12)
    if not reached.any():
        raise RuntimeError(f"{name}: our HALS does not reach scikit-learn's error")
    k = int(np.argmax(reached)) + 1

    def ours():
        _, _, hist = ch.nmf_hals(A, r, k, init=start)
        return np.sqrt(2 * hist[-1]) / norm_A

    def reference():
        return _sklearn(A, start, "cd", 1000, 1e-4).reconstruction_err_ / norm_A

    return {
        "problem": name,
        "ours": ours,
        "reference": reference,
        "error": lambda a, b: abs(a - b) / b,
        "target": 1.5,
    }


def cases():
    ch = load_chapter("nonnegative-matrix-factorization")
    X, _ = load_digits()
    A_syn = make_rng(0).uniform(size=(400, 250)) ** 2
    out = [
        _hals_to_cd_case(ch, "HALS to cd's error, digits 1797x64, r=10", X, 10, 1),
        _hals_to_cd_case(ch, "HALS to cd's error, uniform^2 400x250, r=20", A_syn, 20, 2),
    ]
    start = ch.init_random(X, 10, make_rng(1))
    norm_X = np.linalg.norm(X)
    out.append(
        {
            "problem": "MU Frobenius, 200 iterations, digits r=10",
            "ours": lambda: np.sqrt(2 * ch.nmf_mu(X, 10, 200, init=start)[2][-1]) / norm_X,
            "reference": lambda: _sklearn(X, start, "mu", 200, 0.0).reconstruction_err_ / norm_X,
            "error": lambda a, b: abs(a - b) / b,
            "target": None,
        }
    )
    return out
