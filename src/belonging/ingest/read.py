"""`read_export`: one entry point for every supported export; detection by content."""

from __future__ import annotations

import io
import zipfile

from belonging import _columns as C
from belonging.errors import IngestError, UsageError
from belonging.ingest.generic import (
    decode_text,
    parse_delimited,
    read_and_hash,
    read_generic_table,
    read_xlsx_records,
    sniff_delimiter,
    split_header,
    unique_names,
)
from belonging.ingest.platforms import (
    PLATFORM_NAMES,
    RawTable,
    adapt,
    check_platform,
    detect_platform,
    header_facts,
    load_specs,
)
from belonging.ingest.privacy import looks_free_text, looks_identifying
from belonging.ingest.responses import ColumnInfo, Provenance, Responses

__all__ = ["PLATFORMS", "detect_container", "detect_format", "read_export"]

PLATFORMS = ("auto", *PLATFORM_NAMES)

_UNSUPPORTED = (
    (b"\xd0\xcf\x11\xe0", "a legacy Excel .xls (or other OLE) file; save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document; export the responses as CSV, TSV, XLSX, SPSS or Stata"),
    (b"\x1f\x8b", "gzip-compressed; decompress it first"),
)


def detect_container(path, data: bytes) -> str:
    """``"sav"``, ``"dta"``, ``"xlsx"``, ``"parquet"`` or ``"text"``, from the file's first bytes.

    Raises
    ------
    IngestError
        A format that is recognised but not supported (.xls, PDF, gzip, a zip archive that is not a
        workbook, JSON).
    """
    if data.startswith((b"$FL2", b"$FL3")):
        return "sav"
    if data.startswith(b"<stata_dta>") or (len(data) > 2 and data[0] in (0x71, 0x72, 0x73) and data[1] in (1, 2)):
        return "dta"
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            names = []
        if not any(n.startswith("xl/") for n in names):
            msg = f"{path}: unsupported format: a zip archive, not an XLSX workbook; unzip the export and read the file inside"
            raise IngestError(msg)
        return "xlsx"
    for magic, what in _UNSUPPORTED:
        if data.startswith(magic):
            msg = f"{path}: unsupported format: {what}"
            raise IngestError(msg)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        msg = f"{path}: unsupported format: looks like JSON; export the responses as CSV, TSV, XLSX, SPSS or Stata"
        raise IngestError(msg)
    return "text"


def detect_format(path, data: bytes) -> str:
    """Return ``"xlsx"``, ``"parquet"``, ``"tsv"``, ``"csv"``, ``"sav"`` or ``"dta"`` from content."""
    container = detect_container(path, data)
    if container != "text":
        return container
    text, _ = decode_text(path, data)
    return "tsv" if sniff_delimiter(text) == "\t" else "csv"


def read_export(
    path,
    *,
    platform: str = "auto",
    id_column: str | None = None,
    encoding: str | None = None,
    dictionary=None,
    timezone: str | None = None,
) -> Responses:
    """Read a survey export into canonical :class:`Responses`.

    Parameters
    ----------
    path : str or os.PathLike
        The export file. Its format and platform are detected from its content, not its name.
    platform : str
        ``"auto"`` (detect) or one of ``qualtrics``, ``qualtrics_legacy``, ``surveymonkey``,
        ``google_forms``, ``microsoft_forms``, ``limesurvey``, ``redcap``, ``spss``, ``stata``,
        ``generic``. A named platform must match the file's content.
    id_column : str, optional
        Column holding a response id; default the platform's id column (Qualtrics ``ResponseId``,
        SurveyMonkey ``Respondent ID``, REDCap record id ...), else ``response_id``, else the record
        number.
    encoding : str, optional
        Text encoding; default: from a byte-order mark (UTF-8, UTF-16), else UTF-8, else cp1252.
    dictionary : str or os.PathLike, optional
        REDCap data dictionary CSV: field labels, choices (label exports to codes) and fields marked
        ``Identifier? = y``.
    timezone : str, optional
        IANA time zone of time stamps written without an offset (default UTC).

    Returns
    -------
    Responses
        ``data``: ``response_id`` (text), ``source_row`` (1-based record number among the file's
        responses), then where the export has them ``started_at`` and ``submitted_at`` (UTC),
        ``duration_s``, ``finished`` (boolean), ``progress`` (0-100), ``wave``, then the file's
        other columns as text (SPSS/Stata: numeric codes). Only empty cells are missing: a literal
        ``NA`` stays text. ``columns``: question text, platform id, value labels and the
        ``identifier``/``free_text`` flags per column. ``dropped``: previews, tests and spam set aside
        (``source_row``, ``response_id``, ``reason``). The input file is never modified.

    Raises
    ------
    IngestError
        Missing, empty, binary, unsupported or malformed file; header only; header records that
        disagree; a file that does not match `platform`; a cell that cannot be read as a time,
        number or completion flag. The message names the file and the line or row.
    UsageError
        Unknown `platform` or `timezone`, or `id_column` not in the file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import belonging as bl
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "export.csv"
    >>> _ = path.write_text("response_id,email,ccs_01,ccs_02\\nR1,a@example.org,3,4\\nR2,b@example.org,1,\\n")
    >>> responses = bl.read_export(path)
    >>> responses.provenance.platform, len(responses)
    ('generic', 2)
    >>> responses.identifiers
    ('email',)
    >>> folder.cleanup()
    """
    if platform not in PLATFORMS:
        from belonging.errors import suggest

        msg = f"`platform` must be one of: {', '.join(map(repr, PLATFORMS))}; got {platform!r}{suggest(platform, PLATFORMS)}"
        raise UsageError(msg)
    if timezone is not None:
        _check_timezone(timezone)
    fields = None
    if dictionary is not None:
        from belonging.ingest.redcap import check_dictionary, read_dictionary

        fields = read_dictionary(dictionary)
        check_dictionary(dictionary, fields)
    data, digest = read_and_hash(path)  # a large file is hashed while it is parsed; digest() waits for it
    container = detect_container(path, data)
    options = {"id_column": id_column, "timezone": timezone, "dictionary": fields}
    specs = load_specs()
    if container in ("sav", "dta"):
        from belonging.ingest.canonical import canonicalise
        from belonging.ingest.readstat import read_readstat

        key = "spss" if container == "sav" else "stata"
        if platform not in ("auto", key):
            check_platform(path, specs[platform], container, [])
        table = read_readstat(path, container, encoding=encoding)
        return canonicalise(path, digest, specs[key], table, fmt=container, encoding="file", options=options)
    if container == "parquet":
        if platform not in ("auto", "generic"):
            check_platform(path, specs[platform], container, [])
        frame, enc, renamed = read_generic_table(path, data, fmt="parquet")
        return _generic(path, digest, frame, fmt="parquet", encoding=enc, renamed=renamed, options=options)
    if container == "xlsx":
        grid = read_xlsx_records(path, data)
        records = [_cells(grid.iloc[i]) for i in range(min(3, len(grid)))]
        text = delim = None
        enc = "xlsx"
    else:
        text, enc, bom = _head_text(path, data, encoding)
        delim = sniff_delimiter(text)
        records, _ = split_header(text, delimiter=delim, header_rows=3)
        if not records or not any(c.strip() for c in records[0]):
            msg = f"{path}: line 1 is empty; the first line must name the columns"
            raise IngestError(msg)
    key = detect_platform(container, records) if platform == "auto" else platform
    spec = specs[key]
    if platform != "auto":
        check_platform(path, spec, container, records)
    if key == "generic" and container != "xlsx" and bom is not None:
        got = _generic_utf8_body(path, data, text, delim, bom, id_column)
        if got is not None:  # None: not valid UTF-8 after all; decode the whole file below
            frame, renamed = got
            return _generic(path, digest, frame, fmt="tsv" if delim == "\t" else "csv", encoding=enc, renamed=renamed, options=options)
    if key == "generic":
        fmt = "xlsx" if container == "xlsx" else ("tsv" if delim == "\t" else "csv")
        frame, enc, renamed = read_generic_table(path, data, fmt=fmt, encoding=encoding, text_columns=(id_column or C.RESPONSE_ID,))
        return _generic(path, digest, frame, fmt=fmt, encoding=enc, renamed=renamed, options=options)
    if len(records) < spec.header_rows:
        msg = f"{path}: {spec.name} exports have {spec.header_rows} header rows; the file has {len(records)} record(s) and no responses"
        raise IngestError(msg)
    records = records[: spec.header_rows]
    names, questions, ids = header_facts(path, spec, records)
    if container == "xlsx":
        body = grid.iloc[spec.header_rows :].reset_index(drop=True)
        body = body.set_axis(unique_names(names)[0], axis=1).infer_objects()
        fmt = "xlsx"
    else:
        _, offset = split_header(text, delimiter=delim, header_rows=spec.header_rows)
        cols = unique_names(names)[0]
        try:
            if bom is None:
                body = parse_delimited(path, text, delimiter=delim, names=cols, body_offset=offset, all_text=True)
            else:  # UTF-8: pyarrow reads the file's own bytes after the header (no decode, no copy)
                start = bom + len(text[:offset].encode("utf-8"))
                body = parse_delimited(
                    path, lambda: data[bom:].decode("utf-8", errors="replace"), delimiter=delim, names=cols,
                    body_offset=offset, all_text=True, body=data, body_start=start,
                )
        except UnicodeError:
            if encoding:
                msg = f"{path}: not valid {encoding} text; give the right --encoding"
                raise IngestError(msg) from None
            text, enc = decode_text(path, data)  # cp1252, unless UTF-8 with a few Latin-1 lines (an error)
            _, offset = split_header(text, delimiter=delim, header_rows=spec.header_rows)
            body = parse_delimited(path, text, delimiter=delim, names=cols, body_offset=offset, all_text=True)
        fmt = "tsv" if delim == "\t" else "csv"
    if spec.missing:
        body = body.mask(body.isin(list(spec.missing)))
    table = RawTable(frame=body, names=names, questions=questions, platform_ids=ids)
    table = adapt(path, spec, table, options)
    from belonging.ingest.canonical import canonicalise

    return canonicalise(path, digest, spec, table, fmt=fmt, encoding=enc, options=options)


_HEAD = 1 << 22


def _generic_utf8_body(path, data: bytes, head: str, delim: str, bom: int, id_column):
    """A generic UTF-8 table parsed from the file's own bytes after the header (no decode, no copy).

    Returns the frame and the duplicate column names renamed, or None when the body is not UTF-8.
    """
    _, offset = split_header(head, delimiter=delim, header_rows=1)
    if offset >= len(head) and len(head) < len(data) - bom:
        return None  # the header does not end inside the decoded head: take the general path
    records, _ = split_header(head, delimiter=delim, header_rows=1)
    names, renamed = unique_names(records[0])
    start = bom + len(head[:offset].encode("utf-8"))
    try:
        frame = parse_delimited(
            path, lambda: data[bom:].decode("utf-8", errors="replace"), delimiter=delim, names=names,
            body_offset=offset, text_columns=(id_column or C.RESPONSE_ID,), body=data, body_start=start,
        )
    except UnicodeError:
        return None
    return frame, renamed


def _head_text(path, data: bytes, encoding):
    """Text to parse the header from: ``(text, encoding, bom_length)``.

    For UTF-8 files only the first 4 MiB are decoded (``bom_length`` is then 0 or 3, and the body is
    handed to pyarrow as bytes, which checks that it is valid UTF-8); other encodings decode the
    whole file (``bom_length`` None).
    """
    import codecs

    from belonging.ingest.generic import _is_binary

    if _is_binary(data):
        return (*decode_text(path, data, encoding), None)
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    utf8 = encoding is None and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    utf8 = utf8 or (encoding or "").lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
    if utf8 and len(data) > _HEAD:
        try:
            head = codecs.getincrementaldecoder("utf-8")().decode(data[bom : bom + _HEAD], final=False)
        except UnicodeDecodeError:
            head = None
        if head is not None and "\x00" not in head[:8192]:
            return head, ("utf-8-sig" if bom else "utf-8"), bom
    text, enc = decode_text(path, data, encoding)
    return text, enc, (bom if enc in ("utf-8", "utf-8-sig") else None)


def _cells(row) -> list[str]:
    import pandas as pd

    return ["" if pd.isna(v) else str(v).strip() for v in row.tolist()]


def _check_timezone(tz: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        msg = f"--timezone {tz!r} is not a known IANA time zone (e.g. 'Europe/London', 'America/New_York', 'UTC')"
        raise UsageError(msg) from None


# Time stamp layouts of generic tables (ISO 8601), tried in order on started_at / submitted_at.
_GENERIC_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d",
)


def _blank_cells(text):
    """Boolean NumPy mask of the missing, empty or all-whitespace cells of the string Series `text`.

    With Arrow storage, from the cells' first bytes: a cell whose first byte is printable ASCII is not
    blank, so only the others (usually none) go through Arrow's white-space kernel. Else with
    ``str.strip``. Tested against the ``str.strip`` route.
    """
    import numpy as np

    from belonging._arrowtext import arrow_chunks, edge_bytes, may_be_space

    chunks = arrow_chunks(text)
    if chunks is None:
        return (text.isna() | (text.str.strip() == "")).to_numpy(dtype=bool)
    import pyarrow.compute as pc

    parts = []
    for chunk in chunks:
        first, _, filled = edge_bytes(chunk, last=False)
        blank = ~filled
        maybe = np.flatnonzero(filled & may_be_space(first))  # may be all white space
        if len(maybe):
            blank[maybe] = pc.utf8_is_space(chunk.take(maybe)).to_numpy(zero_copy_only=False)
        parts.append(blank)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def _generic(path, digest, frame, *, fmt, encoding, renamed, options) -> Responses:
    """Canonical Responses from a generic table: id, record number, UTC times, the other columns as read.

    Duplicate column names renamed, the time zone assumed and a derived ``duration_s`` are noted in
    the provenance, as :func:`~belonging.ingest.canonical.canonicalise` notes them for platforms.
    """
    import numpy as np
    import pandas as pd

    from belonging.ingest.canonical import derive_duration, parse_times

    id_column = options.get("id_column")
    notes = [f"duplicate column name {old!r} renamed {new!r}" for old, new in renamed]
    n = len(frame)
    if n == 0:
        msg = f"{path}: the file has a header but no responses"
        raise IngestError(msg)
    frame.columns = [str(c) for c in frame.columns]
    if id_column is not None and id_column not in frame.columns:
        from belonging.errors import suggest

        msg = f"{path}: --id-column {id_column!r} is not a column of the file{suggest(id_column, frame.columns)}"
        raise UsageError(msg)
    id_col = id_column or (C.RESPONSE_ID if C.RESPONSE_ID in frame.columns else None)
    if id_col is None:
        rid = pd.Series(pd.RangeIndex(1, n + 1).astype(str), dtype="string")
    else:
        rid = frame[id_col].astype("string")
        blank = _blank_cells(rid)
        if blank.any():
            row = int(blank.argmax()) + 1
            msg = f"{path}: row {row}, column {id_col!r}: empty response id; fill it in or leave out --id-column"
            raise IngestError(msg)
    rest = frame.drop(columns=[c for c in (id_col, C.RESPONSE_ID, C.SOURCE_ROW) if c and c in frame.columns])
    columns = {C.RESPONSE_ID: rid.array, C.SOURCE_ROW: pd.RangeIndex(1, n + 1).to_numpy()}
    tz = options.get("timezone")
    rows = np.arange(1, n + 1)
    times = [c for c in (C.STARTED_AT, C.SUBMITTED_AT) if c in rest.columns]
    for col in times:
        columns[col] = parse_times(path, rest[col], _GENERIC_TIME_FORMATS, timezone=tz, column=col, rows=rows).array
    if times:
        notes.append(f"times without an offset read as {tz or 'UTC'}" + ("" if tz else " (give --timezone if the export used local time)"))
    if C.DURATION_S not in rest.columns:
        duration = derive_duration(columns, notes)
        if duration is not None:
            columns[C.DURATION_S] = duration.array
    columns.update((col, rest[col].array) for col in rest.columns if col not in columns)  # no copy, no object round trip
    out = pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)  # one block per column: no consolidating copy
    infos = [ColumnInfo(name=C.RESPONSE_ID, kind="meta"), ColumnInfo(name=C.SOURCE_ROW, kind="meta")]
    for col in out.columns[2:]:
        if col in times or col not in rest.columns:  # parsed times, derived duration
            infos.append(ColumnInfo(name=col, kind="meta"))
            continue
        free = looks_free_text(col) and not pd.api.types.is_numeric_dtype(rest[col])
        ident = looks_identifying(col) or free
        infos.append(ColumnInfo(name=col, identifier=ident, free_text=free, kind="identifier" if ident else "other"))
    prov = Provenance(path=str(path), sha256=digest(), platform="generic", encoding=encoding, format=fmt, n_records=n, notes=tuple(notes))
    dropped = pd.DataFrame({C.SOURCE_ROW: pd.Series([], dtype="int64"), C.RESPONSE_ID: pd.Series([], dtype="string"), C.REASON: pd.Series([], dtype="string")})
    return Responses(data=out, columns=tuple(infos), provenance=prov, dropped=dropped)
