"""Arguments and input/output steps shared by CLI commands (standard library at import time)."""

from __future__ import annotations

import argparse
import json
import sys

__all__ = [
    "add_format_args",
    "add_input_args",
    "emit_frames",
    "load_input",
    "split_list",
]


def split_list(text: str | None) -> list[str]:
    """``"a,b"`` -> ``["a", "b"]``; None or empty -> ``[]``."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def add_input_args(p: argparse.ArgumentParser, *, instrument: bool = True, instrument_required: bool = True) -> None:
    """INPUT plus the options every command that reads an export shares."""
    p.add_argument("input", metavar="INPUT", help="survey export or table (CSV, TSV, XLSX, Parquet, ...)")
    if instrument:
        p.add_argument(
            "--instrument", required=instrument_required, metavar="ID|PATH",
            help="built-in instrument id (see `belonging instruments list`) or a TOML definition",
        )
        p.add_argument("--map", metavar="MAP.toml", help="column-to-item mapping ([columns]), extra labels ([labels]) and numeric code recodes ([codes])")
    p.add_argument(
        "--platform", default="auto", metavar="NAME",
        help="platform that wrote INPUT: auto (detect from content, the default), qualtrics, qualtrics_legacy, "
        "surveymonkey, google_forms, microsoft_forms, limesurvey, redcap, spss, stata, generic",
    )
    p.add_argument("--id-column", metavar="COL", help="column holding the response id (default: response_id, else row number)")
    p.add_argument("--encoding", metavar="ENC", help="text encoding of INPUT (default: detect)")
    p.add_argument(
        "--encoding-errors", choices=("strict", "replace"), default="strict",
        help="a UTF-8 file with lines that are not UTF-8: strict stops with their line numbers (default); "
        "replace reads those lines as Windows-1252 and names them on stderr",
    )
    p.add_argument("--dictionary", metavar="DICT.csv", help="REDCap data dictionary: field labels, choices, identifier fields")
    p.add_argument("--timezone", metavar="TZ", help="IANA time zone of time stamps without an offset (default: UTC)")


def add_format_args(p: argparse.ArgumentParser, *, default: str = "table") -> None:
    """``--format table|csv|json`` and ``-o OUT``."""
    p.add_argument("--format", choices=("table", "csv", "json"), default=default, help=f"output format (default: {default})")
    p.add_argument("-o", "--output", metavar="OUT", default="-", help="write to this file instead of stdout (atomic)")


def load_input(args, *, ids_in_output: bool = False):
    """Read INPUT (and the instrument and mapping when asked) from parsed `args`.

    `ids_in_output`: the command writes response ids (score, validate), so ``--id-column`` may not name
    an identifying column without ``--keep-identifiers``. Returns ``(responses, instrument_or_None,
    mapping_or_None)``.
    """
    from belonging._commands._guard import check_read, input_encoding
    from belonging.ingest import read_export
    from belonging.instruments import load_instrument
    from belonging.mapping import load_mapping

    instrument = load_instrument(args.instrument) if getattr(args, "instrument", None) else None
    mapping = load_mapping(args.map) if getattr(args, "map", None) else None
    if ids_in_output:
        _check_id_column(args)
    responses = read_export(
        args.input, platform=args.platform, id_column=args.id_column, encoding=input_encoding(args),
        dictionary=getattr(args, "dictionary", None), timezone=getattr(args, "timezone", None),
    )
    check_read(args, responses, instrument, mapping)  # identifiers by name and content, duplicates, encoding notes
    return responses, instrument, mapping


def _check_id_column(args) -> None:
    """``--id-column`` naming a column that identifies a person needs ``--keep-identifiers``.

    Its values become the ``response_id`` that outputs carry, so without this an e-mail or a student
    number would reach the output by the back door that ``--keep`` refuses.
    """
    from belonging.errors import UsageError
    from belonging.ingest.privacy import looks_identifying

    col = getattr(args, "id_column", None)
    if col and looks_identifying(col) and not getattr(args, "keep_identifiers", False):
        where = "add --keep-identifiers to use it on purpose" if hasattr(args, "keep_identifiers") else "this command writes no identifiers"
        msg = (f"--id-column: column {col!r} identifies a person and would become the response_id in outputs; "
               f"{where}, or leave out --id-column for the platform's pseudonymous id (else the row number)")
        raise UsageError(msg)


def _jsonable(value):
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def frames_to_json(frames: dict, extra: dict | None = None) -> str:
    """JSON text of named DataFrames (lists of records; NaN as null) plus extra scalar entries."""
    payload = {name: _jsonable(df.to_dict(orient="records")) for name, df in frames.items()}
    for key, value in (extra or {}).items():
        payload[key] = _jsonable(value)
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def frames_to_table(frames: dict, extra: dict | None = None) -> str:
    """Human-readable text of named DataFrames (numbers to 3 decimals)."""
    import pandas as pd

    parts = []
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 160):
        for name, df in frames.items():
            parts.append(f"== {name} ==")
            parts.append(df.to_string(index=False, float_format=lambda v: f"{v:.3f}") if len(df) else "(none)")
            parts.append("")
    for key, value in (extra or {}).items():
        parts.append(f"{key}: {value}")
    return "\n".join(parts).rstrip() + "\n"


def emit_frames(frames: dict, args, *, extra: dict | None = None, csv_frame: str | None = None) -> None:
    """Write named frames as table, CSV (one frame: `csv_frame` or the first) or JSON to -o/stdout."""
    from belonging._io import atomic_write_text, neutralise_formulas

    fmt = args.format
    if fmt == "json":
        text = frames_to_json(frames, extra)
    elif fmt == "csv":
        name = csv_frame or next(iter(frames))
        text = neutralise_formulas(frames[name]).to_csv(index=False, lineterminator="\n")
    else:
        from belonging._safetext import terminal_text

        text = terminal_text(frames_to_table(frames, extra))  # read by people: no escape sequences from the data
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        atomic_write_text(args.output, text)
