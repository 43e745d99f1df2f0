"""Item 10 of issue 22: seeds drawn, used and recorded; score files carry their provenance."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

import pandas as pd
import pyarrow.parquet as pq
import pytest
from _hardening_data import pssm_survey

import belonging as bl
import belonging._io as bio
from belonging._io import sidecar_path
from belonging.cli import main

PSSM = bl.load_instrument("pssm")


def _survey(path, rows=80, seed=3):
    pssm_survey(rows, seed).to_csv(path, index=False)


def _check_record(record, src):
    assert record["input"]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert record["instrument"]["id"] == "pssm" and record["belonging_version"] == bl.__version__
    assert record["parameters"]["command"] == "score" and record["parameters"]["keep"] == "cohort"


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".xlsx"])
def test_score_files_carry_their_provenance(tmp_path, capsys, suffix):
    src = tmp_path / "survey.csv"
    _survey(src)
    out = tmp_path / f"scores{suffix}"
    assert main(["score", str(src), "--instrument", "pssm", "--keep", "cohort", "-o", str(out)]) == 0
    if suffix in (".csv", ".tsv"):
        record = json.loads(sidecar_path(out).read_text(encoding="utf-8"))
        assert sidecar_path(out).name == f"scores{suffix}.provenance.json"
    elif suffix == ".parquet":
        record = json.loads(pq.read_schema(out).metadata[b"belonging.provenance"])
        assert pd.read_parquet(out)["cohort"].tolist()[:2] == ["A", "B"]  # the table as before
    else:
        with zipfile.ZipFile(out) as z:
            core = z.read("docProps/core.xml").decode("utf-8")
        assert f"belonging {bl.__version__}" in core
        from openpyxl import load_workbook

        record = json.loads(load_workbook(out).properties.description)
    _check_record(record, src)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("scores")) == sorted(
        [out.name] + ([sidecar_path(out).name] if suffix in (".csv", ".tsv") else []))


def test_stdout_and_validate_outputs(tmp_path, capsys):
    src = tmp_path / "survey.csv"
    _survey(src)
    assert main(["score", str(src), "--instrument", "pssm", "-o", "-"]) == 0
    assert not list(tmp_path.glob("*.provenance.json"))  # standard output has no sidecar
    assert main(["validate", str(src), "--instrument", "pssm", "-o", str(tmp_path / "q.csv"), "--issues", str(tmp_path / "i.tsv")]) == 0
    assert json.loads(sidecar_path(tmp_path / "q.csv").read_text())["parameters"]["command"] == "validate"
    assert sidecar_path(tmp_path / "i.tsv").exists()


def test_table_and_sidecar_are_written_together_or_not_at_all(tmp_path, monkeypatch):
    out = tmp_path / "scores.csv"
    out.write_text("old")

    def broken(df, tmp, fmt):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bio, "_write_into", broken)
    with pytest.raises(bl.OutputError, match="scores.csv: cannot write"):
        bio.write_table(pd.DataFrame({"a": [1]}), out, provenance={"seed": 1})
    assert out.read_text() == "old" and not sidecar_path(out).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]


def _convention(text):
    return json.loads(text)["convention"]


def test_bootstrap_without_seed_draws_records_and_repeats(tmp_path, capsys):
    src = tmp_path / "survey.csv"
    _survey(src)
    argv = ["reliability", str(src), "--instrument", "pssm", "--ci-method", "bootstrap", "--n-boot", "200", "--format", "json"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    seed = int(re.search(r"drew seed (\d+)", err).group(1))
    assert f"seed {seed}" in _convention(out) and "seed None" not in out
    assert main([*argv, "--seed", str(seed)]) == 0
    again, err2 = capsys.readouterr()
    assert "drew seed" not in err2
    assert json.loads(again)["scales"] == json.loads(out)["scales"]  # the recorded seed repeats the run
    assert main([*argv[:4], "--format", "json"]) == 0  # Feldt: nothing random, nothing drawn
    feldt_err = capsys.readouterr().err
    assert "drew seed" not in feldt_err


def test_parallel_analysis_without_seed_draws_records_and_repeats(tmp_path, capsys):
    src = tmp_path / "survey.csv"
    _survey(src, rows=150)
    argv = ["efa", str(src), "--instrument", "pssm", "--n-iter", "20", "--format", "json", "--quiet"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "drew seed" not in err  # --quiet
    seed = int(re.search(r"seed (\d+)", json.loads(out)["convention"]).group(1))
    assert main([*argv, "--seed", str(seed)]) == 0
    assert json.loads(capsys.readouterr().out)["parallel"] == json.loads(out)["parallel"]


def test_report_records_no_drawn_seed(tmp_path):
    """A report draws nothing at random: its provenance keeps `seed: None` unless --seed is given."""
    from belonging._commands._guard import draw_seed
    from belonging.cli import build_parser

    args = build_parser().parse_args(["report", "x.csv", "--instrument", "ccs", "--by", "cohort", "-o", str(tmp_path)])
    assert draw_seed(args) is None and args.seed is None
