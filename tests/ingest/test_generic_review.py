"""Generic tables: UTC times with --timezone, duplicate names noted, derived durations, free text by
content in layouts without ImportIds, and number inference that never changes a cell's text."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import belonging as bl
from belonging import _columns as C
from belonging.errors import IngestError
from belonging.ingest import generic
from belonging.ingest.privacy import holds_free_text

LEGACY = "/work/shared/fixtures-real/qualtrics/sample_legacy.csv"


def _write(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_generic_times_are_utc_in_the_given_timezone(tmp_path):
    path = _write(tmp_path, "response_id,started_at,submitted_at,q1\nR1,2024-01-15 10:00:00,2024-01-15 10:05:30,3\nR2,2024-07-15 10:00:00,,4\n")
    r = bl.read_export(path, timezone="Europe/Berlin")
    started = r.data[C.STARTED_AT]
    assert str(started.dt.tz) == "UTC"
    assert started.iloc[0] == pd.Timestamp("2024-01-15 09:00:00", tz="UTC")  # CET = UTC+1
    assert started.iloc[1] == pd.Timestamp("2024-07-15 08:00:00", tz="UTC")  # CEST = UTC+2
    assert "times without an offset read as Europe/Berlin" in r.provenance.notes
    assert bl.read_export(path).data[C.STARTED_AT].iloc[0] == pd.Timestamp("2024-01-15 10:00:00", tz="UTC")


def test_generic_times_with_offsets_and_other_containers(tmp_path):
    path = _write(tmp_path, "response_id,submitted_at\nR1,2024-01-15T10:00:00+02:00\nR2,2024-01-15T10:00:00Z\n")
    got = bl.read_export(path, timezone="America/New_York").data[C.SUBMITTED_AT]
    assert got.tolist() == [pd.Timestamp("2024-01-15 08:00", tz="UTC"), pd.Timestamp("2024-01-15 10:00", tz="UTC")]
    frame = pd.DataFrame({"response_id": ["R1"], "started_at": [pd.Timestamp("2024-01-15 10:00")], "q1": [3]})
    frame.to_parquet(tmp_path / "t.parquet")
    got = bl.read_export(tmp_path / "t.parquet", timezone="Europe/Berlin").data[C.STARTED_AT]
    assert got.iloc[0] == pd.Timestamp("2024-01-15 09:00", tz="UTC")
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    got = bl.read_export(tmp_path / "t.xlsx", timezone="Europe/Berlin").data[C.STARTED_AT]
    assert got.iloc[0] == pd.Timestamp("2024-01-15 09:00", tz="UTC")


def test_generic_unreadable_time_is_an_error_naming_the_cell(tmp_path):
    path = _write(tmp_path, "response_id,started_at\nR1,2024-01-15 10:00:00\nR2,yesterday\n")
    with pytest.raises(IngestError, match=r"row 2, column 'started_at': cannot read time 'yesterday'"):
        bl.read_export(path)


@pytest.mark.parametrize("kind", ["csv", "csv_cp1252", "xlsx", "parquet"])
def test_generic_duplicate_names_are_noted(tmp_path, kind, capsys):
    frame = pd.DataFrame([["R1", "a", "b", 3]], columns=["response_id", "cohort", "cohort", "q1"])
    if kind == "xlsx":
        path = tmp_path / "t.xlsx"
        frame.to_excel(path, index=False)
    elif kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = tmp_path / "t.parquet"
        pq.write_table(pa.Table.from_arrays([pa.array(frame.iloc[:, i].tolist()) for i in range(4)], names=list(frame.columns)), path)
    else:
        path = tmp_path / "t.csv"
        path.write_bytes(frame.to_csv(index=False).replace("b", "\xe9").encode("cp1252" if kind == "csv_cp1252" else "utf-8"))
    r = bl.read_export(path)
    assert list(r.data.columns[2:4]) == ["cohort", "cohort_2"]
    assert "duplicate column name 'cohort' renamed 'cohort_2'" in r.provenance.notes
    assert "duplicate column name 'cohort' renamed 'cohort_2'" in r.summary()


def test_inspect_prints_the_rename(tmp_path):
    from belonging.cli import main

    path = _write(tmp_path, "response_id,cohort,cohort,q1\nR1,a,b,3\n")
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        main(["inspect", str(path)])
    assert "renamed 'cohort_2'" in out.getvalue()


def test_duration_derived_from_times(tmp_path):
    text = (
        "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1,Q1\n"
        ",,,,,,,,,Response\n"
        "101,1,03/04/2024 09:12:44 AM,03/04/2024 09:19:02 AM,,,,,,A\n"
        "102,1,03/04/2024 09:12:44 AM,03/04/2024 09:10:00 AM,,,,,,B\n"
        "103,1,03/04/2024 09:12:44 AM,,,,,,,C\n"
    )
    r = bl.read_export(_write(tmp_path, text))
    assert r.provenance.platform == "surveymonkey"
    d = r.data[C.DURATION_S]
    assert d.iloc[0] == 378.0 and np.isnan(d.iloc[1]) and np.isnan(d.iloc[2])
    assert any(n.startswith("duration_s derived as submitted_at - started_at") and "1 negative" in n for n in r.provenance.notes)


def test_duration_from_export_is_not_replaced():
    r = bl.read_export("/work/shared/fixtures-real/qualtrics/sample.csv")
    assert not any("derived" in n for n in r.provenance.notes)
    legacy = bl.read_export(LEGACY)
    assert legacy.data[C.DURATION_S].iloc[0] == 39.0  # 08:28:09 -> 08:28:48
    assert any("duration_s derived" in n for n in legacy.provenance.notes)


def test_generic_duration_derived(tmp_path):
    r = bl.read_export(_write(tmp_path, "response_id,started_at,submitted_at\nR1,2024-01-01 10:00:00,2024-01-01 10:01:00\n"))
    assert r.data[C.DURATION_S].tolist() == [60.0]


def test_legacy_qualtrics_free_text_by_content():
    r = bl.read_export(LEGACY)
    q2 = r.column_info("Q2")
    assert q2.free_text and q2.identifier
    assert "Q2" in r.identifiers
    assert not r.column_info("Q1").free_text  # a numeric answer


def test_legacy_free_text_cannot_be_kept_without_keep_identifiers(tmp_path):
    r = bl.read_export(LEGACY)
    inst = bl.load_instrument("pssm")
    with pytest.raises(Exception, match="identif"):
        bl.score(r, inst, keep=["Q2"])


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["Strongly agree", "Agree", "Disagree", "Strongly agree", "Neutral"] * 40, False),  # Likert labels
        (["Very much like me", "Not like me", "Somewhat like me"] * 30, False),  # custom labels, repeated
        (["1", "2", "3", "4"] * 10, False),
        ([f"answer number {i} about the course" for i in range(50)], True),  # many distinct
        (["I liked the group work a lot but the deadlines were too tight for me to manage well."] * 3, True),  # long
        (["Hello World!"], True),  # one sentence
        (["Strongly agree"], False),
        (["Cohort A", "Cohort B"] * 50, False),
        ([None, "", None], False),
    ],
)
def test_holds_free_text(cells, expected):
    assert holds_free_text(pd.Series(cells, dtype=object)) is expected


def test_content_check_on_labelled_legacy_export(tmp_path):
    head = "V1,V2,V3,V4,V5,V6,V7,V8,V9,V10,Q1,Q2\nResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,IPAddress,Status,StartDate,EndDate,Finished,Agree?,Why?\n"
    rows = "".join(
        f"R_{i},D,A,,,,0,2017-07-18 08:28:09,2017-07-18 08:28:48,1,{['Agree', 'Disagree', 'Strongly agree'][i % 3]},{'Because reason ' + str(i) + '.'}\n" for i in range(30)
    )
    r = bl.read_export(_write(tmp_path, head + rows))
    assert not r.column_info("Q1").free_text
    assert r.column_info("Q2").free_text


def test_generic_non_item_text_survives(tmp_path):
    text = "response_id,section,pad,exp,plus,flag,day,nan,q1,q2\nR1,007, 3 ,1e5,+3,True,2024-01-01,nan,3,1.5\nR2,010,4,2,4,False,2024-01-02,1,4,2.5\n"
    d = bl.read_export(_write(tmp_path, text)).data
    assert d["section"].tolist() == ["007", "010"]
    assert d["pad"].tolist() == [" 3 ", "4"]
    assert d["exp"].tolist() == ["1e5", "2"]
    assert d["plus"].tolist() == ["+3", "4"]
    assert d["flag"].tolist() == ["True", "False"]
    assert d["day"].tolist() == ["2024-01-01", "2024-01-02"]
    assert d["nan"].tolist() == ["nan", "1"]
    assert d["q1"].dtype == "int64" and d["q1"].tolist() == [3, 4]  # canonical numbers stay numbers
    assert d["q2"].dtype == "float64"


def test_canonical_integers_are_checked_without_a_second_parse(tmp_path, monkeypatch):
    calls = []
    real = generic._text_where_lost

    def spy(table, *args, reparse, **kw):
        def counted(cols):
            calls.append(cols)
            return reparse(cols)

        return real(table, *args, reparse=counted, **kw)

    monkeypatch.setattr(generic, "_text_where_lost", spy)
    body = "".join(f"R{i},{i % 5},{-i},{i * 1000003}\r\n" for i in range(200))
    d = bl.read_export(_write(tmp_path, "response_id,a,b,c\r\n" + body + "\r\n")).data
    assert calls == []
    assert d["c"].dtype == "int64" and d["b"].dtype == "int64"
    bl.read_export(_write(tmp_path, "response_id,a,b,c\n" + body.replace("R5,0", "R5,00")))
    assert calls and "a" in calls[-1]


def test_hexadecimal_integers_stay_text(tmp_path):
    d = bl.read_export(_write(tmp_path, "response_id,code\nR1,0xFFFFFF\nR2,12345678\n")).data
    assert d["code"].tolist() == ["0xFFFFFF", "12345678"]
