"""Animations embedded as JavaScript HTML, so the static book plays them."""

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

__all__ = ["animate"]

MAX_FRAMES = 60


def animate(fig, update, frames, interval=150, max_frames=MAX_FRAMES):
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
        html = anim.to_jshtml(default_mode="once")
    finally:
        plt.close(fig)
    return HTML(html)
