"""Item 9 of issue 22: full disks, duplicated columns, non-unique ids and library warnings say what
is wrong in one line (the 10 MB cell is in test_mixed_encodings.py, the symbolic link loop in test_guard_paths.py)."""

from __future__ import annotations

import errno
import os
import warnings

import pandas as pd
import pytest

import belonging as bl
import belonging._io as bio
from belonging._io import atomic_write_text, write_table
from belonging.cli import main
from belonging.errors import OutputError

PSSM = bl.load_instrument("pssm")


def _survey(path, rows=12, ids=None, extra=None):
    df = pd.DataFrame({i: [(r + j) % 5 + 1 for r in range(rows)] for j, i in enumerate(PSSM.item_ids)})
    df.insert(0, "sid_code", ids if ids is not None else [f"P{r}" for r in range(rows)])
    df["cohort"] = ["A", "B"] * (rows // 2)
    text = df.to_csv(index=False)
    if extra:
        text = extra(text)
    path.write_text(text)
    return df


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".xlsx", ".json"])
def test_a_full_disk_names_the_output_and_leaves_nothing(tmp_path, monkeypatch, suffix):
    target = tmp_path / f"scores{suffix}"
    target.write_text("the previous run's file")
    real_replace = os.replace

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bio.os, "replace", full)  # the last step of every atomic write
    with pytest.raises(OutputError) as info:
        write_table(pd.DataFrame({"a": [1.0]}), target)
    monkeypatch.setattr(bio.os, "replace", real_replace)
    assert str(info.value) == f"{target}: cannot write (No space left on device); free some space or write the output elsewhere"
    assert target.read_text() == "the previous run's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_full_disk_from_the_cli_is_one_line_with_the_path(tmp_path, capsys):
    """/dev/full (a device that is always full) behind a name with a table suffix: written directly, as a
    device must be (never replaced by a rename), and ENOSPC named with the path the user gave."""
    src = tmp_path / "s.csv"
    _survey(src)
    full = tmp_path / "full.csv"
    os.symlink("/dev/full", full)
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(full)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {full}") and "No space left on device" in err and err.count("\n") == 1, err
    assert os.path.islink(full) and os.readlink(full) == "/dev/full"  # the device was not replaced
    atomic_write_text("/dev/null", "discarded")  # devices are written in place
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_a_read_only_folder_is_named(tmp_path, monkeypatch):
    def refuse(*_a, **_k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(bio.os, "open", refuse)
    with pytest.raises(OutputError, match=r"out.csv: cannot write \(Permission denied\); check the folder's permissions"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")


def test_an_existing_folder_as_output_is_a_usage_error(tmp_path):
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(bl.UsageError, match="is a folder; give the name of the file"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.csv")


def test_a_duplicated_item_column_is_named(tmp_path, capsys):
    src = tmp_path / "dup.csv"
    _survey(src, extra=lambda t: "\n".join(line + "," + line.split(",")[1] for line in t.splitlines()) + "\n")  # pssm_01 again, last
    out = tmp_path / "s.csv"
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == (f"error: {src}: column 'pssm_01' appears 2 times in the header (the later ones read as 'pssm_01_2'); "
                   "item pssm_01 would come from the first one only; remove or rename the duplicate columns\n")
    assert not out.exists()


def test_a_duplicated_option_column_is_named_and_an_unused_one_is_fine(tmp_path, capsys):
    src = tmp_path / "dup.csv"
    _survey(src, extra=lambda t: t.replace(",cohort", ",cohort2", 1).replace("sid_code,", "cohort,", 1))
    df = pd.read_csv(src)
    assert list(df.columns[:1]) == ["cohort"]
    src.write_text(src.read_text().replace("cohort2", "cohort", 1))  # now "cohort" twice
    assert main(["reliability", str(src), "--instrument", "pssm", "--by", "cohort"]) == 1
    assert "column 'cohort' appears 2 times in the header" in capsys.readouterr().err
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(tmp_path / "s.csv")]) == 0  # not in use: fine


def test_a_non_unique_id_column_says_so(tmp_path, capsys):
    src = tmp_path / "s.csv"
    _survey(src, rows=120, ids=[f"C{r % 15}" for r in range(120)])
    out = tmp_path / "s_out.csv"
    assert main(["score", str(src), "--instrument", "pssm", "--id-column", "sid_code", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --id-column 'sid_code' is not unique: 105 of 120 rows repeat an earlier value (15 distinct)")
    assert not out.exists()
    _survey(src, rows=120, ids=[f"P{r}" for r in range(118)] + ["P3", "P4"])  # two resubmissions: the quality check's job
    assert main(["score", str(src), "--instrument", "pssm", "--id-column", "sid_code", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "duplicate" in err and (pd.read_csv(out)["status"] == "excluded").sum() == 2


def test_library_warnings_are_one_line_without_source_paths(capsys, monkeypatch):
    """A matplotlib warning (a glyph missing from the font) reaches stderr as `warning: ...`, with no path."""
    import matplotlib

    matplotlib.use("Agg")
    import io

    import matplotlib.pyplot as plt

    import belonging._commands.instruments as cmd

    def plot(_args):
        fig, ax = plt.subplots()
        ax.set_title("cohort \U0001f393")  # a glyph DejaVu Sans does not have
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
        return 0

    monkeypatch.setattr(cmd, "run_list", plot)
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as outside the test suite (pytest turns warnings into errors)
        assert main(["instruments", "list"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: Glyph 127891") and err.count("\n") >= 1
    assert "/" not in err and "UserWarning" not in err and ".py" not in err
