"""Property: arbitrary cell text (quotes, delimiters, newlines, unicode, leading =/+/-/@, "NA")
written in each platform's text layout reads back unchanged. Only an empty cell is missing."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import belonging as bl

CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=25),
    st.sampled_from(["NA", "N/A", "null", "=1+2", "+1", "-5", "@home", '"', '""', ",", "\t", ";", "|", "\n", "\r\n", " lead", "trail ", "\ufeff"]),
)
COLUMN = st.lists(CELL, min_size=1, max_size=6)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _csv(rows, delimiter=","):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)  # quotes cells holding \r or \n
    return buf.getvalue()


def _layout(kind, cells):
    if kind in ("qualtrics", "qualtrics_tsv"):
        names = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "ResponseId", "Q1_4_TEXT", "Q2"]
        q = ["Start Date", "End Date", "Response Type", "Progress", "Duration (in seconds)", "Finished", "Response ID", "Other - Text", "Comment"]
        ids = [json.dumps({"ImportId": x}) for x in ["startDate", "endDate", "status", "progress", "duration", "finished", "_recordId", "QID1_4_TEXT", "QID2"]]
        body = [["2024-03-04 09:12:44", "2024-03-04 09:19:02", "0", "100", "378", "1", f"R_{i}", c, c] for i, c in enumerate(cells)]
        rows = [names, q, ids, *body]
        if kind == "qualtrics_tsv":
            return _csv(rows, "\t").encode("utf-16"), "Q2"
        return _csv(rows).encode("utf-8"), "Q2"
    if kind == "google_forms":
        rows = [["Timestamp", "Email Address", "Anything else?"]] + [["2024/03/04 9:12:44 AM UTC+1", "", c] for c in cells]
        return _csv(rows).encode("utf-8"), "Anything else?"
    if kind == "limesurvey":
        head = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr", "BEL[SQ001]", "GRP[comment]"]
        body = [[str(i + 1), "2024-03-04 09:15:02", "3", "en", "1", "2024-03-04 09:12:44", "2024-03-04 09:15:02", "", "A1", c] for i, c in enumerate(cells)]
        buf = io.StringIO()
        csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([head, *body])
        return buf.getvalue().encode("utf-8"), "GRP[comment]"
    if kind == "surveymonkey":
        meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1"]
        rows = [[*meta, "Anything else?"], [""] * 9 + ["Open-Ended Response"]]
        rows += [[str(100 + i), "1", "03/04/2024 09:12:44 AM", "03/04/2024 09:19:02 AM", "", "", "", "", "", c] for i, c in enumerate(cells)]
        return _csv(rows).encode("utf-8"), "Anything else?"
    if kind == "redcap":
        rows = [["record_id", "redcap_event_name", "comments", "belonging_complete"]] + [[str(i + 1), "baseline_arm_1", c, "2"] for i, c in enumerate(cells)]
        return _csv(rows).encode("utf-8"), "comments"
    raise AssertionError(kind)  # pragma: no cover


def _check(tmp_path, kind, cells):
    data, col = _layout(kind, cells)
    path = tmp_path / f"{kind}.txt"
    path.write_bytes(data)
    r = bl.read_export(path)
    assert r.provenance.platform == kind.removesuffix("_tsv")
    got = r.data[col]
    assert len(got) == len(cells)
    expected = pd.Series(cells, dtype=object)
    assert got.isna().tolist() == (expected == "").tolist()
    assert got[got.notna()].tolist() == expected[expected != ""].tolist()


@SETTINGS
@given(cells=COLUMN)
def test_qualtrics_csv_roundtrip(tmp_path, cells):
    _check(tmp_path, "qualtrics", cells)


@SETTINGS
@given(cells=COLUMN)
def test_qualtrics_utf16_tsv_roundtrip(tmp_path, cells):
    _check(tmp_path, "qualtrics_tsv", cells)


@SETTINGS
@given(cells=COLUMN)
def test_google_forms_roundtrip(tmp_path, cells):
    _check(tmp_path, "google_forms", cells)


@SETTINGS
@given(cells=COLUMN)
def test_limesurvey_roundtrip(tmp_path, cells):
    _check(tmp_path, "limesurvey", cells)


@SETTINGS
@given(cells=COLUMN)
def test_surveymonkey_roundtrip(tmp_path, cells):
    _check(tmp_path, "surveymonkey", cells)


@SETTINGS
@given(cells=COLUMN)
def test_redcap_roundtrip(tmp_path, cells):
    _check(tmp_path, "redcap", cells)


# XLSX cannot hold most control characters (openpyxl refuses them), so the XLSX readers get the
# printable part of the alphabet plus newlines and tabs.
XLSX_CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"), max_size=25),
    st.sampled_from(["NA", "=1+2", "+1", "-5", "@home", '"', ",", ";", "007"]),
)


def _check_xlsx(tmp_path, kind, cells):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    if kind == "microsoft_forms":
        ws.append(["ID", "Start time", "Completion time", "Email", "Name", "Anything else?"])
        for i, c in enumerate(cells, start=1):
            ws.append([i, pd.Timestamp("2024-03-04 09:12:44").to_pydatetime(), pd.Timestamp("2024-03-04 09:19:02").to_pydatetime(), "anonymous", None, c or None])
    else:
        meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1"]
        ws.append([*meta, "Anything else?"])
        ws.append([None] * 9 + ["Open-Ended Response"])
        for i, c in enumerate(cells):
            ws.append([str(100 + i), "1", "03/04/2024 09:12:44 AM", "03/04/2024 09:19:02 AM", None, None, None, None, None, c or None])
    # store every answer as text, as the platforms do (openpyxl would otherwise read "=1+2" as a formula)
    for row in ws.iter_rows(min_row=2):
        cell = row[-1]
        if isinstance(cell.value, str):
            cell.data_type = "s"
    path = tmp_path / f"{kind}.xlsx"
    wb.save(path)
    r = bl.read_export(path)
    assert r.provenance.platform == kind
    got = r.data["Anything else?"]
    expected = pd.Series(cells, dtype=object)
    assert got.isna().tolist() == (expected == "").tolist()
    assert got[got.notna()].astype(str).tolist() == expected[expected != ""].tolist()


@SETTINGS
@given(cells=st.lists(XLSX_CELL, min_size=1, max_size=6))
def test_microsoft_forms_xlsx_roundtrip(tmp_path, cells):
    _check_xlsx(tmp_path, "microsoft_forms", cells)


@SETTINGS
@given(cells=st.lists(XLSX_CELL, min_size=1, max_size=6))
def test_surveymonkey_xlsx_roundtrip(tmp_path, cells):
    _check_xlsx(tmp_path, "surveymonkey", cells)
