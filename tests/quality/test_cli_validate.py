"""`belonging validate` (exit codes, CSV, summary) and the quality wiring of `belonging score`."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import belonging as bl
from belonging.cli import main

PSSM = bl.load_instrument("pssm")
FIX = Path(__file__).parents[1] / "fixtures" / "platforms"


def write_survey(path, n=40, seed=0, changes=None):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=(n, 1))
    codes = np.clip(np.round(3 + theta + rng.normal(scale=0.7, size=(n, len(PSSM.item_ids)))), 1, 5).astype(int)
    df = pd.DataFrame(codes, columns=list(PSSM.item_ids)).astype(object)
    df.insert(0, "response_id", [f"R{i}" for i in range(n)])
    df.insert(1, "duration_s", rng.uniform(300, 900, n).round(1))
    df["cohort"] = "A"
    df["email"] = [f"s{i}@example.org" for i in range(n)]
    for (row, col), value in (changes or {}).items():
        df.loc[row, col] = value
    df.to_csv(path, index=False)
    return df


def test_clean_input_exits_0_and_writes_one_row_per_input_row(tmp_path, capsys):
    src = tmp_path / "s.csv"
    write_survey(src)
    out = tmp_path / "quality.csv"
    assert main(["validate", str(src), "--instrument", "pssm", "-o", str(out)]) == 0
    rows = pd.read_csv(out, keep_default_na=False)
    assert len(rows) == 40
    assert list(rows.columns[:4]) == ["source_row", "response_id", "status", "reasons"]
    assert rows["source_row"].tolist() == list(range(1, 41))
    assert set(rows["status"]) <= {"kept", "flagged"}
    err = capsys.readouterr().err
    assert "40 row(s) checked on pssm" in err
    assert "speeder_fraction=0.3333" in err and "mahalanobis_p=0.001" in err
    assert "example.org" not in out.read_text()


def test_flags_alone_exit_0(tmp_path, capsys):
    src = tmp_path / "s.csv"
    write_survey(src, changes={(0, "duration_s"): 5.0})
    out = tmp_path / "q.csv"
    assert main(["validate", str(src), "--instrument", "pssm", "-o", str(out)]) == 0
    rows = pd.read_csv(out, keep_default_na=False)
    assert rows.loc[0, "status"] == "flagged" and "speeder" in rows.loc[0, "reasons"]
    assert "speeder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({(3, "pssm_04"): 7}, "out_of_range"),
        ({(3, "pssm_10"): "often"}, "unknown_label"),
        ({(3, "response_id"): "R2"}, "duplicate"),
        ({(3, "email"): "s2@example.org"}, "duplicate"),
    ],
)
def test_exclusions_exit_1(tmp_path, capsys, changes, reason):
    src = tmp_path / "s.csv"
    write_survey(src, changes=changes)
    out = tmp_path / "q.csv"
    issues = tmp_path / "issues.csv"
    assert main(["validate", str(src), "--instrument", "pssm", "-o", str(out), "--issues", str(issues)]) == 1
    rows = pd.read_csv(out, keep_default_na=False)
    assert rows.loc[3, "status"] == "excluded" and reason in rows.loc[3, "reasons"].split(";")
    assert (rows.drop(index=3)["status"] != "excluded").all()
    err = capsys.readouterr().err
    assert "excluded 1" in err and reason in err
    if reason in ("out_of_range", "unknown_label"):
        iss = pd.read_csv(issues)
        assert iss.loc[0, "row"] == 4 and iss.loc[0, "reason"] == reason


def test_policy_flags_change_exit_code(tmp_path):
    src = tmp_path / "s.csv"
    write_survey(src, changes={(0, "duration_s"): 5.0})
    assert main(["validate", str(src), "--instrument", "pssm", "--exclude", "speeder"]) == 1
    policy = tmp_path / "p.toml"
    policy.write_text('[actions]\nspeeder = "exclude"\n', encoding="utf-8")
    assert main(["validate", str(src), "--instrument", "pssm", "--policy", str(policy)]) == 1
    assert main(["validate", str(src), "--instrument", "pssm", "--policy", str(policy), "--flag", "speeder"]) == 0
    assert main(["validate", str(src), "--instrument", "pssm", "--exclude", "speeder", "--threshold", "speeder_seconds_per_item=0.1", "--threshold", "speeder_fraction=0.001"]) == 0


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--exclude", "speedr"], "unknown [actions] key 'speedr'"),
        (["--threshold", "speeder_fraction"], "expected NAME=NUMBER"),
        (["--threshold", "nope=1"], "unknown [thresholds] key 'nope'"),
        (["--policy", "/nonexistent.toml"], "policy file does not exist"),
        (["-o", "q.docx"], "unknown output format"),
    ],
)
def test_usage_errors_exit_2(tmp_path, capsys, argv, fragment):
    src = tmp_path / "s.csv"
    write_survey(src)
    assert main(["validate", str(src), "--instrument", "pssm", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err and err.count("\n") == 1


def test_previews_appear_in_validate_output(tmp_path):
    out = tmp_path / "q.csv"
    code = main(["validate", str(FIX / "qualtrics_numeric.csv"), "--instrument", "ccs", "--map", str(FIX / "maps" / "qualtrics_numeric.toml"), "-o", str(out)])
    assert code == 1  # previews are excluded
    rows = pd.read_csv(out, keep_default_na=False)
    resp = bl.read_export(FIX / "qualtrics_numeric.csv")
    assert len(rows) == resp.n_records
    assert (rows.loc[rows["reasons"] == "preview", "status"] == "excluded").all()
    assert (rows["reasons"] == "preview").sum() == len(resp.dropped)


def test_score_carries_status_and_reconciles_with_validate(tmp_path, capsys):
    src = tmp_path / "s.csv"
    write_survey(src, changes={(1, "pssm_04"): 7, (2, "duration_s"): 4.0})
    scores_path, quality_path = tmp_path / "scores.csv", tmp_path / "q.csv"
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(scores_path)]) == 0
    assert main(["validate", str(src), "--instrument", "pssm", "-o", str(quality_path)]) == 1
    scores = pd.read_csv(scores_path)
    quality = pd.read_csv(quality_path, keep_default_na=False)
    assert len(scores) == len(quality) == 40
    assert scores["status"].tolist() == quality["status"].tolist()
    assert np.isnan(scores.loc[1, "pssm"]) and scores.loc[1, "status"] == "excluded"
    assert np.isfinite(scores.loc[2, "pssm"]) and scores.loc[2, "status"] == "flagged"
    assert scores.loc[scores["status"] == "excluded", "pssm"].isna().all()
    err = capsys.readouterr().err
    assert "quality: kept" in err

    strict = tmp_path / "strict.csv"
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(strict), "--exclude-flagged"]) == 0
    s2 = pd.read_csv(strict)
    assert s2.loc[s2["status"] != "kept", "pssm"].isna().all()
    assert s2.loc[s2["status"] == "kept", "pssm"].notna().all()


def test_score_policy_option(tmp_path):
    src = tmp_path / "s.csv"
    write_survey(src, changes={(2, "duration_s"): 4.0})
    out = tmp_path / "scores.csv"
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(out), "--exclude", "speeder"]) == 0
    scores = pd.read_csv(out)
    assert scores.loc[2, "status"] == "excluded" and np.isnan(scores.loc[2, "pssm"])
