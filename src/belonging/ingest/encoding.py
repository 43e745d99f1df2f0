"""Text encodings the readers cannot take for granted: UTF-8 files with a few Latin-1 lines, and
UTF-16 without a byte-order mark.

A file that is not valid UTF-8 used to be read whole as Windows-1252, which garbles every line that
*was* UTF-8 ("ZÃ¼rich") and splits one cohort into two. :func:`check_mixed_utf8` tells such a mixed
file from a file that is Windows-1252 throughout and stops with the line numbers;
:func:`decode_lines` reads each line in its own encoding when asked (``--encoding-errors replace``).
:func:`wide_text` lets UTF-16/32 text without a byte-order mark through the binary-file check.

Self-contained (numpy only), called from :func:`belonging.ingest.generic.decode_text`.
"""

from __future__ import annotations

__all__ = ["ENCODING_ERRORS", "LINEWISE", "bad_utf8_lines", "check_mixed_utf8", "decode_lines", "wide_text"]

# The encoding name `--encoding-errors replace` selects: UTF-8, and Windows-1252 for the lines that are not.
LINEWISE = "utf-8+cp1252"
# Choices of --encoding-errors.
ENCODING_ERRORS = ("strict", "replace")
_CHUNK = 1 << 23  # bytes validated at a time (bounds the temporaries)
_SHOWN = 10  # line numbers named in a message


def wide_text(data: bytes, encoding: str | None) -> bool:
    """True when `data`, whose zero bytes would make it look binary, is UTF-16 or UTF-32 text.

    With an explicit `encoding` naming UTF-16 or UTF-32 (``utf-16-le``, ``utf_16``, ``UTF-32BE`` ...);
    without one, when the first bytes alternate with zeros the way ASCII text in UTF-16 does.

    Examples
    --------
    >>> from belonging.ingest.encoding import wide_text
    >>> data = "id,cohort\\n1,A\\n".encode("utf-16-le")
    >>> wide_text(data, "utf-16-le"), wide_text(data, None), wide_text(b"\\x00\\x01\\x02garbage", None)
    (True, True, False)
    """
    name = (encoding or "").lower().replace("_", "-")
    if name.startswith(("utf-16", "utf-32", "utf16", "utf32")):
        return True
    head = data[:4096]
    if len(head) < 8:
        return False
    even, odd = head[0::2], head[1::2]
    return (odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0) or (even.count(0) >= 0.9 * len(even) and odd.count(0) == 0)


def bad_utf8_lines(data: bytes):
    """Line numbers (1-based) of the lines of `data` that are not valid UTF-8, and how many lines hold
    valid multi-byte UTF-8 characters and no invalid byte.

    Vectorised: a byte is valid when it is ASCII, a lead byte followed by the right number of
    continuation bytes, or a continuation byte of such a sequence; the file is checked in blocks of
    8 MiB (with three bytes either side), and bytes are mapped to lines through the positions of the
    line feeds.

    Examples
    --------
    >>> from belonging.ingest.encoding import bad_utf8_lines
    >>> data = "a,b\\nZürich,1\\n".encode() + "Zürich,2\\n".encode("latin-1") + "Genève,3\\n".encode()
    >>> lines, utf8_lines = bad_utf8_lines(data)
    >>> lines.tolist(), utf8_lines
    ([3], 2)
    """
    import numpy as np

    b = np.frombuffer(data, dtype=np.uint8)
    n = len(b)
    bad, lead = [], []
    for start in range(0, n, _CHUNK):
        lo, hi = max(0, start - 3), min(n, start + _CHUNK + 3)
        seg = b[lo:hi]
        cont = (seg >= 0x80) & (seg < 0xC0)

        def ahead(k, cont=cont):
            out = np.zeros_like(cont)
            out[: len(cont) - k] = cont[k:]
            return out

        def behind(mask, k):
            out = np.zeros_like(mask)
            out[k:] = mask[: len(mask) - k]
            return out

        ok2 = (seg >= 0xC2) & (seg <= 0xDF) & ahead(1)
        ok3 = (seg >= 0xE0) & (seg <= 0xEF) & ahead(1) & ahead(2)
        ok4 = (seg >= 0xF0) & (seg <= 0xF4) & ahead(1) & ahead(2) & ahead(3)
        starts = ok2 | ok3 | ok4
        covered = cont & (behind(starts, 1) | behind(ok3 | ok4, 2) | behind(ok4, 3))
        wrong = (seg >= 0x80) & ~starts & ~covered
        keep = slice(start - lo, start - lo + min(_CHUNK, n - start))
        bad.append(np.flatnonzero(wrong[keep]) + start)
        lead.append(np.flatnonzero(starts[keep]) + start)
    newlines = np.flatnonzero(b == 0x0A)
    bad_lines = np.unique(np.searchsorted(newlines, np.concatenate(bad) if bad else np.zeros(0, np.int64)) + 1)
    lead_lines = np.unique(np.searchsorted(newlines, np.concatenate(lead) if lead else np.zeros(0, np.int64)) + 1)
    return bad_lines, int(len(np.setdiff1d(lead_lines, bad_lines, assume_unique=True)))


def _named(lines) -> str:
    shown = ", ".join(str(int(x)) for x in lines[:_SHOWN])
    more = f" and {len(lines) - _SHOWN} more" if len(lines) > _SHOWN else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


def check_mixed_utf8(path, data: bytes, *, declared: bool = False) -> None:
    """Stop with the line numbers when `data` is UTF-8 but for a few lines (raise IngestError).

    A file counts as mixed when some lines are not valid UTF-8 while others hold valid multi-byte
    UTF-8 characters (at least as many, or at least three): read as Windows-1252 throughout, those
    would be garbled. A file that is Windows-1252 throughout (non-ASCII characters only in lines that
    are not UTF-8) passes. With `declared` (a byte-order mark or ``--encoding utf-8`` says UTF-8)
    any line that is not UTF-8 stops the run.

    Raises
    ------
    IngestError
        Naming the file and the lines, and what to do (re-export, ``--encoding``, or
        ``--encoding-errors replace``).

    Examples
    --------
    >>> from belonging.ingest.encoding import check_mixed_utf8
    >>> data = "a,b\\nZürich,1\\n".encode() + "Zürich,2\\n".encode("latin-1") + "Genève,3\\n".encode()
    >>> check_mixed_utf8("export.csv", data)
    Traceback (most recent call last):
    ...
    belonging.errors.IngestError: export.csv: mixed text encodings: the file is UTF-8 but line 3 is not (it looks like Windows-1252/Latin-1), so it cannot be read in one encoding; save the file again as UTF-8, or read that line as Windows-1252 with --encoding-errors replace
    >>> check_mixed_utf8("export.csv", "a,b\\nZürich,1\\n".encode("cp1252"))  # Windows-1252 throughout: fine
    """
    from belonging.errors import IngestError

    lines, utf8_lines = bad_utf8_lines(data)
    if len(lines) == 0 or not (declared or utf8_lines >= len(lines) or utf8_lines >= 3):
        return
    these = "that line" if len(lines) == 1 else "those lines"
    one = len(lines) == 1
    msg = (f"{path}: mixed text encodings: the file is UTF-8 but {_named(lines)} {'is' if one else 'are'} not "
           f"({'it looks' if one else 'they look'} like Windows-1252/Latin-1), so it cannot be read in one encoding; "
           f"save the file again as UTF-8, or read {these} as Windows-1252 with --encoding-errors replace")
    raise IngestError(msg)


def decode_lines(data: bytes) -> tuple[str, str]:
    """Decode `data` as UTF-8, reading each byte that is not UTF-8 as Windows-1252; return text and a label.

    The label names the encoding and the lines read otherwise, e.g.
    ``"utf-8 (line 3 read as cp1252)"``; it is recorded as the input's encoding. Vectorised: Python's
    ``surrogateescape`` keeps each undecodable byte as a lone surrogate, which one ``str.translate``
    turns into its Windows-1252 character.

    Examples
    --------
    >>> from belonging.ingest.encoding import decode_lines
    >>> data = "a,b\\nZürich,1\\n".encode() + "Zürich,2\\n".encode("latin-1")
    >>> text, label = decode_lines(data)
    >>> text.splitlines()[1:], label
    (['Zürich,1', 'Zürich,2'], 'utf-8 (line 3 read as cp1252)')
    """
    lines, _ = bad_utf8_lines(data)
    text = data.decode("utf-8", errors="surrogateescape")
    if len(lines) == 0:
        return text, "utf-8"
    table = {0xDC00 + b: bytes([b]).decode("cp1252", errors="replace") for b in range(0x80, 0x100)}
    return text.translate(table), f"utf-8 ({_named(lines)} read as cp1252)"
