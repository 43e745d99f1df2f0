"""Output writing: atomic replacement and spreadsheet formula neutralisation."""

import pandas as pd
import pytest

from belonging._io import atomic_path, neutralise_formulas, write_table
from belonging.errors import UsageError


def test_neutralise_formulas_text_only():
    df = pd.DataFrame(
        {
            "cohort": ['=HYPERLINK("http://x","y")', "+1", "-cmd", "@SUM(A1)", "plain", None],
            "score": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    out = neutralise_formulas(df)
    assert out["cohort"].tolist()[:5] == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1", "'-cmd", "'@SUM(A1)", "plain"]
    assert pd.isna(out["cohort"].iloc[5])
    assert out["score"].tolist() == df["score"].tolist()  # numbers untouched
    assert df["cohort"].iloc[0].startswith("=")  # input not modified


def test_write_table_csv_is_neutralised(tmp_path):
    path = tmp_path / "t.csv"
    write_table(pd.DataFrame({"a": ["=1+1"]}), path)
    assert path.read_text().splitlines() == ["a", "'=1+1"]


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx", ".json"])
def test_outputs_get_the_permissions_of_an_ordinary_file(tmp_path, suffix):
    """Not mkstemp's owner-only 0600: 0666 less the umask, as `open` would create (readable by a web server)."""
    import os

    umask = os.umask(0o022)
    try:
        path = tmp_path / f"t{suffix}"
        write_table(pd.DataFrame({"a": [1.0, 2.0]}), path)
        assert path.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(umask)


def test_unknown_suffix_is_usage_error(tmp_path):
    with pytest.raises(UsageError, match="unknown output format"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.doc")


def test_missing_folder_is_an_error_not_a_new_tree(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "no" / "such" / "t.csv")
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("late_quote", [False, True])
def test_csv_in_row_chunks_equals_one_piece(tmp_path, monkeypatch, late_quote):
    """Large tables are formatted in chunks on threads: same bytes, and a cell needing quotes in a
    late chunk still switches the whole file to quoting (nothing half unquoted)."""
    import io

    import belonging._io as bio

    n = 1000
    df = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "x": [i / 7 for i in range(n)], "k": range(n)})
    df.loc[3, "x"] = float("nan")
    if late_quote:
        df.loc[n - 2, "id"] = 'has, "comma"'
    write_table(df, tmp_path / "one.csv")
    one = (tmp_path / "one.csv").read_bytes()
    monkeypatch.setattr(bio, "_CSV_CHUNK_ROWS", 64)
    monkeypatch.setattr(bio.os, "cpu_count", lambda: 2)
    write_table(df, tmp_path / "chunks.csv")
    assert (tmp_path / "chunks.csv").read_bytes() == one
    out = io.BytesIO()
    out.buffer = out  # a binary stream, as sys.stdout.buffer
    write_table(df, "-", stdout=out)
    assert out.getvalue() == one
    back = pd.read_csv(io.BytesIO(one), keep_default_na=False, na_values=[""])
    assert back["id"].tolist() == df["id"].tolist()
    assert len(one.splitlines()) == n + 1
    assert (b'"has, ""comma"""' in one) is late_quote


def test_formula_cells_from_arrow_buffers_equal_startswith():
    """The first-byte check over Arrow buffers equals str.startswith on every kind of cell and array:
    nulls, empty strings, multi-byte first characters, sliced and chunked arrays, string and large_string."""
    import numpy as np
    import pyarrow as pa

    from belonging._io import _FORMULA_START, _formula_cells

    cells = ["=1+1", "", None, "plain", "+49 30", "-", "@x", "\tTab", "\rcr", "é=", "日本", "=", " =not", None, "-3"]
    want = np.array([c is not None and c.startswith(_FORMULA_START) for c in cells])
    for kind in (pa.string(), pa.large_string()):
        arr = pa.array(cells, type=kind)
        for series in (
            pd.Series(pd.arrays.ArrowStringArray(arr)) if kind == pa.large_string() else pd.Series(arr.to_pylist(), dtype="string[pyarrow]"),
            pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([arr.slice(0, 4), arr.slice(4)]))),
        ):
            np.testing.assert_array_equal(_formula_cells(series), want)
        sliced = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([arr.slice(3, 9)])))
        np.testing.assert_array_equal(_formula_cells(sliced), want[3:12])
    empty_only = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([pa.array(["", None], pa.large_string())])))
    np.testing.assert_array_equal(_formula_cells(empty_only), [False, False])
    assert _formula_cells(pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([], pa.large_string())))).shape == (0,)
