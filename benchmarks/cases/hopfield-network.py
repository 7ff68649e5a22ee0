"""Speed of the Hopfield network chapter's capacity experiment (issue 22).

Target: the vectorised capacity experiment (Hebbian weights, N = 500 neurons, loads 0.05 to
0.25 in steps of 0.025, three trials per load, asynchronous recall started at every stored
pattern) runs in under 15 s. The target is a time budget, not a library to beat: the
"reference" is that budget (it waits 15 s and returns the mean-field critical load 0.138),
so the ratio ours / reference is the fraction of the budget used and the target is 1. The
error is the distance of the measured critical load (where half the patterns are recalled
within 1 %) from 0.138; at N = 500 finite-size effects put it near 0.15.
"""

import time

import numpy as np

from mlnotes_helpers import load_chapter, make_rng

BUDGET_SECONDS = 15.0
ALPHA_C = 0.138


def cases():
    ch = load_chapter("hopfield-network")
    loads = np.round(np.arange(0.05, 0.251, 0.025), 3)

    def ours():
        frac, _ = ch.hebbian_capacity(500, loads, 3, make_rng(0))
        return float(ch.critical_load(loads, frac))

    def budget():
        time.sleep(BUDGET_SECONDS)
        return ALPHA_C

    return [
        {
            "problem": "Hebbian capacity, N=500, 9 loads x 3 trials (15 s budget)",
            "ours": ours,
            "reference": budget,
            "error": lambda a, b: abs(a - b),
            "target": 1.0,
        }
    ]
