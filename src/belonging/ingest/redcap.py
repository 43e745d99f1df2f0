"""REDCap: the data dictionary and the adapter for what ``platforms.toml`` cannot express.

REDCap exports one row per record (and per event in longitudinal projects, per instance for
repeating instruments). The first column is the record id (``record_id`` by default, but a project
may rename it). Survey completion times are ``<instrument>_timestamp`` (``[not completed]`` when the
survey was not finished) and form status is ``<form>_complete`` (0 Incomplete, 1 Unverified,
2 Complete). A data dictionary (``Identifier?`` = ``y``) flags fields holding personal data and
gives each field's label and choices (``1, Strongly disagree | 2, Disagree``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from types import MappingProxyType

from belonging import _columns as C
from belonging.errors import IngestError

__all__ = ["Field", "read_dictionary", "redcap_adapter"]

_NAME = "Variable / Field Name"
_TYPE = "Field Type"
_LABEL = "Field Label"
_CHOICES = "Choices, Calculations, OR Slider Labels"
_IDENT = "Identifier?"
_COMPLETE_LABELS = {"2": True, "Complete": True, "0": False, "1": False, "Incomplete": False, "Unverified": False}


@dataclass(frozen=True)
class Field:
    """One field of a REDCap data dictionary."""

    name: str
    type: str
    label: str
    choices: MappingProxyType
    identifier: bool


def read_dictionary(path) -> dict[str, Field]:
    """Read a REDCap data dictionary CSV (UTF-8, with or without BOM) into ``{field name: Field}``.

    Raises
    ------
    IngestError
        Missing file, or no ``Variable / Field Name`` column.
    """
    from belonging.ingest.generic import decode_text, read_bytes

    text, _ = decode_text(path, read_bytes(path))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows or _NAME not in rows[0]:
        msg = f"{path}: not a REDCap data dictionary (line 1 has no {_NAME!r} column); download it from Project Setup > Data Dictionary"
        raise IngestError(msg)
    out = {}
    for r in rows:  # one row per field of the project, not per response
        choices = {}
        if r.get(_TYPE, "") in ("radio", "dropdown", "checkbox", "yesno", "truefalse") or "|" in (r.get(_CHOICES) or ""):
            for part in (r.get(_CHOICES) or "").split("|"):
                code, sep, label = part.partition(",")
                if sep:
                    choices[code.strip()] = label.strip()
        if r.get(_TYPE) == "yesno":
            choices = {"1": "Yes", "0": "No"}
        elif r.get(_TYPE) == "truefalse":
            choices = {"1": "True", "0": "False"}
        out[r[_NAME].strip()] = Field(
            name=r[_NAME].strip(),
            type=(r.get(_TYPE) or "").strip(),
            label=(r.get(_LABEL) or "").strip(),
            choices=MappingProxyType(choices),
            identifier=(r.get(_IDENT) or "").strip().lower() == "y",
        )
    return out


def redcap_adapter(path, spec, table, options):
    """Response id, completion time and status from REDCap's columns; labels from the dictionary."""
    import pandas as pd

    frame = table.frame
    names = list(table.names)
    notes = list(table.notes)
    derived = dict(table.derived)
    # Completion time: the latest survey timestamp of the row; "[not completed]" is not a time.
    ts = [j for j, n in enumerate(names) if n.endswith("_timestamp") or n == "Survey Timestamp"]
    if ts:
        block = frame.iloc[:, ts].astype("string").replace({"[not completed]": pd.NA, "": pd.NA})
        derived[C.SUBMITTED_AT] = block.ffill(axis=1).iloc[:, -1]
    done = [j for j, n in enumerate(names) if n.endswith("_complete") or n.endswith("Complete?")]
    if done:
        flags = frame.iloc[:, done].astype("string").apply(lambda s: s.map(_COMPLETE_LABELS))
        # Complete when every form the row has a status for is Complete (blank: form not in this event).
        derived[C.FINISHED] = flags.notna().any(axis=1) & flags.fillna(True).astype(bool).all(axis=1)
    # Response id: the record id (first column), made unique by event and instance when repeated.
    rid = frame.iloc[:, 0].astype("string")
    if rid.duplicated().any():
        for extra in ("redcap_event_name", "Event Name", "redcap_repeat_instrument", "redcap_repeat_instance", "Repeat Instance"):
            if extra in names:
                rid = rid + "/" + frame.iloc[:, names.index(extra)].astype("string").fillna("")
        notes.append("record ids repeat (events or repeating instruments): response_id is record/event/instance")
    derived[C.RESPONSE_ID] = rid
    table = replace(table, derived=derived, notes=notes)
    dictionary = options.get("dictionary")
    if dictionary is None:
        return table
    return _apply_dictionary(path, table, dictionary)


def _apply_dictionary(path, table, fields: dict):
    """Question text, value labels and identifier flags from the dictionary; label cells to codes."""

    by_label = {}
    for f in fields.values():
        by_label.setdefault(f.label, []).append(f.name)
    questions = list(table.questions)
    labels = dict(table.value_labels)
    idents = set(table.identifiers)
    free = set(table.free_text)
    frame = table.frame
    for j, name in enumerate(table.names):  # columns, not responses
        base, _, choice = name.partition("___")
        f = fields.get(base)
        if f is None and len(by_label.get(name, ())) == 1:
            f = fields[by_label[name][0]]
        if f is None:
            continue
        if f.identifier:
            idents.add(name)
        if f.type == "notes":
            free.add(name)
        if choice:
            questions[j] = f"{f.label} (choice={f.choices.get(choice, choice)})"
            continue
        questions[j] = f.label
        if f.choices:
            labels[name] = MappingProxyType({_num(k): v for k, v in f.choices.items()})
            text = frame.iloc[:, j].astype("string")
            reverse = {v.casefold(): k for k, v in f.choices.items()}
            codes = text.str.strip().str.casefold().map(reverse)
            is_code = text.isin(list(f.choices))
            if bool((codes.notna() & ~is_code).any()):
                frame[frame.columns[j]] = codes.where(~is_code, text)
    return replace(table, frame=frame, questions=questions, value_labels=labels, identifiers=idents, free_text=free)


def _num(code: str):
    try:
        v = float(code)
    except ValueError:
        return code
    return int(v) if v.is_integer() else v


def check_dictionary(path, fields) -> None:
    """Raise when a dictionary file has no fields at all."""
    if not fields:
        msg = f"{path}: the data dictionary lists no fields"
        raise IngestError(msg)
