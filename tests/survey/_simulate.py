"""Simulated exports of a built survey, in each platform's real export layout.

The simulation reads the survey back from the file the platform would import (not from belonging's
own design): the export columns, answer codes and labels of every matrix come from the QSF's
``ChoiceDataExportTags``/``RecodeValues``/``Answers``, the LSS's subquestion and answer codes, the
REDCap dictionary's field names and choices, or the paper form's radio buttons. Answers are drawn at
random (seeded) and written with the writers that make the ingest fixtures
(``data/sample/exports.py``: Qualtrics three header rows, LimeSurvey code headings, REDCap raw).
"""

from __future__ import annotations

import csv
import html
import importlib.util
import io
import json
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def exports_module():
    """``data/sample/exports.py`` (the platform export writers), loaded once."""
    name = "belonging_sample_exports"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "data" / "sample" / "exports.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


@dataclass
class Matrix:
    """One matrix read back from a platform file: export columns, statements and answer labels by code."""

    code: str
    stem: str
    columns: list
    statements: list
    labels: dict


def _strip(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text or "")).strip()


def matrices_qualtrics(data: bytes) -> list[Matrix]:
    qsf = json.loads(data)
    out = []
    for e in qsf["SurveyElements"]:
        p = e["Payload"]
        if e["Element"] != "SQ" or p["QuestionType"] != "Matrix":
            continue
        order = p["ChoiceOrder"]
        labels = {int(p["RecodeValues"][a]): _strip(p["Answers"][a]["Display"]) for a in p["AnswerOrder"]}
        out.append(Matrix(p["DataExportTag"], _strip(p["QuestionText"]), [p["ChoiceDataExportTags"][k] for k in order],
                          [_strip(p["Choices"][k]["Display"]) for k in order], labels))
    return out


def _rows(root, table: str) -> list[dict]:
    return [{c.tag: (c.text or "") for c in row} for row in root.find(table).find("rows")]


def matrices_limesurvey(data: bytes) -> list[Matrix]:
    root = ET.fromstring(data)
    texts = {r["qid"]: r["question"] for r in _rows(root, "question_l10ns")}
    answer_text = {r["aid"]: r["answer"] for r in _rows(root, "answer_l10ns")}
    out = []
    for q in _rows(root, "questions"):
        if q["type"] != "F":
            continue
        subs = sorted((s for s in _rows(root, "subquestions") if s["parent_qid"] == q["qid"]), key=lambda s: int(s["question_order"]))
        answers = sorted((a for a in _rows(root, "answers") if a["qid"] == q["qid"]), key=lambda a: int(a["sortorder"]))
        out.append(Matrix(q["title"], _strip(texts[q["qid"]]), [f"{q['title']}[{s['title']}]" for s in subs],
                          [_strip(texts[s["qid"]]) for s in subs], {int(a["code"]): _strip(answer_text[a["aid"]]) for a in answers}))
    return out


def matrices_redcap(data: bytes) -> list[Matrix]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    groups: dict[str, Matrix] = {}
    for r in rows:
        group = r["Matrix Group Name"]
        if not group:
            continue
        choices = {}
        for part in r["Choices, Calculations, OR Slider Labels"].split("|"):
            code, _, label = part.partition(",")
            choices[int(code)] = label.strip()
        m = groups.setdefault(group, Matrix(group, "", [], [], choices))
        m.columns.append(r["Variable / Field Name"])
        m.statements.append(r["Field Label"])
    return list(groups.values())


def matrices_paper(data: bytes) -> list[Matrix]:
    page = data.decode("utf-8")
    out = []
    for table in re.findall(r'<table class="matrix".*?</table>', page, re.S):
        heads = [_strip(h) for h in re.findall(r'<th scope="col" id="[^"]+">(.*?)</th>', table, re.S)]
        names = list(dict.fromkeys(re.findall(r'type="radio" name="([^"]+)"', table)))
        codes = [int(v) for v in dict.fromkeys(re.findall(r'type="radio" name="[^"]+" value="(-?\d+)"', table))]
        labels = {c: h.rsplit(" ", 1)[0] for c, h in zip(codes, heads)}
        statements = [_strip(s) for s in re.findall(r'<th scope="row"[^>]*>(.*?)</th>', table, re.S)]
        out.append(Matrix(names[0].split("_")[0], "", names, statements, labels))
    return out


READERS = {"qualtrics": matrices_qualtrics, "limesurvey": matrices_limesurvey, "redcap": matrices_redcap, "html": matrices_paper}


@dataclass
class Simulated:
    """A simulated export and the truth it was made from."""

    path: Path
    frame: pd.DataFrame  # meta columns + answers by export column
    failed_checks: dict  # attention-check column -> row positions answered wrongly


def simulate(built, folder: Path, *, n: int = 40, seed: int = 20261207, values: str = "numeric") -> Simulated:
    """Write a simulated export of `built` (written to `folder`) and return it with its truth."""
    ex = exports_module()
    paths = built.write(folder / "survey")
    mapping = tomllib.loads(paths[-1].read_text(encoding="utf-8"))
    checks = {c["column"]: c["expected"] for c in mapping.get("attention_checks", [])}
    rng = np.random.default_rng(seed)
    frame = _meta(n, rng)
    blocks, failed = [], {}
    main = next(iter(built.files))
    for m in READERS[built.platform](built.files[main]):
        codes = sorted(m.labels)
        for col in m.columns:
            if col in checks:
                answers = np.full(n, float(checks[col][0]))
                wrong = rng.choice(n, size=3, replace=False)
                answers[wrong] = float(min(set(codes) - set(checks[col])))
                failed[col] = sorted(int(w) for w in wrong)
            else:
                answers = rng.choice(codes, size=n).astype(float)
                answers[rng.random(n) < 0.05] = np.nan
            frame[col] = answers
        blocks.append(ex.Block(stem=m.stem or "For each statement", items=tuple(m.columns), statements=tuple(m.statements),
                               labels=m.labels, code=m.code, columns=tuple(m.columns)))
    extra = _participation(built, frame, rng)
    survey = ex.Survey(frame=frame, blocks=tuple(blocks), extra=tuple(extra))
    path = folder / f"export_{built.platform}.csv"
    _write(ex, built, survey, path, paths, values)
    return Simulated(path=path, frame=frame, failed_checks=failed)


def _meta(n: int, rng) -> pd.DataFrame:
    start = pd.Timestamp("2026-03-02 13:00:00", tz="UTC") + pd.to_timedelta(rng.integers(0, 7 * 86400, n), unit="s")
    dur = rng.integers(600, 1500, n)
    return pd.DataFrame({
        "response_id": [f"R_sim{i:012d}" for i in range(1, n + 1)], "started_at": start,
        "submitted_at": start + pd.to_timedelta(dur, unit="s"), "duration_s": dur, "finished": True, "progress": 100,
    })


def _participation(built, frame, rng) -> list[str]:
    table = built.columns()
    extra = []
    for _, row in table[table["block"] == "participation"].iterrows():
        question = next(q for _, q in built.design.questions() if q.id == row["question"])
        if question.kind == "choice":
            frame[row["column"]] = rng.choice([o.code for o in question.options], size=len(frame))
        elif question.kind == "number":
            frame[row["column"]] = rng.integers(0, 20, size=len(frame))
        else:
            frame[row["column"]] = rng.choice(["PSY-25F", "CS-26S"], size=len(frame))
        extra.append(row["column"])
    return extra


def _write(ex, built, survey, path, paths, values) -> None:
    if built.platform == "qualtrics":
        ex.write_qualtrics(survey, path, values="text" if values == "text" else "numeric")
    elif built.platform == "limesurvey":
        ex.write_limesurvey(survey, path, headings="code", answers="values")
    elif built.platform == "redcap":
        form = pd.read_csv(paths[0], encoding="utf-8-sig")["Form Name"].iloc[0]
        ex.write_redcap(survey, path, labels=values == "text", instrument=form)
    else:  # the data-entry sheet typed in: its header, one row per form
        header = paths[0].with_name("survey.entry.csv").read_text(encoding="utf-8").strip().split(",")
        typed = survey.frame.reindex(columns=header)
        typed.to_csv(path, index=False)


def item_frame(sim: Simulated, mapping_path: Path, instrument) -> pd.DataFrame:
    """The simulated answers renamed to item ids (what scoring the survey's answers directly sees)."""
    mapping = tomllib.loads(mapping_path.read_text(encoding="utf-8"))
    renamed = sim.frame.rename(columns=mapping["columns"])
    return renamed[list(instrument.item_ids)]
