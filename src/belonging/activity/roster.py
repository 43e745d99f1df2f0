"""The roster: who may be matched in a log, and the keyed pseudonym each of them is known by.

A roster holds one row per student and course (and, optionally, one per member of staff, with a role):
the identifier whose pseudonym links logs and survey (student number or e-mail address), and the
identities logs can be matched on (e-mail, login, name). Only the pseudonyms, courses, sections and
roles are kept where anyone can see them (:attr:`Roster.students`); the identities stay in a private
lookup table used for matching and are never written anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from belonging import _columns as C
from belonging.activity._spec import roster_spec
from belonging.activity._text import find_preferred, header_key, read_table
from belonging.diagnostics import Code, Diagnostic
from belonging.errors import DataValidationError, UsageError
from belonging.store.keys import key_id, load_key, normalise_identifier, pseudonymise

__all__ = ["Roster", "load_roster", "match_email", "match_name"]

_SPACE = re.compile(r"\s+")
#: the course of every student when the roster has no course column
ALL_COURSES = "all"


def match_name(values: pd.Series) -> pd.Series:
    """Names as they are compared: accents removed, case folded, white space collapsed.

    ``"  José  GARCÍA "`` and ``"jose garcia"`` compare equal; nothing else is changed (no
    spelling variants, no initials): matching is exact after this normalisation.

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.activity.roster import match_name
    >>> match_name(pd.Series(["  José  GARCÍA ", "Zoë O'Connor", None])).tolist()
    ['jose garcia', "zoe o'connor", <NA>]
    """
    text = values.astype("string")

    def one(value: str) -> str:
        decomposed = unicodedata.normalize("NFKD", value)
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return _SPACE.sub(" ", plain.translate({0x2019: "'", 0x2018: "'"})).strip().casefold()

    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    table = pd.array([one(str(u)) or None for u in uniques] + [None], dtype="string")
    return pd.Series(table[codes], index=values.index, dtype="string")


def match_email(values: pd.Series) -> pd.Series:
    """E-mail addresses, logins and ids as they are compared (see
    :func:`belonging.store.keys.normalise_identifier`): NFKC, trimmed, case folded."""
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    table = pd.array([normalise_identifier(u) for u in uniques] + [None], dtype="string")
    return pd.Series(table[codes], index=values.index, dtype="string")


@dataclass(frozen=True)
class Roster:
    """Students (and staff) who may be matched in logs, by keyed pseudonym.

    Attributes
    ----------
    students : pandas.DataFrame
        One row per person, course and role: ``student_key`` (keyed pseudonym), ``course``,
        ``section`` (missing when the roster has none; a person listed in several sections of one
        course, e.g. a lecture and a lab, is one row whose section reads ``"A; B"``) and ``role``
        (``student`` or the staff role).
    key_column : str
        The roster column whose values were pseudonymised (e.g. ``student_id``): the survey must hold
        the same identifier to be linked.
    key_id : str
        Fingerprint of the key (:func:`belonging.store.keys.key_id`), to tell keys apart.
    warnings : tuple of Diagnostic
        E.g. people listed in several sections of one course (counts only, no one named).

    Examples
    --------
    >>> import pandas as pd
    >>> from belonging.activity import load_roster
    >>> table = pd.DataFrame({"student_id": ["S1", "S2", "T1"], "name": ["Ana Pérez", "Bo Li", "Dr Kim"],
    ...                       "course": ["BIO101"] * 3, "role": ["student", "student", "teacher"]})
    >>> roster = load_roster(table, key=bytes(32))
    >>> roster.key_column, len(roster.students), roster.students["role"].tolist()
    ('student_id', 3, ['student', 'student', 'teacher'])
    >>> "Ana Pérez" in repr(roster)
    False
    """

    students: pd.DataFrame
    key_column: str
    key_id: str
    lookup: pd.DataFrame = field(repr=False, compare=False)
    warnings: tuple = field(default=(), repr=False, compare=False)

    @property
    def courses(self) -> tuple:
        """The courses of the roster, in order of first appearance."""
        return tuple(pd.unique(self.students[C.COURSE]))

    def __repr__(self) -> str:
        n = int((self.students[C.ROLE] == "student").sum())
        return f"<Roster {n} student enrolment(s) in {len(self.courses)} course(s), key from {self.key_column!r}>"


def _column(frame, spellings, label, *, path, required=False):
    """The roster column with the most preferred of `spellings` (their order in systems.toml)."""
    pos = find_preferred(frame.columns, spellings)
    if pos is None and required:
        msg = (f"{path}: no {label} column (looked for {', '.join(repr(s) for s in spellings[:6])} ...); "
               f"name it so, or give it explicitly")
        raise UsageError(msg)
    return None if pos is None else frame.columns[pos]


def _read(roster, path_label):
    if isinstance(roster, pd.DataFrame):
        return roster.astype("string"), path_label
    path = Path(roster)
    frame, _ = read_table(path, label="roster")
    return frame.astype("string"), str(path)


def load_roster(roster, *, key, key_column: str | None = None) -> Roster:
    """Read a roster (CSV, XLSX or a DataFrame) and pseudonymise it with `key`.

    Parameters
    ----------
    roster : str, path or pandas.DataFrame
        One row per student and course. Columns are found by their usual names (case does not
        matter): the key identifier (``student_id``, ``SIS User ID``, ``email`` ...), ``email``,
        ``login id``/``username``, ``name`` or ``first name`` + ``last name``, ``course``,
        ``section``, ``role``.
    key : bytes or path
        The institution's key (:func:`belonging.store.keys.load_key`) or its key file.
    key_column : str, optional
        The column whose values become the keyed pseudonym (default: the first of student id,
        SIS user id, e-mail that the roster has). The survey must hold the same identifier.

    Raises
    ------
    UsageError
        No key column, no identity to match on, or an unknown `key_column`.
    DataValidationError
        A row without the key identifier (names the row, never the person).

    Examples
    --------
    A roster with first and last names, keyed by e-mail when it has no student id column:

    >>> import pandas as pd
    >>> from belonging.activity import load_roster
    >>> table = pd.DataFrame({"First name": ["Ana", "Bo"], "Last name": ["Pérez", "Li"],
    ...                       "Email address": ["ana@uni.example", "bo@uni.example"]})
    >>> roster = load_roster(table, key=bytes(32))
    >>> roster
    <Roster 2 student enrolment(s) in 1 course(s), key from 'Email address'>
    >>> roster.students.columns.tolist()
    ['student_key', 'course', 'section', 'role']
    """
    key = key if isinstance(key, bytes | bytearray) else load_key(key)
    frame, where = _read(roster, "roster")
    spec = roster_spec()
    if key_column is not None:
        if key_column not in frame.columns:
            from belonging.errors import suggest

            msg = f"{where}: key column {key_column!r} is not in the roster{suggest(key_column, frame.columns)}"
            raise UsageError(msg)
        key_col = key_column
    else:
        key_col = _column(frame, spec["key"], "student id or e-mail (key)", path=where, required=True)
    missing = frame[key_col].fillna("").str.strip() == ""
    if missing.any():
        row = int(missing.to_numpy().nonzero()[0][0]) + 2
        msg = (f"{where}: row {row}, column {key_col!r}: empty; every roster row needs the identifier the "
               f"pseudonym is made from ({int(missing.sum())} row(s) without one)")
        raise DataValidationError(msg)
    lookup = _lookup(frame, spec, key_col, where)
    lookup[C.STUDENT_KEY] = pseudonymise(frame[key_col], bytes(key)).to_numpy()
    students, warnings = _enrolments(lookup, where)
    return Roster(students=students, key_column=str(key_col), key_id=key_id(bytes(key)),
                  lookup=lookup.drop_duplicates().reset_index(drop=True), warnings=warnings)


def _enrolments(lookup: pd.DataFrame, where: str) -> tuple[pd.DataFrame, tuple]:
    """One row per person, course and role; the distinct sections of a person listed in several
    sections of one course joined as ``"A; B"`` (a warning counts them, naming no one)."""
    rows = lookup[[C.STUDENT_KEY, C.COURSE, C.SECTION, C.ROLE]].drop_duplicates()
    one = [C.STUDENT_KEY, C.COURSE, C.ROLE]
    several = rows.duplicated(one, keep=False).to_numpy()
    if not several.any():
        return rows.reset_index(drop=True), ()
    multi = rows[several].dropna(subset=[C.SECTION]).sort_values(C.SECTION)
    joined = multi.groupby(one, sort=False)[C.SECTION].agg("; ".join)
    out = rows.drop_duplicates(one).set_index(one)
    out.loc[joined.index, C.SECTION] = joined
    out = out.reset_index()[[C.STUDENT_KEY, C.COURSE, C.SECTION, C.ROLE]]
    people = int(joined.index.to_frame()[C.ROLE].eq("student").sum())
    what = f"{people} student(s)" if people == len(joined) else f"{len(joined)} person(s)"
    note = Diagnostic(Code.DATA, f"{where}: {what} listed in more than one section of one course; each is counted "
                                 "once per course, with the sections joined (e.g. 'A; B')", where=where)
    return out, (note,)


def _lookup(frame: pd.DataFrame, spec, key_col: str, where: str) -> pd.DataFrame:
    """The private matching table: normalised identities beside course, section and role."""
    col = {name: _column(frame, spec[name], name, path=where)
           for name in ("email", "login", "name", "first", "last", "course", "section", "role")}
    if col["name"] is not None:
        names = frame[col["name"]]
    elif col["first"] is not None and col["last"] is not None:
        names = (frame[col["first"]].fillna("") + " " + frame[col["last"]].fillna("")).str.strip()
    else:
        names = pd.Series(pd.NA, index=frame.index, dtype="string")
    email = frame[col["email"]] if col["email"] is not None else pd.Series(pd.NA, index=frame.index, dtype="string")
    ids = [frame[key_col]] + ([frame[col["login"]]] if col["login"] is not None else [])
    out = pd.DataFrame({
        "name": match_name(names),
        "email": match_email(email),
        "id": match_email(ids[0]),
        "login": match_email(ids[1]) if len(ids) > 1 else pd.Series(pd.NA, index=frame.index, dtype="string"),
    })
    out[C.COURSE] = frame[col["course"]].str.strip().fillna(ALL_COURSES) if col["course"] else ALL_COURSES
    out[C.SECTION] = frame[col["section"]].str.strip() if col["section"] else pd.NA
    roles = frame[col["role"]].fillna("").map(header_key) if col["role"] else pd.Series("", index=frame.index)
    out[C.ROLE] = roles.where(~roles.isin(spec["student_roles"]), "student").astype("string")
    return out
