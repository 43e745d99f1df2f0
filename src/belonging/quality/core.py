"""check_quality(): every check and index on every row, combined by a policy into one report."""

from __future__ import annotations

import logging
import math
from types import MappingProxyType

from belonging import _columns as C
from belonging.quality.policy import REASONS, as_policy
from belonging.quality.report import QualityReport

__all__ = ["check_quality"]

log = logging.getLogger(__name__)

INDEX_COLUMNS = (C.LONGSTRING, C.LONGSTRING_AVG, C.IRV, C.MAHALANOBIS_D2, C.MAHALANOBIS_P, C.EVEN_ODD, C.PSYCHSYN, C.PSYCHANT)
ROW_COLUMNS = (C.SOURCE_ROW, C.RESPONSE_ID, C.STATUS, C.REASONS, C.N_ANSWERED, *INDEX_COLUMNS)
# From this many rows the careless indices run beside the other checks (see check_quality).
_OVERLAP_FROM = 1 << 15


def _indices(x, reverse_keyed, instrument, policy, notes, want, whole=True):
    """Careless-responding indices for the item matrix `x` (raw answers).

    Only the indices whose reason is in `want` (not turned off by the policy) are computed; the
    columns of the others are NaN. `reverse_keyed(rows)` returns those rows of the matrix reverse keyed
    (even-odd only). Longstring, IRV and the pairwise moments (shared by Mahalanobis and the
    psychometric synonyms) come from one sweep over the rows (``careless._sweep``); row-wise work runs
    in blocks of ``careless.CHUNK_ROWS`` rows on up to ``careless.MAX_WORKERS`` threads.
    """
    import numpy as np

    from belonging.quality import careless as cl

    n, k = x.shape
    out = {}
    pairs = {}
    scale = instrument.response_scale  # map_items leaves only whole numbers on the scale (but for measurements)
    swept = cl._sweep(
        x, longstring="longstring" in want, irv="irv" in want, moments=bool({"mahalanobis", "synonyms"} & set(want)),
        codes=(scale.min, scale.max) if whole else None,  # measurements (continuous items) are not whole numbers
    )
    if "longstring" in want:
        out[C.LONGSTRING], out[C.LONGSTRING_AVG] = swept["longstring"], swept["longstring_avg"]
    if "irv" in want:
        out[C.IRV] = swept["irv"]
    shared = swept.get("moments")
    if "mahalanobis" in want:
        try:
            d2 = cl.mahalanobis(x, moments=shared)
        except np.linalg.LinAlgError:
            d2 = np.full(n, np.nan)
            notes.append("mahalanobis not computed: the item covariance matrix is singular or undefined (too few or constant responses)")
        out[C.MAHALANOBIS_D2] = d2
        p = out[C.MAHALANOBIS_P] = np.empty(n)

        def tail(rows, scratch):
            p[rows] = cl.chi2_sf(d2[rows], k)

        cl._run_blocks(tail, cl._blocks(n, None))
    subs = instrument.subscales
    if "even_odd" in want and len(subs) >= 2:
        pos = {i: j for j, i in enumerate(instrument.item_ids)}
        order = [pos[i] for s in subs for i in s.items]
        sizes = [len(s.items) for s in subs]
        eo = out[C.EVEN_ODD] = np.empty(n)

        def block(rows, scratch):  # reverse keyed a block of rows at a time
            eo[rows] = cl.even_odd(reverse_keyed(rows)[:, order], sizes)

        cl._run_blocks(block, cl._blocks(n, None))
    if "synonyms" in want:
        crit = policy.thresholds["synonyms_critval"]
        r = cl.pairwise_correlation(x, moments=shared)  # once, for synonyms and antonyms
        out[C.PSYCHSYN], _, syn_pairs = cl.psychsyn(x, critval=crit, correlation=r)
        out[C.PSYCHANT], _, ant_pairs = cl.psychsyn(x, critval=crit, antonyms=True, correlation=r)
        if len(syn_pairs) == 0 and len(ant_pairs) == 0:
            notes.append(f"synonyms not judged: no item pair correlates beyond +/-{crit:g}")
        pairs = {"synonym_pairs": len(syn_pairs), "antonym_pairs": len(ant_pairs)}
    for col in INDEX_COLUMNS:  # the indices not computed
        if col not in out:
            out[col] = np.full(n, np.nan)
    return out, pairs


def _index_flags(ind, k, instrument, policy, resolved):
    import numpy as np

    t = policy.thresholds
    min_run = max(2, math.ceil(t["longstring_fraction"] * k - 1e-9))
    resolved["longstring_min_run"] = min_run
    with np.errstate(invalid="ignore"):
        flags = {
            "longstring": ind[C.LONGSTRING] >= min_run,
            "irv": ind[C.IRV] <= t["irv_min"],
            "mahalanobis": ind[C.MAHALANOBIS_P] < t["mahalanobis_p"],
            "synonyms": (ind[C.PSYCHSYN] < t["synonyms_min"]) | (ind[C.PSYCHANT] > t["antonyms_max"]),
        }
        if len(instrument.subscales) >= t["even_odd_min_subscales"]:
            flags["even_odd"] = ind[C.EVEN_ODD] > t["even_odd_max"]
        else:
            flags["even_odd"] = np.zeros(len(ind[C.IRV]), dtype=bool)
    return flags


def _reason_codes(masks):
    """Per-row bit code of the reasons in `masks`, its distinct values' ``;``-joined strings, and each row's index into them.

    Each row's reasons (in the order of ``REASONS``) form a bit code; the string of each distinct code
    (a few dozen at most) is built once, so the cost is one pass over the masks, not string work per row.
    """
    import numpy as np

    n = len(next(iter(masks.values()))) if masks else 0
    present = [r for r in REASONS if r in masks]
    code = np.zeros(n, dtype=np.uint32)
    for bit, reason in enumerate(present):
        hit = np.flatnonzero(masks[reason])  # reasons are rare: set the bit where they apply
        if len(hit):
            code[hit] |= np.uint32(1 << bit)
    seen = np.bincount(code, minlength=1) > 0  # codes < 2**len(REASONS): a table, not a sort
    uniq = np.flatnonzero(seen)
    lookup = np.zeros(len(seen), dtype=np.intp)
    lookup[uniq] = np.arange(len(uniq))
    texts = np.array([";".join(r for bit, r in enumerate(present) if int(u) >> bit & 1) for u in uniq], dtype=object)
    return texts, lookup[code]


def _reason_strings(masks):
    """``;``-joined codes per row from ``{reason: mask}``, in the order of ``REASONS`` (object array)."""
    texts, inverse = _reason_codes(masks)
    return texts[inverse]


def _text_dtype():
    """The dtype pandas gives a column of Python strings (``str`` in pandas >= 3, else object)."""
    import pandas as pd

    return pd.Series(["x"]).dtype


def _text_column(texts, index):
    """``texts[index]`` as the string column pandas would infer, without a Python string per row.

    With pandas' Arrow-backed ``str`` dtype the few distinct strings are taken by index in Arrow;
    otherwise (pandas without it) the object array itself.
    """
    import numpy as np
    import pandas as pd

    target = _text_dtype()
    if isinstance(target, pd.StringDtype) and target.storage == "pyarrow":
        import pyarrow as pa

        taken = pa.array(list(texts), pa.large_string()).take(pa.array(np.asarray(index, dtype=np.int64)))
        return pd.array(taken, dtype=target)
    return np.asarray(texts, dtype=object)[index]


def check_quality(responses, instrument, *, mapping=None, policy=None, mapped=None) -> QualityReport:
    """Check every response: validation, duplicates, speed, attention and careless responding.

    Parameters
    ----------
    responses : Responses or pandas.DataFrame
        From :func:`belonging.read_export` (records set aside at ingest are accounted for), or a plain
        frame with one row per response.
    instrument : Instrument or str
        Instrument or built-in id / TOML path.
    mapping : Mapping, dict, path or None
        Column mapping (see :func:`belonging.map_items`).
    policy : Policy, dict, path or None
        Actions and thresholds (see :mod:`belonging.quality.policy`); default: conservative defaults.
    mapped : MappedItems, optional
        The result of :func:`belonging.map_items` on the same `responses`, `instrument` and `mapping`
        when the caller already has it (as `belonging score` does); saves mapping twice.

    Returns
    -------
    QualityReport
        ``rows`` has one row per input record in input order (see :class:`QualityReport`).

    Raises
    ------
    MappingError
        Item columns cannot be found.
    UsageError
        An invalid policy, or a policy duplicate column that does not exist.

    Notes
    -----
    Reason codes: ``preview`` (set aside at ingest as a preview, test or spam), ``duplicate`` (a
    repeated ``response_id``, a repeated identifier such as an e-mail or student id within a wave,
    or an exact copy of an earlier row including its time metadata; the first copy is kept),
    ``out_of_range`` and ``unknown_label`` (any answer cell), ``no_answers`` (no item answered),
    ``missing_items`` (a scale below its ``min_answered``), ``incomplete`` (``finished`` is False),
    ``speeder`` (``duration_s`` below :math:`\\max(f\\,\\tilde d, s k)`), ``attention_check`` (an
    unexpected answer to an item declared in the instrument, the policy or the mapping's
    ``[[attention_checks]]``, as ``belonging survey build`` writes them), and the
    careless-responding outliers ``longstring``, ``irv``, ``mahalanobis``, ``even_odd`` and
    ``synonyms`` (psychometric synonyms or antonyms), computed as in the R package careless (see
    :mod:`belonging.quality.careless`). Longstring, IRV, Mahalanobis and psychometric synonyms use
    the answers as given; even-odd uses them reverse keyed and needs two or more subscales. A row's
    status is ``excluded`` if any reason whose action is ``exclude`` applies, else ``flagged`` if
    any reason applies whose action is ``flag``, else ``kept``; reasons whose action is ``off`` are
    not recorded, and a careless-responding index whose reason is off is not computed (its columns
    are NaN). Rows in = kept + flagged + excluded.

    Examples
    --------
    >>> import pandas as pd
    >>> import belonging as bl
    >>> items = ["belonging_uncertainty_01", "belonging_uncertainty_02", "belonging_uncertainty_03"]
    >>> df = pd.DataFrame([[5, 4, 6], [6, 2, 5], [6, 2, 5], [9, 3, 4], [None, None, None]], columns=items)
    >>> df.insert(0, "response_id", ["a", "b", "b", "c", "d"])
    >>> rep = bl.check_quality(df, "belonging_uncertainty")
    >>> print(rep.rows[["source_row", "response_id", "status", "reasons"]].to_string(index=False))
     source_row response_id   status                    reasons
              1           a     kept
              2           b     kept
              3           b excluded                  duplicate
              4           c excluded out_of_range;missing_items
              5           d excluded   no_answers;missing_items
    >>> rep.counts()
    {'kept': 2, 'flagged': 0, 'excluded': 3}
    """
    import numpy as np
    import pandas as pd

    from belonging.instruments import load_instrument
    from belonging.mapping import _no_issues, attention_rules, label_lookup, map_items
    from belonging.quality import checks

    instrument = load_instrument(instrument)
    policy = as_policy(policy)
    frame = getattr(responses, "data", responses)
    if mapped is None:
        mapped = map_items(responses, instrument, mapping=mapping)
    n = len(frame)
    if len(mapped.items) != n:
        from belonging.errors import UsageError

        msg = "`mapped` does not belong to `responses`: map_items the same responses"
        raise UsageError(msg)
    # a copy: the report's table takes this array as it is and must not share the input's memory
    rows = frame[C.SOURCE_ROW].to_numpy(dtype="int64", copy=True) if C.SOURCE_ROW in frame.columns else np.arange(1, n + 1, dtype="int64")
    notes: list[str] = []
    resolved: dict = {}
    issues = [mapped.issues]

    ids = list(instrument.item_ids)
    x = mapped.items[ids].to_numpy(dtype="float64")
    lo, hi = instrument.response_scale.min, instrument.response_scale.max
    whole = not (instrument.continuous_items or getattr(mapping, "continuous", ()))

    def reverse_keyed(rows):
        xr = x[rows].copy()
        rev = [j for j, i in enumerate(ids) if instrument.item(i).reverse]
        if rev:
            xr[:, rev] = (lo + hi) - xr[:, rev]
        return xr

    masks: dict[str, np.ndarray] = {}
    want = {r for r in REASONS if policy.action(r) != "off"}
    # The careless-responding indices (the largest part) run on a worker thread while this one does
    # the other checks; the result is the same as running them in turn.
    index_notes: list[str] = []
    pool = future = None
    if n >= _OVERLAP_FROM:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(1, thread_name_prefix="belonging-indices")
        future = pool.submit(_indices, x, reverse_keyed, instrument, policy, index_notes, want, whole)
    try:
        position = pd.Index(rows)
        for reason in ("out_of_range", "unknown_label"):
            m = np.zeros(n, dtype=bool)
            hit = mapped.issues.loc[mapped.issues[C.REASON] == reason, C.ROW].to_numpy()
            idx = position.get_indexer(hit)
            m[idx[idx >= 0]] = True
            masks[reason] = m
        masks["missing_items"], n_answered = checks.missing_items(x, instrument)
        masks["no_answers"] = n_answered == 0
        masks["incomplete"] = checks.incomplete(frame)
        id_cols = checks.identifier_columns(frame, responses, policy.duplicate_columns)
        resolved["duplicate_columns"] = ",".join(id_cols) if id_cols else "-"
        masks["duplicate"], dup_notes = checks.duplicates(frame, id_columns=id_cols)
        notes += dup_notes
        extra_checks = attention_rules(mapping, instrument=instrument)  # the instrument's and the --map file's, once
        n_items = len(ids) + len(extra_checks)
        masks["speeder"], speed = checks.speeders(
            frame, n_items, fraction=policy.thresholds["speeder_fraction"], seconds_per_item=policy.thresholds["speeder_seconds_per_item"]
        )
        resolved.update(speed)
        if C.DURATION_S not in frame.columns and "speeder" in want:
            notes.append("speeder not checked: the data have no duration_s")
        rules = extra_checks + [(a.column, a.expected) for a in policy.attention_checks]
        masks["attention_check"], att_issues, att_notes = checks.attention_failures(frame, rules, label_lookup(instrument, mapping), rows)
        issues += att_issues
        notes += att_notes
        rid = _response_ids(frame, rows)
        if n:
            ind, pairs = future.result() if future is not None else _indices(x, reverse_keyed, instrument, policy, index_notes, want, whole)
            notes += index_notes
            resolved.update(pairs)
            masks.update(_index_flags(ind, len(ids), instrument, policy, resolved))
        else:
            ind = {c: np.zeros(0) for c in INDEX_COLUMNS}
        if len(instrument.subscales) < policy.thresholds["even_odd_min_subscales"] and "even_odd" in want:
            notes.append(f"even_odd not judged: {instrument.id} has {len(instrument.subscales)} subscale(s), fewer than even_odd_min_subscales")

        masks = {r: np.asarray(m, dtype=bool) for r, m in masks.items() if r in want}
        excl = np.zeros(n, dtype=bool)
        flag = np.zeros(n, dtype=bool)
        for reason, m in masks.items():
            if policy.action(reason) == "exclude":
                excl |= m
            else:
                flag |= m
        status = _text_column(np.array([C.KEPT, C.FLAGGED, C.EXCLUDED], dtype=object), np.where(excl, 2, flag.astype(np.int8)))
        columns = {C.SOURCE_ROW: rows, C.RESPONSE_ID: rid, C.STATUS: status, C.REASONS: _text_column(*_reason_codes(masks)), C.N_ANSWERED: n_answered.astype("int64", copy=False)}
        columns.update((col, np.asarray(ind[col], dtype="float64")) for col in INDEX_COLUMNS)
        del ind  # the table takes the index arrays as they are (no copy): 8 columns of n floats
        table = pd.DataFrame(columns, copy=False)
        del columns

        dropped = getattr(responses, "dropped", None)
        counts_extra = {r: 0 for r in REASONS}
        if dropped is not None and len(dropped):
            dr = pd.DataFrame(
                {
                    C.SOURCE_ROW: dropped[C.SOURCE_ROW].to_numpy(dtype="int64"),
                    C.RESPONSE_ID: dropped[C.RESPONSE_ID].astype("string").to_numpy(dtype=object),
                    C.STATUS: C.EXCLUDED,
                    C.REASONS: "preview",
                    C.N_ANSWERED: 0,
                }
            )
            for col in INDEX_COLUMNS:
                dr[col] = np.nan
            table = pd.concat([table, dr], ignore_index=True).sort_values(C.SOURCE_ROW, kind="stable").reset_index(drop=True)
            table[C.N_ANSWERED] = table[C.N_ANSWERED].astype("int64")
            why = dropped[C.REASON].astype("string").fillna("preview")
            issues.append(
                pd.DataFrame(
                    {
                        C.ROW: dr[C.SOURCE_ROW].to_numpy(),
                        C.COLUMN: "",
                        C.VALUE: why.to_numpy(dtype=object),
                        C.REASON: "preview",
                        C.MESSAGE: ("row " + dr[C.SOURCE_ROW].astype(str) + " was set aside at ingest as " + why.to_numpy(dtype=object)).to_numpy(dtype=object),
                    }
                )
            )
            counts_extra["preview"] = len(dr)

        issues = [i for i in issues if len(i)]
        issue_frame = pd.concat(issues, ignore_index=True).sort_values([C.ROW], kind="stable").reset_index(drop=True) if issues else _no_issues()
        n_excluded, n_flagged = int(np.count_nonzero(excl)), int(np.count_nonzero(flag & ~excl))
        statuses = {C.KEPT: n - n_excluded - n_flagged, C.FLAGGED: n_flagged, C.EXCLUDED: n_excluded + counts_extra["preview"]}
        summary = _summary(statuses, masks, counts_extra, policy)
        source = getattr(getattr(responses, "provenance", None), "path", None) or mapped.source
        log.debug("quality: %d rows, %s", len(table), dict(zip(summary[C.NAME], summary[C.COUNT])))
        return QualityReport(
            rows=table,
            summary=summary,
            issues=issue_frame,
            policy=policy,
            resolved=MappingProxyType(resolved),
            instrument=instrument.id,
            source=str(source),
            notes=tuple(notes),
        )
    finally:
        if pool is not None:
            pool.shutdown(wait=True)  # also after an error: no computation left running


def _response_ids(frame, rows):
    """Response ids as text (the row number where the data have none)."""
    import pandas as pd

    if C.RESPONSE_ID not in frame.columns:
        return rows.astype(str).astype(object)
    col = frame[C.RESPONSE_ID]
    target = _text_dtype()
    if isinstance(col.dtype, pd.StringDtype) and isinstance(target, pd.StringDtype):
        return col.astype(target).array  # the same text and NaN as below, without a Python string per row
    return col.astype("string").to_numpy(dtype=object)


def _summary(statuses, masks, extra, policy):
    """The counts table: rows per status (`statuses`, counted from the masks), then per reason."""
    import numpy as np
    import pandas as pd

    rows = [(C.STATUS, s, "", int(statuses[s])) for s in (C.KEPT, C.FLAGGED, C.EXCLUDED)]
    for reason in REASONS:
        count = int(np.count_nonzero(masks[reason])) if reason in masks else 0
        rows.append((C.REASON, reason, policy.action(reason), count + extra.get(reason, 0)))
    out = pd.DataFrame(rows, columns=[C.KIND, C.NAME, C.ACTION, C.COUNT])
    out[C.COUNT] = out[C.COUNT].astype("int64")
    return out
