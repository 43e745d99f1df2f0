"""The charts of :mod:`belonging.plots` as SVG text, for reports (HTML inline, PDF via Typst).

The matplotlib functions of :mod:`belonging.plots` draw on an ``ax`` for notebooks; these draw the
same charts, in the same house style, straight to SVG: vector, small, with every label kept as text,
and in about a millisecond (a matplotlib figure takes 40-170 ms, which a report of 200 cohorts with
eight charts each cannot afford). Each function takes the tidy table the chart shows and returns the
SVG document as a string; the report pairs it with a text alternative and that table.

Colour is never the only carrier: values are written beside every mark, suppressed rows say so in
words, the highlighted and below-threshold marks have a text mark as well, and lines of a trend chart
differ in marker shape and carry their name at the end.
"""

from __future__ import annotations

import math

from belonging import _columns as C
from belonging.plots._canvas import MUTED, RULE, Canvas, fmt_tick, nice_ticks, text_width
from belonging.plots.style import OKABE_ITO, SUPPRESSED, contrast_ratio, diverging, text_colour

__all__ = ["forest_svg", "group_means_svg", "item_analysis_svg", "likert_svg", "trend_svg"]

WIDTH = 640.0
ROW = 24.0
FONT = 11.0
SMALL = 10.0


def _label_width(labels, *, cap=0.42) -> float:
    widest = max((text_width(s, FONT) for s in labels), default=0.0)
    return min(widest + 14.0, cap * WIDTH)


def _clip(text: str, width: float) -> str:
    """`text` cut with an ellipsis to fit `width` (the full text is in the table and alt text)."""
    if text_width(text, FONT) <= width:
        return text
    while text and text_width(text + "\u2026", FONT) > width:
        text = text[:-1]
    return text + "\u2026"


class _Axis:
    """A linear x scale from data to pixels."""

    def __init__(self, lo, hi, x0, x1, *, ticks=None):
        self.ticks = ticks if ticks is not None else nice_ticks(lo, hi)
        self.lo, self.hi = min(self.ticks[0], lo), max(self.ticks[-1], hi)
        self.x0, self.x1 = x0, x1

    def __call__(self, v: float) -> float:
        return self.x0 + (v - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)

    def draw(self, c: Canvas, y: float, label: str, *, percent=False) -> None:
        c.line(self.x0, y, self.x1, y, stroke=RULE)
        for t in self.ticks:
            x = self(t)
            c.line(x, y, x, y + 4, stroke=RULE)
            c.text(x, y + 13, f"{fmt_tick(abs(t) if percent else t)}{'%' if percent else ''}", anchor="middle", size=SMALL, fill=MUTED)
        c.text((self.x0 + self.x1) / 2, y + 30, label, anchor="middle")


def _finite(*values) -> bool:
    return all(v is not None and isinstance(v, int | float) and math.isfinite(v) for v in values)


def _interval_rows(c, axis, rows, top, *, colour, marker, digits):
    """Whisker, mark and value per row; a row without an estimate says 'suppressed'."""
    for i, (label, est, lo, hi, is_highlight) in enumerate(rows):
        y = top + (i + 0.5) * ROW
        c.text(axis.x0 - 10, y, label, anchor="end", bold=is_highlight)
        if not _finite(est):
            c.text((axis.x0 + axis.x1) / 2, y, "suppressed (small numbers)", anchor="middle", size=SMALL, fill=MUTED, italic=True)
            continue
        col = OKABE_ITO[5] if is_highlight else colour
        if _finite(lo, hi):
            c.line(axis(lo), y, axis(hi), y, stroke=col, width=2.0)
        if marker == "square":
            c.rect(axis(est) - 4.5, y - 4.5, 9, 9, fill=col)
        else:
            c.circle(axis(est), y, 4.5, fill=col)
        right = axis(hi) if _finite(hi) else axis(est)
        c.text(right + 6, y, f"{est:.{digits}f}", size=SMALL, fill=MUTED)


def group_means_svg(table, *, group=C.GROUP, estimate=C.MEAN, low=C.CI_LOW, high=C.CI_HIGH, n=C.N,
                    reference=None, reference_label="Reference", xlabel=None, highlight=None) -> str:
    """Dot-and-whisker chart of group means with their intervals, as SVG (see :func:`plot_group_means`).

    A row whose estimate is missing (suppressed) is listed with the words "suppressed (small
    numbers)" and no mark; a highlighted group is drawn in a contrasting colour and in bold.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.plots.svg import group_means_svg
    >>> table = pd.DataFrame({"group": ["in_person", "online"], "mean": [49.2, None], "ci_low": [48.5, None], "ci_high": [49.9, None], "n": [813, None]})
    >>> svg = group_means_svg(table, reference=47.2, reference_label="all", xlabel="CCS total")
    >>> svg.startswith("<svg"), "in_person (n=813)" in svg, "suppressed (small numbers)" in svg
    (True, True, True)
    """
    rows = table.reset_index(drop=True)
    names = [str(g) for g in rows[group]]
    if n in rows.columns:
        names = [f"{g} (n={int(k)})" if _finite(k) else f"{g} (n suppressed)" for g, k in zip(names, rows[n].astype("float64"))]
    data = [(nm, float(e), float(lo), float(hi), highlight is not None and g == highlight)
            for nm, g, e, lo, hi in zip(names, rows[group], rows[estimate].astype("float64"), rows[low].astype("float64"),
                                        rows[high].astype("float64"))]
    vals = [v for _, e, lo, hi, _ in data for v in (e, lo, hi) if _finite(v)]
    if reference is not None and _finite(reference):
        vals.append(float(reference))
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    left = _label_width(names)
    top = 22.0 if reference is not None else 6.0
    c = Canvas(WIDTH, top + ROW * max(len(data), 1) + 44, font_size=FONT)
    axis = _Axis(lo, hi, left, WIDTH - 44)
    if reference is not None and _finite(reference):
        x = axis(reference)
        c.line(x, top - 4, x, top + ROW * len(data), stroke="#333333", dash="4 3")
        c.text(min(x, WIDTH - 16 - text_width(f"dashed line: {reference_label}", SMALL)), 9, f"dashed line: {reference_label}", size=SMALL, fill=MUTED)
    _interval_rows(c, axis, [(_clip(nm, left - 14), e, lo_, hi_, h) for nm, e, lo_, hi_, h in data], top,
                   colour=OKABE_ITO[0], marker="circle", digits=2)
    axis.draw(c, top + ROW * len(data) + 4, xlabel or estimate)
    return c.svg()


def forest_svg(pairwise, *, estimate=C.HEDGES_G, low=C.G_CI_LOW, high=C.G_CI_HIGH, group_a=C.GROUP_A,
               group_b=C.GROUP_B, xlabel="Hedges' g (group A \u2212 group B)") -> str:
    """Forest plot of pairwise effect sizes with intervals, zero marked, |g| < 0.2 shaded, as SVG.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.plots.svg import forest_svg
    >>> pairs = pd.DataFrame({"group_a": ["in_person"], "group_b": ["online"], "hedges_g": [0.39], "g_ci_low": [0.19], "g_ci_high": [0.58]})
    >>> svg = forest_svg(pairs)
    >>> "in_person vs online" in svg, "0.39" in svg
    (True, True)
    """
    rows = pairwise.reset_index(drop=True)
    names = [f"{a} vs {b}" for a, b in zip(rows[group_a], rows[group_b])]
    data = [(nm, float(e), float(lo), float(hi), False) for nm, e, lo, hi in
            zip(names, rows[estimate].astype("float64"), rows[low].astype("float64"), rows[high].astype("float64"))]
    ext = max([abs(v) for _, e, lo, hi, _ in data for v in (e, lo, hi) if _finite(v)] + [0.5])
    left = _label_width(names)
    c = Canvas(WIDTH, 6 + ROW * max(len(data), 1) + 44, font_size=FONT)
    axis = _Axis(-ext, ext, left, WIDTH - 44)
    bottom = 6 + ROW * len(data)
    c.rect(axis(-0.2), 6, axis(0.2) - axis(-0.2), bottom - 6, fill="#eeeeee")
    c.line(axis(0.0), 6, axis(0.0), bottom, stroke="#333333")
    _interval_rows(c, axis, [(_clip(nm, left - 14), e, lo, hi, h) for nm, e, lo, hi, h in data], 6,
                   colour=OKABE_ITO[0], marker="square", digits=2)
    axis.draw(c, bottom + 4, xlabel)
    return c.svg()


def item_analysis_svg(items, *, value=C.ITEM_REST_R, item=C.ITEM, labels=None, threshold=0.3) -> str:
    """Bars of each item's item-rest correlation, a dashed guide at `threshold`, as SVG.

    Items below the threshold are drawn in a contrasting colour and their value is followed by
    "below 0.3" in words.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.plots.svg import item_analysis_svg
    >>> svg = item_analysis_svg(pd.DataFrame({"item": ["q1", "q2"], "item_rest_r": [0.52, 0.21]}))
    >>> "0.52" in svg, "0.21 (below 0.3)" in svg
    (True, True)
    """
    rows = items.reset_index(drop=True)
    labels = dict(labels or {})
    names = [str(labels.get(i, i)) for i in rows[item]]
    if C.REVERSED in rows.columns:
        names = [f"{nm} (R)" if r else nm for nm, r in zip(names, rows[C.REVERSED].astype(bool))]
    vals = rows[value].astype("float64").tolist()
    left = _label_width(names)
    low = min([0.0] + [v for v in vals if _finite(v)])
    c = Canvas(WIDTH, 6 + ROW * max(len(vals), 1) + 44, font_size=FONT)
    axis = _Axis(low, 1.0, left, WIDTH - 96, ticks=nice_ticks(low, 1.0))
    bottom = 6 + ROW * len(vals)
    for i, (nm, v) in enumerate(zip(names, vals)):
        y = 6 + (i + 0.5) * ROW
        c.text(left - 10, y, _clip(nm, left - 14), anchor="end")
        if not _finite(v):
            c.text(axis(0.0) + 6, y, "not computed", size=SMALL, fill=MUTED, italic=True)
            continue
        below = threshold is not None and v < threshold
        x0, x1 = sorted((axis(0.0), axis(v)))
        c.rect(x0, y - 8, x1 - x0, 16, fill=OKABE_ITO[5] if below else OKABE_ITO[0])
        c.text(max(x1, axis(0.0)) + 6, y, f"{v:.2f}" + (f" (below {threshold:g})" if below else ""), size=SMALL, fill=MUTED)
    c.line(axis(0.0), 6, axis(0.0), bottom, stroke="#333333")
    if threshold is not None:
        c.line(axis(threshold), 6, axis(threshold), bottom, stroke="#333333", dash="4 3")
    axis.draw(c, bottom + 4, "Item-rest correlation" if value == C.ITEM_REST_R else value)
    return c.svg()


def likert_svg(counts, *, levels, labels=None, item_labels=None, label_min=7.0) -> str:
    """Diverging stacked bars of answer percentages per item, neutral centred, as SVG.

    Same input and layout as :func:`plot_likert`; percentages of at least `label_min` are written in
    their segment, a legend names every level, and a suppressed item is a dashed outline with the
    words "suppressed (small numbers)".

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.plots import likert_counts
    >>> from belonging.plots.svg import likert_svg
    >>> counts = likert_counts(pd.DataFrame({"q1": [0, 1, 3, 3, 4], "q2": [4, 4, 3, 2, 2]}), levels=range(5))
    >>> svg = likert_svg(counts, levels=range(5), labels=["SD", "D", "N", "A", "SA"])
    >>> "40%" in svg, ">SA<" in svg
    (True, True)
    """
    from belonging.plots.likert import likert_rows

    levels = [int(v) for v in levels]
    k = len(levels)
    colours = diverging(k)
    labels = [str(v) for v in (labels if labels is not None else levels)]
    item_labels = dict(item_labels or {})
    keys, pct, suppressed, start = likert_rows(counts, levels=levels)
    names = [f"{item_labels.get(key[1], key[1])} \u2014 {key[0]}" if isinstance(key, tuple) else str(item_labels.get(key, key))
             for key in keys]
    left = _label_width(names, cap=0.45)
    legend_rows = _legend_layout(labels, WIDTH - 20)
    height = 6 + ROW * max(len(keys), 1) + 44 + 18 * len(legend_rows)
    c = Canvas(WIDTH, height, font_size=FONT)
    ext = max([50.0] + [max(s, 100 - s) for s, h in zip(start, suppressed) if not h and math.isfinite(s)])
    ext = min(100.0, math.ceil(ext / 10.0) * 10.0)
    step = 25.0 if ext > 50 else 10.0
    m = int(ext // step)
    ticks = [i * step for i in range(-m, m + 1)]
    axis = _Axis(-ext, ext, left, WIDTH - 16, ticks=ticks)
    for i, (nm, row, hidden, s) in enumerate(zip(names, pct, suppressed, start)):
        y = 6 + (i + 0.5) * ROW
        c.text(left - 10, y, _clip(nm, left - 14), anchor="end")
        if hidden:
            c.rect(axis(-50), y - 8, axis(50) - axis(-50), 16, fill=SUPPRESSED, stroke="#6e7781", dash="3 2")
            c.text(axis(0.0), y, "suppressed (small numbers)", anchor="middle", size=SMALL, italic=True)
            continue
        x = -s
        for j in range(k):
            w = float(row[j]) if math.isfinite(row[j]) else 0.0
            if w > 0:
                c.rect(axis(x), y - 9, axis(x + w) - axis(x), 18, fill=colours[j], stroke="#ffffff", stroke_width=0.75)
                if w >= label_min:
                    c.text(axis(x + w / 2), y, f"{w:.0f}%", anchor="middle", size=SMALL, fill=text_colour(colours[j]))
            x += w
    bottom = 6 + ROW * len(keys)
    c.line(axis(0.0), 4, axis(0.0), bottom, stroke="#333333")
    axis.draw(c, bottom + 4, "Share of answers (disagree \u2190 | \u2192 agree)", percent=True)
    _legend(c, legend_rows, colours, bottom + 48)
    return c.svg()


def _legend_layout(labels, width):
    """Legend entries (index, label, x offset) wrapped into rows that fit `width`."""
    rows, row, x = [], [], 0.0
    for j, lab in enumerate(labels):
        w = 16 + text_width(lab, SMALL) + 14
        if row and x + w > width:
            rows.append(row)
            row, x = [], 0.0
        row.append((j, lab, x))
        x += w
    if row:
        rows.append(row)
    return rows


def _legend(c, rows, colours, top):
    for r, row in enumerate(rows):
        y = top + 18 * r
        total = row[-1][2] + 16 + text_width(row[-1][1], SMALL)
        x0 = (c.width - total) / 2
        for j, lab, x in row:
            c.rect(x0 + x, y - 6, 12, 12, fill=colours[j], stroke="#6e7781", stroke_width=0.5)
            c.text(x0 + x + 16, y, lab, size=SMALL)


_MARKERS = ("circle", "diamond", "square")


def trend_svg(table, *, x=C.WAVE, estimate=C.MEAN, low=C.CI_LOW, high=C.CI_HIGH, group=None, order=None,
              ylabel=None) -> str:
    """Lines of an estimate across waves with interval bands, one per group, as SVG.

    Groups differ in colour and in marker shape, and each line is named at its last point.
    Missing estimates (suppressed waves) break the line.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.plots.svg import trend_svg
    >>> t = pd.DataFrame({"wave": ["2024", "2025"], "mean": [41.0, 43.5], "ci_low": [39.0, 41.0], "ci_high": [43.0, 46.0]})
    >>> svg = trend_svg(t, order=["2024", "2025"], ylabel="CCS")
    >>> "43.5" in svg, ">2024<" in svg
    (True, True)
    """
    waves = list(order) if order is not None else sorted(table[x].dropna().unique(), key=str)
    pos = {str(w): i for i, w in enumerate(waves)}
    parts = [(None, table)] if group is None else list(table.groupby(group, sort=False))
    vals = [float(v) for col in (estimate, low, high) for v in table[col].astype("float64") if math.isfinite(v)]
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    names = [str(nm) for nm, _ in parts if nm is not None]
    right = max([text_width(nm, SMALL) for nm in names] + [30.0]) + 24
    top, plot_h = 26.0, 150.0
    c = Canvas(WIDTH, top + plot_h + 50, font_size=FONT)
    ticks = nice_ticks(lo, hi, target=4)
    y_lo, y_hi = min(ticks[0], lo), max(ticks[-1], hi)
    x0, x1 = 64.0, WIDTH - right

    def px(i):
        return x0 + (x1 - x0) * ((i + 0.5) / max(len(waves), 1))

    def py(v):
        return top + plot_h - (v - y_lo) / (y_hi - y_lo) * plot_h

    for t in ticks:
        c.line(x0, py(t), x1, py(t), stroke="#e1e4e8", width=0.8)
        c.text(x0 - 6, py(t), fmt_tick(t), anchor="end", size=SMALL, fill=MUTED)
    for i, w in enumerate(waves):
        c.text(px(i), top + plot_h + 14, str(w), anchor="middle", size=SMALL, fill=MUTED)
    c.text(8, 10, ylabel or estimate, size=SMALL, fill=MUTED)
    c.line(x0, top + plot_h, x1, top + plot_h, stroke=RULE)
    c.text((x0 + x1) / 2, top + plot_h + 34, str(x), anchor="middle")
    ends = []
    for g, (name, sub) in enumerate(parts):
        colour = OKABE_ITO[g % len(OKABE_ITO)]
        pts = sorted((pos[str(w)], float(e), float(a), float(b)) for w, e, a, b in
                     zip(sub[x], sub[estimate].astype("float64"), sub[low].astype("float64"), sub[high].astype("float64"))
                     if str(w) in pos and math.isfinite(e))
        for run in _runs(pts):
            if len(run) > 1 and all(_finite(a, b) for _, _, a, b in run):
                band = [(px(i), py(b)) for i, _, _, b in run] + [(px(i), py(a)) for i, _, a, _ in reversed(run)]
                c.polygon(band, fill=colour, opacity=0.15)
            c.polyline([(px(i), py(e)) for i, e, _, _ in run], stroke=colour)
        for i, e, _, _ in pts:
            _marker(c, _MARKERS[g % len(_MARKERS)], px(i), py(e), colour)
            c.text(px(i) - 8, py(e) + (-10 if g % 2 == 0 else 11), f"{e:.1f}", anchor="end", size=SMALL, fill=MUTED)
        if name is not None and pts:
            ends.append([py(pts[-1][1]), px(pts[-1][0]) + 12, str(name), colour])
    ends.sort()
    for a, b in zip(ends, ends[1:]):  # keep line names 13 px apart
        b[0] = max(b[0], a[0] + 13)
    for y, xx, name, colour in ends:
        c.text(xx, y, name, size=SMALL, fill=colour if contrast_ratio(colour, "#ffffff") >= 4.5 else "#1f2328")
    return c.svg()


def _runs(pts):
    """Consecutive waves of a line (a missing wave breaks it)."""
    runs, cur = [], []
    for p in pts:
        if cur and p[0] != cur[-1][0] + 1:
            runs.append(cur)
            cur = []
        cur.append(p)
    return runs + ([cur] if cur else [])


def _marker(c, shape, x, y, colour):
    if shape == "diamond":
        c.diamond(x, y, 6, fill=colour)
    elif shape == "square":
        c.rect(x - 4.5, y - 4.5, 9, 9, fill=colour)
    else:
        c.circle(x, y, 4.5, fill=colour)

