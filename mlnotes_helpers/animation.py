"""Animations embedded as JavaScript HTML, so the static book plays them."""

import html
import re

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

__all__ = ["animate"]

MAX_FRAMES = 60

# matplotlib's widget draws its buttons with Font Awesome 4 from a CDN: the book must work
# offline, so the icons become plain characters and the stylesheet link goes.
_ICONS = {
    "fa-minus": "−",
    "fa-fast-backward": "⏮",
    "fa-step-backward": "◁",
    "fa-play fa-flip-horizontal": "◀",
    "fa-pause": "⏸",
    "fa-play": "▶",
    "fa-step-forward": "▷",
    "fa-fast-forward": "⏭",
    "fa-plus": "+",
}


def _offline_widget(markup, alt):
    """The animation HTML without the CDN stylesheet, with text icons and alt text."""
    markup = re.sub(r"<link[^>]*font-awesome[^>]*>", "", markup)
    for icon, char in _ICONS.items():
        markup = markup.replace(f'<i class="fa {icon}"></i>', char)
    markup = re.sub(  # the frame slider needs a name for screen readers
        r'<input id="(_anim_slider\w+)"',
        lambda m: f'<input id="{m.group(1)}" aria-label="animation frame"',
        markup,
    )
    return re.sub(
        r'<img id="(_anim_img\w+)"', lambda m: f'<img id="{m.group(1)}" alt="{alt}"', markup
    )


def animate(fig, update, frames, interval=150, max_frames=MAX_FRAMES, alt="animation"):
    """Render ``update`` over ``frames`` as an embedded JavaScript animation.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure the animation draws on; it is closed afterwards so that the notebook does
        not also show it as a static image.
    update : callable
        ``update(frame)`` redraws the figure for one frame (``frame`` an element of
        ``frames``).
    frames : int or sequence
        The number of frames, or the sequence of frame values.
    interval : int
        Milliseconds between frames.
    max_frames : int
        Refuse longer animations (the page budget is a few MB).
    alt : str
        Alt text of the frames, for readers who cannot see them (say what moves).

    Returns
    -------
    IPython.display.HTML
        The animation with its play controls.
    """
    from IPython.display import HTML

    if not callable(update):
        raise TypeError("update must be callable as update(frame)")
    n = frames if isinstance(frames, int) else len(frames)
    if n < 1:
        raise ValueError("an animation needs at least one frame")
    if n > max_frames:
        raise ValueError(f"{n} frames is more than the book's limit of {max_frames}")
    anim = FuncAnimation(fig, update, frames=frames, interval=interval, blit=False)
    try:
        markup = anim.to_jshtml(default_mode="once")
    finally:
        plt.close(fig)
    return HTML(_offline_widget(markup, html.escape(alt, quote=True)))
