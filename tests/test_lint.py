"""Code style: ruff over the helpers, the tests and the notebooks' code."""

import os
import shutil
import subprocess
import sys

from conftest import ROOT


def _ruff():
    exe = shutil.which("ruff", path=os.path.dirname(sys.executable))
    assert exe, "ruff is not installed next to this Python"
    return exe


def test_ruff_check_helpers_and_tests():
    proc = subprocess.run(
        [_ruff(), "check", "mlnotes_helpers", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_helpers_and_tests():
    proc = subprocess.run(
        [_ruff(), "format", "--check", "mlnotes_helpers", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _notebooks():
    return sorted(str(p) for p in (ROOT / "notebooks").rglob("*.ipynb"))


def test_notebooks_were_generated():
    # `make test` writes the .ipynb pairs before pytest runs; without them nbval checks nothing.
    sources = sorted((ROOT / "notebooks").rglob("*.md"))
    missing = [str(md) for md in sources if not md.with_suffix(".ipynb").exists()]
    assert not missing, f"no generated .ipynb for {missing}: run `make notebooks`"


# The page shows 88 characters of code (tests/test_structure.py), so the chapters' code is
# linted and formatted at that width; the helpers and tests keep the project's 99.
PAGE_WIDTH = ["--line-length", "88"]


def test_ruff_check_notebook_code():
    proc = subprocess.run(
        [_ruff(), "check", *PAGE_WIDTH, *_notebooks()], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_notebook_code():
    proc = subprocess.run(
        [_ruff(), "format", "--check", *PAGE_WIDTH, *_notebooks()],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
