"""The chapter loader: a MyST notebook's code cells as a module namespace."""

import textwrap

from mlnotes_helpers import chapter_slugs, check_raises, load_chapter
from mlnotes_helpers.loader import chapter_path

TOY = textwrap.dedent(
    """\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---

    # Toy

    ```{code-cell} ipython3
    import matplotlib.pyplot as plt
    def double(x):
        return 2 * x
    print("a check line")
    ```

    ```{code-cell} ipython3
    :tags: [skip-module]
    raise RuntimeError("a heavy experiment that the module view must skip")
    ```

    ```{code-cell} ipython3
    %matplotlib inline
    plt.plot([1, 2])
    four = double(2)
    ```
    """
)


def test_loads_functions_and_skips_tagged_cells(tmp_path, capsys):
    md = tmp_path / "toy.md"
    md.write_text(TOY)
    module = load_chapter(md)
    assert module.double(3) == 6
    assert module.four == 4
    assert capsys.readouterr().out == ""  # check lines are discarded by default
    assert load_chapter(md) is module  # cached per process
    assert load_chapter(md, reload=True) is not module


def test_unknown_chapter_is_refused_with_the_known_ones():
    err = check_raises(load_chapter, "no-such-chapter", exc=ValueError, match="no-such-chapter")
    assert "known chapters" in str(err)
    check_raises(load_chapter, 3, exc=TypeError, match="slug")


def test_every_chapter_is_found():
    slugs = chapter_slugs()
    assert slugs, "no chapters"
    for slug in slugs:
        assert chapter_path(slug).stem == slug


def test_readme_example():
    # The README's example: load the L-BFGS chapter and minimise a quadratic with its lbfgs.
    import numpy as np

    lb = load_chapter("lbfgs")
    target = np.arange(5.0)
    result = lb.lbfgs(lambda x: (0.5 * np.sum((x - target) ** 2), x - target), np.zeros(5))
    np.testing.assert_allclose(result.x, target, atol=1e-6)
