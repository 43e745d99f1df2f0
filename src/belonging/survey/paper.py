"""Paper and plain web: a printable, accessible HTML questionnaire, the same as a tagged PDF, and a
blank data-entry sheet.

The HTML (``templates/questionnaire.html.j2``) uses real form controls with accessible names (each
answer is labelled by its statement and its column header) and prints as the paper form; it is
checked with axe-core in tests. The PDF is typeset by Typst (the ``typst`` package) from
``templates/questionnaire.typ`` as PDF/UA-1 (tagged, titled, language set). Both show the response-id
boxes, beside every answer the code a data-entry person types, and for every question the column it
goes in; the ``.entry.csv`` sheet has exactly those columns, so the typed sheet scores without a map.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import io
import json
from importlib import resources

__all__ = ["ID_BOXES", "render", "render_html", "render_pdf"]

ID_BOXES = 8
INSTRUCTIONS = ("Please answer each question by marking one answer. You may leave out any question you do "
                "not want to answer. There are no right or wrong answers.")
ENTRY_HELP = ("Copy the response ID into the response_id column of the data-entry sheet (one row per form). "
              "For each answer, type the small number printed with the marked answer into the column named in "
              "brackets; leave the cell empty when nothing or more than one answer is marked.")


@functools.cache
def _template_text(name: str) -> str:
    return resources.files("belonging.survey").joinpath("templates", name).read_text(encoding="utf-8")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in str(text).split("\n\n") if p.strip()]


def render_html(design, lay) -> str:
    """The questionnaire as one self-contained HTML page (no scripts; styles inline, pinned by hash).

    Examples
    --------
    >>> from belonging.survey.columns import layout
    >>> from belonging.survey.design import design_survey
    >>> from belonging.survey.paper import render_html
    >>> design = design_survey(["coi"], allow_unconfirmed=True)
    >>> page = render_html(design, layout(design, "html"))
    >>> page.count('type="radio" name="coi_01"'), '<html lang="en">' in page
    (5, True)
    """
    import jinja2

    from belonging import __version__

    css = _template_text("questionnaire.css")
    digest = base64.b64encode(hashlib.sha256(("\n" + css + "\n").encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'sha256-{digest}'; form-action 'none'; base-uri 'none'"
    env = jinja2.Environment(autoescape=True, trim_blocks=False, lstrip_blocks=False, undefined=jinja2.StrictUndefined)
    template = env.from_string(_template_text("questionnaire.html.j2"))
    return template.render(design=design, css=css, csp=csp, version=__version__, id_boxes=ID_BOXES,
                           instructions=INSTRUCTIONS, entry_help=ENTRY_HELP, paragraphs=_paragraphs, column=lay.column)


def _pdf_data(design, lay) -> dict:
    blocks = []
    for block in design.blocks:
        questions = []
        for q in block.questions:
            entry = {"kind": q.kind, "text": q.text, "paragraphs": _paragraphs(q.text),
                     "options": [{"code": o.code, "label": o.label} for o in q.options],
                     "rows": [{"text": r.text, "column": lay.column(q.id, r.id)} for r in q.rows]}
            if q.answered and q.kind != "matrix":
                entry["column"] = lay.column(q.id)
            questions.append(entry)
        blocks.append({"title": block.title, "intro": block.intro, "notice": block.id == "notice", "questions": questions})
    return {"title": design.title, "language": design.language, "id_boxes": ID_BOXES, "instructions": INSTRUCTIONS,
            "entry_help": ENTRY_HELP, "blocks": blocks}


def render_pdf(design, lay) -> bytes:
    """The questionnaire as a tagged PDF (PDF/UA-1), typeset by Typst.

    Examples
    --------
    >>> from belonging.survey.columns import layout
    >>> from belonging.survey.design import design_survey
    >>> from belonging.survey.paper import render_pdf
    >>> design = design_survey(["coi"], allow_unconfirmed=True)
    >>> render_pdf(design, layout(design, "html"))[:5]
    b'%PDF-'
    """
    import typst

    source = _template_text("questionnaire.typ").encode("utf-8")
    data = json.dumps(_pdf_data(design, lay), ensure_ascii=False)
    return typst.compile(source, format="pdf", sys_inputs={"design": data}, pdf_standards=["ua-1"])


def entry_sheet(design, lay) -> bytes:
    """The blank data-entry sheet: a CSV header of ``response_id`` and every answer's column, in form order."""
    columns = ["response_id"]
    for _, question in design.questions():
        if not question.answered:
            continue
        columns += [lay.column(question.id, r.id) for r in question.rows] if question.rows else [lay.column(question.id)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(columns)
    return buf.getvalue().encode("utf-8")


def render(design, lay) -> dict[str, bytes]:
    """``{".html", ".pdf", ".entry.csv"}`` contents."""
    return {lay.spec.extension: render_html(design, lay).encode("utf-8"), ".pdf": render_pdf(design, lay),
            ".entry.csv": entry_sheet(design, lay)}
