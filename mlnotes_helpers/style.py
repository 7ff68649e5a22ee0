"""The book's plotting style: one call at the top of each chapter."""

import matplotlib as mpl

__all__ = ["PALETTE", "set_style"]

#: Okabe–Ito colour-blind-safe palette (Okabe and Ito, 2008), black moved to the end.
PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)


def set_style(context="notebook"):
    """Apply the book's matplotlib style and return the palette.

    Parameters
    ----------
    context : {"notebook", "paper"}
        ``"notebook"`` for the book (default); ``"paper"`` uses slightly smaller fonts.

    Returns
    -------
    tuple of str
        The colour cycle (``PALETTE``).
    """
    if context not in ("notebook", "paper"):
        raise ValueError(f"context must be 'notebook' or 'paper', got {context!r}")
    base = 10 if context == "notebook" else 9
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.constrained_layout.use": True,
            "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "grid.linewidth": 0.6,
            "font.size": base,
            "axes.titlesize": base + 1,
            "axes.labelsize": base,
            "legend.fontsize": base - 1,
            "legend.frameon": False,
            "lines.linewidth": 1.8,
            "image.cmap": "viridis",
            "animation.embed_limit": 8.0,
        }
    )
    _retina_inline_figures()
    return PALETTE


def _retina_inline_figures():
    """In a notebook, render figures at twice their display resolution, so they stay crisp."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - matplotlib-inline ships with ipykernel
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")
