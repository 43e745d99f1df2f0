"""Platform descriptions (``platforms.toml``), detection by content, and one small adapter per platform.

Everything that differs between platforms and can be written as data (header rows, renames to the
canonical meta columns, identifier columns, date formats, preview/test status values) lives in
``platforms.toml``. The adapters below handle only what data cannot express: how header records
combine into column names (Qualtrics legacy, SurveyMonkey), and completion flags computed from
several columns (LimeSurvey, REDCap). Every adapter takes and returns a :class:`RawTable` and
works column-wise; none loops over responses.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources

from belonging import _columns as C
from belonging.errors import IngestError

__all__ = ["PLATFORM_NAMES", "RawTable", "Spec", "adapt", "detect_platform", "load_specs"]


@dataclass(frozen=True)
class Spec:
    """One platform's description, read from ``platforms.toml``."""

    key: str
    name: str
    containers: tuple[str, ...]
    header_rows: int
    question_row: int
    id_row: int
    detect_all: tuple[str, ...]
    detect_any: tuple[str, ...]
    adapter: str
    rename: dict
    identifiers: tuple[str, ...]
    free_text: tuple[str, ...]
    system: tuple[str, ...]
    date_formats: tuple[str, ...]
    drop: dict
    finished: dict
    missing: tuple[str, ...] = ()


@functools.cache
def load_specs() -> dict[str, Spec]:
    """All platform descriptions, keyed by platform name (read once; read-only)."""
    text = resources.files("belonging.ingest").joinpath("platforms.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    out = {}
    for key, t in raw.items():
        out[key] = Spec(
            key=key,
            name=t["name"],
            containers=tuple(t["containers"]),
            header_rows=int(t["header_rows"]),
            question_row=int(t["question_row"]),
            id_row=int(t["id_row"]),
            detect_all=tuple(t["detect_all"]),
            detect_any=tuple(t["detect_any"]),
            adapter=t["adapter"],
            rename=dict(t.get("rename", {})),
            identifiers=tuple(t["identifiers"]),
            free_text=tuple(t["free_text"]),
            system=tuple(t.get("system", ())),
            date_formats=tuple(t["date_formats"]),
            drop={k: dict(v) for k, v in t.get("drop", {}).items()},
            finished={k: tuple(v) for k, v in t.get("finished", {}).items()},
            missing=tuple(t.get("missing", ())),
        )
    return out


PLATFORM_NAMES = ("qualtrics", "qualtrics_legacy", "surveymonkey", "google_forms", "microsoft_forms", "limesurvey", "redcap", "spss", "stata", "generic")


def _matches(spec: Spec, first: list[str]) -> bool:
    names = {str(c).strip() for c in first}
    if not spec.detect_all and not spec.detect_any:
        return False
    if any(n not in names for n in spec.detect_all):
        return False
    return not spec.detect_any or any(n in names for n in spec.detect_any)


def detect_platform(container: str, records: list[list[str]]) -> str:
    """Name of the platform whose signature columns appear in header record 1 (else ``generic``).

    Detection reads content only: the names in the first record, and for Qualtrics the ImportId
    JSON of the third. A Qualtrics file whose third record is not JSON is still Qualtrics (choice
    text without an ImportId row does not exist, so it is an error later, naming the record).
    """
    if container in ("sav", "dta"):
        return "spss" if container == "sav" else "stata"
    first = [str(c).strip() for c in records[0]] if records else []
    specs = load_specs()
    for key in ("qualtrics", "qualtrics_legacy", "surveymonkey", "limesurvey", "redcap", "microsoft_forms", "google_forms"):
        spec = specs[key]
        if container in spec.containers and _matches(spec, first):
            if key == "qualtrics_legacy" and not (len(records) > 1 and "ResponseID" in records[1]):
                continue
            if key == "google_forms" and first[:1] != ["Timestamp"]:
                continue
            if key == "redcap" and not _redcap_like(first):
                continue
            return key
    if _redcap_like(first) and any(c.endswith("_complete") for c in first):
        return "redcap"
    return "generic"


def _redcap_like(first: list[str]) -> bool:
    return any(c.startswith("redcap_") or c in ("Event Name", "Survey Identifier", "Repeat Instrument") for c in first) or (
        bool(first) and first[0] in ("record_id", "Record ID") and any(c.endswith(("_complete", "Complete?")) for c in first)
    )


def check_platform(path, spec: Spec, container: str, records) -> None:
    """Raise when a file given with ``--platform`` does not look like that platform's export."""
    if container not in spec.containers:
        msg = f"{path}: --platform {spec.key} exports are {'/'.join(spec.containers)}, but this file is {container}; check --platform or use auto"
        raise IngestError(msg)
    if spec.key == "generic" or container in ("sav", "dta"):
        return
    first = [str(c).strip() for c in records[0]] if records else []
    ok = _matches(spec, first) or (spec.key == "redcap" and _redcap_like(first))
    if not ok:
        need = ", ".join(spec.detect_all or spec.detect_any)
        msg = f"{path}: line 1 does not have the {spec.name} columns ({need}); check --platform or use --platform auto"
        raise IngestError(msg)


@dataclass
class RawTable:
    """A parsed export before canonicalisation: body frame plus per-column header facts."""

    frame: object
    names: list
    questions: list
    platform_ids: list
    notes: list = field(default_factory=list)
    value_labels: dict = field(default_factory=dict)
    identifiers: set = field(default_factory=set)
    free_text: set = field(default_factory=set)
    derived: dict = field(default_factory=dict)  # canonical meta column -> Series computed by an adapter


_HTML = re.compile(r"<[^>]+>")


def header_facts(path, spec: Spec, records) -> tuple[list, list, list]:
    """Names, question texts and platform ids from the header records (the default layout)."""
    width = len(records[0])
    for k, rec in enumerate(records[1:], start=2):
        if len(rec) != width:
            msg = f"{path}: header rows disagree: line 1 has {width} cells, header record {k} has {len(rec)}; re-export the file without editing its header"
            raise IngestError(msg)
    names = [str(c).strip() for c in records[0]]
    questions = [_HTML.sub("", str(c)).strip() for c in records[spec.question_row - 1]] if spec.question_row else list(names)
    ids = [None] * width
    if spec.id_row:
        ids = [_import_id(path, c, spec.id_row, j, names[j]) for j, c in enumerate(records[spec.id_row - 1])]
    return names, questions, ids


def _import_id(path, cell, row, j, name):
    cell = str(cell).strip()
    if not cell:
        return None
    try:
        obj = json.loads(cell)
    except json.JSONDecodeError:
        obj = None
    if not isinstance(obj, dict) or "ImportId" not in obj:
        msg = f"{path}: header record {row}, column {j + 1} ({name!r}): expected ImportId JSON, got {cell[:40]!r}; re-export with three header rows or use --platform qualtrics_legacy"
        raise IngestError(msg)
    return str(obj["ImportId"]) + (f"_{obj['choiceId']}" if "choiceId" in obj else "")


def adapt(path, spec: Spec, table: RawTable, options: dict) -> RawTable:
    """Run the platform's adapter (if any) on `table`."""
    fn = _ADAPTERS.get(spec.adapter)
    return fn(path, spec, table, options) if fn else table


def _qualtrics_legacy(path, spec, table, options):
    # Row 1 is V1..V10 for system fields, whose real names are in row 2; question columns keep row 1.
    names = [q if re.fullmatch(r"V\d+", n) else n for n, q in zip(table.names, table.questions)]
    return replace(table, names=names)


def _surveymonkey(path, spec, table, options):
    # Row 1 holds each question once (blank under its other sub-columns); row 2 the sub-label.
    stems, last = [], ""
    for n in table.names:  # header cells, not responses
        last = n or last
        stems.append(last)
    subs = list(table.questions)
    names, questions = [], []
    for stem, sub in zip(stems, subs):
        if sub in ("", "Response", "Open-Ended Response"):
            names.append(stem)
            questions.append(stem)
        else:
            names.append(f"{stem} - {sub}")
            questions.append(f"{stem} - {sub}")
    return replace(table, names=names, questions=questions)


def _limesurvey(path, spec, table, options):
    # An empty submitdate marks a response that was never submitted.
    col = table.names.index("submitdate") if "submitdate" in table.names else None
    if col is not None:
        s = table.frame.iloc[:, col]
        table.derived[C.FINISHED] = s.notna() & (s.astype("string").str.strip() != "")
    return table


def _redcap(path, spec, table, options):
    from belonging.ingest.redcap import redcap_adapter

    return redcap_adapter(path, spec, table, options)


_ADAPTERS = {
    "qualtrics_legacy": _qualtrics_legacy,
    "surveymonkey": _surveymonkey,
    "limesurvey": _limesurvey,
    "redcap": _redcap,
}
