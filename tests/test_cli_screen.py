"""Every analysis command applies the quality policy: excluded rows always out, flagged ones with --exclude-flagged."""

import json

import numpy as np
import pandas as pd
import pytest

import belonging as bl
from belonging.cli import main

N, N_STRAIGHT = 300, 12


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """PSSM answers from one factor; 12 straight-liners (flagged by longstring) and one code 9 (excluded)."""
    inst = bl.load_instrument("pssm")
    rng = np.random.default_rng(20261128)
    trait = rng.normal(size=(N, 1))
    codes = np.clip(np.round(3 + trait + rng.normal(scale=0.9, size=(N, 18))), 1, 5)
    rev = [inst.item_ids.index(i) for i in inst.reverse_items]
    codes[:, rev] = 6 - codes[:, rev]
    codes[:N_STRAIGHT] = 3  # straight-liners: the same answer to every item
    frame = pd.DataFrame(codes.astype(int), columns=list(inst.item_ids))
    frame.iloc[N - 1, 4] = 9  # outside the 1-5 scale
    frame.insert(0, "response_id", [f"R{i:04d}" for i in range(N)])
    frame["mode"] = np.where(np.arange(N) % 2 == 0, "online", "in_person")
    path = tmp_path_factory.mktemp("screen") / "export.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def n_flagged(export):
    """Responses the default policy flags (the straight-liners and any careless-index outliers)."""
    rows = bl.check_quality(bl.read_export(export), bl.load_instrument("pssm")).rows
    flagged = int((rows["status"] == "flagged").sum())
    assert flagged >= N_STRAIGHT
    return flagged


def _run_json(capsys, argv):
    assert main(argv) == 0
    out, err = capsys.readouterr()
    return json.loads(out), err


def test_validate_sees_the_planted_rows(export, capsys):
    assert main(["validate", str(export), "--instrument", "pssm", "-o", "-"]) == 1  # one excluded
    rows = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert (rows["status"] == "excluded").sum() == 1
    assert rows.loc[: N_STRAIGHT - 1, "status"].eq("flagged").all()
    assert rows.loc[: N_STRAIGHT - 1, "reasons"].str.contains("longstring").all()


def test_cfa_leaves_out_excluded_rows_and_flagged_on_request(export, n_flagged, capsys):
    base, err = _run_json(capsys, ["cfa", str(export), "--instrument", "pssm", "--format", "json"])
    assert base["fit"]["n"] == N - 1
    assert f"{N - 1} of {N} response(s) analysed; 1 excluded" in err
    strict, err = _run_json(capsys, ["cfa", str(export), "--instrument", "pssm", "--format", "json", "--exclude-flagged"])
    assert strict["fit"]["n"] == N - 1 - n_flagged
    assert "--exclude-flagged" in err
    assert strict["fit"]["chisq"] != pytest.approx(base["fit"]["chisq"])


def test_efa_and_invariance_take_exclude_flagged(export, n_flagged, capsys):
    base, _ = _run_json(capsys, ["efa", str(export), "--instrument", "pssm", "--format", "json", "--factors", "1", "--n-iter", "5", "--seed", "1"])
    strict, _ = _run_json(capsys, ["efa", str(export), "--instrument", "pssm", "--format", "json", "--factors", "1",
                                   "--n-iter", "5", "--seed", "1", "--exclude-flagged"])
    assert (base["n"], strict["n"]) == (N - 1, N - 1 - n_flagged)
    inv, err = _run_json(capsys, ["invariance", str(export), "--instrument", "pssm", "--by", "mode", "--format", "json",
                                  "--exclude-flagged"])
    assert {m["model"] for m in inv["models"]} == {"configural", "metric", "scalar", "strict"}
    assert f"{N - 1 - n_flagged} complete response(s) used" in err


def test_policy_override_reaches_the_analysis(export, capsys):
    """--off longstring: the straight-liners are no longer flagged, so --exclude-flagged keeps them."""
    res, _ = _run_json(capsys, ["cfa", str(export), "--instrument", "pssm", "--format", "json", "--exclude-flagged",
                                "--off", "longstring,irv,mahalanobis,even_odd,synonyms"])
    assert res["fit"]["n"] == N - 1


def test_report_model_excludes_flagged_on_request(export, n_flagged):
    data = pd.read_csv(export)
    data.loc[N - 1, "pssm_05"] = 3  # build_report takes a frame; keep every code on the scale here
    inst = bl.load_instrument("pssm")

    def counts(report):
        section = next(s for s in report.sections if s.title == "Data quality")
        table = section.children[0].data
        return dict(zip(table["status"], table["count"]))

    base = bl.build_report(data, inst, by="mode", cohort="online")
    strict = bl.build_report(data, inst, by="mode", cohort="online", exclude_flagged=True)
    online = data["mode"] == "online"
    rows = bl.check_quality(data, inst).rows
    n_flag = int(((rows["status"] == "flagged") & online).sum())
    assert n_flag >= N_STRAIGHT // 2  # the straight-liners alternate between the two modes
    assert counts(base)["flagged"] == n_flag
    assert counts(strict)["flagged"] == 0
    assert counts(strict)["excluded"] == counts(base)["excluded"] + n_flag
    section = next(s for s in strict.sections if s.title == "Data quality")
    assert any("--exclude-flagged" in getattr(c, "text", "") for c in section.children)


def test_reliability_takes_exclude_flagged(export, n_flagged, capsys):
    base, _ = _run_json(capsys, ["reliability", str(export), "--instrument", "pssm", "--format", "json"])
    strict, err = _run_json(capsys, ["reliability", str(export), "--instrument", "pssm", "--format", "json",
                                     "--exclude-flagged"])
    assert (base["scales"][0]["n"], strict["scales"][0]["n"]) == (N - 1, N - 1 - n_flagged)
    assert base["scales"][0]["alpha"] != pytest.approx(strict["scales"][0]["alpha"], rel=1e-9)
