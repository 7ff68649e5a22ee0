"""The benchmark command (``make bench``): speed targets and run times, measured, not asserted.

For every chapter with a ``benchmarks/cases/<slug>.py`` (a ``cases()`` function returning dicts
with ``problem``, ``ours``, ``reference``, ``error`` and ``target``, and optionally
``error_target``, a bound on ``error`` for targets that are not times, such as evaluation
counts, and ``repeats`` for slow cases), this runs ours and the
reference on the same problem in the same process, interleaved, and records the accuracy
against the reference and the median time ratio ours / reference. It also times a cold
execution of every chapter (a fresh kernel, as the book build does). It writes
``benchmarks/results.md`` with the machine description at its top and exits non-zero when a
target is missed.

Usage::

    python benchmarks/run.py               # everything
    python benchmarks/run.py kernel-pca    # some chapters (results.md is not rewritten)
    python benchmarks/run.py --no-cold     # skip the cold chapter runs
"""

import argparse
import importlib.util
import os
import pathlib
import platform
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASES = ROOT / "benchmarks" / "cases"
REPEATS = 7


def machine():
    """One line describing this machine and the numerical stack."""
    import numpy as np
    import scipy

    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}; BLAS threads: "
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'default')}"
    )


def load_cases(slug):
    spec = importlib.util.spec_from_file_location(f"bench_{slug}", CASES / f"{slug}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cases()


def time_pair(ours, reference, repeats=REPEATS):
    """Median seconds of ``ours`` and ``reference``, interleaved, after one warm-up each."""
    import numpy as np

    out_ours, out_ref = ours(), reference()
    t_ours, t_ref = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        ours()
        t_ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        reference()
        t_ref.append(time.perf_counter() - start)
    return out_ours, out_ref, float(np.median(t_ours)), float(np.median(t_ref))


def cold_run_seconds(md):
    """Seconds to execute a chapter in a fresh kernel (jupytext + nbclient), as the book does."""
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(md)
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(md.parent)}},
    ).execute()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*")
    parser.add_argument("--no-cold", action="store_true", help="skip cold chapter runs")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    slugs = args.chapters or sorted(p.stem for p in CASES.glob("*.py"))
    rows, missed = [], []
    for slug in slugs:
        if not (CASES / f"{slug}.py").exists():
            continue
        for case in load_cases(slug):
            repeats = case.get("repeats", REPEATS)
            ours, ref, t_ours, t_ref = time_pair(case["ours"], case["reference"], repeats)
            err = float(case["error"](ours, ref))
            ratio = t_ours / t_ref
            target, err_target = case.get("target"), case.get("error_target")
            met = target is None or ratio <= target
            if not met:
                missed.append(f"{slug}: {case['problem']} ({ratio:.2f}× > {target}×)")
            if err_target is not None and err > err_target:
                met = False
                missed.append(f"{slug}: {case['problem']} (error {err:.3g} > {err_target:g})")
            rows.append(
                (slug, case["problem"], err, t_ours, t_ref, ratio, target, err_target, met)
            )
            print(f"{slug:32s} {case['problem'][:40]:40s} err {err:.1e} ratio {ratio:5.2f}")
    cold = []
    if not args.no_cold:
        mds = sorted((ROOT / "notebooks").rglob("*.md"))
        if args.chapters:
            mds = [md for md in mds if md.stem in args.chapters]
        for md in mds:
            secs = cold_run_seconds(md)
            cold.append((md.stem, secs))
            print(f"{md.stem:32s} cold run {secs:5.1f} s")
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {machine()}.",
        f"Written by `make bench` on {time.strftime('%Y-%m-%d')}. Times are medians of "
        f"{REPEATS} interleaved repeats in one process; ratio = ours / reference.",
        "",
        "| Chapter | Problem | Error vs reference | Ours (s) | Reference (s) | Ratio | Target "
        "| Met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for slug, problem, err, t_o, t_r, ratio, target, err_target, met in rows:
        tgt = "—" if target is None else f"≤ {target:g}×"
        if err_target is not None:
            tgt += f"; error ≤ {err_target:g}"
        lines.append(
            f"| {slug} | {problem} | {err:.1e} | {t_o:.4f} | {t_r:.4f} | {ratio:.2f}× | {tgt} "
            f"| {'met' if met else '**missed**'} |"
        )
    if cold:
        lines += [
            "",
            "## Cold execution time of each chapter",
            "",
            "| Chapter | Seconds |",
            "| --- | ---: |",
        ]
        lines += [f"| {slug} | {secs:.1f} |" for slug, secs in cold]
        lines.append(f"| **whole book** | **{sum(s for _, s in cold):.0f}** |")
    report = "\n".join(lines) + "\n"
    if not args.chapters:
        (ROOT / "benchmarks" / "results.md").write_text(report)
    print(report)
    if missed:
        print("missed targets:\n  " + "\n  ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
