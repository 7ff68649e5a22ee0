"""Speed of the S4 chapter (issues 7 and 13).

Target (issue 7): ``s4_kernel`` at N = 64 and L = 16,384 at least 5 times faster than
``ssm_kernel_naive``, which steps the state L times (ratio ours / reference <= 0.2). Both
compute the kernel of the same HiPPO-LegS system (Δ = 0.01), ``s4_kernel`` in the unitary
basis where HiPPO is diagonal plus rank one; the error is the largest difference relative to
the largest kernel entry.

Since issue 13 the chapter's main path is the plain complex Cauchy product; most of the gain
over stepping is Python loop overhead, and it shrinks as N grows. For information (no
target): the same comparison at N = 256, L = 4096.
"""

import numpy as np

from mlnotes_helpers import load_chapter


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def cases():
    ch = load_chapter("s4-state-spaces")
    naive_64, s4_64 = ch.kernel_timers(64, 16384)
    naive_256, s4_256 = ch.kernel_timers(256, 4096)
    return [
        {
            "problem": "s4_kernel vs ssm_kernel_naive, HiPPO N = 64, L = 16384",
            "ours": s4_64,
            "reference": naive_64,
            "error": _rel,
            "target": 0.2,
        },
        {
            "problem": "s4_kernel vs ssm_kernel_naive, HiPPO N = 256, L = 4096",
            "ours": s4_256,
            "reference": naive_256,
            "error": _rel,
            "target": None,
        },
    ]
