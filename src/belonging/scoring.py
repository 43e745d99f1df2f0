"""Scale scores: reverse keying, then a mean (or prorated sum) per scale and subscale."""

from __future__ import annotations

import math

from belonging import _columns as C
from belonging.errors import UsageError, suggest
from belonging.ingest.privacy import check_kept_columns

__all__ = ["reverse_items", "score", "score_items"]


def reverse_items(items, instrument):
    """Return a copy of an item frame with reverse-keyed items recoded as ``min + max - x``.

    Parameters
    ----------
    items : pandas.DataFrame
        Item frame (columns named by item ids, codes on the instrument's scale).
    instrument : Instrument

    Returns
    -------
    pandas.DataFrame
        Same shape; only columns of reverse-keyed items change. Missing stays missing.

    Examples
    --------
    >>> import pandas as pd
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> items = pd.DataFrame([[3.0] * 20], columns=list(ccs.item_ids))
    >>> keyed = bl.reverse_items(items, ccs)
    >>> keyed[["ccs_01", "ccs_04", "ccs_05"]].iloc[0].tolist()
    [3.0, 1.0, 1.0]
    """
    out = items.copy()
    total = instrument.response_scale.min + instrument.response_scale.max
    rev = [i for i in instrument.reverse_items if i in out.columns]
    if rev:
        out[rev] = total - out[rev].to_numpy(dtype="float64")
    return out


_BLOCK = 1 << 13  # rows per block in score_items (small blocks also keep BLAS single-threaded: no spinning threads)


def _min_count(k: int, fraction: float) -> int:
    return max(1, math.ceil(k * fraction - 1e-9))


def score_items(items, instrument, *, min_answered: float | None = None):
    """Score an item frame: one column per scale and subscale, plus the count of answered items.

    Parameters
    ----------
    items : pandas.DataFrame
        Item frame from :func:`belonging.mapping.item_frame` (not yet reverse keyed).
    instrument : Instrument
    min_answered : float, optional
        Fraction of a scale's items that must be answered for a score; default the instrument's
        ``scoring.min_answered``.

    Returns
    -------
    pandas.DataFrame
        Columns ``<id>``, ``<id>_<subscale>`` ..., ``<id>_n_answered``; index as `items`.

    Notes
    -----
    Reverse-keyed items are recoded as :math:`x' = min + max - x`. A scale score is the mean of the
    answered items, :math:`\\bar{x} = \\sum_{j \\in A} x'_j / |A|`, or for ``method = "sum"`` the
    prorated sum :math:`k \\bar{x}`, where :math:`A` is the set of answered items and :math:`k` the
    number of items of the scale. It is missing unless :math:`|A| \\ge \\lceil m k \\rceil` for the
    instrument's ``min_answered`` fraction :math:`m`. The mean equals R's
    ``psych::scoreItems(keys, items, impute = "none", min, max)$scores`` (validated on psych's
    ``bfi`` data to 1e-9, psych 2.x; see tests/reference/scoring).

    Examples
    --------
    >>> import pandas as pd
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> items = pd.DataFrame([[3.0] * 20, [3.0] * 15 + [None] * 5], columns=list(ccs.item_ids))
    >>> print(bl.score_items(items, ccs).to_string(index=False))
     ccs  ccs_connectedness  ccs_learning  ccs_n_answered
    40.0               24.0          16.0              20
     NaN               25.0           NaN              15
    """
    import numpy as np
    import pandas as pd

    from belonging._parallel import row_blocks, run_blocks

    fraction = instrument.scoring.min_answered if min_answered is None else min_answered
    ids = list(instrument.item_ids)
    block = items if list(items.columns) == ids else items[ids]
    x = block.to_numpy(dtype="float64", copy=False)
    scales = instrument.scales()
    position = {item: j for j, item in enumerate(ids)}
    membership = np.zeros((len(ids), len(scales)))
    for col, members in enumerate(scales.values()):
        membership[[position[m] for m in members], col] = 1.0
    rev = np.array([instrument.item(item).reverse for item in ids], dtype=bool)
    # Reverse keying folded into the product: for a reversed item x' = (min + max) - x, so a scale's sum
    # of answered items is x0 @ (membership * sign) + (min + max) * (answered reversed items), where x0
    # is x with missing answers as 0. Codes are whole numbers, so every sum and count is exact.
    weights = membership * np.where(rev, -1.0, 1.0)[:, None]
    n_scales = len(scales)
    both = np.concatenate([membership, membership * rev[:, None], np.ones((len(ids), 1))], axis=1).astype("float32")
    sums = np.empty((len(x), n_scales))
    tallies = np.empty((len(x), 2 * n_scales + 1), dtype="float32")  # integer counts: exact in float32

    def block(rows, _scratch):  # row blocks bound the temporaries (not a loop per row), shared among threads
        part = x[rows]
        answered = ~np.isnan(part)
        np.matmul(np.where(answered, part, 0.0), weights, out=sums[rows])
        np.matmul(answered.view(np.uint8).astype("float32"), both, out=tallies[rows])

    run_blocks(block, row_blocks(len(x), _BLOCK))
    counts = tallies[:, :n_scales].astype("float64")
    if rev.any():
        sums += (instrument.response_scale.min + instrument.response_scale.max) * tallies[:, n_scales : 2 * n_scales].astype("float64")
    k = membership.sum(axis=0)
    need = np.array([_min_count(int(kk), fraction) for kk in k])
    with np.errstate(invalid="ignore", divide="ignore"):
        values = sums / counts
    if instrument.scoring.method == "sum":
        values *= k
    values[counts < need] = np.nan
    out = {name: values[:, col] for col, name in enumerate(scales)}
    out[instrument.id + C.N_ANSWERED_SUFFIX] = tallies[:, -1].astype("int64")
    return pd.DataFrame(out, index=items.index, copy=False)


def score(data, instrument, *, mapping=None, keep=None, quality=None, exclude_flagged=False, keep_identifiers=False, source=None,
          mapped=None):
    """Score responses on a belonging instrument.

    Parameters
    ----------
    data : pandas.DataFrame or Responses
        One row per response, answers as numeric codes or response labels.
    instrument : Instrument or str
        An instrument or a built-in id / TOML path (see :func:`belonging.load_instrument`).
    mapping : Mapping, dict, str or None
        Column mapping (see :mod:`belonging.mapping`); default: columns named like item ids.
    keep : list of str, optional
        Extra columns of `data` copied to the output (e.g. grouping columns).
    quality : QualityReport, optional
        A report from :func:`belonging.check_quality` on the same data. Adds ``status``; responses
        it excludes get no score.
    exclude_flagged : bool, default False
        With `quality`, flagged responses get no score either (sensitivity analyses).
    keep_identifiers : bool, default False
        Allow `keep` to name a column that identifies a person.
    source : str, optional
        Name of the input in error messages.
    mapped : MappedItems, optional
        The result of :func:`belonging.map_items` on the same `data`, `instrument` and `mapping`, when
        the caller already has it (e.g. for :func:`belonging.check_quality`); saves mapping twice.

    Returns
    -------
    pandas.DataFrame
        One row per response, in input order: ``response_id``, ``<id>`` (total), ``<id>_<subscale>``
        for each subscale, ``<id>_n_answered``, ``status`` and ``source_row`` (with `quality`; the
        record's 1-based position in the file, to join the quality report), then the `keep` columns.
        With `quality` and a :class:`~belonging.Responses` whose ingest set records aside (previews,
        tests, spam), those records are there too, in file order, ``excluded`` and without a score, so
        every record of the export is accounted for.

    Raises
    ------
    DataValidationError
        An answer outside the scale or an unknown label (names file, row, column and value), unless
        `quality` is given, in which case such responses are excluded by the quality policy.
    MappingError
        Item columns cannot be found.
    UsageError
        A `keep` column does not exist, or identifies a person without `keep_identifiers`.

    Notes
    -----
    See :func:`score_items` for the formula and its check against R psych::scoreItems.

    Examples
    --------
    >>> import pandas as pd
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> answers = pd.DataFrame([[3] * 20, [1] * 20, [4, 0] * 10], columns=list(ccs.item_ids))
    >>> answers.insert(0, "mode", ["online_sync", "in_person", "hybrid"])
    >>> print(bl.score(answers, ccs, keep=["mode"]).to_string(index=False))
    response_id  ccs  ccs_connectedness  ccs_learning  ccs_n_answered        mode
              1 40.0               24.0          16.0              20 online_sync
              2 40.0               16.0          24.0              20   in_person
              3 56.0               28.0          28.0              20      hybrid
    """
    import numpy as np
    import pandas as pd

    from belonging.instruments import load_instrument
    from belonging.mapping import map_items

    instrument = load_instrument(instrument)
    frame = getattr(data, "data", data)
    keep = [keep] if isinstance(keep, str) else list(keep or [])
    for col in keep:
        if col not in frame.columns:
            msg = f"--keep: column {col!r} is not in the data{suggest(col, frame.columns)}"
            raise UsageError(msg)
    idents = set(getattr(data, "identifiers", ()))
    if not keep_identifiers:
        from belonging.ingest.privacy import looks_identifying

        blocked = [c for c in keep if c in idents or looks_identifying(c)]
        if blocked:
            msg = (
                f"--keep: column {blocked[0]!r} identifies a person and is left out of outputs by "
                "default; add --keep-identifiers (keep_identifiers=True) to keep it on purpose"
            )
            raise UsageError(msg)
    if mapped is None:
        mapped = map_items(data, instrument, mapping=mapping, source=source)
    elif len(mapped.items) != len(frame):
        msg = "`mapped` does not belong to `data`: map_items the same responses"
        raise UsageError(msg)
    if quality is None:
        mapped.raise_if_invalid()
    scores = score_items(mapped.items, instrument)
    if C.RESPONSE_ID in frame.columns:
        rid = frame[C.RESPONSE_ID].array  # keeps its dtype (no round trip through Python objects)
    else:
        rid = np.arange(1, len(frame) + 1).astype(str)
    columns = {C.RESPONSE_ID: rid, **{c: scores[c].to_numpy() for c in scores.columns}}
    if quality is not None:
        status = _status_array(frame, quality)
        blank = np.asarray(status == C.EXCLUDED, dtype=bool)
        if exclude_flagged:
            blank |= np.asarray(status == C.FLAGGED, dtype=bool)
        if blank.any():
            for col in instrument.scales():
                columns[col] = np.where(blank, np.nan, columns[col])
        columns[C.STATUS] = status
        if C.SOURCE_ROW in frame.columns:
            columns[C.SOURCE_ROW] = frame[C.SOURCE_ROW].to_numpy()
    check_kept_columns(frame, keep, columns, keep_identifiers=keep_identifiers)  # no clash with an output, no identifier by content
    for col in keep:
        columns[col] = frame[col].array
    out = pd.DataFrame(columns, copy=False)
    dropped = getattr(data, "dropped", None)
    if quality is not None and dropped is not None and len(dropped) and C.SOURCE_ROW in out.columns:
        out = _with_set_aside(out, dropped, instrument)
    return out


def _with_set_aside(out, dropped, instrument):
    """`out` with the records set aside at ingest (previews, tests, spam) put back in file order.

    They are ``excluded`` with no score and no answer count, so the scores file accounts for every record
    of the export, as the quality report does.
    """
    import numpy as np
    import pandas as pd

    n, m = len(out), len(dropped)
    extra = pd.DataFrame({C.RESPONSE_ID: dropped[C.RESPONSE_ID].astype(out[C.RESPONSE_ID].dtype).to_numpy(),
                          C.STATUS: C.EXCLUDED, C.SOURCE_ROW: dropped[C.SOURCE_ROW].to_numpy(dtype="int64")})
    count = f"{instrument.id}_n_answered"
    out = out.astype({count: "Int64"})  # no count for a record that was not analysed
    both = pd.concat([out, extra], ignore_index=True)[list(out.columns)]
    # both parts are in file order: interleave them by merging the sorted source rows (no sort of n rows)
    main_rows = out[C.SOURCE_ROW].to_numpy(dtype="int64")
    extra_rows = extra[C.SOURCE_ROW].to_numpy()
    order_extra = np.argsort(extra_rows, kind="stable")
    at = np.searchsorted(main_rows, extra_rows[order_extra], side="left") + np.arange(m)
    order = np.empty(n + m, dtype=np.int64)
    is_extra = np.zeros(n + m, dtype=bool)
    is_extra[at] = True
    order[at] = n + order_extra
    order[~is_extra] = np.arange(n)
    return both.take(order).reset_index(drop=True)


def _status_for(frame, quality):
    """Align a quality report's statuses to the rows of `frame` (by source_row, else position).

    Returns a NumPy object array of status strings.
    """
    import numpy as np

    return np.asarray(_status_array(frame, quality), dtype=object)


def _status_array(frame, quality):
    """Statuses of `frame`'s rows as the report's own array (pandas ``str``), aligned like :func:`_status_for`."""
    import numpy as np

    rows = quality.rows
    status = rows[C.STATUS]
    if C.SOURCE_ROW in frame.columns and C.SOURCE_ROW in rows.columns:
        have = rows[C.SOURCE_ROW].to_numpy()
        want = frame[C.SOURCE_ROW].to_numpy()
        whole = have.dtype.kind in "iu" and want.dtype.kind in "iu"
        if whole and len(have) == len(want) and np.array_equal(have, want):
            return status.array
        if whole and len(have) and np.all(have[1:] > have[:-1]):  # sorted, no repeats: positions by binary search
            pos = np.minimum(np.searchsorted(have, want), len(have) - 1)
            if np.array_equal(have[pos], want):
                return status.array.take(pos)
            _mismatch()
        lookup = rows.drop_duplicates(C.SOURCE_ROW).set_index(C.SOURCE_ROW)[C.STATUS]
        status = lookup.reindex(want)
    if len(status) != len(frame) or status.isna().any():
        _mismatch()
    return status.array


def _mismatch():
    msg = "the quality report does not match the data; run check_quality on the same responses"
    raise UsageError(msg)
