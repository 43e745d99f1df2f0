"""Item 2 of issue 22: a kept column never replaces a computed one (CLI and API)."""

from __future__ import annotations

import pandas as pd
import pytest

import belonging as bl
from belonging.cli import main

PSSM = bl.load_instrument("pssm")


def _survey(path, rows=6):
    df = pd.DataFrame({i: [(r + j) % 5 + 1 for r in range(rows)] for j, i in enumerate(PSSM.item_ids)})
    df.insert(0, "response_id", [f"R{r}" for r in range(rows)])
    df["status"] = ["kept by the registrar"] * rows  # an input column named like an output column
    df["pssm"] = [99.0] * rows  # a total someone computed before
    df["pssm_n_answered"] = [18] * rows
    df["cohort"] = ["A"] * rows
    df.to_csv(path, index=False)
    return df


@pytest.mark.parametrize("keep", ["status", "pssm", "cohort,pssm", "response_id", "pssm_n_answered", "source_row"])
def test_score_keep_clashing_with_an_output_column_is_a_usage_error(tmp_path, capsys, keep):
    src = tmp_path / "survey.csv"
    _survey(src)
    before = src.read_bytes()
    out = tmp_path / "scores.csv"
    code = main(["score", str(src), "--instrument", "pssm", "--keep", keep, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    clash = [k for k in keep.split(",") if k != "cohort"][0]
    assert err == (f"error: --keep: column {clash!r} has the name of a column the output computes; a kept column never "
                   "replaces a computed one: rename it in the input or leave it out of --keep\n")
    assert not out.exists() and src.read_bytes() == before


def test_api_keep_clash_and_the_computed_values_stay(tmp_path):
    df = _survey(tmp_path / "s.csv")
    responses = bl.read_export(tmp_path / "s.csv")
    quality = bl.check_quality(responses, PSSM)
    with pytest.raises(bl.UsageError, match="column 'status' has the name of a column the output computes"):
        bl.score(responses, PSSM, quality=quality, keep=["cohort", "status"])
    with pytest.raises(bl.UsageError, match="column 'pssm' has the name"):
        bl.score(df, PSSM, keep=["pssm"])
    scores = bl.score(responses, PSSM, quality=quality, keep=["cohort"])
    assert (scores["status"] == "kept").all() and (scores["pssm"] < 99).all()  # computed, not the input's
    assert bl.score(df, PSSM, keep=["status"])["status"].tolist() == df["status"].tolist()  # no quality: no clash
