"""`read_export`: one entry point for every supported export; detection by content."""

from __future__ import annotations

from pathlib import Path

from belonging import _columns as C
from belonging.errors import IngestError, UsageError
from belonging.ingest.generic import read_bytes, read_generic_table, sha256_of
from belonging.ingest.privacy import looks_identifying
from belonging.ingest.responses import ColumnInfo, Provenance, Responses

__all__ = ["PLATFORMS", "detect_format", "read_export"]

PLATFORMS = ("auto", "generic")


def detect_format(path, data: bytes) -> str:
    """Return ``"xlsx"``, ``"parquet"``, ``"tsv"`` or ``"csv"`` from the file's content (and suffix)."""
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    suffix = Path(str(path)).suffix.lower()
    if suffix in (".tsv", ".tab"):
        return "tsv"
    return "csv"


def read_export(path, *, platform: str = "auto", id_column: str | None = None, encoding: str | None = None) -> Responses:
    """Read a survey export into canonical :class:`Responses`.

    Parameters
    ----------
    path : str or os.PathLike
        The export file. Its format is detected from its content, not its name.
    platform : {"auto", "generic"}
        The platform that wrote the file; ``"auto"`` detects it.
    id_column : str, optional
        Column holding a response id; default ``response_id`` if present, else the 1-based record
        number.
    encoding : str, optional
        Text encoding; default: detected from a byte-order mark, else UTF-8, else cp1252.

    Returns
    -------
    Responses
        ``data`` starts with ``response_id`` (text) and ``source_row`` (1-based record number in the
        file), followed by the file's columns. The input file is never modified.

    Raises
    ------
    IngestError
        Missing, empty, binary or malformed file (the message names file and line).
    UsageError
        Unknown `platform`, or `id_column` not in the file.
    """
    if platform not in PLATFORMS:
        msg = f"`platform` must be one of: {', '.join(map(repr, PLATFORMS))}; got {platform!r}"
        raise UsageError(msg)
    data = read_bytes(path)
    fmt = detect_format(path, data)
    id_col = id_column or C.RESPONSE_ID
    frame, enc = read_generic_table(path, data, fmt=fmt, encoding=encoding, text_columns=(id_col,))
    return _canonical(path, data, frame, fmt=fmt, encoding=enc, platform="generic", id_column=id_column)


def _canonical(path, data: bytes, frame, *, fmt, encoding, platform, id_column) -> Responses:
    import pandas as pd

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
        blank = rid.isna() | (rid.str.strip() == "")
        if blank.any():
            row = int(blank.to_numpy().argmax()) + 1
            msg = f"{path}: row {row}, column {id_col!r}: empty response id; fill it in or leave out --id-column"
            raise IngestError(msg)
    out = pd.DataFrame({C.RESPONSE_ID: rid.to_numpy(), C.SOURCE_ROW: pd.RangeIndex(1, n + 1).to_numpy()})
    rest = frame.drop(columns=[c for c in (id_col, C.RESPONSE_ID, C.SOURCE_ROW) if c and c in frame.columns])
    out = pd.concat([out, rest.reset_index(drop=True)], axis=1)
    infos = [ColumnInfo(name=C.RESPONSE_ID, kind="meta"), ColumnInfo(name=C.SOURCE_ROW, kind="meta")]
    for col in rest.columns:
        ident = looks_identifying(col)
        infos.append(ColumnInfo(name=col, identifier=ident, kind="identifier" if ident else "other"))
    prov = Provenance(
        path=str(path), sha256=sha256_of(data), platform=platform, encoding=encoding, format=fmt, n_records=n
    )
    dropped = pd.DataFrame({C.SOURCE_ROW: pd.Series([], dtype="int64"), C.RESPONSE_ID: pd.Series([], dtype="string"), C.REASON: pd.Series([], dtype="string")})
    return Responses(data=out, columns=tuple(infos), provenance=prov, dropped=dropped)
