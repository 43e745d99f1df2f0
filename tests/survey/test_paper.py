"""The paper / plain-web questionnaire: accessible HTML (axe-core, WCAG 2.1 AA), a tagged PDF, the data-entry sheet."""

from __future__ import annotations

import re
import subprocess

import pytest
from _axe import require_browser, run_axe

import belonging as bl


@pytest.fixture()
def browser() -> None:
    require_browser()  # skipped without Chromium or axe-core, failed instead under CI (BELONGING_CI=1)


@pytest.fixture(scope="module")
def paper():
    return bl.build_survey(["ccs", "coi"], platform="html", allow_unconfirmed=True, attention_checks=2, participation=True,
                           cohorts=["PSY-25F", "CS-26S"], consent="Taking part is voluntary.\n\nYou may stop at any time.")


def test_questionnaire_passes_axe_without_serious_or_critical_violations(paper, tmp_path, browser):
    result = run_axe(paper.files[".html"].decode("utf-8"), tmp_path)
    assert result["passes"] > 10  # axe ran its rules on the page
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_axe_check_detects_a_violation(paper, tmp_path, browser):
    """Control: an input without a name and an image without a text alternative are reported."""
    page = paper.files[".html"].decode("utf-8").replace("</main>", '<img src="chart.png"><input type="text"></main>', 1)
    ids = {v["id"] for v in run_axe(page, tmp_path)["violations"] if v["impact"] in ("serious", "critical")}
    assert {"label", "image-alt"} <= ids


def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("BELONGING_CI", "1")
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed, and under CI"):
        require_browser(chromium=None, axe=tmp_path / "axe.min.js")
    monkeypatch.delenv("BELONGING_CI")
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        require_browser(chromium=None, axe=tmp_path / "axe.min.js")


def test_html_shows_codes_columns_and_response_id_boxes(paper):
    page = paper.files[".html"].decode("utf-8")
    assert page.count('class="box"') == 8
    assert '<html lang="en">' in page and "<title>Course experience survey</title>" in page
    assert "<script" not in page  # a static form: nothing runs
    for column in paper.columns()["column"]:
        assert f"[{column}]" in page
    # every radio button is named by its statement and its answer
    radios = re.findall(r'<input type="radio" name="(ccs_01)" value="(\d)" aria-labelledby="([^"]+)"', page)
    assert [(v, label.split()[1]) for _, v, label in radios] == [(str(k), f"ccs-opt-{k + 1}") for k in range(5)]
    assert '<th scope="col" id="ccs-opt-1">Strongly disagree<br><span class="code">0</span></th>' in page


def test_pdf_is_tagged_and_holds_the_questionnaire(paper, tmp_path):
    pdf = paper.files[".pdf"]
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    assert re.search(r"^Title:\s+Course experience survey", info, re.M)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = " ".join(text.split())
    assert "Response ID" in words and "For the data-entry person" in words
    assert "The instructor clearly communicated important course topics." in words  # coi_01, shipped wording
    assert "[coi_01]" in words and "[attn_1]" in words and "[forum_posts]" in words
    assert "Strongly disagree (0)" in words and "Strongly disagree (1)" in words  # ccs codes 0-4, coi 1-5


def test_entry_sheet_lists_every_answer_column_in_form_order(paper):
    header = paper.files[".entry.csv"].decode("utf-8").strip().split(",")
    assert header == ["response_id", *paper.columns()["column"]]
