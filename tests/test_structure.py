"""Structural tests of the book (BOOK-GUIDE section 5): the table of contents and the
notebooks agree, and every chapter has the anatomy the house style asks for."""

import re

import pytest
import yaml

from conftest import ROOT, code_cells

PARTS = {
    "regression": [
        "online-linear-regression",
        "kernel-ridge-regression",
        "kernel-pca",
        "nonparametric-regression",
        "gaussian-process",
    ],
    "optimization": [
        "lbfgs",
        "constrained-cma-es",
        "bayesian-optimization",
        "nonnegative-matrix-factorization",
    ],
    "inference": [
        "em-lower-bound",
        "variational-inference",
        "belief-propagation",
        "neural-population-models",
    ],
    "neural": ["hopfield-network", "modern-hopfield-attention", "word2vec", "s4-state-spaces"],
    "generative": ["score-matching", "diffusion-models"],
}
BOOK_ORDER = [f"notebooks/{part}/{slug}" for part, slugs in PARTS.items() for slug in slugs]

SECTIONS = [
    "Motivation",
    "Derivation",
    "Implementation",
    "Experiments",
    "Comparison with",
    "Where the note needs care",
    "Exercises",
    "References",
]
CHECK_CALL = re.compile(r"\bcheck_close\(|\bcheck\(")


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [c["file"] for c in part["chapters"]]
    return files


def _chapters():
    return sorted(
        p.relative_to(ROOT).with_suffix("").as_posix() for p in (ROOT / "notebooks").rglob("*.md")
    )


CHAPTERS = _chapters()


def test_toc_lists_front_matter_and_bibliography():
    files = _toc_files()
    assert files[0] == "intro"
    assert "notation" in files
    assert files[-1] == "bibliography"
    for page in ("intro", "notation", "bibliography"):
        assert (ROOT / f"{page}.md").exists()


def test_toc_and_notebooks_agree():
    listed = [f for f in _toc_files() if f.startswith("notebooks/")]
    assert sorted(listed) == CHAPTERS, "every notebook is in _toc.yml and every entry exists"
    assert len(set(listed)) == len(listed)


def test_chapters_are_known_and_in_book_order():
    listed = [f for f in _toc_files() if f.startswith("notebooks/")]
    unknown = [f for f in listed if f not in BOOK_ORDER]
    assert not unknown, f"chapters not in the house-style table: {unknown}"
    assert listed == sorted(listed, key=BOOK_ORDER.index), "chapters follow the book's order"
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for part in toc["parts"]:
        folders = {c["file"].split("/")[1] for c in part["chapters"] if "/" in c["file"]}
        assert len(folders) <= 1, f"part {part['caption']!r} mixes folders {folders}"


def test_no_committed_ipynb_sources():
    # .ipynb pairs are generated; git ignores them.
    ignore = (ROOT / ".gitignore").read_text()
    assert "*.ipynb" in ignore


@pytest.fixture(params=CHAPTERS, ids=lambda c: c.split("/")[-1])
def chapter(request):
    return request.param, (ROOT / f"{request.param}.md").read_text(encoding="utf-8")


def test_jupytext_header_and_kernelspec(chapter):
    name, text = chapter
    assert text.startswith("---\n"), f"{name}: no YAML header"
    header = yaml.safe_load(text.split("---\n")[1])
    assert header["jupytext"]["text_representation"]["format_name"] == "myst"
    assert header["kernelspec"]["name"] == "python3"
    assert header["kernelspec"]["language"] == "python"


def _headings(text):
    """(level, title, line index) of every Markdown heading outside fenced blocks."""
    found, fence = [], None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if fence is None:
            m = re.match(r"(`{3,}|~{3,})", stripped)
            if m:
                fence = m.group(1)
                continue
            h = re.match(r"(#{1,6}) (.+)$", line)
            if h:
                found.append((len(h.group(1)), h.group(2).strip(), i))
        elif re.fullmatch(re.escape(fence[0]) + "{" + str(len(fence)) + ",}", stripped.rstrip()):
            fence = None
    return found, lines


def _h2_sections(text):
    return [title for level, title, _ in _headings(text)[0] if level == 2]


def test_anatomy_sections_in_order(chapter):
    name, text = chapter
    titles = _h2_sections(text)
    positions = []
    for wanted in SECTIONS:
        hits = [i for i, t in enumerate(titles) if t.startswith(wanted)]
        assert hits, f"{name}: no '## {wanted}…' section"
        positions.append(hits[0])
    assert positions == sorted(positions), f"{name}: sections out of order: {titles}"
    assert re.search(r"^# \S", text, re.M), f"{name}: no H1 title"
    assert "**Prerequisites:**" in text and "**Run time:**" in text


def _section(text, title_start, level=2):
    """The body of the first heading of ``level`` whose title starts with ``title_start``."""
    heads, lines = _headings(text)
    for k, (lev, title, i) in enumerate(heads):
        if lev == level and title.startswith(title_start):
            stop = next((j for lv, _, j in heads[k + 1 :] if lv <= level), len(lines))
            return "\n".join(lines[i + 1 : stop])
    return ""


def _subsections(body):
    """(title, body) of the ### subsections of a section body."""
    heads, lines = _headings(body)
    h3 = [(title, i) for lev, title, i in heads if lev == 3]
    ends = [i for _, i in h3[1:]] + [len(lines)]
    return [(title, "\n".join(lines[i + 1 : e])) for (title, i), e in zip(h3, ends, strict=True)]


def test_every_derivation_subsection_has_a_check(chapter):
    name, text = chapter
    subsections = _subsections(_section(text, "Derivation"))
    assert subsections, f"{name}: the derivation has no ### subsections"
    for title, body in subsections:
        code = "\n".join(code_cells(body))
        assert CHECK_CALL.search(code), f"{name}: derivation step {title!r} has no check"


def test_comparison_section_asserts_agreement(chapter):
    name, text = chapter
    code = "\n".join(code_cells(_section(text, "Comparison with")))
    assert CHECK_CALL.search(code), f"{name}: the library comparison checks nothing"


def test_exercises_with_solutions(chapter):
    name, text = chapter
    exercises = re.findall(r"^```\{exercise\}", text, re.M)
    solutions = re.findall(r"^```\{solution(?:-start)?\}", text, re.M)
    assert 2 <= len(exercises) <= 4, f"{name}: {len(exercises)} exercises"
    assert len(solutions) == len(exercises), f"{name}: every exercise has a solution"


def test_note_corrections_are_admonitions(chapter):
    name, text = chapter
    care = _section(text, "Where the note needs care")
    assert "```{admonition}" in care or ":::{admonition}" in care, name


def test_figures_have_captions_and_are_referenced(chapter):
    name, text = chapter
    labels = re.findall(r"^\s+name: (fig-[\w-]+)$", text, re.M)
    assert labels, f"{name}: no labelled figure"
    for label in labels:
        assert f"{{numref}}`{label}`" in text, f"{name}: figure {label} is never referenced"


def test_seeded_offline_and_no_global_seed(chapter):
    name, text = chapter
    code = "\n".join(code_cells(text))
    assert "make_rng(" in code or "default_rng(" in code, f"{name}: no seeded Generator"
    assert "np.random.seed" not in code
    assert not re.search(r"np\.random\.(rand|randn|normal|uniform|choice)\(", code), name
    assert not re.search(r"fetch_\w+\(|urlopen\(|requests\.|urllib\.request", code), name
    assert "set_style()" in code, f"{name}: the book style is not applied"


def _keyprefix(text):
    m = re.search(r"^```\{bibliography\}\n(?::[^\n]*\n)*?:keyprefix: (\S+)\n", text, re.M)
    return m.group(1) if m else None


def test_citations_use_the_chapters_own_key_prefix(chapter):
    # Two chapters citing the same work would otherwise put one key in two bibliographies,
    # which Sphinx reports as a duplicate citation: each chapter list gets its own key prefix.
    name, text = chapter
    prefix = _keyprefix(text)
    assert prefix, f"{name}: the References bibliography needs a :keyprefix:"
    keys = [
        k.strip()
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text)
        for k in group.split(",")
    ]
    assert keys, f"{name}: cites nothing"
    wrong = [k for k in keys if not k.startswith(prefix)]
    assert not wrong, f"{name}: citations without the prefix {prefix!r}: {wrong}"


def test_key_prefixes_are_unique():
    prefixes = [_keyprefix((ROOT / f"{c}.md").read_text(encoding="utf-8")) for c in CHAPTERS]
    assert len(set(prefixes)) == len(prefixes), prefixes
