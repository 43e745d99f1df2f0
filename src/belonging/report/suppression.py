"""Small-cell suppression with complementary suppression for count tables.

A published table of counts with published totals can leak a hidden cell by subtraction: if one
cell of a row is hidden and the row total is shown, the cell equals the total minus the shown cells.
:func:`suppress_counts` therefore hides every cell below the threshold (primary suppression) and
then, wherever a row or column margin has exactly one hidden cell, hides the next smallest cell of
that line too (complementary suppression), repeating until nothing changes.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MIN_CELL", "check_min_cell", "suppress_counts", "suppress_small"]

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
    mask = (x < min_cell) & ((x > 0) | suppress_zeros)
    lines = []
    if "rows" in margins:
        lines.append(0)
    if "columns" in margins:
        lines.append(1)
    changed = True
    while changed:
        changed = False
        for axis in lines:
            m = mask if axis == 0 else mask.T
            v = x if axis == 0 else x.T
            lonely = np.flatnonzero((m.sum(axis=1) == 1) & (m.shape[1] > 1))
            for i in lonely:
                free = np.flatnonzero(~m[i])
                if free.size == 0:
                    continue
                # smallest non-zero first, then zeros; ties go to the first cell
                key = np.where(v[i, free] > 0, v[i, free], np.inf)
                j = free[np.argmin(key)] if np.isfinite(key).any() else free[0]
                m[i, j] = True
                changed = True
    if is_frame:
        return pd.DataFrame(mask, index=counts.index, columns=counts.columns)
    if isinstance(counts, pd.Series):
        return pd.Series(mask[:, 0], index=counts.index, name=counts.name)
    return mask if np.ndim(counts) == 2 else mask[:, 0]
