"""LimeSurvey: a ``.lss`` survey structure file (XML), imported with Create survey > Import.

Layout (LimeSurvey 4-6 format, DBVersion 617, as in LimeSurvey's own test surveys; sources in
docs/survey.md): ``<document>`` with ``LimeSurveyDocType`` = ``Survey``, ``DBVersion``, ``languages``,
then one table per database table, each ``<fields><fieldname>...</fields><rows><row>...</row></rows>``:
``answers`` and ``answer_l10ns``, ``groups`` and ``group_l10ns``, ``questions``, ``subquestions`` and
``question_l10ns``, ``question_attributes``, ``surveys`` and ``surveys_languagesettings``.

Each instrument is a question group holding one array question (type ``F``): its subquestion codes
are the item ids (letters and digits only, as LimeSurvey requires: ``ccs_01`` becomes ``ccs01``), its
answer codes are the scale's codes, and ``random_order`` = 1 when the items are randomised. No
question is mandatory. The survey records no IP address or referrer and uses no tokens.
"""

from __future__ import annotations

import hashlib
import html
import xml.etree.ElementTree as ET

__all__ = ["DB_VERSION", "render"]

DB_VERSION = "617"
_TYPES = {"matrix": "F", "choice": "L", "number": "N", "text": "S", "info": "X"}
_QUESTION_FIELDS = ("qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other", "mandatory",
                    "question_order", "scale_id", "same_default", "relevance", "modulename", "encrypted", "same_script")
_SURVEY = {  # privacy by default: no IP address, no referrer, no tokens; timings kept (duration, speeders)
    "gsid": "1", "admin": "", "adminemail": "", "anonymized": "N", "format": "G", "savetimings": "Y",
    "template": "inherit", "additional_languages": "", "datestamp": "Y", "usecookie": "N", "allowregister": "N",
    "allowsave": "Y", "autonumber_start": "0", "autoredirect": "N", "allowprev": "Y", "printanswers": "N",
    "ipaddr": "N", "refurl": "N", "showsurveypolicynotice": "0", "publicstatistics": "N", "publicgraphs": "N",
    "listpublic": "N", "htmlemail": "Y", "sendconfirmation": "N", "tokenanswerspersistence": "N",
    "assessments": "N", "usecaptcha": "N", "usetokens": "N", "tokenlength": "15", "showxquestions": "N",
    "showgroupinfo": "B", "shownoanswer": "N", "showqnumcode": "X", "showwelcome": "Y", "showprogress": "Y",
    "questionindex": "0", "navigationdelay": "0", "nokeyboard": "N", "alloweditaftercompletion": "N",
}


def _html(text: str) -> str:
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br />')}</p>" for p in paragraphs)


def _table(root, name: str, fields, rows) -> None:
    table = ET.SubElement(root, name)
    names = ET.SubElement(table, "fields")
    for f in fields:
        ET.SubElement(names, "fieldname").text = f
    body = ET.SubElement(table, "rows")
    for row in rows:
        element = ET.SubElement(body, "row")
        for f in fields:
            if f in row:
                ET.SubElement(element, f).text = str(row[f])


class _Rows:
    """The rows of every table, filled block by block with running ids."""

    def __init__(self, sid: int, language: str):
        self.sid, self.language = sid, language
        self.tables: dict[str, list] = {k: [] for k in (
            "answers", "answer_l10ns", "groups", "group_l10ns", "questions", "subquestions",
            "question_l10ns", "question_attributes")}
        self.next_id = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def question(self, table: str, gid: int, parent: int, qtype: str, code: str, text: str, order: int) -> int:
        qid = self.new_id()
        self.tables[table].append({
            "qid": qid, "parent_qid": parent, "sid": self.sid, "gid": gid, "type": qtype, "title": code,
            "preg": "", "other": "N", "mandatory": "N", "question_order": order, "scale_id": 0, "same_default": 0,
            "relevance": "1", "modulename": "", "encrypted": "N", "same_script": 0,
        })
        self.tables["question_l10ns"].append({"id": self.new_id(), "qid": qid, "question": text, "help": "",
                                              "language": self.language, "script": ""})
        return qid

    def attribute(self, qid: int, name: str, value) -> None:
        self.tables["question_attributes"].append({"qid": qid, "attribute": name, "value": value, "language": ""})

    def answers(self, qid: int, options) -> None:
        for order, option in enumerate(options):
            aid = self.new_id()
            self.tables["answers"].append({"aid": aid, "qid": qid, "code": option.code, "sortorder": order,
                                           "assessment_value": 0, "scale_id": 0})
            self.tables["answer_l10ns"].append({"id": self.new_id(), "aid": aid, "answer": html.escape(option.label),
                                                "language": self.language})


def _question(rows: _Rows, gid: int, order: int, question, lay, randomise: bool) -> None:
    qid = rows.question("questions", gid, 0, _TYPES[question.kind], lay.code(question.id), _html(question.text), order)
    for k, row in enumerate(question.rows, start=1):
        rows.question("subquestions", gid, qid, "T", lay.code(question.id, row.id), html.escape(row.text), k)
    if question.options:
        rows.answers(qid, question.options)
    if question.kind == "matrix" and randomise:
        rows.attribute(qid, "random_order", "1")
    if question.kind == "number":
        rows.attribute(qid, "num_value_int_only", "0" if question.decimals else "1")
        if question.minimum is not None:
            rows.attribute(qid, "min_num_value_n", f"{question.minimum:g}")
        if question.maximum is not None:
            rows.attribute(qid, "max_num_value_n", f"{question.maximum:g}")


def lss(design, lay) -> ET.Element:
    """The ``<document>`` element for `design` laid out by `lay`."""
    digest = hashlib.sha256(repr((design.title, [b.id for b in design.blocks])).encode("utf-8")).digest()
    sid = 100000 + int.from_bytes(digest[:4], "big") % 900000  # six digits, stable for the same design
    rows = _Rows(sid, design.language)
    for order, block in enumerate(design.blocks):
        gid = rows.new_id()
        rows.tables["groups"].append({"gid": gid, "sid": sid, "group_order": order, "randomization_group": "", "grelevance": ""})
        rows.tables["group_l10ns"].append({"id": rows.new_id(), "gid": gid, "group_name": block.title,
                                           "description": _html(block.intro), "language": design.language})
        for k, question in enumerate(block.questions, start=1):
            _question(rows, gid, k, question, lay, block.randomise and lay.spec.randomise)
    root = ET.Element("document")
    ET.SubElement(root, "LimeSurveyDocType").text = "Survey"
    ET.SubElement(root, "DBVersion").text = DB_VERSION
    ET.SubElement(ET.SubElement(root, "languages"), "language").text = design.language
    t = rows.tables
    _table(root, "answers", ("aid", "qid", "code", "sortorder", "assessment_value", "scale_id"), t["answers"])
    _table(root, "answer_l10ns", ("id", "aid", "answer", "language"), t["answer_l10ns"])
    _table(root, "groups", ("gid", "sid", "group_order", "randomization_group", "grelevance"), t["groups"])
    _table(root, "group_l10ns", ("id", "gid", "group_name", "description", "language"), t["group_l10ns"])
    _table(root, "questions", _QUESTION_FIELDS, t["questions"])
    _table(root, "subquestions", _QUESTION_FIELDS, t["subquestions"])
    _table(root, "question_l10ns", ("id", "qid", "question", "help", "language", "script"), t["question_l10ns"])
    _table(root, "question_attributes", ("qid", "attribute", "value", "language"), t["question_attributes"])
    survey = {"sid": sid, "language": design.language, **_SURVEY}
    _table(root, "surveys", tuple(survey), [survey])
    settings = {"surveyls_survey_id": sid, "surveyls_language": design.language, "surveyls_title": design.title,
                "surveyls_description": _html(design.notice), "surveyls_welcometext": "", "surveyls_endtext": "",
                "surveyls_dateformat": "6", "surveyls_numberformat": "0"}
    _table(root, "surveys_languagesettings", tuple(settings), [settings])
    return root


def render(design, lay) -> dict[str, bytes]:
    """``{".lss": bytes}``: UTF-8 XML with a declaration, indented like LimeSurvey's own files."""
    root = lss(design, lay)
    ET.indent(root, space=" ")
    return {lay.spec.extension: ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"}
