"""Write one set of survey answers in each platform's real export layout.

Used by ``data/sample/make_exports.py`` (sample exports), ``tests/fixtures/make_fixtures.py`` (test
fixtures for every platform from the same responses) and ``benchmarks/bench_ingest.py`` (a
1,000,000-response Qualtrics file). The layouts follow the facts gathered in
``/work/shared/research/exports.md`` (header rows, system columns, label texts, encodings); where
a detail is unconfirmed there, the choice made here is noted at the writer.

Input is a :class:`Survey`: a wide frame with one row per response, holding

- ``response_id``, ``started_at`` and ``submitted_at`` (timezone-aware UTC), ``duration_s``,
  ``finished`` (bool), ``progress`` (0-100);
- optional ``status`` (``""``, ``"preview"``, ``"test"``): previews and tests are written only by
  Qualtrics, the one platform that exports them;
- optional identifying columns ``email``, ``first_name``, ``last_name``, ``ip_address``,
  ``latitude``, ``longitude`` and a free-text ``other`` answer;
- the answer columns of each :class:`Block` as integer codes (NaN: not answered);
- ``extra`` columns copied as they are (embedded data, e.g. ``wave``, ``mode``).

Every writer vectorises over responses (pandas ``to_csv``/``to_excel``), so a million rows is fine.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "Block",
    "Survey",
    "write_google_forms",
    "write_limesurvey",
    "write_microsoft_forms",
    "write_qualtrics",
    "write_qualtrics_legacy",
    "write_redcap",
    "write_spss",
    "write_stata",
    "write_surveymonkey",
]


@dataclass(frozen=True)
class Block:
    """A matrix question: its stem, one statement per item column, and the choice texts by code."""

    stem: str
    items: tuple[str, ...]
    statements: tuple[str, ...]
    labels: dict  # code -> choice text as the platform shows it
    code: str = "Q1"  # platform question code (Qualtrics export tag, LimeSurvey code)
    columns: tuple[str, ...] = ()  # export column of each item, as the survey file names it (default: numbered)

    def column(self, j: int, default: str) -> str:
        """Export column of the `j`-th item (1-based): the survey file's name for it, else `default`."""
        return self.columns[j - 1] if self.columns else default


@dataclass(frozen=True)
class Survey:
    frame: pd.DataFrame
    blocks: tuple[Block, ...]
    extra: tuple[str, ...] = ()
    other_question: str = "Anything else you would like to tell us? (other)"
    title: str = "Course community survey"
    meta: dict = field(default_factory=dict)


def _col(frame, name, default=""):
    return frame[name] if name in frame.columns else pd.Series(default, index=frame.index)


def _local(ts: pd.Series, tz: str, fmt: str) -> pd.Series:
    out = ts.dt.tz_convert(tz).dt.strftime(fmt)
    return out.where(ts.notna(), "")


def _answers_text(survey: Survey, frame, block: Block, labels: dict | None = None) -> pd.DataFrame:
    labels = block.labels if labels is None else labels
    return pd.DataFrame({c: frame[c].map(labels).fillna("") for c in block.items})


def _answers_codes(frame, block: Block) -> pd.DataFrame:
    return pd.DataFrame({c: frame[c].astype("Int64").astype("string").fillna("") for c in block.items})


def _write_text(path, header_rows: list[list[str]], body: pd.DataFrame, *, delimiter=",", encoding="utf-8",
                trailing_delimiter=False, lineterminator="\r\n") -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    for row in header_rows:
        w.writerow([*row, ""] if trailing_delimiter else row)
    if trailing_delimiter:
        body = body.assign(_trailing="")
    body.to_csv(buf, sep=delimiter, header=False, index=False, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    Path(path).write_bytes(buf.getvalue().encode(encoding))


# --- Qualtrics -------------------------------------------------------------------------------------

_Q_SYSTEM = [
    ("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"), ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"), ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"), ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"), ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"), ("UserLanguage", "User Language", "userLanguage"),
]
_STATUS_CODE = {"": "0", "preview": "1", "test": "2", "spam": "8"}
_STATUS_TEXT = {"": "IP Address", "preview": "Survey Preview", "test": "Survey Test", "spam": "Spam"}


def write_qualtrics(survey: Survey, path, *, values: str = "text", delimiter: str = ",", encoding: str = "utf-8",
                    timezone: str = "UTC") -> None:
    """Qualtrics CSV/TSV: three header rows (export tags, question text, ImportId JSON), 17 system columns.

    `values` ``"text"`` writes choice text, ``"numeric"`` the recode values (the codes). Times are
    written in the account's `timezone` without an offset, as Qualtrics does. ``encoding="utf-16"``
    with ``delimiter="\\t"`` gives the Excel-friendly TSV (BOM included by Python's UTF-16 codec).
    """
    f = survey.frame
    text = values == "text"
    status = _col(f, "status").fillna("")
    sysvals = {
        "StartDate": _local(f["started_at"], timezone, "%Y-%m-%d %H:%M:%S"),
        "EndDate": _local(f["submitted_at"], timezone, "%Y-%m-%d %H:%M:%S"),
        "Status": status.map(_STATUS_TEXT if text else _STATUS_CODE),
        "IPAddress": _col(f, "ip_address"),
        "Progress": f["progress"].astype(int).astype(str),
        "Duration (in seconds)": f["duration_s"].astype(int).astype(str),
        "Finished": f["finished"].map({True: "True", False: "False"} if text else {True: "1", False: "0"}),
        "RecordedDate": _local(f["submitted_at"], timezone, "%Y-%m-%d %H:%M:%S"),
        "ResponseId": f["response_id"],
        "RecipientLastName": _col(f, "last_name"), "RecipientFirstName": _col(f, "first_name"),
        "RecipientEmail": _col(f, "email"), "ExternalReference": "",
        "LocationLatitude": _col(f, "latitude"), "LocationLongitude": _col(f, "longitude"),
        "DistributionChannel": status.map({"": "anonymous", "preview": "preview", "test": "test", "spam": "anonymous"}),
        "UserLanguage": "EN",
    }
    names = [s[0] for s in _Q_SYSTEM]
    questions = [s[1] for s in _Q_SYSTEM]
    ids = [json.dumps({"ImportId": s[2]}, separators=(",", ":")) for s in _Q_SYSTEM]
    body = pd.DataFrame(sysvals, index=f.index)
    for k, block in enumerate(survey.blocks, start=1):
        ans = _answers_text(survey, f, block) if text else _answers_codes(f, block)
        for j, (item, stmt) in enumerate(zip(block.items, block.statements), start=1):
            name = block.column(j, f"{block.code}_{j}")
            names.append(name)
            questions.append(f"{block.stem} - {stmt}")
            ids.append(json.dumps({"ImportId": f"QID{k}_{j}"}, separators=(",", ":")))
            body[name] = ans[item]
    if "other" in f.columns:
        tag = f"Q{len(survey.blocks) + 1}_5_TEXT"
        names.append(tag)
        questions.append(f"{survey.other_question} - Other - Text")
        ids.append(json.dumps({"ImportId": f"QID{len(survey.blocks) + 1}_5_TEXT"}, separators=(",", ":")))
        body[tag] = f["other"].fillna("")
    for col in survey.extra:
        names.append(col)
        questions.append(col)
        ids.append(json.dumps({"ImportId": col}, separators=(",", ":")))
        body[col] = f[col]
    body.columns = names
    _write_text(path, [names, questions, ids], body, delimiter=delimiter, encoding=encoding)


def write_qualtrics_legacy(survey: Survey, path, *, timezone: str = "UTC") -> None:
    """Qualtrics legacy CSV: UTF-8 with BOM, two header rows (``V1``..``V10``, descriptions), trailing comma."""
    f = survey.frame.loc[_col(survey.frame, "status").fillna("") == ""]
    sys_names = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress",
                 "Status", "StartDate", "EndDate", "Finished"]
    body = pd.DataFrame({
        "ResponseID": f["response_id"], "ResponseSet": "Default Response Set",
        "Name": (_col(f, "last_name") + ", " + _col(f, "first_name")).str.strip(", "),
        "ExternalDataReference": "", "EmailAddress": _col(f, "email"), "IPAddress": _col(f, "ip_address"), "Status": "0",
        "StartDate": _local(f["started_at"], timezone, "%Y-%m-%d %H:%M:%S"),
        "EndDate": _local(f["submitted_at"], timezone, "%Y-%m-%d %H:%M:%S"),
        "Finished": f["finished"].map({True: "1", False: "0"}),
    }, index=f.index)
    row1 = [f"V{i}" for i in range(1, 11)]
    row2 = list(sys_names)
    for block in survey.blocks:
        ans = _answers_codes(f, block)
        for j, (item, stmt) in enumerate(zip(block.items, block.statements), start=1):
            row1.append(f"{block.code}_{j}")
            row2.append(f"{block.stem}-{stmt}")
            body[f"{block.code}_{j}"] = ans[item]
    for name in ("LocationLatitude", "LocationLongitude", "LocationAccuracy"):
        row1.append(name)
        row2.append(name)
    body["LocationLatitude"] = _col(f, "latitude")
    body["LocationLongitude"] = _col(f, "longitude")
    body["LocationAccuracy"] = "-1"
    _write_text(path, [row1, row2], body, encoding="utf-8-sig", trailing_delimiter=True)


# --- SurveyMonkey ----------------------------------------------------------------------------------

def write_surveymonkey(survey: Survey, path, *, fmt: str = "csv", timezone: str = "UTC") -> None:
    """SurveyMonkey "all responses, expanded": two header rows (question once, then row label or "Response").

    Dates as ``MM/DD/YYYY hh:mm:ss AM`` local time (format unconfirmed in the research notes).
    """
    f = survey.frame.loc[_col(survey.frame, "status").fillna("") == ""]
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1"]
    body = pd.DataFrame({
        "Respondent ID": f["response_id"], "Collector ID": "431234567",
        "Start Date": _local(f["started_at"], timezone, "%m/%d/%Y %I:%M:%S %p"),
        "End Date": _local(f["submitted_at"], timezone, "%m/%d/%Y %I:%M:%S %p"),
        "IP Address": _col(f, "ip_address"), "Email Address": _col(f, "email"),
        "First Name": _col(f, "first_name"), "Last Name": _col(f, "last_name"), "Custom Data 1": "",
    }, index=f.index)
    row1, row2 = list(meta), [""] * len(meta)
    for block in survey.blocks:
        ans = _answers_text(survey, f, block)
        for j, (item, stmt) in enumerate(zip(block.items, block.statements)):
            row1.append(block.stem if j == 0 else "")
            row2.append(stmt)
            body[f"{block.code}_{j}"] = ans[item]
    if "other" in f.columns:
        row1.append(survey.other_question)
        row2.append("Open-Ended Response")
        body["other"] = f["other"].fillna("")
    for col in survey.extra:
        row1.append(col)
        row2.append("Response")
        body[col] = f[col]
    if fmt == "xlsx":
        grid = pd.DataFrame([row1, row2] + body.astype(object).where(body != "", None).to_numpy().tolist())
        grid.to_excel(path, header=False, index=False, engine="openpyxl")
    else:
        _write_text(path, [row1, row2], body)


# --- Google Forms ----------------------------------------------------------------------------------

def write_google_forms(survey: Survey, path, *, timezone: str = "UTC") -> None:
    """Google Forms "Download responses (.csv)": ``Timestamp``, ``Email Address``, ``Question [Row]`` grids.

    The timestamp carries its offset as Forms writes it (``2024/03/04 9:12:44 AM UTC+1``). Only
    submitted responses exist in Forms, so unfinished ones are not written.
    """
    f = survey.frame.loc[(_col(survey.frame, "status").fillna("") == "") & survey.frame["finished"]]
    local = f["submitted_at"].dt.tz_convert(timezone)
    offset_h = ((local.dt.tz_localize(None) - f["submitted_at"].dt.tz_localize(None)).dt.total_seconds() / 3600).astype(int)
    sign = np.where(offset_h >= 0, "+", "-")
    stamp = local.dt.strftime("%Y/%m/%d ") + local.dt.strftime("%I").str.lstrip("0") + local.dt.strftime(":%M:%S %p") + " UTC" + sign + offset_h.abs().astype(str)
    body = pd.DataFrame({"Timestamp": stamp, "Email Address": _col(f, "email")}, index=f.index)
    for block in survey.blocks:
        ans = _answers_text(survey, f, block)
        for item, stmt in zip(block.items, block.statements):
            body[f"{block.stem} [{stmt}]"] = ans[item]
    if "other" in f.columns:
        body[survey.other_question] = f["other"].fillna("")
    for col in survey.extra:
        body[col] = f[col]
    _write_text(path, [list(body.columns)], body)


# --- Microsoft Forms -------------------------------------------------------------------------------

def write_microsoft_forms(survey: Survey, path, *, timezone: str = "UTC") -> None:
    """Microsoft Forms XLSX: ``ID, Start time, Completion time, Email, Name``, one column per statement.

    The Likert layout is unconfirmed in the research notes; this writes one column per statement
    headed by the statement, with the choice text, and Excel datetimes in local time.
    """
    f = survey.frame.loc[(_col(survey.frame, "status").fillna("") == "") & survey.frame["finished"]]
    name = (_col(f, "first_name") + " " + _col(f, "last_name")).str.strip()
    body = pd.DataFrame({
        "ID": np.arange(1, len(f) + 1),
        "Start time": f["started_at"].dt.tz_convert(timezone).dt.tz_localize(None),
        "Completion time": f["submitted_at"].dt.tz_convert(timezone).dt.tz_localize(None),
        "Email": _col(f, "email").replace("", "anonymous"), "Name": name.where(name != "", None),
    }, index=f.index)
    for block in survey.blocks:
        ans = _answers_text(survey, f, block)
        for item, stmt in zip(block.items, block.statements):
            body[stmt] = ans[item].replace("", None)
    if "other" in f.columns:
        body[survey.other_question] = f["other"]
    for col in survey.extra:
        body[col] = f[col]
    body.to_excel(path, index=False, engine="openpyxl", sheet_name="Sheet1")


# --- LimeSurvey ------------------------------------------------------------------------------------

def write_limesurvey(survey: Survey, path, *, headings: str = "code", answers: str = "codes", timezone: str = "UTC") -> None:
    """LimeSurvey response CSV: ``id, submitdate, lastpage, startlanguage, seed, token, startdate, datestamp, ipaddr, refurl``.

    `headings` ``"code"`` gives ``BEL[SQ001]``, ``"underscore"`` ``BEL_SQ001`` (R/SPSS style); a
    block's `columns` give the ``"code"`` headings instead. `answers` ``"codes"`` writes answer codes
    ``A1``..``Ak`` (in code order), ``"values"`` the codes themselves (a survey whose answer codes are
    the scale's), ``"full"`` the answer text. An unfinished response has an empty ``submitdate``.
    Every cell is quoted.
    """
    f = survey.frame.loc[_col(survey.frame, "status").fillna("") == ""]
    sub = _local(f["submitted_at"], timezone, "%Y-%m-%d %H:%M:%S").where(f["finished"], "")
    body = pd.DataFrame({
        "id": np.arange(1, len(f) + 1).astype(str), "submitdate": sub,
        "lastpage": np.where(f["finished"], "2", "1"), "startlanguage": "en", "seed": "123456789", "token": "",
        "startdate": _local(f["started_at"], timezone, "%Y-%m-%d %H:%M:%S"),
        "datestamp": _local(f["submitted_at"], timezone, "%Y-%m-%d %H:%M:%S"),
        "ipaddr": _col(f, "ip_address"), "refurl": "",
    }, index=f.index)
    for block in survey.blocks:
        codes = sorted(block.labels)
        acode = {c: f"A{i}" for i, c in enumerate(codes, start=1)}
        if answers == "values":
            ans = _answers_codes(f, block)
        else:
            ans = _answers_text(survey, f, block, acode if answers == "codes" else None)
        for j, item in enumerate(block.items, start=1):
            name = f"{block.code}[SQ{j:03d}]" if headings == "code" else f"{block.code}_SQ{j:03d}"
            body[block.column(j, name) if headings == "code" else name] = ans[item]
    if "other" in f.columns:
        body["GRP[other]" if headings == "code" else "GRP_other"] = f["other"].fillna("")
    for col in survey.extra:
        body[col] = f[col]
    body["interviewtime"] = f["duration_s"].astype(float).map("{:.1f}".format)
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(body.columns)
    body.to_csv(buf, header=False, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    Path(path).write_text(buf.getvalue(), encoding="utf-8")


# --- REDCap ----------------------------------------------------------------------------------------

def write_redcap(survey: Survey, path, *, dictionary=None, labels: bool = False, instrument: str = "belonging_survey",
                 timezone: str = "UTC") -> None:
    """REDCap CSV export (raw codes, or labels with `labels`), plus the data dictionary when `dictionary`.

    Raw: ``record_id, redcap_survey_identifier, <instrument>_timestamp, fields..., <instrument>_complete``;
    ``[not completed]`` for an unfinished survey's timestamp. The dictionary flags email and names
    ``Identifier? = y`` and lists choices ``code, label | ...``.
    """
    f = survey.frame.loc[_col(survey.frame, "status").fillna("") == ""]
    ts = _local(f["submitted_at"], timezone, "%Y-%m-%d %H:%M:%S").where(f["finished"], "[not completed]")
    body = pd.DataFrame({"record_id": np.arange(1, len(f) + 1).astype(str), "redcap_survey_identifier": "", f"{instrument}_timestamp": ts}, index=f.index)
    fields = [("record_id", "text", "Record ID", "", "")]
    for name, label in (("email", "E-mail address"), ("first_name", "First name"), ("last_name", "Last name")):
        if name in f.columns:
            body[name] = f[name]
            fields.append((name, "text", label, "", "y"))
    for block in survey.blocks:
        choices = " | ".join(f"{c}, {t}" for c, t in sorted(block.labels.items()))
        ans = _answers_text(survey, f, block) if labels else _answers_codes(f, block)
        for item, stmt in zip(block.items, block.statements):
            body[item] = ans[item]
            fields.append((item, "radio", f"{block.stem} - {stmt}", choices, ""))
    if "other" in f.columns:
        body["other_text"] = f["other"].fillna("")
        fields.append(("other_text", "notes", survey.other_question, "", ""))
    for col in survey.extra:
        body[col] = f[col]
        fields.append((col, "text", col, "", ""))
    done = np.where(f["finished"], "Complete" if labels else "2", "Incomplete" if labels else "0")
    body[f"{instrument}_complete"] = done
    if labels:
        body = body.rename(columns={"record_id": "Record ID", "redcap_survey_identifier": "Survey Identifier",
                                    f"{instrument}_timestamp": "Survey Timestamp", f"{instrument}_complete": "Complete?"})
    _write_text(path, [list(body.columns)], body)
    if dictionary is not None:
        head = ["Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
                "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
                "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
                "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
                "Matrix Ranking?", "Field Annotation"]
        rows = [[n, instrument, "", t, lab, ch, "", "", "", "", ident, "", "", "", "", "", "", ""] for n, t, lab, ch, ident in fields]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(head)
        w.writerows(rows)
        Path(dictionary).write_bytes(buf.getvalue().encode("utf-8-sig"))


# --- SPSS and Stata --------------------------------------------------------------------------------

def _stat_frame(survey: Survey, dont_know: int | None):
    f = survey.frame.loc[_col(survey.frame, "status").fillna("") == ""]
    out = pd.DataFrame({"ResponseId": f["response_id"].astype(str),
                        "StartDate": f["started_at"].dt.tz_convert("UTC").dt.tz_localize(None),
                        "EndDate": f["submitted_at"].dt.tz_convert("UTC").dt.tz_localize(None),
                        "Finished": f["finished"].astype(float), "Progress": f["progress"].astype(float)})
    labels, var_labels = {"Finished": {0.0: "False", 1.0: "True"}}, {"ResponseId": "Response ID", "Finished": "Finished"}
    for block in survey.blocks:
        for item, stmt in zip(block.items, block.statements):
            out[item] = f[item].astype(float)
            labels[item] = {float(c): t for c, t in block.labels.items()}
            var_labels[item] = f"{block.stem} - {stmt}"
            if dont_know is not None:
                labels[item][float(dont_know)] = "Don't know"
    return out, labels, var_labels


def write_spss(survey: Survey, path, *, dont_know: int | None = 8) -> None:
    """SPSS .sav (pyreadstat): codes with value labels; cells with no answer hold the user-missing `dont_know` code."""
    import pyreadstat

    out, labels, var_labels = _stat_frame(survey, dont_know)
    missing = {}
    if dont_know is not None:
        items = [i for b in survey.blocks for i in b.items]
        out[items] = out[items].fillna(float(dont_know))
        missing = {i: [float(dont_know)] for i in items}
    pyreadstat.write_sav(out, str(path), column_labels=[var_labels.get(c, c) for c in out.columns],
                         variable_value_labels=labels, missing_ranges=missing)


def write_stata(survey: Survey, path) -> None:
    """Stata .dta (pyreadstat): codes with value labels (Stata labels integer codes only)."""
    import pyreadstat

    out, labels, var_labels = _stat_frame(survey, None)
    labels = {k: {int(c): t for c, t in v.items()} for k, v in labels.items()}
    short = [var_labels.get(c, c).rpartition(" - ")[2][:80] for c in out.columns]  # Stata: 80 characters at most
    pyreadstat.write_dta(out, str(path), column_labels=short, variable_value_labels=labels)
