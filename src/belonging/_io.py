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

__all__ = ["TABLE_FORMATS", "atomic_path", "atomic_write_bytes", "atomic_write_files", "atomic_write_text",
           "neutralise_formulas", "write_table"]

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

    The folder must exist (a mistyped ``-o`` path is an error, not a new folder tree).
    """
    target = Path(path)
    if not target.parent.is_dir():
        msg = f"{target}: the folder {target.parent} does not exist; create it first or write somewhere else"
        raise UsageError(msg)
    try:
        tmp_path = _new_temp(target)
    except OSError as err:  # name the file asked for, not the temporary one
        raise OSError(err.errno, f"cannot write here ({err.strerror or err})", str(target)) from None
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


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


def write_table(df, path: str | os.PathLike, *, stdout=None) -> None:
    """Write `df` to `path` (CSV, TSV, Parquet, XLSX or JSON by suffix; ``"-"`` for CSV on stdout).

    Text cells are neutralised against formula injection in CSV, TSV and XLSX. The write is atomic.
    """
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
            neutralise_formulas(df).to_csv(tmp, index=False, sep="\t", lineterminator="\n")
        elif fmt == "parquet":
            df.to_parquet(tmp, index=False)
        elif fmt == "xlsx":
            neutralise_formulas(df).to_excel(tmp, index=False, engine="openpyxl")
        else:
            df.to_json(tmp, orient="records", indent=1, date_format="iso")
