"""Item 8 of issue 22 (mixed encodings, UTF-16 without a byte-order mark) and the 10 MB cell of item 9."""

from __future__ import annotations

import pandas as pd
import pytest

import belonging as bl
from belonging.cli import main
from belonging.ingest.encoding import bad_utf8_lines, check_mixed_utf8, decode_lines

PSSM = bl.load_instrument("pssm")
COHORTS = ["Zürich Médecine", "Genève Droit", "Köln Sozialwesen"]


def _frame(rows=60):
    df = pd.DataFrame({i: [(r + j) % 5 + 1 for r in range(rows)] for j, i in enumerate(PSSM.item_ids)})
    df.insert(0, "response_id", [f"R{r}" for r in range(rows)])
    df["cohort"] = [COHORTS[r % 3] for r in range(rows)]
    return df


def _mixed(path, latin_rows=(5, 9, 40)):
    """A UTF-8 export in which a few rows were pasted from a Latin-1 file (line = row + 2)."""
    lines = _frame().to_csv(index=False).splitlines(keepends=True)
    path.write_bytes(b"".join(line.encode("latin-1") if i - 1 in latin_rows else line.encode("utf-8") for i, line in enumerate(lines)))
    return [r + 2 for r in latin_rows]


def test_a_utf8_file_with_latin1_rows_stops_with_the_line_numbers(tmp_path, capsys):
    src = tmp_path / "mixed.csv"
    lines = _mixed(src)
    out = tmp_path / "s.csv"
    assert main(["score", str(src), "--instrument", "pssm", "--keep", "cohort", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == (f"error: {src}: mixed text encodings: the file is UTF-8 but lines {', '.join(map(str, lines))} are not "
                   "(they look like Windows-1252/Latin-1), so it cannot be read in one encoding; save the file again as "
                   "UTF-8, or read those lines as Windows-1252 with --encoding-errors replace\n")
    assert not out.exists()


def test_encoding_errors_replace_reads_each_line_in_its_encoding(tmp_path, capsys):
    src = tmp_path / "mixed.csv"
    lines = _mixed(src)
    out = tmp_path / "s.csv"
    assert main(["score", str(src), "--instrument", "pssm", "--keep", "cohort", "-o", str(out), "--encoding-errors", "replace"]) == 0
    err = capsys.readouterr().err
    assert f"text encoding utf-8 (lines {', '.join(map(str, lines))} read as cp1252) (--encoding-errors replace)" in err
    scores = pd.read_csv(out)
    assert sorted(scores["cohort"].unique()) == sorted(COHORTS)  # three cohorts, none garbled or split
    assert scores["cohort"].tolist() == _frame()["cohort"].tolist()
    assert main(["score", str(src), "--instrument", "pssm", "--encoding", "cp1252", "--encoding-errors", "replace", "-o", str(out)]) == 2


def test_qualtrics_export_with_latin1_rows(tmp_path, capsys):
    from pathlib import Path

    fix = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"
    text = (fix / "qualtrics_text.csv").read_text(encoding="utf-8")
    assert "é" in text or "ï" in text or any(ord(c) > 127 for c in text)
    lines = text.splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if i >= 3 and any(128 <= ord(c) < 256 for c in line))
    lines[1] = lines[1].replace("Start Date", "Date de début", 1)  # a UTF-8 question text
    src = tmp_path / "q.csv"
    src.write_bytes(b"".join(line.encode("latin-1", "replace") if i == first else line.encode("utf-8") for i, line in enumerate(lines)))
    argv = ["score", str(src), "--instrument", "ccs", "--map", str(fix / "maps" / "qualtrics.toml"), "-o", str(tmp_path / "s.csv")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"mixed text encodings: the file is UTF-8 but line {first + 1} is not" in err, err
    assert main([*argv, "--encoding-errors", "replace"]) == 0
    responses = bl.read_export(src, encoding="utf-8+cp1252")
    assert responses.provenance.encoding == f"utf-8 (line {first + 1} read as cp1252)"
    word = next(w for w in lines[first].replace(",", " ").split() if any(128 <= ord(c) < 256 for c in w)).strip('"')
    cells = pd.concat([responses.data.astype("string"), responses.dropped.astype("string")], axis=1)
    assert cells.apply(lambda c: c.str.contains(word, regex=False)).any().any()  # the Latin-1 line read right


def test_a_file_in_windows_1252_throughout_is_still_read(tmp_path, capsys):
    src = tmp_path / "latin.csv"
    src.write_bytes(_frame().to_csv(index=False).encode("cp1252"))
    out = tmp_path / "s.csv"
    assert main(["score", str(src), "--instrument", "pssm", "--keep", "cohort", "-o", str(out)]) == 0
    assert sorted(pd.read_csv(out)["cohort"].unique()) == sorted(COHORTS)


def test_a_utf8_byte_order_mark_with_latin1_lines_names_them(tmp_path, capsys):
    src = tmp_path / "bom.csv"
    _mixed(src, latin_rows=(3,))
    src.write_bytes(b"\xef\xbb\xbf" + src.read_bytes())
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(tmp_path / "s.csv")]) == 1
    assert "the file is UTF-8 but line 5 is not" in capsys.readouterr().err


def test_mixed_detection_is_vectorised_over_blocks(monkeypatch):
    """Bad bytes on both sides of a block boundary, and multi-byte characters split by it, are found
    exactly as a line-by-line decode finds them."""
    import belonging.ingest.encoding as enc

    monkeypatch.setattr(enc, "_CHUNK", 64)
    lines = [(f"{i},{COHORTS[i % 3]}\n").encode("latin-1" if i % 7 == 3 else "utf-8") for i in range(200)]
    data = b"".join(lines)
    want = [i + 1 for i, line in enumerate(lines) if _not_utf8(line)]
    got, utf8_lines = bad_utf8_lines(data)
    assert got.tolist() == want
    assert utf8_lines == 200 - len(want)
    text, label = decode_lines(data)
    assert text.splitlines() == [line.decode("cp1252" if _not_utf8(line) else "utf-8").rstrip("\n") for line in lines]
    assert text.count("Zürich") == len([i for i in range(200) if i % 3 == 0])
    with pytest.raises(bl.IngestError, match="mixed text encodings"):
        check_mixed_utf8("x.csv", data)


def _not_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("given", [True, False])
def test_utf16_without_a_byte_order_mark_is_text(tmp_path, capsys, encoding, given):
    src = tmp_path / "u16.csv"
    src.write_bytes(_frame().to_csv(index=False).encode(encoding))  # no BOM
    out = tmp_path / "s.csv"
    argv = ["score", str(src), "--instrument", "pssm", "--keep", "cohort", "-o", str(out)] + (["--encoding", encoding] if given else [])
    assert main(argv) == 0, capsys.readouterr().err
    assert pd.read_csv(out)["cohort"].tolist() == _frame()["cohort"].tolist()


@pytest.mark.parametrize("quoted", [False, True])
def test_a_10_mb_cell_is_read(tmp_path, capsys, quoted):
    df = _frame(rows=20)
    big = "x" * 10_000_000 if not quoted else ("a line,\n" * 1_250_000)
    df["essay"] = ["short"] * 20
    df.loc[7, "essay"] = big
    src = tmp_path / "big.csv"
    df.to_csv(src, index=False)
    out = tmp_path / "s.parquet"
    assert main(["score", str(src), "--instrument", "pssm", "--keep", "essay", "--keep-identifiers", "-o", str(out)]) == 0
    got = pd.read_parquet(out)["essay"]
    assert len(got) == 20 and got.iloc[7] == big and got.iloc[6] == "short"
