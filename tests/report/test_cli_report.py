"""`belonging report` end to end: files, sanitised names, CSV neutralisation, PDF pages, errors."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from _report_data import FORMULA, SCRIPT, TRAVERSAL, make_survey

from belonging.cli import main
from belonging.report._data import slugify

SIZES = {"Gamma": 30, SCRIPT: 12, FORMULA: 14, TRAVERSAL: 6}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    data = base / "survey.csv"
    make_survey(SIZES, seed=5).to_csv(data, index=False)
    roster = base / "roster.csv"
    roster.write_text("cohort,enrolled\nGamma,50\n", encoding="utf-8")
    out = base / "out" / "reports"
    code = main(["report", str(data), "--instrument", "ccs", "--by", "cohort", "--compare-by", "mode",
                 "--wave", "wave", "--roster", str(roster), "--seed", "1", "-q", "-o", str(out)])
    return code, out, base


def test_writes_index_and_a_report_per_cohort(run):
    code, out, base = run
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    expected = {"index.html", "cohorts.csv", "manifest.json", "release-log.json"} | {f"{slugify(c)}.{ext}" for c in SIZES for ext in ("html", "pdf")}
    assert set(names) == expected
    # nothing escaped the output folder ("../x" stays inside as a slug)
    assert sorted(p.name for p in base.iterdir()) == ["out", "roster.csv", "survey.csv"]
    assert sorted(p.name for p in (base / "out").iterdir()) == ["reports"]
    assert not any(n.startswith(".") for n in names)  # no temporary files left


def test_release_log_records_the_published_counts_and_keeps_earlier_runs(run, tmp_path):
    import json

    _, out, base = run
    log = json.loads((out / "release-log.json").read_text(encoding="utf-8"))
    assert len(log["releases"]) == 1
    entry = log["releases"][0]
    gamma = entry["reports"][slugify("Gamma")]
    assert gamma["Responses"][""]["responses"] == "30"
    by_mode = next(v for k, v in gamma.items() if k.startswith("Comparison by mode"))
    assert all(set(cells) == {"n"} for cells in by_mode.values())  # counts only; withheld groups absent
    assert slugify(TRAVERSAL) in entry["reports"] and "index" in entry["reports"]
    rerun = tmp_path / "again"
    import shutil

    shutil.copytree(out, rerun)
    code = main(["report", str(base / "survey.csv"), "--instrument", "ccs", "--by", "cohort", "--format", "html",
                 "-q", "-o", str(rerun)])
    assert code == 0
    assert len(json.loads((rerun / "release-log.json").read_text(encoding="utf-8"))["releases"]) == 2


def test_index_links_every_cohort_and_escapes_names(run):
    _, out, _ = run
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for c in ("Gamma",):
        assert f'href="{slugify(c)}.html"' in html and f'href="{slugify(c)}.pdf"' in html
    assert 'href="http' not in html


def test_cohort_csv_neutralises_formulas(run):
    _, out, _ = run
    text = (out / "cohorts.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert "suppressed" in text.splitlines()[0]


def test_small_cohort_report_is_a_notice(run):
    _, out, _ = run
    html = (out / f"{slugify(TRAVERSAL)}.html").read_text(encoding="utf-8")
    assert "no statistics are reported" in html
    assert 'class="metric' not in html


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_pdf_pages_render(run, tmp_path):
    from PIL import Image

    _, out, _ = run
    pdf = out / f"{slugify('Gamma')}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 3
    for page in pages:
        img = np.asarray(Image.open(page).convert("L"))
        assert (img < 200).mean() > 0.001  # each page carries text or charts (small text renders grey at 30 dpi)


@pytest.mark.parametrize(("extra", "fragment"), [
    (["--by", "nope"], "column 'nope' is not in the data"),
    (["--by", "email"], "identifies a person"),
    (["--by", "cohort", "--format", "docx"], "--format must list html and/or pdf"),
    (["--by", "cohort", "--min-cell", "0"], "min_cell"),
    (["--by", "cohort", "--jobs", "0"], "--jobs must be at least 1"),
])
def test_usage_errors_exit_2(run, capsys, extra, fragment):
    _, _, base = run
    code = main(["report", str(base / "survey.csv"), "--instrument", "ccs", "-q", "-o", str(base / "bad"), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err and err.startswith("error: ")
    assert not (base / "bad" / "index.html").exists()


def test_parallel_and_serial_give_the_same_reports(tmp_path):
    import datetime as dt

    from belonging.report import write_reports

    data = make_survey({"A": 20, "B": 15, "C": 12}, seed=9, waves=("1",))
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    one = write_reports(data, "ccs", tmp_path / "one", by="cohort", formats=("html",), jobs=1, now=when)
    two = write_reports(data, "ccs", tmp_path / "two", by="cohort", formats=("html",), jobs=2, now=when,
                        parameters={"formats": ["html"]})
    assert [p.name for p in one.paths] == [p.name for p in two.paths]
    for a, b in zip(one.paths, two.paths):
        assert Path(a).read_bytes() == Path(b).read_bytes()
    assert one.cohorts == 3 and one.seconds["charts"] > 0


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys):
    data = tmp_path / "small.csv"
    make_survey({"P": 4, "Q": 5}, seed=2, waves=("1",)).to_csv(data, index=False)
    code = main(["report", str(data), "--instrument", "ccs", "--by", "cohort", "--format", "html", "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 0
    assert "\r" not in err and "cohort reports: 2/2 cohort(s) (100%)" in err  # plain lines without a TTY, no tqdm
    assert "index.html and 2 cohort report(s) (html); 2 below --min-cell 10 (notice only)" in err
    index = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    assert "no statistics are reported" in index
