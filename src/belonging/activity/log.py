"""`read_activity`: learning-platform and meeting logs to pseudonymous events, matched to a roster."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from belonging import _columns as C
from belonging.activity._spec import SYSTEMS, system
from belonging.activity.match import REASONS, ambiguous_keys, match_identities
from belonging.activity.readers import ROW, read_log
from belonging.activity.roster import Roster, load_roster
from belonging.diagnostics import Code, Diagnostic
from belonging.errors import UsageError, suggest

__all__ = ["ActivityLog", "check_timezone", "read_activity"]

#: Columns of :attr:`ActivityLog.events`.
EVENT_COLUMNS = (C.STUDENT_KEY, C.COURSE, C.SYSTEM, C.SOURCE, C.EVENT, C.TIME, C.END_TIME, C.MINUTES, C.COUNT,
                 C.THREAD, C.SESSION, C.TARGET_KEY, C.ROLE)


@dataclass(frozen=True)
class ActivityLog:
    """Events of students from learning-platform and meeting logs, identities replaced by keyed pseudonyms.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per counted event of a student on the roster: ``student_key``, ``course``,
        ``system``, ``source`` (which file: ``moodle #1`` ...), ``event`` (its kind: ``forum_reply``,
        ``live`` ...; ``staff_reply`` rows are the forum replies of staff, kept only to count the
        replies a student's discussion received), ``time`` (UTC), ``end_time`` and ``minutes`` (meetings), ``count`` (events the
        row stands for: 1, or a Canvas item's views), ``thread`` (forum discussion), ``session``
        (meeting: an opaque id such as ``zoom #1/m1``, the file and its meeting), ``target_key`` and ``role`` (pseudonym and role of the affected person, e.g. the
        recipient of a message).
    students : pandas.DataFrame
        The roster's students: ``student_key``, ``course``, ``section``.
    sessions : pandas.DataFrame
        Each meeting: ``session``, ``course``, ``system``, ``start``, ``end`` (UTC).
    unresolved : pandas.DataFrame
        ``student_key``, ``course``, ``system``: students who share their name with another roster
        student of the course and whom a file's rows could not tell apart (an ambiguous name in a
        name-only log). Their features from that system are missing, not zero.
    matching : pandas.DataFrame
        Per file: ``system``, ``source``, ``course``, ``rows``, ``matched`` (rows of students),
        ``fuzzy`` (of them, matched by a close name), then one column per reason a row was not counted
        (``guest``, ``unknown_email``, ``unknown_name``, ``ambiguous_name``, ``no_identity``,
        ``staff``). Counts only: no name, address or id.
    key_column, key_id : str
        The roster column the pseudonyms were made from, and the key's fingerprint.
    timezone : str
        Time zone of times written without an offset, and of days (``active_days``).
    window : tuple
        ``(start, end)`` of :meth:`between` (UTC timestamps, None for open), or ``(None, None)``.
    warnings : tuple of Diagnostic

    Examples
    --------
    >>> import pandas as pd
    >>> import tempfile, pathlib
    >>> import belonging as bl
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> roster = pd.DataFrame({"student_id": ["S1", "S2"], "name": ["Ana Pérez", "Bo Li"],
    ...                        "email": ["ana@uni.example", "bo@uni.example"]})
    >>> _ = (folder / "zoom.csv").write_text(
    ...     "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\\n"
    ...     "Ana Perez,ana@uni.example,03/20/2026 09:00:00 AM,03/20/2026 09:50:00 AM,50,No\\n"
    ...     "Bo (Bo Li),,03/20/2026 09:05:00 AM,03/20/2026 09:45:00 AM,40,No\\n"
    ...     "Visitor,,03/20/2026 09:10:00 AM,03/20/2026 09:20:00 AM,10,Yes\\n")
    >>> log = bl.read_activity({"zoom": folder / "zoom.csv"}, roster=roster, key=bytes(32))
    >>> print(log.matching[["system", "rows", "matched", "guest"]].to_string(index=False))
    system  rows  matched  guest
      zoom     3        2      1
    >>> float(log.events["minutes"].sum())
    90.0
    """

    events: pd.DataFrame
    students: pd.DataFrame
    sessions: pd.DataFrame
    matching: pd.DataFrame
    unresolved: pd.DataFrame
    key_column: str
    key_id: str
    timezone: str = "UTC"
    warnings: tuple = field(default_factory=tuple)
    window: tuple = (None, None)

    def between(self, start=None, end=None) -> ActivityLog:
        """The events from `start` up to (not including) `end`, e.g. the weeks before a survey wave.

        Times without an offset are in the log's time zone. Systems that count per item over the whole
        course (the Canvas access report: views and participations with no time of their own) cannot be
        cut to a window: their events are left out, the features only they show are missing, and a
        warning says so.

        Raises
        ------
        UsageError
            `start` or `end` is not a date or time, or `end` is not after `start`.

        Examples
        --------
        >>> import pandas as pd
        >>> import tempfile, pathlib
        >>> import belonging as bl
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "zoom.csv"
        >>> _ = path.write_text(
        ...     "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\\n"
        ...     "Ana Perez,ana@uni.example,03/02/2026 09:00:00 AM,03/02/2026 09:50:00 AM,50,No\\n"
        ...     "Ana Perez,ana@uni.example,03/20/2026 09:00:00 AM,03/20/2026 09:40:00 AM,40,No\\n")
        >>> roster = pd.DataFrame({"student_id": ["S1"], "email": ["ana@uni.example"]})
        >>> log = bl.read_activity({"zoom": path}, roster=roster, key=bytes(32), dayfirst=False)
        >>> log.between("2026-03-10").events["minutes"].tolist()
        [40.0]
        """
        import dataclasses

        lo, hi = (_when(start, "start", self.timezone), _when(end, "end", self.timezone))
        lo = max((t for t in (lo, self.window[0]) if t is not None), default=None)
        hi = min((t for t in (hi, self.window[1]) if t is not None), default=None)
        if lo is not None and hi is not None and hi <= lo:
            msg = f"the window must end after it starts; got {lo} to {hi}"
            raise UsageError(msg)
        ev = self.events
        keep = ev[C.TIME].notna()
        keep &= ev[C.TIME] >= lo if lo is not None else True
        keep &= ev[C.TIME] < hi if hi is not None else True
        whole = [name for name in self.matching[C.SYSTEM].unique() if system(name).get("aggregate")]
        keep &= ~ev[C.SYSTEM].isin(whole)
        notes = [Diagnostic(Code.DATA, f"{r[C.SOURCE]}: a {system(r[C.SYSTEM])['label']} counts views and participations "
                                       "per item over the whole course (no time of its own), so it is left out of the "
                                       "time window; the features only it shows are missing", where=r[C.SOURCE])
                 for _, r in self.matching[self.matching[C.SYSTEM].isin(whole)].iterrows()]
        return dataclasses.replace(self, events=ev[keep].reset_index(drop=True), window=(lo, hi),
                                   warnings=tuple(dict.fromkeys([*self.warnings, *notes])))
    def summary(self) -> str:
        """Rows read, matched and not counted (by reason) per file; counts only."""
        lines = [f"{len(self.students)} student enrolment(s); key from {self.key_column!r} (key {self.key_id})"]
        if any(t is not None for t in self.window):
            lo, hi = (t.strftime("%Y-%m-%d %H:%M UTC") if t is not None else "open" for t in self.window)
            lines.append(f"events counted from {lo} up to {hi}")
        for _, r in self.matching.iterrows():
            why = ", ".join(f"{reason} {int(r[reason])}" for reason in REASONS if r[reason])
            fz = f" ({int(r[C.FUZZY])} by close name)" if r[C.FUZZY] else ""
            lines.append(f"{r[C.SOURCE]} ({r[C.COURSE]}): {int(r[C.ROWS])} row(s), {int(r[C.MATCHED])} matched{fz}"
                         + (f"; not counted: {why}" if why else ""))
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        return "<pre>" + escape(self.summary()) + "</pre>" + self.matching.to_html(index=False)


def check_timezone(name, option: str = "`timezone`") -> str:
    """`name` if it is an IANA time zone (``Europe/Berlin``, ``UTC``), else a :class:`UsageError`
    naming `option` and the closest names.

    Examples
    --------
    >>> from belonging.activity.log import check_timezone
    >>> check_timezone("Europe/Berlin")
    'Europe/Berlin'
    >>> check_timezone("europe/berlin", "--timezone")
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: --timezone: unknown time zone 'europe/berlin' (did you mean 'Europe/Berlin'?); give an IANA name such as Europe/Berlin, America/New_York or UTC
    """
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        names = zoneinfo.available_timezones()
        near = {n.casefold(): n for n in names}.get(str(name).casefold())
        hint = f" (did you mean {near!r}?)" if near else suggest(str(name), sorted(names))
        msg = f"{option}: unknown time zone {name!r}{hint}; give an IANA name such as Europe/Berlin, America/New_York or UTC"
        raise UsageError(msg) from None
    return str(name)


def _when(value, name: str, timezone: str):
    """`value` as a UTC timestamp (read in `timezone` when it has no offset); None stays None."""
    if value is None:
        return None
    try:
        t = pd.Timestamp(value)
    except (ValueError, TypeError):
        t = pd.NaT
    if t is pd.NaT:
        msg = f"`{name}` must be a date or time such as 2026-03-01; got {value!r}"
        raise UsageError(msg)
    return (t.tz_localize(timezone) if t.tzinfo is None else t).tz_convert("UTC")


def _sources(files) -> list[tuple[str, str | None, Path]]:
    """``(system, course or None, path)`` for each file given."""
    items = []
    if isinstance(files, dict):
        for name, value in files.items():
            for one in value if isinstance(value, list | tuple) and not _is_pair(value) else [value]:
                items.append((name, one))
    else:
        items = [(f[0], f[1] if len(f) == 2 else (f[2], f[1])) for f in files]
    out = []
    for name, one in items:
        if str(name).lower() not in SYSTEMS:
            msg = f"unknown system {name!r}{suggest(str(name).lower(), SYSTEMS)}; choose one of: {', '.join(SYSTEMS)}"
            raise UsageError(msg)
        course, path = one if _is_pair(one) else split_course(one)
        out.append((str(name).lower(), course, Path(path)))
    if not out:
        msg = "no log files given; give at least one Moodle, Canvas, Zoom or Teams file"
        raise UsageError(msg)
    return out


def _is_pair(value) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and not isinstance(value[0], Path)


def split_course(text) -> tuple[str | None, Path]:
    """``"BIO101=log.csv"`` -> ``("BIO101", Path("log.csv"))`` when ``log.csv`` exists.

    A path that exists is never split, and neither is one whose part after ``=`` does not exist: then
    the whole text is the path, so that a mistyped ``logs/week=1.csv`` is reported as a missing file,
    not as an unknown course.

    Examples
    --------
    >>> from belonging.activity.log import split_course
    >>> course, path = split_course("BIO101=no/such/file.csv")
    >>> course, str(path)
    (None, 'BIO101=no/such/file.csv')
    """
    text = str(text)
    if "=" in text and not Path(text).exists():
        course, _, path = text.partition("=")
        if course.strip() and Path(path).exists():
            return course.strip(), Path(path)
    return None, Path(text)


def _course_of(raw, roster: Roster, course: str | None, fuzzy: bool, label: str):
    """The course a file belongs to: given, the roster's only course, or the one most of its people take."""
    courses = roster.courses
    if course is not None:
        if course not in courses and courses != ("all",):
            msg = (f"{label}: course {course!r} is not on the roster{suggest(course, courses)}; "
                   f"roster courses: {', '.join(map(str, courses[:10]))}")
            raise UsageError(msg)
        return course if courses != ("all",) else "all", []
    if len(courses) == 1:
        return courses[0], []
    found = match_identities(raw.frame, roster, fuzzy=fuzzy)[C.STUDENT_KEY].dropna().unique()
    enrolled = roster.students[roster.students[C.STUDENT_KEY].isin(found)]
    counts = enrolled[C.COURSE].value_counts()
    if counts.empty or (len(counts) > 1 and counts.iloc[0] == counts.iloc[1]):
        msg = (f"{label}: cannot tell which course this file belongs to; give it as COURSE=PATH "
               f"(roster courses: {', '.join(map(str, courses[:10]))})")
        raise UsageError(msg)
    chosen = counts.index[0]
    note = Diagnostic(Code.DATA, f"{label} read as course {chosen!r}: {int(counts.iloc[0])} of the {len(found)} "
                                 "roster people found in it take that course (give COURSE=PATH to choose)",
                      where=label)
    return chosen, [note]


def _count_rows(frame: pd.DataFrame, m: pd.DataFrame) -> dict:
    """Rows (file rows, not events) matched and not counted by reason."""
    per_row = pd.DataFrame({ROW: frame[ROW], "key": m[C.STUDENT_KEY], "reason": m[C.REASON],
                            "fuzzy": m[C.FUZZY]}).drop_duplicates(ROW)
    counts = {C.ROWS: len(per_row), C.MATCHED: int(per_row["reason"].isna().sum()),
              C.FUZZY: int((per_row["fuzzy"] & per_row["reason"].isna()).sum())}
    for reason in REASONS:
        counts[reason] = int((per_row["reason"] == reason).sum())
    return counts


def _events(raw, m, target, course, source) -> pd.DataFrame:
    """The counted rows of one file as pseudonymous events (identities dropped here).

    Staff rows are not a student's participation and are left out, except their forum replies, kept
    as ``staff_reply`` so that a teacher's reply counts among the replies a student's discussion
    received (no feature of the staff member is computed).
    """
    frame = raw.frame
    event = frame[C.EVENT].astype("string")
    staff_reply = (m[C.REASON].eq("staff") & event.eq("forum_reply")).fillna(False).to_numpy(dtype=bool)
    keep = m[C.REASON].isna().to_numpy() | staff_reply
    ev = pd.DataFrame({
        C.STUDENT_KEY: m[C.STUDENT_KEY], C.COURSE: course, C.SYSTEM: raw.system, C.SOURCE: source,
        C.EVENT: event.mask(staff_reply, "staff_reply"), C.TIME: frame[C.TIME],
        C.END_TIME: frame[C.END_TIME] if C.END_TIME in frame else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]"),
        C.MINUTES: frame[C.MINUTES] if C.MINUTES in frame else float("nan"),
        C.COUNT: frame[C.COUNT].astype("float64"),
        C.THREAD: frame[C.THREAD] if C.THREAD in frame else pd.NA,
        C.SESSION: source + "/" + frame[C.SESSION] if C.SESSION in frame else pd.NA,
        C.TARGET_KEY: target[C.STUDENT_KEY], C.ROLE: target[C.ROLE],
    })
    return ev[keep].astype({C.THREAD: "string", C.SESSION: "string", C.TARGET_KEY: "string", C.ROLE: "string"})


def read_activity(files, *, roster, key, key_column: str | None = None, timezone: str | None = None,
                  dayfirst: bool | dict | None = None, fuzzy: bool = False) -> ActivityLog:
    """Read learning-platform and meeting logs, match every row to the roster, keep only pseudonyms.

    Parameters
    ----------
    files : dict or list
        ``{"moodle": path or [paths], "canvas": ..., "zoom": ..., "teams": ...}``, or a list of
        ``(system, path)`` pairs. A path written ``"COURSE=path"`` (or a ``(course, path)`` pair)
        belongs to that roster course; otherwise to the roster's only course, or to the course most of
        the file's people take (with a warning).
    roster : str, path, Roster or pandas.DataFrame
        Who may be matched (see :func:`belonging.activity.load_roster`).
    key : bytes or path
        The institution's key or key file (``belonging store keygen``): the same keyed pseudonyms
        as the waves store.
    key_column : str, optional
        The roster column the pseudonyms are made from (default: student id, else e-mail).
    timezone : str, optional
        IANA time zone of times written without an offset (Moodle, Zoom and Teams write local
        times), and of calendar days. Default UTC, with a warning when a Moodle, Zoom or Teams file
        is read (their times would be read as UTC). Times in the hour a zone repeats when daylight
        saving time ends are read as standard time (the second pass), with a warning counting them.
    dayfirst : bool or dict, optional
        Read ``01/02/26`` as 1 February (True) or 2 January (False) when a file's dates fit both;
        one value for every file, or per system (``{"moodle": True, "zoom": False}``); default: as
        each system usually writes them (Moodle day first, Zoom and Teams month first), with a warning.
    fuzzy : bool, default False
        Also match names that are close but not equal to one roster name (reported as counts).

    Returns
    -------
    ActivityLog

    Raises
    ------
    UsageError
        Unknown system or course, no file, a roster without a key column.
    IngestError
        A file that is not the report it was given as, or a value that cannot be read (names file,
        row and the file's column header, and describes the value without quoting it).

    Notes
    -----
    Names, e-mail addresses, logins, user ids and IP addresses are read only to match a row to the
    roster and are replaced at once by the roster person's keyed pseudonym
    (HMAC-SHA-256, :mod:`belonging.store.keys`); the returned log holds no identity. See
    :mod:`belonging.activity.match` for the matching rules and docs/participation.md for the files.

    Examples
    --------
    A Microsoft Teams attendance report (tab-separated sections; Teams writes it as UTF-16):

    >>> import pandas as pd
    >>> import tempfile, pathlib
    >>> import belonging as bl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "attendance.csv"
    >>> rows = [["1. Summary"], ["Meeting title", "Seminar 3"], ["Start time", "3/12/26, 2:00:00 PM"], [],
    ...         ["2. Participants"], ["Name", "First Join", "Last Leave", "In-Meeting Duration", "Email", "Role"],
    ...         ["Pérez, Ana", "3/12/26, 2:00:05 PM", "3/12/26, 2:50:05 PM", "50m", "", "Presenter"],
    ...         ["Visitor (Unverified)", "3/12/26, 2:10:00 PM", "3/12/26, 2:20:00 PM", "10m", "", "Attendee"]]
    >>> _ = path.write_text("\\r\\n".join("\\t".join(r) for r in rows), encoding="utf-16")
    >>> roster = pd.DataFrame({"student_id": ["S1", "S2"], "name": ["Ana Pérez", "Bo Li"]})
    >>> log = bl.read_activity({"teams": path}, roster=roster, key=bytes(32), timezone="Europe/Madrid")
    >>> print(log.summary())
    2 student enrolment(s); key from 'student_id' (key ...)
    teams #1 (all): 2 row(s), 1 matched; not counted: guest 1
    >>> log.events[["event", "time", "minutes"]]
      event                      time  minutes
    0  live 2026-03-12 13:00:05+00:00     50.0
    """
    sources = _sources(files)
    warnings = []
    if timezone is None:
        local = [str(path.name) for name, _, path in sources if system(name).get("local_times")]
        if local:
            warnings.append(Diagnostic(Code.DATA, f"no time zone given: the times of {', '.join(local[:3])}"
                                       f"{' ...' if len(local) > 3 else ''} (local times without an offset) are read "
                                       "as UTC and days are UTC days; give the institution's time zone (timezone= / "
                                       "--timezone, e.g. Europe/Berlin)", where="timezone"))
        timezone = "UTC"
    timezone = check_timezone(timezone)
    if not isinstance(roster, Roster):
        roster = load_roster(roster, key=key, key_column=key_column)
    events, sessions, rows, unresolved = [], [], [], []
    warnings = list(roster.warnings) + warnings
    seen = {}
    for name, course, path in sources:
        seen[name] = seen.get(name, 0) + 1
        source = f"{name} #{seen[name]}"
        order = dayfirst.get(name) if isinstance(dayfirst, dict) else dayfirst
        raw = read_log(name, path, timezone=timezone, dayfirst=order)
        course, notes = _course_of(raw, roster, course, fuzzy, f"{path.name} ({source})")
        m = match_identities(raw.frame, roster, course=None if course == "all" else course, fuzzy=fuzzy)
        target = match_identities(raw.frame[["target_name"]].rename(columns={"target_name": "name"}), roster,
                                  course=None if course == "all" else course)
        events.append(_events(raw, m, target, course, source))
        shared = ambiguous_keys(raw.frame, m, roster, course=None if course == "all" else course)
        unresolved.append(pd.DataFrame({C.STUDENT_KEY: shared, C.COURSE: course, C.SYSTEM: name}))
        sessions.append(raw.sessions.assign(**{C.SESSION: source + "/" + raw.sessions[C.SESSION],
                                               C.COURSE: course, C.SYSTEM: name}))
        rows.append({C.SYSTEM: name, C.SOURCE: source, C.COURSE: course, **_count_rows(raw.frame, m)})
        warnings += list(raw.warnings) + notes
    students = roster.students[roster.students[C.ROLE] == "student"][[C.STUDENT_KEY, C.COURSE, C.SECTION]]
    return ActivityLog(
        events=pd.concat(events, ignore_index=True)[list(EVENT_COLUMNS)],
        students=students.reset_index(drop=True),
        sessions=pd.concat(sessions, ignore_index=True),
        matching=pd.DataFrame(rows),
        unresolved=pd.concat(unresolved, ignore_index=True).drop_duplicates().reset_index(drop=True),
        key_column=roster.key_column, key_id=roster.key_id, timezone=timezone,
        warnings=tuple(dict.fromkeys(warnings)),
    )
