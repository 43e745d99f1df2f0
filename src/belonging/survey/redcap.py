"""REDCap: a data dictionary CSV, uploaded with Project Setup > Data Dictionary > Upload.

Layout (the 18 columns of a dictionary REDCap writes, as in REDCapR's test projects; sources in
docs/survey.md): the first field is the record id; each instrument is a matrix of ``radio`` fields
sharing a ``Matrix Group Name`` (the instrument id) and identical choices ``code, label | ...`` with the
instrument's codes, its stem in the ``Section Header`` of the first field; information text is a
``descriptive`` field; numbers are ``text`` fields with ``integer``/``number`` validation and bounds.
Nothing is required. Written as UTF-8 with a byte-order mark, as REDCap writes its dictionaries.
"""

from __future__ import annotations

import csv
import io
import re

from belonging.errors import UsageError

__all__ = ["FORM", "HEADER", "render"]

HEADER = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
)
FORM = "belonging_survey"


def _form(title: str) -> str:
    """A form (instrument) name REDCap accepts: lower-case letters, digits and underscores."""
    name = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return name if re.fullmatch(r"[a-z][a-z0-9_]*", name or "") and len(name) <= 50 else FORM


def _choices(question) -> str:
    """REDCap's ``code, label | code, label``: a label holding ``|`` would split into two choices."""
    for option in question.options:
        if "|" in str(option.label):
            msg = (f"REDCap: the answer {option.label!r} of {question.id!r} holds '|', which separates REDCap "
                   "choices; rename it (e.g. with '/')")
            raise UsageError(msg)
    return " | ".join(f"{o.code}, {o.label}" for o in question.options)


def _field(name: str, form: str, ftype: str, label: str, **extra) -> dict:
    row = dict.fromkeys(HEADER, "")
    row.update({"Variable / Field Name": name, "Form Name": form, "Field Type": ftype, "Field Label": label})
    for key, value in extra.items():
        row[key] = value
    return row


def _rows(design, lay, form: str) -> list[dict]:
    out = [_field("record_id", form, "text", "Record ID")]
    for block in design.blocks:
        header = block.title + (f"\n{block.intro}" if block.intro else "")
        for question in block.questions:
            code = lay.code(question.id)
            if question.kind == "info":
                out.append(_field(code, form, "descriptive", question.text, **{"Section Header": header}))
            elif question.kind == "matrix":
                for k, row in enumerate(question.rows):
                    note = "attention check: expected " + ", ".join(map(str, row.expected)) if row.is_check else ""
                    out.append(_field(lay.code(question.id, row.id), form, "radio", row.text, **{
                        "Section Header": f"{header}\n{question.text}" if k == 0 else "",
                        "Choices, Calculations, OR Slider Labels": _choices(question),
                        "Matrix Group Name": code, "Field Annotation": note,
                    }))
            elif question.kind == "choice":
                out.append(_field(code, form, "radio", question.text,
                                  **{"Choices, Calculations, OR Slider Labels": _choices(question)}))
            else:
                extra = {}
                if question.kind == "number":
                    extra["Text Validation Type OR Show Slider Number"] = "number" if question.decimals else "integer"
                    extra["Text Validation Min"] = "" if question.minimum is None else f"{question.minimum:g}"
                    extra["Text Validation Max"] = "" if question.maximum is None else f"{question.maximum:g}"
                out.append(_field(code, form, "text", question.text, **extra))
            header = ""  # a section header opens the block once
    return out


def render(design, lay) -> dict[str, bytes]:
    """``{".csv": bytes}``: the data dictionary."""
    form = _form(design.title)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_rows(design, lay, form))
    return {lay.spec.extension: buf.getvalue().encode("utf-8-sig")}
