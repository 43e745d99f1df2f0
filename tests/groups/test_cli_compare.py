"""`belonging compare`: scores tables and exports scored on the fly, formats, warnings and errors."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import REF, load_ref
from numpy.testing import assert_allclose

import belonging as bl
from belonging.cli import main

DATA = str(REF / "data.csv")
PSSM = bl.load_instrument("pssm")


def run_json(argv, capsys):
    code = main([*argv, "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out), out.err


def test_scores_table_json_matches_r(capsys):
    payload, _ = run_json(["compare", DATA, "--outcome", "belonging", "--by", "mode", "--midpoint", "3",
                           "--covariates", "first_gen,prior_gpa", "--cluster", "section"], capsys)
    assert {"overall", "descriptives", "omnibus", "pairwise", "model", "adjusted", "icc", "warnings"} <= set(payload)
    ref = load_ref("descriptives.csv")
    assert_allclose([r["mean"] for r in payload["descriptives"]], ref["mean"][:4], atol=1e-12)
    assert_allclose(payload["overall"][0]["ci_low"], ref["ci_low"].iloc[4], atol=1e-12)
    first = payload["pairwise"][0]
    for key in ("group_a", "group_b", "difference", "ci_low", "ci_high", "hedges_g", "g_ci_low", "g_ci_high",
                "p_value", "p_adjusted"):
        assert key in first
    assert {"test", "statistic", "df1", "df2", "p_value", "effect_size"} <= set(payload["omnibus"][0])
    assert {"term", "estimate", "se", "ci_low", "ci_high", "p_value"} <= set(payload["model"][0])
    assert_allclose(payload["icc"], load_ref("mixed_variance.csv")["icc"].iloc[0], rtol=1e-4)


def test_weighted_json_is_design_based(capsys):
    payload, _ = run_json(["compare", DATA, "--outcome", "belonging", "--by", "mode", "--weights", "weight",
                           "--strata", "stratum", "--cluster", "section"], capsys)
    ref = load_ref("survey.csv").query("design == 'strata_clusters'")
    got = [payload["overall"][0]["se"]] + [r["se"] for r in payload["descriptives"]]
    assert_allclose(got, ref["se"], rtol=1e-4)
    assert "weighted_pairwise" in payload


def test_invariance_level_warns_on_stderr_and_in_json(capsys):
    payload, err = run_json(["compare", DATA, "--outcome", "belonging", "--by", "mode",
                             "--invariance-level", "metric"], capsys)
    assert payload["warnings"][0]["code"] == "noninvariant" and payload["warnings"][0]["where"] == "by=mode"
    assert "may not be comparable" in payload["warnings"][0]["message"]
    assert err.startswith("warning: scalar measurement invariance")


def test_check_invariance_fits_the_models_on_the_scored_responses(capsys):
    """--check-invariance runs belonging.invariance across --by on the same responses and reports its level."""
    from pathlib import Path

    sample = Path(__file__).parents[2] / "data" / "sample"
    argv = ["compare", str(sample / "qualtrics_export.csv"), "--instrument", "ccs", "--map", str(sample / "qualtrics_ccs_map.toml"),
            "--by", "mode", "--check-invariance", "--model", "none"]
    payload, err = run_json(argv, capsys)
    scores = bl.score(bl.read_export(sample / "qualtrics_export.csv"), "ccs", mapping=sample / "qualtrics_ccs_map.toml", keep=["mode"])
    items = bl.item_frame(bl.read_export(sample / "qualtrics_export.csv"), bl.load_instrument("ccs"), mapping=sample / "qualtrics_ccs_map.toml")
    items["mode"] = scores["mode"].to_numpy()
    expected = bl.invariance(items[scores["ccs"].notna().to_numpy()].reset_index(drop=True), "ccs", group="mode")
    assert f"invariance across mode: highest level supported {expected.level}" in err
    assert bool(payload["warnings"]) is (expected.level not in ("scalar", "strict"))
    assert main(["compare", DATA, "--outcome", "belonging", "--by", "mode", "--check-invariance"]) == 2
    assert "--check-invariance needs --instrument" in capsys.readouterr().err


def test_check_invariance_with_previews_set_aside(tmp_path, capsys):
    """Records set aside at ingest are rows of the scores but not of the item frame: the two still align."""
    from pathlib import Path

    sample = Path(__file__).parents[2] / "data" / "sample"
    raw = pd.read_csv(sample / "qualtrics_export.csv", header=None, dtype=str, keep_default_na=False)
    raw.iloc[3, 2] = "Survey Preview"  # the first response's Status (three header rows)
    path = tmp_path / "with_preview.csv"
    raw.to_csv(path, header=False, index=False)
    argv = ["compare", str(path), "--instrument", "ccs", "--map", str(sample / "qualtrics_ccs_map.toml"),
            "--by", "mode", "--check-invariance", "--model", "none"]
    _, err = run_json(argv, capsys)
    assert "invariance across mode: highest level supported" in err


def test_csv_table_to_file(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    code = main(["compare", DATA, "--outcome", "belonging", "--by", "mode", "--format", "csv",
                 "--table", "pairwise", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    df = pd.read_csv(out)
    assert len(df) == 6
    assert_allclose(df["difference"], load_ref("pairwise.csv")["difference"], atol=1e-12)


def test_table_format_lists_tables(capsys):
    assert main(["compare", DATA, "--outcome", "belonging", "--by", "mode"]) == 0
    text = capsys.readouterr().out
    for name in ("== descriptives ==", "== omnibus ==", "== pairwise =="):
        assert name in text


def write_export(path, n=120, seed=3):
    rng = np.random.default_rng(seed)
    cohort = rng.choice(["2024", "2025", "2026"], size=n)
    shift = pd.Series(cohort).map({"2024": 0, "2025": 1, "2026": 0}).to_numpy()
    df = pd.DataFrame({i: np.clip(rng.integers(1, 5, size=n) + shift, 1, 5) for i in PSSM.item_ids})
    df.insert(0, "response_id", [f"R{r}" for r in range(n)])
    df["cohort"] = cohort
    df["section"] = rng.choice(["s1", "s2", "s3", "s4"], size=n)
    df["email"] = [f"s{r}@example.org" for r in range(n)]
    df.to_csv(path, index=False)
    return df


def test_export_scored_on_the_fly(tmp_path, capsys):
    src = tmp_path / "survey.csv"
    write_export(src)
    payload, _ = run_json(["compare", str(src), "--instrument", "pssm", "--by", "cohort"], capsys)
    scores = bl.score(bl.read_export(str(src)), "pssm", keep=["cohort"],
                      quality=bl.check_quality(bl.read_export(str(src)), "pssm"))
    expected = scores.groupby("cohort")["pssm"].mean()
    got = {r["group"]: r["mean"] for r in payload["descriptives"]}
    assert_allclose([got[g] for g in expected.index], expected.to_numpy(), rtol=1e-12)
    # % favourable from the instrument: sum score above 18 items x midpoint 3
    fav = (scores["pssm"] > 54).sum()
    assert payload["overall"][0]["n_favourable"] == fav
    assert "email" not in json.dumps(payload)


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--by", "mode"], "give --instrument"),
    (["--outcome", "belonging", "--by", "mdoe"], "did you mean 'mode'"),
    (["--outcome", "belonging", "--by", "mode", "--model", "mixed"], "needs `cluster`"),
    (["--outcome", "belonging", "--by", "mode", "--exclude-flagged"], "--exclude-flagged needs --instrument"),
    (["--outcome", "belonging", "--by", "email"], "identifies a person"),
    (["--outcome", "belonging", "--by", "mode", "--format", "csv", "--table", "waves"], "was not computed"),
])
def test_usage_errors_exit_2(argv, fragment, capsys):
    code = main(["compare", DATA, *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1


def test_unknown_subscale_outcome_with_instrument(tmp_path, capsys):
    src = tmp_path / "survey.csv"
    write_export(src)
    code = main(["compare", str(src), "--instrument", "pssm", "--by", "cohort", "--outcome", "pssm_x"])
    err = capsys.readouterr().err
    assert code == 2
    assert "is not a score of pssm" in err


def test_data_error_exit_1(capsys):
    code = main(["compare", DATA, "--outcome", "mode", "--by", "stratum"])
    assert code == 1
    assert "is not numeric" in capsys.readouterr().err


def test_wave_order(tmp_path, capsys):
    waves = load_ref("waves.csv")
    waves["wave"] = waves["wave"].map({1: "start", 2: "end"})
    src = tmp_path / "waves.csv"
    waves.to_csv(src, index=False)
    payload, _ = run_json(["compare", str(src), "--outcome", "belonging", "--by", "mode", "--wave", "wave",
                           "--wave-order", "start,end"], capsys)
    paired = [r for r in payload["waves"] if r["method"] == "paired"]
    assert {(r["wave_from"], r["wave_to"]) for r in paired} == {("start", "end")}
    ref = load_ref("waves_change.csv")
    assert_allclose([r["change"] for r in paired], ref["change"], atol=1e-12)
    code = main(["compare", str(src), "--outcome", "belonging", "--by", "mode", "--wave", "wave",
                 "--wave-order", "start"])
    assert code == 2
    assert "wave 'end' of column 'wave' is not listed" in capsys.readouterr().err


def test_panel_id_pairs_waves_and_stays_out_of_output(tmp_path, capsys):
    waves = load_ref("waves.csv")
    waves["student_id"] = waves["response_id"]
    waves["response_id"] = [f"R{i}" for i in range(len(waves))]  # a new id per response, as platforms do
    src = tmp_path / "waves.csv"
    waves.to_csv(src, index=False)
    argv = ["compare", str(src), "--outcome", "belonging", "--by", "mode", "--wave", "wave"]
    payload, _ = run_json([*argv, "--panel-id", "student_id"], capsys)
    paired = [r for r in payload["waves"] if r["method"] == "paired"]
    assert_allclose([r["change"] for r in paired], load_ref("waves_change.csv")["change"], atol=1e-12)
    assert "p0001" not in json.dumps(payload)
    unpaired, _ = run_json(argv, capsys)
    assert not [r for r in unpaired["waves"] if r["method"] == "paired"]
    assert any("appears in two waves" in n for n in unpaired["notes"])
