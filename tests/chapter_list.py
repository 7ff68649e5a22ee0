"""One chapter list: ``_toc.yml`` is the source; the README table and the intro map follow it.

``python tests/chapter_list.py`` rewrites the generated blocks of ``README.md`` and ``intro.md``
(between ``<!-- chapters:start -->`` and ``<!-- chapters:end -->``) from ``_toc.yml``, each
chapter's H1 title and the run time in its header. With ``--runtimes`` it first rewrites that
run time in every chapter header from the last book build's execution records
(``_build/.jupyter_cache``). ``tests/test_structure.py`` fails when a generated block is stale.
"""

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
START, END = "<!-- chapters:start -->", "<!-- chapters:end -->"

# Book order and the titles of chapters not yet written (BOOK-GUIDE section 1).
PARTS = {
    "regression": (
        "I. Regression and kernels",
        {
            "online-linear-regression": "Online linear regression",
            "kernel-ridge-regression": "Kernel ridge regression",
            "kernel-pca": "Kernel PCA",
            "nonparametric-regression": "Non-parametric regression",
            "gaussian-process": "Gaussian processes",
        },
    ),
    "optimization": (
        "II. Optimization",
        {
            "lbfgs": "L-BFGS",
            "constrained-cma-es": "Constrained CMA-ES",
            "bayesian-optimization": "Bayesian optimization",
            "nonnegative-matrix-factorization": "Non-negative matrix factorization",
        },
    ),
    "inference": (
        "III. Probabilistic inference",
        {
            "em-lower-bound": "EM and the likelihood lower bound",
            "variational-inference": "Variational inference",
            "belief-propagation": "Belief propagation",
            "neural-population-models": "Probabilistic models of neural populations",
        },
    ),
    "neural": (
        "IV. Neural models and representations",
        {
            "hopfield-network": "Hopfield networks",
            "modern-hopfield-attention": "Modern Hopfield networks and attention",
            "word2vec": "word2vec",
            "s4-state-spaces": "S4: structured state spaces",
        },
    ),
    "generative": (
        "V. Generative models",
        {
            "score-matching": "Score matching",
            "diffusion-models": "Diffusion models",
        },
    ),
}
BOOK_ORDER = [f"notebooks/{p}/{s}" for p, (_, chs) in PARTS.items() for s in chs]
RUN_TIME = re.compile(r"\*\*Run time:\*\*\s+about\s+(\d+)\s+s")


def toc_chapters():
    """The chapter files listed in ``_toc.yml``, in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [
        c["file"]
        for part in toc["parts"]
        for c in part["chapters"]
        if c["file"].startswith("notebooks/")
    ]


def title_and_runtime(doc):
    text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", text, re.M).group(1).strip()
    m = RUN_TIME.search(text)
    return title, int(m.group(1)) if m else None


def readme_block():
    listed = set(toc_chapters())
    rows = ["| Chapter | Part | Status | Run time |", "| --- | --- | --- | --- |"]
    for part, (caption, chapters) in PARTS.items():
        for slug, planned in chapters.items():
            doc = f"notebooks/{part}/{slug}"
            if doc in listed:
                title, secs = title_and_runtime(doc)
                rows.append(f"| [{title}]({doc}.md) | {caption} | done | {secs} s |")
            else:
                rows.append(f"| {planned} | {caption} | planned | |")
    return "\n".join(rows)


def intro_block():
    listed = set(toc_chapters())
    rows = ["| Part | Chapters |", "| --- | --- |"]
    for part, (caption, chapters) in PARTS.items():
        cells = []
        for slug, planned in chapters.items():
            doc = f"notebooks/{part}/{slug}"
            cells.append(f"{{doc}}`{doc}`" if doc in listed else planned)
        rows.append(f"| {caption} | {' · '.join(cells)} |")
    return "\n".join(rows)


def replace_block(text, block):
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"no {START} ... {END} block")
    return pattern.sub(lambda _: f"{START}\n{block}\n{END}", text)


def current_block(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    m = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    return m.group(1) if m else None


def execution_seconds():
    """Seconds each chapter took in the last book build, from jupyter-cache."""
    from jupyter_cache import get_cache

    cache = get_cache(str(ROOT / "_build" / ".jupyter_cache"))
    return {
        pathlib.Path(r.uri).stem: r.data.get("execution_seconds")
        for r in cache.list_cache_records()
    }


def write_runtimes():
    seconds = execution_seconds()
    for doc in toc_chapters():
        path = ROOT / f"{doc}.md"
        secs = seconds.get(path.stem)
        if secs is None:
            continue
        text = path.read_text(encoding="utf-8")
        path.write_text(
            RUN_TIME.sub(f"**Run time:** about {max(1, round(secs))} s", text, 1), encoding="utf-8"
        )


def main(argv):
    if "--runtimes" in argv:
        write_runtimes()
    for path, block in (("README.md", readme_block()), ("intro.md", intro_block())):
        text = (ROOT / path).read_text(encoding="utf-8")
        (ROOT / path).write_text(replace_block(text, block), encoding="utf-8")
    print("README.md and intro.md chapter lists regenerated from _toc.yml")


if __name__ == "__main__":
    main(sys.argv[1:])
