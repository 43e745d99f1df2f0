"""Matching the people in a log to the roster: identifiers first, then names, exactly.

Every distinct identity of a log (name, e-mail, login or id, guest flag) is matched once; rows then
take the result of their identity. An identity is matched

1. by an identifier the roster holds (its key column, e-mail or login), when exactly one person has it;
2. otherwise (and never for a guest), by name: the original name of a renamed meeting participant,
   then the name as shown, then a ``Last, First`` name read as ``First Last``, each compared after
   :func:`~belonging.activity.roster.match_name` (case, accents and white space do not count).
   A name that more than one person on the roster (of the file's course) has is ambiguous and matched
   to no one;
3. with ``fuzzy=True`` only, by the closest roster name (difflib ratio at least `cutoff`, and clearly
   closer than the next one); such matches are counted apart.

An identity that is not matched gets one reason: ``guest`` (the report marks it a guest or unverified
and no identifier of it is on the roster), ``ambiguous_name``, ``unknown_email`` (an e-mail address that
is not on the roster, and no name match), ``unknown_name`` or ``no_identity`` (no name or address at
all, e.g. Moodle's system rows). People on the roster with a staff role are matched but counted as
``staff``: their own activity is not a student's participation.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from belonging import _columns as C
from belonging.activity.roster import Roster, match_email, match_name

__all__ = ["REASONS", "ambiguous_keys", "match_identities", "split_renamed", "swap_comma_name"]

#: Why a log row was not counted for a student, in the order they are reported.
REASONS = ("guest", "unknown_email", "unknown_name", "ambiguous_name", "no_identity", "staff")

_IDENTITY = ("name", "alt", "email", "id", "guest")


def swap_comma_name(names: pd.Series) -> pd.Series:
    """``"Doe, Jane"`` -> ``"Jane Doe"`` (names with exactly one comma); other names unchanged."""
    text = names.astype("string")
    parts = text.str.split(",", n=1, expand=True, regex=False)
    if parts.shape[1] < 2:
        return text
    one_comma = text.str.count(",") == 1
    swapped = parts[1].str.strip() + " " + parts[0].str.strip()
    return swapped.where(one_comma.fillna(False), text)


def split_renamed(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Zoom's ``"New name (Original name)"`` as ``(new name, original name)``; the original is
    missing when there are no brackets at the end."""
    text = names.astype("string").str.strip()
    parts = text.str.extract(r"^(?P<new>.*?\S)\s*\((?P<orig>[^()]+)\)$")
    new = parts["new"].where(parts["new"].notna(), text)
    return new.astype("string"), parts["orig"].astype("string")


def _unique_map(values: pd.DataFrame, value_cols, look: pd.DataFrame) -> pd.DataFrame:
    """For each normalised value: the one key that has it (or none), and how many keys have it."""
    long = pd.concat([look[[c, C.STUDENT_KEY]].rename(columns={c: "value"}) for c in value_cols], ignore_index=True)
    long = long.dropna(subset=["value"]).drop_duplicates()
    counts = long.groupby("value")[C.STUDENT_KEY].agg(["nunique", "first"])
    return counts


def _by_address(uniq: pd.DataFrame, look: pd.DataFrame) -> pd.Series:
    table = _unique_map(uniq, ["id", "login", "email"], look)
    single = table.loc[table["nunique"] == 1, "first"]
    out = pd.Series(pd.NA, index=uniq.index, dtype="string")
    for col in ("id", "email"):
        found = uniq[col].map(single).astype("string")
        out = out.fillna(found)
    return out


def _by_name(uniq: pd.DataFrame, look: pd.DataFrame, todo: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Keys of names found once on the roster, and which names were found more than once."""
    table = _unique_map(uniq, ["name"], look)
    key = pd.Series(pd.NA, index=uniq.index, dtype="string")
    ambiguous = pd.Series(False, index=uniq.index)
    for col in ("alt", "name", "swap"):
        open_ = todo & key.isna() & ~ambiguous & uniq[col].notna()
        n = uniq[col].map(table["nunique"]).fillna(0)
        key = key.mask(open_ & (n == 1), uniq[col].map(table["first"]).astype("string"))
        ambiguous |= open_ & (n > 1)
    return key, ambiguous


def _by_fuzzy(uniq: pd.DataFrame, look: pd.DataFrame, todo: pd.Series, cutoff: float):
    """Closest roster name per open identity (one distinct name at a time: identities, not rows)."""
    names = look.dropna(subset=["name"]).groupby("name")[C.STUDENT_KEY].agg(["nunique", "first"])
    names = names[names["nunique"] == 1]
    choices = list(names.index)
    key = pd.Series(pd.NA, index=uniq.index, dtype="string")
    for i in uniq.index[todo.to_numpy()]:
        wanted = uniq.at[i, "alt"] if pd.notna(uniq.at[i, "alt"]) else uniq.at[i, "name"]
        if pd.isna(wanted) or not choices:
            continue
        matcher = difflib.SequenceMatcher(None, "", wanted)  # difflib caches the second sequence
        scores = []
        for c in choices:
            matcher.set_seq1(c)
            scores.append(matcher.ratio())
        order = np.argsort(scores)[::-1]
        best = scores[order[0]]
        second = scores[order[1]] if len(order) > 1 else 0.0
        if best >= cutoff and best - second >= 0.05:
            key.at[i] = names["first"].iloc[order[0]]
    return key


def _normalised(ident: pd.DataFrame) -> pd.DataFrame:
    get = lambda c: ident[c] if c in ident else pd.Series(pd.NA, index=ident.index, dtype="string")  # noqa: E731
    return pd.DataFrame({
        "name": match_name(get("name")),
        "alt": match_name(get("alt")),
        "swap": match_name(swap_comma_name(get("name"))),
        "email": match_email(get("email")),
        "id": match_email(get("id")),
        "guest": get("guest").fillna(False).astype(bool) if "guest" in ident else False,
    }, index=ident.index)


def match_identities(ident: pd.DataFrame, roster: Roster, *, course: str | None = None, fuzzy: bool = False,
                     cutoff: float = 0.85) -> pd.DataFrame:
    """Match each row of `ident` (columns among ``name``, ``alt``, ``email``, ``id``, ``guest``).

    Returns a frame aligned with `ident`: ``student_key`` (missing when unmatched), ``role``,
    ``reason`` (missing for a matched student) and ``fuzzy`` (matched by the closest name).
    """
    look = roster.lookup if course is None else roster.lookup[roster.lookup[C.COURSE] == course]
    cols = [c for c in _IDENTITY if c in ident]
    raw = ident[cols].astype("string").fillna("\x00")  # one identity per distinct tuple, as written
    codes = raw.groupby(cols, sort=False).ngroup().to_numpy() if cols else np.zeros(len(ident), dtype=np.int64)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    uniq = _normalised(ident.iloc[first]).reset_index(drop=True)

    key = _by_address(uniq, look)
    guest = uniq["guest"].astype(bool) & key.isna()
    name_key, ambiguous = _by_name(uniq, look, key.isna() & ~guest)
    key = key.fillna(name_key)
    is_fuzzy = pd.Series(False, index=uniq.index)
    if fuzzy:
        todo = key.isna() & ~guest & ~ambiguous
        fz = _by_fuzzy(uniq, look, todo, cutoff)
        is_fuzzy = fz.notna()
        key = key.fillna(fz)
    roles = look.drop_duplicates(C.STUDENT_KEY).set_index(C.STUDENT_KEY)[C.ROLE]
    role = key.map(roles).astype("string")
    reason = pd.Series(pd.NA, index=uniq.index, dtype="string")
    reason = reason.mask(key.isna() & (uniq["name"].notna() | uniq["alt"].notna()), "unknown_name")
    reason = reason.mask(key.isna() & uniq["email"].notna(), "unknown_email")
    reason = reason.mask(key.isna() & uniq[["name", "alt", "email", "id"]].isna().all(axis=1), "no_identity")
    reason = reason.mask(key.isna() & ambiguous, "ambiguous_name")
    reason = reason.mask(guest & key.isna(), "guest")
    reason = reason.mask(key.notna() & (role != "student"), "staff")
    out = pd.DataFrame({C.STUDENT_KEY: key, C.ROLE: role, C.REASON: reason, C.FUZZY: is_fuzzy})
    return out.iloc[codes].set_axis(ident.index)


def ambiguous_keys(ident: pd.DataFrame, matched: pd.DataFrame, roster: Roster, *, course: str | None = None) -> pd.Index:
    """Pseudonyms of the roster people whose name some row of `ident` shares with someone else.

    Such a person may be behind rows that could not be told apart, so what a name-only log shows of
    them is incomplete: their features from it are missing, not zero.
    """
    look = roster.lookup if course is None else roster.lookup[roster.lookup[C.COURSE] == course]
    rows = ident[matched[C.REASON].eq("ambiguous_name").fillna(False).to_numpy(dtype=bool)]
    if rows.empty:
        return pd.Index([], dtype="string")
    norm = _normalised(rows)
    names = set(pd.concat([norm["alt"], norm["name"], norm["swap"]]).dropna())
    return pd.Index(look.loc[look["name"].isin(names), C.STUDENT_KEY].unique(), dtype="string")
