"""Diverging stacked Likert bars: one bar per item (and group), neutral centred on zero."""

from __future__ import annotations

from belonging import _columns as C
from belonging.plots.style import SUPPRESSED, diverging, new_axes, text_colour

__all__ = ["likert_counts", "likert_rows", "plot_likert"]


def likert_counts(items, *, levels, by=None):
    """Count the answers of each item at each response level (and group).

    Parameters
    ----------
    items : pandas.DataFrame
        Wide frame of answer codes, one column per item (NaN for missing).
    levels : sequence of int
        The response codes in scale order, e.g. ``range(0, 5)``.
    by : pandas.Series or array-like, optional
        Group of each row; rows with a missing group are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``group`` (with `by`), ``item``, ``value`` (code), ``count`` (int). Every
        combination appears (zero counts included), items in column order, levels in scale order.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging import plots
    >>> answers = pd.DataFrame({"ccs_01": [4, 3, 3, None], "ccs_02": [0, 1, 3, 3]})
    >>> counts = plots.likert_counts(answers, levels=range(0, 5))
    >>> print(counts[counts["item"] == "ccs_01"].to_string(index=False))
      item  value  count
    ccs_01      0      0
    ccs_01      1      0
    ccs_01      2      0
    ccs_01      3      2
    ccs_01      4      1
    """
    import numpy as np
    import pandas as pd

    levels = [int(v) for v in levels]
    x = items.to_numpy(dtype="float64")
    pos = np.full(x.shape, -1, dtype="int64")
    for j, v in enumerate(levels):
        pos[x == v] = j
    if by is None:
        keys, codes = [None], np.zeros(len(items), dtype="int64")
    else:
        codes, keys = pd.factorize(pd.Series(np.asarray(by), dtype=object), sort=True)
    k = len(levels)
    g, n_items = len(keys), x.shape[1]
    cube = np.zeros((g, n_items, k), dtype="int64")
    for col in range(n_items):
        ok = (pos[:, col] >= 0) & (codes >= 0)
        flat = codes[ok] * k + pos[ok, col]
        cube[:, col, :] = np.bincount(flat, minlength=g * k).reshape(g, k)
    out = pd.DataFrame({
        C.GROUP: np.repeat(np.asarray(keys, dtype=object), n_items * k),
        C.ITEM: np.tile(np.repeat(np.asarray(items.columns, dtype=object), k), g),
        C.VALUE: np.tile(levels, g * n_items),
        C.COUNT: cube.ravel(),
    })
    if by is None:
        out = out.drop(columns=C.GROUP)
    return out


def likert_rows(counts, *, levels):
    """Bars of a diverging Likert chart: one per item (or group and item), in order of appearance.

    Parameters
    ----------
    counts : pandas.DataFrame
        Tidy counts as from :func:`likert_counts` (``item``, ``value``, ``count``, optional
        ``group``); a missing count marks its bar as suppressed.
    levels : sequence of int
        Response codes in scale order.

    Returns
    -------
    keys : list
        Item ids, or (group, item) tuples.
    pct : numpy.ndarray
        Percent of the bar's answers per level (rows x levels); NaN on a suppressed bar.
    suppressed : numpy.ndarray of bool
    left : numpy.ndarray
        Where each bar starts, in percent left of zero: the disagreeing levels plus half the neutral
        one (Heiberger & Robbins 2014).

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.plots import likert_counts, likert_rows
    >>> counts = likert_counts(pd.DataFrame({"q": [1, 2, 3, 3]}), levels=[1, 2, 3])
    >>> keys, pct, hidden, left = likert_rows(counts, levels=[1, 2, 3])
    >>> keys, pct.round(1).tolist(), left.tolist()
    (['q'], [[25.0, 25.0, 50.0]], [37.5])
    """
    import numpy as np

    levels = [int(v) for v in levels]
    k = len(levels)
    has_group = C.GROUP in counts.columns
    keys = [C.GROUP, C.ITEM] if has_group else [C.ITEM]
    wide = counts.pivot_table(index=keys, columns=C.VALUE, values=C.COUNT, aggfunc="first", dropna=False, sort=False)
    wide = wide.reindex(columns=levels)
    missing_rows = counts.groupby(keys, sort=False)[C.COUNT].apply(lambda s: s.isna().any())
    order = counts[keys].drop_duplicates()
    idx = [tuple(r) if has_group else r[0] for r in order.itertuples(index=False)]
    wide = wide.reindex(idx)
    suppressed = missing_rows.reindex(idx).to_numpy(dtype=bool) | wide.isna().any(axis=1).to_numpy()
    values = wide.to_numpy(dtype="float64")
    totals = np.nansum(values, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100.0 * values / totals[:, None]
    pct[suppressed] = np.nan
    half = k // 2
    left = np.nansum(pct[:, :half], axis=1) + (pct[:, half] / 2 if k % 2 == 1 else 0.0)
    return idx, pct, suppressed, left


def plot_likert(counts, *, levels, labels=None, item_labels=None, ax=None, show_percent=True,
                label_min=5.0, title=None, legend=True):
    """Diverging stacked bars of answer percentages per item (and group), neutral centred.

    Parameters
    ----------
    counts : pandas.DataFrame
        Tidy counts as from :func:`likert_counts`: ``item``, ``value``, ``count`` and optionally
        ``group``. A row (item, group) with any missing count is drawn as a hatched "suppressed" bar
        and no percentages are shown for it.
    levels : sequence of int
        The response codes in scale order (disagree first).
    labels : sequence of str, optional
        Legend text of each level (default: the codes).
    item_labels : dict, optional
        Display text per item id (default: the ids).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new figure).
    show_percent : bool, default True
        Write the percentage inside segments of at least `label_min` percent.
    label_min : float, default 5.0
    title : str, optional
    legend : bool, default True

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Each bar spans 100 % of the item's answers. Disagreeing levels extend left of zero and agreeing
    levels right; with an odd number of levels the neutral segment straddles zero, half on each side
    (Heiberger & Robbins 2014). Missing answers are not part of the denominator.

    References
    ----------
    1. Heiberger, R. M., & Robbins, N. B. (2014). Design of diverging stacked bar charts for Likert
       scales and other applications. Journal of Statistical Software, 57(5), 1-32.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from belonging import plots
    >>> answers = pd.DataFrame({"ccs_01": [4, 3, 3, 2, 1], "ccs_02": [0, 1, 3, 3, 4]})
    >>> counts = plots.likert_counts(answers, levels=range(0, 5))
    >>> ax = plots.plot_likert(counts, levels=range(0, 5), labels=["SD", "D", "N", "A", "SA"], title="CCS items")
    >>> ax.get_title(loc="left")
    'CCS items'
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from belonging._validation import check_columns

    check_columns(counts, [C.ITEM, C.VALUE, C.COUNT], "counts")
    levels = [int(v) for v in levels]
    k = len(levels)
    colours = diverging(k)
    labels = [str(v) for v in (labels if labels is not None else levels)]
    item_labels = dict(item_labels or {})
    has_group = C.GROUP in counts.columns
    idx, pct, suppressed, left = likert_rows(counts, levels=levels)
    n_rows = len(idx)
    y = np.arange(n_rows)[::-1].astype(float)

    with new_axes(ax, figsize=(7.0, 0.9 + 0.32 * max(n_rows, 1))) as ax:
        start = -left
        for j in range(k):
            width = np.where(suppressed, 0.0, pct[:, j])
            bars = ax.barh(y, width, left=np.where(suppressed, 0.0, start), color=colours[j],
                           edgecolor="white", linewidth=0.5, height=0.7, label=labels[j])
            if show_percent:
                tc = text_colour(colours[j])
                for rect, w in zip(bars, width):
                    if np.isfinite(w) and w >= label_min:
                        ax.text(rect.get_x() + w / 2, rect.get_y() + rect.get_height() / 2, f"{w:.0f}%",
                                ha="center", va="center", fontsize=7, color=tc)
            start = start + np.where(suppressed, 0.0, np.nan_to_num(pct[:, j]))
        for yy in y[suppressed]:
            ax.barh([yy], [100.0], left=[-50.0], color=SUPPRESSED, hatch="///", edgecolor="#999999",
                    linewidth=0.5, height=0.7)
            ax.text(0.0, yy, "suppressed (small numbers)", ha="center", va="center", fontsize=7, color="#333333",
                    bbox={"facecolor": SUPPRESSED, "edgecolor": "none", "pad": 1.0}, zorder=5)
        ax.axvline(0.0, color="#333333", linewidth=0.8)
        names = []
        for key in idx:
            if has_group:
                g, it = key
                names.append(f"{item_labels.get(it, it)} \u2014 {g}")
            else:
                names.append(str(item_labels.get(key, key)))
        ax.set_yticks(y, names)
        extent = np.concatenate([left, 100 - left])[np.repeat(~suppressed, 2)] if n_rows else np.array([])
        lim = max(50.0, float(np.nanmax(np.abs(extent)))) if extent.size and np.isfinite(extent).any() else 50.0
        lim = min(100.0, np.ceil(lim / 10.0) * 10.0)
        ax.set_xlim(-lim, lim)
        step = 25.0 if lim > 50 else 10.0
        half_ticks = np.arange(0.0, lim + 1e-9, step)
        ticks = np.concatenate([-half_ticks[:0:-1], half_ticks])
        ax.set_xticks(ticks, [f"{abs(t):.0f}%" for t in ticks])
        ax.set_xlabel("Share of answers (disagree \u2190 | \u2192 agree)")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        if legend:
            handles, leg_labels = ax.get_legend_handles_labels()
            height_in = max(ax.get_position().height * ax.figure.get_figheight(), 0.5)
            ax.legend(handles[:k], leg_labels[:k], loc="upper center", bbox_to_anchor=(0.5, -0.5 / height_in),
                      ncol=min(k, 6), handlelength=1.0, columnspacing=1.0)
        if title:
            ax.set_title(title, loc="left")
    return ax
