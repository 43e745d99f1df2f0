"""The data of the report section "How participation relates to belonging", small cells suppressed.

The report builds its sections from tables like this one (results first, rendering later): one row
per measured feature with the association of belonging with it, every statistic computed from fewer
than `min_cell` responses blanked and marked, as in every other section.
"""

from __future__ import annotations

import pandas as pd

from belonging import _columns as C

__all__ = ["MODEL_FEATURES", "SECTION_TITLE", "participation_section"]

#: Title of the report section.
SECTION_TITLE = "How participation relates to belonging"

#: Features entered together when a model takes several at once (compare's participation table): one
#: per mechanism, none a sum or share of another, so the model is not degenerate by construction.
MODEL_FEATURES = (C.FORUM_POSTS, C.CHAT_MESSAGES, C.LIVE_MINUTES, C.SUPPORT_CONTACTS)

_SHOWN = (C.MEASURE, C.N, C.BETA, C.CI_LOW, C.CI_HIGH, C.PARTIAL_R, C.R_CI_LOW, C.R_CI_HIGH, C.P_VALUE)
_STATS = (C.BETA, C.CI_LOW, C.CI_HIGH, C.PARTIAL_R, C.R_CI_LOW, C.R_CI_HIGH, C.P_VALUE)


def participation_section(rows: pd.DataFrame, *, outcome: str, features=None, min_cell: int = 10,
                          cluster: str | None = None, confidence: float = 0.95, prefix: str = "log_") -> pd.DataFrame:
    """Belonging against each measured feature, for one report unit (a cohort, or the institution).

    Parameters
    ----------
    rows : pandas.DataFrame
        The unit's responses with the features joined (:func:`belonging.activity.join_activity`).
    outcome : str
        The belonging score column.
    features : list of str, optional
        Joined feature columns (default: every column starting with `prefix`).
    min_cell : int, default 10
        Statistics from fewer responses are blanked (``suppressed`` is True), as in every section.
    cluster : str, optional
        Course section: cluster-robust standard errors.
    confidence : float, default 0.95
    prefix : str, default "log_"

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``label`` (the feature's name without the prefix), ``measure``, ``n``
        (responses with the outcome and the feature; missing when suppressed), ``beta``, ``ci_low``,
        ``ci_high``, ``partial_r``, ``r_ci_low``, ``r_ci_high``, ``p_value`` and ``suppressed``. A
        feature that cannot be estimated (constant, too few responses) has blank statistics; a
        suppressed one blanks its n as well, as every other section does ("n suppressed").

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from belonging.activity.section import participation_section
    >>> rng = np.random.default_rng(1)
    >>> rows = pd.DataFrame({"log_forum_posts": rng.poisson(3, 60).astype(float), "belonging": rng.normal(40, 5, 60)})
    >>> rows.loc[:52, "log_live_minutes"] = rng.gamma(2, 20, 53)
    >>> rows["log_live_minutes"] = rows["log_live_minutes"].where(rows.index < 8)  # 8 responses only
    >>> table = participation_section(rows, outcome="belonging")
    >>> print(table[["label", "n", "suppressed"]].to_string(index=False))
           label    n  suppressed
     forum_posts 60.0       False
    live_minutes  NaN        True
    >>> bool(np.isnan(table.loc[1, "beta"])), bool(np.isnan(table.loc[0, "beta"]))
    (True, False)
    """
    from belonging.activity.join import relate_participation
    from belonging.errors import UsageError

    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        msg = f"`min_cell` must be a whole number of at least 1; got {min_cell!r}"
        raise UsageError(msg)
    features = list(features) if features is not None else [c for c in rows.columns if str(c).startswith(prefix)]
    rel = relate_participation(rows, outcome=outcome, features=features, cluster=cluster, confidence=confidence)
    table = rel.table.set_index(C.MEASURE).reindex(features).reset_index() if len(rel.table) else \
        pd.DataFrame({C.MEASURE: features})
    for col in _SHOWN:
        if col not in table:
            table[col] = float("nan")
    complete = rows[[outcome]].notna().to_numpy()[:, 0]
    counts = [int((complete & rows[f].notna().to_numpy()).sum()) for f in features]
    table[C.SUPPRESSED] = pd.Series(counts, index=table.index) < min_cell
    # the count of a small cell is withheld too ("n suppressed"), as in every other section
    table[C.N] = pd.Series(counts, index=table.index, dtype="float64").mask(table[C.SUPPRESSED])
    table.loc[table[C.SUPPRESSED], list(_STATS)] = float("nan")
    table[C.LABEL] = [f[len(prefix):] if f.startswith(prefix) else f for f in features]
    return table[[C.LABEL, *_SHOWN, C.SUPPRESSED]]
