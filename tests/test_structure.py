"""Structural tests of the book (CONTRIBUTING.md): the table of contents, the generated
chapter lists and the notebooks agree, and every chapter has the second-edition anatomy."""

import re

import pytest
import yaml

from chapter_list import BOOK_ORDER, START, current_block, intro_block, readme_block
from conftest import ROOT, code_cells

SECTIONS = [
    "Motivation",
    "Derivation",
    "The algorithm",
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


def test_generated_chapter_lists_follow_the_toc():
    # _toc.yml is the one chapter list; `make chapters` regenerates these blocks.
    hint = "stale chapter list: run `make chapters`"
    assert current_block("README.md") == readme_block(), "README.md: " + hint
    assert current_block("intro.md") == intro_block(), "intro.md: " + hint
    assert START in (ROOT / "README.md").read_text()


def test_algorithm_section_has_a_pseudocode_box(chapter):
    name, text = chapter
    assert "{prf:algorithm}" in _section(text, "The algorithm"), f"{name}: no pseudocode box"


MAX_CODE_LINE = 88


def test_code_lines_fit_the_page(chapter):
    name, text = chapter
    long = [
        line
        for cell in code_cells(text)
        for line in cell.splitlines()
        if len(line) > MAX_CODE_LINE
    ]
    assert not long, f"{name}: {len(long)} code lines over {MAX_CODE_LINE} characters: {long[:3]}"


def test_cell_metadata_lines_fit_the_page(chapter):
    # Captions and alt texts live in the cells' YAML headers; the .ipynb shows them as source.
    name, text = chapter
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", text, re.S | re.M)
    long = [line for cell in cells for line in cell.splitlines() if len(line) > MAX_CODE_LINE]
    assert not long, f"{name}: {len(long)} cell lines over {MAX_CODE_LINE} characters: {long[:2]}"


def _check_calls(text):
    """The argument text of every check(...)/check_close(...) call in the code cells."""
    calls = []
    for cell in code_cells(text):
        for m in re.finditer(r"\b(check|check_close)\(", cell):
            depth, k = 1, m.end()
            while depth and k < len(cell):
                depth += {"(": 1, ")": -1}.get(cell[k], 0)
                k += 1
            calls.append(cell[m.end() : k - 1])
    return calls


# What a check on wall-clock time looks like: timing helpers, "faster"/"slower", a library's
# "time", or timing arrays named t_ours, t_dual, ... (as first-edition chapters had).
WALL_CLOCK = re.compile(
    r"median_time|speed_ratio|perf_counter|faster|slower|'s time|\bt_(?:ours|ref|lib|dual|primal)"
)


def test_checks_can_fail_and_do_not_time(chapter):
    name, text = chapter
    for args in _check_calls(text):
        assert not re.match(r"\s*True\b", args), f"{name}: check(True, ...) cannot fail"
        assert not re.search(WALL_CLOCK, args), (
            f"{name}: a check asserts on wall-clock time; print the ratio instead "
            f"(targets belong to the benchmark command): {args[:80]}"
        )


def test_check_descriptions_are_words_not_labels(chapter):
    name, text = chapter
    for args in _check_calls(text):
        for what in re.findall(r"what\s*=\s*f?[\"']([^\"']*)", args):
            assert not re.search(r"\b(eq|fig|alg|sec)-[\w-]+", what), (
                f"{name}: check text names an internal label: {what!r}"
            )


def test_captions_are_folded_yaml(chapter):
    name, text = chapter
    quoted = re.findall(r"^\s+caption: [\"'|]", text, re.M)
    assert not quoted, f"{name}: write captions as `caption: >-`"


def test_no_private_validators(chapter):
    # Validation uses the shared validators of mlnotes_helpers (as_matrix, as_scalar, ...).
    name, text = chapter
    code = "\n".join(code_cells(text))
    private = re.findall(r"^def (_(?:as|check|validate|require)\w*)\(", code, re.M)
    assert not private, f"{name}: private validators {private}; use mlnotes_helpers"


def _prerequisites(text):
    line = next(li for li in text.splitlines() if "**Prerequisites:**" in li)
    return text[text.index(line) :].split("\n\n")[0]


def _prerequisite_chapters(name, para):
    for target in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", para):
        resolved = (ROOT / name).parent.joinpath(target).resolve().relative_to(ROOT).as_posix()
        if resolved in BOOK_ORDER:
            yield resolved


def test_prerequisites_point_backwards(chapter):
    name, text = chapter
    here = BOOK_ORDER.index(name)
    for resolved in _prerequisite_chapters(name, _prerequisites(text)):
        assert BOOK_ORDER.index(resolved) < here, f"{name}: prerequisite {resolved} is later"


_LABEL_DEFS = (
    re.compile(r"^\(([\w-]+)\)=$", re.M),  # (label)= above a section
    re.compile(r"^\$\$ *\(([\w-]+)\)$", re.M),  # an equation's label
    re.compile(r"^:label: ([\w-]+)$", re.M),  # a prf box or exercise
)


def _label_owners():
    """Every label defined in a chapter, mapped to the chapter that defines it."""
    owners = {}
    for name in BOOK_ORDER:
        path = ROOT / f"{name}.md"
        if path.exists():
            text = path.read_text()
            for pattern in _LABEL_DEFS:
                owners.update(dict.fromkeys(pattern.findall(text), name))
    return owners


def test_prerequisites_link_the_sections_they_need(chapter):
    # Each chapter named as a prerequisite is linked at the sections (or equations) needed,
    # not only at its top, and those sections come earlier in the book.
    name, text = chapter
    para, owners = _prerequisites(text), _label_owners()
    linked = set()
    for label in re.findall(r"\{(?:ref|eq|numref)\}`(?:[^`<]*<)?([^`>]+)>?`", para):
        assert label in owners, f"{name}: prerequisite link to an unknown label {label}"
        here, there = BOOK_ORDER.index(name), BOOK_ORDER.index(owners[label])
        assert there < here, f"{name}: prerequisite {label} is in a later chapter"
        linked.add(owners[label])
    for resolved in _prerequisite_chapters(name, para):
        assert resolved in linked, f"{name}: {resolved} is linked, but none of its sections"


def _lists_inside_inline_math(text):
    """Lines that start with a list marker while an inline $...$ is open: Markdown turns
    them into a bullet and the formula into raw TeX on the page."""
    bad, open_math, in_code, in_display = [], False, False, False
    for i, line in enumerate(text.splitlines(), 1):
        if in_code or line.startswith("```{code-cell}"):
            in_code = not (in_code and line.startswith("```"))
            continue
        if line.lstrip().startswith("$$"):
            in_display, open_math = not in_display and line.strip() == "$$", False
            continue
        if in_display or not line.strip():
            open_math = False
            continue
        if open_math and re.match(r"\s*([-+*>#]|\d+[.)])(\s|$)", line):
            bad.append(f"line {i}: {line.strip()[:50]}")
        if len(re.findall(r"(?<!\\)\$", line)) % 2:
            open_math = not open_math
    return bad


def test_no_list_marker_breaks_an_inline_formula(chapter):
    name, text = chapter
    bad = _lists_inside_inline_math(text)
    assert not bad, f"{name}: a line inside an inline formula starts like a list item: {bad}"


def test_links_between_chapters_land_at_sections(chapter):
    # Outside the prerequisites line, a link to another chapter names the section meant
    # ({ref} to a label there), so the reader does not land at the top of a long page.
    name, text = chapter
    body = text.replace(_prerequisites(text), "")
    whole = sorted(set(_prerequisite_chapters(name, body)))
    assert not whole, f"{name}: links to whole chapters {whole}; link their sections with {{ref}}"


def test_key_results_are_stated_in_proposition_boxes(chapter):
    name, text = chapter
    boxes = re.findall(r"^```\{prf:(?:proposition|theorem|lemma|definition)\}", text, re.M)
    assert boxes, f"{name}: no key result stated in a prf:proposition (or theorem) box"


def test_every_chapter_has_property_tests_and_mutants(chapter):
    name, _ = chapter
    slug = name.split("/")[-1]
    tests = ROOT / "tests" / "chapters" / f"test_{slug.replace('-', '_')}.py"
    assert tests.exists(), f"{name}: no property tests at {tests.relative_to(ROOT)}"
    assert "given(" in tests.read_text(), f"{name}: property tests use hypothesis"
    mutants = ROOT / "benchmarks" / "mutations" / f"{slug}.yaml"
    assert mutants.exists(), f"{name}: no mutation list at {mutants.relative_to(ROOT)}"
    assert len(yaml.safe_load(mutants.read_text()) or []) >= 8, f"{name}: fewer than 8 mutants"
