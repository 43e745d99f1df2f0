"""Group means with confidence intervals (dot and whisker) and forest plots of effect sizes."""

from __future__ import annotations

from belonging import _columns as C
from belonging.plots.style import OKABE_ITO, new_axes

__all__ = ["plot_forest", "plot_group_means"]


def plot_group_means(table, *, group=C.GROUP, estimate=C.MEAN, low=C.CI_LOW, high=C.CI_HIGH, n=C.N,
                     reference=None, reference_label="Reference", ax=None, title=None, xlabel=None,
                     highlight=None):
    """Dot-and-whisker chart of group means with their confidence intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group, e.g. ``compare(...).descriptives``: columns `group`, `estimate`, `low`,
        `high` and optionally `n` (shown in the labels). Rows whose estimate is missing (for
        example suppressed) are listed with the mark "suppressed" and no dot.
    group, estimate, low, high, n : str
        Column names (defaults ``group``, ``mean``, ``ci_low``, ``ci_high``, ``n``).
    reference : float, optional
        Draw a dashed vertical line at this value (e.g. the institution mean).
    reference_label : str
    highlight : object, optional
        A group drawn in a contrasting colour (e.g. the cohort of this report).
    ax : matplotlib.axes.Axes, optional
    title, xlabel : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from belonging import plots
    >>> table = pd.DataFrame({"group": ["in_person", "online_async"], "mean": [49.2, 42.5], "ci_low": [48.5, 41.5], "ci_high": [49.9, 43.5], "n": [813, 457]})
    >>> ax = plots.plot_group_means(table, reference=47.2, reference_label="all modes", xlabel="CCS total")
    >>> ax.get_xlabel()
    'CCS total'
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from belonging._validation import check_columns

    check_columns(table, [group, estimate, low, high], "table")
    rows = table.reset_index(drop=True)
    y = np.arange(len(rows))[::-1].astype(float)
    est = rows[estimate].to_numpy(dtype="float64")
    lo = rows[low].to_numpy(dtype="float64")
    hi = rows[high].to_numpy(dtype="float64")
    shown = np.isfinite(est)
    with new_axes(ax, figsize=(6.4, 0.8 + 0.32 * max(len(rows), 2))) as ax:
        colours = np.array([OKABE_ITO[5] if highlight is not None and g == highlight else OKABE_ITO[0]
                            for g in rows[group]], dtype=object)
        ok = shown & np.isfinite(lo) & np.isfinite(hi)
        for yy, a, b, c in zip(y[ok], lo[ok], hi[ok], colours[ok]):
            ax.plot([a, b], [yy, yy], color=c, linewidth=1.6, solid_capstyle="butt")
        ax.scatter(est[shown], y[shown], color=list(colours[shown]), zorder=3, s=22)
        x_mid = np.nanmean(est) if shown.any() else 0.0
        for yy in y[~shown]:
            ax.text(x_mid, yy, "suppressed", ha="center", va="center", fontsize=7, color="#555555", style="italic")
        if reference is not None and np.isfinite(reference):
            ax.axvline(reference, color="#333333", linestyle="--", linewidth=0.8, label=f"{reference_label} ({reference:.2f})")
            ax.legend(loc="lower right")
        names = [str(g) for g in rows[group]]
        if n in rows.columns:
            names = [f"{g} (n={int(k)})" if np.isfinite(k) else f"{g} (n suppressed)"
                     for g, k in zip(names, rows[n].to_numpy(dtype="float64"))]
        ax.set_yticks(y, names)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_xlabel(xlabel or estimate)
        ax.tick_params(axis="y", length=0)
        if title:
            ax.set_title(title, loc="left")
    return ax


def plot_forest(pairwise, *, estimate=C.HEDGES_G, low=C.G_CI_LOW, high=C.G_CI_HIGH, group_a=C.GROUP_A,
                group_b=C.GROUP_B, ax=None, title=None, xlabel="Hedges' g (group A \u2212 group B)"):
    """Forest plot of pairwise effect sizes with confidence intervals, zero marked.

    Parameters
    ----------
    pairwise : pandas.DataFrame
        One row per contrast, e.g. ``compare(...).pairwise``: columns `group_a`, `group_b`,
        `estimate`, `low`, `high` (defaults ``hedges_g``, ``g_ci_low``, ``g_ci_high``).
    ax : matplotlib.axes.Axes, optional
    title, xlabel : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Shaded bands mark |g| < 0.2, the conventional "small" threshold (Cohen 1988), to help reading,
    not as a test.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from belonging import plots
    >>> pairs = pd.DataFrame({"group_a": ["in_person", "in_person"], "group_b": ["hybrid", "online_async"], "hedges_g": [0.17, 0.67], "g_ci_low": [0.06, 0.55], "g_ci_high": [0.28, 0.78]})
    >>> ax = plots.plot_forest(pairs, title="Pairwise differences")
    >>> ax.get_title(loc="left")
    'Pairwise differences'
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from belonging._validation import check_columns

    check_columns(pairwise, [group_a, group_b, estimate, low, high], "pairwise")
    rows = pairwise.reset_index(drop=True)
    y = np.arange(len(rows))[::-1].astype(float)
    est = rows[estimate].to_numpy(dtype="float64")
    lo = rows[low].to_numpy(dtype="float64")
    hi = rows[high].to_numpy(dtype="float64")
    with new_axes(ax, figsize=(6.4, 0.8 + 0.32 * max(len(rows), 2))) as ax:
        ax.axvspan(-0.2, 0.2, color="#EEEEEE", zorder=0)
        ax.axvline(0.0, color="#333333", linewidth=0.8)
        ok = np.isfinite(est) & np.isfinite(lo) & np.isfinite(hi)
        for yy, a, b in zip(y[ok], lo[ok], hi[ok]):
            ax.plot([a, b], [yy, yy], color=OKABE_ITO[0], linewidth=1.6)
        ax.scatter(est[ok], y[ok], marker="s", color=OKABE_ITO[0], zorder=3, s=24)
        ax.set_yticks(y, [f"{a} vs {b}" for a, b in zip(rows[group_a], rows[group_b])])
        ax.set_ylim(-0.7, len(rows) - 0.3)
        if ok.any():
            span = max(0.5, float(np.max(np.abs(np.concatenate([lo[ok], hi[ok]])))) * 1.1)
            ax.set_xlim(-span, span)
        ax.set_xlabel(xlabel)
        ax.tick_params(axis="y", length=0)
        if title:
            ax.set_title(title, loc="left")
    return ax
