"""Build the whole book, executing every notebook, with warnings as errors."""

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from chapter_list import RUN_TIME
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


CHAPTER_BUDGET_S = 45.0
RUNTIME_FACTOR = 3.0
RUNTIME_SLACK_S = 10.0
BOOK_BUDGET_S = 6 * 60.0


def test_chapters_within_time_budget(built_book):
    # jupyter-cache records how long each notebook took to execute in this build (measured
    # while the nbval worker runs beside it, so if anything pessimistic).
    from jupyter_cache import get_cache

    cache = get_cache(str(ROOT / "_build" / ".jupyter_cache"))
    seconds = {
        pathlib.Path(rec.uri).stem: rec.data.get("execution_seconds")
        for rec in cache.list_cache_records()
        if pathlib.Path(rec.uri).resolve().is_relative_to((ROOT / "notebooks").resolve())
    }
    chapters = {md.stem for md in (ROOT / "notebooks").rglob("*.md")}
    assert chapters <= set(seconds), f"no execution record for {chapters - set(seconds)}"
    print("execution seconds:", {k: round(v, 1) for k, v in sorted(seconds.items())})
    slow = {k: v for k, v in seconds.items() if k in chapters and v > CHAPTER_BUDGET_S}
    assert not slow, f"chapters over the {CHAPTER_BUDGET_S:.0f} s budget: {slow}"
    total = sum(seconds[c] for c in chapters)
    assert total <= BOOK_BUDGET_S, f"the book takes {total:.0f} s to execute"
    # The run time typed in each header (and copied into the README table by `make chapters`)
    # must agree with the record within RUNTIME_FACTOR (with RUNTIME_SLACK_S for short runs):
    # the build runs beside an nbval worker, so records are noisy, but not by that much.
    wrong = {}
    for md in (ROOT / "notebooks").rglob("*.md"):
        declared = int(RUN_TIME.search(md.read_text(encoding="utf-8")).group(1))
        measured = seconds[md.stem]
        low, high = declared / RUNTIME_FACTOR - RUNTIME_SLACK_S, declared * RUNTIME_FACTOR
        if not low <= measured <= high + RUNTIME_SLACK_S:
            wrong[md.stem] = (declared, round(measured, 1))
    assert not wrong, (
        f"header run times (declared, measured) disagree; `make chapters RUNTIMES=1`: {wrong}"
    )


# ---- the built site in a browser (offline), and its links -------------------------------


def _site_pages(html_dir):
    """Every page of the book proper: the toc's files, front and back matter included."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [f"{f}.html" for f in files if (html_dir / f"{f}.html").exists()]


def _need_browser():
    """The browser module, or skip (fail under CI) when Chromium or Playwright is missing."""
    import browser

    try:
        import playwright  # noqa: F401
    except ImportError:
        playwright = None
    if browser.chromium_path() is None or playwright is None:
        message = (
            "the browser test needs Debian's chromium (apt-get install chromium; `make setup` "
            "installs it when run as root) and playwright (in the test extra)"
        )
        if browser.require_browser():
            pytest.fail(message)
        pytest.skip(message)
    return browser


MIN_FONT_PX = 8.0  # the smallest figure text, in CSS pixels as shown at 1400 px


def _small_figure_text(html_dir, results):
    """Figures whose smallest text is shown below MIN_FONT_PX. Each PNG records its smallest
    font at natural size (``mlnotes_helpers.style``); the page may scale the image down."""
    from PIL import Image

    from mlnotes_helpers.style import FONT_KEY

    problems, shown_sizes = [], []
    for page, r in results.items():
        for img in r["images"]:
            path = (html_dir / page).parent / img["src"]
            if not (img["width"] and path.suffix == ".png" and path.exists()):
                continue
            with Image.open(path) as png:
                px = png.text.get(FONT_KEY)
            if px is None:
                continue
            shown = float(px) * img["shown"] / (img["width"] / 2)  # PNGs are 2x
            shown_sizes.append(shown)
            if shown < MIN_FONT_PX:
                problems.append(f"{page}: figure text {shown:.1f} px in {img['src'][-30:]}")
    if not shown_sizes:
        return ["no figure records its smallest font size (mlnotes_helpers.style)"]
    print(f"smallest figure text: {min(shown_sizes):.1f} px over {len(shown_sizes)} figures")
    return problems


def test_site_in_a_browser(built_book):
    browser = _need_browser()
    pages = _site_pages(built_book)
    shots = ROOT / "_build" / "screenshots"
    results = browser.inspect_site(built_book, pages, screenshots=shots)
    problems = []
    for page, r in results.items():
        if r["errors"]:
            problems.append(f"{page}: console errors {r['errors'][:3]}")
        if r["offsite"]:
            problems.append(f"{page}: requests off the site {r['offsite'][:3]}")
        if r["containers"] < r["mathSources"] or r["rawTex"] or r["mathErrors"]:
            problems.append(
                f"{page}: MathJax typeset {r['containers']} of {r['mathSources']} formulas, "
                f"{r['rawTex']} left raw, {r['mathErrors']} errors"
            )
        if r["texLeaks"]:
            problems.append(f"{page}: TeX shown as text {r['texLeaks'][:2]}")
        local = any("_static/mathjax/" in src for src in r["mathjaxScripts"])
        if r["mathSources"] and not local:
            problems.append(f"{page}: MathJax is not the site's own copy: {r['mathjaxScripts']}")
        if r["clipped"]:
            problems.append(f"{page}: clipped display math {r['clipped'][:2]}")
        if r["scrolling"]:
            problems.append(f"{page}: code boxes scroll sideways at 1400 px {r['scrolling'][:2]}")
        for img in r["images"]:
            alt = img["alt"].strip()
            if not img["width"]:
                problems.append(f"{page}: image {img['src'][-40:]} did not load")
            if not alt or alt.endswith((".png", ".svg", ".jpg")):
                problems.append(f"{page}: image {img['src'][-40:]} has no alt text")
        if r["axe"] is None:
            problems.append(f"{page}: no accessibility scan (axe-playwright-python missing)")
        for v in r["axe"] or []:
            problems.append(f"{page}: accessibility, {v['impact']} {v['id']} at {v['where']}")
        if r["animations"] and not (r["played"] or {}).get("played"):
            problems.append(f"{page}: the animation did not advance after pressing play")
    problems += _small_figure_text(built_book, results)
    summary = {p: (r["containers"], len(r["images"]), r["animations"]) for p, r in results.items()}
    print("page: (formulas, images, animations)", summary)
    assert not problems, "\n".join(problems)


_TOC_ENTRY = re.compile(r"\b\d+\.\d+\.\d+\. [A-Z]")  # "18.4.3. True and learned ..."


def test_search_results_quote_the_text_around_the_match(built_book):
    # Sphinx quotes the page's whole main element, which here also holds the launch buttons
    # and the in-page contents; _static/search-snippets.js keeps the chapter text only.
    texts = _need_browser().search_snippets(built_book, "Langevin")
    assert texts, "the search found nothing for 'Langevin'"
    for text in texts:
        snippet = text.split("\n", 1)[-1]
        assert "langevin" in snippet.lower(), f"the snippet misses the match: {text!r}"
        assert "Binder" not in snippet and not _TOC_ENTRY.search(snippet), text


_HREF = re.compile(r'<a [^>]*href="([^"]+)"')
_ID = re.compile(r'\bid="([^"]+)"')


def test_internal_links_and_anchors_resolve(built_book):
    ids, broken = {}, []
    pages = sorted(built_book.rglob("*.html"))
    for page in pages:
        ids[page.resolve()] = set(_ID.findall(page.read_text(encoding="utf-8")))
    for page in pages:
        if page.parent.name in ("_sources", "_static") or "reports" in page.parts:
            continue
        for href in set(_HREF.findall(page.read_text(encoding="utf-8"))):
            if href.startswith(("http:", "https:", "mailto:", "javascript:", "data:")):
                continue
            path, _, anchor = href.partition("#")
            target = (page.parent / path).resolve() if path else page.resolve()
            if not target.exists():
                broken.append(f"{page.relative_to(built_book)} -> {href}")
            elif anchor and target.suffix == ".html" and anchor not in ids.get(target, set()):
                broken.append(f"{page.relative_to(built_book)} -> {href} (no such anchor)")
    assert not broken, f"{len(broken)} broken links: {broken[:10]}"


def test_intro_map_and_health_page_cover_every_chapter(built_book):
    chapters = sorted((ROOT / "notebooks").rglob("*.md"))
    intro = (built_book / "intro.html").read_text(encoding="utf-8")
    assert '<figure class="chapter-map"><svg' in intro, "the drawn chapter map is missing"
    svg = intro[intro.index('<figure class="chapter-map">') : intro.index("</figure>")]
    for md in chapters:
        link = md.relative_to(ROOT).with_suffix(".html").as_posix()
        assert link in svg, f"the chapter map has no link to {link}"
    health = (built_book / "book-health.html").read_text(encoding="utf-8")
    assert f"{len(chapters)} chapters" in health
    for md in chapters:
        assert md.relative_to(ROOT).with_suffix(".html").name in health, md.stem
