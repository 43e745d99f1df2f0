"""Fast paths of the reader give exactly what the general paths give (large exports take them)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

import belonging as bl
from belonging.errors import IngestError
from belonging.ingest import generic

QHEAD = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "ResponseId", "Q1_1", "Q1_2", "Note"]
LABELS = ["Not at all true", "Slightly true", "Somewhat true", "Mostly true", "Completely true", "", "3", "NA"]


def _export(n=3000, *, note=lambda i: "", seed=3):
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 40 * 86400, n), unit="s")
    rows = [
        [
            f"{t:%Y-%m-%d %H:%M:%S}", f"{t + pd.Timedelta(seconds=600):%Y-%m-%d %H:%M:%S}",
            "Survey Preview" if i % 97 == 5 else "IP Address", "100", "600", "True" if i % 13 else "False", f"R_{i:06d}",
            LABELS[rng.integers(len(LABELS))], LABELS[rng.integers(len(LABELS))], note(i),
        ]
        for i, t in enumerate(start)
    ]
    ids = [f'{{"ImportId":"{n}"}}' for n in QHEAD]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([QHEAD, QHEAD, ids, *rows])
    return buf.getvalue()


def _read_both(monkeypatch, path):
    """The export read serially and by pyarrow's worker threads in small blocks."""
    monkeypatch.setattr(generic, "_THREADS_FROM", 1 << 40)
    serial = bl.read_export(path)
    monkeypatch.setattr(generic, "_THREADS_FROM", 0)
    monkeypatch.setattr(generic, "_BLOCK_SIZE", 1 << 12)
    threaded = bl.read_export(path)
    return serial, threaded


@pytest.mark.parametrize("note", [lambda i: "", lambda i: 'said "hi",\nthen left' if i % 50 == 7 else ""], ids=["no-quotes", "quoted"])
def test_threaded_and_quote_free_parse_equal_the_serial_parse(tmp_path, monkeypatch, note):
    path = tmp_path / "q.csv"
    path.write_text(_export(note=note), encoding="utf-8")
    serial, threaded = _read_both(monkeypatch, path)
    pd.testing.assert_frame_equal(threaded.data, serial.data, check_exact=True)
    pd.testing.assert_frame_equal(threaded.dropped, serial.dropped, check_exact=True)
    assert threaded.provenance == serial.provenance
    assert set(threaded.data["Note"].dropna()) == {note(7)} - {""}


@pytest.mark.parametrize("quote", ["", '"'])
def test_malformed_body_gives_the_serial_message_in_every_mode(tmp_path, monkeypatch, quote):
    text = _export(note=lambda i: f"{quote}x{quote}" if i == 5 else "").splitlines(keepends=True)
    text[1500] = text[1500].rstrip("\n") + ",extra,cells\n"  # one record with too many cells
    path = tmp_path / "bad.csv"
    path.write_text("".join(text), encoding="utf-8")
    messages = []
    for threads_from in (1 << 40, 0):
        monkeypatch.setattr(generic, "_THREADS_FROM", threads_from)
        with pytest.raises(IngestError) as err:
            bl.read_export(path)
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "line 1501" in messages[0]


def test_cp1252_body_falls_back_in_threaded_mode(tmp_path, monkeypatch):
    path = tmp_path / "cp.csv"
    path.write_bytes(_export(note=lambda i: "caf\u00e9" if i == 2000 else "").encode("cp1252"))
    serial, threaded = _read_both(monkeypatch, path)
    assert threaded.provenance.encoding == serial.provenance.encoding == "cp1252"
    pd.testing.assert_frame_equal(threaded.data, serial.data, check_exact=True)
    assert "caf\u00e9" in threaded.data["Note"].tolist()


TIMES = {
    "plain": ["2024-03-04 09:12:44", None, "2024-12-31 23:59:59", "0000-01-01 00:00:00", "9999-12-31 23:59:59"],
    "leap day": ["2024-02-29 10:00:00", "2024-03-01 00:00:00"],
    "no such day": ["2024-03-04 09:12:44", "2023-02-29 10:00:00"],
    "leap second": ["2024-03-04 09:12:44", "2016-12-31 23:59:60"],
    "hour 24": ["2024-03-04 24:00:00"],
    "T separator": ["2024-03-04T09:12:44", "2024-03-04 09:12:44"],
    "offset": ["2024-03-04T09:12:44+01:00", "2024-03-04T09:12:44Z"],
    "zone words": ["2024-03-04 09:12 UTC+1", "2024-03-04 09:12:44"],
    "short fields": ["2024-3-4 9:12:44", "2024-03-04 09:12:44"],
    "spaces": [" 2024-03-04 09:12:44", "2024-03-04 09:12:44 ", "   "],
    "US format": ["03/04/2024 09:12", "12/31/2024 23:59"],
    "nineteen other": ["2024-03-04 09:12+01", "2024/03/04 09:12:44"],
    "empty": [None, ""],
    "not ascii": ["2024-03-04 09:12:4\u0664", "2024-03-04 09:12:44"],
    "dst gap": ["2024-03-10 02:30:00", "2024-03-10 01:30:00"],
}


def _outcome(values, dtype, timezone):
    from belonging.ingest.canonical import parse_times

    s = pd.Series(values, dtype=dtype, name="StartDate", index=pd.RangeIndex(10, 10 + len(values)))
    formats = bl.ingest.platforms.load_specs()["qualtrics"].date_formats
    try:
        return parse_times("f.csv", s, formats, timezone=timezone, column="started_at", rows=np.arange(1, len(s) + 1))
    except (IngestError, NotImplementedError) as err:  # NotImplementedError: years 0 and 9999 in a local zone
        return f"{type(err).__name__}: {err}"


@pytest.mark.parametrize("timezone", [None, "America/New_York"])
@pytest.mark.parametrize("case", list(TIMES))
def test_arrow_time_parse_equals_the_pandas_parse(case, timezone):
    fast = _outcome(TIMES[case], "str", timezone)  # Arrow-backed text: the cast is tried first
    general = _outcome(TIMES[case], object, timezone)  # the general path only
    if isinstance(general, str):
        assert fast == general
    else:
        pd.testing.assert_series_equal(fast, general, check_exact=True)


def test_arrow_time_parse_taken_only_for_plain_iso_seconds():
    from belonging.ingest.canonical import _iso_seconds

    taken = {case for case, values in TIMES.items() if _iso_seconds(pd.Series(values, dtype="str")) is not None}
    assert taken == {"plain", "leap day", "dst gap"}
    assert _iso_seconds(pd.Series(TIMES["plain"], dtype=object)) is None


def test_hash_taken_on_a_worker_thread_is_the_file_hash(tmp_path, monkeypatch):
    import hashlib

    path = tmp_path / "q.csv"
    path.write_text(_export(n=200), encoding="utf-8")
    monkeypatch.setattr(generic, "_HASH_LATER_FROM", 0)
    assert bl.read_export(path).provenance.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("pattern", ["none", "all", "first", "last", "alternate"])
def test_keep_rows_equals_row_selection_at_the_edges(tmp_path, pattern):
    from belonging.ingest.canonical import keep_rows

    path = tmp_path / "q.csv"
    path.write_text(_export(n=60), encoding="utf-8")
    frame = bl.read_export(path).data
    n = len(frame)
    keep = {
        "none": np.zeros(n, bool), "all": np.ones(n, bool), "first": np.arange(n) == 0,
        "last": np.arange(n) == n - 1, "alternate": np.arange(n) % 2 == 0,
    }[pattern]
    pd.testing.assert_frame_equal(keep_rows(frame, keep), frame.loc[keep].reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_status_values_mapped_once_per_distinct_value(dtype):
    from belonging.ingest.canonical import _map_values

    values = {"1": "preview", "Survey Preview": "preview", "2": "test"}
    s = pd.Series(["1", None, "Survey Preview", "x", "2", "", "1"], dtype=dtype, name="Status", index=range(5, 12))
    pd.testing.assert_series_equal(_map_values(s, values), s.map(values).astype("string"), check_exact=True)


def test_parse_delimited_takes_a_memoryview_body():
    text = "a,b\n1,x\n2,\n"
    frame = generic.parse_delimited("f.csv", text, delimiter=",", body_offset=4, names=["a", "b"], all_text=True,
                                    body=memoryview(text.encode())[4:])
    assert frame["a"].tolist() == ["1", "2"] and frame["b"].isna().tolist() == [False, True]


def test_reading_before_pandas_is_imported(tmp_path):
    """The command line reads with pandas not yet imported: it is imported on a background thread
    during the parse. A fresh interpreter gets the same frame as this one."""
    import subprocess
    import sys

    import pandas as pd

    import belonging as bl

    path = tmp_path / "export.csv"
    path.write_text("response_id,pssm_01,pssm_02,note\nR1,3,4,=x\nR2,1,,007\nR3,5,2,\n")
    script = (
        "import sys\n"
        "from belonging.ingest import read_export\n"
        "assert 'pandas' not in sys.modules\n"
        f"r = read_export({str(path)!r})\n"
        "r.data.to_pickle(sys.argv[1])\n"
    )
    out = tmp_path / "frame.pkl"
    subprocess.run([sys.executable, "-c", script, str(out)], check=True)
    pd.testing.assert_frame_equal(pd.read_pickle(out), bl.read_export(path).data)


def test_blank_ids_from_arrow_kernels_equal_strip():
    import numpy as np
    import pandas as pd

    from belonging.ingest.read import _blank_cells

    cells = ["R1", "", " ", "\t", None, " R2 ", "\u00a0", "x\n", "\n", "\u00a0\u2003 ", "\u00e9", "\u2003x", "\x1f", " \u00a0"]
    want = np.array([c is None or c.strip() == "" for c in cells])
    for dtype in ("string[pyarrow]", "string[python]", "str"):
        np.testing.assert_array_equal(_blank_cells(pd.Series(cells, dtype=dtype)), want, err_msg=dtype)
    # several Arrow chunks, sliced, with nulls: the first-byte route equals strip cell by cell
    import pyarrow as pa

    arr = pa.array(cells * 3, pa.large_string())
    chunked = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([arr.slice(0, 5), arr.slice(5, 20), arr.slice(25)])))
    np.testing.assert_array_equal(_blank_cells(chunked), np.tile(want, 3))


@pytest.mark.parametrize("size", [1_000, (1 << 24) + 5])
def test_read_and_hash_gives_the_bytes_and_their_sha256(tmp_path, monkeypatch, size):
    """Small files are read and hashed at once; large ones read and hashed on a worker while pyarrow is
    imported (forced here by hiding it from sys.modules): the same bytes and digest either way, and the
    same one-line errors for a missing file or a folder."""
    import hashlib
    import sys

    from belonging.errors import IngestError
    from belonging.ingest.generic import read_and_hash

    path = tmp_path / "big.csv"
    payload = (b"response_id,q1\n" + b"R1,3\n" * (size // 5))[:size]
    path.write_bytes(payload)
    monkeypatch.delitem(sys.modules, "pyarrow.csv", raising=False)
    data, digest = read_and_hash(path)
    assert data == payload
    assert digest() == hashlib.sha256(payload).hexdigest()
    with pytest.raises(IngestError, match="no such file"):
        read_and_hash(tmp_path / "missing.csv")
    with pytest.raises(IngestError, match="is a folder"):
        read_and_hash(tmp_path)
