"""participation() against R lm on scale()-d variables with sandwich HC3 and residual partial r."""

import pandas as pd
import pytest
from conftest import load_ref
from numpy.testing import assert_allclose, assert_array_equal

from belonging.errors import DataValidationError, UsageError
from belonging.groups import participation

MEASURES = ["forum_posts", "breakout_sessions", "live_hours"]


def test_participation_matches_r(data):
    got = participation(data, outcome="belonging", measures=MEASURES, covariates=["first_gen", "prior_gpa"])
    ref = load_ref("participation.csv")
    assert_array_equal(got["measure"], ref["measure"])
    for col in ["beta", "se", "ci_low", "ci_high", "partial_r", "r_ci_low", "r_ci_high"]:
        assert_allclose(got[col], ref[col], rtol=0, atol=1e-8, err_msg=col)
    assert_allclose(got["p_value"], ref["p_value"], rtol=1e-6)
    assert (got["n"] == len(data)).all()
    assert (got["se_method"] == "hc3").all()


def test_participation_with_cluster_and_missing_rows(data):
    frame = data.copy()
    frame.loc[:9, "forum_posts"] = float("nan")
    got = participation(frame, outcome="belonging", measures=["forum_posts"], cluster="section")
    assert (got["n"] == len(data) - 10).all()
    assert (got["se_method"] == "cluster").all()
    assert (got["df"] == 29).all()


def test_participation_errors(data):
    with pytest.raises(UsageError, match="name at least one"):
        participation(data, outcome="belonging", measures=[])
    with pytest.raises(UsageError, match="not numeric"):
        participation(data, outcome="belonging", measures=["mode"])
    with pytest.raises(UsageError, match="did you mean 'forum_posts'"):
        participation(data, outcome="belonging", measures=["forum_post"])
    with pytest.raises(DataValidationError, match="constant"):
        participation(data.assign(c=1.0), outcome="belonging", measures=["c"])
    with pytest.raises(DataValidationError, match="complete row"):
        participation(pd.DataFrame({"y": [1.0, 2.0], "m": [1.0, 3.0]}), outcome="y", measures=["m"])
