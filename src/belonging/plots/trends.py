"""Trends across survey waves."""

from __future__ import annotations

from belonging import _columns as C
from belonging.plots.style import categorical, new_axes

__all__ = ["plot_trend"]


def plot_trend(table, *, x=C.WAVE, estimate=C.MEAN, low=C.CI_LOW, high=C.CI_HIGH, group=None, order=None,
               ax=None, title=None, ylabel=None):
    """Line chart of an estimate across waves with a confidence band, one line per group.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per wave (and group): columns `x`, `estimate`, `low`, `high` and `group` if given.
        Missing estimates (e.g. suppressed waves) break the line.
    x : str, default "wave"
        Wave column; waves are placed in `order` (default: sorted) at equal spacing.
    group : str, optional
        Column distinguishing lines (e.g. cohort vs institution).
    ax : matplotlib.axes.Axes, optional
    title, ylabel : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from belonging import plots
    >>> table = pd.DataFrame({"wave": ["start", "end", "start", "end"], "group": ["in_person", "in_person", "online_async", "online_async"], "mean": [49.2, 51.4, 42.5, 40.3], "ci_low": [48.5, 50.7, 41.5, 39.0], "ci_high": [49.9, 52.2, 43.5, 41.5]})
    >>> ax = plots.plot_trend(table, group="group", order=["start", "end"], ylabel="CCS total")
    >>> ax.get_ylabel()
    'CCS total'
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from belonging._validation import check_columns

    check_columns(table, [x, estimate, low, high] + ([group] if group else []), "table")
    waves = list(order) if order is not None else sorted(table[x].dropna().unique(), key=str)
    pos = {w: i for i, w in enumerate(waves)}
    parts = [(None, table)] if group is None else list(table.groupby(group, sort=False))
    colours = categorical(len(parts))
    with new_axes(ax, figsize=(6.4, 3.0)) as ax:
        for (name, sub), colour in zip(parts, colours):
            sub = sub[sub[x].isin(pos)]
            xs = sub[x].map(pos).to_numpy(dtype="float64")
            o = np.argsort(xs)
            xs = xs[o]
            est = sub[estimate].to_numpy(dtype="float64")[o]
            lo = sub[low].to_numpy(dtype="float64")[o]
            hi = sub[high].to_numpy(dtype="float64")[o]
            ax.fill_between(xs, lo, hi, color=colour, alpha=0.18, linewidth=0)
            ax.plot(xs, est, marker="o", color=colour, label=None if name is None else str(name))
        ax.set_xticks(range(len(waves)), [str(w) for w in waves])
        ax.set_xlim(-0.3, max(len(waves) - 1, 0) + 0.3)
        ax.set_xlabel(x)
        ax.set_ylabel(ylabel or estimate)
        if group is not None:
            ax.legend()
        if title:
            ax.set_title(title, loc="left")
    return ax
