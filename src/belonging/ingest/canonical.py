"""One code path from a parsed export (:class:`RawTable`) to canonical :class:`Responses`.

Every platform reader ends here: names made unique, empty trailing columns dropped, platform columns
renamed to the canonical meta names, previews/tests set aside with a reason, times parsed to UTC,
``finished``/``progress``/``duration_s`` typed, identifying and free-text columns flagged. All
steps are column-wise (no loop over responses).
"""

from __future__ import annotations

import re
from types import MappingProxyType

from belonging import _columns as C
from belonging.errors import IngestError, UsageError, suggest
from belonging.ingest.generic import unique_names
from belonging.ingest.privacy import holds_free_text, looks_free_text, looks_identifying
from belonging.ingest.responses import ColumnInfo, Provenance, Responses

__all__ = ["as_text", "canonicalise", "derive_duration", "keep_rows", "parse_times"]

_DT_META = (C.STARTED_AT, C.SUBMITTED_AT)
_OFFSETS = (
    (re.compile(r"\s*(?:UTC|GMT)$"), " +0000"),
    (re.compile(r"\s*(?:UTC|GMT)([+-])(\d)$"), r" \g<1>0\g<2>00"),
    (re.compile(r"\s*(?:UTC|GMT)([+-])(\d\d)$"), r" \g<1>\g<2>00"),
    (re.compile(r"\s*(?:UTC|GMT)([+-])(\d):?(\d\d)$"), r" \g<1>0\g<2>\g<3>"),
    (re.compile(r"\s*(?:UTC|GMT)([+-])(\d\d):?(\d\d)$"), r" \g<1>\g<2>\g<3>"),
)


def as_text(s):
    """A column as pandas string dtype; whole numbers lose their ``.0`` (SPSS codes ``1.0`` -> ``"1"``)."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(s):
        return s.astype("string").str.replace("True", "1").str.replace("False", "0")
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("Float64").astype("string").str.replace(r"\.0$", "", regex=True)
    return s.astype("string").str.strip()


def _fail(path, rows, mask, col, what: str, extra: str = ""):
    import numpy as np

    pos = int(np.flatnonzero(np.asarray(mask))[0])
    msg = f"{path}: row {rows[pos]}, column {col!r}: {what}{extra}"
    raise IngestError(msg)


def parse_times(path, s, formats, *, timezone, column: str, rows):
    """Parse time stamps column-wise to timezone-aware UTC.

    Each format of `formats` is tried on the whole column; the first that reads every non-empty cell
    wins. Cells with an offset (``+01:00``, ``UTC+1``) are converted from it; cells without one are
    local time in `timezone` (IANA name; default UTC).

    Raises
    ------
    IngestError
        A cell no format reads, or a local time that does not exist or is ambiguous in `timezone`
        (daylight-saving change); the message names file, row, column and value.
    """
    import pandas as pd

    tz = timezone or "UTC"
    if pd.api.types.is_datetime64_any_dtype(s):
        parsed = s
    elif s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("datetime", "datetime64", "date"):
        parsed = pd.to_datetime(s, errors="coerce")
    else:
        parsed = _iso_seconds(s) if formats and formats[0] == _ISO_SECONDS else None
        if parsed is None:
            parsed = _parse_text_times(path, s, formats, column=column, rows=rows)
    if parsed.dt.tz is not None:
        return parsed.dt.tz_convert("UTC")
    local = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    lost = local.isna() & parsed.notna()
    if bool(lost.any()):
        _fail(path, rows, lost, column, f"local time {str(parsed[lost].iloc[0])!r} is ambiguous or does not exist in time zone {tz!r} (daylight-saving change)", "; fix the cell or give another --timezone")
    return local.dt.tz_convert("UTC")


def _parse_text_times(path, s, formats, *, column, rows):
    """Time stamps as text parsed with the first of `formats` that reads every non-empty cell."""
    import pandas as pd

    text = s.astype("string").str.strip()
    text = text.where(text != "", pd.NA)
    have = text.notna()
    if bool(text.str.contains("UTC|GMT", regex=True).fillna(False).any()):
        for pattern, repl in _OFFSETS:
            text = text.str.replace(pattern, repl, regex=True)
    best, best_bad = None, None
    for fmt in formats:
        got = pd.to_datetime(text, format=fmt, errors="coerce", utc="%z" in fmt)
        bad = have & got.isna()
        if not bool(bad.any()):
            return got
        if best_bad is None or int(bad.sum()) < int(best_bad.sum()):
            best, best_bad = got, bad
    _fail(path, rows, best_bad, column, f"cannot read time {s[best_bad].iloc[0]!r}", f" (expected a format like {formats[0]!r})")
    return best


_ISO_SECONDS = "%Y-%m-%d %H:%M:%S"


def _iso_seconds(s):
    """Text column `s` read as ``YYYY-MM-DD hh:mm:ss`` by pyarrow's cast, or None when it cannot be.

    pyarrow's cast to a time stamp reads ISO 8601 forms only. Cells that are all 19 characters with a
    space at position 10 can then only be ``YYYY-MM-DD hh:mm:ss`` (the cast refuses an offset for a
    time stamp without a zone, and any cell it cannot read makes it fail: None). That form
    `pandas.to_datetime` reads with `_ISO_SECONDS` to the same instants, several times slower. None
    also for text not held by Arrow and for columns without cells: the general path reads them.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"):
        return None
    arr = pa.chunked_array(s.array.__arrow_array__())
    size = pc.min_max(pc.binary_length(arr)).as_py()
    if size["min"] != 19 or size["max"] != 19:
        return None
    between = pc.binary_slice(arr.cast(pa.large_binary()), 10, 11)  # date | time; as bytes: 4x faster than a UTF-8 slice
    if not pc.all(pc.equal(between, pa.scalar(b" ", pa.large_binary()))).as_py():
        return None
    try:
        stamps = pc.cast(arr, pa.timestamp("us"))
    except pa.ArrowInvalid:  # an impossible date or time: the general path names the cell
        return None
    return pd.Series(stamps.to_numpy(), index=s.index, name=s.name, dtype="datetime64[us]")


def derive_duration(times, notes: list):
    """``submitted_at - started_at`` in seconds, or None when `times` lacks either column.

    `times` maps column names to UTC time stamp Series. A negative difference or a missing time gives
    a missing duration. The derivation is appended to `notes` (the provenance notes), so the speeder
    check's input is traceable to the export.
    """
    if C.STARTED_AT not in times or C.SUBMITTED_AT not in times:
        return None
    import pandas as pd

    started, submitted = pd.Series(times[C.STARTED_AT]), pd.Series(times[C.SUBMITTED_AT])
    seconds = (submitted.to_numpy() - started.to_numpy()) / pd.Timedelta(seconds=1)  # NaT -> NaN
    duration = pd.Series(seconds, index=started.index, dtype="float64")
    negative = int((duration < 0).sum())
    duration = duration.mask(duration < 0)
    note = f"{C.DURATION_S} derived as {C.SUBMITTED_AT} - {C.STARTED_AT} (the export has no duration column)"
    if negative:
        note += f"; {negative} negative difference(s) left missing"
    notes.append(note)
    return duration


def _map_values(s, values: dict):
    """``s.map(values).astype("string")``, with `values` looked up once per distinct value of `s`.

    A status column holds a handful of distinct values in any number of rows.
    """
    import pandas as pd

    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = pd.Series(uniques, dtype=s.dtype).map(values).astype("string")
    return pd.Series(mapped.array.take(codes, allow_fill=True), index=s.index, name=s.name)


def _finished(path, s, spec, rows, column):
    import pandas as pd

    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean")
    text = as_text(s) if pd.api.types.is_numeric_dtype(s) else s.astype("string")
    trues, falses = list(spec.finished.get("true", ())), list(spec.finished.get("false", ()))
    is_true, is_false = text.isin(trues).to_numpy(dtype=bool), text.isin(falses).to_numpy(dtype=bool)
    out = pd.array(is_true, dtype="boolean")
    out[~(is_true | is_false)] = pd.NA
    out = pd.Series(out, index=s.index)
    bad = text.notna() & ~text.str.strip().isin(["", *trues, *falses])
    truth = [*trues, *falses]
    if bool(bad.any()):
        _fail(path, rows, bad, column, f"unknown completion flag {text[bad].iloc[0]!r}", f" (expected one of {truth})")
    return out


def _number(path, s, rows, column):
    import pandas as pd

    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    try:  # fast: pyarrow's cast of the text column (fails on any non-number)
        return s.astype("string[pyarrow]").astype("float64[pyarrow]").astype("float64")
    except (ValueError, TypeError):  # pyarrow's ArrowInvalid is a ValueError: locate the bad cell below
        pass
    text = as_text(s)
    num = pd.to_numeric(text.where(text != "", pd.NA), errors="coerce").astype("float64")
    bad = text.notna() & (text != "") & num.isna()
    if bool(bad.any()):
        _fail(path, rows, bad, column, f"expected a number, got {text[bad].iloc[0]!r}")
    return num


def canonicalise(path, data_sha256, spec, table, *, fmt: str, encoding: str, options: dict) -> Responses:
    """Build :class:`Responses` from an adapted :class:`~belonging.ingest.platforms.RawTable`.

    `data_sha256` is the input's hex SHA-256, or a function returning it, called last (the hash may
    still be taken on another thread meanwhile).
    """
    import numpy as np
    import pandas as pd

    frame = table.frame
    n = len(frame)
    if n == 0:
        msg = f"{path}: the file has a header but no responses"
        raise IngestError(msg)
    notes = list(table.notes)
    raw_names = [str(x).strip() for x in table.names]
    names, renamed = unique_names(raw_names)
    for old, new in renamed:
        notes.append(f"duplicate column name {old!r} renamed {new!r}")
    frame = frame.set_axis(names, axis=1)
    info = {nm: (q, pid) for nm, q, pid in zip(names, table.questions, table.platform_ids)}
    # Trailing columns with no name and no value (a comma at the end of every line) carry nothing.
    keep = list(names)
    while keep and not raw_names[len(keep) - 1] and frame[keep[-1]].isna().all():
        keep.pop()
    if len(keep) < len(names):
        notes.append(f"{len(names) - len(keep)} empty unnamed trailing column(s) dropped")
        frame = frame[keep]
    rows = np.arange(1, n + 1)
    meta = {}
    used = set()
    for dst in C.META_COLUMNS:
        if dst in frame.columns and dst != C.SOURCE_ROW:
            meta[dst] = frame[dst]
            used.add(dst)
    for src, dst in spec.rename.items():
        if src in frame.columns and dst not in meta:
            meta[dst] = frame[src]
            used.add(src)
    for dst, series in table.derived.items():
        meta[dst] = series.set_axis(frame.index)
    # Records that are not responses (previews, tests, spam).
    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    for col, values in spec.drop.items():
        if col in frame.columns:
            reason = reason.fillna(_map_values(as_text(frame[col]), values))
    # Response id.
    id_column = options.get("id_column")
    if id_column is not None:
        if id_column not in frame.columns:
            msg = f"{path}: --id-column {id_column!r} is not a column of the file{suggest(id_column, frame.columns)}"
            raise UsageError(msg)
        meta[C.RESPONSE_ID] = frame[id_column]
        used.add(id_column)
    if C.RESPONSE_ID in meta:
        rid = as_text(meta[C.RESPONSE_ID])
        blank = (rid.isna() | (rid == "")) & reason.isna()
        if bool(blank.any()):
            _fail(path, rows, blank, C.RESPONSE_ID, "empty response id", "; fill it in or give another --id-column")
        rid = rid.fillna("")
    else:
        rid = pd.Series(pd.RangeIndex(1, n + 1).astype(str), index=frame.index, dtype="string")
    out = {C.RESPONSE_ID: rid, C.SOURCE_ROW: pd.Series(rows, index=frame.index)}
    tz = options.get("timezone")
    for col in _DT_META:
        if col in meta:
            out[col] = parse_times(path, meta[col], spec.date_formats, timezone=tz, column=col, rows=rows)
    if any(c in out for c in _DT_META):
        notes.append(f"times without an offset read as {tz or 'UTC'}" + ("" if tz else " (give --timezone if the export used local time)"))
    if C.DURATION_S in meta:
        out[C.DURATION_S] = _number(path, meta[C.DURATION_S], rows, C.DURATION_S)
    else:
        duration = derive_duration(out, notes)
        if duration is not None:
            out[C.DURATION_S] = duration
    if C.FINISHED in meta:
        out[C.FINISHED] = _finished(path, meta[C.FINISHED], spec, rows, C.FINISHED)
    if C.PROGRESS in meta:
        out[C.PROGRESS] = _number(path, meta[C.PROGRESS], rows, C.PROGRESS)
    if C.WAVE in meta:
        out[C.WAVE] = as_text(meta[C.WAVE])
    rest = [c for c in frame.columns if c not in used and c not in out]
    result = pd.concat([pd.DataFrame(out), frame[rest]], axis=1)
    dropped_mask = reason.notna().to_numpy()
    dropped = pd.DataFrame(
        {
            C.SOURCE_ROW: rows[dropped_mask].astype("int64"),
            C.RESPONSE_ID: rid[dropped_mask].astype("string").to_numpy(),
            C.REASON: reason[dropped_mask].astype("string").to_numpy(),
        }
    )
    counts = dropped[C.REASON].value_counts(sort=False).to_dict() if len(dropped) else {}
    if dropped_mask.any():
        result = keep_rows(result, ~dropped_mask)
    infos = _column_infos(spec, table, result, info, used)
    prov = Provenance(
        path=str(path), sha256=data_sha256() if callable(data_sha256) else data_sha256, platform=spec.key, encoding=encoding, format=fmt, n_records=n,
        dropped=MappingProxyType({str(k): int(v) for k, v in counts.items()}), notes=tuple(notes),
    )
    return Responses(data=result, columns=tuple(infos), provenance=prov, dropped=dropped)


_MAX_RUNS = 4096  # kept stretches up to which text columns are sliced rather than copied


def keep_rows(frame, keep):
    """`frame` without the rows where `keep` is False, with a fresh RangeIndex.

    A reader drops few records (previews, tests) from a large file: Arrow-backed text columns are
    then rebuilt from zero-copy slices of the stretches of kept rows instead of copying every string;
    with many stretches (or other column types) the rows are selected as usual.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    keep = np.asarray(keep, dtype=bool)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], keep.view(np.int8), [0]))))
    runs = list(zip(edges[::2].tolist(), edges[1::2].tolist()))
    columns = {}
    arrow = {}  # Arrow-backed columns, sliced together below
    for col in frame.columns:
        arr = frame[col].array
        dtype = arr.dtype
        if (isinstance(dtype, pd.ArrowDtype) or getattr(dtype, "storage", None) == "pyarrow") and len(runs) <= _MAX_RUNS:
            arrow[col] = (dtype, pa.chunked_array(arr.__arrow_array__()))
            columns[col] = None  # keeps the column's place
        else:
            columns[col] = arr[keep]
    if arrow:
        # One table slice per stretch cuts every column at once (in C++), instead of one Python call per
        # column and stretch; the pieces' chunks are joined without copying.
        table = pa.table([whole for _, whole in arrow.values()], names=[str(i) for i in range(len(arrow))])
        kept = pa.concat_tables([table.slice(start, stop - start) for start, stop in runs] or [table.slice(0, 0)])
        for i, (col, (dtype, _)) in enumerate(arrow.items()):
            columns[col] = dtype.__from_arrow__(kept.column(i))
    return pd.DataFrame(columns, index=pd.RangeIndex(int(keep.sum())), copy=False)


def _column_infos(spec, table, frame, info, used):
    # Without platform question ids (ImportId), open questions are recognised by their cells too.
    by_content = spec.id_row == 0 and spec.key not in ("spss", "stata")
    idents = {s.casefold() for s in spec.identifiers}
    free_patterns = [re.compile(p, re.IGNORECASE) for p in spec.free_text]
    system = [re.compile(p) for p in spec.system]
    infos = []
    for col in frame.columns:
        if col in C.META_COLUMNS:
            infos.append(ColumnInfo(name=col, kind="meta"))
            continue
        question, pid = info.get(col, (None, None))
        other = any(p.fullmatch(col) or (pid and p.fullmatch(pid)) for p in free_patterns)
        free = col in table.free_text or other or (looks_free_text(col) and col not in table.value_labels)
        ident = col.casefold() in idents or col in table.identifiers or looks_identifying(col) or free
        system_col = any(p.fullmatch(col) for p in system)
        if by_content and not ident and not system_col and col not in table.value_labels and holds_free_text(frame[col]):
            free = ident = True
        labels = table.value_labels.get(col, {})
        if ident:
            kind = "identifier"
        elif any(p.fullmatch(col) for p in system):
            kind = "system"
        else:
            kind = "answer" if (question and question != col) or labels or free else "other"
        infos.append(
            ColumnInfo(
                name=col, question=question or None, platform_id=pid, value_labels=MappingProxyType(dict(labels)),
                identifier=bool(ident), free_text=bool(free), kind=kind,
            )
        )
    return infos
