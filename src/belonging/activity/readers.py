"""Log files to raw events: one code path, each system's layout and vocabulary read from systems.toml.

A reader returns a :class:`RawLog`: one row per counted log row, with the identity fields needed to
match the person (``name``, ``alt``, ``email``, ``id``, ``guest``; ``target_name`` for the affected
user of Moodle rows) beside the event (``event``, ``time``, ``end_time``, ``minutes``, ``count``,
``thread``, ``session``) and ``row`` (the row's number in the file, for messages). Identities never
leave :func:`belonging.activity.read_activity`, which matches and drops them at once.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from belonging import _columns as C
from belonging.activity._dates import parse_durations, parse_times
from belonging.activity._spec import months, system
from belonging.activity._text import describe_cell, find_column, header_key, read_rows, read_table
from belonging.activity.match import split_renamed, swap_comma_name
from belonging.diagnostics import Code, Diagnostic
from belonging.errors import IngestError

__all__ = ["RawLog", "read_log"]

ROW = "row"
_IDENT = ("name", "alt", "email", "id", "guest", "target_name")


@dataclass(frozen=True)
class RawLog:
    """Rows of one log file with identities still attached (internal to read_activity)."""

    system: str
    path: str
    frame: pd.DataFrame
    sessions: pd.DataFrame
    encoding: str
    warnings: tuple


def read_log(system_name: str, path, *, timezone: str = "UTC", dayfirst: bool | None = None) -> RawLog:
    """Read one file of `system_name` (``moodle``, ``canvas``, ``zoom``, ``teams``)."""
    spec = system(system_name)
    path = Path(path)
    reader = {"table": _read_table_system, "preamble": _read_preamble, "sections": _read_sections}[spec["layout"]]
    frame, sessions, encoding, warnings = reader(spec, path, timezone=timezone, dayfirst=dayfirst)
    if frame.empty:  # every system alike: a file with its header and no rows shows no events
        warnings = [*warnings, Diagnostic(Code.DATA, f"{path.name}: the {spec['label']} has its header but no rows: "
                                                     "no events from it (check that the download is complete)",
                                          where=path.name)]
    for col in _IDENT:
        if col not in frame:
            frame[col] = pd.Series(pd.NA, index=frame.index, dtype="boolean" if col == "guest" else "string")
    return RawLog(system_name, str(path), frame.reset_index(drop=True), sessions, encoding, tuple(warnings))


# --- shared steps ----------------------------------------------------------------------------------

def _columns(header, spec, path: Path, *, start: int = 0) -> dict:
    """Canonical name -> position of each known column in `header` (from position `start` on)."""
    found = {}
    for name, spellings in spec["columns"].items():
        if name == "required":
            continue
        pos = find_column(list(header)[start:], spellings)
        if pos is not None:
            found[name] = pos + start
    missing = [n for n in spec["columns"]["required"] if n not in found]
    if missing:
        want = "; ".join(f"{n}: {spec['columns'][n][0]!r}" for n in missing)
        # the cells found are not quoted back: in a file that is not what it was given as, the "header"
        # may be a row of names or addresses
        msg = (f"{path}: not a {spec['label']}: no column for {want} among its {len(header)} header cell(s); "
               "check the file and the system it was given as")
        raise IngestError(msg)
    return found


def _times(values: pd.Series, rows: pd.Series, spec, path: Path, column: str, *, timezone, dayfirst):
    """Times of `values` in UTC; an error names file, row and the file's header `column`, never the cell."""
    parsed = parse_times(values, spec["formats"], months=months(), timezone=timezone, dayfirst=dayfirst,
                         default_dayfirst=spec["dayfirst"], where=path.name)
    if parsed.bad.any():
        i = int(np.flatnonzero(parsed.bad.to_numpy())[0])
        msg = (f"{path}: row {int(rows.iloc[i])}, column {column!r}: cannot read the time, a "
               f"{describe_cell(values.iloc[i])} ({int(parsed.bad.sum())} such value(s)); expected e.g. "
               f"{spec['formats'][0]['format']}; check that the row's cells are in their columns")
        raise IngestError(msg)
    return parsed.times, list(parsed.warnings)


def _blank(values: pd.Series) -> pd.Series:
    """Text with empty cells and Moodle's ``-`` (no user) as missing."""
    text = values.astype("string").str.strip()
    return text.mask(text.isin(["", "-"]))


def _count(values: pd.Series, rows: pd.Series, path: Path, column: str) -> pd.Series:
    number = pd.to_numeric(values.astype("string").str.strip().replace("", pd.NA), errors="coerce")
    bad = values.notna() & (values.astype("string").str.strip() != "") & number.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        msg = (f"{path}: row {int(rows.iloc[i])}, column {column!r}: not a number but a {describe_cell(values.iloc[i])}; "
               "check that the row's cells are in their columns")
        raise IngestError(msg)
    return number.fillna(0).astype("float64")


# --- one header row, one record a row (Moodle, Canvas) ---------------------------------------------

def _read_table_system(spec, path: Path, *, timezone, dayfirst):
    frame, encoding = read_table(path, label=spec["label"])
    pos = _columns(frame.columns, spec, path)
    col = {name: frame.iloc[:, i] for name, i in pos.items()}
    names = {name: str(frame.columns[i]) for name, i in pos.items()}
    rows = pd.Series(np.arange(len(frame)) + 2, index=frame.index)
    build = _canvas_events if spec.get("aggregate") else _moodle_events
    out, warnings = build(spec, col, names, rows, path, timezone=timezone, dayfirst=dayfirst)
    return out, _no_sessions(), encoding, warnings


def _classify(descriptions: pd.Series, rules) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Kind, thread id and whose event (``actor``/``affected``) of each row, first matching rule wins.

    The rules' regular expressions run in Arrow's vectorised engine (RE2), one pass per rule.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(descriptions.astype("string[pyarrow]").fillna(""))  # Arrow strings as they are, no Python objects
    kind = np.full(len(arr), None, dtype=object)
    thread = np.full(len(arr), None, dtype=object)
    who = np.full(len(arr), "actor", dtype=object)
    for rule in rules:
        pattern = rule["pattern"]
        hit = pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)
        new = hit & (kind == None)  # noqa: E711 (element-wise comparison with None)
        if not new.any():
            continue
        kind[new] = rule["kind"]
        who[new] = rule.get("attribute", "actor")
        if "(?P<thread>" in pattern:
            ids = pc.struct_field(pc.extract_regex(arr, pattern), "thread").to_numpy(zero_copy_only=False)
            thread[new] = ids[new]
    index = descriptions.index
    return (pd.Series(kind, index=index, dtype="string"), pd.Series(thread, index=index, dtype="string"),
            pd.Series(who, index=index, dtype="string"))


def _moodle_events(spec, col, names, rows, path, *, timezone, dayfirst):
    times, warnings = _times(col["time"], rows, spec, path, names["time"], timezone=timezone, dayfirst=dayfirst)
    kind, thread, who = _classify(col["description"], spec["events"])
    user = _blank(col["user"])
    affected = _blank(col["affected"]) if "affected" in col else pd.Series(pd.NA, index=user.index, dtype="string")
    on_affected = who == "affected"
    out = pd.DataFrame({
        "name": user.mask(on_affected, affected),
        "target_name": affected.mask(on_affected, pd.NA),
        C.EVENT: kind.fillna("other"),
        C.TIME: times,
        C.THREAD: thread,
        C.COUNT: 1.0,
        ROW: rows,
    })
    return out, warnings


def _canvas_kinds(category: pd.Series, rules):
    """What the views and the participations of each row's category count as."""
    views = pd.Series(pd.NA, index=category.index, dtype="string")
    parts = pd.Series(pd.NA, index=category.index, dtype="string")
    cat = category.fillna("").map(header_key)
    for rule in rules:
        hit = cat.isin([header_key(c) for c in rule["category"]]) if rule["category"] else pd.Series(True, index=cat.index)
        views = views.mask(hit & views.isna(), rule["views"])
        parts = parts.mask(hit & parts.isna(), rule["participations"])
    return views, parts


def _canvas_events(spec, col, names, rows, path, *, timezone, dayfirst):
    last, warnings = _times(col["last_access"], rows, spec, path, names["last_access"], timezone=timezone, dayfirst=dayfirst)
    if "first_access" in col:
        first, more = _times(col["first_access"], rows, spec, path, names["first_access"], timezone=timezone, dayfirst=dayfirst)
        warnings += more
    else:
        first = pd.Series(pd.NaT, index=last.index, dtype=last.dtype)
    views_kind, parts_kind = _canvas_kinds(col["category"], spec["events"])
    ident = pd.DataFrame({
        "name": _blank(col["name"]),
        "alt": swap_comma_name(_blank(col["sortable"])) if "sortable" in col else pd.NA,
        "id": _blank(col["sis_user"]) if "sis_user" in col else pd.NA,
        "email": _blank(col["login"]) if "login" in col else pd.NA,
        ROW: rows,
    })
    views = _count(col["views"], rows, path, names["views"])
    parts = _count(col["participations"], rows, path, names["participations"])
    # Each file row gives up to three events (its views, its participations, its first access: a day of
    # activity); they share the row number, so that every file row is matched and counted once.
    seen = ident.assign(**{C.EVENT: views_kind, C.TIME: last, C.COUNT: views})
    took = ident.assign(**{C.EVENT: parts_kind, C.TIME: last, C.COUNT: parts})
    began = ident.assign(**{C.EVENT: "access", C.TIME: first, C.COUNT: 0.0})
    out = pd.concat([seen, took[parts > 0], began[first.notna()]], ignore_index=True)
    return out, warnings


# --- meeting reports -------------------------------------------------------------------------------

def _no_sessions() -> pd.DataFrame:
    return pd.DataFrame({C.SESSION: pd.Series(dtype="string"), "start": pd.Series(dtype="datetime64[ns, UTC]"),
                         "end": pd.Series(dtype="datetime64[ns, UTC]")})


def _cells(rows, width: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of cells as a frame of text `width` columns wide (short rows padded, long rows cut), and
    which rows hold any non-blank cell (of all their cells), column by column, not row by row."""
    columns = list(itertools.zip_longest(*rows, fillvalue=""))  # transposed in C, ragged rows padded
    filled = np.zeros(len(rows), dtype=bool)
    for cells in columns:
        filled |= pd.Series(cells, dtype="string").str.strip().ne("").to_numpy(dtype=bool)
    columns += [("",) * len(rows)] * (width - len(columns))
    return pd.DataFrame({i: pd.Series(columns[i], dtype="string") for i in range(width)},
                        index=pd.RangeIndex(len(rows))), filled


def _meeting_info(rows, spec, upto: int) -> dict:
    """Meeting fields from the rows above the participants' header: a header row and a row of values."""
    filled = [r for r in rows[:upto] if any(c.strip() for c in r)]
    info = {}
    if len(filled) >= 2:
        head, values = filled[0], filled[1]
        for name, spellings in spec["meeting"].items():
            pos = find_column(head, spellings)
            if pos is not None and pos < len(values):
                info[name] = values[pos].strip()
    return info


def _live_rows(table: pd.DataFrame, pos: dict, header, spec, path: Path, rows: pd.Series, *, timezone, dayfirst):
    """Join, leave and minutes of meeting rows (times optional; minutes from the file or the times)."""
    warnings = []
    times = {}
    for name in ("join", "leave"):
        if name in pos:
            times[name], more = _times(table[pos[name]], rows, spec, path, str(header[pos[name]]).strip(),
                                       timezone=timezone, dayfirst=dayfirst)
            warnings += more
        else:
            times[name] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns, UTC]")
    if "minutes" in pos:
        minutes = _count(table[pos["minutes"]], rows, path, str(header[pos["minutes"]]).strip())
    elif "duration" in pos:
        minutes = parse_durations(table[pos["duration"]])
    else:
        minutes = pd.Series(np.nan, index=table.index)
    spanned = (times["leave"] - times["join"]).dt.total_seconds() / 60
    minutes = minutes.where(minutes.notna(), spanned)
    return times["join"], times["leave"], minutes, warnings


def _read_preamble(spec, path: Path, *, timezone, dayfirst):
    rows, encoding, _ = read_rows(path)
    at = next((i for i, r in enumerate(rows) if find_column(r, spec["columns"][spec["header"]]) is not None), None)
    if at is None:
        msg = (f"{path}: not a {spec['label']}: no participants header with "
               f"{spec['columns'][spec['header']][0]!r}; export the participants report as CSV")
        raise IngestError(msg)
    header = rows[at]
    start = find_column(header, spec["columns"][spec["header"]])
    pos = _columns(header, spec, path, start=start)
    after, filled = _cells(rows[at + 1:], len(header))
    table = after[filled].reset_index(drop=True)
    line = pd.Series(np.flatnonzero(filled) + at + 2, dtype="int64")
    info = _meeting_info(rows, spec, at)
    flat = {n: find_column(header[:start], s) for n, s in spec["meeting"].items()}
    meeting = {n: (table[i] if i is not None else pd.Series(info.get(n, ""), index=table.index, dtype="string"))
               for n, i in flat.items()}
    join, leave, minutes, warnings = _live_rows(table, pos, header, spec, path, line, timezone=timezone, dayfirst=dayfirst)
    new, orig = split_renamed(_blank(table[pos["name"]]))
    guest = table[pos["guest"]].str.strip().str.casefold().isin(spec["guest_values"]) if "guest" in pos else False
    session = _opaque(meeting["meeting_id"].fillna("") + "|" + meeting["topic"].fillna("") + "|"
                      + meeting["start"].fillna(""))
    out = pd.DataFrame({"name": new, "alt": orig, "email": _blank(table[pos["email"]]) if "email" in pos else pd.NA,
                        "guest": guest, C.EVENT: "live", C.TIME: join, C.END_TIME: leave, C.MINUTES: minutes,
                        C.COUNT: 1.0, C.SESSION: session, ROW: line})
    sessions, more = _session_windows(out, meeting, spec, path, timezone=timezone, dayfirst=dayfirst)
    return out, sessions, encoding, warnings + more


def _opaque(meetings: pd.Series) -> pd.Series:
    """Each distinct meeting of a file (id, topic, start) as ``m1``, ``m2`` ... in order of appearance:
    a meeting's topic ("Jane Doe's Personal Meeting Room") may name a person, so it is never kept."""
    codes, _ = pd.factorize(meetings, use_na_sentinel=False)
    return pd.Series(codes + 1, index=meetings.index).map("m{}".format).astype("string")


def _session_windows(out, meeting, spec, path, *, timezone, dayfirst):
    """Start and end of each meeting: from the report's meeting information, else its rows' times."""
    if out.empty:
        return _no_sessions(), []
    frame = pd.DataFrame({C.SESSION: out[C.SESSION], "start_text": meeting.get("start"),
                          "end_text": meeting.get("end")}).drop_duplicates(C.SESSION)
    warnings = []
    bounds = {}
    for name in ("start", "end"):
        text = frame[f"{name}_text"].astype("string")
        if text.notna().any() and (text.fillna("").str.strip() != "").any():
            parsed = parse_times(text, spec["formats"], months=months(), timezone=timezone, dayfirst=dayfirst,
                                 default_dayfirst=spec["dayfirst"], where=path.name)
            bounds[name] = parsed.times.where(~parsed.bad)
            warnings += list(parsed.warnings)
        else:
            bounds[name] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    by = out.groupby(C.SESSION)
    start = frame[C.SESSION].map(by[C.TIME].min())
    end = frame[C.SESSION].map(by[C.END_TIME].max())
    sessions = pd.DataFrame({C.SESSION: frame[C.SESSION].astype("string"),
                             "start": bounds["start"].fillna(start), "end": bounds["end"].fillna(end)})
    return sessions.reset_index(drop=True), warnings


def _section_bounds(rows, spec):
    """Row index of each section title (summary, participants, activities) found in `rows`."""
    titles = {name: {header_key(s) for s in spellings} for name, spellings in spec["sections"].items()}
    found = {}
    for i, r in enumerate(rows):
        cells = [c for c in r if c.strip()]
        if len(cells) == 1:
            key = header_key(cells[0])
            for name, keys in titles.items():
                if key in keys and name not in found:
                    found[name] = i
    return found


def _section_table(rows, begin: int, end: int):
    """The header and the rows of one section (up to the first blank row)."""
    body = []
    header = rows[begin + 1] if begin + 1 < end else []
    for i in range(begin + 2, end):
        if not any(c.strip() for c in rows[i]):
            break
        body.append((i + 1, rows[i]))
    return header, body


def _read_sections(spec, path: Path, *, timezone, dayfirst):
    rows, encoding, _ = read_rows(path)
    found = _section_bounds(rows, spec)
    use = "activities" if "activities" in found else "participants"
    if use not in found:
        msg = (f"{path}: not a {spec['label']}: no section {spec['sections']['participants'][0]!r}; "
               "download the attendance report again (CSV)")
        raise IngestError(msg)
    ends = sorted([*found.values(), len(rows)])
    begin = found[use]
    header, body = _section_table(rows, begin, next(e for e in ends if e > begin))
    if use == "activities" and not body and "participants" in found:
        use, begin = "participants", found["participants"]
        header, body = _section_table(rows, begin, next(e for e in ends if e > begin))
    pos = _columns(header, spec, path)
    table, _ = _cells([r for _, r in body], len(header))
    line = pd.Series([n for n, _ in body], dtype="int64")
    join, leave, minutes, warnings = _live_rows(table, pos, header, spec, path, line, timezone=timezone, dayfirst=dayfirst)
    name, guest = _teams_names(table[pos["name"]], spec)
    email = _blank(table[pos["email"]]) if "email" in pos else pd.Series(pd.NA, index=table.index, dtype="string")
    if "upn" in pos:
        email = email.fillna(_blank(table[pos["upn"]]))
    summary = _summary(rows, found.get("summary"), found.get("participants", len(rows)), spec)
    session = pd.Series("m1", index=table.index, dtype="string")  # one meeting a report
    out = pd.DataFrame({"name": name, "email": email, "guest": guest, C.EVENT: "live", C.TIME: join,
                        C.END_TIME: leave, C.MINUTES: minutes, C.COUNT: 1.0, C.SESSION: session, ROW: line})
    meeting = {k: pd.Series(summary.get(k, ""), index=table.index, dtype="string") for k in ("start", "end")}
    sessions, more = _session_windows(out, meeting, spec, path, timezone=timezone, dayfirst=dayfirst)
    return out, sessions, encoding, warnings + more


def _summary(rows, begin, end, spec) -> dict:
    """Title, start and end of a meeting from the summary section's ``key<TAB>value`` rows."""
    info = {}
    if begin is None:
        return info
    for r in rows[begin + 1:end]:
        if len(r) >= 2:
            for name, spellings in spec["summary"].items():
                if header_key(r[0]) in {header_key(s) for s in spellings}:
                    info.setdefault(name, r[1].strip())
    return info


def _teams_names(values: pd.Series, spec):
    """Names without Teams' markers, and whether a marker says the person joined as a guest."""
    text = _blank(values)
    guest = pd.Series(False, index=text.index)
    for suffix in spec["guest_suffixes"]:
        pattern = re.compile(re.escape(suffix), re.IGNORECASE)
        guest |= text.str.contains(pattern).fillna(False)
        text = text.str.replace(pattern, "", regex=True)
    for suffix in spec["name_suffixes"]:
        text = text.str.replace(re.compile(re.escape(suffix), re.IGNORECASE), "", regex=True)
    return _blank(text.str.replace(r"\s+", " ", regex=True)), guest
