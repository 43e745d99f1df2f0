"""Bytes of a log file to rows of text: encodings (UTF-8, UTF-16 with or without a byte-order mark,
Windows-1252), delimiters (comma, semicolon, tab) and header spellings."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from pathlib import Path

from belonging.errors import IngestError

__all__ = ["decode", "describe_cell", "encoding_of", "find_column", "find_preferred", "header_key", "read_rows", "read_table"]

_SNIFF = 64 * 1024
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00a0": " "})
_SPACE = re.compile(r"\s+")


def _open_bytes(path: Path):
    try:
        return Path(path).open("rb")
    except FileNotFoundError:
        msg = f"{path}: no such file; check the path"
        raise IngestError(msg) from None
    except IsADirectoryError:
        msg = f"{path}: is a folder, not a log file"
        raise IngestError(msg) from None


def encoding_of(path: Path) -> tuple[str, str]:
    """The encoding to read `path` with, and its name as reported, found without reading the file whole.

    A byte-order mark decides (UTF-8, UTF-16 LE or BE); UTF-16 without one is recognised by the zero
    bytes of ASCII characters; otherwise UTF-8 if the whole file decodes as UTF-8 (checked a megabyte
    at a time), else Windows-1252 (older Excel exports). Returns ``(codec, name)``.
    """
    with _open_bytes(path) as fh:
        head = fh.read(_SNIFF)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", "utf-16"
        if len(head) >= 4 and head.count(0) >= len(head) // 4:
            name = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
            return name, name
        check = codecs.getincrementaldecoder("utf-8")()
        try:
            check.decode(head)
            while chunk := fh.read(1 << 20):
                check.decode(chunk)
            check.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252", "cp1252"
    return "utf-8", "utf-8"


def decode(path: Path) -> tuple[str, str]:
    """The text of `path` (a small file: a meeting report) and the name of its encoding
    (see :func:`encoding_of`); undecodable bytes become U+FFFD."""
    codec, name = encoding_of(path)
    with _open_bytes(path) as fh:
        return fh.read().decode(codec, errors="replace"), name


def _head_text(path: Path, codec: str) -> str:
    """The first bytes of `path` as text, for sniffing the delimiter (a character cut at the end is dropped)."""
    with _open_bytes(path) as fh:
        return fh.read(_SNIFF).decode(codec, errors="ignore")


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the most of the first lines (quotes respected),
    then the one that splits them most evenly. Teams' tab-separated dates hold commas, and a CSV's
    section titles hold no delimiter at all, so "most lines split" decides before "same width"."""
    sample = text[:_SNIFF]
    cut = sample.rfind("\n")
    sample = sample[: cut if cut > 0 else len(sample)]
    best, best_score = ",", (-1, -1)
    for delimiter in (",", "\t", ";"):
        try:
            rows = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if len(r) > 1]
        except csv.Error:
            continue
        if not rows:
            continue
        score = (len(rows), rows.count(max(set(rows), key=rows.count)))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_rows(path: Path) -> tuple[list[list[str]], str, str]:
    """Every row of a small delimited file (a meeting report) as lists of cells, with the encoding
    and delimiter found. Quoted cells may hold delimiters and line breaks."""
    text, encoding = decode(path)
    delimiter = _delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows, encoding, delimiter


def read_table(path: Path, header_row: int = 0, *, label: str = "table"):
    """A delimited file (or an Excel workbook's first sheet) as a DataFrame of strings; `label` names
    what the file should be, in messages.

    Returns ``(frame, encoding)``; every cell is text, empty cells are missing.
    """
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".ods"):
        try:
            frame = pd.read_excel(path, dtype=str, header=header_row, engine="odf" if path.suffix.lower() == ".ods" else None)
        except ImportError as err:
            msg = f"{path}: cannot read {path.suffix} files here ({err}); save the log as CSV instead"
            raise IngestError(msg) from None
        except (ValueError, OSError, zipfile.BadZipFile, KeyError) as err:  # a truncated or damaged workbook
            msg = f"{path}: not a readable {label} workbook ({type(err).__name__}: {err}); download it again, or as CSV"
            raise IngestError(msg) from None
        return frame, "xlsx"
    codec, encoding = encoding_of(path)
    head = _head_text(path, codec)
    if not head.strip():
        msg = f"{path}: the file is empty; download the log again"
        raise IngestError(msg)
    try:  # pandas reads and decodes the file a block at a time: no copy of the whole text
        frame = pd.read_csv(path, sep=_delimiter(head), dtype=str, keep_default_na=False, na_values=[""],
                            skiprows=header_row, skipinitialspace=False, encoding=codec, encoding_errors="replace")
    except (pd.errors.ParserError, csv.Error) as err:
        msg = (f"{path}: not a {label}: its rows do not have the header's columns ({' '.join(str(err).split())}); "
               "check the file and the system it was given as")
        raise IngestError(msg) from None
    return frame, encoding


def header_key(name) -> str:
    """A header as compared with known spellings: NFKC, typographic apostrophes as ``'``, white space
    collapsed, case folded."""
    text = unicodedata.normalize("NFKC", str(name)).translate(_APOSTROPHES)
    return _SPACE.sub(" ", text).strip().casefold()


def find_column(columns, spellings) -> int | None:
    """Position of the first of `columns` that is one of `spellings` (see :func:`header_key`)."""
    wanted = {header_key(s) for s in spellings}
    for i, col in enumerate(columns):
        if header_key(col) in wanted:
            return i
    return None


def find_preferred(columns, spellings) -> int | None:
    """Position of the column with the first of `spellings` (in order of preference) that any of
    `columns` has: ``student_id`` before ``email`` whatever the order of the columns."""
    keys = [header_key(c) for c in columns]
    for spelling in spellings:
        key = header_key(spelling)
        if key in keys:
            return keys.index(key)
    return None


def describe_cell(value) -> str:
    """What a cell holds, without its content: a cell that should hold a time or a number may hold a
    name or an address when a row's columns are shifted (an unquoted comma), so it is never quoted.

    Examples
    --------
    >>> from belonging.activity._text import describe_cell
    >>> describe_cell("jane.doe@private.example")
    'text of 24 characters (letters, other characters)'
    >>> describe_cell("Jane Doe")
    'text of 8 characters (letters, spaces)'
    """
    text = str(value)
    kinds = [name for name, test in (("letters", str.isalpha), ("digits", str.isdigit), ("spaces", str.isspace))
             if any(test(ch) for ch in text)]
    if any(not (ch.isalnum() or ch.isspace()) for ch in text):
        kinds.append("other characters")
    return f"text of {len(text)} character{'s' if len(text) != 1 else ''} ({', '.join(kinds)})"
