"""Checks every command's options get before any work: outputs never clobber inputs, and columns
named by an option never let a person's identity through.

:func:`check_paths` runs for every command (``belonging.cli.main`` calls it after parsing): an output
path (``-o``, ``--issues``, ``--write-map``) that is any file the command reads (INPUT, ``--map``,
``--roster``, ``--policy``, ``--dictionary``, a key file ...), through symbolic links, ``..`` or hard
links, is a usage error; so are two outputs on one path and a symbolic link loop. A command that
writes into a folder names the files it writes there (``folders=``), and an input lying in that
folder under such a name is refused too.

:func:`check_column_options` runs once the export is read (``load_input``): each column named by an
option that lets a column reach an output or a message (``--keep``, ``--id-column``, ``--by``,
``--compare-by``, ``--covariates``, ``--cluster``, ``--wave`` ...) must not identify a person by its
name or by its content (:func:`belonging.ingest.privacy.identifying_content`); a duplicated column
name among the item or option columns is an error; and ``--id-column`` must be (nearly) unique.

Standard library only at import time (the CLI imports this before any command runs).
"""

from __future__ import annotations

import errno
import fnmatch
import os

__all__ = [
    "COLUMN_OPTIONS",
    "INPUT_OPTIONS",
    "OUTPUT_OPTIONS",
    "RANDOM_RUNS",
    "check_column_options",
    "check_command",
    "check_paths",
    "check_read",
    "draw_seed",
    "input_encoding",
]

# argparse destinations naming files a command reads, and the flag to show for each.
INPUT_OPTIONS = {
    "input": "INPUT", "inputs": "INPUT", "map": "--map", "roster": "--roster", "policy": "--policy",
    "dictionary": "--dictionary", "instrument": "--instrument", "key": "--key", "key_file": "--key-file",
    "logs": "--logs", "log": "--log", "store": "--store", "config": "--config", "template": "--template",
    "instruments": "ID|PATH", "consent": "--consent", "activity": "--activity",
    "moodle": "--moodle", "canvas": "--canvas", "zoom": "--zoom", "teams": "--teams",  # logs, as [COURSE=]FILE
}
# Options naming instruments: a built-in id is no file.
_IDS_OR_PATHS = ("instrument", "instruments")
# argparse destinations naming files a command writes.
OUTPUT_OPTIONS = {"output": "-o", "issues": "--issues", "write_map": "--write-map"}
# argparse destinations naming columns that reach outputs or messages (comma lists allowed).
COLUMN_OPTIONS = {
    "keep": "--keep", "id_column": "--id-column", "by": "--by", "compare_by": "--compare-by",
    "covariates": "--covariates", "cluster": "--cluster", "wave": "--wave", "strata": "--strata",
    "weights": "--weights", "participation": "--participation", "activity_course": "--activity-course",
    "features": "--features",
}
# Options that may name an identifying column on purpose, with --keep-identifiers.
_ON_PURPOSE = ("keep", "id_column")
# --id-column: more repeated values than this share of the rows means it is not a response id.
_MAX_REPEATED = 0.1


def _paths(args, options):
    """``(flag, path)`` for every path given to one of `options` (lists flattened; ``-`` skipped)."""
    out = []
    for dest, flag in options.items():
        value = getattr(args, dest, None)
        for path in value if isinstance(value, list | tuple) else [value]:
            if not path or not isinstance(path, str | os.PathLike) or str(path) == "-":
                continue
            path = os.fspath(path)
            if dest in _IDS_OR_PATHS and not os.path.isfile(path):
                continue  # a built-in instrument id, not a file
            if "=" in path and not os.path.lexists(path) and path.partition("=")[0].strip():
                path = path.partition("=")[2]  # COURSE=FILE (as belonging.activity.log.split_course reads it)
            out.append((flag, path))
    return out


def _loop(path: str) -> bool:
    """True when `path` (or a folder on the way to it) is a symbolic link loop."""
    try:
        os.stat(path)
    except OSError as err:
        return err.errno == errno.ELOOP
    return False


def _same(a: str, b: str) -> bool:
    """`a` and `b` are one file: by inode when both exist (hard links too), else by resolved path."""
    try:
        if os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def _describe(flag: str, path: str) -> str:
    return "the input file" if flag == "INPUT" else f"the {flag} file {path}"


def check_paths(args, *, folders=None) -> None:
    """Refuse outputs that would overwrite an input, outputs that collide, and symbolic link loops.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options; the destinations in :data:`INPUT_OPTIONS` and :data:`OUTPUT_OPTIONS` are read.
    folders : dict, optional
        ``{destination: patterns}`` for options that name an output *folder* (``report -o DIR``): an
        input inside that folder whose path relative to it matches one of the glob `patterns` (the
        files the command writes there, e.g. ``"index.html"``, ``"*.pdf"``) is refused.

    Raises
    ------
    UsageError
        An output resolves to an input (through links or ``..``), two outputs share a path, an output
        is a symbolic link loop, or an input lies in an output folder under an output's name.
    IngestError
        An input is a symbolic link loop.

    Examples
    --------
    >>> import argparse, tempfile
    >>> from pathlib import Path
    >>> from belonging._commands._guard import check_paths
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "map.toml").write_text("[columns]\\n")
    10
    >>> args = argparse.Namespace(input="export.csv", map=str(folder / "map.toml"), write_map=str(folder / "sub" / ".." / "map.toml"))
    >>> check_paths(args)
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: --write-map .../sub/../map.toml: that is the --map file .../map.toml; inputs are never modified, so write the output elsewhere
    """
    from belonging.errors import IngestError, UsageError

    inputs = _paths(args, INPUT_OPTIONS)
    outputs = _paths(args, OUTPUT_OPTIONS)
    for flag, path in inputs:
        if _loop(path):
            msg = f"{flag} {path}: a symbolic link loop (the link leads back to itself); give the file itself"
            raise IngestError(msg)
    for i, (flag, path) in enumerate(outputs):
        if _loop(path):
            msg = f"{flag} {path}: a symbolic link loop (the link leads back to itself); remove the link or write elsewhere"
            raise UsageError(msg)
        for in_flag, in_path in inputs:
            if _same(path, in_path):
                msg = f"{flag} {path}: that is {_describe(in_flag, in_path)}; inputs are never modified, so write the output elsewhere"
                raise UsageError(msg)
        for other_flag, other in outputs[:i]:
            if _same(path, other):
                msg = f"{other_flag} {other} and {flag} {path} are the same file; give each output its own path"
                raise UsageError(msg)
    for dest, patterns in (folders or {}).items():
        _check_folder(args, dest, patterns, inputs)


def _check_folder(args, dest: str, patterns, inputs) -> None:
    from belonging.errors import UsageError

    folder = getattr(args, dest, None)
    if not folder:
        return
    flag = OUTPUT_OPTIONS.get(dest, "--" + dest.replace("_", "-"))
    root = os.path.realpath(folder)
    for in_flag, in_path in inputs:
        rel = os.path.relpath(os.path.realpath(in_path), root)
        if rel.startswith(os.pardir + os.sep) or rel == os.pardir:
            continue
        rel = rel.replace(os.sep, "/")
        if rel == "." or any(fnmatch.fnmatch(rel, p) for p in patterns):
            what = "INPUT" if in_flag == "INPUT" else f"the {in_flag} file"
            msg = (f"{flag} {folder}: {what} {in_path} lies in the output folder under the name of a file this command "
                   f"writes there ({rel}); inputs are never modified, so move it or write to another folder")
            raise UsageError(msg)


def _columns_of(args, dest: str) -> list[str]:
    value = getattr(args, dest, None)
    if not value:
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [str(c).strip() for c in items if str(c).strip()]


def check_column_options(args, responses, instrument=None, mapping=None) -> None:
    """Refuse option columns that identify a person, duplicated columns in use, and a non-unique ``--id-column``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options; the destinations in :data:`COLUMN_OPTIONS` are read.
    responses : Responses
        The export as read.
    instrument, mapping : optional
        To find the item columns (a duplicated item column is an error).

    Raises
    ------
    UsageError
        A column named by an option identifies a person by name or content (``--keep`` and
        ``--id-column`` allow it with ``--keep-identifiers``), or ``--id-column`` repeats values in more
        than a tenth of the rows.
    IngestError
        A column in use (an item or an option's column) appears more than once in the file.

    Examples
    --------
    A :class:`~belonging.Responses` from ``read_export``, or a plain frame:

    >>> import argparse
    >>> import pandas as pd
    >>> from belonging._commands._guard import check_column_options
    >>> data = pd.DataFrame({"mode": ["online", "hybrid"], "reach": ["ann@example.org", "bo@example.org"]})
    >>> check_column_options(argparse.Namespace(by="mode"), data)
    >>> check_column_options(argparse.Namespace(by="reach"), data)
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: --by: column 'reach' identifies a person: its cells hold e-mail addresses (found by content, whatever the column is called); group by a category column such as a cohort, course or mode
    """
    from belonging import _columns as C
    from belonging.ingest.privacy import identifying_content, looks_identifying

    frame = getattr(responses, "data", responses)
    idents = set(getattr(responses, "identifiers", ()))
    on_purpose = bool(getattr(args, "keep_identifiers", False))
    used = []
    for dest, flag in COLUMN_OPTIONS.items():
        for col in _columns_of(args, dest):
            source = C.RESPONSE_ID if dest == "id_column" else col
            if source not in frame.columns:
                continue  # the command names unknown columns, with suggestions
            used.append(col)
            if dest in _ON_PURPOSE and on_purpose:
                continue
            by_name = col in idents or looks_identifying(col)
            kind = None if by_name else identifying_content(frame[source], unique_ok=dest == "id_column")
            if by_name or kind:
                _refuse(args, dest, flag, col, kind)
    _check_duplicates(responses, used, instrument, mapping)
    if getattr(args, "id_column", None) and C.RESPONSE_ID in frame.columns:
        _check_unique(args.id_column, frame[C.RESPONSE_ID])


def _refuse(args, dest, flag, col, kind) -> None:
    from belonging.errors import UsageError

    why = f"its cells hold {kind} (found by content, whatever the column is called)" if kind else "its name says so"
    if dest in _ON_PURPOSE and hasattr(args, "keep_identifiers"):
        what = "it would become the response_id in outputs" if dest == "id_column" else "it is left out of outputs by default"
        fix = "add --keep-identifiers to use it on purpose"
        if dest == "id_column":
            fix += ", or leave out --id-column for the platform's pseudonymous id (else the row number)"
        msg = f"{flag}: column {col!r} identifies a person: {why}; {what}; {fix}"
    elif dest == "id_column":
        msg = (f"{flag}: column {col!r} identifies a person: {why}; response ids appear in checks and messages; leave out "
               "--id-column (the platform's pseudonymous id, else the row number, is used)")
    else:
        msg = f"{flag}: column {col!r} identifies a person: {why}; group by a category column such as a cohort, course or mode"
    raise UsageError(msg)


def _check_duplicates(responses, used, instrument, mapping) -> None:
    """A column name the file has twice, when that column is an item or an option's column."""
    import ast
    import re

    from belonging.errors import IngestError

    prov = getattr(responses, "provenance", None)
    notes = getattr(prov, "notes", ()) or ()
    renamed = {}
    for note in notes:  # written by the readers: "duplicate column name 'x' renamed 'x_2'"
        m = re.fullmatch(r"duplicate column name ('.*'|\".*\") renamed ('.*'|\".*\")", note)
        if m:
            renamed.setdefault(ast.literal_eval(m.group(1)), []).append(ast.literal_eval(m.group(2)))
    if not renamed:
        return
    items = {}
    if instrument is not None:
        from belonging.errors import BelongingError
        from belonging.mapping import load_mapping, resolve_columns

        items = {item: item for item in instrument.item_ids}  # columns named like items, and mapped columns
        items.update(getattr(load_mapping(mapping) if isinstance(mapping, str) else mapping, "columns", None) or {})
        try:
            items.update({src: item for item, src in resolve_columns(responses.data.columns, instrument, mapping).items()})
        except BelongingError:
            pass  # the command reports missing items itself
    for name, copies in renamed.items():
        if name in items or name in used or any(c in items or c in used for c in copies):
            role = f"item {items[name]}" if name in items else "the column asked for"
            msg = (f"{prov.path}: column {name!r} appears {len(copies) + 1} times in the header (the later ones read as "
                   f"{', '.join(map(repr, copies))}); {role} would come from the first one only; remove or rename the duplicate columns")
            raise IngestError(msg)


def _check_unique(flag_value: str, ids) -> None:
    from belonging.errors import UsageError

    repeated = int(ids.duplicated().sum())
    if repeated > _MAX_REPEATED * len(ids):
        distinct = len(ids) - repeated
        msg = (f"--id-column {flag_value!r} is not unique: {repeated} of {len(ids)} rows repeat an earlier value "
               f"({distinct} distinct); a response id names one response (for one respondent across waves use "
               "compare --panel-id); choose another column or leave out --id-column")
        raise UsageError(msg)


# When a command's run is random (only then is a seed drawn; a run that draws nothing records None).
RANDOM_RUNS = {
    "reliability": lambda args: getattr(args, "ci_method", None) == "bootstrap",
    "efa": lambda args: True,  # parallel analysis simulates data
    "report": lambda args: False,  # the seed is only recorded: nothing in a report is random
}


def input_encoding(args) -> str | None:
    """The `encoding` to read INPUT with: ``--encoding``, or with ``--encoding-errors replace`` UTF-8 line by line.

    Examples
    --------
    >>> import argparse
    >>> from belonging._commands._guard import input_encoding
    >>> input_encoding(argparse.Namespace(encoding=None, encoding_errors="replace"))
    'utf-8+cp1252'
    >>> input_encoding(argparse.Namespace(encoding="cp1252", encoding_errors="strict"))
    'cp1252'
    """
    from belonging.errors import UsageError
    from belonging.ingest.encoding import LINEWISE

    encoding = getattr(args, "encoding", None)
    if getattr(args, "encoding_errors", "strict") != "replace" or not _text_file(getattr(args, "input", None)):
        return encoding
    if encoding and encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
        msg = (f"--encoding-errors replace reads the lines of a UTF-8 file that are not UTF-8 as Windows-1252; "
               f"it does not go with --encoding {encoding} (leave out --encoding, or give utf-8)")
        raise UsageError(msg)
    return LINEWISE


def _text_file(path) -> bool:
    """False for SPSS, Stata, Parquet and XLSX files (by their first bytes): they carry their own encoding."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except (OSError, TypeError):
        return True  # the reader names the problem
    binary = head.startswith((b"$FL2", b"$FL3", b"<stata_dta>", b"PAR1", b"PK\x03\x04"))
    return not (binary or (len(head) > 2 and head[0] in (0x71, 0x72, 0x73) and head[1] in (1, 2)))


def check_read(args, responses, instrument=None, mapping=None) -> None:
    """What the CLI checks and says once INPUT is read: :func:`check_column_options`, and on stderr the
    lines read as Windows-1252 under ``--encoding-errors replace``."""
    check_column_options(args, responses, instrument, mapping)
    prov = getattr(responses, "provenance", None)
    encoding = str(getattr(prov, "encoding", ""))
    if "read as cp1252" in encoding:
        import sys

        print(f"{prov.path}: text encoding {encoding} (--encoding-errors replace)", file=sys.stderr)


def draw_seed(args) -> int | None:
    """Give ``args.seed`` a drawn value when the run is random and no ``--seed`` was given; return it.

    Bootstrap intervals and parallel analysis are random: a run without ``--seed`` still uses one seed,
    drawn from the operating system's entropy, so the result records a number that repeats the run
    (``--seed N``) instead of ``None``. :data:`RANDOM_RUNS` says which runs are random (a command not
    listed there is, when it has ``--seed``). Returns the drawn seed, or None when nothing was drawn.

    Examples
    --------
    >>> import argparse
    >>> from belonging._commands._guard import draw_seed
    >>> args = argparse.Namespace(command="efa", seed=None)
    >>> drawn = draw_seed(args)
    >>> drawn == args.seed and 0 <= drawn < 2**32
    True
    >>> draw_seed(argparse.Namespace(command="efa", seed=7)) is None  # given: kept
    True
    >>> draw_seed(argparse.Namespace(command="reliability", ci_method="feldt", seed=None)) is None  # nothing random
    True
    """
    import secrets

    if not hasattr(args, "seed") or args.seed is not None:
        return None
    if not RANDOM_RUNS.get(getattr(args, "command", None), lambda a: True)(args):
        return None
    args.seed = secrets.randbits(32)
    return args.seed


def check_command(args) -> None:
    """What every command gets before it runs (``belonging.cli.main`` calls it): :func:`check_paths`, and
    :func:`draw_seed`, named on stderr unless ``--quiet``."""
    import sys

    check_paths(args)
    seed = draw_seed(args)
    if seed is not None and not getattr(args, "quiet", False):
        print(f"belonging {args.command}: no --seed given; drew seed {seed} (recorded with the results; --seed {seed} "
              "repeats the run)", file=sys.stderr)
