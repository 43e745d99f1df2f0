"""Text from the data made safe for the place it is shown: a terminal, a spreadsheet, an HTML page.

A survey cell can hold anything a respondent or an export typed: escape sequences that recolour or
retitle a terminal (ESC, CSI, OSC), control characters a spreadsheet refuses, and the Unicode
direction controls that make ``evil\\u202egpj.exe`` display as ``evilexe.jpg``. Each sink gets one
function here, used wherever data text reaches it:

- :func:`terminal_text` for lines printed on a terminal (the CLI passes everything it prints through
  :class:`SafeStream`);
- :func:`control_pictures` for XLSX cells (openpyxl refuses C0 control characters);
- :func:`neutralise_bidi` for HTML titles and tables and anything shown as a name (file names made
  from data are ASCII slugs already).

Standard library only, so the CLI can import it before pandas.
"""

from __future__ import annotations

import contextlib
import re
import sys

__all__ = [
    "BIDI_CONTROLS",
    "XLSX_ILLEGAL",
    "SafeStream",
    "control_pictures",
    "neutralise_bidi",
    "redact_identifiers",
    "terminal_safe_streams",
    "terminal_text",
]

# Explicit direction embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI):
# the characters of "Trojan Source" (CVE-2021-42574). The implicit marks (LRM, RLM, ALM) are left
# alone: they reorder nothing beyond the neutral characters next to them and are common in Arabic and
# Hebrew text.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_BIDI_DROP = dict.fromkeys(map(ord, BIDI_CONTROLS))


def _escape(code: int) -> str:
    if code == 0x0D:
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# C0 controls but tab and line feed, DEL, the C1 controls (0x9b is a one-character CSI on many
# terminals), and the direction controls: each becomes its escape, visible and inert.
_TERMINAL = {c: _escape(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0), *map(ord, BIDI_CONTROLS)] if c not in (0x09, 0x0A)}

# C0 controls an XLSX cell cannot hold (XML 1.0 allows tab, line feed and carriage return), shown as
# the Unicode "control pictures" (U+2400 + code: ␛ for ESC, ␀ for NUL); DEL as ␡.
_XLSX = {c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)} | {0x7F: "\u2421"}
XLSX_ILLEGAL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def terminal_text(text: str) -> str:
    """`text` with every control character, escape sequence introducer and direction override escaped.

    Tab and line feed stay; every other C0 control (ESC, BEL, backspace, carriage return ...), DEL, the
    C1 controls (including the one-character CSI U+009B) and the direction embeddings, overrides and
    isolates become visible escapes such as ``\\x1b`` and ``\\u202e``, so data printed on a terminal
    cannot move the cursor, recolour or retitle the window, or reorder what is shown.

    Examples
    --------
    >>> from belonging._safetext import terminal_text
    >>> print(terminal_text("cohort \\x1b]0;pwned\\x07A\\x1b[2J and \\u202eevil"))
    cohort \\x1b]0;pwned\\x07A\\x1b[2J and \\u202eevil
    >>> terminal_text("tab\\tand\\nnewline stay")
    'tab\\tand\\nnewline stay'
    """
    return text.translate(_TERMINAL)


def neutralise_bidi(text: str) -> str:
    """`text` without the Unicode direction embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).

    For names shown in HTML titles, table cells and file names: ``"report\\u202efdp.exe"`` reads as
    ``"reportexe.pdf"`` on screen otherwise. Letters of right-to-left scripts and the implicit marks
    (U+200E, U+200F, U+061C) are kept, so Arabic and Hebrew text still reads correctly. HTML escaping
    is still needed and is the renderer's job (Jinja2 autoescaping).

    Examples
    --------
    >>> from belonging._safetext import neutralise_bidi
    >>> neutralise_bidi("Cohort A\\u202egnp.exe")
    'Cohort Agnp.exe'
    >>> neutralise_bidi("\\u05e9\\u05dc\\u05d5\\u05dd") == "\\u05e9\\u05dc\\u05d5\\u05dd"  # Hebrew letters untouched
    True
    """
    return text.translate(_BIDI_DROP)


def control_pictures(text: str) -> str:
    """`text` with the control characters an XLSX cell cannot hold shown as Unicode control pictures.

    XML 1.0 (and so Excel and openpyxl) refuses C0 control characters other than tab, line feed and
    carriage return; each becomes its picture (U+2400 + code, e.g. ``␛`` for ESC), DEL becomes ``␡``.
    The cell keeps its length and position of every character, and nothing is silently dropped.

    Examples
    --------
    >>> from belonging._safetext import control_pictures
    >>> control_pictures("red\\x1b[31m\\x00end\\tok")
    'red␛[31m␀end\\tok'
    """
    return text.translate(_XLSX)


# Identifier-like text inside a message (the CLI's last line of defence: messages never echo a
# personal value, even one that reached a message through a path nobody foresaw). Conservative on
# purpose: e-mail addresses, IPv4 addresses, US social security numbers and international phone
# numbers (a leading "+" and at least 8 digits); dates, ranges and row numbers do not match.
_IN_MESSAGE = (
    ("e-mail address", re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")),
    ("IP address", re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")),
    ("national id number", re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")),
    ("phone number", re.compile(r"(?<![\w+])\+\d[\d ()./\-]{6,18}\d(?!\d)")),
)


def redact_identifiers(text: str) -> str:
    """`text` with e-mail addresses, IP addresses, social security and international phone numbers replaced.

    Each becomes ``<e-mail address>`` (and so on). Used on every message the command line prints, as
    the last line of defence behind the checks that keep identifying columns out of messages.

    Examples
    --------
    >>> from belonging._safetext import redact_identifiers
    >>> redact_identifiers("row 3, column 'q5': unknown label 'ann@example.org' (or +44 20 7946 0958)")
    "row 3, column 'q5': unknown label '<e-mail address>' (or <phone number>)"
    >>> redact_identifiers("scale 1-7, row 1234567, 2026-03-04, version 1.2")
    'scale 1-7, row 1234567, 2026-03-04, version 1.2'
    """
    for kind, pattern in _IN_MESSAGE:
        if pattern.search(text):
            text = pattern.sub(f"<{kind}>", text)
    return text


class SafeStream:
    """A text stream that passes what is written through :func:`terminal_text` (and optionally redacts).

    Wraps standard error (always) and standard output (when it is a terminal) in the command line.
    A carriage return that starts a write is kept, so progress bars can redraw their line; every other
    control character is escaped. Everything else (``buffer``, ``fileno``, ``isatty``, ``encoding``,
    ``flush`` ...) is the wrapped stream's, so binary writes through ``buffer`` pass unchanged.

    Parameters
    ----------
    stream : text stream
        The stream to write to.
    redact : bool, default False
        Also replace identifier-like text (:func:`redact_identifiers`); for messages, not for data.

    Examples
    --------
    >>> import io
    >>> from belonging._safetext import SafeStream
    >>> raw = io.StringIO()
    >>> safe = SafeStream(raw, redact=True)
    >>> _ = safe.write("error: cohort '\\x1b[31mA' of a@b.org\\n")
    >>> raw.getvalue()
    "error: cohort '\\\\x1b[31mA' of <e-mail address>\\n"
    """

    def __init__(self, stream, *, redact: bool = False) -> None:
        self._stream = stream
        self._redact = redact

    def write(self, text: str) -> int:
        lead = "\r" if text.startswith("\r") else ""
        safe = lead + terminal_text(text[len(lead):])
        if self._redact:
            safe = redact_identifiers(safe)
        self._stream.write(safe)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A library's warning (matplotlib, pandas ...) as ``warning: <message>``: no source path, no code line."""
    stream = file if file is not None else sys.stderr
    if stream is not None:
        stream.write(f"warning: {' '.join(str(message).split())}\n")


@contextlib.contextmanager
def terminal_safe_streams():
    """Inside the block, standard error (and standard output when it is a terminal) is a :class:`SafeStream`.

    What the command line prints on standard error is escaped and redacted (:func:`terminal_text`,
    :func:`redact_identifiers`); standard output is escaped only on a terminal, so data piped to a file
    stays the data. Warnings from libraries are printed as one ``warning:`` line, without the source
    path and line that Python's default shows. The streams and the warning display are restored on
    exit.

    Examples
    --------
    >>> import contextlib, io, sys, warnings
    >>> from belonging._safetext import terminal_safe_streams
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err), terminal_safe_streams(), warnings.catch_warnings():
    ...     warnings.simplefilter("always")
    ...     print("cohort \\x1b[2J of ann@example.org", file=sys.stderr)
    ...     warnings.warn("Glyph 127891 missing from font(s) DejaVu Sans.")
    >>> print(err.getvalue(), end="")
    cohort \\x1b[2J of <e-mail address>
    warning: Glyph 127891 missing from font(s) DejaVu Sans.
    """
    import warnings

    out, err, show = sys.stdout, sys.stderr, warnings.showwarning
    if err is not None:
        sys.stderr = SafeStream(err, redact=True)
    if out is not None and _isatty(out):
        sys.stdout = SafeStream(out)
    warnings.showwarning = _one_line_warning
    try:
        yield
    finally:
        sys.stdout, sys.stderr, warnings.showwarning = out, err, show
