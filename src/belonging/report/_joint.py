"""Which rows every institution figure covers, and which breakdown cells are withheld jointly.

:func:`published_rows` marks the rows of published cohort x wave cells; :func:`joint_hidden` protects
the breakdowns that the overview and the cohort reports of its wave publish together (see
:mod:`belonging.report.suppression` and docs/methods.md, Privacy).
"""

from __future__ import annotations

from belonging import _columns as C

__all__ = ["joint_hidden", "published_rows"]


def published_rows(af, total, min_cell):
    """Rows in published cohort x wave cells (see :attr:`ReportContext.published`)."""
    import numpy as np
    import pandas as pd

    f = af.frame
    by = f[af.by].to_numpy(dtype=object)
    if af.wave is None:
        wave = np.zeros(len(f), dtype="int64")
        rank = wave
    else:
        pos = {str(w): i for i, w in enumerate(af.waves)}
        wave = f[af.wave].to_numpy(dtype=object)
        rank = pd.Series(wave).map(lambda w: pos.get(str(w), -1)).to_numpy(dtype="int64")
    scored = f[total].notna().to_numpy()
    key = pd.DataFrame({"c": by, "r": rank, "s": scored})
    cell_n = key.groupby(["c", "r"])["s"].transform("sum").to_numpy()
    latest = key.groupby("c")["r"].transform("max").to_numpy()
    latest_n = pd.Series(np.where(rank == latest, scored, False)).groupby(by).transform("sum").to_numpy()
    return (cell_n >= min_cell) & (latest_n >= min_cell) & (rank >= 0)


def joint_hidden(af, published, instrument, min_cell) -> dict:
    """Cells hidden jointly across the cohorts of the latest published wave and the overview.

    The overview publishes, for its wave, institution-wide breakdowns (groups of each
    ``compare_by`` column, answers per item, statuses, reasons, complete answers per scale) that are
    the sums of the cohorts' own breakdowns. Each becomes one cohorts x categories table with the
    institution as its margin row, protected by :func:`~belonging.report.suppression.protect_table`
    so that no hidden cell of any cohort, nor of the overview, follows from everything published.

    Returns
    -------
    dict
        ``("group", col, wave)``, ``("status", wave)``, ``("reasons", wave)``, ``("reliability", wave)``
        and ``("items", wave, item)`` -> ``{"cohorts": DataFrame, "institution": Series}`` of hidden
        flags; ``("items_collapsed", wave)`` -> bool (answers grouped into disagree / neutral / agree).
    """
    import numpy as np
    import pandas as pd

    from belonging.report.suppression import (
        coarsenings,
        protect_breakdowns,
        protect_statuses,
        protect_table,
    )

    f = af.frame[published]
    total = instrument.id
    if not len(f):
        return {}
    w = None
    if af.wave is not None:
        present = [x for x in af.waves if (f[af.wave] == x).any()]
        w = present[-1]
        f = f[f[af.wave] == w]
    by = af.by
    out = {}

    def put(key, body, **kw):
        cells, margin = protect_table(body.astype("float64"), min_cell=min_cell, **kw)
        out[key] = {"cohorts": cells, "institution": margin}

    scored = f[f[total].notna()]
    tabs = {}
    for col in af.compare_by:
        levels = sorted(set(f[col].unique()), key=str)
        tabs[col] = scored.groupby([by, col]).size().unstack(fill_value=0).reindex(columns=levels, fill_value=0)
    links = coarsenings(f, list(af.compare_by))  # a column grouping another's levels: protect them together
    linked = {c for fine, coarse, _ in links for c in (fine, coarse)}
    units = sorted(set(scored[by]), key=str)
    if linked:
        joint = protect_breakdowns({c: tabs[c].reindex(units, fill_value=0).astype("float64") for c in af.compare_by if c in linked},
                                   links, min_cell=min_cell)
        for col, (cells, margin) in joint.items():
            out[("group", col, w)] = {"cohorts": cells, "institution": margin}
    for col in af.compare_by:
        if col not in linked:
            put(("group", col, w), tabs[col])
    statuses = [C.KEPT, C.FLAGGED, C.EXCLUDED]
    st_tab = f.groupby(by)[C.STATUS].value_counts().unstack(fill_value=0).reindex(columns=statuses, fill_value=0)
    has_score = f[total].notna()
    n_scored = has_score.groupby(f[by]).sum().reindex(st_tab.index, fill_value=0)
    n_unscored = (~has_score & (f[C.STATUS] != C.EXCLUDED)).groupby(f[by]).sum().reindex(st_tab.index, fill_value=0)
    cells, margin, responses = protect_statuses(st_tab.astype("float64"), n_scored, n_unscored, min_cell=min_cell)
    # with the statuses: the units whose count of responses is withheld too (None: the overview)
    out[("status", w)] = {"cohorts": cells, "institution": margin, "responses": {k: bool(v) for k, v in responses.items()}}
    reasons = f[C.REASONS].astype(str).str.split(";").explode().str.strip()
    reasons = reasons[reasons != ""]
    if len(reasons):
        rt = pd.crosstab(f.loc[reasons.index, by].to_numpy(), reasons.to_numpy())
        put(("reasons", w), rt, row_totals=False)
    used = f[f[C.STATUS] != C.EXCLUDED]
    scales = {sc: list(items) for sc, items in instrument.scales().items()}
    complete = pd.DataFrame({sc: used[items].notna().all(axis=1).to_numpy() for sc, items in scales.items()})
    ncomp = complete.groupby(used[by].to_numpy()).sum()
    k = len(instrument.item_ids)
    not_reported = (ncomp[total] <= k) | (ncomp[total] < min_cell)
    prim = pd.DataFrame(np.repeat(not_reported.to_numpy()[:, None], ncomp.shape[1], axis=1), index=ncomp.index, columns=ncomp.columns)
    put(("reliability", w), ncomp, row_totals=False, primary=prim)
    levels = list(instrument.response_scale.codes())
    mid = instrument.response_scale.midpoint
    coarse = np.where(np.asarray(levels) < mid, 0, np.where(np.asarray(levels) > mid, 2, 1))
    items = {}
    for item in instrument.item_ids:
        items[item] = used.groupby(by)[item].value_counts().unstack(fill_value=0).reindex(columns=levels, fill_value=0)
    fine = {item: protect_table(t.astype("float64"), min_cell=min_cell) for item, t in items.items()}
    collapsed = any(c.to_numpy().any() or m.to_numpy().any() for c, m in fine.values()) and len(levels) > 3
    out[("items_collapsed", w)] = bool(collapsed)
    for item, t in items.items():
        if collapsed:
            keep = sorted(set(coarse.tolist()))
            t = pd.DataFrame({g: t.loc[:, np.asarray(levels)[coarse == g]].sum(axis=1) for g in keep})
            put(("items", w, item), t)
        else:
            out[("items", w, item)] = {"cohorts": fine[item][0], "institution": fine[item][1]}
    return out
