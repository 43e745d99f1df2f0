"""Generic tables: CSV/TSV (delimiter sniffed), XLSX and Parquet with one column per variable."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from belonging.errors import IngestError

__all__ = [
    "arrow_to_pandas",
    "decode_text",
    "detect_encoding",
    "parse_delimited",
    "read_bytes",
    "read_and_hash",
    "read_generic_table",
    "read_xlsx_records",
    "sha256_later",
    "sha256_of",
    "sniff_delimiter",
    "split_header",
    "unique_names",
]

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def read_bytes(path: str | Path) -> bytes:
    """Read a whole input file, with one clear error when it is missing, a folder or unreadable."""
    p = Path(path)
    if not p.exists():
        msg = f"{path}: no such file; check the path"
        raise IngestError(msg)
    if p.is_dir():
        msg = f"{path}: is a folder, not a file; give the export file itself"
        raise IngestError(msg)
    try:
        data = p.read_bytes()
    except OSError as err:
        msg = f"{path}: cannot read ({err.strerror}); check its permissions"
        raise IngestError(msg) from None
    if not data[:65536].strip() and not data.strip():
        msg = f"{path}: the file is empty; export the survey again"
        raise IngestError(msg)
    return data


def read_and_hash(path: str | Path):
    """``(data, digest)``: the file's bytes (:func:`read_bytes`) and a function returning their SHA-256.

    A large file is read and then hashed on a worker thread (copying 45 MB out of the operating
    system's cache and hashing it hold no GIL), while this thread imports pyarrow (a tenth of a
    second, needed next to parse the file, and by pandas); ``digest()`` waits for the hash. Small
    files, and processes that have pyarrow already, are read at once and hashed as :func:`sha256_later`
    does. Errors are :func:`read_bytes`' own.
    """
    import sys

    try:
        big = Path(path).stat().st_size >= _HASH_LATER_FROM
    except OSError:
        big = False  # read_bytes names the problem
    if not big or "pyarrow.csv" in sys.modules:
        data = read_bytes(path)
        return data, sha256_later(data)
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="belonging-read")
    read = pool.submit(read_bytes, path)
    hashed = pool.submit(lambda: sha256_of(read.result()))
    pool.shutdown(wait=False)  # the worker ends with the hash
    try:
        import pyarrow.compute
        import pyarrow.csv  # noqa: F401
    finally:
        data = read.result()
    return data, hashed.result


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


# Inputs from this size on are hashed on a worker thread (see `sha256_later`).
_HASH_LATER_FROM = 1 << 24


def sha256_later(data: bytes):
    """Start hashing `data`; return a function that waits for and returns its hex SHA-256.

    hashlib releases the GIL while it hashes, so a large input's hash (0.3 s for 378 MB) is taken on
    a worker thread while the file is parsed, off the wall clock when a CPU is free. Small inputs are
    hashed at once.
    """
    if len(data) < _HASH_LATER_FROM:
        digest = sha256_of(data)
        return lambda: digest
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="belonging-sha256")
    future = pool.submit(sha256_of, data)
    pool.shutdown(wait=False)  # the worker ends with the hash
    return future.result


def detect_encoding(data: bytes) -> str:
    """Return the text encoding of `data`: from a BOM, else UTF-8 if it decodes, else cp1252."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    head = data[:4096]
    if len(head) >= 4 and head[1:2] == b"\x00" and head[3:4] == b"\x00":
        return "utf-16-le"
    if len(head) >= 4 and head[0:1] == b"\x00" and head[2:3] == b"\x00":
        return "utf-16-be"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff_delimiter(text: str) -> str:
    """Guess the delimiter among comma, tab, semicolon and pipe from the header line of `text`.

    Counts each candidate in the first line outside quoted cells (answers further down may hold any
    character); falls back to :class:`csv.Sniffer` on the first lines when the header has none.
    """
    first = text[:65536].split("\n", 1)[0]
    bare = re.sub(r'"[^"]*"', "", first)
    counts = {d: bare.count(d) for d in ",\t;|"}
    best = max(counts, key=counts.get)
    if counts[best]:
        return best
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _is_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return b"\x00" in head


def read_generic_table(path: str | Path, data: bytes, *, fmt: str, encoding: str | None = None, text_columns=()):
    """Read a generic table; CSV/TSV cells stay text unless a number column gives them back exactly.

    Returns the DataFrame, the encoding used and the duplicate column names renamed (``(old, new)``
    pairs, see :func:`unique_names`). Only empty cells are missing: a literal ``NA`` stays text; the
    item mapping decides what counts as missing in answer columns.
    """
    import pandas as pd

    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.ParquetFile(io.BytesIO(data)).read(use_pandas_metadata=True)
        except Exception as err:  # pyarrow raises many types for bad files
            msg = f"{path}: not a readable Parquet file ({type(err).__name__}: {err})"
            raise IngestError(msg) from None
        names, renamed = unique_names(table.column_names)
        if renamed:  # the pandas metadata names the columns as they were: leave it out
            table = table.rename_columns(names).replace_schema_metadata(None)
        frame = table.to_pandas()
        return frame.set_axis(unique_names(frame.columns)[0], axis=1), "binary", renamed
    if fmt == "xlsx":
        grid = read_xlsx_records(path, data)
        if grid.empty:
            return pd.DataFrame(), "xlsx", []
        names, renamed = unique_names(["" if pd.isna(v) else v for v in grid.iloc[0].tolist()])
        return grid.iloc[1:].set_axis(names, axis=1).reset_index(drop=True), "xlsx", renamed
    text, enc = decode_text(path, data, encoding)
    delim = "\t" if fmt == "tsv" else sniff_delimiter(text)
    records, offset = split_header(text, delimiter=delim, header_rows=1)
    if not records:
        msg = f"{path}: no header row; the first line must name the columns"
        raise IngestError(msg)
    names, renamed = unique_names(records[0])
    frame = parse_delimited(path, text, delimiter=delim, names=names, body_offset=offset, text_columns=text_columns)
    return frame, enc, renamed


def decode_text(path, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode an export's bytes (BOM sniffed; binary files refused); return text and encoding.

    A file that is UTF-8 but for a few lines stops with their line numbers, unless `encoding` is
    :data:`~belonging.ingest.encoding.LINEWISE` (``--encoding-errors replace``); UTF-16 and UTF-32
    without a byte-order mark are text, not binary (see :mod:`belonging.ingest.encoding`).
    """
    from belonging.ingest.encoding import LINEWISE, check_mixed_utf8, decode_lines, wide_text

    if _is_binary(data) and not wide_text(data, encoding):
        msg = f"{path}: looks like a binary file, not CSV/TSV text; export as CSV, TSV, XLSX, Parquet, SPSS or Stata"
        raise IngestError(msg)
    if encoding == LINEWISE:
        text, enc = decode_lines(data)
        return text.lstrip("\ufeff"), enc
    enc = encoding or detect_encoding(data)
    if encoding is None and enc == "cp1252":
        check_mixed_utf8(path, data)  # UTF-8 with a few Latin-1 lines: garbled as cp1252
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as err:
        if isinstance(err, UnicodeDecodeError) and enc.lower().replace("_", "-").startswith(("utf-8", "utf8")):
            check_mixed_utf8(path, data, declared=True)
        where = f"at byte {err.start}" if isinstance(err, UnicodeDecodeError) else "(unknown encoding)"
        msg = f"{path}: cannot decode as {enc} {where}; give the right --encoding"
        raise IngestError(msg) from None
    if "\x00" in text[:8192]:
        msg = f"{path}: looks like a binary file (NUL characters in the text); export as CSV, TSV or XLSX"
        raise IngestError(msg)
    return text.lstrip("\ufeff"), enc


def read_xlsx_records(path, data: bytes):
    """Every cell of the first worksheet as a frame without a header (cells keep Excel types)."""
    import pandas as pd

    try:
        grid = pd.read_excel(io.BytesIO(data), engine="openpyxl", header=None, dtype=object, keep_default_na=False, na_values=[""])
    except Exception as err:  # openpyxl raises many types for bad files
        msg = f"{path}: not a readable XLSX workbook ({type(err).__name__}: {err})"
        raise IngestError(msg) from None
    return grid.mask(grid.eq(""))  # only an empty cell is missing; a literal "NA" stays text


def split_header(text: str, *, delimiter: str, header_rows: int = 1):
    """Parse the first `header_rows` CSV records of `text` (quoted newlines allowed).

    Returns the header records (lists of cells) and the character offset where the body starts.
    Only the head of `text` is scanned, growing until the records are complete.
    """
    size = 1 << 16
    while True:
        head = text[:size]
        f = io.StringIO(head, newline="")
        reader = csv.reader(f, delimiter=delimiter, strict=False)
        records = []
        for _ in range(header_rows):
            try:
                records.append(next(reader))
            except StopIteration:
                break
        offset = f.tell()
        if size >= len(text) or (len(records) == header_rows and offset < len(head)):
            return records, offset
        size *= 4


def unique_names(names):
    """Make column names unique by suffixing ``_2``, ``_3`` ...; return names and the renamed ones."""
    seen, out, renamed = {}, [], []
    for raw in names:
        name = str(raw).strip() or "unnamed"
        if name in seen:
            seen[name] += 1
            new = f"{name}_{seen[name]}"
            while new in seen:
                seen[name] += 1
                new = f"{name}_{seen[name]}"
            renamed.append((name, new))
            name = new
        seen.setdefault(name, 1)
        out.append(name)
    return out, renamed


# pyarrow parses in blocks of this many bytes.
_BLOCK_SIZE = 1 << 22
# Bodies from this size on are parsed by pyarrow's worker threads. Wall and CPU seconds for the
# 378 MB benchmark export on 2 shared CPUs (median of 5): one thread 2.3 s wall = CPU; threads 1.1 s
# wall, 2.2 s CPU when the body has no double quote (see `_options`), 1.6 s wall, 3.0 s CPU when it
# has one (block boundaries are then found by a serial pass, as a quoted cell may span lines). The
# target is the wall time of a run; smaller bodies have too few blocks to share.
_THREADS_FROM = 1 << 24


def parse_delimited(
    path, text, *, delimiter: str, names=None, body_offset: int | None = None, text_columns=(), all_text: bool = False,
    body=None, body_start: int = 0,
):
    """Parse delimited `text` with pyarrow; quoted newlines allowed, only empty cells are missing.

    `names` are the (unique) column names; when None the first record is the header. Columns in
    `text_columns` are kept as text (identifiers with leading zeros); with `all_text` every column is.
    A literal ``NA`` stays text. `body` (UTF-8 bytes, or a memoryview of them) holds, from
    `body_start` on, the part after the header, given to pyarrow without decoding and re-encoding
    the file; `text` may then be a callable that returns the decoded file, called only to locate an
    error.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if names is None:
        records, body_offset = split_header(text, delimiter=delimiter, header_rows=1)
        if not records:
            msg = f"{path}: no header row; the first line must name the columns"
            raise IngestError(msg)
        names, _ = unique_names(records[0])
    if body is None:
        body, body_start = text[body_offset:].encode("utf-8"), 0
    view = memoryview(body)[body_start:] if body_start else body
    if not bytes(view[:65536]).strip() and not bytes(view).strip():
        import pandas as pd

        return pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
    if all_text:
        text_columns = names
    convert = pacsv.ConvertOptions(
        column_types={n: pa.large_string() for n in text_columns if n in names},  # pandas keeps text as large_string: no cast
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        # no inference of booleans or time stamps: "True" and "2024-01-01 10:00" stay text as written
        true_values=["\x00"],
        false_values=["\x00"],
        timestamp_parsers=["\x00%Y"],
    )
    # bytes.find is a memchr scan, far cheaper than the parse; other buffers (a memoryview) count as quoted
    quoted = body.find(b'"', body_start) >= 0 if isinstance(body, bytes | bytearray) else True
    threads = len(view) >= _THREADS_FROM
    _import_pandas_meanwhile()

    block = _BLOCK_SIZE

    def parse(quoted, threads, convert=convert):
        nonlocal block
        options = pacsv.ReadOptions(column_names=list(names), block_size=block, use_threads=threads and block == _BLOCK_SIZE)
        try:
            return pacsv.read_csv(pa.BufferReader(pa.py_buffer(view)), read_options=options,
                                  parse_options=_options(delimiter, quoted=quoted), convert_options=convert)
        except pa.ArrowInvalid as err:
            if "straddl" not in str(err) or block != _BLOCK_SIZE:
                raise
        block = _one_block(path, view)  # a cell longer than a block is valid CSV: the body in one block
        return parse(quoted, threads, convert)

    try:
        table = parse(quoted, threads)
    except pa.ArrowInvalid as err:
        if "invalid UTF8" in str(err) or (quoted and not threads):
            _parse_error(path, text, body_offset, err)
        try:  # a bad file: the serial parse with quoting names the record as it always did
            table = parse(True, False)
        except pa.ArrowInvalid as again:
            _parse_error(path, text, body_offset, again)
        quoted = True
    if not all_text:
        table = _text_where_lost(table, body, body_start, view, quoted=quoted, reparse=lambda cols: parse(
            quoted, threads, pacsv.ConvertOptions(
                include_columns=cols, column_types=dict.fromkeys(cols, pa.large_string()),
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
            ),
        ))
    return arrow_to_pandas(table)


def _one_block(path, view) -> int:
    """A pyarrow block size holding the whole body, for a cell longer than :data:`_BLOCK_SIZE`."""
    size = len(view) + 1
    if size >= 1 << 31:  # pyarrow's block size is a 32-bit integer
        msg = f"{path}: a cell is longer than {_BLOCK_SIZE >> 20} MiB in a body over 2 GiB; split the file into smaller ones"
        raise IngestError(msg)
    return size


# Cell text a number column keeps its type for: no sign but "-", no leading zero, no spaces, no
# exponent, no "nan"/"inf". A plain decimal is read as a double even where the double writes it
# otherwise ("9.0", "1.50", R's "2.0499999999999998"): such columns are measurements, not codes.
_CANONICAL_INT = r"^(0|-?[1-9][0-9]{0,17})$"
_CANONICAL_FLOAT = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"


def _text_where_lost(table, body, body_start, view, *, quoted, reparse):
    """`table` with every column whose typed values would not give back the cell text kept as text.

    pyarrow infers integers from ``007``, `` 3 ``, ``+3`` and ``0x10``, floats from ``1e5``, ``nan``
    and ``1.50``, dates and times of day. A column keeps its inferred number type only when every cell
    is written the way the number is (see `_CANONICAL_INT`, `_CANONICAL_FLOAT`); dates and times of
    day always stay text (the canonical time columns are parsed later, with --timezone).

    Integer columns are checked without reading the text again when the body has no double quote:
    each non-canonical spelling of an integer is longer than the canonical one (hexadecimal only from
    ``0xFFFFF`` on, checked by a byte search), so the body's length equals the canonical cell lengths
    plus delimiters and line ends exactly when every integer cell is canonical. Otherwise, and for the
    other inferred types, the columns concerned are parsed once more as text and checked with a
    vectorised regular expression.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = table.schema
    ints = [f.name for f in schema if pa.types.is_integer(f.type)]
    others = [f.name for f in schema if not (pa.types.is_integer(f.type) or pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_null(f.type))]
    redo = list(others)
    if ints and (others or quoted or not _int_lengths_agree(table, body, body_start, view, ints)):
        redo += ints
    if not redo:
        return table
    text = reparse(redo)
    for name in redo:
        raw = text.column(name)
        kind = schema.field(name).type
        if pa.types.is_integer(kind):
            pattern = _CANONICAL_INT
        elif pa.types.is_floating(kind):
            pattern = _CANONICAL_FLOAT
        else:
            pattern = None
        if pattern is not None and (raw.null_count == len(raw) or pc.all(pc.match_substring_regex(raw, pattern)).as_py()):
            continue
        table = table.set_column(schema.get_field_index(name), name, raw)
    return table


def _int_lengths_agree(table, body, body_start, view, ints) -> bool:
    """True when the unquoted body is exactly as long as its cells written canonically.

    The cells' canonical lengths are summed column by column (on threads for long columns: the Arrow
    kernels release the GIL), plus one delimiter between cells and the line ends. Without a carriage
    return every line ends in ``\n``, so there are at least as many as rows (one fewer when the last
    line has none): the body's length is compared with that count first, and the line ends are counted
    only when it differs (blank lines). Any extra byte -- a longer spelling, a blank line -- makes the
    body longer, never shorter, so equality proves every integer cell canonical.
    """
    import pyarrow as pa

    from belonging._parallel import run_columns

    if not isinstance(body, bytes | bytearray):
        return False
    fields = [f for f in table.schema if not pa.types.is_null(f.type)]
    lengths = run_columns(
        lambda f: _canonical_chars(table.column(f.name), f.name in ints, body, body_start),
        [(f,) for f in fields], rows=table.num_rows,
    )
    if any(n is None for n in lengths):
        return False
    total = table.num_rows * (table.num_columns - 1) + sum(lengths)
    if body.find(b"\r", body_start) < 0:
        rows_end = table.num_rows - (0 if body.endswith(b"\n") else 1)
        if total + rows_end == len(view):
            return True
    else:
        total += body.count(b"\r", body_start)
    return total + body.count(b"\n", body_start) == len(view)


def _canonical_chars(col, is_int: bool, body, body_start):
    """Characters of a column's cells written canonically (text as it is); None when that cannot be told."""
    import pyarrow.compute as pc

    if not is_int:
        return pc.sum(pc.binary_length(col)).as_py() or 0
    bounds = pc.min_max(col).as_py()
    if bounds["min"] is None:
        return 0
    total = len(col) - col.null_count
    if bounds["min"] < 0:
        if bounds["min"] <= -(1 << 62):
            return None
        total += pc.sum(pc.less(col, 0)).as_py()
        col = pc.abs(col)
    big = max(abs(bounds["min"]), abs(bounds["max"]))
    if big >= 0xFFFFF and (body.find(b"x", body_start) >= 0 or body.find(b"X", body_start) >= 0):
        return None
    power = 10
    while power <= big:
        total += pc.sum(pc.greater_equal(col, power)).as_py()
        power *= 10
    return total


def _parse_error(path, text, body_offset, err):
    """Raise for pyarrow's parse error `err`: UnicodeError for bytes that are not UTF-8, else IngestError."""
    if "invalid UTF8" in str(err):
        raise UnicodeError(str(err)) from None
    full = text() if callable(text) else text
    head = full[:body_offset]
    msg = f"{path}: malformed delimited text: {_arrow_reason(err, head.count(chr(10)), full, body_offset)}"
    raise IngestError(msg) from None


def _import_pandas_meanwhile() -> None:
    """Start importing pandas on a background thread if no one has yet (the command line's case).

    pyarrow parses without holding the GIL, so the import (about a third of a second, needed for the
    DataFrame right after) runs during the parse instead of after it. Python's per-module import locks
    make the later ``import pandas`` wait for this one to finish; the result is the same module.
    pyarrow's own modules are imported first, on this thread, so the two threads never wait on each
    other's import locks.
    """
    import sys

    if "pandas" in sys.modules:
        return
    import threading

    import pyarrow.compute  # noqa: F401  (needed here next; imported before pandas starts importing it)

    def _import():
        try:
            import pandas  # noqa: F401
        except Exception:  # the import on the main thread raises it again, where it matters
            return

    threading.Thread(target=_import, name="belonging-import-pandas", daemon=True).start()


def _options(delimiter: str, *, quoted: bool):
    """pyarrow parse options; without a double quote in the body quoting can change nothing.

    Quoting off also lets pyarrow split the body into blocks at any line end, instead of scanning for
    quoted line ends first.
    """
    import pyarrow.csv as pacsv

    if quoted:
        return pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
    return pacsv.ParseOptions(delimiter=delimiter, quote_char=False, newlines_in_values=False)


def arrow_to_pandas(table):
    """`table` as a DataFrame, each Arrow buffer released once converted.

    Columns of one type share a block (pyarrow converts straight into it, no consolidating copy), so
    the float columns of answers lie side by side and :func:`belonging.map_items` can take the item
    matrix as a view of them. Arrow's allocator keeps freed pages for reuse; they are handed back to
    the system afterwards, so the parse's temporaries do not stay resident for the rest of the run.
    """
    import pyarrow as pa

    frame = table.to_pandas(self_destruct=True)
    del table
    pa.default_memory_pool().release_unused()
    return frame


def _arrow_reason(err, header_lines: int, text: str = "", body_offset: int = 0) -> str:
    raw = str(err).strip()
    reason = raw.splitlines()[0].replace("CSV parse error: ", "")
    m = re.search(r"Row #(\d+)", raw)  # a record number: wrong as a line number once a quoted cell spans lines
    reason = re.sub(r"\s*Row #\d+:?\s*", "", reason)
    line = None
    got = re.search(r"columns?, got \d+: (.*)$", raw, flags=re.DOTALL)
    if got and text:
        snippet = got.group(1).strip().removesuffix("...").strip()
        pos = text.find(snippet, body_offset) if snippet else -1
        if pos >= 0:
            line = text.count("\n", 0, pos) + 1
    if line is None and m:
        line = int(m.group(1)) + header_lines
    where = f"line {line}: " if line else ""
    reason = re.sub(r"(got \d+ columns?|got \d+):.*$", r"\1", reason)  # the row text itself may be personal data
    return f"{where}{reason}; check that line for a missing delimiter or an unclosed quote"
