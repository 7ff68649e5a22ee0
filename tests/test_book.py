"""Build the whole book, executing every notebook, with warnings as errors."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

PAGE_BUDGET_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def built_book():
    jb = shutil.which("jupyter-book", path=os.path.dirname(sys.executable))
    assert jb, "jupyter-book is not installed next to this Python"
    proc = subprocess.run(
        [jb, "build", str(ROOT), "-W", "-n", "--keep-going", "--builder", "html"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, "book build failed:\n" + log[-8000:]
    return ROOT / "_build" / "html"


def test_book_builds_with_warnings_as_errors(built_book):
    assert (built_book / "index.html").exists()
    assert (built_book / "intro.html").exists()
    assert (built_book / "notation.html").exists()
    assert (built_book / "bibliography.html").exists()
    for md in (ROOT / "notebooks").rglob("*.md"):
        page = built_book / md.relative_to(ROOT).with_suffix(".html")
        assert page.exists(), f"{page} was not built"


def test_pages_within_size_budget(built_book):
    too_big = {
        str(p.relative_to(built_book)): p.stat().st_size
        for p in built_book.rglob("*.html")
        if p.stat().st_size > PAGE_BUDGET_BYTES
    }
    assert not too_big, f"pages over 5 MB: {too_big}"


def test_executed_chapters_show_checks_and_no_errors(built_book):
    for md in (ROOT / "notebooks").rglob("*.md"):
        html = (built_book / md.relative_to(ROOT).with_suffix(".html")).read_text()
        assert "✓" in html, f"{md.name}: no passing check in the rendered page"
        for marker in ("Traceback (most recent call last)", "RuntimeWarning", "✗"):
            assert marker not in html, f"{md.name}: rendered page shows {marker!r}"
