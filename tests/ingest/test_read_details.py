"""Reader details: duplicate names, delimiters, time zones, label exports with a dictionary, generic tables."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

import belonging as bl
from belonging.errors import IngestError

P = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"
QHEAD = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "ResponseId"]


def _qualtrics(rows, extra_names=(), delimiter=","):
    names = [*QHEAD, *extra_names]
    ids = [f'{{"ImportId":"{n}"}}' for n in names]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerows([names, names, ids, *rows])
    return buf.getvalue()


def test_duplicate_column_names_made_unique_and_noted(tmp_path):
    # qualtRics #233: two Status columns; #176: two questions with the same export tag
    text = _qualtrics([["2024-03-04 09:12:44", "2024-03-04 09:19:02", "0", "100", "378", "1", "R_1", "a", "b", "NA"]], ("Q3", "Q3", "Status"))
    path = tmp_path / "dup.csv"
    path.write_text(text, encoding="utf-8")
    r = bl.read_export(path)
    assert {"Q3", "Q3_2", "Status_2"} <= set(r.data.columns)
    assert r.data["Q3_2"].tolist() == ["b"]
    assert r.data["Status_2"].tolist() == ["NA"]  # a literal NA stays text
    assert any("duplicate column name 'Q3' renamed 'Q3_2'" in n for n in r.provenance.notes)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_sniffed_from_header_line(tmp_path, delimiter):
    text = _qualtrics([["2024-03-04 09:12:44", "2024-03-04 09:19:02", "0", "100", "378", "1", "R_1", "x,y;z|w\tv"]], ("Q1",), delimiter)
    path = tmp_path / "d.txt"
    path.write_text(text, encoding="utf-8")
    r = bl.read_export(path)
    assert r.provenance.platform == "qualtrics"
    assert r.data["Q1"].tolist() == ["x,y;z|w\tv"]
    assert r.provenance.format == ("tsv" if delimiter == "\t" else "csv")


def test_daylight_saving_gap_is_an_error_naming_row(tmp_path):
    rows = [["2024-03-10 01:30:00", "2024-03-10 01:45:00", "0", "100", "900", "1", "R_1"],
            ["2024-03-10 02:30:00", "2024-03-10 03:10:00", "0", "100", "900", "1", "R_2"]]  # 02:30 does not exist in New York
    path = tmp_path / "dst.csv"
    path.write_text(_qualtrics(rows), encoding="utf-8")
    assert bl.read_export(path).data["started_at"].iloc[1] == pd.Timestamp("2024-03-10 02:30", tz="UTC")
    with pytest.raises(IngestError, match=r"row 2, column 'started_at': local time '2024-03-10 02:30:00' is ambiguous or does not exist"):
        bl.read_export(path, timezone="America/New_York")


def test_offsets_in_cells_win_over_timezone(tmp_path):
    rows = [["2024-03-04T09:12:44+01:00", "2024-03-04T09:19:02+01:00", "0", "100", "378", "1", "R_1"]]
    path = tmp_path / "iso.csv"
    path.write_text(_qualtrics(rows), encoding="utf-8")
    r = bl.read_export(path, timezone="America/New_York")
    assert r.data["started_at"].iloc[0] == pd.Timestamp("2024-03-04 08:12:44", tz="UTC")


def test_redcap_label_export_with_dictionary_becomes_codes(tmp_path):
    truth = pd.read_csv(P / "truth.csv")
    r = bl.read_export(P / "redcap_labels.csv", dictionary=P / "redcap_dictionary.csv")
    assert r.data["ccs_01"].astype(float).tolist() == truth["ccs_01"].astype(float).tolist()
    assert r.data["finished"].tolist() == truth["finished"].tolist()


def test_spss_wrong_platform_and_generic_tables_still_work(tmp_path):
    frame = pd.DataFrame({"response_id": ["a", "b"], "pssm_01": [1, 5], "group": ["x", "y"]})
    frame.to_parquet(tmp_path / "t.parquet")
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    frame.to_csv(tmp_path / "t.csv", sep=";", index=False)
    for name in ("t.parquet", "t.xlsx", "t.csv"):
        r = bl.read_export(tmp_path / name)
        assert r.provenance.platform == "generic"
        assert r.data["response_id"].tolist() == ["a", "b"] and r.data["pssm_01"].astype(int).tolist() == [1, 5]


def test_cp1252_export_falls_back_and_is_recorded(tmp_path):
    text = _qualtrics([["2024-03-04 09:12:44", "2024-03-04 09:19:02", "0", "100", "378", "1", "R_1", "caf\u00e9 \u2014 ok"]], ("Q1",))
    path = tmp_path / "cp.csv"
    path.write_bytes(text.encode("cp1252"))
    r = bl.read_export(path)
    assert r.provenance.encoding == "cp1252"
    assert r.data["Q1"].tolist() == ["caf\u00e9 \u2014 ok"]


def test_input_file_is_not_modified_and_hash_recorded():
    import hashlib

    before = (P / "qualtrics_utf16.tsv").read_bytes()
    r = bl.read_export(P / "qualtrics_utf16.tsv")
    assert (P / "qualtrics_utf16.tsv").read_bytes() == before
    assert r.provenance.sha256 == hashlib.sha256(before).hexdigest()
    assert r.provenance.encoding == "utf-16" and r.provenance.format == "tsv"


def test_free_text_columns_flagged_in_generic_tables_and_platforms():
    sample = Path(__file__).resolve().parents[2] / "data" / "sample" / "survey.csv"
    r = bl.read_export(sample)
    info = r.column_info("comments")
    assert info.free_text and info.identifier
    assert r.column_info("email").identifier and not r.column_info("email").free_text
    assert not r.column_info("ccs_01").identifier and not r.column_info("mode").identifier
    g = bl.read_export(P / "google_forms.csv")
    assert g.column_info("Anything else you would like to tell us? (other)").free_text
    # statements ending in "... each other" or "... feedback" are answers, not free text
    assert not any(c.startswith("How much") for c in g.identifiers)


def test_qualtrics_spss_export_drops_previews_by_status_code(tmp_path):
    import pyreadstat

    frame = pd.DataFrame({
        "ResponseId": ["R_a", "R_b", "R_c"], "Status": [0.0, 1.0, 2.0], "Finished": [1.0, 0.0, 1.0],
        "Progress": [100.0, 40.0, 100.0], "Duration__in_seconds_": [300.0, 20.0, 100.0], "Q1_1": [4.0, 8.0, 2.0],
    })
    path = tmp_path / "q.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"Status": {0.0: "IP Address", 1.0: "Survey Preview", 2.0: "Survey Test"}},
                         missing_ranges={"Q1_1": [8.0]})
    r = bl.read_export(path)
    assert r.data["response_id"].tolist() == ["R_a"]
    assert r.dropped["reason"].tolist() == ["preview", "test"] and r.dropped["source_row"].tolist() == [2, 3]
    assert r.data["finished"].tolist() == [True] and r.data["duration_s"].tolist() == [300.0]
    assert r.column_info("Status").kind == "system"


def test_dropped_previews_leave_the_same_frame_as_row_selection(tmp_path, monkeypatch):
    # Previews scattered through the file: the kept text columns are rebuilt from slices of the parsed
    # columns; the result must equal selecting the rows (values, missing cells, dtypes, a fresh index).
    import numpy as np

    from belonging.ingest import canonical

    rng = np.random.default_rng(7)
    n = 400
    status = np.where(rng.random(n) < 0.1, "Survey Preview", "IP Address")
    answers = rng.choice(["Agree", "", "NA", "007", " x "], size=n)
    rows = [
        ["2024-03-04 09:12:44", "2024-03-04 09:19:02", s, "100", "378", "1", f"R_{i}", a]
        for i, (s, a) in enumerate(zip(status, answers))
    ]
    path = tmp_path / "previews.csv"
    path.write_text(_qualtrics(rows, ("Q1",)), encoding="utf-8")
    r = bl.read_export(path)
    kept = status != "Survey Preview"
    assert r.provenance.dropped == {"preview": int((~kept).sum())}
    assert r.data["response_id"].tolist() == [f"R_{i}" for i in np.flatnonzero(kept)]
    expected = pd.Series(answers[kept], dtype=object)
    got = r.data["Q1"]
    assert got.isna().tolist() == (expected == "").tolist()
    assert got[got.notna()].tolist() == expected[expected != ""].tolist()
    assert r.data.index.equals(pd.RangeIndex(int(kept.sum())))
    # the helper itself, against plain row selection, on every kind of column and with many stretches
    frame = r.data
    keep = rng.random(len(frame)) < 0.7
    expected_frame = frame.loc[keep].reset_index(drop=True)
    pd.testing.assert_frame_equal(canonical.keep_rows(frame, keep), expected_frame)
    monkeypatch.setattr(canonical, "_MAX_RUNS", 0)  # too many stretches: rows selected the usual way
    pd.testing.assert_frame_equal(canonical.keep_rows(frame, keep), expected_frame)
