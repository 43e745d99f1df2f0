"""Descriptives of the report (mean, SD, t interval, % favourable) against R t.test.

The report takes them from belonging.groups' descriptives_table (through `describe_unit`), the
statistic belonging.compare reports; these checks keep the report's own R reference on that path.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from belonging import _columns as C
from belonging.report._data import order_waves, slugify
from belonging.report._sections import describe_unit

REF = json.loads((Path(__file__).parents[1] / "reference" / "report" / "describe.json").read_text())


def describe(values, groups=None, *, confidence=0.95, favourable_above=None):
    import types

    import pandas as pd

    settings = types.SimpleNamespace(total="score", confidence=confidence, favourable_cut=favourable_above)
    return describe_unit(pd.DataFrame({"score": values}), settings, groups=groups)


@pytest.mark.parametrize(("key", "confidence"), [("all_95", 0.95), ("all_90", 0.90)])
def test_overall_matches_r(key, confidence):
    x = np.array([np.nan if v is None else v for v in REF["x"]])
    d = describe(x, confidence=confidence, favourable_above=16).iloc[0]
    ref = REF[key]
    assert d[C.N] == ref["n"] and d[C.N_FAVOURABLE] == ref["n_favourable"]
    for col in (C.MEAN, C.SD, C.CI_LOW, C.CI_HIGH):
        np.testing.assert_allclose(d[col], ref[col], rtol=1e-12)
    np.testing.assert_allclose(d[C.PERCENT_FAVOURABLE], 100 * ref["n_favourable"] / ref["n"], rtol=1e-12)


def test_groups_match_r():
    x = np.array([np.nan if v is None else v for v in REF["x"]])
    d = describe(x, np.array(REF["g"], dtype=object), favourable_above=16).set_index(C.GROUP)
    for g in ("a", "b"):
        ref = REF[f"{g}_95"]
        for col in (C.MEAN, C.SD, C.CI_LOW, C.CI_HIGH):
            np.testing.assert_allclose(d.loc[g, col], ref[col], rtol=1e-12)
        assert d.loc[g, C.N] == ref["n"]


def test_slugify_is_safe_and_unique():
    s = slugify("../x")
    assert "/" not in s and ".." not in s and re.fullmatch(r"[a-z0-9-]+", s)
    assert slugify("A b") != slugify("a-b")
    assert slugify("<script>alert(1)</script>").startswith("script-alert-1-script-")
    assert slugify("") .startswith("cohort-")
    assert slugify("Ärzte 2025") .startswith("arzte-2025-")


def test_wave_order():
    assert order_waves(["start", "end", "start"]) == ["start", "end"]
    assert order_waves(["10", "9", "11"]) == ["9", "10", "11"]
    assert order_waves(["b", "a"], ["a", "b"]) == ["a", "b"]



