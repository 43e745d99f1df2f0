"""The README stays true: two Quickstart commands, the sample mapping it names, the instruments table.

The main command also runs for real, through the CLI entry point, into a temporary folder: its pages
and PDFs are checked, opened in headless Chromium (skipped when Chromium is not installed; CI installs
it), and attacked the way a reviewer did on the sample (institution totals minus the shown cohorts).
"""

import hashlib
import html
import importlib.util
import re
import shlex
from html.parser import HTMLParser
from pathlib import Path

import pytest

import belonging as bl

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def _quickstart_commands() -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", _section("Quickstart"), flags=re.S)


def test_quickstart_has_exactly_two_commands():
    commands = _quickstart_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert commands[1] == "pip install -e '.[dev]' && python -m pytest"


def test_ci_runs_the_second_command_literally():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _quickstart_commands()[1] in ci


def test_main_command_produces_the_report_from_the_qualtrics_sample():
    install, main = _quickstart_commands()[0].split(" && ")
    assert install == "pip install ."
    argv = shlex.split(main)
    assert argv[:3] == ["belonging", "report", "data/sample/qualtrics_export.csv"]
    from belonging.cli import build_parser

    args = build_parser().parse_args(argv[1:])
    assert args.func.__module__ == "belonging._commands.report"
    for path in (args.input, args.map):
        assert (ROOT / path).is_file(), path


def test_sample_mapping_is_what_inspect_proposes():
    """The shipped map is the reviewed output of `belonging inspect --write-map`: regenerate if the export changes."""
    responses = bl.read_export(ROOT / "data/sample/qualtrics_export.csv")
    inst = bl.load_instrument("ccs")
    proposal = bl.propose_mapping(responses, inst)
    shipped = bl.load_mapping(ROOT / "data/sample/qualtrics_ccs_map.toml")
    assert dict(shipped.columns) == dict(proposal.mapping.columns)
    assert len(shipped.columns) == len(inst.items)
    assert proposal.to_frame()["match_confidence"].min() == 1.0


def test_instruments_table_matches_the_registry():
    rows = re.findall(r"^\| `([a-z_]+)` \| [^|]+ \| (\d+) \|", _section("Instruments"), flags=re.M)
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(bl.list_instruments()["id"])
    for ident, n_items in rows:
        assert len(bl.load_instrument(ident).items) == int(n_items), ident


def _browser():
    spec = importlib.util.spec_from_file_location("_readme_browser", ROOT / "tests" / "report" / "_browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quickstart_run(tmp_path_factory):
    """README Quickstart command 1, run through ``belonging.cli.main`` with -o in a temporary folder."""
    import os

    from belonging.cli import main

    argv = shlex.split(_quickstart_commands()[0].split(" && ")[1])
    out = tmp_path_factory.mktemp("quickstart") / "reports"
    i = argv.index("-o")
    argv[i + 1] = str(out)
    before = os.getcwd()
    os.chdir(ROOT)  # the README's paths are relative to the repository
    try:
        code = main(argv[1:])
    finally:
        os.chdir(before)
    return code, out, argv


class _Checker(HTMLParser):
    """Counts tags and fails on unbalanced structure of the main elements."""

    def __init__(self):
        super().__init__()
        self.stack, self.images, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "svg"):  # charts are inline SVG (text kept as text); PNGs are embedded images
            self.images.append({"tag": tag, **dict(attrs)})
        if tag in ("html", "head", "body", "main", "section", "table", "tr"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("html", "head", "body", "main", "section", "table", "tr"):
            if not self.stack or self.stack.pop() != tag:
                self.errors.append(tag)


def _check_page(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert checker.images and all(img["src"].startswith("data:image/") for img in checker.images if img["tag"] == "img")
    return text


def _cohorts(out):
    import pandas as pd

    return pd.read_csv(out / "cohorts.csv", dtype={"cohort": str})


def _slug(cohort):
    from belonging.report._data import slugify

    return slugify(cohort)


@pytest.mark.slow
def test_main_command_runs_and_writes_valid_pages_and_pdfs(quickstart_run):
    code, out, argv = quickstart_run
    assert code == 0
    index = _check_page(out / "index.html")
    cohorts = _cohorts(out)
    shown = cohorts[~cohorts["suppressed"]]
    assert len(cohorts) >= 5 and len(shown) >= 4
    for cohort in cohorts["cohort"]:
        assert (out / f"{_slug(cohort)}.html").is_file() and (out / f"{_slug(cohort)}.pdf").is_file()
    page = _check_page(out / f"{_slug(shown['cohort'].iloc[0])}.html")
    assert html.escape(shown["cohort"].iloc[0]) in page
    pdf = (out / f"{_slug(shown['cohort'].iloc[0])}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:] and len(pdf) > 10_000
    import shutil
    import subprocess

    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(out / f"{_slug(shown['cohort'].iloc[0])}.pdf")], capture_output=True,
                              text=True, check=True, timeout=60).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2
    # provenance names the mapping file with its SHA-256 and the quality policy in effect
    map_path = ROOT / argv[argv.index("--map") + 1]
    digest = hashlib.sha256(map_path.read_bytes()).hexdigest()
    for text in (index, page):
        assert map_path.name in text and digest in text
        assert "Quality policy" in text and "built-in defaults" in text and "speeder_fraction" in text


@pytest.mark.slow
def test_main_command_hides_the_small_sample_cohort_from_every_total(quickstart_run):
    """The reviewer's attack on the sample: institution total minus the shown cohorts is the small cohort."""
    _, out, _ = quickstart_run
    cohorts = _cohorts(out)
    hidden = cohorts[cohorts["suppressed"]]
    shown = cohorts[~cohorts["suppressed"]]
    assert len(hidden) >= 1
    index = html.unescape(re.sub(r"<[^>]+>", " ", (out / "index.html").read_text(encoding="utf-8")))
    m = re.search(r"Responses\s+(\d+)\s+(\d+) scored", index)
    assert m is not None
    responses, scored = int(m.group(1)), int(m.group(2))
    assert responses - int(shown["count"].sum()) == 0
    assert scored - int(shown["n"].sum()) == 0
    for cohort in hidden["cohort"]:  # a withheld cohort's own report is a notice, nothing more
        text = (out / f"{_slug(cohort)}.html").read_text(encoding="utf-8")
        assert "no statistics are reported" in text and 'class="metric' not in text
    assert "hold only a" in index and "left out of every institution figure" in index


@pytest.mark.slow
def test_main_command_pages_render_in_chromium(quickstart_run, tmp_path):
    probe = _browser()
    if probe.CHROMIUM is None:
        pytest.skip("Chromium is not installed (CI installs it); browser check skipped")
    _, out, _ = quickstart_run
    shown = _cohorts(out).loc[lambda d: ~d["suppressed"], "cohort"]
    for name in ("index.html", f"{_slug(shown.iloc[0])}.html"):
        page = tmp_path / f"probe-{name}"
        page.write_text(probe.with_probe((out / name).read_text(encoding="utf-8")), encoding="utf-8")
        images, broken, problems, console, _ = probe.open_page(page, tmp_path)
        assert images >= 3, name
        assert broken == 0, name
        assert problems == "", name
        assert console == [], name
