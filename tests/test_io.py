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


@pytest.mark.parametrize("cpus", [1, 2])
@pytest.mark.parametrize("late_quote", [False, True])
def test_csv_in_row_chunks_equals_one_piece(tmp_path, monkeypatch, late_quote, cpus):
    """Large tables are formatted in chunks (on threads, or in turn on one CPU): same bytes, number
    columns converted a chunk at a time, and a cell needing quotes in a late chunk still switches the
    whole file to quoting (nothing half unquoted)."""
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
    monkeypatch.setattr(bio.os, "cpu_count", lambda: cpus)
    seen, real = [], bio._number_text
    monkeypatch.setattr(bio, "_number_text", lambda chunk: seen.append(len(chunk)) or real(chunk))
    write_table(df, tmp_path / "chunks.csv")
    assert (tmp_path / "chunks.csv").read_bytes() == one
    assert seen and max(seen) <= 64  # number columns converted a chunk at a time, never the whole table
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


@pytest.mark.parametrize("kind", ["float64", "float32", "int64", "int8", "uint16"])
def test_number_text_gives_the_writers_bytes(kind):
    """Number columns formatted through their distinct values give exactly the bytes pyarrow's CSV writer
    gives them cell by cell: signed zeros, NaN, infinities, nulls, extremes and subnormals included; columns
    with many distinct values (row numbers) are left to the writer."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from belonging._io import _FEW_VALUES_SAMPLE, _number_text

    rng = np.random.default_rng(7)
    n = 3 * _FEW_VALUES_SAMPLE + 5
    if kind.startswith("float"):
        info = np.finfo(kind)
        special = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, info.max, info.min, info.tiny, info.smallest_subnormal, 1 / 3, 69.75, 1e-7, 1e16], dtype=kind)
        values = special[rng.integers(0, len(special), n)]
        mask = rng.random(n) < 0.1
    else:
        info = np.iinfo(kind)
        special = np.array([0, 1, info.max, info.min, 7, 10, 99], dtype=kind)
        values = special[rng.integers(0, len(special), n)]
        mask = rng.random(n) < 0.1

    def csv_bytes(arr):
        out = pa.BufferOutputStream()
        pacsv.write_csv(pa.table({"v": arr}), out, write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"))
        return out.getvalue().to_pybytes()

    arr = pa.array(values, mask=mask)
    text = _number_text(arr)
    assert pa.types.is_string(text.type)  # few values: formatted through them
    assert csv_bytes(text) == csv_bytes(arr)
    sliced = arr.slice(1001, 2 * _FEW_VALUES_SAMPLE + 3)
    assert csv_bytes(_number_text(sliced)) == csv_bytes(sliced)
    many = pa.array(np.arange(n, dtype="int64" if kind.startswith("int") or kind.startswith("uint") else kind))
    assert _number_text(many) is many  # every value distinct: left to the writer
    short = pa.array(values[:100])
    assert _number_text(short) is short
    labels = pa.array(["a", "b"] * _FEW_VALUES_SAMPLE)
    assert _number_text(labels) is labels


def test_csv_of_scores_equals_cell_by_cell_formatting(tmp_path, monkeypatch):
    """A large scores-like table (few distinct doubles and counts, unique ids and row numbers) is written
    with the same bytes whether or not number columns are formatted through their distinct values."""
    import numpy as np

    import belonging._io as bio

    rng = np.random.default_rng(3)
    n = 50_000
    sums, counts = rng.integers(18, 91, n), rng.integers(16, 19, n)
    score = 18.0 * sums / counts
    score[rng.random(n) < 0.05] = np.nan
    df = pd.DataFrame({"response_id": [f"R{i:07d}" for i in range(n)], "pssm": score, "pssm_n_answered": counts,
                       "status": np.where(rng.random(n) < 0.01, "flagged", "kept"), "source_row": np.arange(1, n + 1)})
    real, converted = bio._number_text, []

    def spy(chunk):
        out = real(chunk)
        if out is not chunk:
            converted.append(chunk.type)
        return out

    monkeypatch.setattr(bio, "_number_text", spy)
    write_table(df, tmp_path / "fast.csv")
    assert sorted(map(str, converted)) == ["double", "int64"]  # the score and the count, not the row number
    monkeypatch.setattr(bio, "_number_text", lambda chunk: chunk)
    write_table(df, tmp_path / "plain.csv")
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
    back = pd.read_csv(tmp_path / "fast.csv")
    np.testing.assert_array_equal(back["pssm"].to_numpy(), score)  # round trip, bit for bit
