"""`belonging reliability --by COL --format json`: one block of statistics per group, equal to the API's."""

import json
from pathlib import Path

import numpy as np
from numpy.testing import assert_allclose

import belonging as bl
from belonging.cli import main

SAMPLE = Path(__file__).parents[2] / "data" / "sample"
EXPORT, MAP = SAMPLE / "qualtrics_export.csv", SAMPLE / "qualtrics_ccs_map.toml"


def test_reliability_by_group_json(capsys):
    code = main(["reliability", str(EXPORT), "--instrument", "ccs", "--map", str(MAP), "--by", "mode", "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    payload = json.loads(out.out)
    scale_keys = {"group", "scale", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "std_alpha", "omega"}
    item_keys = {"group", "scale", "item", "mean", "sd", "missing", "item_rest_r", "alpha_if_deleted", "omega_if_deleted"}
    assert all(scale_keys <= set(r) for r in payload["scales"])
    assert all(item_keys <= set(r) for r in payload["items"])
    groups = sorted({r["group"] for r in payload["scales"]})
    assert groups == ["hybrid", "in_person", "online_async", "online_sync"]
    # the same rows the CLI analyses (the quality policy's exclusions left out), through the Python API
    responses = bl.read_export(EXPORT)
    quality = bl.check_quality(responses, "ccs", mapping=MAP)
    status = bl.score(responses, "ccs", mapping=MAP, quality=quality)["status"].to_numpy()
    items = bl.item_frame(responses, bl.load_instrument("ccs"), mapping=MAP)[status != "excluded"].reset_index(drop=True)
    items["mode"] = responses.data["mode"].to_numpy()[status != "excluded"]
    api = bl.reliability(items, "ccs", by="mode").scales.set_index(["group", "scale"])
    for row in payload["scales"]:
        ref = api.loc[(row["group"], row["scale"])]
        assert row["n"] == ref["n"]
        assert_allclose([row["alpha"], row["omega"]], [ref["alpha"], ref["omega"]], rtol=1e-12)
    assert np.isfinite([r["alpha"] for r in payload["scales"]]).all()
