"""Load a chapter as a module: its functions and classes, ready to call.

A chapter is a MyST notebook; :func:`load_chapter` reads it with jupytext and runs its code
cells in a fresh module namespace, with matplotlib on the non-interactive ``Agg`` backend and
printed output discarded::

    from mlnotes_helpers import load_chapter

    lb = load_chapter("lbfgs")
    x, info = lb.lbfgs(f, grad, x0)

Cells tagged ``skip-module`` (heavy experiments, animations, timing comparisons) are left
out of the module view; they still run in the book, under nbval and in Binder. A chapter is
loaded once per process and cached, so tests that share it pay for it once.
"""

import contextlib
import io
import os
import pathlib
import sys
import types

__all__ = ["SKIP_TAG", "chapter_path", "chapter_slugs", "load_chapter"]

SKIP_TAG = "skip-module"
# The book's root; MLNOTES_ROOT points the loader at another copy (the mutation script uses it).
ROOT = pathlib.Path(os.environ.get("MLNOTES_ROOT", pathlib.Path(__file__).resolve().parents[1]))
_CACHE: dict[pathlib.Path, types.ModuleType] = {}


def chapter_slugs(root=ROOT):
    """The slugs of every chapter under ``notebooks/``, sorted."""
    return sorted(p.stem for p in (pathlib.Path(root) / "notebooks").rglob("*.md"))


def chapter_path(slug, root=ROOT):
    """The MyST source of chapter ``slug`` (a file stem such as ``"lbfgs"``) or of a path."""
    if not isinstance(slug, str | pathlib.Path):
        raise TypeError(f"slug must be a chapter name or a path, got {type(slug).__name__}")
    path = pathlib.Path(slug)
    if path.suffix == ".md" and path.exists():
        return path.resolve()
    hits = sorted((pathlib.Path(root) / "notebooks").rglob(f"{slug}.md"))
    if not hits:
        known = ", ".join(chapter_slugs(root))
        raise ValueError(f"no chapter named {slug!r}; known chapters: {known}")
    return hits[0].resolve()


def _code_cells(path):
    import jupytext

    notebook = jupytext.read(path)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if SKIP_TAG in cell.metadata.get("tags", []):
            continue
        yield cell.source


def load_chapter(slug, *, quiet=True, reload=False):
    """Execute chapter ``slug``'s code cells (minus ``skip-module`` ones) as a module.

    Parameters
    ----------
    slug : str or path
        A chapter's file stem (``"online-linear-regression"``) or the path to its ``.md``.
    quiet : bool
        Discard what the cells print (their ✓ check lines).
    reload : bool
        Run the chapter again even if it is cached.

    Returns
    -------
    types.ModuleType
        The chapter's namespace: every function, class and value its cells define.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = chapter_path(slug)
    if path in _CACHE and not reload:
        return _CACHE[path]
    name = "mlnotes_chapter_" + path.stem.replace("-", "_")
    module = types.ModuleType(name, f"Chapter {path.stem}, loaded from {path}")
    module.__file__ = str(path)
    sys.modules[name] = module  # dataclasses and pickling look classes up here
    sink = io.StringIO() if quiet else sys.stdout
    for k, source in enumerate(_code_cells(path)):
        code = "\n".join(
            line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        with contextlib.redirect_stdout(sink):
            exec(compile(code, f"<{path.stem} cell {k}>", "exec"), module.__dict__)
        plt.close("all")
    _CACHE[path] = module
    return module
