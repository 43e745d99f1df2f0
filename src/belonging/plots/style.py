"""The house style of `belonging` charts: one colour-blind-safe palette and one set of rcParams.

Every plotting function applies :data:`STYLE` with :func:`house_style` for its own duration
only, so calling a plot never changes the caller's matplotlib settings.

Colours: categorical series use the Okabe-Ito palette (Okabe & Ito 2008), distinguishable under the
common forms of colour-vision deficiency; Likert categories use a diverging orange-to-purple ramp
sampled from ColorBrewer's PuOr scheme (marked colour-blind safe by ColorBrewer) with a mid grey for
the neutral point.
"""

from __future__ import annotations

import contextlib

__all__ = [
    "NEUTRAL",
    "OKABE_ITO",
    "STYLE",
    "SUPPRESSED",
    "categorical",
    "contrast_ratio",
    "diverging",
    "house_style",
    "new_axes",
    "relative_luminance",
    "text_colour",
]

#: Okabe-Ito colours (black left out: it is kept for reference lines and text).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: Fill of the neutral Likert category.
NEUTRAL = "#BDBDBD"
#: Fill of a suppressed value (drawn hatched, with a text mark).
SUPPRESSED = "#F2F2F2"

# ColorBrewer PuOr, 11 classes, from orange (disagree) to purple (agree); centre replaced by NEUTRAL.
_PUOR = (
    "#7F3B08", "#B35806", "#E08214", "#FDB863", "#FEE0B6", "#F7F7F7",
    "#D8DAEB", "#B2ABD2", "#8073AC", "#542788", "#2D004B",
)

STYLE = {
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "axes.prop_cycle": __import__("cycler").cycler(color=list(OKABE_ITO)),
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "figure.dpi": 100.0,
    "figure.figsize": (6.4, 3.6),
    "savefig.bbox": "tight",
    "svg.fonttype": "path",
}


@contextlib.contextmanager
def house_style():
    """Context manager applying :data:`STYLE` for its duration, then restoring those settings.

    Only the keys of :data:`STYLE` are saved and restored. ``matplotlib.rc_context`` would restore
    every setting, including ``interactive`` and ``backend``: when a session's first figure is created
    inside it, that undoes what the backend set on activation (in Jupyter, the inline backend turns
    interactive mode on), and later figures of the session are not shown.

    Examples
    --------
    >>> import matplotlib
    >>> import matplotlib.pyplot as plt
    >>> from belonging.plots import STYLE, house_style
    >>> before = matplotlib.rcParams["font.size"]
    >>> with house_style():
    ...     fig, ax = plt.subplots()
    ...     matplotlib.rcParams["font.size"] == STYLE["font.size"]
    True
    >>> ax.spines["top"].get_visible()  # the style applied to the Axes drawn inside
    False
    >>> matplotlib.rcParams["font.size"] == before  # and the caller's setting is back
    True
    >>> plt.close(fig)
    """
    import matplotlib

    saved = {key: matplotlib.rcParams[key] for key in STYLE}
    try:
        matplotlib.rcParams.update(STYLE)
        yield
    finally:
        matplotlib.rcParams.update(saved)


def categorical(n: int) -> list[str]:
    """`n` categorical colours from the Okabe-Ito palette (cycled beyond 8).

    Examples
    --------
    >>> from belonging.plots.style import categorical
    >>> categorical(3)
    ['#0072B2', '#E69F00', '#009E73']
    >>> colours = categorical(10)
    >>> len(colours), colours[8] == colours[0]
    (10, True)
    """
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def diverging(n: int) -> list[str]:
    """`n` Likert colours from disagree (orange) to agree (purple); an odd middle one is grey.

    Raises
    ------
    UsageError
        `n` below 2 or above 11.

    Examples
    --------
    >>> from belonging.plots.style import NEUTRAL, diverging
    >>> diverging(5)
    ['#B35806', '#FDB863', '#BDBDBD', '#B2ABD2', '#542788']
    >>> diverging(5)[2] == NEUTRAL, len(diverging(4))
    (True, 4)
    """
    from belonging.errors import UsageError

    if not 2 <= n <= 11:
        msg = f"a Likert scale needs 2 to 11 response points; got {n}"
        raise UsageError(msg)
    half = n // 2
    import numpy as np

    if half == 1:
        idx = [2]
    else:
        idx = np.rint(np.linspace(1, 3, half) if half <= 3 else np.linspace(0, 4, half)).astype(int).tolist()
    low = [_PUOR[i] for i in idx]
    high = [_PUOR[10 - i] for i in idx]
    middle = [NEUTRAL] if n % 2 else []
    return low + middle + high[::-1]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 (none) to 21 (black on white).

    Examples
    --------
    >>> from belonging.plots.style import contrast_ratio
    >>> round(contrast_ratio("#000000", "#ffffff"), 1), round(contrast_ratio("#0072B2", "#ffffff"), 2)
    (21.0, 5.19)
    """
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def relative_luminance(colour: str) -> float:
    """Relative luminance of a colour as WCAG 2.1 defines it (sRGB, 0 black to 1 white)."""
    from matplotlib.colors import to_rgb

    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(fill: str) -> str:
    """Black or white, whichever has the higher WCAG contrast on `fill` (at least 4.58:1 on any fill).

    Examples
    --------
    >>> from belonging.plots.style import text_colour
    >>> text_colour("#542788"), text_colour("#F0E442"), text_colour("#BDBDBD")
    ('white', 'black', 'black')
    """
    return "black" if contrast_ratio(fill, "#000000") >= contrast_ratio(fill, "#ffffff") else "white"


@contextlib.contextmanager
def new_axes(ax, *, figsize=None):
    """Yield `ax` (or new Axes from ``plt.subplots``) inside the house style.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from belonging.plots.style import new_axes
    >>> with new_axes(None, figsize=(4, 2)) as ax:
    ...     _ = ax.plot([1, 2, 3])
    >>> ax.figure.get_size_inches().tolist()
    [4.0, 2.0]
    >>> with new_axes(ax) as same:  # given Axes are drawn on, not replaced
    ...     same is ax
    True
    >>> plt.close(ax.figure)
    """
    with house_style():
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=figsize)
        yield ax
