"""Every platform's export of the same 12 responses reads and scores to identical results.

Fixtures: tests/fixtures/platforms/, written by tests/fixtures/make_fixtures.py from one seeded set
of Classroom Community Scale answers (truth.csv holds the codes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import belonging as bl

P = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"
TZ = "America/New_York"

# file, expected platform, map file (None: items found without one), rows exported
# ("all" = every response incl. the unfinished one; "finished" = only submitted responses)
CASES = [
    ("qualtrics_text.csv", "qualtrics", "qualtrics", "all"),
    ("qualtrics_numeric.csv", "qualtrics", "qualtrics_numeric", "all"),  # recode values 1-5: [codes] in its map
    ("qualtrics_utf16.tsv", "qualtrics", "qualtrics", "all"),
    ("qualtrics_bom.csv", "qualtrics", "qualtrics", "all"),
    ("qualtrics_legacy.csv", "qualtrics_legacy", "qualtrics_legacy", "all"),
    ("surveymonkey.csv", "surveymonkey", "surveymonkey", "all"),
    ("surveymonkey.xlsx", "surveymonkey", "surveymonkey", "all"),
    ("google_forms.csv", "google_forms", "google_forms", "finished"),
    ("microsoft_forms.xlsx", "microsoft_forms", "microsoft_forms", "finished"),
    ("limesurvey_codes.csv", "limesurvey", "limesurvey_codes", "all"),
    ("limesurvey_full.csv", "limesurvey", "limesurvey_full", "all"),
    ("redcap_raw.csv", "redcap", None, "all"),
    ("redcap_labels.csv", "redcap", None, "all"),
    ("spss.sav", "spss", None, "all"),
    ("stata.dta", "stata", None, "all"),
]


def _generator():
    """The fixture generator as a module (tests/ fixtures is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", P.parent / "make_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def truth():
    return pd.read_csv(P / "truth.csv", dtype={"response_id": str})


@pytest.fixture(scope="module")
def reference(truth):
    return bl.score(truth, "ccs")


def _read(name):
    dictionary = P / "redcap_dictionary.csv" if name == "redcap_raw.csv" else None
    return bl.read_export(P / name, timezone=TZ, dictionary=dictionary)


@pytest.mark.parametrize(("name", "platform", "mapfile", "rows"), CASES, ids=[c[0] for c in CASES])
def test_every_platform_scores_identically(name, platform, mapfile, rows, truth, reference):
    responses = _read(name)
    assert responses.provenance.platform == platform
    mapping = P / "maps" / f"{mapfile}.toml" if mapfile else None
    scores = bl.score(responses, "ccs", mapping=mapping)
    ref = reference if rows == "all" else reference[truth["finished"].to_numpy()].reset_index(drop=True)
    assert len(scores) == len(ref)
    for col in ("ccs", "ccs_connectedness", "ccs_learning", "ccs_n_answered"):
        assert_allclose(scores[col].to_numpy(dtype=float), ref[col].to_numpy(dtype=float), rtol=0, atol=1e-12)


@pytest.mark.parametrize(("name", "platform", "mapfile", "rows"), CASES, ids=[c[0] for c in CASES])
def test_meta_columns_and_times(name, platform, mapfile, rows, truth):
    responses = _read(name)
    data = responses.data
    assert list(data.columns[:2]) == ["response_id", "source_row"]
    assert data["source_row"].tolist() == list(range(1, len(data) + 1)) or platform == "qualtrics"
    if platform in ("qualtrics", "qualtrics_legacy", "surveymonkey", "spss", "stata"):
        assert data["response_id"].tolist() == truth["response_id"].tolist()
    if "finished" in data.columns:
        expected = truth["finished"].to_numpy() if rows == "all" else np.ones(len(data), bool)
        assert data["finished"].to_numpy(dtype=bool).tolist() == expected.tolist()
    if "submitted_at" in data.columns:
        assert str(data["submitted_at"].dt.tz) == "UTC"


def test_qualtrics_previews_and_tests_are_dropped_with_reasons():
    r = _read("qualtrics_text.csv")
    assert r.n_records == 14 and len(r) == 12
    assert dict(r.provenance.dropped) == {"preview": 1, "test": 1}
    assert r.dropped["reason"].tolist() == ["preview", "test"]
    assert r.dropped["source_row"].tolist() == [2, 14]
    assert r.dropped["response_id"].tolist() == ["R_preview00000001", "R_testrun00000001"]
    assert "R_preview00000001" not in set(r.data["response_id"])
    assert r.data["source_row"].tolist() == [1, *range(3, 14)]


@pytest.mark.parametrize("name", ["qualtrics_text.csv", "qualtrics_legacy.csv", "surveymonkey.csv", "limesurvey_codes.csv", "microsoft_forms.xlsx", "redcap_raw.csv"])
def test_identifying_columns_are_flagged(name):
    r = _read(name)
    idents = set(r.identifiers)
    expected = {
        "qualtrics_text.csv": {"IPAddress", "RecipientEmail", "RecipientFirstName", "RecipientLastName", "LocationLatitude", "LocationLongitude", "ExternalReference", "Q2_5_TEXT"},
        "qualtrics_legacy.csv": {"Name", "EmailAddress", "IPAddress", "LocationLatitude", "LocationLongitude"},
        "surveymonkey.csv": {"IP Address", "Email Address", "First Name", "Last Name"},
        "limesurvey_codes.csv": {"ipaddr", "token", "refurl", "GRP[other]"},
        "microsoft_forms.xlsx": {"Email", "Name"},
        "redcap_raw.csv": {"email", "first_name", "last_name"},
    }[name]
    assert expected <= idents
    assert not any(c.startswith(("ccs_", "Q5")) for c in idents)


def test_free_text_other_answer_round_trips_and_is_flagged():
    texts = _generator().OTHER
    r = _read("qualtrics_text.csv")
    info = r.column_info("Q2_5_TEXT")
    assert info.free_text and info.identifier
    got = r.data["Q2_5_TEXT"].astype(object).where(r.data["Q2_5_TEXT"].notna(), "").tolist()
    assert got == texts


def test_question_text_and_import_ids_kept():
    r = _read("qualtrics_text.csv")
    info = r.column_info("Q5_1")
    assert info.question == "How much do you agree with each statement about this course? - peers care about each other"
    assert info.platform_id == "QID1_1"
    assert info.kind == "answer"


def test_redcap_dictionary_gives_labels_and_value_labels():
    r = _read("redcap_raw.csv")
    info = r.column_info("ccs_01")
    assert dict(info.value_labels) == {0: "Strongly disagree", 1: "Disagree", 2: "Neutral", 3: "Agree", 4: "Strongly agree"}
    assert r.column_info("other_text").free_text


def test_spss_user_missing_codes_become_missing(truth):
    r = _read("spss.sav")
    items = [c for c in truth.columns if c.startswith("ccs_")]
    got = r.data[items].to_numpy(dtype=float)
    assert_allclose(got, truth[items].to_numpy(dtype=float), rtol=0, atol=0)
    assert np.isnan(got).sum() == truth[items].isna().to_numpy().sum() > 0
    assert any("user-defined missing" in n for n in r.provenance.notes)
    assert r.column_info("ccs_01").value_labels[8] == "Don't know"


def test_started_at_is_utc_given_the_export_timezone():
    base = _generator().responses()
    for name in ("qualtrics_text.csv", "limesurvey_full.csv", "surveymonkey.csv", "microsoft_forms.xlsx"):
        r = _read(name)
        want = base["started_at"] if len(r) == len(base) else base.loc[base["finished"], "started_at"]
        assert (r.data["started_at"].to_numpy() == want.dt.tz_convert("UTC").to_numpy()).all(), name
    g = _read("google_forms.csv")  # carries its own offset; --timezone does not apply
    want = base.loc[base["finished"], "submitted_at"].dt.floor("s")
    assert (g.data["submitted_at"].to_numpy() == want.to_numpy()).all()
