"""Score distributions by group."""

from __future__ import annotations

from belonging.plots.style import categorical, new_axes

__all__ = ["plot_distribution"]


def _horizontal() -> dict:
    """Keyword for a horizontal boxplot across matplotlib versions (``vert`` is deprecated in 3.10)."""
    import matplotlib

    major, minor = (int(p) for p in matplotlib.__version__.split(".")[:2])
    return {"orientation": "horizontal"} if (major, minor) >= (3, 10) else {"vert": False}


def plot_distribution(data, score, *, by=None, kind="box", ax=None, bins=20, order=None, title=None, xlabel=None):
    """Distribution of a score, overall or by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per response.
    score : str
        Column of `data` holding the score (missing values are left out).
    by : str, optional
        Grouping column; rows with a missing group are left out.
    kind : {"box", "hist"}, default "box"
        Horizontal box plots (one per group, with the mean as a diamond), or overlaid step histograms
        scaled to density.
    ax : matplotlib.axes.Axes, optional
    bins : int, default 20
        Histogram bins (``kind="hist"``), shared by all groups.
    order : sequence, optional
        Group order (default: sorted).
    title, xlabel : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    UsageError
        Unknown `kind` or columns.

    Notes
    -----
    Box plots follow Tukey's convention: the box spans the quartiles (linear interpolation,
    ``numpy.percentile``), whiskers reach the furthest point within 1.5 IQR, points beyond are drawn.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from belonging import plots
    >>> scores = pd.DataFrame({"ccs": [40, 52, 47, 61, 38, 44], "mode": ["online", "in_person"] * 3})
    >>> ax = plots.plot_distribution(scores, "ccs", by="mode", xlabel="CCS total (0-80)")
    >>> ax.get_xlabel()
    'CCS total (0-80)'
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from belonging._validation import check_choice, check_columns

    check_choice(kind, "kind", ("box", "hist"))
    check_columns(data, [score] + ([by] if by else []), "data")
    if by is None:
        groups = [("all", data[score].dropna().to_numpy(dtype="float64"))]
    else:
        sub = data[[by, score]].dropna()
        keys = list(order) if order is not None else sorted(sub[by].unique(), key=str)
        grouped = dict(tuple(sub.groupby(by, sort=False)[score]))
        groups = [(k, grouped[k].to_numpy(dtype="float64")) for k in keys if k in grouped]
    colours = categorical(len(groups))
    with new_axes(ax, figsize=(6.4, 0.9 + 0.4 * max(len(groups), 2))) as ax:
        if kind == "box":
            pos = np.arange(len(groups))[::-1] + 1.0
            parts = ax.boxplot([g[1] for g in groups], positions=pos, widths=0.55, **_horizontal(),
                               patch_artist=True, showmeans=True,
                               meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black", "markersize": 4},
                               medianprops={"color": "black"}, flierprops={"markersize": 2, "alpha": 0.5})
            for box, colour in zip(parts["boxes"], colours):
                box.set_facecolor(colour)
                box.set_alpha(0.75)
            ax.set_yticks(pos, [f"{k} (n={len(v)})" for k, v in groups])
            ax.set_xlabel(xlabel or score)
        else:
            allv = np.concatenate([g[1] for g in groups]) if groups else np.array([0.0, 1.0])
            edges = np.histogram_bin_edges(allv, bins=bins)
            for (k, v), colour in zip(groups, colours):
                ax.hist(v, bins=edges, density=True, histtype="step", linewidth=1.6, color=colour, label=f"{k} (n={len(v)})")
            ax.set_ylabel("Density")
            ax.set_xlabel(xlabel or score)
            if by is not None:
                ax.legend()
        if title:
            ax.set_title(title, loc="left")
    return ax
