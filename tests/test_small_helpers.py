import time

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from mlnotes_helpers import PALETTE, animate, make_rng, median_time, set_style, speed_ratio


def test_make_rng_is_seeded_generator():
    a, b = make_rng(7), make_rng(7)
    assert isinstance(a, np.random.Generator)
    assert np.array_equal(a.normal(size=5), b.normal(size=5))
    assert not np.array_equal(make_rng(1).normal(size=5), make_rng(2).normal(size=5))


@pytest.mark.parametrize("bad", [None, 1.5, "3", True])
def test_make_rng_rejects_non_integers(bad):
    with pytest.raises(TypeError):
        make_rng(bad)


def test_make_rng_rejects_negative():
    with pytest.raises(ValueError):
        make_rng(-1)


def _relative_luminance(colour):
    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_set_style_sets_palette_and_returns_it():
    palette = set_style()
    assert palette == PALETTE
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [c.lower() for c in cycle] == [c.lower() for c in PALETTE]
    # Okabe–Ito: eight distinct colours, the first four distinguishable by luminance too.
    assert len(set(PALETTE)) == 8
    lum = [_relative_luminance(c) for c in PALETTE[:4]]
    assert min(abs(x - y) for i, x in enumerate(lum) for y in lum[i + 1 :]) > 0.01
    with pytest.raises(ValueError):
        set_style("poster")


def test_animate_returns_jshtml():
    fig, ax = plt.subplots(figsize=(2, 2))
    (line,) = ax.plot([], [])

    def update(k):
        line.set_data(np.arange(k + 1), np.arange(k + 1))

    html = animate(fig, update, frames=3, interval=50)
    assert "<script" in html.data and "animation" in html.data.lower()
    assert 'aria-label="animation frame"' in html.data  # the slider is named
    assert not plt.fignum_exists(fig.number)


def test_animate_validates():
    fig = plt.figure()
    with pytest.raises(ValueError, match="limit"):
        animate(fig, lambda k: None, frames=61)
    with pytest.raises(TypeError):
        animate(fig, "not callable", frames=3)
    with pytest.raises(ValueError):
        animate(fig, lambda k: None, frames=0)
    plt.close(fig)


def test_median_time_measures_sleep():
    t = median_time(lambda: time.sleep(0.01), repeats=3, warmup=0)
    assert 0.009 < t < 0.1


def test_speed_ratio_orders_fast_and_slow():
    t_a, t_b, ratio = speed_ratio(
        lambda: time.sleep(0.02), lambda: time.sleep(0.005), repeats=3, warmup=0
    )
    assert t_a > t_b
    assert ratio == pytest.approx(t_a / t_b)
    assert 1.5 < ratio < 10


def test_timing_validates():
    with pytest.raises(TypeError):
        median_time(3)
    with pytest.raises(ValueError):
        median_time(lambda: None, repeats=0)
    with pytest.raises(ValueError):
        speed_ratio(lambda: None, lambda: None, number=0)


def test_figures_record_their_smallest_font():
    import io

    import matplotlib.pyplot as plt
    from PIL import Image

    from mlnotes_helpers.style import FONT_KEY, _png_text_chunk, smallest_font_px

    fig, ax = plt.subplots(dpi=80)
    ax.plot([0, 1], [0, 1], label="line")
    ax.legend(fontsize=7)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert smallest_font_px(fig) == pytest.approx(7 * 80 / 72)
    png = _png_text_chunk(buf.getvalue(), FONT_KEY, "7.78")
    with Image.open(io.BytesIO(png)) as im:
        im.load()
        assert im.text[FONT_KEY] == "7.78"
    plt.close(fig)
