"""Item analysis chart: corrected item-total correlation per item."""

from __future__ import annotations

from belonging import _columns as C
from belonging.plots.style import OKABE_ITO, new_axes

__all__ = ["plot_item_analysis"]


def plot_item_analysis(items, *, value=C.ITEM_REST_R, item=C.ITEM, labels=None, threshold=0.3, ax=None,
                       title=None):
    """Horizontal bars of each item's item-rest correlation, with a guide line at `threshold`.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per item, e.g. ``reliability(...).items`` filtered to one scale: columns `item` and
        `value` (default ``item_rest_r``). Reversed items (column ``reversed``) are marked "(R)".
    labels : dict, optional
        Display text per item id.
    threshold : float or None, default 0.3
        Items below it are drawn in a contrasting colour; a common rule of thumb for the corrected
        item-total correlation, not a test.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from belonging import plots
    >>> items = pd.DataFrame({"item": ["ccs_01", "ccs_02", "ccs_03"], "item_rest_r": [0.52, 0.21, 0.47]})
    >>> ax = plots.plot_item_analysis(items, threshold=0.3, title="Item-rest correlations")
    >>> ax.get_title(loc="left")
    'Item-rest correlations'
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from belonging._validation import check_columns

    check_columns(items, [item, value], "items")
    rows = items.reset_index(drop=True)
    vals = rows[value].to_numpy(dtype="float64")
    y = np.arange(len(rows))[::-1].astype(float)
    labels = dict(labels or {})
    names = [str(labels.get(i, i)) for i in rows[item]]
    if C.REVERSED in rows.columns:
        names = [f"{nm} (R)" if r else nm for nm, r in zip(names, rows[C.REVERSED].to_numpy(dtype=bool))]
    low = np.isfinite(vals) & (vals < threshold) if threshold is not None else np.zeros(len(vals), dtype=bool)
    colours = [OKABE_ITO[5] if lw else OKABE_ITO[0] for lw in low]
    with new_axes(ax, figsize=(6.4, 0.8 + 0.26 * max(len(rows), 2))) as ax:
        ax.barh(y, np.nan_to_num(vals), color=colours, height=0.65)
        if threshold is not None:
            ax.axvline(threshold, color="#333333", linestyle="--", linewidth=0.8)
        ax.axvline(0.0, color="#333333", linewidth=0.8)
        ax.set_yticks(y, names)
        ax.set_xlim(min(0.0, float(np.nanmin(vals)) - 0.05) if np.isfinite(vals).any() else 0.0, 1.0)
        ax.set_xlabel("Item-rest correlation" if value == C.ITEM_REST_R else value)
        ax.tick_params(axis="y", length=0)
        if title:
            ax.set_title(title, loc="left")
    return ax
