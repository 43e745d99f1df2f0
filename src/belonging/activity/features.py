"""Participation features per student and course, from the events of an :class:`ActivityLog`.

Every feature is documented in docs/participation.md with the events it counts. A feature is missing
(not zero) for a course when none of the course's files can show it: live minutes without a meeting
report, replies received without a Moodle log. A student on the roster whose logs show nothing gets
zeros for what was measured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from belonging import _columns as C
from belonging.activity._spec import system

__all__ = ["participation_features"]

#: Event kinds of the learning platforms that count as one action of the student on the platform.
_LMS_KINDS = ("forum_discussion", "forum_reply", "forum_post", "forum_view", "chat_message", "message",
              "feedback_view", "submission", "completion", "live_join", "view", "other")

#: Features that are sums of event counts: feature -> the event kinds it counts.
_SUMS = {
    C.FORUM_POSTS: ("forum_discussion", "forum_reply", "forum_post"),
    C.FORUM_REPLIES: ("forum_reply",),
    C.FORUM_VIEWS: ("forum_view",),
    C.CHAT_MESSAGES: ("chat_message",),
    C.MESSAGES_SENT: ("message",),
    C.FEEDBACK_VIEWS: ("feedback_view",),
    C.SUBMISSIONS: ("submission",),
    C.COMPLETIONS: ("completion",),
    C.LMS_ACTIONS: _LMS_KINDS,
}


def _empty() -> pd.Series:
    """No value for any (student, course)."""
    return pd.Series(dtype="float64", index=pd.MultiIndex.from_arrays([[], []], names=[C.STUDENT_KEY, C.COURSE]))


def _per_student(values: pd.Series, events: pd.DataFrame) -> pd.Series:
    """Sum of `values` per (student, course)."""
    return values.groupby([events[C.STUDENT_KEY], events[C.COURSE]]).sum()


def _sum_features(ev: pd.DataFrame) -> dict:
    out = {}
    for feature, kinds in _SUMS.items():
        out[feature] = _per_student(ev[C.COUNT].where(ev[C.EVENT].isin(kinds), 0.0), ev)
    staff = ev[C.EVENT].eq("message") & ev[C.ROLE].notna() & ev[C.ROLE].ne("student")
    out[C.INSTRUCTOR_MESSAGES] = _per_student(ev[C.COUNT].where(staff, 0.0), ev)
    return out


def _aggregate(ev: pd.DataFrame) -> pd.Series:
    """Rows of systems that report counts per item (Canvas), not one row per event."""
    flags = {name: bool(system(name).get("aggregate", False)) for name in ev[C.SYSTEM].unique()}
    return ev[C.SYSTEM].map(flags).astype(bool)


def _replies_received(ev: pd.DataFrame) -> pd.Series:
    """Replies by others (students and staff) in discussions the student started (both in the log)."""
    started = ev[ev[C.EVENT].eq("forum_discussion") & ev[C.THREAD].notna()]
    authors = started.drop_duplicates([C.SOURCE, C.THREAD])[[C.SOURCE, C.THREAD, C.STUDENT_KEY, C.COURSE]]
    replies = ev[ev[C.EVENT].isin(["forum_reply", "staff_reply"]) & ev[C.THREAD].notna()][[C.SOURCE, C.THREAD, C.STUDENT_KEY]]
    joined = replies.merge(authors, on=[C.SOURCE, C.THREAD], suffixes=("_by", ""))
    joined = joined[joined[C.STUDENT_KEY + "_by"] != joined[C.STUDENT_KEY]]
    return joined.groupby([C.STUDENT_KEY, C.COURSE]).size().astype("float64")


def _union_minutes(live: pd.DataFrame) -> pd.Series:
    """Minutes in each meeting per student: the union of the rows' join-leave intervals (overlapping
    joins from two devices or rejoins counted once), at most the sum of the durations the report gives.

    The cap matters for rows that summarise several joins: Teams' Participants section (First Join,
    Last Leave, In-Meeting Duration) and Zoom's "unique users" export span from the first join to the
    last leave, while their duration is the time actually spent in the meeting. Where a report gives
    no duration the rows' minutes are their spans, and the cap changes nothing.
    """
    untimed = live[C.TIME].isna() | live[C.END_TIME].isna()
    ok = ~untimed.groupby([live[C.STUDENT_KEY], live[C.SESSION]]).transform("any").astype(bool)
    spans = live[ok].sort_values([C.STUDENT_KEY, C.SESSION, C.TIME])
    if len(spans):
        grp = [spans[C.STUDENT_KEY], spans[C.SESSION]]
        reach = spans[C.END_TIME].groupby(grp).cummax().groupby(grp).shift()
        start = spans[C.TIME].where(reach.isna() | (spans[C.TIME] > reach), reach)
        length = (spans[C.END_TIME] - start).dt.total_seconds().clip(lower=0) / 60
        keys = [spans[C.STUDENT_KEY], spans[C.SESSION], spans[C.COURSE]]
        union = length.groupby(keys).sum()
        reported = spans[C.MINUTES].groupby(keys).sum(min_count=1)
        per_session = union.where(reported.isna() | (union <= reported), reported)
        minutes = per_session.groupby(level=[C.STUDENT_KEY, C.COURSE]).sum()
    else:
        minutes = _empty()
    rest = live[~ok]
    other = rest[C.MINUTES].groupby([rest[C.STUDENT_KEY], rest[C.COURSE]]).sum()
    return minutes.add(other, fill_value=0.0)


def _live(ev: pd.DataFrame, timezone: str) -> dict:
    """Sessions attended (meeting reports, platform joins) and minutes in meetings."""
    live = ev[ev[C.EVENT].eq("live")]
    sessions = live.groupby([C.STUDENT_KEY, C.COURSE])[C.SESSION].nunique().astype("float64")
    joins = ev[ev[C.EVENT].eq("live_join")]
    aggregate = _aggregate(joins)
    counted = _per_student(joins[C.COUNT].where(aggregate, 0.0), joins)
    days = joins[~aggregate].assign(day=joins[C.TIME].dt.tz_convert(timezone).dt.date)
    by_day = days.groupby([C.STUDENT_KEY, C.COURSE])["day"].nunique().astype("float64")
    total = sessions.add(counted, fill_value=0.0).add(by_day, fill_value=0.0)
    return {C.LIVE_SESSIONS: total, C.LIVE_MINUTES: _union_minutes(live)}


def _outside_sessions(ev: pd.DataFrame, sessions: pd.DataFrame) -> pd.Series:
    """Whether each event happened outside every meeting of its course (no meetings: outside)."""
    outside = pd.Series(True, index=ev.index)
    for course, windows in sessions.dropna(subset=["start", "end"]).groupby(C.COURSE):
        w = windows.sort_values("start")
        starts = w["start"].to_numpy(dtype="datetime64[ns]")
        ends = np.maximum.accumulate(w["end"].to_numpy(dtype="datetime64[ns]"))
        mine = (ev[C.COURSE] == course) & ev[C.TIME].notna()
        t = ev.loc[mine, C.TIME].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        at = np.searchsorted(starts, t, side="right") - 1
        inside = (at >= 0) & (t <= ends[np.maximum(at, 0)])
        outside.loc[mine] = ~inside
    return outside


def _active_days(ev: pd.DataFrame, timezone: str) -> pd.Series:
    timed = ev[ev[C.TIME].notna()]
    days = timed[C.TIME].dt.tz_convert(timezone).dt.date
    return days.groupby([timed[C.STUDENT_KEY], timed[C.COURSE]]).nunique().astype("float64")


def _measured(log) -> pd.DataFrame:
    """Per course, which features its files can show (systems.toml ``measures``)."""
    courses = log.students[C.COURSE].drop_duplicates()
    table = pd.DataFrame(False, index=pd.Index(courses, name=C.COURSE), columns=list(C.FEATURES))
    windowed = any(t is not None for t in log.window)
    for course, sys_name in log.matching[[C.COURSE, C.SYSTEM]].drop_duplicates().itertuples(index=False):
        if windowed and system(sys_name).get("aggregate"):
            continue  # counts over the whole course cannot be cut to a window (ActivityLog.between)
        for feature in system(sys_name)["measures"]:
            table.loc[course, feature] = True
    return table


def participation_features(log, *, start=None, end=None) -> pd.DataFrame:
    """Participation features per student and course from an :class:`~belonging.activity.ActivityLog`.

    Parameters
    ----------
    log : ActivityLog
        From :func:`belonging.read_activity`.
    start, end : str or datetime, optional
        Count only events from `start` up to (not including) `end` (in the log's time zone when no
        offset is given), e.g. the weeks before a survey wave: ``log.between(start, end)``, whose
        warnings say what a window leaves out (a Canvas access report has no time per view, so the
        features only it shows are missing under a window).

    Returns
    -------
    pandas.DataFrame
        One row per student and course of the roster: ``student_key``, ``course``, ``section``, then
        ``forum_posts``, ``forum_replies``, ``forum_replies_received``, ``forum_views``,
        ``chat_messages``, ``messages_sent``, ``instructor_messages``, ``feedback_views``,
        ``support_contacts``, ``live_sessions``, ``live_minutes``, ``submissions``, ``completions``,
        ``lms_actions``, ``self_paced_actions``, ``self_paced_share`` and ``active_days``
        (docs/participation.md says which events each counts). Missing where no file of the course
        can show the feature.

    Examples
    --------
    >>> import pandas as pd
    >>> import tempfile, pathlib
    >>> import belonging as bl
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> roster = pd.DataFrame({"student_id": ["S1", "S2"], "name": ["Ana Pérez", "Bo Li"]})
    >>> _ = (folder / "log.csv").write_text(
    ...     "Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address\\n"
    ...     "\\"3/03/26, 10:00:00\\",Ana Pérez,-,Forum: Q&A,Forum,Discussion created,"
    ...     "\\"The user with id '7' has created the discussion with id '11' in the forum with course module id '5'.\\",web,10.0.0.1\\n"
    ...     "\\"3/03/26, 11:00:00\\",Bo Li,-,Forum: Q&A,Forum,Post created,"
    ...     "\\"The user with id '8' has created the post with id '12' in the discussion with id '11' in the forum with course module id '5'.\\",web,10.0.0.2\\n",
    ...     encoding="utf-8")
    >>> log = bl.read_activity({"moodle": folder / "log.csv"}, roster=roster, key=bytes(32))
    >>> table = bl.participation_features(log)
    >>> print(table[["forum_posts", "forum_replies", "forum_replies_received", "live_minutes"]].to_string(index=False))
     forum_posts  forum_replies  forum_replies_received  live_minutes
             1.0            0.0                     1.0           NaN
             1.0            1.0                     0.0           NaN
    """
    if start is not None or end is not None:
        log = log.between(start, end)
    ev = log.events
    feats = _sum_features(ev)
    feats[C.FORUM_REPLIES_RECEIVED] = _replies_received(ev)
    feats.update(_live(ev, log.timezone))
    lms = ev[ev[C.EVENT].isin(_LMS_KINDS) & ~_aggregate(ev)]  # events with their own time
    outside = _outside_sessions(lms, log.sessions)
    feats[C.SELF_PACED_ACTIONS] = _per_student(lms[C.COUNT].where(outside, 0.0), lms)
    timed = _per_student(lms[C.COUNT], lms)
    feats[C.ACTIVE_DAYS] = _active_days(ev, log.timezone)
    base = log.students.set_index([C.STUDENT_KEY, C.COURSE])
    table = pd.DataFrame({f: s.reindex(base.index) for f, s in feats.items()}, index=base.index).fillna(0.0)
    table[C.SUPPORT_CONTACTS] = table[C.FEEDBACK_VIEWS] + table[C.INSTRUCTOR_MESSAGES]
    actions = timed.reindex(base.index).fillna(0.0)
    table[C.SELF_PACED_SHARE] = (table[C.SELF_PACED_ACTIONS] / actions).where(actions > 0)
    measured = _measured(log).reindex(base.index.get_level_values(C.COURSE)).set_axis(base.index)
    measured &= ~_unresolved(log, base.index)
    table = table[list(C.FEATURES)].where(measured.to_numpy())
    out = base[[C.SECTION]].join(table).reset_index()
    return out[[C.STUDENT_KEY, C.COURSE, C.SECTION, *C.FEATURES]]


def _unresolved(log, index: pd.MultiIndex) -> pd.DataFrame:
    """True where a student's feature comes from a file whose rows could not be told apart from
    another student's (a shared name): such a feature is missing."""
    out = pd.DataFrame(False, index=index, columns=list(C.FEATURES))
    for key, course, sys_name in log.unresolved[[C.STUDENT_KEY, C.COURSE, C.SYSTEM]].itertuples(index=False):
        if (key, course) in out.index:
            out.loc[(key, course), list(system(sys_name)["measures"])] = True
    return out
