"""Property: no result returns a number together with a condition that voids it, without a warning.

For random data (hypothesis, seeded in pyproject) -- small samples, Likert codes, items that copy or
add up others, constant items and outcomes -- every result object obeys:

* a fit that did not converge carries a ``not_converged`` warning (CFA, EFA, each invariance model)
  and an invariance verdict resting on it is "undetermined";
* a singular matrix a statistic needs gives NaN for it and a ``singular`` warning (omega and omega if
  deleted; CFA standard errors);
* an item without variance is left out with a ``zero_variance`` warning;
* an outcome without spread in a group gives a ``constant_outcome`` warning, and no statistic of
  ``compare`` is ever infinite.

Whether a matrix is singular is decided here independently (numpy eigenvalues of the correlation
matrix of the complete rows), not by asking the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import belonging as bl
from belonging.diagnostics import Code, has_code
from belonging.errors import DataValidationError

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def item_data(draw, min_items=3, max_items=6):
    """Likert codes 1-5 of a few items, some driven by one trait, with optional pathologies."""
    n = draw(st.integers(6, 60))
    k = draw(st.integers(min_items, max_items))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    strength = draw(st.floats(0.0, 2.0))
    x = np.clip(np.round(3 + strength * trait[:, None] + rng.normal(size=(n, k))), 1, 5)
    twist = draw(st.sampled_from(["none", "copy", "sum", "constant", "missing"]))
    if twist == "copy":
        x[:, -1] = x[:, 0]
    elif twist == "sum":
        x[:, -1] = x[:, 0] + x[:, 1]
    elif twist == "constant":
        x[:, -1] = 3.0
    elif twist == "missing":
        x[rng.random(x.shape) < 0.15] = np.nan
    frame = pd.DataFrame(x, columns=[f"q{j}" for j in range(1, k + 1)])
    frame["g"] = np.where(np.arange(n) % 2 == 0, "a", "b")
    return frame


def _complete(frame, items):
    return frame[items].dropna().to_numpy()


def _singular(x) -> bool:
    sd = x.std(axis=0)
    if len(x) < 2 or np.any(sd == 0):
        return False
    return bool(np.linalg.eigvalsh(np.corrcoef(x, rowvar=False))[0] <= 1e-10)


@SETTINGS
@given(item_data())
def test_reliability_never_returns_omega_from_a_singular_matrix(frame):
    items = [c for c in frame.columns if c != "g"]
    res = bl.reliability(frame, {"s": items})
    row = res.scales.iloc[0]
    x = _complete(frame, items)
    varying = x[:, x.std(axis=0) > 0] if len(x) else x
    constant = [i for i, s in zip(items, x.std(axis=0)) if len(x) >= 2 and s == 0]
    assert has_code(res.warnings, Code.ZERO_VARIANCE) is bool(constant)
    assert row["k"] == len(items) - len(constant)
    if len(x) >= 2 and varying.shape[1] >= 3 and _singular(varying):
        assert np.isnan(row["omega"])
        assert has_code(res.warnings, Code.SINGULAR)
    if np.isnan(row["omega"]) and len(x) >= 2 and varying.shape[1] >= 3:
        assert has_code(res.warnings, Code.SINGULAR) or has_code(res.warnings, Code.NOT_CONVERGED)
    if has_code(res.warnings, Code.SINGULAR):  # every finite omega if deleted comes from a non-singular set
        drop = res.items.set_index("item")["omega_if_deleted"]
        used = [i for i in items if i not in constant]
        for j, item in enumerate(used):
            if np.isfinite(drop[item]):
                assert not _singular(np.delete(varying, j, axis=1))


@SETTINGS
@given(item_data(min_items=4, max_items=5))
def test_cfa_unconverged_or_singular_fits_always_say_so(frame):
    items = [c for c in frame.columns if c != "g"]
    try:
        res = bl.cfa(frame, {"f": items})
    except DataValidationError:
        return  # too few complete rows, an item without variance, a singular covariance: refused outright
    assert res.converged is not has_code(res.warnings, Code.NOT_CONVERGED)
    se = res.estimates.loc[res.estimates["free"], "se"]
    if se.isna().any():
        assert has_code(res.warnings, Code.SINGULAR)
    est = res.estimates
    variances = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"])]["estimate"]
    if (variances < 0).any() or (est.loc[est["op"] == "=~", "std_all"].abs() > 1).any():
        assert has_code(res.warnings, Code.HEYWOOD)


@SETTINGS
@given(item_data(min_items=4, max_items=4))
def test_invariance_never_states_a_level_on_an_unconverged_model(frame):
    items = [c for c in frame.columns if c != "g"]
    try:
        res = bl.invariance(frame, {"f": items}, group="g")
    except DataValidationError:
        return
    for level, fit in res.fits.items():
        if not fit.converged:
            assert any(w.code == Code.NOT_CONVERGED and w.where.startswith(f"model={level}") for w in res.warnings)
    if not res.fits["configural"].converged:
        assert res.level == "undetermined" and res.verdict.startswith("Undetermined")
    assert list(res.models["converged"]) == [f.converged for f in res.fits.values()]


@SETTINGS
@given(item_data(min_items=4, max_items=6))
def test_efa_unconverged_fits_say_so(frame):
    items = [c for c in frame.columns if c != "g"]
    try:
        res = bl.efa(frame, items=items, n_factors=1)
    except DataValidationError:
        return
    assert res.converged is not has_code(res.warnings, Code.NOT_CONVERGED)
    if _singular(_complete(frame, items)):
        assert has_code(res.warnings, Code.SINGULAR)
    if (res.communalities["uniqueness"] <= 0.005 + 1e-9).any():
        assert has_code(res.warnings, Code.HEYWOOD)


@st.composite
def outcomes(draw):
    k = draw(st.integers(2, 4))
    sizes = draw(st.lists(st.integers(1, 6), min_size=k, max_size=k))
    values = []
    for size in sizes:
        flat = draw(st.booleans())
        if flat:
            values.append([float(draw(st.integers(1, 5)))] * size)
        else:
            values.append(draw(st.lists(st.integers(1, 5), min_size=size, max_size=size)))
    return pd.DataFrame({"mode": np.repeat([f"m{j}" for j in range(k)], sizes),
                         "score": np.concatenate(values).astype(float)})


@settings(max_examples=60, deadline=None)
@given(outcomes(), st.sampled_from(["all", "rank"]))
def test_compare_never_returns_an_infinite_or_unexplained_statistic(frame, tests):
    try:
        res = bl.compare(frame, outcome="score", by="mode", tests=tests)
    except DataValidationError as err:
        assert "constant" in str(err) or "same value" in str(err) or "at least two groups" in str(err)
        return
    for table in (res.omnibus, res.pairwise):
        numbers = table.select_dtypes("number").to_numpy(dtype=float)
        assert not np.isinf(numbers).any()
    sizes = frame.groupby("mode")["score"].agg(["size", "std"])
    flat = sizes[(sizes["size"] >= 2) & (sizes["std"] == 0)]
    if len(flat):
        assert has_code(res.warnings, Code.CONSTANT_OUTCOME)
    if (sizes["size"] < 2).any():
        assert has_code(res.warnings, Code.SMALL_GROUP)
    welch = res.omnibus.set_index("test")["statistic"].get("welch_anova", np.nan)
    if np.isnan(welch) and tests == "all":
        assert has_code(res.warnings, Code.CONSTANT_OUTCOME)


@pytest.mark.parametrize("code", list(Code))
def test_every_code_is_documented(code):
    assert code.__doc__ is not None
