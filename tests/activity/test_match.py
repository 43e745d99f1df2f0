"""Matching log rows to the roster, and joining features to survey rows: rules and properties.

The properties are checked on generated logs (hypothesis, seeded in pyproject): every row of a log is
either matched to exactly one student or counted under exactly one reason, and the totals of the
features equal the totals of the matched rows; joined survey rows keep their order and get the
features of their own pseudonym.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from logs_support import KEY

import belonging as bl
from belonging import _columns as C
from belonging.activity import join_activity, load_roster, write_participation
from belonging.activity.match import REASONS, match_identities, split_renamed, swap_comma_name
from belonging.activity.roster import match_name
from belonging.errors import DataValidationError, UsageError
from belonging.store.keys import pseudonymise


def test_names_compare_without_case_accents_or_spacing():
    names = pd.Series(["  José   GARCÍA", "jose garcia", "Zoë O’Connor", "ZOE O'CONNOR", "Åsa\tLindqvist", None])
    out = match_name(names)
    assert out.iloc[0] == out.iloc[1] == "jose garcia"
    assert out.iloc[2] == out.iloc[3] == "zoe o'connor"
    assert out.iloc[4] == "asa lindqvist"
    assert pd.isna(out.iloc[5])


def test_last_first_and_renamed_names():
    assert swap_comma_name(pd.Series(["Doe, Jane", "Jane Doe", "a, b, c"])).tolist() == ["Jane Doe", "Jane Doe", "a, b, c"]
    new, orig = split_renamed(pd.Series(["Jane D (Jane Doe)", "Jane Doe", "A (B) (C D)"]))
    assert new.tolist() == ["Jane D", "Jane Doe", "A (B)"]
    assert orig.iloc[0] == "Jane Doe" and pd.isna(orig.iloc[1]) and orig.iloc[2] == "C D"


ROSTER = pd.DataFrame({
    "student_id": ["S1", "S2", "S3", "S4", "T1"],
    "name": ["Ana Pérez", "Luis Gómez", "Luis Gomez", "Mia Chen", "Kim Park"],
    "email": ["ana@u.example", "luis1@u.example", "luis2@u.example", "", "kim@u.example"],
    "course": ["A", "A", "B", "A", "A"],
    "role": ["student", "student", "student", "student", "Teacher"],
})


def _match(rows, **kw):
    roster = load_roster(ROSTER, key=KEY)
    return match_identities(pd.DataFrame(rows, dtype="string"), roster, **kw)


def test_identifiers_before_names_and_reasons():
    m = _match({
        "name": ["Someone Else", "ana perez", "Luis Gomez", "Luis Gomez", "Kim Park", "Nobody", None, "Mia Chen"],
        "email": ["ANA@u.example", None, None, None, None, "x@y.example", None, None],
    })
    keys = pseudonymise(ROSTER["student_id"], KEY)
    assert m[C.STUDENT_KEY].iloc[0] == keys[0]  # the address decides, whatever the name
    assert m[C.STUDENT_KEY].iloc[1] == keys[0]
    assert m[C.REASON].iloc[2:7].tolist() == ["ambiguous_name", "ambiguous_name", "staff", "unknown_email", "no_identity"]
    assert pd.isna(m[C.REASON].iloc[7]) and m[C.REASON].iloc[:2].isna().all()
    assert m[C.STUDENT_KEY].iloc[7] == keys[3]
    assert m[C.ROLE].iloc[4] == "teacher"


def test_names_are_ambiguous_only_within_the_file_course():
    m = _match({"name": ["Luis Gomez"]}, course="A")
    assert m[C.STUDENT_KEY].iloc[0] == pseudonymise(["S2"], KEY)[0]


def test_guests_are_matched_by_address_only():
    m = _match({"name": ["Ana Pérez", "Ana Pérez"], "email": [None, "ana@u.example"], "guest": ["True", "True"]})
    assert m[C.REASON].iloc[0] == "guest"
    assert m[C.STUDENT_KEY].iloc[1] == pseudonymise(["S1"], KEY)[0]


def test_fuzzy_only_when_asked_and_counted():
    rows = {"name": ["Ana Perrez", "Mia Chenn", "Zzz Qqq"]}
    exact = _match(rows)
    assert exact[C.STUDENT_KEY].isna().all()
    fuzzy = _match(rows, fuzzy=True)
    assert fuzzy[C.FUZZY].tolist() == [True, True, False]
    assert fuzzy[C.STUDENT_KEY].iloc[0] == pseudonymise(["S1"], KEY)[0]
    assert fuzzy[C.REASON].iloc[2] == "unknown_name"


def test_fuzzy_matches_are_reported_as_counts(tmp_path, fixtures):
    path = tmp_path / "zoom.csv"
    path.write_text("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
                    "Ana Perrez,,03/10/2026 09:00:00 AM,03/10/2026 09:30:00 AM,30,No\n")
    log = bl.read_activity({"zoom": f"A={path}"}, roster=ROSTER, key=KEY, fuzzy=True)
    assert log.matching[[C.MATCHED, C.FUZZY]].iloc[0].tolist() == [1, 1]
    assert "1 by close name" in log.summary()


def test_roster_needs_the_key_identifier():
    bad = ROSTER.assign(student_id=["S1", "", "S3", "S4", "T1"])
    with pytest.raises(DataValidationError, match="row 3, column 'student_id': empty"):
        load_roster(bad, key=KEY)
    with pytest.raises(UsageError, match="no student id or e-mail \\(key\\) column"):
        load_roster(ROSTER[["name"]], key=KEY)
    by_email = ROSTER.drop(columns="student_id").assign(email=[f"p{i}@u.example" for i in range(5)])
    assert load_roster(by_email, key=KEY).key_column == "email"


def test_roster_key_column_follows_the_documented_preference_not_the_column_order():
    table = pd.DataFrame({"email": ["a@u.example", "b@u.example"], "student_id": ["S1", "S2"], "name": ["A", "B"]})
    roster = load_roster(table, key=KEY)
    assert roster.key_column == "student_id"  # student id, else e-mail (was 'email': the first column)
    assert roster.students[C.STUDENT_KEY].tolist() == pseudonymise(["S1", "S2"], KEY).tolist()
    assert load_roster(table.drop(columns="student_id"), key=KEY).key_column == "email"


# --- property: every row matched once or counted; totals preserved -----------------------------------

PEOPLE = ["Ana Pérez", "Luis Gómez", "Luis Gomez", "Mia Chen", "Noa Levi", "Omar Haddad", "Kim Park"]


def _variant(name: str, how: int) -> str:
    return [name, name.upper(), f"  {name}  ", name.replace("é", "e").replace("ó", "o"),
            f"{name.split()[1]}, {name.split()[0]}", f"nick ({name})"][how]


@st.composite
def _logs(draw):
    n_people = draw(st.integers(2, len(PEOPLE)))
    people = PEOPLE[:n_people]
    roster = pd.DataFrame({"student_id": [f"P{i}" for i in range(n_people)], "name": people,
                           "email": [f"p{i}@u.example" for i in range(n_people)]})
    rows = []
    for i in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["roster_name", "roster_email", "guest", "stranger", "blank"]))
        who = draw(st.integers(0, n_people - 1))
        minute = 10 * i  # every row its own ten minutes: no overlaps, so minutes add up
        length = draw(st.integers(1, 9))
        name, email, guest = {
            "roster_name": (_variant(people[who], draw(st.integers(0, 5))), "", "No"),
            "roster_email": ("anything", f"P{who}@U.example".replace("P", "p"), draw(st.sampled_from(["No", "Yes"]))),
            "guest": (people[who], "", "Yes"),
            "stranger": (draw(st.sampled_from(["Zed Zulu", "Yan Yi"])), draw(st.sampled_from(["", "z@x.example"])), "No"),
            "blank": ("", "", "No"),
        }[kind]
        start = pd.Timestamp("2026-03-10 09:00") + pd.Timedelta(minutes=minute)
        end = start + pd.Timedelta(minutes=length)
        rows.append((name, email, start.strftime("%m/%d/%Y %I:%M:%S %p"), end.strftime("%m/%d/%Y %I:%M:%S %p"),
                     length, guest, kind, who))
    return roster, rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_logs())
def test_every_row_matched_once_or_counted_and_totals_kept(tmp_path_factory, data):
    roster, rows = data
    path = tmp_path_factory.mktemp("log") / "zoom.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)", "Guest"])
        w.writerows(r[:6] for r in rows)
    log = bl.read_activity({"zoom": path}, roster=roster, key=KEY)
    counts = log.matching.iloc[0]
    assert counts[C.ROWS] == len(rows)
    assert counts[C.MATCHED] + sum(int(counts[r]) for r in REASONS) == len(rows)
    assert counts[C.MATCHED] == len(log.events)  # one event per matched row, none twice
    # rows written with a roster address always match that person
    keys = pseudonymise(roster["student_id"], KEY)
    by_address = [r for r in rows if r[6] == "roster_email"]
    events = log.events.reset_index(drop=True)
    assert set(events[C.STUDENT_KEY]) >= {keys[r[7]] for r in by_address}
    # rows from outside the roster never match; the totals of the features are the matched rows'
    strangers = sum(r[6] in ("stranger", "blank") for r in rows)
    assert counts[C.MATCHED] <= len(rows) - strangers
    # totals: the features of every student add up to the minutes of their matched rows; a student who
    # shares a name with another and whose rows could not all be told apart has none (missing)
    table = bl.participation_features(log)
    unresolved = set(log.unresolved[C.STUDENT_KEY])
    resolved = ~events[C.STUDENT_KEY].isin(unresolved)
    assert table[C.LIVE_MINUTES].sum() == pytest.approx(float(events.loc[resolved, C.MINUTES].sum()))
    assert table[C.LIVE_MINUTES].isna().sum() == len(unresolved)
    assert table[C.LIVE_MINUTES].sum() >= sum(r[4] for r in by_address if keys[r[7]] not in unresolved) - 1e-9
    assert len(table) == len(roster)


# --- property: joining features to survey rows -------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["S1", "S2", "S3", "S4", "S5", "S9", "s1 ", None]), min_size=1, max_size=30),
       st.lists(st.floats(0, 50), min_size=4, max_size=4))
def test_join_keeps_rows_and_gives_each_its_own_features(ids, posts):
    features = pd.DataFrame({C.STUDENT_KEY: pseudonymise(["S1", "S2", "S3", "S4"], KEY), C.COURSE: "A",
                             C.SECTION: None, C.FORUM_POSTS: posts})
    survey = pd.DataFrame({"student_id": ids, "score": np.arange(len(ids), dtype=float)},
                          index=np.arange(len(ids))[::-1] * 3)
    out = join_activity(survey, features, key=KEY, link_column="student_id")
    assert list(out.index) == list(survey.index)
    pd.testing.assert_frame_equal(out[["student_id", "score"]], survey)
    truth = dict(zip(["s1", "s2", "s3", "s4"], posts))
    for sid, got in zip(ids, out["log_forum_posts"]):
        want = truth.get(str(sid).strip().lower()) if sid is not None else None
        assert (np.isnan(got) and want is None) or got == want


def test_join_refuses_another_key_and_several_courses(tmp_path):
    features = pd.DataFrame({C.STUDENT_KEY: pseudonymise(["S1", "S1"], KEY), C.COURSE: ["A", "B"],
                             C.SECTION: None, C.FORUM_POSTS: [1.0, 2.0]})
    survey = pd.DataFrame({"student_id": ["S1"], "course": ["B"]})
    with pytest.raises(UsageError, match="several courses"):
        join_activity(survey, features, key=KEY, link_column="student_id")
    out = join_activity(survey, features, key=KEY, link_column="student_id", course_column="course")
    assert out["log_forum_posts"].tolist() == [2.0]
    with pytest.raises(UsageError, match="no column 'email'"):
        join_activity(survey, features, key=KEY, link_column="email")


# --- a student in two sections of one course (a lecture and a lab) -----------------------------------

def _two_section_roster() -> pd.DataFrame:
    return pd.DataFrame({"student_id": ["S1", "S1", "S2"], "name": ["Ana Pérez", "Ana Pérez", "Bo Li"],
                         "email": ["ana@u.example", "ana@u.example", "bo@u.example"],
                         "course": "BIO101", "section": ["A", "B", "A"]})


def test_a_student_in_two_sections_is_one_enrolment_with_both_sections(tmp_path):
    roster = load_roster(_two_section_roster(), key=KEY)
    assert roster.students[[C.COURSE, C.SECTION]].values.tolist() == [["BIO101", "A; B"], ["BIO101", "A"]]
    assert "2 student enrolment(s)" in repr(roster)
    assert any("1 student(s) listed in more than one section" in str(w) for w in roster.warnings)
    path = tmp_path / "zoom.csv"
    path.write_text("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
                    "Ana Pérez,ana@u.example,03/20/2026 09:00:00 AM,03/20/2026 09:50:00 AM,50,No\n")
    log = bl.read_activity({"zoom": path}, roster=_two_section_roster(), key=KEY)
    assert any("more than one section" in str(w) for w in log.warnings)
    table = bl.participation_features(log)
    assert table[C.LIVE_MINUTES].tolist() == [50.0, 0.0]  # once, not once per section (was 4 rows for S1)
    write_participation(table, tmp_path / "p.parquet", log=log)
    survey = pd.DataFrame({"student_id": ["S2", "S1"], "course": "BIO101"}, index=[7, 7])
    out = join_activity(survey, tmp_path / "p.parquet", key=KEY, course_column="course")
    assert out["log_live_minutes"].tolist() == [0.0, 50.0]  # duplicate survey index labels are fine too


def test_a_table_with_a_student_twice_in_one_course_is_refused(tmp_path):
    features = pd.DataFrame({C.STUDENT_KEY: pseudonymise(["S1", "S1"], KEY), C.COURSE: "BIO101",
                             C.SECTION: ["A", "B"], C.FORUM_POSTS: [1.0, 1.0]})
    survey = pd.DataFrame({"student_id": ["S1"], "course": ["BIO101"]})
    with pytest.raises(DataValidationError, match="1 student\\(s\\) have more than one row for one course"):
        join_activity(survey, features, key=KEY, link_column="student_id", course_column="course")
    with pytest.raises(DataValidationError, match="more than one row for one course"):
        write_participation(features, tmp_path / "p.parquet", log=None)  # refused before the log is read
    assert not (tmp_path / "p.parquet").exists()
