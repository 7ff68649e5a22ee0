"""Mutation score: do the chapters' checks and property tests catch small realistic bugs?

Each chapter lists its mutants in ``benchmarks/mutations/<slug>.yaml``: a YAML list of
``{find, replace, why}``, where ``find`` is text that occurs exactly once in the chapter's
source. For every mutant this script copies the book (without ``.venv`` and ``_build``) to a
temporary folder, applies the one edit, and runs that chapter's notebook under nbval and its
property tests (``tests/chapters/test_<slug>.py``) against the copy. A mutant is *caught* when
that run fails, and *survives* when it passes.

Usage::

    python benchmarks/mutation.py                 # every chapter with a mutation list
    python benchmarks/mutation.py lbfgs kernel-pca # some chapters
    python benchmarks/mutation.py --list           # what would run

Writes ``benchmarks/mutation-score.md`` when every chapter was run, prints a table always,
and exits non-zero if the score is below the goal (95 %). Not part of ``make test``.
"""

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
MUTATIONS = ROOT / "benchmarks" / "mutations"
GOAL = 0.95
IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "*.ipynb", "__pycache__", ".hypothesis")


def load_mutants(slug):
    """The mutant list of chapter ``slug``, each checked to apply exactly once."""
    mutants = yaml.safe_load((MUTATIONS / f"{slug}.yaml").read_text()) or []
    source = chapter_source(slug).read_text(encoding="utf-8")
    for k, m in enumerate(mutants):
        if set(m) - {"find", "replace", "why"} or not {"find", "replace"} <= set(m):
            raise ValueError(f"{slug} mutant {k}: keys must be find, replace, why")
        count = source.count(m["find"])
        if count != 1:
            raise ValueError(f"{slug} mutant {k} ({m.get('why')}): 'find' occurs {count} times")
        if m["find"] == m["replace"]:
            raise ValueError(f"{slug} mutant {k}: replace equals find")
    return mutants


def chapter_source(slug, root=ROOT):
    hits = sorted((root / "notebooks").rglob(f"{slug}.md"))
    if not hits:
        raise ValueError(f"no chapter {slug!r}")
    return hits[0]


def run_chapter_tests(root, slug, timeout=600):
    """True if the chapter's nbval run and property tests pass in the book copy ``root``."""
    env = dict(
        os.environ,
        MLNOTES_ROOT=str(root),
        PYTHONWARNINGS="error::RuntimeWarning",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        HYPOTHESIS_PROFILE="ci",
    )
    md = chapter_source(slug, root)
    bindir = pathlib.Path(sys.executable).parent
    subprocess.run(
        [str(bindir / "jupytext"), "--quiet", "--to", "ipynb", str(md)], check=True, env=env
    )
    targets = [str(md.with_suffix(".ipynb"))]
    tests = root / "tests" / "chapters" / f"test_{slug.replace('-', '_')}.py"
    if tests.exists():
        targets.append(str(tests))
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-x",
                "-p",
                "no:cacheprovider",
                "--nbval-lax",
                *targets,
            ],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return False  # a mutant that hangs the chapter is caught
    return proc.returncode == 0


def score_chapter(slug, verbose=True):
    """(caught, total, survivors) for one chapter."""
    mutants = load_mutants(slug)
    caught, survivors = 0, []
    with tempfile.TemporaryDirectory(prefix=f"mut-{slug}-") as tmp:
        copy = pathlib.Path(tmp) / "book"
        shutil.copytree(ROOT, copy, ignore=IGNORE)
        md = chapter_source(slug, copy)
        original = md.read_text(encoding="utf-8")
        if not run_chapter_tests(copy, slug):
            raise RuntimeError(f"{slug}: the unmutated chapter fails its own tests")
        for k, m in enumerate(mutants):
            md.write_text(original.replace(m["find"], m["replace"], 1), encoding="utf-8")
            start = time.perf_counter()
            killed = not run_chapter_tests(copy, slug)
            caught += killed
            if not killed:
                survivors.append(m)
            if verbose:
                mark = "caught" if killed else "SURVIVED"
                secs = time.perf_counter() - start
                print(f"  {slug} #{k:02d} {mark:8s} {secs:5.0f} s  {m.get('why', '')}")
        md.write_text(original, encoding="utf-8")
    return caught, len(mutants), survivors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapter slugs (default: all with a list)")
    parser.add_argument("--list", action="store_true", help="list mutants and exit")
    args = parser.parse_args(argv)
    slugs = args.chapters or sorted(p.stem for p in MUTATIONS.glob("*.yaml"))
    if args.list:
        for slug in slugs:
            for m in load_mutants(slug):
                print(f"{slug}: {m.get('why', '')}")
        return 0
    rows, total_caught, total = [], 0, 0
    for slug in slugs:
        caught, n, survivors = score_chapter(slug)
        total_caught, total = total_caught + caught, total + n
        rows.append((slug, caught, n, survivors))
    lines = [
        "# Mutation score",
        "",
        "Written by `make mutation` (`benchmarks/mutation.py`): each mutant is one small edit of",
        "a chapter's code; it is caught when the chapter's nbval run or property tests fail.",
        "",
        "| Chapter | Caught | Mutants | Score | Survivors |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for slug, caught, n, survivors in rows:
        names = "; ".join(m.get("why", "") for m in survivors) or "none"
        lines.append(f"| {slug} | {caught} | {n} | {caught / n:.0%} | {names} |")
    score = total_caught / total if total else 0.0
    lines += ["", f"**Total:** {total_caught} of {total} caught ({score:.1%}); goal {GOAL:.0%}."]
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.chapters:
        (ROOT / "benchmarks" / "mutation-score.md").write_text(report)
    return 0 if score >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
