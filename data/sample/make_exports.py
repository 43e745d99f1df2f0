"""Write the sample survey as real platform exports: Qualtrics (choice text) and Google Forms.

    python data/sample/make_exports.py            # writes qualtrics_export.csv, google_forms_export.csv here
    python data/sample/make_exports.py --out DIR

Reads ``survey.csv`` (made by ``generate.py``; not modified) and writes the same answers in each
platform's layout with ``exports.py``:

- ``qualtrics_export.csv``: three header rows, the 17 Qualtrics system columns, CCS as matrix ``Q1_1``
  ... ``Q1_20`` and COI as ``Q2_1`` ... ``Q2_34`` in Qualtrics' default agreement choice text
  ("Somewhat agree", "Neither agree nor disagree", ...), the free-text comment as ``Q3_5_TEXT``, e-mail
  as ``RecipientEmail``, and ``student_id``, ``wave``, ``cohort``, ``section``, ``mode``,
  ``first_gen``, ``international``, ``age_band`` and ``learning_path`` as embedded data (as an
  institution adds them from its student records). Times in Europe/Amsterdam local time without an offset (read with ``--timezone
  Europe/Amsterdam``). Every response is written (unfinished ones with ``Finished`` False).
- ``google_forms_export.csv``: ``Timestamp`` (with its UTC offset), ``Email Address``, one
  ``Question [Statement]`` column per item with the instrument's labels; only finished responses
  (Forms records only submitted ones).

``belonging inspect data/sample/qualtrics_export.csv --instrument ccs`` proposes the item mapping.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
TZ = "Europe/Amsterdam"
QUALTRICS_AGREE = {1: "Strongly disagree", 2: "Somewhat disagree", 3: "Neither agree nor disagree", 4: "Somewhat agree", 5: "Strongly agree"}
STEMS = {
    "ccs": "Please indicate how much you agree with each statement about this course.",
    "coi": "Thinking about this course, how much do you agree with each statement?",
}


def _exports():
    spec = importlib.util.spec_from_file_location("belonging_sample_exports", HERE / "exports.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def sample_frame(path: Path) -> pd.DataFrame:
    """survey.csv as the writers' input: UTC times, booleans, progress, e-mail and the comment."""
    raw = pd.read_csv(path, dtype={"response_id": str, "student_id": str})
    frame = raw.copy()
    for col in ("started_at", "submitted_at"):
        frame[col] = pd.to_datetime(raw[col], utc=True, format="ISO8601")
    frame["finished"] = raw["finished"].astype(str).eq("True")
    items = [c for c in raw.columns if c.startswith(("ccs_", "coi_"))]
    answered = raw[items].notna().mean(axis=1)
    frame["progress"] = np.where(frame["finished"], 100, np.floor(answered * 100)).astype(int)
    frame["other"] = raw["comments"].fillna("")
    frame["email"] = raw["email"].fillna("")
    frame["status"] = ""
    return frame


def build_survey(ex, frame: pd.DataFrame, *, qualtrics_labels: bool):
    import belonging as bl

    blocks = []
    for k, inst_id in enumerate(("ccs", "coi"), start=1):
        inst = bl.load_instrument(inst_id)
        scale = inst.response_scale
        if qualtrics_labels and scale.points == 5:
            labels = {code: QUALTRICS_AGREE[j + 1] for j, code in enumerate(scale.codes())}
        else:
            labels = dict(zip(scale.codes(), scale.labels))
        items = tuple(inst.item_ids)
        blocks.append(ex.Block(stem=STEMS[inst_id], items=items, statements=tuple(inst.item(i).label for i in items), labels=labels, code=f"Q{k}"))
    return ex.Survey(frame=frame, blocks=tuple(blocks), extra=("student_id", "wave", "cohort", "section", "mode", "first_gen", "international", "age_band", "learning_path"),
                     other_question="Is there anything else you would like to tell us about this course?")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: data/sample)")
    parser.add_argument("--survey", type=Path, default=HERE / "survey.csv", help="input survey.csv")
    args = parser.parse_args(argv)
    ex = _exports()
    frame = sample_frame(args.survey)
    args.out.mkdir(parents=True, exist_ok=True)
    ex.write_qualtrics(build_survey(ex, frame, qualtrics_labels=True), args.out / "qualtrics_export.csv", values="text", timezone=TZ)
    ex.write_google_forms(build_survey(ex, frame, qualtrics_labels=False), args.out / "google_forms_export.csv", timezone=TZ)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
