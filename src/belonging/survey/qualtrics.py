"""Qualtrics: a ``.qsf`` survey file (JSON), imported with Tools > Import/Export > Import Survey.

Layout (from real QSF files; sources in docs/survey.md): ``{"SurveyEntry": {...}, "SurveyElements":
[...]}`` with one ``BL`` element (the blocks), one ``FL`` (the flow), ``SO`` (options), ``SCO``,
``PROJ``, ``STAT``, ``QC`` (question count), ``RS`` (response set) and one ``SQ`` per question. Each
instrument is a block holding one matrix question (``Matrix``/``Likert``/``SingleAnswer``): its
statements (``Choices``) are the items, each with a ``ChoiceDataExportTags`` entry that names the
export column after the item; its scale points (``Answers``) are the labels in published order with
``RecodeValues`` equal to the instrument's codes. Forced response is off everywhere.
"""

from __future__ import annotations

import hashlib
import html
import json
import string

__all__ = ["render"]

_ALPHABET = string.digits + string.ascii_letters
_NO_FORCE = {"Settings": {"ForceResponse": "OFF", "ForceResponseType": "ON", "Type": "None"}}


def _ident(prefix: str, seed: str, n: int = 15) -> str:
    """A Qualtrics-style id (``SV_``/``BL_`` + 15 letters and digits), stable for the same `seed`."""
    number = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")
    chars = []
    for _ in range(n):
        number, k = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[k])
    return prefix + "".join(chars)


def _html(text: str) -> str:
    """Plain text as Qualtrics question HTML: paragraphs at blank lines, line breaks kept."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _base(qid: str, tag: str, text: str, qtype: str, selector: str, sub: str | None = None) -> dict:
    payload = {
        "QuestionText": _html(text), "DataExportTag": tag, "QuestionType": qtype, "Selector": selector,
        "Configuration": {"QuestionDescriptionOption": "UseText"}, "QuestionDescription": text.split("\n")[0][:200],
        "Validation": _NO_FORCE, "Language": [], "QuestionID": qid, "DataVisibility": {"Private": False, "Hidden": False},
    }
    if sub:
        payload["SubSelector"] = sub
    return payload


def _matrix(qid: str, question, lay, randomise: bool) -> dict:
    p = _base(qid, lay.code(question.id), question.text, "Matrix", "Likert", "SingleAnswer")
    p["Configuration"].update({"TextPosition": "inline", "ChoiceColumnWidth": 25, "RepeatHeaders": "none",
                               "WhiteSpace": "OFF", "MobileFirst": True})
    keys = [str(k) for k in range(1, len(question.rows) + 1)]
    p["Choices"] = {k: {"Display": html.escape(r.text)} for k, r in zip(keys, question.rows)}
    p["ChoiceOrder"] = keys
    p["ChoiceDataExportTags"] = {k: lay.column(question.id, r.id) for k, r in zip(keys, question.rows)}
    answers = [str(k) for k in range(1, len(question.options) + 1)]
    p["Answers"] = {k: {"Display": html.escape(o.label)} for k, o in zip(answers, question.options)}
    p["AnswerOrder"] = answers
    p["RecodeValues"] = {k: str(o.code) for k, o in zip(answers, question.options)}
    p["NextChoiceId"], p["NextAnswerId"] = len(keys) + 1, len(answers) + 1
    if randomise:
        p["Randomization"] = {"Advanced": None, "TotalRandSubset": "", "Type": "All"}
    return p


def _single(qid: str, question, lay) -> dict:
    tag = lay.code(question.id)
    if question.kind == "info":
        p = _base(qid, tag, question.text, "DB", "TB")
        p["ChoiceOrder"] = []
        p["Validation"] = {"Settings": {"Type": "None"}}
        return p
    if question.kind == "choice":
        p = _base(qid, tag, question.text, "MC", "SAVR", "TX")
        keys = [str(k) for k in range(1, len(question.options) + 1)]
        p["Choices"] = {k: {"Display": html.escape(o.label)} for k, o in zip(keys, question.options)}
        p["ChoiceOrder"] = keys
        p["RecodeValues"] = {k: str(o.code) for k, o in zip(keys, question.options)}
        p["NextChoiceId"], p["NextAnswerId"] = len(keys) + 1, 1
        return p
    p = _base(qid, tag, question.text, "TE", "SL")
    p["Configuration"]["InputWidth"] = 200 if question.kind == "number" else 580
    if question.kind == "number":
        settings = {"ForceResponse": "OFF", "ForceResponseType": "ON", "Type": "ContentType", "ContentType": "ValidNumber"}
        settings["ValidNumber"] = {"Min": "" if question.minimum is None else f"{question.minimum:g}",
                                   "Max": "" if question.maximum is None else f"{question.maximum:g}",
                                   "NumDecimals": "1" if question.decimals else "0"}
        p["Validation"] = {"Settings": settings}
    return p


def _element(sid: str, kind: str, primary, secondary=None, tertiary=None, payload=None) -> dict:
    return {"SurveyID": sid, "Element": kind, "PrimaryAttribute": primary, "SecondaryAttribute": secondary,
            "TertiaryAttribute": tertiary, "Payload": payload}


def _options(design) -> dict:
    return {
        "BackButton": "true", "SaveAndContinue": "true", "SurveyProtection": "PublicSurvey",
        "BallotBoxStuffingPrevention": "false", "NoIndex": "Yes", "SecureResponseFiles": "true",
        "SurveyExpiration": "None", "SurveyTermination": "DefaultMessage", "Header": "", "Footer": "",
        "ProgressBarDisplay": "None", "PartialData": "+1 week", "ValidationMessage": "", "PreviousButton": "",
        "NextButton": "", "SurveyTitle": design.title, "SurveyMetaDescription": design.title,
        "AnonymizeResponse": "Yes", "CollectGeoLocation": "false", "ShowExportTags": "false",
        "RecaptchaV3": "false", "RelevantID": "false", "ResponseSummary": "No", "EmailThankYou": "false",
        "InactiveSurvey": "DefaultMessage", "PartialDataCloseAfter": "LastActivity", "EOSMessage": "",
        "AvailableLanguages": {design.language.upper(): []},
    }


def _blocks(design, sid: str, lay, questions: list) -> tuple[list, list]:
    """The ``BL`` payload and the flow; fills `questions` with ``(qid, payload)``."""
    blocks, flow = [], []
    for k, block in enumerate(design.blocks):
        bid = _ident("BL_", f"{sid}/{block.id}")
        elements = []
        for question in block.questions:
            qid = f"QID{len(questions) + 1}"
            randomise = block.randomise and lay.spec.randomise
            payload = _matrix(qid, question, lay, randomise) if question.kind == "matrix" else _single(qid, question, lay)
            questions.append((qid, payload))
            elements.append({"Type": "Question", "QuestionID": qid})
        kind = "Default" if k == 0 else "Standard"
        entry = {"Type": kind, "Description": block.label or block.title, "ID": bid, "BlockElements": elements}
        if kind == "Standard":
            entry["SubType"] = ""
        blocks.append(entry)
        flow.append({"Type": "Block" if k == 0 else "Standard", "ID": bid, "FlowID": f"FL_{k + 2}"})
    blocks.append({"Type": "Trash", "Description": "Trash / Unused Questions", "ID": _ident("BL_", f"{sid}/trash"),
                   "BlockElements": []})
    return blocks, flow


def qsf(design, lay) -> dict:
    """The QSF document (a dict) for `design` laid out by `lay`."""
    seed = json.dumps([design.title, [(b.id, [(q.id, q.text, [r.id for r in q.rows]) for q in b.questions]) for b in design.blocks]])
    sid = _ident("SV_", seed)
    rsid = _ident("RS_", seed)
    questions: list = []
    blocks, flow = _blocks(design, sid, lay, questions)
    entry = {
        "SurveyID": sid, "SurveyName": design.title, "SurveyDescription": design.notice or None,
        "SurveyOwnerID": None, "SurveyBrandID": None, "DivisionID": None, "SurveyLanguage": design.language.upper(),
        "SurveyActiveResponseSet": rsid, "SurveyStatus": "Inactive", "SurveyStartDate": "0000-00-00 00:00:00",
        "SurveyExpirationDate": "0000-00-00 00:00:00", "SurveyCreationDate": "0000-00-00 00:00:00",
        "CreatorID": None, "LastModified": "0000-00-00 00:00:00", "LastAccessed": "0000-00-00 00:00:00",
        "LastActivated": "0000-00-00 00:00:00", "Deleted": None,
    }
    elements = [
        _element(sid, "BL", "Survey Blocks", payload=blocks),
        _element(sid, "FL", "Survey Flow", payload={"Type": "Root", "FlowID": "FL_1", "Flow": flow,
                                                     "Properties": {"Count": len(flow) + 1, "RemovedFieldsets": []}}),
        _element(sid, "SO", "Survey Options", payload=_options(design)),
        _element(sid, "SCO", "Scoring", payload={"ScoringCategories": [], "ScoringCategoryGroups": [],
                                                 "ScoringSummaryCategory": None, "ScoringSummaryAfterQuestions": 0,
                                                 "ScoringSummaryAfterSurvey": 0, "DefaultScoringCategory": None,
                                                 "AutoScoringCategory": None}),
        _element(sid, "PROJ", "CORE", tertiary="1.1.0", payload={"ProjectCategory": "CORE", "SchemaVersion": "1.1.0"}),
        _element(sid, "STAT", "Survey Statistics", payload={"MobileCompatible": True, "ID": "Survey Statistics"}),
        _element(sid, "QC", "Survey Question Count", secondary=str(len(questions))),
        _element(sid, "RS", rsid, secondary="Default Response Set"),
    ]
    elements += [_element(sid, "SQ", qid, secondary=p["QuestionDescription"], payload=p) for qid, p in questions]
    return {"SurveyEntry": entry, "SurveyElements": elements}


def render(design, lay) -> dict[str, bytes]:
    """``{".qsf": bytes}``: the QSF as compact ASCII JSON (what Qualtrics itself writes)."""
    return {lay.spec.extension: json.dumps(qsf(design, lay), separators=(",", ":")).encode("ascii")}
