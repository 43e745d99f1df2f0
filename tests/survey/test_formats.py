"""Each built file is valid by its platform's own format, checked against real files of that format.

Sources (see tests/fixtures/survey/README.md and docs/survey.md):

- Qualtrics: ``tests/fixtures/survey/qualtrics/sp_test_survey.qsf``, a survey exported from Qualtrics
  (fflewddur/sp, MIT), whose block "Block 1" holds a single-answer Likert matrix with statement export
  tags and recode values.
- LimeSurvey: no permissively licensed .lss was found to keep, so the structure is asserted from what
  LimeSurvey's importer reads (LimeSurvey/LimeSurvey ``application/helpers/admin/import_helper.php``,
  ``XMLImportSurvey``), its code rules (``application/models/Question.php``: question codes
  ``^[a-zA-Z][[:alnum:]]*$``, subquestion codes ``^[[:alnum:]]*$``, at most 20 characters; answer
  codes at most 5) and the tables of its own LimeSurvey 6 test surveys
  (``tests/data/surveys/limesurvey_survey_OrderTestSurvey.lss``, DBVersion 617).
- REDCap: the data dictionaries of REDCapR's test projects in ``tests/fixtures/real/redcap`` (MIT).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import belonging as bl
from belonging.ingest.redcap import read_dictionary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL_QSF = FIXTURES / "survey" / "qualtrics" / "sp_test_survey.qsf"
REAL_REDCAP = [FIXTURES / "real" / "redcap" / "survey" / "dictionary.csv", FIXTURES / "real" / "redcap" / "longitudinal" / "dictionary.csv"]

# The fields of the LimeSurvey 6 tables in LimeSurvey's own test survey (OrderTestSurvey, DBVersion 617).
LS6_FIELDS = {
    "answers": {"aid", "qid", "code", "sortorder", "assessment_value", "scale_id"},
    "answer_l10ns": {"id", "aid", "answer", "language"},
    "groups": {"gid", "sid", "group_order", "randomization_group", "grelevance"},
    "group_l10ns": {"id", "gid", "group_name", "description", "language", "sid", "group_order", "randomization_group", "grelevance"},
    "questions": {"qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other", "mandatory", "question_order", "scale_id",
                  "same_default", "relevance", "modulename", "encrypted", "question_theme_name", "same_script"},
    "question_l10ns": {"id", "qid", "question", "help", "language", "script"},
    "question_attributes": {"qid", "attribute", "value", "language"},
}


@pytest.fixture(scope="module")
def surveys():
    options = {"allow_unconfirmed": True, "attention_checks": 2, "participation": True, "randomise": True,
               "consent": "Taking part is voluntary.\n\nYou may stop at any time."}
    return {p: bl.build_survey(["ccs", "coi"], platform=p, **options) for p in ("qualtrics", "limesurvey", "redcap", "html")}


# --- Qualtrics ---------------------------------------------------------------------------------------

def _elements(qsf, kind):
    return [e for e in qsf["SurveyElements"] if e["Element"] == kind]


def test_qsf_has_the_structure_of_a_real_export(surveys):
    real = json.loads(REAL_QSF.read_text(encoding="utf-8"))
    ours = json.loads(surveys["qualtrics"].files[".qsf"])
    assert set(ours) == set(real) == {"SurveyEntry", "SurveyElements"}
    assert set(real["SurveyEntry"]) <= set(ours["SurveyEntry"])
    real_kinds = {e["Element"] for e in real["SurveyElements"]}
    our_kinds = {e["Element"] for e in ours["SurveyElements"]}
    assert {"BL", "FL", "SO", "SCO", "PROJ", "STAT", "QC", "RS", "SQ"} == our_kinds <= real_kinds
    keys = {"SurveyID", "Element", "PrimaryAttribute", "SecondaryAttribute", "TertiaryAttribute", "Payload"}
    assert all(set(e) == keys for e in real["SurveyElements"] + ours["SurveyElements"])
    assert {e["SurveyID"] for e in ours["SurveyElements"]} == {ours["SurveyEntry"]["SurveyID"]}
    assert re.fullmatch(r"SV_[A-Za-z0-9]{15}", ours["SurveyEntry"]["SurveyID"])
    for kind in ("BL", "FL", "SO", "QC", "RS"):
        assert len(_elements(ours, kind)) == 1


def test_qsf_blocks_flow_and_questions_reference_each_other(surveys):
    ours = json.loads(surveys["qualtrics"].files[".qsf"])
    real = json.loads(REAL_QSF.read_text(encoding="utf-8"))
    blocks = _elements(ours, "BL")[0]["Payload"]
    real_blocks = _elements(real, "BL")[0]["Payload"]
    assert {b["Type"] for b in blocks} <= {b["Type"] for b in real_blocks}
    assert [b["Type"] for b in blocks].count("Default") == 1 and [b["Type"] for b in blocks].count("Trash") == 1
    assert all(set(b) <= set().union(*map(set, real_blocks)) for b in blocks)
    assert all(re.fullmatch(r"BL_[A-Za-z0-9]{15}", b["ID"]) for b in blocks)
    questions = {e["PrimaryAttribute"]: e["Payload"] for e in _elements(ours, "SQ")}
    in_blocks = [el["QuestionID"] for b in blocks for el in b["BlockElements"]]
    assert sorted(in_blocks) == sorted(questions) and len(set(in_blocks)) == len(in_blocks)
    assert all(p["QuestionID"] == qid for qid, p in questions.items())
    assert _elements(ours, "QC")[0]["SecondaryAttribute"] == str(len(questions))
    flow = _elements(ours, "FL")[0]["Payload"]
    assert flow["Type"] == "Root" and [f["ID"] for f in flow["Flow"]] == [b["ID"] for b in blocks if b["Type"] != "Trash"]
    tags = [p["DataExportTag"] for p in questions.values()]
    assert len(set(tags)) == len(tags)


def test_qsf_matrix_is_a_likert_matrix_like_the_real_one(surveys):
    real = json.loads(REAL_QSF.read_text(encoding="utf-8"))
    real_matrix = next(e["Payload"] for e in _elements(real, "SQ")
                       if e["Payload"].get("SubSelector") == "SingleAnswer" and e["Payload"].get("ChoiceDataExportTags"))
    ours = json.loads(surveys["qualtrics"].files[".qsf"])
    matrices = [e["Payload"] for e in _elements(ours, "SQ") if e["Payload"]["QuestionType"] == "Matrix"]
    assert [m["DataExportTag"] for m in matrices] == ["ccs", "coi"]  # one matrix per instrument, in order
    shared = {"QuestionText", "DataExportTag", "QuestionType", "Selector", "SubSelector", "Configuration", "QuestionDescription",
              "Choices", "ChoiceOrder", "Validation", "Language", "NextChoiceId", "NextAnswerId", "Answers", "AnswerOrder",
              "ChoiceDataExportTags", "RecodeValues", "QuestionID", "DataVisibility"}
    assert shared <= set(real_matrix)
    for m in matrices:
        assert shared <= set(m)
        assert {k: type(m[k]) for k in shared} == {k: type(real_matrix[k]) for k in shared}
        assert (m["QuestionType"], m["Selector"], m["SubSelector"]) == ("Matrix", "Likert", "SingleAnswer")
        assert set(m["Choices"]) == set(m["ChoiceOrder"]) == set(m["ChoiceDataExportTags"])
        assert set(m["Answers"]) == set(m["AnswerOrder"]) == set(m["RecodeValues"])
        assert m["Randomization"] == {"Advanced": None, "TotalRandSubset": "", "Type": "All"}


@pytest.mark.parametrize("instrument", ["ccs", "coi", "pisa_belong", "pssm"])
def test_qsf_statements_anchors_and_recode_values_are_the_instruments(instrument):
    inst = bl.load_instrument(instrument)
    built = bl.build_survey(instrument, platform="qualtrics", allow_unconfirmed=True, attention_checks=1)
    qsf = json.loads(built.files[".qsf"])
    m = next(e["Payload"] for e in _elements(qsf, "SQ") if e["Payload"]["QuestionType"] == "Matrix")
    tags = [m["ChoiceDataExportTags"][k] for k in m["ChoiceOrder"]]
    assert [t for t in tags if not t.startswith("attn_")] == list(inst.item_ids)
    texts = {m["ChoiceDataExportTags"][k]: m["Choices"][k]["Display"] for k in m["ChoiceOrder"]}
    for item in inst.items:
        if item.text:  # the exact published wording where it is shipped (HTML-escaped as Qualtrics stores it)
            assert texts[item.id] == item.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")
    assert [m["Answers"][a]["Display"] for a in m["AnswerOrder"]] == list(inst.response_scale.labels)
    assert [int(m["RecodeValues"][a]) for a in m["AnswerOrder"]] == list(inst.response_scale.codes())
    assert "Randomization" not in m
    forced = [e["Payload"]["Validation"]["Settings"].get("ForceResponse", "OFF") for e in _elements(qsf, "SQ")]
    assert set(forced) == {"OFF"}


# --- LimeSurvey --------------------------------------------------------------------------------------

def _rows(root, table):
    return [{c.tag: c.text or "" for c in row} for row in root.find(table).find("rows")]


def test_lss_is_a_limesurvey_survey_document(surveys):
    data = surveys["limesurvey"].files[".lss"]
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(data)
    assert root.tag == "document"
    assert root.findtext("LimeSurveyDocType") == "Survey"
    assert int(root.findtext("DBVersion")) >= 400  # the format with *_l10ns tables (LimeSurvey 4 and later)
    assert [e.text for e in root.find("languages")] == ["en"]
    for table in root:
        if table.find("fields") is None:
            continue
        fields = {f.text for f in table.find("fields")}
        if table.tag in LS6_FIELDS:
            assert fields <= LS6_FIELDS[table.tag] | {"question_theme_name"}, table.tag
        for row in table.find("rows"):
            assert {c.tag for c in row} <= fields
    survey = _rows(root, "surveys")
    settings = _rows(root, "surveys_languagesettings")
    assert len(survey) == 1 and len(settings) == 1
    assert settings[0]["surveyls_survey_id"] == survey[0]["sid"] and settings[0]["surveyls_language"] == "en"
    assert settings[0]["surveyls_title"] == "Course experience survey"
    assert (survey[0]["ipaddr"], survey[0]["refurl"], survey[0]["usetokens"]) == ("N", "N", "N")  # nothing identifying recorded


def test_lss_references_and_codes_follow_limesurvey_rules(surveys):
    root = ET.fromstring(surveys["limesurvey"].files[".lss"])
    sid = _rows(root, "surveys")[0]["sid"]
    groups = {g["gid"] for g in _rows(root, "groups")}
    assert all(g["sid"] == sid for g in _rows(root, "groups"))
    questions = {q["qid"]: q for q in _rows(root, "questions")}
    subs = _rows(root, "subquestions")
    answers = _rows(root, "answers")
    assert all(q["gid"] in groups and q["parent_qid"] == "0" for q in questions.values())
    titles = [q["title"] for q in questions.values()]
    assert all(re.fullmatch(r"[a-zA-Z][a-zA-Z0-9]*", t) and len(t) <= 20 for t in titles)
    assert len({t.lower() for t in titles}) == len(titles)
    for qid in {s["parent_qid"] for s in subs}:
        codes = [s["title"] for s in subs if s["parent_qid"] == qid]
        assert questions[qid]["type"] == "F"
        assert all(re.fullmatch(r"[a-zA-Z0-9]+", c) and len(c) <= 20 for c in codes)
        assert len({c.lower() for c in codes}) == len(codes)
    for qid in {a["qid"] for a in answers}:
        codes = [a["code"] for a in answers if a["qid"] == qid]
        assert questions[qid]["type"] in ("F", "L")
        assert all(re.fullmatch(r"[a-zA-Z0-9]{1,5}", c) for c in codes) and len(set(codes)) == len(codes)
    qids = set(questions) | {s["qid"] for s in subs}
    assert {r["qid"] for r in _rows(root, "question_l10ns")} == qids
    assert {r["aid"] for r in _rows(root, "answer_l10ns")} == {a["aid"] for a in answers}
    assert {r["gid"] for r in _rows(root, "group_l10ns")} == groups
    assert {q["mandatory"] for q in questions.values()} | {s["mandatory"] for s in subs} == {"N"}


def test_lss_array_codes_are_item_ids_and_scale_codes(surveys):
    root = ET.fromstring(surveys["limesurvey"].files[".lss"])
    questions = {q["title"]: q for q in _rows(root, "questions")}
    attributes = {(a["qid"], a["attribute"]): a["value"] for a in _rows(root, "question_attributes")}
    for instrument in ("ccs", "coi"):
        inst = bl.load_instrument(instrument)
        q = questions[instrument]
        assert q["type"] == "F"
        subs = sorted((s for s in _rows(root, "subquestions") if s["parent_qid"] == q["qid"]), key=lambda s: int(s["question_order"]))
        codes = [s["title"] for s in subs if not s["title"].startswith("attn")]
        assert codes == [i.replace("_", "") for i in inst.item_ids]
        answers = sorted((a for a in _rows(root, "answers") if a["qid"] == q["qid"]), key=lambda a: int(a["sortorder"]))
        assert [int(a["code"]) for a in answers] == list(inst.response_scale.codes())
        labels = {r["aid"]: r["answer"] for r in _rows(root, "answer_l10ns")}
        assert [labels[a["aid"]] for a in answers] == list(inst.response_scale.labels)
        assert attributes[(q["qid"], "random_order")] == "1"


# --- REDCap ------------------------------------------------------------------------------------------

def _dictionary(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_redcap_dictionary_has_the_header_of_real_dictionaries(surveys):
    data = surveys["redcap"].files[".csv"]
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, as REDCap writes its dictionaries
    ours = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for path in REAL_REDCAP:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            assert next(csv.reader(fh)) == ours


def test_redcap_fields_choices_and_matrix_groups(surveys, tmp_path):
    rows = _dictionary(surveys["redcap"].files[".csv"])
    real_types = {r["Field Type"] for p in REAL_REDCAP for r in _dictionary(p.read_bytes())} | {"descriptive"}
    names = [r["Variable / Field Name"] for r in rows]
    assert names[0] == "record_id" and len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) and len(n) <= 100 for n in names)
    assert {r["Field Type"] for r in rows} <= real_types
    assert len({r["Form Name"] for r in rows}) == 1 and re.fullmatch(r"[a-z][a-z0-9_]*", rows[0]["Form Name"])
    assert {r["Required Field?"] for r in rows} == {""}
    for instrument in ("ccs", "coi"):
        inst = bl.load_instrument(instrument)
        group = [r for r in rows if r["Matrix Group Name"] == instrument]
        assert [r["Variable / Field Name"] for r in group if not r["Variable / Field Name"].startswith("attn_")] == list(inst.item_ids)
        assert {r["Field Type"] for r in group} == {"radio"}
        choices = {r["Choices, Calculations, OR Slider Labels"] for r in group}
        assert choices == {" | ".join(f"{c}, {lab}" for c, lab in zip(inst.response_scale.codes(), inst.response_scale.labels))}
        assert all(re.fullmatch(r"-?\w+, [^|]+", part.strip()) for part in next(iter(choices)).split("|"))
    # belonging's own REDCap reader reads it: labels, choices, no identifier fields
    path = tmp_path / "dictionary.csv"
    path.write_bytes(surveys["redcap"].files[".csv"])
    fields = read_dictionary(path)
    assert dict(fields["ccs_01"].choices) == {"0": "Strongly disagree", "1": "Disagree", "2": "Neutral", "3": "Agree", "4": "Strongly agree"}
    assert not any(f.identifier for f in fields.values())
    assert fields["forum_posts"].type == "text"


def test_redcap_numbers_are_validated_text_fields(surveys):
    rows = {r["Variable / Field Name"]: r for r in _dictionary(surveys["redcap"].files[".csv"])}
    assert rows["forum_posts"]["Text Validation Type OR Show Slider Number"] == "integer"
    assert rows["live_hours"]["Text Validation Type OR Show Slider Number"] == "number"
    assert (rows["forum_posts"]["Text Validation Min"], rows["forum_posts"]["Text Validation Max"]) == ("0", "500")
    assert rows["mode"]["Choices, Calculations, OR Slider Labels"].startswith("1, Online, in scheduled live sessions | 2, ")
    assert rows["consent_text"]["Field Type"] == "descriptive"
