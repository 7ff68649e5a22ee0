"""The Binder environment covers every import the notebooks make."""

import ast
import re
import sys

from conftest import ROOT, code_cells

# import name -> distribution name, where they differ
DIST_OF = {
    "sklearn": "scikit-learn",
    "IPython": "ipykernel",
    "yaml": "pyyaml",
    "bayes_opt": "bayesian-optimization",
    "myst_nb": "myst-nb",
}
# installed by binder/postBuild, or pulled in by the listed packages
PROVIDED = {"mlnotes_helpers", "mpl_toolkits"}


def _requirements():
    names = set()
    for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            names.add(re.split(r"[<>=!~\[; ]", line)[0].lower())
    return names


def _imports(code):
    # Cells may hold IPython magics; drop them before parsing.
    code = "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!")))
    found = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_binder_requirements_cover_notebook_imports():
    reqs = _requirements()
    missing = {}
    for md in sorted((ROOT / "notebooks").rglob("*.md")):
        for cell in code_cells(md.read_text(encoding="utf-8")):
            for mod in _imports(cell):
                if mod in sys.stdlib_module_names or mod in PROVIDED:
                    continue
                if DIST_OF.get(mod, mod).lower() not in reqs:
                    missing.setdefault(mod, md.name)
    assert not missing, f"imports not covered by binder/requirements.txt: {missing}"


def test_binder_installs_helpers_and_jupytext_viewer():
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install" in post and "-e ." in post
    assert "jupytext-config set-default-viewer" in post
    # Launch buttons point at the .ipynb pair, which git does not hold: postBuild writes it.
    assert "jupytext --quiet --to ipynb" in post
    assert "jupytext" in _requirements()


def test_binder_requirements_match_project_dependencies():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    project = {re.split(r"[<>=!~\[; ]", d)[0].lower() for d in deps}
    scientific = {"numpy", "scipy", "matplotlib", "scikit-learn", "statsmodels", "cma"}
    assert scientific <= project
    assert scientific <= _requirements()
