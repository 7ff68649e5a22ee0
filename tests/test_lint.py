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
        [_ruff(), "check", "mlnotes_helpers", "tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_helpers_and_tests():
    proc = subprocess.run(
        [_ruff(), "format", "--check", "mlnotes_helpers", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_check_notebook_code():
    notebooks = sorted(str(p) for p in (ROOT / "notebooks").rglob("*.ipynb"))
    if not notebooks:
        notebooks = []
    proc = subprocess.run(
        [_ruff(), "check", *notebooks] if notebooks else [_ruff(), "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
