"""Item 7 of issue 22: text from the data is safe in every sink (terminal, XLSX, TSV, names)."""

from __future__ import annotations

import io
import sys

import pandas as pd
import pytest

import belonging as bl
from belonging._io import write_table
from belonging._safetext import SafeStream, control_pictures, neutralise_bidi, terminal_text
from belonging.cli import main

PSSM = bl.load_instrument("pssm")
NASTY = ["\x1b]0;pwned\x07", "\x1b[2J\x1b[31mred", "\x9b31m", "bell\x07", "back\x08space", "x\ry", "rtl\u202egpj.exe", "nul\x00"]


@pytest.mark.parametrize("text", NASTY)
def test_terminal_text_leaves_no_control_character(text):
    safe = terminal_text(text)
    assert not any(ord(c) < 0x20 and c not in "\t\n" or 0x7F <= ord(c) < 0xA0 or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for c in safe)
    assert all(part in safe for part in ("pwned", "red", "bell", "space", "gpj.exe") if part in text)


def test_safe_stream_keeps_progress_redraws_and_binary_writes():
    raw = io.StringIO()
    raw.buffer = io.BytesIO()
    s = SafeStream(raw)
    s.write("\rcohort reports: 3/10")  # tqdm's redraw
    s.write("cohort \x1b[31mA\rB\n")
    assert raw.getvalue() == "\rcohort reports: 3/10cohort \\x1b[31mA\\rB\n"
    s.buffer.write(b"\x1b raw bytes")  # the binary layer is the stream's own (CSV on stdout)
    assert raw.buffer.getvalue() == b"\x1b raw bytes"


def _survey(path, cohort, rows=6):
    df = pd.DataFrame({i: [(r + j) % 5 + 1 for r in range(rows)] for j, i in enumerate(PSSM.item_ids)})
    df.insert(0, "response_id", [f"R{r}" for r in range(rows)])
    df["cohort"] = cohort * (rows // len(cohort))
    df.to_csv(path, index=False)


def test_no_raw_escape_sequence_reaches_the_terminal(tmp_path, capsys):
    """Cohort values and a file name full of escape sequences: nothing raw on stderr or in table output."""
    src = tmp_path / "export\x1b[2J\u202e.csv"
    _survey(src, ["\x1b]0;pwned\x07A", "B\x1b[31m\u202e"])
    assert main(["score", str(src), "--instrument", "pssm", "--keep", "cohort", "-o", str(tmp_path / "s.csv")]) == 0
    assert main(["inspect", str(src)]) == 0
    assert main(["reliability", str(src), "--instrument", "pssm", "--by", "cohort"]) in (0, 1)
    out, err = capsys.readouterr()
    for text in (out, err):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "export\\x1b[2J\\u202e.csv" in err  # shown, escaped
    assert "\\x1b]0;pwned\\x07A" in out


def test_terminal_stdout_is_escaped_but_data_on_a_pipe_is_not(tmp_path, capsys, monkeypatch):
    src = tmp_path / "s\u202e.csv"  # named in inspect's output
    _survey(src, ["A\u202e", "B"])

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stdout", term)
    assert main(["inspect", str(src), "--format", "json"]) == 0  # json escapes C0, not U+202E: the terminal layer does
    assert "\u202e" not in term.getvalue() and "\\u202e" in term.getvalue()
    monkeypatch.undo()
    assert main(["score", str(src), "--instrument", "pssm", "--keep", "cohort", "-o", "-"]) == 0
    assert "A\u202e" in capsys.readouterr().out  # CSV data on a pipe is the data


def test_xlsx_writes_control_characters_instead_of_crashing(tmp_path):
    df = pd.DataFrame({"cohort": NASTY, "n": range(len(NASTY)), "=cmd\x01": ["=1+1"] * len(NASTY)})
    path = tmp_path / "t.xlsx"
    write_table(df, path)
    back = pd.read_excel(path)
    assert back["cohort"].tolist() == [control_pictures(v).replace("\r", "\n") for v in NASTY]  # XML reads CR as LF
    assert back["cohort"].iloc[0] == "␛]0;pwned␇"
    assert list(back.columns) == ["cohort", "n", "'=cmd␁"]  # neutralised and pictured
    assert back["'=cmd␁"].iloc[0] == "'=1+1"


def test_score_to_xlsx_with_control_characters_in_a_kept_column(tmp_path, capsys):
    src = tmp_path / "s.csv"
    _survey(src, ["A\x1b[31m", "B\x01"])
    assert main(["score", str(src), "--instrument", "pssm", "--keep", "cohort", "-o", str(tmp_path / "s.xlsx")]) == 0
    assert pd.read_excel(tmp_path / "s.xlsx")["cohort"].tolist()[:2] == ["A␛[31m", "B␁"]


@pytest.mark.parametrize("suffix", [".tsv", ".csv"])
def test_a_bare_carriage_return_round_trips(tmp_path, suffix):
    """384 rows used to come back as 408: a bare CR in a TSV cell is quoted now."""
    cells = ["plain", "cr\rinside", "lf\ninside", "crlf\r\ninside", "tab\tinside", 'quote"inside', None, "=formula\r"]
    df = pd.DataFrame({"note": cells * 48, "x": range(8 * 48)})
    path = tmp_path / f"t{suffix}"
    write_table(df, path)
    sep = "\t" if suffix == ".tsv" else ","
    back = pd.read_csv(path, sep=sep, keep_default_na=False, na_values=[""])
    assert len(back) == len(df)
    want = df["note"].where(~df["note"].fillna("").str.startswith("="), "'" + df["note"].fillna(""))
    assert back["note"].fillna("<na>").tolist() == want.fillna("<na>").tolist()
    ours = bl.read_export(path).data  # and with belonging's own reader
    assert len(ours) == len(df) and ours["note"].iloc[1] == "cr\rinside"


def test_plain_tsv_is_unchanged_when_nothing_needs_quotes(tmp_path):
    write_table(pd.DataFrame({"a": ["x", "y"], "b": [1.5, 2.0]}), tmp_path / "t.tsv")
    assert (tmp_path / "t.tsv").read_text() == "a\tb\nx\t1.5\ny\t2.0\n"


def test_direction_overrides_are_neutralised_in_names_and_report_file_names():
    from belonging.report._data import slugify

    name = "Cohort\u202egnp.exe"
    assert "\u202e" not in neutralise_bidi(name) and neutralise_bidi(name) == "Cohortgnp.exe"
    slug = slugify(name)
    assert slug.isascii() and "\u202e" not in slug and "/" not in slug
    assert neutralise_bidi("\u0627\u200f\u05d0") == "\u0627\u200f\u05d0"  # letters and implicit marks stay
