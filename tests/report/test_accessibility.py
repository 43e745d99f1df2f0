"""Accessibility of the rendered reports (WCAG 2.1 AA) and of their PDFs (tagged, PDF/UA-1).

* axe-core, injected from a local copy into headless Chromium (no network), finds no serious or
  critical violation on the overview and on a cohort report; every chart renders; no console errors.
* Every chart's text alternative names the same numbers as the table it is drawn from.
* The PDFs are tagged, with the report title and the document language; suppressed values appear in
  no chart, alt text or PDF text layer.
"""

import re
import shutil
import subprocess

import numpy as np
import pytest
from _browser import CHROMIUM, NPM, run_axe
from _report_data import SCRIPT, make_survey

from belonging.report import (
    Figure,
    Table,
    cohort_report,
    index_report,
    prepare_context,
    render_html,
    render_pdf,
)

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def reports():
    data = make_survey({"Alpha": 70, "Beta": 45, SCRIPT: 31, "Tiny": 6}, seed=41)
    ctx = prepare_context(data, "ccs", by="cohort", compare_by=["mode", "first_gen"], wave="wave", seed=1)
    return ctx, index_report(ctx), {c: cohort_report(ctx, c) for c in ctx.cohorts}


def _figures(report):
    for section in report.sections:
        for child in section.children:
            if isinstance(child, Figure):
                yield section, child


def _numbers(text) -> list:
    return sorted(NUMBER.findall(text))


def test_every_chart_has_an_alt_text_with_the_numbers_of_its_table(reports):
    _, idx, cohorts = reports
    checked = 0
    for rep in [idx, *cohorts.values()]:
        for _, fig in _figures(rep):
            table = fig.table
            assert isinstance(table, Table) and fig.columns, fig.alt[:60]
            cells = [table.cell_text(i, c) for i in range(len(table.data)) for c in fig.columns]
            shown = [t for t in cells if t != "suppressed"]
            allowed = set(NUMBER.findall(" ".join(shown) + " " + fig.caption + " " + fig.alt.split(".")[0]))
            in_alt = NUMBER.findall(fig.alt)
            # every number the table shows for the chart's columns is named, and no other
            numeric = [t for c in fig.columns for i in range(len(table.data))
                       if table.data[c].dtype.kind in "iuf" and (t := table.cell_text(i, c)) != "suppressed"]
            for t in numeric:
                assert t in NUMBER.findall(fig.alt) or t == "\u2013", (t, fig.alt[:200])
            assert set(in_alt) <= allowed, (set(in_alt) - allowed, fig.alt[:200])
            assert fig.alt.count("suppressed") >= sum(1 for t in cells if t == "suppressed") // max(len(fig.columns) - 1, 1)
            checked += 1
    assert checked >= 10


def test_suppressed_values_are_in_no_chart_or_alt_text(reports):
    ctx, idx, cohorts = reports
    for rep in [idx, *cohorts.values()]:
        for section in rep.sections:
            for t in (c for c in section.children if isinstance(c, Table) and c.suppressed is not None):
                mask = t.suppressed.to_numpy(dtype=bool)
                if not mask.any():
                    continue
                figs = [f for f in section.children if isinstance(f, Figure) and f.table is t]
                for i, j in zip(*np.nonzero(mask)):
                    col = t.data.columns[j]
                    assert np.isnan(float(t.data[col].iloc[i])) if t.data[col].dtype.kind in "iuf" else True
                for f in figs:
                    for i in np.flatnonzero(mask.any(axis=1)):
                        label = str(t.data.iloc[i, 0])
                        assert f"{label}: suppressed" in f.alt or "suppressed" in f.alt


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.skipif(shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
                    reason="poppler-utils (pdfinfo, pdftotext) are not installed (CI installs them)")
def test_pdf_is_tagged_with_title_and_language_and_shows_no_suppressed_value(reports, tmp_path):
    _, _, cohorts = reports
    rep = cohorts["Alpha"]
    path = tmp_path / "alpha.pdf"
    path.write_bytes(render_pdf(rep))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+Alpha$", info, re.M)
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    assert "<dc:language><rdf:Bag><rdf:li>en</rdf:li>" in meta and "<pdfuaid:part>1</pdfuaid:part>" in meta
    assert b"/Lang(en)" in path.read_bytes()
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    html_text = _visible_text(render_html(rep))
    # the text layer holds the tables' and charts' numbers, and each withheld cell only as "suppressed"
    table = next(c for c in rep.section("Comparison by mode").children if isinstance(c, Table))
    mask = table.suppressed.to_numpy(dtype=bool)
    assert mask.any(), "the data should have a withheld group"
    for i in range(len(table.data)):
        for j, col in enumerate(table.data.columns):
            if not mask[i, j] and col in ("n", "mean"):
                assert table.cell_text(i, col) in text
    hidden_groups = [str(g) for g, m in zip(table.data["group"], mask[:, 1]) if m]
    scored = rep.section("Comparison by mode")
    assert scored is not None
    for g in hidden_groups:  # its row reads "suppressed" in the PDF, as in the HTML
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(g) and "suppressed" in ln)
        assert not NUMBER.findall(line.replace(g, ""))
        assert f"{g}" in html_text


@pytest.mark.skipif(CHROMIUM is None or NPM is None,
                    reason="Chromium or Node.js/npm is not installed (CI installs both); axe-core check skipped")
@pytest.mark.parametrize("which", ["index", "cohort"])
def test_axe_finds_no_serious_or_critical_violation(reports, tmp_path, which):
    _, idx, cohorts = reports
    rep = idx if which == "index" else cohorts[SCRIPT]
    violations, (charts, broken, problems, console) = run_axe(render_html(rep), tmp_path)
    severe = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert severe == [], severe
    assert charts >= (1 if which == "index" else 5) and broken == 0
    assert problems == "" and console == []


@pytest.mark.skipif(CHROMIUM is None or NPM is None,
                    reason="Chromium or Node.js/npm is not installed (CI installs both); axe-core check skipped")
def test_axe_check_detects_violations(reports, tmp_path):
    """Control: an image without alt text and grey-on-white text are found (the check can fail)."""
    _, _, cohorts = reports
    bad = '<img src="data:image/png;base64,AAAA"><p style="color:#bbbbbb">faint</p>'
    violations, _ = run_axe(render_html(cohorts["Alpha"]).replace("</main>", bad + "</main>"), tmp_path)
    found = {v["id"]: v["impact"] for v in violations}
    assert found.get("image-alt") == "critical" and found.get("color-contrast") == "serious"
