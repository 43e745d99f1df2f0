"""Atomic, injection-safe output writing.

Every file `belonging` writes goes to a temporary file in the target folder first and is renamed into
place only when complete, so a failed run never leaves a partial file. Text cells that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-`` or ``@``) are neutralised in CSV and XLSX
outputs by prefixing an apostrophe (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from belonging.errors import UsageError

__all__ = [
    "TABLE_FORMATS",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_files",
    "atomic_write_text",
    "neutralise_formulas",
    "sidecar_path",
    "write_table",
    "write_with_provenance",
]

TABLE_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".xlsx": "xlsx", ".json": "json"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _new_temp(target: Path) -> Path:
    """A new empty file beside `target`, created with the permissions an ordinary ``open`` would give.

    ``tempfile.mkstemp`` creates files readable by the owner only (0600), which would leave every output
    unreadable to colleagues or a web server after the rename; here the mode is 0666 less the umask.
    """
    import secrets

    for _ in range(100):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.part"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    msg = f"{target.parent}: could not create a temporary file for {target.name}"
    raise OSError(msg)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds.

    The folder must exist (a mistyped ``-o`` path is an error, not a new folder tree). A target that
    is a device or a pipe (``/dev/null``, ``/dev/stdout``, a FIFO) is written directly: it cannot be
    replaced by a rename, and must not be. A write that fails (a full disk, a read-only folder) raises
    :class:`~belonging.errors.OutputError` naming `path`, and leaves nothing behind.
    """
    target = Path(path)
    if _is_special(target):
        with _naming(target):
            yield target
        return
    if not target.parent.is_dir():
        msg = f"{target}: the folder {target.parent} does not exist; create it first or write somewhere else"
        raise UsageError(msg)
    if target.is_dir():
        msg = f"{target}: is a folder; give the name of the file to write"
        raise UsageError(msg)
    with _naming(target):
        tmp_path = _new_temp(target)
    try:
        with _naming(target):
            yield tmp_path
            os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _is_special(target: Path) -> bool:
    """`target` exists and is not a regular file or a folder (a character device, a pipe, a socket)."""
    import stat

    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def _naming(target: Path) -> Iterator[None]:
    """Turn an :class:`OSError` raised while writing `target` into an OutputError naming `target`.

    pandas, pyarrow and openpyxl raise the operating system's error without a file name (or with
    the temporary file's); the user asked for `target`.
    """
    from belonging.errors import OutputError

    try:
        yield
    except OutputError:
        raise
    except OSError as err:
        import errno

        reason = err.strerror or (os.strerror(err.errno) if err.errno else str(err))
        if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "No space left" in str(err):
            reason, fix = (reason if err.errno else "No space left on device"), "free some space or write the output elsewhere"
        elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            fix = "check the folder's permissions or write the output elsewhere"
        else:
            fix = "write the output elsewhere"
        msg = f"{target}: cannot write ({reason}); {fix}"
        raise OutputError(msg) from None


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically."""
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_files(contents) -> None:
    """Write several files all or none: ``{path: bytes}``.

    Every file is written to a temporary file beside its target first; only then are they renamed
    into place. If a rename fails, the targets already replaced get their earlier content back (or
    are removed if they did not exist), and the error names the target, not the temporary file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from belonging._io import atomic_write_files
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "b.txt").mkdir()  # a folder where a file should go: nothing is written
    >>> try:
    ...     atomic_write_files({folder / "a.txt": b"A", folder / "b.txt": b"B"})
    ... except OSError as err:
    ...     print(Path(err.filename).name, sorted(p.name for p in folder.iterdir()))
    b.txt ['b.txt']
    """
    targets = {Path(p): bytes(data) for p, data in contents.items()}
    for target in targets:
        if not target.parent.is_dir():
            msg = f"{target}: the folder {target.parent} does not exist; create it first or write somewhere else"
            raise UsageError(msg)
    temps, kept, done = {}, {}, []
    try:
        for target, data in targets.items():
            temps[target] = _new_temp(target)
            temps[target].write_bytes(data)
        for target, tmp in temps.items():
            try:
                if target.exists() and not target.is_dir():
                    kept[target] = _new_temp(target)
                    os.replace(target, kept[target])
                os.replace(tmp, target)
            except OSError as err:
                raise OSError(err.errno, f"cannot write here ({err.strerror or err})", str(target)) from None
            done.append(target)
    except BaseException:
        for target in reversed(done):  # put back what was there before
            if target in kept:
                os.replace(kept.pop(target), target)
            else:
                target.unlink(missing_ok=True)
        for target, old in list(kept.items()):
            if not target.exists():
                os.replace(old, target)
            kept.pop(target)
        raise
    finally:
        for path in [*temps.values(), *kept.values()]:
            if path.exists() and path.is_file() and path.name.endswith(".part"):
                path.unlink()


def neutralise_formulas(df):
    """Return a copy of `df` whose text cells cannot run as spreadsheet formulas.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    apostrophe. Numeric columns are left as they are (a negative number is not a formula).
    """
    import pandas as pd

    out = df.copy(deep=False)  # columns are replaced, never written into
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s):
            continue
        risky = _formula_cells(s)
        if risky.any():
            text = s.astype("string")
            out[col] = s.astype(object).where(~risky, "'" + text[risky].astype(str))
    renamed = {
        c: "'" + c for c in out.columns if isinstance(c, str) and c.startswith(_FORMULA_START)
    }
    return out.rename(columns=renamed) if renamed else out


def _formula_cells(s):
    """Boolean NumPy mask of the text cells of `s` that start like a spreadsheet formula."""
    import numpy as np

    from belonging._arrowtext import arrow_chunks

    chunks = arrow_chunks(s)
    if chunks is not None:
        return np.concatenate([_formula_starts(c) for c in chunks]) if chunks else np.zeros(0, dtype=bool)
    return s.astype("string").str.startswith(_FORMULA_START).fillna(False).to_numpy(dtype=bool)


def _formula_starts(chunk):
    """`_formula_cells` for one Arrow string array, from its buffers: each cell's first byte.

    Every marker is an ASCII character, and in UTF-8 no byte of a multi-byte character is ASCII, so
    a cell starts with a marker exactly when its first byte is one: a gather and a table lookup,
    without building a string per cell.
    """
    import numpy as np

    from belonging._arrowtext import edge_bytes

    first, _, filled = edge_bytes(chunk, last=False)
    marker = np.zeros(256, dtype=bool)
    marker[[ord(c) for c in _FORMULA_START]] = True
    return filled & marker[first]


def table_format(path: str) -> str:
    """Return the output format for `path` from its suffix, or raise :class:`UsageError`."""
    if path == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_FORMATS:
        allowed = ", ".join(TABLE_FORMATS)
        msg = f"cannot write {path!r}: unknown output format {suffix or '(none)'!r}; use one of {allowed} (or '-' for CSV on stdout)"
        raise UsageError(msg)
    return TABLE_FORMATS[suffix]


# Tables from this many rows have their CSV body formatted in row chunks on worker threads (pyarrow
# formats without the GIL), written in order. 1M rows x 5 columns on 2 CPUs: 0.22-0.27 s in one call,
# 0.13 s in chunks of 131,072 rows on two threads; the bytes are the same.
_CSV_CHUNK_ROWS = 1 << 17


# A number column is formatted through its distinct values when the first this many cells have at most
# a sixteenth as many distinct values (and the whole column at most an eighth).
_FEW_VALUES_SAMPLE = 4096


def _number_text(chunk):
    """A number array with few distinct values as the text pyarrow's CSV writer gives it, else as it is.

    The writer formats every cell (a shortest round-trip text for each double); a scale score or an
    answer count takes a few hundred values over a million rows. Each distinct value is then formatted
    once with the same cast the writer uses, and the texts are taken by index: the same bytes (tests
    compare them, with -0, NaN, infinities and nulls), in a third of the time for a double column.
    Only used without quoting (text cells are not quoted then).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = chunk.type
    if not (pa.types.is_floating(kind) or pa.types.is_integer(kind)) or len(chunk) < 2 * _FEW_VALUES_SAMPLE:
        return chunk
    if len(pc.unique(chunk.slice(0, _FEW_VALUES_SAMPLE))) * 16 > _FEW_VALUES_SAMPLE:
        return chunk  # e.g. row numbers or durations: formatted cell by cell as usual
    coded = pc.dictionary_encode(chunk)
    if len(coded.dictionary) * 8 > len(chunk):
        return chunk
    return pc.cast(coded.dictionary, pa.string()).take(coded.indices)


def _csv_body_parts(table, options):
    """The CSV body of `table` as a sequence of byte buffers, in row order.

    Small tables come in one piece. Larger ones are formatted :data:`_CSV_CHUNK_ROWS` rows at a time on
    ``belonging._parallel.worker_count`` threads, at most two chunks ahead per thread (in turn on one CPU),
    so memory stays a few chunks.
    Without quoting, number columns with few distinct values are formatted through them (see :func:`_number_text`).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    few = options.quoting_style == "none"

    def body(offset, length):
        part = table.slice(offset, length)
        if few:
            part = pa.table([_number_text(col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()) if col.num_chunks else col
                             for col in part.columns], names=part.column_names)
        out = pa.BufferOutputStream()
        pacsv.write_csv(part, out, write_options=options)
        return out.getvalue()

    from belonging._parallel import worker_count

    n = table.num_rows
    chunk_rows = _CSV_CHUNK_ROWS
    workers = worker_count(None, -(-n // chunk_rows))
    if n < 2 * chunk_rows:
        yield body(0, n)
        return
    if workers < 2:  # one CPU: the same chunks in turn, so memory stays one chunk
        for start in range(0, n, chunk_rows):
            yield body(start, min(chunk_rows, n - start))
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    starts = iter(range(0, n, chunk_rows))
    with ThreadPoolExecutor(workers) as pool:
        pending = deque()
        try:
            for start in starts:
                pending.append(pool.submit(body, start, min(chunk_rows, n - start)))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _write_csv_fast(df, path, *, stream=None) -> None:
    """CSV through pyarrow (several times faster than pandas); falls back to pandas for odd types.

    The header is written with the csv module (pyarrow always quotes it); cells are unquoted unless
    one needs quotes, in which case text cells are quoted. With `stream` (a binary file object, e.g.
    standard output) the same CSV goes there instead of `path`; it is built in memory first, since a
    stream cannot be rewound if unquoted writing fails part way. Large tables are formatted in row
    chunks on worker threads (see :func:`_csv_body_parts`).
    """
    import csv
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        if stream is not None:
            stream.write(df.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        else:
            df.to_csv(path, index=False, lineterminator="\n")
        return
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow([str(c) for c in df.columns])
    header = text.getvalue().encode("utf-8")
    for style in ("none", "needed"):
        options = pacsv.WriteOptions(include_header=False, quoting_style=style)
        try:
            if stream is None:
                with open(path, "wb") as fh:  # straight to the file: no copy of the whole body in memory
                    fh.write(header)
                    for part in _csv_body_parts(table, options):
                        fh.write(part)
            else:
                stream.write(header + b"".join(part.to_pybytes() for part in _csv_body_parts(table, options)))
            return
        except pa.ArrowInvalid:
            continue


def write_table(df, path: str | os.PathLike, *, stdout=None, provenance: dict | None = None) -> None:
    """Write `df` to `path` (CSV, TSV, Parquet, XLSX or JSON by suffix; ``"-"`` for CSV on stdout).

    Text cells are neutralised against formula injection in CSV, TSV and XLSX; control characters
    are written safely in XLSX (:func:`belonging._safetext.control_pictures`) and a bare carriage
    return is quoted in TSV. The write is atomic. With `provenance` (a JSON-ready dict, see
    :func:`belonging.provenance.manifest`) the file carries it: Parquet key-value metadata
    (``belonging.provenance``), XLSX document properties, and for CSV, TSV and JSON a sidecar
    ``<path>.provenance.json`` written with the table (see :func:`write_with_provenance`).
    """
    if provenance is not None and str(path) != "-":
        write_with_provenance(df, path, provenance)
        return
    path = str(path)
    fmt = table_format(path)
    if path == "-":  # the same CSV as a file gets (pyarrow's number formatting)
        stream = stdout if stdout is not None else sys.stdout
        binary = getattr(stream, "buffer", None)
        if binary is not None:
            stream.flush()
            _write_csv_fast(neutralise_formulas(df), None, stream=binary)
            binary.flush()
        else:  # a text-only stream (e.g. io.StringIO in tests)
            import io

            out = io.BytesIO()
            _write_csv_fast(neutralise_formulas(df), None, stream=out)
            stream.write(out.getvalue().decode("utf-8"))
        return
    with atomic_path(path) as tmp:
        if fmt == "csv":
            _write_csv_fast(neutralise_formulas(df), tmp)
        elif fmt == "tsv":
            _write_tsv(neutralise_formulas(df), tmp)
        elif fmt == "parquet":
            df.to_parquet(tmp, index=False)
        elif fmt == "xlsx":
            _xlsx_safe(neutralise_formulas(df)).to_excel(tmp, index=False, engine="openpyxl")
        else:
            df.to_json(tmp, orient="records", indent=1, date_format="iso")


# --- text every sink can hold ----------------------------------------------------------------------

def _text_columns(df):
    """Names of the columns of `df` that may hold text (not numbers, booleans or time stamps)."""
    import pandas as pd

    return [c for c in df.columns if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])
                                          or pd.api.types.is_datetime64_any_dtype(df[c]) or isinstance(df[c].dtype, pd.DatetimeTZDtype))]


def _cells_matching(s, pattern: str):
    """Boolean NumPy mask of the text cells of Series `s` that contain regular expression `pattern`."""
    return s.astype("string").str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)


def _xlsx_safe(df):
    """`df` with the control characters an XLSX cell cannot hold shown as control pictures (cells and names).

    openpyxl raises ``IllegalCharacterError`` on them; only the affected cells are rewritten.
    """
    from belonging._safetext import XLSX_ILLEGAL, control_pictures

    out = df.copy(deep=False)
    for col in _text_columns(df):
        bad = _cells_matching(df[col], XLSX_ILLEGAL)
        if bad.any():
            s = df[col].astype(object)
            s[bad] = [control_pictures(str(v)) for v in s[bad]]  # the few bad cells only
            out[col] = s
    import re

    renamed = {c: control_pictures(c) for c in out.columns if isinstance(c, str) and re.search(XLSX_ILLEGAL, c)}
    return out.rename(columns=renamed) if renamed else out


def _write_tsv(df, path) -> None:
    """TSV with pandas; every text cell quoted when one holds a bare carriage return.

    Python's csv module quotes a cell with a tab, a quote or a line feed, but not one with a bare
    carriage return (``\r`` is not in the ``\n`` line terminator), which every reader then takes
    for a line end: the table would come back with more rows than it has.
    """
    import csv

    cr = any(_cells_matching(df[c], "\r").any() for c in _text_columns(df)) or any("\r" in str(c) for c in df.columns)
    df.to_csv(path, index=False, sep="\t", lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC if cr else csv.QUOTE_MINIMAL)


# --- provenance carried by the file ------------------------------------------------------------------

def sidecar_path(path: str | os.PathLike) -> Path:
    """The provenance sidecar of a text table: ``scores.csv`` -> ``scores.csv.provenance.json``."""
    p = Path(path)
    return p.with_name(p.name + ".provenance.json")


def write_with_provenance(df, path: str | os.PathLike, provenance: dict) -> None:
    """Write `df` to `path` as :func:`write_table` does, carrying the `provenance` record.

    Parquet: the record as JSON under the key-value metadata key ``belonging.provenance``. XLSX: the
    document properties (title, creator ``belonging <version>``, keywords, and the record as JSON in
    the description). CSV, TSV, JSON: a sidecar ``<path>.provenance.json``; both files are written to
    temporary files first and renamed only when both are complete (the sidecar, then at once the table),
    so a failed run leaves neither.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import pyarrow.parquet as pq
    >>> from belonging._io import sidecar_path, write_with_provenance
    >>> folder = Path(tempfile.mkdtemp())
    >>> record = {"belonging_version": "0.1.0", "seed": 7}
    >>> write_with_provenance(pd.DataFrame({"ccs": [40.0]}), folder / "s.csv", record)
    >>> json.loads(sidecar_path(folder / "s.csv").read_text())["seed"]
    7
    >>> write_with_provenance(pd.DataFrame({"ccs": [40.0]}), folder / "s.parquet", record)
    >>> json.loads(pq.read_schema(folder / "s.parquet").metadata[b"belonging.provenance"])["seed"]
    7
    """
    import json

    path = str(path)
    fmt = table_format(path)
    text = json.dumps(provenance, indent=1, ensure_ascii=False, default=str)
    if fmt in ("csv", "tsv", "json"):
        with atomic_path(path) as tmp:
            _write_into(df, tmp, fmt)
            atomic_write_text(sidecar_path(path), text + "\n")  # renamed just before the table is
        return
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            _parquet_with_metadata(df, tmp, text)
        else:
            _xlsx_with_properties(df, tmp, provenance, text)


def _write_into(df, tmp: Path, fmt: str) -> None:
    """The body of a text table, as :func:`write_table` writes it, into the temporary file `tmp`."""
    if fmt == "csv":
        _write_csv_fast(neutralise_formulas(df), tmp)
    elif fmt == "tsv":
        _write_tsv(neutralise_formulas(df), tmp)
    else:
        df.to_json(tmp, orient="records", indent=1, date_format="iso")


def _parquet_with_metadata(df, tmp: Path, text: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"belonging.provenance"] = text.encode("utf-8")
    pq.write_table(table.replace_schema_metadata(meta), tmp)


def _xlsx_with_properties(df, tmp: Path, provenance: dict, text: str) -> None:
    import pandas as pd

    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        _xlsx_safe(neutralise_formulas(df)).to_excel(writer, index=False)
        props = writer.book.properties
        props.creator = f"belonging {provenance.get('belonging_version', '')}".strip()
        props.title = "belonging output"
        props.keywords = "belonging provenance"
        props.description = text
