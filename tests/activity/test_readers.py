"""Each system's files, in their real layouts, read into the participation the scenario puts in them.

The BIO101 fixtures (tests/fixtures/activity/make_fixtures.py) hold one invented scenario written in
the layout of each system; the expected values below are worked out by hand from that scenario (the
comments say how), not copied from the reader's output. Two public example files are read as they
were published (README.md names them and their licences).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from logs_support import FIXTURES, KEY

import belonging as bl
from belonging import _columns as C
from belonging.errors import IngestError, UsageError
from belonging.store.keys import pseudonymise

ROSTER = pd.read_csv(FIXTURES / "roster.csv", dtype=str)


def _by_student(table: pd.DataFrame) -> pd.DataFrame:
    ids = dict(zip(pseudonymise(ROSTER["student_id"], KEY), ROSTER["student_id"]))
    return table.assign(id=table[C.STUDENT_KEY].map(ids)).set_index("id").sort_index()


def _read(files, **kw):
    log = bl.read_activity(files, roster=FIXTURES / "roster.csv", key=KEY, timezone="Europe/Berlin", **kw)
    return log, _by_student(bl.participation_features(log))


# --- Moodle ------------------------------------------------------------------------------------------

# Worked out from make_fixtures.SCENARIO. Ana (S001) opens discussion 101 and replies in 101, 102 and
# the teacher's 103: 4 posts, 3 replies; Bo and Chiara reply in 101 (2 replies received); she views two
# discussions and her feedback. Bo opens 102 (Ana replies: 1 received), replies in 101, views 101 and
# the forum, writes 2 chat messages. Chiara replies in 101 and messages Bo. Dmitri messages the teacher
# (an instructor message) and views his grade report. Zoë submits; the teacher marks Émile's activity
# complete (Émile's completion) and Émile joins the BigBlueButton seminar.
MOODLE_EXPECTED = {
    #        posts replies received views chat msgs instr feedback support live subm compl actions days
    "S001": (4, 3, 2, 2, 0, 0, 0, 1, 1, 0, 0, 0, 8, 4),
    "S002": (2, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 6, 4),
    "S003": (1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 2),
    "S004": (0, 0, 0, 0, 0, 1, 1, 1, 2, 0, 0, 0, 2, 2),
    # José García and José Garcia have one name once accents do not count: the log's "José García" rows
    # could be either's, so what the log shows of them is missing, not zero
    "S005": (np.nan,) * 14,
    "S006": (np.nan,) * 14,
    "S007": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1),
    "S008": (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 2, 2),
    "S009": (0,) * 14,
}
MOODLE_FEATURES = [C.FORUM_POSTS, C.FORUM_REPLIES, C.FORUM_REPLIES_RECEIVED, C.FORUM_VIEWS, C.CHAT_MESSAGES,
                   C.MESSAGES_SENT, C.INSTRUCTOR_MESSAGES, C.FEEDBACK_VIEWS, C.SUPPORT_CONTACTS, C.LIVE_SESSIONS,
                   C.SUBMISSIONS, C.COMPLETIONS, C.LMS_ACTIONS, C.ACTIVE_DAYS]


@pytest.mark.parametrize("lang", ["en", "en_us", "es", "de", "fr"])
def test_moodle_log_in_five_languages_gives_the_scenario(lang):
    log, table = _read({"moodle": FIXTURES / f"moodle/bio101_{lang}.csv"})
    expected = pd.DataFrame(MOODLE_EXPECTED, index=MOODLE_FEATURES).T.astype(float)
    pd.testing.assert_frame_equal(table[MOODLE_FEATURES], expected, check_names=False)
    # 26 rows: the teacher's 2 rows (her course view and discussion; her completion update counts for
    # Émile), the ambiguous José, an unknown visitor and a system row without a user are not counted.
    row = log.matching.iloc[0]
    assert (row[C.ROWS], row[C.MATCHED]) == (26, 21)
    assert {r: row[r] for r in ("staff", "ambiguous_name", "unknown_name", "no_identity", "guest")} == {
        "staff": 2, "ambiguous_name": 1, "unknown_name": 1, "no_identity": 1, "guest": 0}
    assert table[C.LIVE_MINUTES].isna().all()  # a Moodle log has no meeting minutes: missing, not 0


MOODLE_HEADER = "Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address\n"


def _moodle_row(time, user, description, affected="-"):
    return f'"{time}",{user},{affected},Forum: Q&A,Forum,Event,"{description}",web,10.0.0.1\n'


def test_a_teachers_reply_counts_among_the_replies_received(tmp_path):
    """The feedback channel that matters: a teacher replying in a student's discussion."""
    path = tmp_path / "log.csv"
    path.write_text(MOODLE_HEADER
                    + _moodle_row("3/03/26, 10:00:00", "Ana Pérez", "The user with id '7' has created the discussion with id '11' in the forum with course module id '5'.")
                    + _moodle_row("3/03/26, 11:00:00", "Hana Kim", "The user with id '2' has created the post with id '12' in the discussion with id '11' in the forum with course module id '5'.")
                    + _moodle_row("3/03/26, 12:00:00", "Bo Li", "The user with id '8' has created the post with id '13' in the discussion with id '11' in the forum with course module id '5'.")
                    + _moodle_row("3/03/26, 13:00:00", "Ana Pérez", "The user with id '7' has created the post with id '14' in the discussion with id '11' in the forum with course module id '5'."),
                    encoding="utf-8")
    log, t = _read({"moodle": path}, dayfirst=True)
    assert t.loc["S001", C.FORUM_REPLIES_RECEIVED] == 2  # the teacher's and Bo's; not her own
    assert t.loc["S002", [C.FORUM_REPLIES, C.FORUM_REPLIES_RECEIVED]].tolist() == [1, 0]
    assert (log.matching.iloc[0][C.MATCHED], log.matching.iloc[0]["staff"]) == (3, 1)  # still staff, not a student
    assert "T001" not in t.index and t.loc["S001", C.LMS_ACTIONS] == 2  # the reply is no one's action


def test_moodle_group_conversation_messages_are_messages(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(MOODLE_HEADER
                    + _moodle_row("3/03/26, 10:00:00", "Ana Pérez", "The user with id '7' sent a message with id '31' to the conversation with id '4'.")
                    + _moodle_row("3/03/26, 10:05:00", "Ana Pérez", "The user with id '7' sent a message with id '32' to the conversation with id '4'.")
                    + _moodle_row("3/03/26, 10:06:00", "Bo Li", "The user with id '8' sent a message to the user with id '2'.", affected="Hana Kim"),
                    encoding="utf-8")
    log, t = _read({"moodle": path}, dayfirst=True)
    assert log.events[C.EVENT].tolist()[:2] == ["message", "message"]  # not "other"
    assert t.loc["S001", [C.MESSAGES_SENT, C.INSTRUCTOR_MESSAGES]].tolist() == [2, 0]  # a group, not staff
    assert t.loc["S002", [C.MESSAGES_SENT, C.INSTRUCTOR_MESSAGES]].tolist() == [1, 1]


def test_moodle_times_are_read_in_the_language_and_zone_written():
    times = {}
    for lang in ("en", "en_us", "de", "fr"):
        log, _ = _read({"moodle": FIXTURES / f"moodle/bio101_{lang}.csv"}, dayfirst={"moodle": lang != "en_us"})
        times[lang] = log.events[C.TIME].sort_values().reset_index(drop=True)
    for lang in ("en_us", "de", "fr"):
        pd.testing.assert_series_equal(times[lang], times["en"], check_names=False)
    # 2 March 2026 09:10:00 in Berlin (CET, UTC+1) is 08:10 UTC: Ana's first course view.
    assert times["en"].iloc[0] == pd.Timestamp("2026-03-02 08:10:00", tz="UTC")


def test_local_times_without_a_time_zone_are_read_as_utc_with_a_warning():
    log = bl.read_activity({"zoom": FIXTURES / "zoom/bio101_week1.csv"}, roster=FIXTURES / "roster.csv", key=KEY)
    assert any("no time zone given: the times of bio101_week1.csv (local times without an offset) are read as UTC"
               in str(w) for w in log.warnings)
    assert log.timezone == "UTC"
    given = bl.read_activity({"zoom": FIXTURES / "zoom/bio101_week1.csv"}, roster=FIXTURES / "roster.csv", key=KEY,
                             timezone="UTC", dayfirst=False)
    assert not given.warnings  # said explicitly: nothing to warn about
    canvas = bl.read_activity({"canvas": FIXTURES / "canvas/bio101_access_report.csv"}, roster=FIXTURES / "roster.csv", key=KEY)
    assert not any("time zone" in str(w) for w in canvas.warnings)  # Canvas writes UTC with an offset


def test_times_in_the_repeated_hour_of_a_dst_change_are_counted(tmp_path):
    path = tmp_path / "log.csv"
    view = "The user with id '7' viewed the course with id '3'."
    path.write_text(MOODLE_HEADER + _moodle_row("25/10/26, 02:30:00", "Ana Pérez", view)
                    + _moodle_row("25/10/26, 02:40:00", "Ana Pérez", view) + _moodle_row("25/10/26, 04:00:00", "Bo Li", view),
                    encoding="utf-8")
    log, _ = _read({"moodle": path})  # Europe/Berlin: 02:00-03:00 comes twice on 25 October 2026
    assert any("log.csv: 2 time(s) fall in the hour Europe/Berlin repeats when daylight saving time ends "
               "(first 2026-10-25 02:30); they are read as standard time" in str(w) for w in log.warnings)
    assert sorted(log.events[C.TIME])[0] == pd.Timestamp("2026-10-25 01:30", tz="UTC")  # 02:30 CET = 01:30 UTC


def test_moodle_ambiguous_dates_follow_the_system_and_say_so():
    log, _ = _read({"moodle": FIXTURES / "moodle/bio101_en.csv"})  # every day of March 2 to 10 fits both orders
    assert any("read day first" in str(w) for w in log.warnings)
    log_us, _ = _read({"moodle": FIXTURES / "moodle/bio101_en_us.csv"}, dayfirst={"moodle": False})
    assert not log_us.warnings
    assert log_us.events[C.TIME].dt.month.unique().tolist() == [3]


def test_public_moodle_log_is_read_as_published():
    """m-rivera/mootler tests/data/activity.csv (MIT): UTF-8 with BOM, old time format without seconds,
    matched against the same project's participant list by e-mail-less name."""
    log = bl.read_activity({"moodle": FIXTURES / "moodle/mootler_activity.csv"},
                           roster=FIXTURES / "moodle/mootler_students.csv", key=KEY,
                           key_column="Portico Student number")
    row = log.matching.iloc[0]
    # Harry Potter (2 rows), Hermione Jean Granger ("Hermione Jean" + "Granger"), Ron Weasley and Luna
    # Lovegood are on the list; Severus Snape (staff) is not.
    assert (row[C.ROWS], row[C.MATCHED], row["unknown_name"]) == (6, 5, 1)
    times = log.events[C.TIME].sort_values()
    assert times.iloc[0] == pd.Timestamp("2021-01-29 10:23", tz="UTC")
    assert times.iloc[-1] == pd.Timestamp("2021-02-01 11:02", tz="UTC")
    assert set(log.events[C.EVENT]) == {"view"}


# --- Canvas ------------------------------------------------------------------------------------------

def test_canvas_access_report():
    log, t = _read({"canvas": FIXTURES / "canvas/bio101_access_report.csv"})
    # Ana: discussions 6 views 3 participations, course home 12 views, grades 2 views (feedback);
    # active on 2, 4, 9 and 10 March (first and last accesses).
    assert t.loc["S001", [C.FORUM_POSTS, C.FORUM_VIEWS, C.FEEDBACK_VIEWS, C.LMS_ACTIONS, C.ACTIVE_DAYS]].tolist() == [3, 6, 2, 23, 4]
    # Bo: 2 discussion replies + 1 announcement reply; 1 conference joined; 10 actions on 2, 3, 10 March
    assert t.loc["S002", [C.FORUM_POSTS, C.LIVE_SESSIONS, C.LMS_ACTIONS, C.ACTIVE_DAYS]].tolist() == [3, 1, 10, 3]
    # Chiara has no SIS id and no login in the report: matched by name
    assert t.loc["S003", C.FORUM_POSTS] == 1
    assert t.loc[["S007", "S008"], C.SUBMISSIONS].tolist() == [1, 1]
    # the report shows neither replies nor meeting minutes nor time of each view: missing, not zero
    assert t[[C.FORUM_REPLIES, C.FORUM_REPLIES_RECEIVED, C.LIVE_MINUTES, C.SELF_PACED_SHARE]].isna().all().all()
    row = log.matching.iloc[0]
    assert (row[C.ROWS], row[C.MATCHED], row["staff"], row["unknown_name"]) == (14, 12, 1, 1)  # teacher; Test Student


# --- Zoom --------------------------------------------------------------------------------------------

def test_zoom_participants_report_with_meeting_preamble():
    log, t = _read({"zoom": FIXTURES / "zoom/bio101_week1.csv"})
    # Ana left and rejoined: 09:00:40-09:40:00 and 09:45:00-10:00:50 = 39.33 + 15.83 minutes
    assert t.loc["S001", C.LIVE_MINUTES] == pytest.approx(39 + 20 / 60 + 15 + 50 / 60)
    # Bo renamed himself "Bo (Bo Li)"; Chiara "chiara on phone (Chiara Rossi)", no e-mail: original name
    assert t.loc["S002", C.LIVE_MINUTES] == pytest.approx(58 + 50 / 60)
    assert t.loc["S003", C.LIVE_MINUTES] == pytest.approx(30)
    # Dmitri on two devices, 09:00-09:30 and 09:10-09:50: 50 minutes, not 70
    assert t.loc["S004", C.LIVE_MINUTES] == pytest.approx(50)
    assert t[C.LIVE_SESSIONS].fillna(-1).tolist() == [1, 1, 1, 1, -1, -1, 0, 0, 0]  # the Josés: missing
    row = log.matching.iloc[0]
    # Zoë joined as a guest (not matched by name); "Guest Visitor"; Jose Garcia is two roster people;
    # Farah used a personal address; the teacher is staff.
    assert (row[C.ROWS], row[C.MATCHED], row["guest"], row["ambiguous_name"], row["unknown_email"], row["staff"]) == (
        11, 6, 2, 1, 1, 1)
    session = log.sessions.iloc[0]
    assert (session["start"], session["end"]) == (pd.Timestamp("2026-03-10 07:58:02", tz="UTC"),
                                                  pd.Timestamp("2026-03-10 09:01:10", tz="UTC"))


def test_zoom_account_wide_export_with_meeting_columns_on_every_row():
    log, t = _read({"zoom": FIXTURES / "zoom/account_participants.csv"})
    assert t.loc["S001", [C.LIVE_SESSIONS, C.LIVE_MINUTES, C.ACTIVE_DAYS]].tolist() == [2, 80, 2]
    assert t.loc["S004", [C.LIVE_SESSIONS, C.LIVE_MINUTES]].tolist() == [1, 20]
    assert len(log.sessions) == 2


def test_public_zoom_report_rejoins_and_renames():
    """Lightbridge-KS/zoomclass participants_heroes_full.csv (MIT): meeting preamble with a row of empty
    cells, renamed participants, rejoins, nearly everyone a guest; matched here by e-mail."""
    people = pd.DataFrame({
        "student_id": ["H1", "H2", "H3", "H4"],
        "name": ["Kara Zor-L", "Dazzler", "Loki Laufeyson", "Clea"],
        "email": ["power-girl_kryptonian@dc.com", "dazzler_mutant@marvel.com", "", ""],
    })
    log = bl.read_activity({"zoom": FIXTURES / "zoom/heroes_full.csv"}, roster=people, key=KEY)
    t = _by_student_ids(bl.participation_features(log), people)
    # Power Girl joined twice, 10:08:26-12:01:58 and 10:11:31-12:01:58: 113.53 minutes, not 225
    assert t.loc["H1", C.LIVE_MINUTES] == pytest.approx(113 + 32 / 60)
    # Dazzler: 11:01:02-11:02:35 and 11:02:46-11:29:38
    assert t.loc["H2", C.LIVE_MINUTES] == pytest.approx((93 + 26 * 60 + 52) / 60)
    # Loki is a guest with an address not on this roster: not matched by his original name
    assert t.loc["H3", C.LIVE_MINUTES] == 0
    row = log.matching.iloc[0]
    # 31 rows: Power Girl's and Dazzler's two rows each matched by address; 26 rows of other guests;
    # Clea, the one participant who is not a guest, has an address that is not on this roster.
    assert (row[C.ROWS], row[C.MATCHED], row["guest"], row["unknown_email"]) == (31, 4, 26, 1)
    assert log.sessions.iloc[0]["start"] == pd.Timestamp("2021-11-19 10:00", tz="UTC")


def _by_student_ids(table, people):
    ids = dict(zip(pseudonymise(people["student_id"], KEY), people["student_id"]))
    return table.assign(id=table[C.STUDENT_KEY].map(ids)).set_index("id")


def test_public_zoom_report_without_preamble_reads_the_same_rows():
    people = pd.DataFrame({"student_id": ["H1"], "email": ["power-girl_kryptonian@dc.com"]})
    full = bl.read_activity({"zoom": FIXTURES / "zoom/heroes_full.csv"}, roster=people, key=KEY)
    bare = bl.read_activity({"zoom": FIXTURES / "zoom/heroes.csv"}, roster=people, key=KEY)
    assert full.matching[C.ROWS].tolist() == bare.matching[C.ROWS].tolist() == [31]
    assert float(full.events[C.MINUTES].sum()) == float(bare.events[C.MINUTES].sum())


# --- Teams -------------------------------------------------------------------------------------------

def test_teams_attendance_report_utf16_sections():
    log, t = _read({"teams": FIXTURES / "teams/bio101_attendance.csv"})
    # In-meeting activities: Ana ("Pérez, Ana") 14:00:05-14:30:05 and 14:40-15:00 = 50 minutes
    assert t.loc["S001", C.LIVE_MINUTES] == pytest.approx(50)
    assert t.loc["S002", C.LIVE_MINUTES] == pytest.approx(45)  # e-mail empty, matched by UPN
    assert t.loc["S008", C.LIVE_MINUTES] == pytest.approx(30.5)  # "(External)" removed from the name
    assert t.loc["S007", C.LIVE_MINUTES] == 0  # "(Unverified)": a guest
    row = log.matching.iloc[0]
    assert (row[C.ROWS], row[C.MATCHED], row["guest"], row["staff"]) == (7, 5, 1, 1)
    session = log.sessions.iloc[0]
    assert session["start"] == pd.Timestamp("2026-03-12 12:58:10", tz="UTC")


def test_teams_participants_section_when_no_activities(tmp_path):
    text = (FIXTURES / "teams/bio101_attendance.csv").read_bytes().decode("utf-16")
    cut = text[: text.index("3. In-Meeting Activities")]
    path = tmp_path / "attendance.csv"
    path.write_text(cut, encoding="utf-8")  # also: UTF-8 instead of UTF-16
    log = bl.read_activity({"teams": path}, roster=FIXTURES / "roster.csv", key=KEY, timezone="Europe/Berlin")
    t = _by_student(bl.participation_features(log))
    # one row per person: First Join 2:00:05 to Last Leave 3:00:00 spans 59m 55s, but Ana was in the
    # meeting for its In-Meeting Duration, 50m (she left between 2:30 and 2:40)
    assert t.loc["S001", C.LIVE_MINUTES] == pytest.approx(50)
    assert t.loc["S008", C.LIVE_MINUTES] == pytest.approx(30.5)
    assert log.matching[C.ROWS].tolist() == [6]


def test_meeting_rows_that_summarise_several_joins_count_their_duration(tmp_path):
    """Zoom's "Show unique users" export: one row per person from first join to last leave, Duration
    the minutes actually spent; per-join rows keep the union of their intervals (overlaps once)."""
    path = tmp_path / "zoom.csv"
    path.write_text("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
                    "Ana Pérez,ana.perez@uni.example,03/10/2026 09:00:00 AM,03/10/2026 10:00:00 AM,10,No\n"
                    "Bo Li,bo.li@uni.example,03/10/2026 09:00:00 AM,03/10/2026 09:30:00 AM,30,No\n"
                    "Bo Li,bo.li@uni.example,03/10/2026 09:10:00 AM,03/10/2026 09:50:00 AM,40,No\n")
    _, t = _read({"zoom": path})
    assert t.loc["S001", C.LIVE_MINUTES] == 10  # not the 60 minutes from 09:00 to 10:00
    assert t.loc["S002", C.LIVE_MINUTES] == 50  # two devices: 09:00 to 09:50 once, not 30 + 40


# --- all systems together ----------------------------------------------------------------------------

def test_all_systems_add_up_per_student():
    files = [("moodle", FIXTURES / "moodle/bio101_en.csv"), ("canvas", FIXTURES / "canvas/bio101_access_report.csv"),
             ("zoom", FIXTURES / "zoom/bio101_week1.csv"), ("teams", FIXTURES / "teams/bio101_attendance.csv")]
    log, t = _read(files, dayfirst={"moodle": True})
    assert t.loc["S001", C.FORUM_POSTS] == 4 + 3  # Moodle + Canvas
    assert t.loc["S001", C.LIVE_MINUTES] == pytest.approx(55 + 10 / 60 + 50)  # Zoom + Teams
    assert t.loc["S008", C.LIVE_SESSIONS] == 1 + 1  # BigBlueButton join + Teams
    # self-paced: Ana's Moodle events all fall outside the Zoom (10 March) and Teams (12 March) meetings
    assert t.loc["S001", C.SELF_PACED_SHARE] == 1.0
    # Émile's BigBlueButton join at 10:00 on 10 March falls inside the Zoom seminar (08:58-10:01)
    assert t.loc["S008", [C.SELF_PACED_ACTIONS, C.SELF_PACED_SHARE]].tolist() == [1, 0.5]
    assert log.matching[C.SOURCE].tolist() == ["moodle #1", "canvas #1", "zoom #1", "teams #1"]


def test_time_window():
    files = {"moodle": FIXTURES / "moodle/bio101_en.csv"}
    log = bl.read_activity(files, roster=FIXTURES / "roster.csv", key=KEY, timezone="Europe/Berlin", dayfirst=True)
    t = _by_student(bl.participation_features(log, start="2026-03-03", end="2026-03-04"))
    # on 3 March Ana viewed 101, replied in 101, viewed 102, replied in 102
    assert t.loc["S001", [C.FORUM_POSTS, C.FORUM_VIEWS, C.LMS_ACTIONS, C.ACTIVE_DAYS]].tolist() == [2, 2, 4, 1]
    with pytest.raises(UsageError, match="`start` must be a date"):
        bl.participation_features(log, start="the third")


def test_a_window_leaves_out_counts_over_the_whole_course():
    """A Canvas access report's counts are lifetime totals per item; its times are an item's first and
    last access. Under a window they are left out (missing where only Canvas shows a feature), said."""
    files = [("moodle", FIXTURES / "moodle/bio101_en.csv"), ("canvas", FIXTURES / "canvas/bio101_access_report.csv")]
    log = bl.read_activity(files, roster=FIXTURES / "roster.csv", key=KEY, timezone="Europe/Berlin", dayfirst=True)
    window = log.between("2026-03-03", "2026-03-04")
    assert any("canvas #1: a Canvas course access report counts views" in str(w) for w in window.warnings)
    assert not (window.events[C.SYSTEM] == "canvas").any()
    t = _by_student(bl.participation_features(log, start="2026-03-03", end="2026-03-04"))
    # Moodle's events of 3 March only (test_time_window); Canvas' 3 lifetime participations not added
    assert t.loc["S001", [C.FORUM_POSTS, C.FORUM_VIEWS, C.LMS_ACTIONS, C.ACTIVE_DAYS]].tolist() == [2, 2, 4, 1]
    only_canvas = bl.read_activity({"canvas": FIXTURES / "canvas/bio101_access_report.csv"},
                                   roster=FIXTURES / "roster.csv", key=KEY)
    assert bl.participation_features(only_canvas)[C.FORUM_POSTS].notna().any()
    windowed = bl.participation_features(only_canvas, start="2026-03-01")
    assert windowed[list(C.FEATURES)].isna().all().all()  # not the lifetime counts, not zeros
    with pytest.raises(UsageError, match="must end after it starts"):
        log.between("2026-03-04", "2026-03-03")


# --- what the readers refuse -------------------------------------------------------------------------

@pytest.mark.parametrize(("system", "name", "match"), [
    ("zoom", "moodle/bio101_en.csv", "not a Zoom participants report"),
    ("moodle", "zoom/heroes.csv", "not a Moodle standard log: no column for time"),
    ("teams", "canvas/bio101_access_report.csv", "not a Microsoft Teams attendance report"),
    ("canvas", "teams/bio101_attendance.csv", "not a Canvas course access report"),
])
def test_wrong_system_is_one_clear_error(system, name, match):
    with pytest.raises(IngestError, match=match):
        bl.read_activity({system: FIXTURES / name}, roster=FIXTURES / "roster.csv", key=KEY)


def test_unreadable_time_names_file_row_column_and_value(tmp_path):
    text = (FIXTURES / "moodle/bio101_es.csv").read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace(text[3].split('",')[0] + '"', '"ayer por la tarde"', 1)
    path = tmp_path / "log.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"log.csv: row 4, column 'Hora': cannot read the time, a text of 17 "
                                          r"characters \(letters, spaces\) \(1 such value\(s\)\)") as caught:
        bl.read_activity({"moodle": path}, roster=FIXTURES / "roster.csv", key=KEY)
    assert "ayer" not in str(caught.value)  # described, never quoted (it could be a name)


def test_unknown_time_zone_is_a_usage_error():
    with pytest.raises(UsageError, match="`timezone`: unknown time zone 'Mars/Olympus'"):
        bl.read_activity({"moodle": FIXTURES / "moodle/bio101_en.csv"}, roster=FIXTURES / "roster.csv", key=KEY,
                         timezone="Mars/Olympus")


def test_unknown_system_and_course():
    with pytest.raises(UsageError, match="unknown system 'moodel'.*did you mean 'moodle'"):
        bl.read_activity({"moodel": FIXTURES / "moodle/bio101_en.csv"}, roster=FIXTURES / "roster.csv", key=KEY)
    with pytest.raises(UsageError, match="course 'BIO102' is not on the roster.*did you mean 'BIO101'"):
        bl.read_activity({"moodle": "BIO102=" + str(FIXTURES / "moodle/bio101_en.csv")},
                         roster=FIXTURES / "roster.csv", key=KEY)


def test_file_course_is_found_from_its_people():
    roster = pd.concat([ROSTER, ROSTER.assign(student_id=ROSTER["student_id"] + "x", course="CHEM200",
                                              email="x" + ROSTER["email"], last_name=ROSTER["last_name"] + "-Smith")])
    log = bl.read_activity({"zoom": FIXTURES / "zoom/bio101_week1.csv"}, roster=roster, key=KEY)
    assert log.matching[C.COURSE].tolist() == ["BIO101"]
    assert any("read as course 'BIO101'" in str(w) for w in log.warnings)
    assert set(log.students[C.COURSE]) == {"BIO101", "CHEM200"}
    t = bl.participation_features(log)
    assert t.loc[t[C.COURSE] == "CHEM200", C.LIVE_MINUTES].isna().all()  # no meeting report for CHEM200


def test_nothing_identifying_in_events_or_matching():
    files = [("moodle", FIXTURES / "moodle/bio101_en.csv"), ("zoom", FIXTURES / "zoom/bio101_week1.csv")]
    log = bl.read_activity(files, roster=FIXTURES / "roster.csv", key=KEY, dayfirst={"moodle": True})
    text = log.events.to_csv() + log.matching.to_csv() + log.sessions.to_csv() + log.summary() + log.students.to_csv()
    for value in [*ROSTER["first_name"], *ROSTER["last_name"], *ROSTER["email"], *ROSTER["student_id"],
                  "Visitor", "Guest Visitor", "farah.personal", "10.0.2.", "'77'"]:
        assert value not in text, value
    assert np.all(log.events[C.STUDENT_KEY].str.fullmatch(r"[0-9a-f]{64}"))


def test_meetings_are_opaque_ids_never_titles_or_file_names(tmp_path):
    zoom = tmp_path / "participants_jane.doe@uni.example.csv"
    zoom.write_text("Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
                    "812 1,Jane Doe's Personal Meeting Room,03/10/2026 09:00:00 AM,03/10/2026 10:00:00 AM,"
                    "jane.doe@uni.example,60,1\n\n"
                    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
                    "Ana Pérez,ana.perez@uni.example,03/10/2026 09:00:00 AM,03/10/2026 09:40:00 AM,40,No\n")
    text = (FIXTURES / "teams/bio101_attendance.csv").read_bytes().decode("utf-16")
    teams = tmp_path / "Jane Doe attendance.csv"
    teams.write_text(text.replace("BIO101 lab briefing", "Office hours with Jane Doe"), encoding="utf-16")
    log, t = _read([("zoom", zoom), ("teams", teams), ("zoom", zoom)])
    held = log.events.to_csv() + log.sessions.to_csv()
    for value in ("Jane", "jane", "Personal Meeting", "Office hours", "812 1", "participants_"):
        assert value not in held, value
    assert sorted(log.sessions[C.SESSION]) == ["teams #1/m1", "zoom #1/m1", "zoom #2/m1"]
    assert set(log.events[C.SESSION]) == {"teams #1/m1", "zoom #1/m1", "zoom #2/m1"}
    assert t.loc["S001", C.LIVE_SESSIONS] == 3 and t.loc["S001", C.LIVE_MINUTES] == pytest.approx(40 + 50 + 40)


def test_moodle_excel_download_and_windows_encoding(tmp_path):
    """Moodle's Excel download (one sheet, times as text) and a CSV re-saved by Excel in Windows-1252."""
    frame = pd.read_csv(FIXTURES / "moodle/bio101_es.csv", dtype=str, keep_default_na=False)
    frame.to_excel(tmp_path / "log.xlsx", index=False)
    (tmp_path / "log.csv").write_bytes(
        (FIXTURES / "moodle/bio101_es.csv").read_text(encoding="utf-8").encode("cp1252"))
    expected = None
    for name in ("log.xlsx", "log.csv"):
        log = bl.read_activity({"moodle": tmp_path / name}, roster=FIXTURES / "roster.csv", key=KEY, dayfirst=True)
        table = bl.participation_features(log)
        assert log.matching[[C.ROWS, C.MATCHED]].iloc[0].tolist() == [26, 21]
        if expected is None:
            expected = table
        pd.testing.assert_frame_equal(table, expected)


SYSTEMS_MEASURE = {"moodle": MOODLE_FEATURES, "canvas": [C.FORUM_POSTS, C.FORUM_VIEWS, C.LMS_ACTIONS, C.ACTIVE_DAYS],
                   "zoom": [C.LIVE_SESSIONS, C.LIVE_MINUTES, C.ACTIVE_DAYS]}


@pytest.mark.parametrize("name", ["moodle/bio101_en.csv", "canvas/bio101_access_report.csv", "zoom/heroes.csv"])
def test_a_file_with_a_header_and_no_rows_shows_no_events_with_a_warning(tmp_path, name):
    system = name.split("/")[0]
    lines = (FIXTURES / name).read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.startswith(("Time", "User ID", "Name")))
    path = tmp_path / "empty.csv"
    path.write_text("".join(lines[: header + 1]), encoding="utf-8")
    log, t = _read({system: path})
    assert log.matching[[C.ROWS, C.MATCHED]].iloc[0].tolist() == [0, 0] and log.events.empty
    assert any("empty.csv: the" in str(w) and "has its header but no rows: no events" in str(w) for w in log.warnings)
    measured = list(SYSTEMS_MEASURE[system])
    assert (t[measured] == 0).all().all()  # measured, and nothing there


def test_meeting_report_without_participants(tmp_path):
    path = tmp_path / "zoom.csv"
    path.write_text("Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
                    "812 1,Seminar,03/10/2026 09:00:00 AM,03/10/2026 10:00:00 AM,host@uni.example,60,0\n\n"
                    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n")
    log, t = _read({"zoom": path})
    assert log.matching[[C.ROWS, C.MATCHED]].iloc[0].tolist() == [0, 0]
    assert (t[C.LIVE_SESSIONS] == 0).all() and (t[C.LIVE_MINUTES] == 0).all()
