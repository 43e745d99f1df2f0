"""Property: arbitrary cell text in a non-item column of a generic CSV, TSV, XLSX or Parquet table
reads back unchanged (leading zeros, spaces, exponents, signs, booleans, dates, quotes, delimiters,
newlines, unicode). Only an empty cell is missing."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import belonging as bl

SPECIAL = ["NA", "nan", "inf", "=1+2", "+1", "-5", "-0", "@home", "007", " 3 ", "1e5", "1.50", "0x10", "True", "false",
           "2024-01-01", "2024-01-01 10:00:00", "10:00:00", '"', '""', ",", "\t", ";", "|", "\n", "\r\n", " lead", "trail ", "3", "12"]
CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=25),
    st.sampled_from(SPECIAL),
    st.from_regex(r"\A[ +\-0]?[0-9]{1,4}(\.[0-9]{0,3})?(e[0-9])? ?\Z"),
    st.sampled_from(["2.0499999999999998", "-0.5", "0.25"]),
)
XLSX_CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"), max_size=25),
    st.sampled_from([c for c in SPECIAL if "\r" not in c]),
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


PLAIN_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")


def _same(value, text):
    """A cell read back: text unchanged; a number only from its canonical spelling (str(int), or a plain
    decimal without sign, exponent, spaces or leading zeros) and equal to it."""
    if isinstance(value, str):
        return value == text
    if isinstance(value, float):
        return bool(PLAIN_DECIMAL.fullmatch(text)) and float(text) == value
    return str(value) == text


def _check(got, cells):
    expected = pd.Series(cells, dtype=object)
    assert len(got) == len(cells)
    assert got.isna().tolist() == (expected == "").tolist()
    pairs = list(zip(got[got.notna()].tolist(), expected[expected != ""].tolist(), strict=True))
    assert all(_same(v, t) for v, t in pairs), pairs


def _delimited(tmp_path, cells, delimiter):
    buf = io.StringIO()
    rows = [["response_id", "section", "q1"]] + [[f"R{i}", c, str(i % 5 + 1)] for i, c in enumerate(cells)]
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "t.txt"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    r = bl.read_export(path)
    assert r.provenance.platform == "generic"
    _check(r.data["section"], cells)
    assert r.data["q1"].tolist() == [i % 5 + 1 for i in range(len(cells))]


@SETTINGS
@given(cells=st.lists(CELL, min_size=1, max_size=6))
def test_generic_csv_roundtrip(tmp_path, cells):
    _delimited(tmp_path, cells, ",")


@SETTINGS
@given(cells=st.lists(CELL, min_size=1, max_size=6))
def test_generic_tsv_roundtrip(tmp_path, cells):
    _delimited(tmp_path, cells, "\t")


@SETTINGS
@given(cells=st.lists(st.from_regex(r"\A[ +\-0]?[0-9]{1,3}(\.[0-9]{0,2})? ?\Z") | st.sampled_from(["007", "1e5", "nan", "3"]), min_size=1, max_size=8))
def test_generic_csv_number_like_roundtrip(tmp_path, cells):
    _delimited(tmp_path, cells, ",")


@SETTINGS
@given(cells=st.lists(XLSX_CELL, min_size=1, max_size=6))
def test_generic_xlsx_roundtrip(tmp_path, cells):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["response_id", "section", "q1"])
    for i, c in enumerate(cells):
        ws.append([f"R{i}", c or None, i % 5 + 1])
    for row in ws.iter_rows(min_row=2):
        if isinstance(row[1].value, str):
            row[1].data_type = "s"  # text as the platforms store it (not a formula)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    r = bl.read_export(path)
    assert r.provenance.platform == "generic"
    _check(r.data["section"].map(lambda v: v if pd.isna(v) else str(v)), cells)


@SETTINGS
@given(cells=st.lists(CELL, min_size=1, max_size=6))
def test_generic_parquet_roundtrip(tmp_path, cells):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"response_id": [f"R{i}" for i in range(len(cells))], "section": [c or None for c in cells], "q1": range(len(cells))}).to_parquet(path)
    r = bl.read_export(path)
    _check(r.data["section"], cells)


@SETTINGS
@given(
    cells=st.lists(st.from_regex(r"\A[+\-0]?[0-9]{1,3}\Z") | st.sampled_from(["007", "+3", "-0", "00", "3", "12", "-7"]), min_size=1, max_size=8),
    blank_after=st.sets(st.integers(0, 8)),
    final_newline=st.booleans(),
)
def test_integer_cells_with_lf_line_ends_blank_lines_and_no_final_newline(tmp_path, cells, blank_after, final_newline):
    """Integer-looking cells in a file with ``\\n`` line ends (the length check's quick route), blank
    lines anywhere and with or without a final newline: a column keeps its integer type only when every
    cell is spelled canonically, else every cell reads back as written."""
    lines = ["response_id,section,q1"]
    for i, c in enumerate(cells):
        lines.append(f"R{i},{c},{i % 5 + 1}")
        if i in blank_after:
            lines.append("")
    text = "\n".join(lines) + ("\n" if final_newline else "")
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    r = bl.read_export(path)
    _check(r.data["section"], cells)
    assert r.data["q1"].tolist() == [i % 5 + 1 for i in range(len(cells))]
