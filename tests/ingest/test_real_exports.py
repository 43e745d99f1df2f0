"""Real export files written by the platforms themselves, read as they are.

Sources and licences: tests/fixtures/real/README.md (qualtRics MIT, REDCapR MIT, pyreadstat Apache-2.0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import belonging as bl

R = Path(__file__).resolve().parents[1] / "fixtures" / "real"


def test_qualtrics_sample_three_header_rows():
    # ropensci/qualtRics inst/extdata/sample.csv (MIT)
    r = bl.read_export(R / "qualtrics" / "sample.csv")
    assert r.provenance.platform == "qualtrics" and r.provenance.encoding == "utf-8"
    d = r.data
    assert d["response_id"].tolist() == ["R_2YPOQ602ER1jkf1"]
    assert d["started_at"].iloc[0] == pd.Timestamp("2017-07-18 08:28:09", tz="UTC")
    assert d["submitted_at"].iloc[0] == pd.Timestamp("2017-07-18 08:28:48", tz="UTC")
    assert d["duration_s"].tolist() == [38.0] and d["progress"].tolist() == [100.0]
    assert d["finished"].tolist() == [True]
    assert d["Q2"].tolist() == ["Hello World!"]
    assert r.column_info("Q1").question == "This is a multiple choice question."
    assert r.column_info("Q1").platform_id == "QID1"
    assert r.column_info("StartDate").name == "StartDate"  # renamed columns carry no info of their own
    assert {"IPAddress", "LocationLatitude", "LocationLongitude", "RecipientEmail"} <= set(r.identifiers)
    assert r.column_info("Q2").free_text  # ImportId QID2_TEXT: free text
    assert len(r.dropped) == 0


def test_qualtrics_sample_with_timezone():
    r = bl.read_export(R / "qualtrics" / "sample.csv", timezone="Europe/Zurich")
    assert r.data["started_at"].iloc[0] == pd.Timestamp("2017-07-18 06:28:09", tz="UTC")  # CEST = UTC+2


def test_qualtrics_legacy_bom_two_rows_trailing_comma():
    # ropensci/qualtRics inst/extdata/sample_legacy.csv (MIT)
    r = bl.read_export(R / "qualtrics" / "sample_legacy.csv")
    assert r.provenance.platform == "qualtrics_legacy" and r.provenance.encoding == "utf-8-sig"
    d = r.data
    assert d["response_id"].tolist() == ["R_2YPOQ602ER1jkf1"]
    assert d["finished"].tolist() == [True]
    assert d["Q1"].tolist() == ["2"] and d["Q2"].tolist() == ["Hello World!"]
    assert "" not in d.columns and not any(c.startswith("unnamed") for c in d.columns)
    assert any("trailing column" in n for n in r.provenance.notes)
    assert {"Name", "IPAddress", "LocationLatitude"} <= set(r.identifiers)


def test_redcap_survey_with_dictionary():
    # OuhscBbmc/REDCapR inst/test-data/projects/survey (MIT)
    r = bl.read_export(R / "redcap" / "survey" / "data.csv", dictionary=R / "redcap" / "survey" / "dictionary.csv")
    assert r.provenance.platform == "redcap"
    d = r.data
    assert d["response_id"].tolist() == ["1", "2"]
    assert {"email", "first_name", "last_name", "address", "telephone_1", "dob"} <= set(r.identifiers)
    # "[not completed]" is not a time: the latest completed survey's timestamp is the submission time
    assert d["submitted_at"].tolist() == [pd.Timestamp("2018-03-06 15:52:43", tz="UTC"), pd.Timestamp("2018-03-06 15:53:15", tz="UTC")]
    assert d["finished"].tolist() == [False, False]  # later forms incomplete
    assert r.column_info("email").question == "E-mail address"
    assert r.column_info("consent___1").question.startswith(r.column_info("consent___1").question.split(" (choice=")[0])


def test_redcap_survey_without_dictionary_flags_by_name():
    r = bl.read_export(R / "redcap" / "survey" / "data.csv")
    assert {"email", "first_name", "last_name", "address", "telephone_1"} <= set(r.identifiers)


def test_redcap_longitudinal_events_become_waves():
    # OuhscBbmc/REDCapR inst/test-data/projects/longitudinal (MIT). (Its README mentions embedded
    # newlines in notes; this copy has none: each record is one line. Long free text round-trips.)
    r = bl.read_export(R / "redcap" / "longitudinal" / "data.csv", dictionary=R / "redcap" / "longitudinal" / "dictionary.csv")
    d = r.data
    raw = pd.read_csv(R / "redcap" / "longitudinal" / "data.csv", dtype=str, keep_default_na=False)
    assert len(d) == len(raw)
    assert d["wave"].tolist() == raw["redcap_event_name"].tolist()
    assert d["response_id"].is_unique
    assert d["response_id"].iloc[0] == f"{raw['study_id'].iloc[0]}/{raw['redcap_event_name'].iloc[0]}"
    notes = raw["comments"].replace("", np.nan).dropna()
    assert len(notes) >= 3 and notes.str.len().min() > 100
    got = d.loc[notes.index, "comments"].tolist()
    assert got == notes.tolist()
    assert {"first_name", "last_name", "email", "telephone_1"} <= set(r.identifiers)


def test_spss_value_and_variable_labels():
    # Roche/pyreadstat test_data/basic/sample.sav (Apache-2.0)
    r = bl.read_export(R / "spss" / "sample.sav")
    assert r.provenance.platform == "spss"
    assert r.data["mylabl"].tolist()[:3] == [1.0, 2.0, 1.0]  # codes, not labels
    assert dict(r.column_info("mylabl").value_labels) == {1: "Male", 2: "Female"}
    assert r.column_info("myord").value_labels[3] == "high"
    assert r.column_info("mychar").question == "character"


def test_stata_value_labels():
    # Roche/pyreadstat test_data/basic/sample.dta (Apache-2.0)
    r = bl.read_export(R / "spss" / "sample.dta")
    assert r.provenance.platform == "stata"
    assert r.data["myord"].tolist()[:3] == [1, 2, 3]
    assert dict(r.column_info("myord").value_labels) == {1: "low", 2: "medium", 3: "high"}


def test_spss_user_defined_missing_values_become_missing():
    # Roche/pyreadstat test_data/basic/sample_missing.sav (Apache-2.0): mynum missing 2000-3000 and -1,
    # mylabl missing -1, myord missing -1, -2, -3
    r = bl.read_export(R / "spss" / "sample_missing.sav")
    d = r.data
    assert not ((d["mynum"] >= 2000) & (d["mynum"] <= 3000)).any()
    assert not (d["mynum"] == -1).any()
    assert not d["mylabl"].isin([-1]).any() and not d["myord"].isin([-1, -2, -3]).any()
    assert d["mylabl"].isna().sum() >= 1 and d["myord"].isna().sum() >= 1
    assert r.column_info("mylabl").value_labels[-1] == "undetermined"  # the label is kept beside the data
    m = bl.read_export(R / "spss" / "missing_test.sav")
    assert m.data["var1"].isna().tolist() == [True, False]


def test_spss_hebrew_names():
    r = bl.read_export(R / "spss" / "hebrews.sav")
    assert "ותק_ב" in r.data.columns and len(r.data) == 99
