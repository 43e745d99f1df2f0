"""Charts of the report model: SVG from :mod:`belonging.plots.svg`, a text alternative and the table.

Every builder takes the :class:`~belonging.report.model.Table` a chart is drawn from (suppressed cells
already marked) and returns a :class:`~belonging.report.model.Figure` whose alt text names the same
numbers as that table, formatted as the table shows them: a reader of the text alternative learns
what a sighted reader learns from the chart, and a withheld value is "suppressed" in both.
"""

from __future__ import annotations

import contextvars
import time
from types import MappingProxyType

from belonging import _columns as C
from belonging.report.model import Figure, Table

__all__ = ["CHART_SECONDS", "forest_chart", "items_chart", "likert_chart", "means_chart", "trend_chart"]

#: When set to a list, each chart builder appends the seconds it took (for benchmarks).
CHART_SECONDS: contextvars.ContextVar = contextvars.ContextVar("belonging_chart_seconds", default=None)


def _timed(build):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return build(*args, **kwargs)
        finally:
            timings = CHART_SECONDS.get()
            if timings is not None:
                timings.append(time.perf_counter() - start)

    wrapper.__name__, wrapper.__doc__ = build.__name__, build.__doc__
    return wrapper


def _figure(svg: str, table: Table, columns, alt: str, caption: str) -> Figure:
    return Figure(data=svg.encode("utf-8"), alt=alt, mime="image/svg+xml", caption=caption, table=table,
                  columns=tuple(columns))


def _interval(table, i, est, lo, hi, ci_label, n=None) -> str:
    if table.is_suppressed(i, est):
        return "suppressed"
    text = f"{table.cell_text(i, est)} ({ci_label} {table.cell_text(i, lo)} to {table.cell_text(i, hi)}"
    if n is not None and n in table.data.columns:
        text += f", n = {table.cell_text(i, n)}"
    return text + ")"


@_timed
def means_chart(table: Table, *, what: str, ci_label: str, xlabel: str, caption: str, label=C.GROUP,
                reference=None, reference_label: str = "") -> Figure:
    """Dot-and-whisker chart of the means in `table` (columns `label`, n, mean, ci_low, ci_high)."""
    from belonging.plots.svg import group_means_svg

    frame = table.to_frame()
    svg = group_means_svg(frame, group=label, reference=reference, reference_label=reference_label, xlabel=xlabel)
    parts = [f"{table.cell_text(i, label)}: {_interval(table, i, C.MEAN, C.CI_LOW, C.CI_HIGH, ci_label, C.N)}"
             for i in range(len(frame))]
    alt = f"{what}. " + "; ".join(parts) + "."
    if reference is not None:
        alt += f" A dashed line marks {reference_label}."
    return _figure(svg, table, (label, C.N, C.MEAN, C.CI_LOW, C.CI_HIGH), alt, caption)


@_timed
def forest_chart(table: Table, *, what: str, ci_label: str, caption: str) -> Figure:
    """Forest plot of Hedges' g of the pairs in `table` (a pairwise table)."""
    from belonging.plots.svg import forest_svg

    frame = table.to_frame()
    svg = forest_svg(frame)
    parts = []
    for i in range(len(frame)):
        pair = f"{table.cell_text(i, C.GROUP_A)} minus {table.cell_text(i, C.GROUP_B)}"
        diff = _interval(table, i, C.DIFFERENCE, C.CI_LOW, C.CI_HIGH, ci_label)
        g = _interval(table, i, C.HEDGES_G, C.G_CI_LOW, C.G_CI_HIGH, ci_label)
        parts.append(f"{pair}: difference {diff}, Hedges' g {g}")
    alt = f"{what}. " + "; ".join(parts) + "."
    cols = (C.GROUP_A, C.GROUP_B, C.DIFFERENCE, C.CI_LOW, C.CI_HIGH, C.HEDGES_G, C.G_CI_LOW, C.G_CI_HIGH)
    return _figure(svg, table, cols, alt, caption)


@_timed
def likert_chart(table: Table, counts, *, levels, labels, item_labels, what: str, caption: str) -> Figure:
    """Diverging stacked bars of `counts`; `table` holds the item, n and one percent column per level."""
    from belonging.plots.svg import likert_svg

    svg = likert_svg(counts, levels=levels, labels=labels, item_labels=item_labels)
    pct_cols = [c for c in table.data.columns if c not in (C.ITEM, C.N)]
    parts = []
    for i in range(len(table.data)):
        name = table.cell_text(i, C.ITEM)
        if all(table.is_suppressed(i, c) for c in pct_cols):
            parts.append(f"{name}: suppressed")
            continue
        values = ", ".join(table.cell_text(i, c) for c in pct_cols)
        parts.append(f"{name} (n = {table.cell_text(i, C.N)}): {values}")
    order = ", ".join(table.header(c).removeprefix("% ") for c in pct_cols)
    alt = f"{what}, in percent of each item's answers ({order}): " + "; ".join(parts) + "."
    return _figure(svg, table, (C.ITEM, C.N, *pct_cols), alt, caption)


@_timed
def items_chart(items, *, what: str, labels, threshold: float, caption: str) -> Figure:
    """Bars of the item-rest correlations in `items` (``item``, ``reversed``, ``item_rest_r``)."""
    import pandas as pd

    from belonging.plots.svg import item_analysis_svg

    svg = item_analysis_svg(items, labels=labels, threshold=threshold)
    names = [f"{labels.get(i, i)}{' (R)' if r else ''}" for i, r in zip(items[C.ITEM], items[C.REVERSED].astype(bool))]
    data = pd.DataFrame({C.ITEM: names, C.ITEM_REST_R: items[C.ITEM_REST_R].to_numpy(dtype="float64")})
    table = Table(data, caption="Item-rest correlations", headers=MappingProxyType({C.ITEM: "Item", C.ITEM_REST_R: "Item-rest r"}),
                  formats=MappingProxyType({C.ITEM_REST_R: ".2f"}))
    parts = [f"{table.cell_text(i, C.ITEM)}: {table.cell_text(i, C.ITEM_REST_R)}"
             + (" (below the guide line)" if data[C.ITEM_REST_R].iloc[i] < threshold else "") for i in range(len(data))]
    alt = f"{what}. " + "; ".join(parts) + "."
    return _figure(svg, table, (C.ITEM, C.ITEM_REST_R), alt, caption)


@_timed
def trend_chart(table: Table, *, waves, what: str, ci_label: str, ylabel: str, caption: str) -> Figure:
    """Lines of the mean per wave with interval bands, one per ``label`` of `table`."""
    from belonging.plots.svg import trend_svg

    frame = table.to_frame()
    svg = trend_svg(frame, x=C.WAVE, group=C.LABEL, order=list(waves), ylabel=ylabel)
    parts = []
    for name in dict.fromkeys(frame[C.LABEL]):
        rows = [i for i in range(len(frame)) if frame[C.LABEL].iloc[i] == name]
        points = ", ".join(f"{table.cell_text(i, C.WAVE)} {_interval(table, i, C.MEAN, C.CI_LOW, C.CI_HIGH, ci_label, C.N)}"
                           for i in rows)
        parts.append(f"{name}: {points}")
    alt = f"{what}. " + "; ".join(parts) + "."
    return _figure(svg, table, (C.LABEL, C.WAVE, C.N, C.MEAN, C.CI_LOW, C.CI_HIGH), alt, caption)
