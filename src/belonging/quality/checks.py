"""Row-level checks: duplicates, speeders, unfinished, missing items, attention checks.

Each check is column-wise over the whole frame and returns a boolean mask with one entry per row of
the response frame (no loop over respondents).
"""

from __future__ import annotations

import math
import re

from belonging import _columns as C

__all__ = ["attention_failures", "duplicates", "identifier_columns", "incomplete", "missing_items", "speeders"]

# Identifier columns that mark the same person. IP addresses, names and locations are identifying but
# shared or ambiguous (a campus lab, two students called Sam), so they do not mark duplicates.
_PERSON_KEY = re.compile(
    r"(.*_)?e_?mail(_?address)?(_\d+)?|recipient_?email|external_?(reference|ref|data_?reference)"
    r"|(student|person|sis|national|learner|user)_?(id|number|no)|user_?name|token"
)
_TIME_META = (C.STARTED_AT, C.SUBMITTED_AT, C.DURATION_S)
_FALSE = ("false", "0", "no", "n", "f")
_PLACEHOLDERS = ("anonymous", "anon", "anonymous user", "unknown", "n/a", "na", "none", "null", "-", ".", "0")
_EMAIL = re.compile(r"(.*_)?e_?mail(_?address)?(_\d+)?|recipient_?email")


def _norm(name: str) -> str:
    return re.sub(r"[\s.\-/]+", "_", str(name).strip().lower())


def identifier_columns(frame, responses=None, explicit=None) -> list[str]:
    """Columns whose repeated values mark the same person.

    `explicit` (the policy's ``[duplicates] columns``) wins; otherwise columns named like an e-mail,
    a student/person/user id, an external reference or a token, among the frame's columns.
    """
    from belonging.errors import UsageError, suggest

    if explicit is not None:
        missing = [c for c in explicit if c not in frame.columns]
        if missing:
            msg = f"policy [duplicates] columns: {missing[0]!r} is not a column of the data{suggest(missing[0], frame.columns)}"
            raise UsageError(msg)
        return list(explicit)
    free = set()
    if responses is not None and hasattr(responses, "data"):  # Responses: column metadata beside the frame
        free = {c.name for c in responses.columns if c.free_text}
    return [c for c in frame.columns if c not in free and c not in C.META_COLUMNS and _PERSON_KEY.fullmatch(_norm(c))]


def _present(s):
    """``(mask, text)``: which cells hold something besides white space, and the cells trimmed.

    Arrow-backed text is trimmed only when some cell may start or end with white space (told from
    the first and last bytes of the cells, see :func:`belonging._arrowtext.may_need_trimming`): ids
    and e-mail addresses rarely do, and trimming a million strings costs more than the check.
    """
    from belonging._arrowtext import arrow_chunks, may_need_trimming

    text = s.astype("string")
    chunks = arrow_chunks(text)
    if chunks is None or may_need_trimming(chunks):
        text = text.str.strip()
    return (text.notna() & (text != "")).to_numpy(dtype=bool), text


def _strictly_increasing(text) -> bool:
    """Whether every value of the string Series `text` is present and greater than the one before.

    One comparison of neighbours (in Arrow when the strings are Arrow-backed), against hashing every
    value: when it holds, no value can repeat.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(text) < 2:
        return True
    try:
        arr = pa.chunked_array(text.array.__arrow_array__()) if hasattr(text.array, "__arrow_array__") else pa.chunked_array([pa.array(text.to_numpy(dtype=object), pa.large_string())])
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return False
    if arr.null_count:
        return False
    previous = None
    for chunk in arr.chunks:  # chunk by chunk (no copy of the whole column), and across each boundary
        if not len(chunk):
            continue
        if previous is not None and not pc.greater(chunk[0], previous).as_py():
            return False
        if len(chunk) > 1 and not pc.all(pc.greater(chunk.slice(1), chunk.slice(0, len(chunk) - 1))).as_py():
            return False
        previous = chunk[len(chunk) - 1]
    return True


def duplicates(frame, *, id_columns):
    """Later copies of a response (the first copy is not marked).

    Returns ``(mask, notes)``. A row is a duplicate when its ``response_id`` repeats an earlier one;
    when an identifier column repeats an earlier non-empty value (within the same ``wave`` if the
    data have waves); or when every column but ``response_id``/``source_row`` equals an earlier row's
    (only judged when the data carry time metadata, so identical answers alone never count).
    """
    import numpy as np
    import pandas as pd

    n = len(frame)
    mask = np.zeros(n, dtype=bool)
    notes = []
    if C.RESPONSE_ID in frame.columns:
        have, text = _present(frame[C.RESPONSE_ID])
        if not _strictly_increasing(text):  # ids in ascending order (a common export order) cannot repeat
            mask |= have & text.duplicated(keep="first").to_numpy(dtype=bool)
    wave = frame[C.WAVE].astype("string").fillna("") if C.WAVE in frame.columns else None
    for col in id_columns:
        have, text = _present(frame[col])
        key = text.str.casefold()
        # placeholders ("anonymous" in Microsoft Forms) and, in e-mail columns, anything without an @
        # are not identifiers
        have &= ~key.isin(_PLACEHOLDERS).fillna(False).to_numpy(dtype=bool)
        if _EMAIL.fullmatch(_norm(col)):
            have &= key.str.contains("@", regex=False).fillna(False).to_numpy(dtype=bool)
        keys = pd.DataFrame({"k": key, "w": wave}) if wave is not None else key
        mask |= have & keys.duplicated(keep="first").to_numpy(dtype=bool)
    time_meta = [c for c in _TIME_META if c in frame.columns]
    if time_meta:
        mask |= _exact_copies(frame, time_meta)
    else:
        notes.append("exact-copy duplicates not checked: the data have no time metadata (started_at, submitted_at, duration_s)")
    return mask, notes


def _exact_copies(frame, time_meta):
    """Later rows equal to an earlier row in every column but ``response_id``/``source_row``.

    Only rows whose time metadata repeats another row's can be copies, so the comparison of every
    column runs on those candidate rows alone (usually none or a few): the cost is one hash of the
    time columns, not of every text column of every row. Missing values compare equal, as in
    :meth:`pandas.DataFrame.duplicated`.
    """
    import numpy as np

    mask = np.zeros(len(frame), dtype=bool)
    candidates = frame[time_meta].duplicated(keep=False).to_numpy(dtype=bool)
    if candidates.any():
        rest = [c for c in frame.columns if c not in (C.RESPONSE_ID, C.SOURCE_ROW)]
        mask[candidates] = frame.loc[candidates, rest].duplicated(keep="first").to_numpy(dtype=bool)
    return mask


def incomplete(frame):
    """Rows the platform marks unfinished (``finished`` is False); missing flags are not judged."""
    import numpy as np
    import pandas as pd

    if C.FINISHED not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    fin = frame[C.FINISHED]
    if pd.api.types.is_bool_dtype(fin) or pd.api.types.is_numeric_dtype(fin):
        return (fin.astype("float64") == 0).to_numpy(dtype=bool)
    text = fin.astype("string").str.strip().str.casefold()
    return text.isin(_FALSE).fillna(False).to_numpy(dtype=bool)


def missing_items(x, instrument):
    """Rows where some scale (total or subscale) has fewer answered items than its minimum.

    Returns ``(mask, n_answered)``; `x` is the item matrix (instrument item order, NaN where not
    answered). The minimum for a scale of :math:`k` items is :math:`\\max(1, \\lceil m k \\rceil)`
    for the instrument's ``scoring.min_answered`` fraction :math:`m` (as scoring uses).

    The answers per row are counted a column at a time, each column's missing cells found once and
    taken off the count of every scale it belongs to, in the smallest integer type that holds the
    count: no boolean matrix of every cell, and a fraction of the time of row-wise counts of one.
    """
    import numpy as np

    ids = list(instrument.item_ids)
    pos = {i: j for j, i in enumerate(ids)}
    frac = instrument.scoring.min_answered
    n = x.shape[0]
    scales = [tuple(pos[m] for m in members) for members in instrument.scales().values()]
    everything = tuple(range(len(ids)))
    kind = np.uint8 if len(ids) < 256 else np.int64
    counts = {cols: np.full(n, len(cols), dtype=kind) for cols in (everything, *scales)}  # one count per set of items
    missing = np.empty(n, dtype=bool)
    for j in everything:
        np.isnan(x[:, j], out=missing)
        for cols, count in counts.items():
            if j in cols:
                np.subtract(count, missing.view(np.uint8), out=count, casting="unsafe")
    mask = np.zeros(n, dtype=bool)
    for cols in scales:
        mask |= counts[cols] < max(1, math.ceil(len(cols) * frac - 1e-9))
    return mask, counts[everything].astype("int64")


def speeders(frame, n_items, *, fraction, seconds_per_item):
    """Rows faster than the stricter (higher) of two cut-offs.

    Returns ``(mask, resolved)``: the cut-off is :math:`\\max(f \\cdot \\tilde{d}, s \\cdot k)` seconds
    for the median duration :math:`\\tilde{d}` over responses with a duration, fraction :math:`f`,
    seconds per item :math:`s` and :math:`k` items; ``resolved`` holds the median and the cut-off
    (None without ``duration_s``).
    """
    import numpy as np

    if C.DURATION_S not in frame.columns:
        return np.zeros(len(frame), dtype=bool), {"speeder_median_s": None, "speeder_cutoff_s": None}
    d = frame[C.DURATION_S].to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isfinite(d)
    if not ok.any():
        return np.zeros(len(frame), dtype=bool), {"speeder_median_s": None, "speeder_cutoff_s": None}
    median = float(np.median(d[ok]))
    cutoff = max(fraction * median, seconds_per_item * n_items)
    return ok & (np.where(ok, d, np.inf) < cutoff), {"speeder_median_s": median, "speeder_cutoff_s": cutoff}


def _codes(series, lookup):
    """Cells as float codes: numbers as they are, labels through `lookup`, else NaN."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        series = series.astype("float64")
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    text = series.astype("string").str.strip().str.casefold()
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    lab = text.map(lookup).to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(num), lab, num)


def attention_failures(frame, rules, lookup, rows):
    """Rows that answered an attention check with an unexpected answer.

    `rules` are ``(column, expected codes)`` pairs; a column may be named in any case. A missing
    answer does not fail the check (unfinished responses are judged by ``incomplete``); a label is
    read with the instrument's labels. Returns ``(mask, issues, notes)``, where `issues` is a list of
    frames with one row per failed cell.
    """
    import numpy as np
    import pandas as pd

    from belonging.ingest.privacy import redact_values

    mask = np.zeros(len(frame), dtype=bool)
    issues, notes = [], []
    lowered = {str(c).casefold(): c for c in frame.columns}
    for column, expected in rules:
        col = column if column in frame.columns else lowered.get(str(column).casefold())
        if col is None:
            notes.append(f"attention check {column!r} not found in the data; not checked")
            continue
        codes = _codes(frame[col], lookup)
        raw = frame[col]
        answered = raw.notna().to_numpy(dtype=bool) & (raw.astype("string").str.strip() != "").fillna(False).to_numpy(dtype=bool)
        fail = answered & ~np.isin(codes, np.asarray(expected, dtype="float64"))
        mask |= fail
        if fail.any():
            pos = np.flatnonzero(fail)
            exp = " or ".join(f"{e:g}" for e in expected)
            val = redact_values(raw.iloc[pos]).to_numpy()  # a typed e-mail or phone number is never echoed
            issues.append(
                pd.DataFrame(
                    {
                        C.ROW: rows[pos],
                        C.COLUMN: col,
                        C.VALUE: val,
                        C.REASON: "attention_check",
                        C.MESSAGE: "row " + pd.Series(rows[pos]).astype(str) + f", column {col!r}: attention check answered "
                        + pd.Series(val).map(repr) + f", expected {exp}",
                    }
                )
            )
    return mask, issues, notes
