"""Report inputs: the slim analysis frame, wave order and safe file names.

Only the columns a report needs travel on from here: the grouping columns, the wave, the quality
status, the scale scores and the item codes. Identifiers and free-text answers never enter this
frame, so they cannot reach a report.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from belonging import _columns as C
from belonging.errors import UsageError

__all__ = ["NOT_RECORDED", "AnalysisFrame", "order_waves", "prepare", "slugify"]

#: Label of a missing group value in reports.
NOT_RECORDED = "(not recorded)"
REASON_INVALID = "invalid_answer"
REASON_TOO_FEW = "too_few_items"


def slugify(value) -> str:
    """A safe, unique file stem for a data value: ASCII ``[a-z0-9-]``, plus a short hash.

    The hash of the exact value keeps stems unique (``"A b"`` and ``"a-b"`` differ) and makes every
    stem safe whatever the value holds (``"../x"`` becomes ``"x-<hash>"``, never a path).
    """
    text = str(value)
    base = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    base = re.sub(r"[^a-z0-9]+", "-", base).strip("-")[:48].strip("-") or "cohort"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{base}-{digest}"


def order_waves(values, order=None) -> list:
    """Wave values in time order: `order` if given, numbers sorted, otherwise first appearance."""
    import pandas as pd

    seen = list(pd.unique(pd.Series(values).dropna()))
    if order is not None:
        order = list(order)
        unknown = [w for w in seen if w not in order and str(w) not in map(str, order)]
        if unknown:
            msg = f"--wave-order does not list wave {unknown[0]!r}; list every wave, earliest first"
            raise UsageError(msg)
        by_text = {str(w): w for w in seen}
        return [by_text[str(w)] for w in order if str(w) in by_text]
    num = pd.to_numeric(pd.Series(seen, dtype=object), errors="coerce")
    if len(seen) and num.notna().all():
        return [seen[i] for i in num.to_numpy().argsort(kind="stable")]
    return seen


@dataclass(frozen=True, eq=False)
class AnalysisFrame:
    """The slim frame a report is built from, with what its columns mean.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns: the `by`, `compare_by` and `wave` columns (missing group values as
        ``"(not recorded)"``), ``status``, ``reasons`` (";"-joined, "" when none), one column per
        scale, then the item codes (float32, as answered, before reverse keying).
    by, compare_by, wave : column names (wave None when there is none)
    waves : list
        Wave values in time order (``[None]`` without a wave column).
    scales : dict
        Scale column -> display name.
    quality_source : str
        ``"check_quality"`` or ``"scoring"`` (statuses derived from scoring only).
    """

    frame: object
    by: str
    compare_by: tuple
    wave: str | None
    waves: list
    scales: dict
    items: tuple
    quality_source: str


def _check_group_column(data, frame, col: str, option: str) -> None:
    from belonging.ingest.privacy import looks_identifying

    info = data.column_info(col) if hasattr(data, "column_info") else None
    idents = set(getattr(data, "identifiers", ()))
    if col in idents or looks_identifying(col) or (info is not None and (info.identifier or info.free_text)):
        msg = (
            f"{option}: column {col!r} identifies a person or holds free text, and reports never "
            "show either; group by a category column such as a cohort, course or mode"
        )
        raise UsageError(msg)


def _quality(data, instrument, mapped, mapping, policy=None):
    """(status, reasons) arrays: from belonging.check_quality when available, else from scoring."""
    import numpy as np

    try:
        from belonging.quality import check_quality
    except ImportError:
        check_quality = None
    if check_quality is not None:
        frame = getattr(data, "data", data)
        rows = check_quality(data, instrument, mapping=mapping, policy=policy).rows
        if C.SOURCE_ROW in frame.columns and C.SOURCE_ROW in rows.columns:
            # the quality report also lists records set aside at ingest; align on the source row
            rows = rows.drop_duplicates(C.SOURCE_ROW).set_index(C.SOURCE_ROW).reindex(frame[C.SOURCE_ROW].to_numpy())
        elif len(rows) != len(frame):
            msg = "the quality report does not match the data row for row; report this as a bug"
            raise UsageError(msg)
        status = rows[C.STATUS].astype(object).to_numpy()
        reasons = rows[C.REASONS].fillna("").astype(str).to_numpy() if C.REASONS in rows.columns else np.full(len(rows), "")
        return status, reasons, "check_quality"
    n = len(mapped.items)
    status = np.full(n, C.KEPT, dtype=object)
    reasons = np.full(n, "", dtype=object)
    if len(mapped.issues):
        frame = getattr(data, "data", data)
        rows = frame[C.SOURCE_ROW].to_numpy() if C.SOURCE_ROW in frame.columns else np.arange(1, n + 1)
        bad = np.isin(rows, mapped.issues[C.ROW].to_numpy())
        status[bad] = C.EXCLUDED
        reasons[bad] = REASON_INVALID
    return status, reasons, "scoring"


def prepare(data, instrument, *, by, compare_by=(), wave=None, wave_order=None, mapping=None, policy=None,
            exclude_flagged=False) -> AnalysisFrame:
    """Score `data` and keep only what a report needs (see :class:`AnalysisFrame`).

    The quality check runs with `policy` (default: the built-in policy); responses it excludes get no
    score, and with `exclude_flagged` neither do those it flags (their status becomes ``excluded``,
    their reasons stay).

    Raises
    ------
    UsageError
        A grouping column is missing, identifies a person or holds free text.
    """
    import numpy as np
    import pandas as pd

    from belonging._validation import check_columns
    from belonging.instruments import load_instrument
    from belonging.mapping import map_items
    from belonging.scoring import score_items

    instrument = load_instrument(instrument)
    frame = getattr(data, "data", data)
    compare_by = tuple(compare_by or ())
    check_columns(frame, [by], "--by")
    check_columns(frame, list(compare_by), "--compare-by")
    if wave is not None:
        check_columns(frame, [wave], "--wave")
    for col, opt in [(by, "--by"), *((c, "--compare-by") for c in compare_by), *(((wave, "--wave"),) if wave else ())]:
        _check_group_column(data, frame, col, opt)
    for col, opt in [*((c, "--compare-by") for c in compare_by)]:
        n_levels = frame[col].nunique()
        if n_levels > max(50, len(frame) // 2):
            msg = (f"{opt}: column {col!r} has {n_levels} different values in {len(frame)} rows; it looks like "
                   "an identifier or free text, which reports never show; group by a category column")
            raise UsageError(msg)
    mapped = map_items(data, instrument, mapping=mapping)
    status, reasons, source = _quality(data, instrument, mapped, mapping, policy)
    if exclude_flagged:
        status = np.where(np.asarray(status, dtype=object) == C.FLAGGED, C.EXCLUDED, status)
    scores = score_items(mapped.items, instrument)
    scale_cols = list(instrument.scales())
    total = scores[instrument.id].to_numpy()
    too_few = np.isnan(total) & (status != C.EXCLUDED)
    if source == "scoring":
        status = np.where(too_few, C.EXCLUDED, status)
        reasons = np.where(too_few, REASON_TOO_FEW, reasons)
    out = {}
    for col in dict.fromkeys([by, *compare_by]):
        values = frame[col].astype(object).where(frame[col].notna(), NOT_RECORDED)
        out[col] = values.map(str).to_numpy(dtype=object)
    waves = [None]
    if wave is not None:
        waves = order_waves(frame[wave], wave_order)
        out[wave] = frame[wave].to_numpy(dtype=object)
    out[C.STATUS] = np.asarray(status, dtype=object)
    out[C.REASONS] = np.asarray(reasons, dtype=object)
    for col in scale_cols:
        values = scores[col].to_numpy(dtype="float64")
        out[col] = np.where(out[C.STATUS] == C.EXCLUDED, np.nan, values)
    items = mapped.items.astype("float32")
    slim = pd.concat([pd.DataFrame(out, index=frame.index), items], axis=1).reset_index(drop=True)
    names = {instrument.id: instrument.name}
    names.update({f"{instrument.id}_{s.id}": s.name for s in instrument.subscales})
    return AnalysisFrame(
        frame=slim, by=by, compare_by=compare_by, wave=wave, waves=waves, scales=names,
        items=tuple(instrument.item_ids), quality_source=source,
    )

