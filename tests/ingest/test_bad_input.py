"""Bad input: one clear line naming file and line, exit 1 (2 for usage errors), nothing written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from belonging.cli import main

P = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"


def _qualtrics_rows():
    with open(P / "qualtrics_text.csv", newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _make(tmp_path, kind):
    p = tmp_path / f"{kind}.csv"
    if kind == "empty":
        p.write_bytes(b"")
    elif kind == "blank":
        p.write_bytes(b"\n\n  \n")
    elif kind == "header_only":
        p.write_text("a,b,c\n")
    elif kind == "ragged":
        p.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n")
    elif kind == "too_wide":
        p.write_text("a,b,c\n1,2,3\n4,5,6,7\n")
    elif kind == "truncated":
        p.write_text('a,b,c\n1,2,3\n4,"5,6\n')
    elif kind == "binary":
        import numpy as np

        p.write_bytes(np.random.default_rng(5).integers(0, 256, 4000, dtype=np.uint8).tobytes())
    elif kind == "xls":
        p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    elif kind == "pdf":
        p.write_bytes(b"%PDF-1.7\n...")
    elif kind == "json":
        p.write_text('[{"a": 1}]')
    elif kind == "zip":
        import zipfile

        with zipfile.ZipFile(p, "w") as z:
            z.writestr("export.csv", "a,b\n1,2\n")
    elif kind == "qualtrics_header_only":
        _write_rows(p, _qualtrics_rows()[:3])
    elif kind == "qualtrics_two_rows":
        _write_rows(p, _qualtrics_rows()[:2])
    elif kind == "qualtrics_disagree":
        rows = _qualtrics_rows()
        rows[1] = rows[1][:-3]
        _write_rows(p, rows)
    elif kind == "qualtrics_not_json":
        rows = _qualtrics_rows()
        rows[2][5] = "Duration"
        _write_rows(p, rows)
    elif kind == "qualtrics_ragged":
        rows = _qualtrics_rows()
        rows[6] = rows[6][:-4]
        _write_rows(p, rows)
    elif kind == "qualtrics_bad_date":
        rows = _qualtrics_rows()
        rows[5][0] = "yesterday"
        _write_rows(p, rows)
    elif kind == "qualtrics_bad_finished":
        rows = _qualtrics_rows()
        rows[4][6] = "maybe"
        _write_rows(p, rows)
    return p


CASES = [
    ("empty", "the file is empty"),
    ("blank", "the file is empty"),
    ("header_only", "header but no responses"),
    ("ragged", "line 3: Expected 3 columns, got 2"),
    ("too_wide", "line 3: Expected 3 columns, got 4"),
    ("truncated", "line 3:"),
    ("binary", "binary file"),
    ("xls", "unsupported format: a legacy Excel .xls"),
    ("pdf", "unsupported format: a PDF"),
    ("json", "unsupported format: looks like JSON"),
    ("zip", "unsupported format: a zip archive"),
    ("qualtrics_header_only", "header but no responses"),
    ("qualtrics_two_rows", "Qualtrics exports have 3 header rows"),
    ("qualtrics_disagree", "header rows disagree"),
    ("qualtrics_not_json", "header record 3, column 6 ('Duration (in seconds)'): expected ImportId JSON"),
    ("qualtrics_ragged", "line 9: Expected 40 columns, got 36"),  # records 4 and 5 span two lines each
    ("qualtrics_bad_date", "row 3, column 'started_at': cannot read time 'yesterday'"),
    ("qualtrics_bad_finished", "row 2, column 'finished': unknown completion flag 'maybe'"),
]


@pytest.mark.parametrize(("kind", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_1_nothing_written(tmp_path, capsys, kind, fragment):
    path = _make(tmp_path, kind)
    before = path.read_bytes()
    out = tmp_path / "out" / "scores.csv"
    code = main(["score", str(path), "--instrument", "ccs", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert str(path.name) in err and fragment in err, err
    assert "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob("out/*"))
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (["--platform", "qualtrics", str(P / "google_forms.csv")], 1, "line 1 does not have the Qualtrics columns"),
        (["--platform", "redcap", str(P / "qualtrics_text.csv")], 1, "does not have the REDCap columns"),
        (["--platform", "qualtrics", str(P / "spss.sav")], 1, "exports are text, but this file is sav"),
        (["--platform", "microsoft_forms", str(P / "surveymonkey.xlsx")], 1, "Microsoft Forms columns"),
        (["--platform", "qualtrix", str(P / "qualtrics_text.csv")], 2, "did you mean 'qualtrics'"),
        (["--timezone", "Mars/Olympus", str(P / "qualtrics_text.csv")], 2, "not a known IANA time zone"),
        (["--dictionary", str(P / "truth.csv"), str(P / "redcap_raw.csv")], 1, "not a REDCap data dictionary"),
    ],
)
def test_wrong_platform_or_option(tmp_path, capsys, argv, code, fragment):
    out = tmp_path / "s.csv"
    assert main(["score", *argv, "--instrument", "ccs", "-o", str(out)]) == code
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1, err
    assert not out.exists()


def test_keep_identifying_column_without_flag_is_usage_error(tmp_path, capsys):
    out = tmp_path / "s.csv"
    argv = ["score", str(P / "qualtrics_text.csv"), "--instrument", "ccs", "--map", str(P / "maps" / "qualtrics.toml"), "-o", str(out)]
    assert main([*argv, "--keep", "RecipientEmail"]) == 2
    err = capsys.readouterr().err
    assert "identifies a person" in err and "--keep-identifiers" in err
    assert not out.exists()
    assert main([*argv, "--keep", "Q2_5_TEXT"]) == 2  # free-text "other" answers too
    capsys.readouterr()
    assert main([*argv, "--keep", "RecipientEmail,mode", "--keep-identifiers"]) == 0
    import pandas as pd

    got = pd.read_csv(out)
    assert "RecipientEmail" in got.columns and "mode" in got.columns


def test_identifiers_never_reach_scores_by_default(tmp_path):
    import pandas as pd

    out = tmp_path / "s.csv"
    assert main(["score", str(P / "qualtrics_text.csv"), "--instrument", "ccs", "--map", str(P / "maps" / "qualtrics.toml"), "-o", str(out)]) == 0
    text = out.read_text()
    for secret in ("@example.org", "192.0.2.", "First0", "Last0", "naïve", "52.0000"):
        assert secret not in text
    scores = pd.read_csv(out)
    from belonging import read_export

    real = scores["source_row"].isin(read_export(P / "qualtrics_text.csv").data["source_row"])
    assert scores.loc[real, "response_id"].str.startswith("R_fixture").all()
    assert (scores.loc[~real, "status"] == "excluded").all() and scores.loc[~real, "ccs"].isna().all()  # previews
