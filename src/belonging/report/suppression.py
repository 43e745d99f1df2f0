"""Small-cell suppression with complementary suppression for count tables.

A published table of counts with published totals can leak a hidden cell by subtraction: if one
cell of a row is hidden and the row total is shown, the cell equals the total minus the shown cells.
:func:`suppress_counts` therefore hides every cell below the threshold (primary suppression) and
then, wherever a row or column margin has exactly one hidden cell, hides the next smallest cell of
that line too (complementary suppression), repeating until nothing changes.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MIN_CELL", "check_min_cell", "coarsenings", "determined_cells", "protect_breakdowns",
           "protect_relations", "protect_statuses", "protect_table", "suppress_counts", "suppress_small"]

DEFAULT_MIN_CELL = 10


def check_min_cell(min_cell) -> int:
    """Return `min_cell` as an int >= 1, else raise :class:`UsageError`."""
    from belonging.errors import UsageError

    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        msg = f"`min_cell` must be an integer >= 1; got {min_cell!r}"
        raise UsageError(msg)
    return int(min_cell)


def suppress_small(n, min_cell: int = DEFAULT_MIN_CELL):
    """Boolean mask of counts that fall below `min_cell` (missing counts count as suppressed)."""
    import numpy as np

    arr = np.asarray(n, dtype="float64")
    return ~(arr >= min_cell)


def suppress_counts(counts, *, min_cell: int = DEFAULT_MIN_CELL, margins=("rows", "columns"),
                    suppress_zeros: bool = False):
    """Cells of a count table to hide so that no small count can be shown or recovered.

    Parameters
    ----------
    counts : pandas.DataFrame, pandas.Series or array-like (1-D: one column)
        Non-negative counts, one cell per combination (rows x columns). Its row and column totals
        are assumed to be published.
    min_cell : int, default 10
        Counts ``0 < count < min_cell`` are hidden (primary suppression).
    margins : sequence of {"rows", "columns"}
        Which totals are published, hence which lines need complementary suppression. A one-column
        table of group sizes with a published grand total uses ``("columns",)``.
    suppress_zeros : bool, default False
        Also hide zero counts as primary cells (zeros are shown by default: they reveal no person).

    Returns
    -------
    pandas.DataFrame, pandas.Series or numpy.ndarray
        Boolean mask of the same shape and labels as `counts` (True = suppressed).

    Raises
    ------
    UsageError
        Negative or non-finite counts, `min_cell` below 1, unknown `margins`.

    Notes
    -----
    Complementary rule: in every published line (row or column) that holds exactly one suppressed
    cell and at least one other cell, suppress the smallest remaining cell, preferring a non-zero
    one (hiding a zero next to a hidden cell does not stop recovery when zeros are known to be
    shown). The rule is applied to rows and columns in turn until a full pass changes nothing (a
    fixed point; at most ``rows x columns`` passes). Afterwards every published line has either no
    suppressed cell or at least two, so no hidden cell equals a total minus shown cells. This is the
    usual minimum rule for one-way and two-way tables; it does not solve the general (NP-hard)
    optimal secondary suppression problem, and with many tables of shared cells a determined
    attacker could still narrow a value to an interval.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.report import suppress_counts
    >>> sizes = pd.Series({"in_person": 44, "hybrid": 23, "online_sync": 12, "online_async": 6})
    >>> suppress_counts(sizes, margins=("columns",)).tolist()
    [False, False, True, True]
    >>> table = pd.DataFrame({"start": [40, 7, 25], "end": [31, 12, 20]}, index=["in_person", "hybrid", "online"])
    >>> print(suppress_counts(table).to_string())
               start    end
    in_person  False  False
    hybrid      True   True
    online      True   True
    """
    import numpy as np
    import pandas as pd

    from belonging._validation import check_choice
    from belonging.errors import UsageError

    min_cell = check_min_cell(min_cell)
    for m in margins:
        check_choice(m, "margins", ("rows", "columns"))
    is_frame = isinstance(counts, pd.DataFrame)
    x = np.asarray(counts.to_numpy(dtype="float64") if is_frame else counts, dtype="float64")
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        msg = f"`counts` must be a 2-D table; got {x.ndim} dimensions"
        raise UsageError(msg)
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        msg = "`counts` must hold finite non-negative counts"
        raise UsageError(msg)
    primary = (x < min_cell) & ((x > 0) | suppress_zeros)
    mask = _protect(x, primary, row_totals="rows" in margins, column_totals="columns" in margins,
                    margins_published=True)
    if is_frame:
        return pd.DataFrame(mask, index=counts.index, columns=counts.columns)
    if isinstance(counts, pd.Series):
        return pd.Series(mask[:, 0], index=counts.index, name=counts.name)
    return mask if np.ndim(counts) == 2 else mask[:, 0]


def _relations(r: int, c: int, *, row_totals: bool, column_totals: bool):
    """Grid shape and relation matrix of an r x c table with its published margins.

    The grid is the body plus, with `column_totals`, a margin row (column sums) and, with
    `row_totals`, a margin column (row sums; with both, the corner is the grand total). Each relation
    is a row of ``A`` with ``A @ grid.ravel() == 0``: a line's cells minus its total.
    """
    import numpy as np

    R = r + (1 if column_totals else 0)
    K = c + (1 if row_totals else 0)
    rows = []
    if row_totals:
        for i in range(R):
            a = np.zeros((R, K))
            a[i, :c] = 1.0
            a[i, c] = -1.0
            rows.append(a.ravel())
    if column_totals:
        for j in range(K):
            a = np.zeros((R, K))
            a[:r, j] = 1.0
            a[r, j] = -1.0
            rows.append(a.ravel())
    A = np.array(rows) if rows else np.zeros((0, R * K))
    return (R, K), A


def determined_cells(relations, hidden):
    """Which hidden cells follow exactly from the relations and the shown cells.

    Parameters
    ----------
    relations : numpy.ndarray
        Matrix ``A`` (relations x cells) with ``A @ values == 0`` for the true values.
    hidden : numpy.ndarray of bool
        One flag per cell.

    Returns
    -------
    numpy.ndarray of bool
        True for a hidden cell whose value is the same in every solution of the relations that
        agrees with the shown cells: the cell's entries are zero in every null-space vector of
        ``A[:, hidden]`` (computed by SVD).

    Examples
    --------
    Cells a, b with a + b = 10 published, a hidden: a follows; with b hidden too, neither does.

    >>> import numpy as np
    >>> from belonging.report.suppression import determined_cells
    >>> A = np.array([[1.0, 1.0, -1.0]])  # a + b - total == 0
    >>> determined_cells(A, [True, False, False]).tolist()
    [True, False, False]
    >>> determined_cells(A, [True, True, False]).tolist()
    [False, False, False]
    """
    import numpy as np

    hidden = np.asarray(hidden, dtype=bool)
    out = np.zeros(hidden.shape, dtype=bool)
    idx = np.flatnonzero(hidden)
    if idx.size == 0:
        return out
    AH = np.asarray(relations, dtype="float64")[:, idx]
    AH = AH[np.any(AH != 0, axis=1)]
    if AH.shape[0] == 0:
        return out
    _, s, vt = np.linalg.svd(AH, full_matrices=True)
    rank = int((s > 1e-9 * max(AH.shape) * (s[0] if s.size else 0)).sum())
    null = vt[rank:]
    out[idx] = ~np.any(np.abs(null) > 1e-9, axis=0) if null.shape[0] else True
    return out


def _protect(x, primary, *, row_totals: bool, column_totals: bool, margins_published: bool, extra=None):
    """Hidden cells of the grid (body + margins) so that no hidden cell follows exactly.

    `x` is the r x c body. With `margins_published`, margins are always shown and never hidden
    (``suppress_counts``); otherwise margin cells take primary suppression like the body, and the
    margin row may be hidden as a complement (``protect_table``); totals of rows are never chosen as
    complements. Returns the body mask, or with ``margins_published=False`` the whole grid mask.
    """
    import numpy as np

    r, c = x.shape
    (R, K), A = _relations(r, c, row_totals=row_totals, column_totals=column_totals)
    grid = np.zeros((R, K))
    grid[:r, :c] = x
    if column_totals:
        grid[r, :c] = x.sum(axis=0)
    if row_totals:
        grid[:r, c] = x.sum(axis=1)
        if column_totals:
            grid[r, c] = x.sum()
    hid = np.zeros((R, K), dtype=bool)
    hid[:r, :c] = primary
    candidate = np.zeros((R, K), dtype=bool)
    candidate[:r, :c] = True
    if not margins_published:
        hid |= (grid > 0) & (grid < (extra or {}).get("min_cell", np.inf))
        if column_totals:
            candidate[r, :c] = True
            if row_totals:  # the grand total, so a hidden unit total cannot be the total less the shown ones
                candidate[r, c] = True
    if extra is not None and extra.get("primary_grid") is not None:
        hid |= extra["primary_grid"]
    h = protect_relations(grid.ravel(), A, hidden=hid.ravel(), candidate=candidate.ravel())
    hid = h.reshape(R, K)
    return hid[:r, :c] if margins_published else hid


def protect_relations(values, relations, *, hidden, candidate):
    """Hide further cells until no hidden cell follows exactly from `relations` and the shown cells.

    Parameters
    ----------
    values : numpy.ndarray
        Every cell's count (totals included: a published total is a shown cell that is not a
        candidate).
    relations : numpy.ndarray
        Matrix ``A`` (relations x cells) with ``A @ values == 0``.
    hidden : numpy.ndarray of bool
        Cells hidden from the start (primary suppression).
    candidate : numpy.ndarray of bool
        Cells that may be hidden as complements.

    Returns
    -------
    numpy.ndarray of bool
        The hidden cells: `hidden` plus complements. First the line rule (a relation holding exactly
        one hidden cell gets its smallest, preferably non-zero, candidate hidden too), then the audit
        of :func:`determined_cells` until no hidden cell is determined or no candidate is left.

    Examples
    --------
    ``online = sync + async`` and each column's groups add up to the scored total: hiding async
    (4) alone would leave it as ``online - sync``, so sync is hidden too (their sum, online, stays shown).

    >>> import numpy as np
    >>> from belonging.report.suppression import determined_cells, protect_relations
    >>> values = np.array([30, 12, 4, 46, 16, 30, 46])  # in_person, sync, async, total | online yes, no, total
    >>> A = np.array([[1, 1, 1, -1, 0, 0, 0], [0, 0, 0, 0, 1, 1, -1], [0, 1, 1, 0, -1, 0, 0], [0, 0, 0, 1, 0, 0, -1]], float)
    >>> h = protect_relations(values, A, hidden=values < 10, candidate=np.array([1, 1, 1, 0, 1, 1, 0], bool))
    >>> h.astype(int).tolist(), bool(determined_cells(A, h).any())
    ([0, 1, 1, 0, 0, 0, 0], False)
    """
    import numpy as np

    A = np.asarray(relations, dtype="float64")
    values = np.asarray(values, dtype="float64")
    cand = np.asarray(candidate, dtype=bool)
    h = np.asarray(hidden, dtype=bool).copy()
    support = [np.flatnonzero(a) for a in A]

    def pick(cells):
        cells = [k for k in cells if cand[k] and not h[k]]
        if not cells:
            return None
        cells.sort(key=lambda k: (values[k] == 0, values[k], k))  # smallest non-zero first, then zeros
        return cells

    def lines():
        changed = True
        while changed:
            changed = False
            for sup in support:
                if h[sup].sum() == 1 and len(sup) > 2:  # a line of one cell and its total cannot be protected
                    order = pick(sup)
                    if order:
                        h[order[0]] = True
                        changed = True

    lines()
    for _ in range(values.size):
        det = determined_cells(A, h)
        if not det.any():
            break
        near = sorted({k for sup in support if det[sup].any() for k in sup})
        order = pick(near)
        if not order:
            break
        best = order[0]
        for k in order[:8]:  # prefer a cell that frees some determined cell
            h[k] = True
            fewer = determined_cells(A, h).sum() < det.sum()
            h[k] = False
            if fewer:
                best = k
                break
        h[best] = True
        lines()
    return h


def protect_table(body, *, min_cell: int = DEFAULT_MIN_CELL, row_totals: bool = True, primary=None):
    """Hidden cells of a units x categories count table published together with its margins.

    The body rows are units (cohorts), each published in its own report, with their row totals when
    `row_totals`; the margin row (column totals, the institution) is published too. Unlike
    :func:`suppress_counts`, the margins are cells that can be hidden: a margin below `min_cell` is
    hidden, and a margin cell (the grand total included) may be chosen as a complement. Row totals
    are never chosen as complements (they are the units' headline counts).

    Parameters
    ----------
    body : pandas.DataFrame
        Non-negative counts, units x categories.
    min_cell : int, default 10
    row_totals : bool, default True
        Whether each unit's total over the categories is published.
    primary : pandas.DataFrame of bool, optional
        Extra body cells to hide from the start (e.g. a unit that withholds the whole table).

    Returns
    -------
    body_mask : pandas.DataFrame of bool
        Same labels as `body`.
    margin_mask : pandas.Series of bool
        One flag per category (the institution's cell); ``margin_mask.attrs["grand_total_hidden"]``
        says whether the grand total must be withheld too (possible only when a unit's total is
        below `min_cell`).

    Notes
    -----
    Primary suppression of counts ``0 < count < min_cell`` (body and margins), the line rule of
    :func:`suppress_counts` on every published relation, then the exact-recovery audit of
    :func:`determined_cells` until no hidden cell follows from the relations (rows: cells sum to the
    row total; columns: units sum to the margin).

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.report.suppression import protect_table
    >>> body = pd.DataFrame({"online": [40, 4], "in_person": [30, 25]}, index=["A", "B"])
    >>> cells, margin = protect_table(body)
    >>> cells.to_numpy().tolist(), margin.tolist()
    ([[True, True], [True, True]], [False, False])
    """
    import numpy as np
    import pandas as pd

    min_cell = check_min_cell(min_cell)
    x = body.to_numpy(dtype="float64")
    if x.ndim != 2 or not np.all(np.isfinite(x)) or np.any(x < 0):
        from belonging.errors import UsageError

        msg = "`body` must be a 2-D table of finite non-negative counts"
        raise UsageError(msg)
    r, c = x.shape
    prim = (x > 0) & (x < min_cell)
    if primary is not None:
        prim = prim | np.asarray(primary, dtype=bool)
    hid = _protect(x, prim, row_totals=row_totals, column_totals=True, margins_published=False,
                   extra={"min_cell": min_cell})
    margin = pd.Series(hid[r, :c], index=body.columns)
    # the grand total can be needed as a complement when a unit's own total is below min_cell (the caller
    # then must not publish it, or must leave that unit out of it, as the report's institution figures do)
    margin.attrs["grand_total_hidden"] = bool(row_totals and hid[r, c])
    return pd.DataFrame(hid[:r, :c], index=body.index, columns=body.columns), margin


def coarsenings(frame, columns) -> list:
    """Pairs of columns where one groups the levels of the other: ``[(fine, coarse, {fine level: coarse level})]``.

    `coarse` is a coarsening of `fine` when every level of `fine` occurs with one level of `coarse`
    only (``online`` of ``mode``). Their counts are then linked: each coarse count is the sum of the
    fine counts it groups, which a reader can use to work out a withheld count.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.report.suppression import coarsenings
    >>> df = pd.DataFrame({"mode": ["sync", "async", "hybrid", "sync"], "online": ["yes", "yes", "no", "yes"],
    ...                    "gen": ["a", "b", "a", "b"]})
    >>> coarsenings(df, ["mode", "online", "gen"])
    [('mode', 'online', {'async': 'yes', 'hybrid': 'no', 'sync': 'yes'})]
    """
    out = []
    for fine in columns:
        for coarse in columns:
            if fine == coarse or frame[coarse].nunique() >= frame[fine].nunique():
                continue
            pairs = frame[[fine, coarse]].drop_duplicates()
            if pairs[fine].is_unique:
                out.append((fine, coarse, dict(sorted(zip(pairs[fine], pairs[coarse]), key=lambda kv: str(kv[0])))))
    return out


def protect_breakdowns(tables: dict, links, *, min_cell: int = DEFAULT_MIN_CELL) -> dict:
    """Protect several breakdowns of the same people together: units x levels per column, one system.

    Parameters
    ----------
    tables : dict
        Column -> DataFrame of counts (units x levels of that column; every table has the same units,
        whose totals over the levels are the same published count).
    links : list
        From :func:`coarsenings`: ``(fine, coarse, mapping)``; each coarse count (of a unit, and of the
        margin) is the sum of the fine counts mapped to it.
    min_cell : int

    Returns
    -------
    dict
        Column -> ``(body_mask, margin_mask)`` as :func:`protect_table` returns them. Cells
        ``0 < n < min_cell`` (units' and margins') are hidden, then further cells until no hidden cell
        follows exactly from every relation at once (each unit's levels sum to its total for every
        column, the margin is the sum of the units, the links).

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.report.suppression import coarsenings, protect_breakdowns
    >>> mode = pd.DataFrame({"hybrid": [30, 25], "sync": [12, 20], "async": [4, 15]}, index=["A", "B"])
    >>> online = pd.DataFrame({"no": [30, 25], "yes": [16, 35]}, index=["A", "B"])
    >>> masks = protect_breakdowns({"mode": mode, "online": online}, [("mode", "online", {"hybrid": "no", "sync": "yes", "async": "yes"})])
    >>> masks["mode"][0].loc["A"].tolist()  # async alone would be online yes less sync
    [False, True, True]
    """
    import numpy as np
    import pandas as pd

    min_cell = check_min_cell(min_cell)
    units = list(next(iter(tables.values())).index)
    index, values, cand = {}, [], []

    def cell(key, value, candidate):
        index[key] = len(values)
        values.append(float(value))
        cand.append(candidate)

    first = next(iter(tables.values()))
    for u in units:
        cell(("total", u), first.loc[u].sum(), False)
    cell(("grand",), first.to_numpy().sum(), False)
    for col, t in tables.items():
        for u in units:
            for lv in t.columns:
                cell((col, u, lv), t.loc[u, lv], True)
        for lv in t.columns:
            cell((col, None, lv), t[lv].sum(), True)
    rows = []

    def relation(plus, minus):
        r = np.zeros(len(values))
        r[[index[k] for k in plus]] = 1.0
        r[[index[k] for k in minus]] -= 1.0
        rows.append(r)

    for col, t in tables.items():
        for u in [*units, None]:
            relation([(col, u, lv) for lv in t.columns], [("total", u) if u is not None else ("grand",)])
        for lv in t.columns:
            relation([(col, u, lv) for u in units], [(col, None, lv)])
    for fine, coarse, mapping in links:
        for u in [*units, None]:
            for lv in tables[coarse].columns:
                parts = [(fine, u, f) for f, c in mapping.items() if c == lv and f in tables[fine].columns]
                relation(parts, [(coarse, u, lv)])
    values = np.array(values)
    hidden = (values > 0) & (values < min_cell) & np.array(cand)
    h = protect_relations(values, np.array(rows), hidden=hidden, candidate=np.array(cand))
    out = {}
    for col, t in tables.items():
        body = pd.DataFrame([[bool(h[index[(col, u, lv)]]) for lv in t.columns] for u in units], index=t.index, columns=t.columns)
        margin = pd.Series([bool(h[index[(col, None, lv)]]) for lv in t.columns], index=t.columns)
        margin.attrs["grand_total_hidden"] = False
        out[col] = (body, margin)
    return out


def protect_statuses(statuses, scored, unscored, *, min_cell: int = DEFAULT_MIN_CELL):
    """Protect the data-quality statuses together with the headline counts (responses and scored).

    Parameters
    ----------
    statuses : pandas.DataFrame
        Units x statuses (``kept``, ``flagged``, ``excluded``) counts; a unit's responses are their sum.
    scored, unscored : pandas.Series
        Per unit: responses with a score, and responses neither excluded nor scored. A reader is
        assumed to know `unscored` (often zero), so responses less scored gives the excluded count.

    Returns
    -------
    body_mask : pandas.DataFrame of bool
        Status cells to withhold (units x statuses).
    margin_mask : pandas.Series of bool
        The overview's status cells to withhold.
    responses_mask : dict
        Unit -> whether its count of responses must be withheld (key ``None``: the overview); scored
        counts are always shown.

    Notes
    -----
    One system per wave: for every unit and the overview, statuses sum to the responses and
    ``responses - scored - excluded - unscored = 0``; the overview's cells are the sums of the units'.
    Cells ``0 < n < min_cell`` are withheld, then :func:`protect_relations` withholds more (a status,
    or a count of responses) until no withheld count follows exactly.

    Examples
    --------
    Responses 243 and 240 scored, every response scored unless excluded: the 3 excluded would be
    243 - 240, so the count of responses is withheld with them.

    >>> import pandas as pd
    >>> from belonging.report.suppression import protect_statuses
    >>> st = pd.DataFrame({"kept": [220, 300], "flagged": [20, 30], "excluded": [3, 12]}, index=["A", "B"])
    >>> cells, margin, responses = protect_statuses(st, pd.Series([240, 330], index=["A", "B"]), pd.Series([0, 0], index=["A", "B"]))
    >>> bool(cells.loc["A", "excluded"]), bool(responses["A"])
    (True, True)
    """
    import numpy as np
    import pandas as pd

    min_cell = check_min_cell(min_cell)
    units = list(statuses.index)
    cols = list(statuses.columns)
    index, values, cand = {}, [], []

    def cell(key, value, candidate):
        index[key] = len(values)
        values.append(float(value))
        cand.append(candidate)

    for u in [*units, None]:
        body = statuses.loc[u] if u is not None else statuses.sum(axis=0)
        for c in cols:
            cell((u, c), body[c], True)
        cell((u, "responses"), body.sum(), True)
        cell((u, "scored"), scored[u] if u is not None else scored.sum(), False)
        cell((u, "unscored"), unscored[u] if u is not None else unscored.sum(), False)
    rows = []

    def relation(terms):
        r = np.zeros(len(values))
        for coef, key in terms:
            r[index[key]] += coef
        rows.append(r)

    for u in [*units, None]:
        relation([(1.0, (u, c)) for c in cols] + [(-1.0, (u, "responses"))])
        relation([(1.0, (u, "responses")), (-1.0, (u, "scored")), (-1.0, (u, "excluded")), (-1.0, (u, "unscored"))])
    for name in [*cols, "responses", "scored", "unscored"]:
        relation([(1.0, (u, name)) for u in units] + [(-1.0, (None, name))])
    values = np.array(values)
    cand = np.array(cand)
    hidden = (values > 0) & (values < min_cell) & cand
    h = protect_relations(values, np.array(rows), hidden=hidden, candidate=cand)
    body = pd.DataFrame([[bool(h[index[(u, c)]]) for c in cols] for u in units], index=statuses.index, columns=cols)
    margin = pd.Series([bool(h[index[(None, c)]]) for c in cols], index=cols)
    responses = {u: bool(h[index[(u, "responses")]]) for u in [*units, None]}
    return body, margin, responses
