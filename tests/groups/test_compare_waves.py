"""Change between waves against R t.test(paired = TRUE) and nlme::lme(y ~ mode * wave, ~1 | id)."""

import numpy as np
import pandas as pd
import pytest
from conftest import load_ref
from numpy.testing import assert_allclose, assert_array_equal

from belonging.errors import DataValidationError
from belonging.groups.waves import wave_change, wave_model


def test_paired_change_matches_r(waves_data):
    got = wave_change(waves_data, outcome="belonging", by="mode", wave="wave")
    paired = got.query("method == 'paired'").reset_index(drop=True)
    ref = load_ref("waves_change.csv")
    assert_array_equal(paired["group"], ref["group"])
    assert_array_equal(paired["n"], ref["n_pairs"])
    for col in ["change", "sd_change", "ci_low", "ci_high"]:
        assert_allclose(paired[col], ref[col], rtol=0, atol=1e-8, err_msg=col)
    assert_allclose(paired["statistic"], ref["statistic"], rtol=1e-6)
    assert_allclose(paired["p_value"], ref["p_value"], rtol=1e-6)
    # independent rows: all responses of both waves
    ind = got.query("method == 'independent'")
    n_all = waves_data.groupby("mode").size()
    assert_array_equal(ind["n"].to_numpy(), n_all.loc[ind["group"]].to_numpy())
    assert ind["effect_size"].notna().all()


def test_wave_model_matches_nlme(waves_data):
    table, variance = wave_model(waves_data, outcome="belonging", by="mode", wave="wave")
    ref = load_ref("waves_mixed.csv")
    assert_array_equal(table["term"], ref["term"])
    assert_allclose(table["estimate"], ref["estimate"], rtol=0, atol=1e-4)
    assert_allclose(table["se"], ref["se"], rtol=0, atol=1e-4)
    rv = load_ref("waves_variance.csv").iloc[0]
    assert_allclose([variance["tau2"], variance["sigma2"], variance["icc"]], [rv["tau2"], rv["sigma2"], rv["icc"]],
                    rtol=1e-4)
    assert variance["n_clusters"] == waves_data["response_id"].nunique()


def test_duplicate_respondent_in_a_wave_is_an_error(waves_data):
    bad = waves_data.copy()
    bad.loc[1, "response_id"] = bad.loc[0, "response_id"]
    with pytest.raises(DataValidationError, match="appears more than once in wave"):
        wave_change(bad, outcome="belonging", by="mode", wave="wave")


def test_three_waves_give_consecutive_changes(waves_data):
    third = waves_data.query("wave == 2").assign(wave=3)
    third = third.assign(belonging=third["belonging"] + 0.5)
    frame = pd.concat([waves_data, third], ignore_index=True)
    got = wave_change(frame, outcome="belonging", by="mode", wave="wave")
    assert sorted(set(zip(got["wave_from"], got["wave_to"]))) == [(1, 2), (2, 3)]
    step = got.query("wave_from == 2 and method == 'paired'")
    assert_allclose(step["change"], 0.5, atol=1e-12)
    assert np.all(step["sd_change"] < 1e-12)


def test_wave_model_without_repeated_respondents_is_ols(waves_data):
    from belonging.groups import compare

    fresh = waves_data.assign(response_id=[f"x{i}" for i in range(len(waves_data))])
    table, variance = wave_model(fresh, outcome="belonging", by="mode", wave="wave")
    assert variance == {}
    assert (table["se_method"] == "hc3").all()
    res = compare(fresh, outcome="belonging", by="mode", wave="wave")
    assert any("appears in two waves" in n for n in res.notes)
    assert set(res.waves["method"]) == {"independent"}
