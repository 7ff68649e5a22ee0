"""The book's plotting style: one call at the top of each chapter."""

import base64
import struct
import zlib

import matplotlib as mpl
import matplotlib.text  # noqa: F401  (mpl.text below)

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


FONT_KEY = "mlnotes:smallest-font-px"  # PNG text chunk read by the book's figure test


def smallest_font_px(fig):
    """The smallest visible text of a drawn figure, in CSS pixels at its natural size."""
    sizes = [
        t.get_fontsize()
        for t in fig.findobj(mpl.text.Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure() is fig
    ]
    return min(sizes) * fig.dpi / 72 if sizes else None


def _png_text_chunk(png, key, value):
    """Insert a tEXt chunk right after the PNG header chunk."""
    data = key.encode("latin-1") + b"\0" + value.encode("latin-1")
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    end_of_header = 8 + 4 + 4 + 13 + 4  # signature, then IHDR: length, type, data, crc
    return png[:end_of_header] + chunk + png[end_of_header:]


def _retina_png(fig):
    """The inline PNG at twice the display resolution, recording its smallest font."""
    from IPython.core.pylabtools import retina_figure

    out = retina_figure(fig, base64=False)
    if out is None:
        return None
    png, size = out
    px = smallest_font_px(fig)  # the figure has just been drawn
    if px is not None:
        png = _png_text_chunk(png, FONT_KEY, f"{px:.2f}")
    return base64.b64encode(png).decode("ascii"), size


def _retina_inline_figures():
    """In a notebook, render figures at twice their display resolution, so they stay crisp,
    and note in each PNG how small its smallest text is (the book's browser test reads it)."""
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - matplotlib-inline ships with ipykernel
        return
    shell = get_ipython()
    if shell is not None:
        set_matplotlib_formats("retina")
        shell.display_formatter.formatters["image/png"].for_type(Figure, _retina_png)
