"""belonging.reliability against R psych::alpha 2.2.9 and semTools::compRelSEM 0.5.6.

Reference values: tests/reference/reliability/make_reference.R (psych::bfi, the five bfi.keys
scales, listwise complete rows per scale); versions in tests/reference/reliability/versions.txt.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from belonging.cli import main
from belonging.errors import DataValidationError, UsageError
from belonging.psychometrics.reliability import ReliabilityResult, reliability

REF = Path(__file__).parents[1] / "reference"
KEYS = {  # psych::bfi.keys
    "agree": ["-A1", "A2", "A3", "A4", "A5"],
    "conscientious": ["C1", "C2", "C3", "-C4", "-C5"],
    "extraversion": ["-E1", "-E2", "E3", "E4", "E5"],
    "neuroticism": ["N1", "N2", "N3", "N4", "N5"],
    "openness": ["O1", "-O2", "O3", "O4", "-O5"],
}


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(REF / "data" / "bfi.csv")


@pytest.fixture(scope="module")
def lower(bfi) -> pd.DataFrame:
    """bfi with lower-case item ids, as instrument definitions require."""
    return bfi.rename(columns=str.lower)


@pytest.fixture(scope="module")
def keyed(bfi):
    """bfi with reverse-keyed items recoded 7 - x (psych: max + min - x) and the scale dict."""
    d = bfi.copy()
    scales = {}
    for scale, key in KEYS.items():
        scales[scale] = [k.lstrip("-") for k in key]
        for k in key:
            if k.startswith("-"):
                d[k[1:]] = 7 - d[k[1:]]
    return d, scales


@pytest.fixture(scope="module")
def result(keyed) -> ReliabilityResult:
    d, scales = keyed
    return reliability(d, scales)


@pytest.fixture(scope="module")
def ref_scales():
    return pd.read_csv(REF / "reliability" / "scales.csv").set_index("scale")


@pytest.fixture(scope="module")
def ref_items():
    return pd.read_csv(REF / "reliability" / "items.csv")


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("alpha", "raw_alpha"), ("std_alpha", "std_alpha"), ("mean_r", "average_r"),
     ("alpha_ci_low", "ci_low"), ("alpha_ci_high", "ci_high"),
     ("alpha_ci_low", "psych_ci_low"), ("alpha_ci_high", "psych_ci_high")],
)
def test_scale_statistics_match_psych(result, ref_scales, ours, theirs):
    got = result.scales.set_index("scale").loc[ref_scales.index, ours].to_numpy()
    assert_allclose(got, ref_scales[theirs].to_numpy(), rtol=0, atol=1e-9)


def test_n_is_listwise_complete_per_scale(result, ref_scales, bfi):
    got = result.scales.set_index("scale").loc[ref_scales.index]
    assert_allclose(got["n"].to_numpy(), ref_scales["n"].to_numpy())
    assert (got["n"] + got["n_incomplete"] == len(bfi)).all()
    assert (got["k"] == 5).all()


def test_omega_matches_semtools(result, ref_scales):
    got = result.scales.set_index("scale").loc[ref_scales.index, "omega"].to_numpy()
    # the reference CFA is refitted by Gauss-Newton to a gradient below 1e-12 (make_reference.R)
    assert_allclose(got, ref_scales["omega"].to_numpy(), rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("ours", "theirs", "atol"),
    [("mean", "mean", 1e-9), ("sd", "sd", 1e-9), ("item_rest_r", "r_drop", 1e-9),
     ("alpha_if_deleted", "alpha_drop", 1e-9), ("omega_if_deleted", "omega_drop", 1e-9)],
)
def test_item_statistics_match_psych(result, ref_items, ours, theirs, atol):
    got = result.items.set_index(["scale", "item"]).loc[
        list(zip(ref_items["scale"], ref_items["item"])), ours].to_numpy()
    assert_allclose(got, ref_items[theirs].to_numpy(), rtol=0, atol=atol)


def test_missing_share_and_distribution(result, keyed):
    d, _ = keyed
    items = result.items.set_index(["scale", "item"])
    assert_allclose(items.loc[("agree", "A1"), "missing"], d["A1"].isna().mean(), atol=1e-15)
    dist = result.distribution[result.distribution["item"] == "A2"]
    expected = d["A2"].value_counts().sort_index()
    assert_allclose(dist["value"].to_numpy(), expected.index.to_numpy(dtype=float))
    assert_allclose(dist["count"].to_numpy(), expected.to_numpy())
    assert_allclose(dist["proportion"].sum(), 1.0, atol=1e-12)


def test_result_object(result):
    frame = result.to_frame()
    assert list(frame["scale"]) == list(KEYS)
    frame.loc[0, "alpha"] = -1.0  # a copy: the result is unchanged
    assert result.scales.loc[0, "alpha"] > 0
    text = result.summary()
    assert "agree" in text and "obs.var" in result.convention
    assert "<table" in result._repr_html_()
    with pytest.raises(AttributeError):
        result.ci_method = "bootstrap"


def _bfi_instrument(tmp_path) -> Path:
    lines = [
        'id = "bfiac"', 'name = "bfi agreeableness and conscientiousness"', 'version = "test"',
        'citation = "Revelle, psych::bfi"', 'construct = "personality"', "",
        "[response_scale]", "min = 1", "max = 6",
        'labels = ["1", "2", "3", "4", "5", "6"]', "",
        "[scoring]", 'method = "mean"', "min_answered = 0.8", "",
        "[subscales.agree]", 'name = "Agreeableness"', "",
        "[subscales.conscientious]", 'name = "Conscientiousness"', "",
    ]
    for scale in ("agree", "conscientious"):
        for key in KEYS[scale]:
            lines += ["[[items]]", f'id = "{key.lstrip("-").lower()}"', f'subscale = "{scale}"']
            if key.startswith("-"):
                lines.append("reverse = true")
            lines.append("")
    path = tmp_path / "bfiac.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_instrument_reverses_items_and_matches_psych(tmp_path, lower, ref_scales, ref_items):
    from belonging.instruments import load_instrument

    inst = load_instrument(str(_bfi_instrument(tmp_path)))
    res = reliability(lower[[c for c in lower.columns if c[0] in "ac"]], inst)
    scales = res.scales.set_index("scale")
    assert list(scales.index) == ["bfiac", "bfiac_agree", "bfiac_conscientious"]
    assert scales.loc["bfiac", "k"] == 10
    for ours, theirs in (("bfiac_agree", "agree"), ("bfiac_conscientious", "conscientious")):
        assert_allclose(scales.loc[ours, "alpha"], ref_scales.loc[theirs, "raw_alpha"], atol=1e-9)
        assert_allclose(scales.loc[ours, "omega"], ref_scales.loc[theirs, "omega"], rtol=0, atol=1e-9)
    items = res.items.set_index(["scale", "item"])
    assert items.loc[("bfiac_agree", "a1"), "reversed"]
    assert not items.loc[("bfiac_agree", "a2"), "reversed"]
    r = ref_items.set_index(["scale", "item"])
    for item in ("a1", "a2", "a3", "a4", "a5"):
        for ours, theirs in (("item_rest_r", "r_drop"), ("alpha_if_deleted", "alpha_drop"), ("mean", "mean")):
            assert_allclose(items.loc[("bfiac_agree", item), ours], r.loc[("agree", item.upper()), theirs], atol=1e-9)
    # distribution: answers as given (a1 not reversed), every scale point listed
    a1 = res.distribution[res.distribution["item"] == "a1"]
    assert_allclose(a1["value"].to_numpy(), np.arange(1, 7))
    assert_allclose(a1["count"].to_numpy(), lower["a1"].value_counts().sort_index().to_numpy())


def test_by_group_equals_subset(keyed):
    d, scales = keyed
    res = reliability(d, scales, by="gender")
    assert set(res.scales["group"]) == {1, 2}
    alone = reliability(d[d["gender"] == 2], scales)
    got = res.scales[res.scales["group"] == 2].drop(columns="group").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, alone.scales, check_exact=False, rtol=1e-12)
    got_items = res.items[res.items["group"] == 2].drop(columns="group").reset_index(drop=True)
    pd.testing.assert_frame_equal(got_items, alone.items, check_exact=False, rtol=1e-12)
    assert "group" in res.distribution.columns


def test_bootstrap_ci_is_seeded_and_brackets_alpha(keyed):
    d, scales = keyed
    small = {"agree": scales["agree"]}
    a = reliability(d, small, ci_method="bootstrap", n_boot=200, seed=7)
    b = reliability(d, small, ci_method="bootstrap", n_boot=200, seed=7)
    c = reliability(d, small, ci_method="bootstrap", n_boot=200, seed=8)
    pd.testing.assert_frame_equal(a.scales, b.scales)
    assert a.scales.loc[0, "alpha_ci_low"] != c.scales.loc[0, "alpha_ci_low"]
    row = a.scales.loc[0]
    assert row["alpha_ci_low"] < row["alpha"] < row["alpha_ci_high"]
    feldt = reliability(d, small).scales.loc[0]
    # with n = 2709 both intervals have half-width about 0.02 and agree to within 0.01
    assert_allclose([row["alpha_ci_low"], row["alpha_ci_high"]],
                    [feldt["alpha_ci_low"], feldt["alpha_ci_high"]], atol=0.01)
    assert row["ci_method"] == "bootstrap"


def test_alpha_and_omega_of_known_population():
    """Alpha of a known compound-symmetric population approaches k r / (1 + (k - 1) r)."""
    rng = np.random.default_rng(1)
    k, rho, n = 6, 0.4, 200_000
    cov = np.full((k, k), rho) + np.eye(k) * (1 - rho)
    x = rng.multivariate_normal(np.zeros(k), cov, size=n)
    df = pd.DataFrame(x, columns=[f"i{j}" for j in range(k)])
    res = reliability(df, {"s": list(df.columns)})
    expected = k * rho / (1 + (k - 1) * rho)
    assert_allclose(res.scales.loc[0, "alpha"], expected, atol=0.005)
    # tau-equivalent population: omega equals alpha
    assert_allclose(res.scales.loc[0, "omega"], expected, atol=0.005)


def test_small_scales_give_nan_not_errors():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 4, 5], "c": [1.0, 3, 3, 5]})
    res = reliability(df, {"two": ["a", "b"], "one": ["c"]})
    two = res.scales.set_index("scale").loc["two"]
    assert np.isfinite(two["alpha"]) and np.isnan(two["omega"])
    assert res.items.set_index(["scale", "item"])["alpha_if_deleted"].isna().all()
    assert np.isnan(res.scales.set_index("scale").loc["one", "alpha"])


def test_copies_of_one_item_give_nan_omega_without_warnings():
    """A singular correlation matrix (items that copy each other): no one-factor ML fit, so omega is NaN
    (not the value an unconverged optimiser stopped at); alpha is still defined (1)."""
    import warnings

    a = np.random.default_rng(3).integers(1, 6, 200).astype(float)
    df = pd.DataFrame({"a": a, "b": a, "c": a})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        res = reliability(df, {"s": ["a", "b", "c"]})
    row = res.scales.iloc[0]
    assert row["alpha"] == pytest.approx(1.0) and np.isnan(row["omega"])


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [({"ci_method": "exact"}, "ci_method"), ({"confidence": 95}, "confidence"),
     ({"instrument": {"s": ["A1", "nope"]}}, "nope"), ({"instrument": {}}, "empty"),
     ({"by": "genderr"}, "gender")],
)
def test_usage_errors(bfi, kwargs, fragment):
    kwargs = {"instrument": {"s": ["A1", "A2", "A3"]}, **kwargs}
    with pytest.raises(UsageError, match=fragment):
        reliability(bfi, **kwargs)


def test_non_numeric_column_is_a_data_error():
    df = pd.DataFrame({"a": ["x", "y"], "b": [1.0, 2.0]})
    with pytest.raises(DataValidationError, match="'a'"):
        reliability(df, {"s": ["a", "b"]})


def test_input_not_modified(keyed):
    d, scales = keyed
    before = d.copy()
    reliability(d, scales, by="gender")
    pd.testing.assert_frame_equal(d, before)


# --- CLI ---------------------------------------------------------------------------------------

def test_cli_json(tmp_path, capsys, lower, ref_scales):
    inst = _bfi_instrument(tmp_path)
    data = tmp_path / "bfi.csv"
    lower.to_csv(data, index=False)
    code = main(["reliability", str(data), "--instrument", str(inst), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    payload = json.loads(out)
    scales = {s["scale"]: s for s in payload["scales"]}
    assert_allclose(scales["bfiac_agree"]["alpha"], ref_scales.loc["agree", "raw_alpha"], atol=1e-9)
    assert {"scale", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "std_alpha", "omega"} <= set(scales["bfiac"])
    item = payload["items"][0]
    assert {"scale", "item", "mean", "sd", "missing", "item_rest_r", "alpha_if_deleted", "omega_if_deleted"} <= set(item)


def test_cli_table_by_group_and_csv(tmp_path, capsys, lower):
    inst = _bfi_instrument(tmp_path)
    data = tmp_path / "bfi.csv"
    lower.to_csv(data, index=False)
    assert main(["reliability", str(data), "--instrument", str(inst), "--by", "gender"]) == 0
    out = capsys.readouterr().out
    assert "bfiac_agree" in out and "group" in out
    target = tmp_path / "out.csv"
    assert main(["reliability", str(data), "--instrument", str(inst), "--format", "csv", "-o", str(target)]) == 0
    table = pd.read_csv(target)
    assert list(table["scale"]) == ["bfiac", "bfiac_agree", "bfiac_conscientious"]


def test_cli_unknown_by_column_is_usage_error(tmp_path, capsys, lower):
    inst = _bfi_instrument(tmp_path)
    data = tmp_path / "bfi.csv"
    lower.to_csv(data, index=False)
    code = main(["reliability", str(data), "--instrument", str(inst), "--by", "cohort"])
    assert code == 2
    assert "cohort" in capsys.readouterr().err


# --- instrument given by id or path ------------------------------------------------------------

def _ccs_answers(n=600, seed=11) -> pd.DataFrame:
    """Seeded one-factor answers on the CCS 0-4 scale, about 3% missing."""
    from belonging.instruments import load_instrument

    ccs = load_instrument("ccs")
    rng = np.random.default_rng(seed)
    k = len(ccs.item_ids)
    codes = np.clip(np.round(2 + rng.normal(size=(n, 1)) + rng.normal(size=(n, k))), 0, 4)
    codes[rng.random((n, k)) < 0.03] = np.nan
    return pd.DataFrame(codes, columns=list(ccs.item_ids))


def test_instrument_id_and_path_are_accepted(tmp_path):
    from belonging.instruments import load_instrument

    data = _ccs_answers()
    expected = reliability(data, load_instrument("ccs"))
    by_id = reliability(data, "ccs")
    for name in ("scales", "items", "distribution"):
        pd.testing.assert_frame_equal(getattr(by_id, name), getattr(expected, name))
    assert list(by_id.scales["scale"]) == ["ccs", "ccs_connectedness", "ccs_learning"]
    path = _bfi_instrument(tmp_path)
    inst = load_instrument(str(path))
    lower = pd.read_csv(REF / "data" / "bfi.csv").rename(columns=str.lower)
    for given in (path, str(path)):
        res = reliability(lower, given)
        pd.testing.assert_frame_equal(res.scales, reliability(lower, inst).scales)


def test_instrument_of_wrong_type_or_unknown_id():
    from belonging.errors import InstrumentError

    data = _ccs_answers(50)
    with pytest.raises(UsageError, match="Instrument, a built-in id"):
        reliability(data, 42)
    with pytest.raises(InstrumentError, match="unknown instrument"):
        reliability(data, "no_such_instrument")


# --- the one-pass sweep against the two-pass route ------------------------------------------------

def _two_pass(monkeypatch, *args, **kwargs) -> ReliabilityResult:
    """reliability() with the integer sweep switched off (every statistic by the general route)."""
    import belonging.psychometrics.reliability as rel

    with monkeypatch.context() as m:
        m.setattr(rel, "sweep", lambda *a, **k: None)
        return reliability(*args, **kwargs)


def _assert_same(a: ReliabilityResult, b: ReliabilityResult) -> None:
    """Equal to 1e-12 except omega: the ML fit stops at a gradient of 1e-11, about 1e-10 in omega."""
    for name in ("scales", "items", "distribution"):
        x, y = getattr(a, name), getattr(b, name)
        loose = [c for c in ("omega", "omega_if_deleted") if c in x.columns]
        pd.testing.assert_frame_equal(x.drop(columns=loose), y.drop(columns=loose), check_exact=False,
                                      rtol=1e-12, atol=1e-13)
        for c in loose:
            assert_allclose(x[c].to_numpy(), y[c].to_numpy(), rtol=0, atol=1e-9)


@pytest.mark.parametrize("missing", [0.0, 0.002, 0.04])  # none; few (subtract) and many (zero) incomplete rows
def test_sweep_equals_two_pass_route(monkeypatch, missing):
    """Many blocks, overlapping scales, a negative and a wide code range, groups."""
    rng = np.random.default_rng(3)
    n = 20_000  # several blocks of 4096 rows
    trait = rng.normal(size=(n, 1))
    codes = np.clip(np.round(3 + trait + rng.normal(size=(n, 8))), 1, 5)
    codes[:, 6] -= 3  # codes -2..2
    codes[:, 7] = np.round(codes[:, 7] * 40 + rng.integers(0, 3, n))  # a wide range, 40..202
    codes[rng.random(codes.shape) < missing] = np.nan
    df = pd.DataFrame(codes, columns=[f"q{j}" for j in range(8)])
    df["cohort"] = rng.integers(0, 3, n)
    scales = {"all": list(df.columns[:8]), "first": ["q0", "q1", "q2", "q3"], "mixed": ["q3", "q6", "q7", "q1"]}
    _assert_same(reliability(df, scales), _two_pass(monkeypatch, df, scales))
    _assert_same(reliability(df, scales, by="cohort"), _two_pass(monkeypatch, df, scales, by="cohort"))
    one = {"all": list(df.columns[:8])}  # one scale: the branch that zeroes incomplete rows
    _assert_same(reliability(df, one), _two_pass(monkeypatch, df, one))


def test_sweep_equals_two_pass_route_with_instrument(monkeypatch):
    data = _ccs_answers(9000)
    _assert_same(reliability(data, "ccs"), _two_pass(monkeypatch, data, "ccs"))


def test_non_integer_and_integer_dtype_values():
    """Non-integer codes take the general route: their distribution keeps every distinct value."""
    from belonging.psychometrics._itemstats import code_range, sweep

    df = pd.DataFrame({"a": [1.0, 2.5, 3, 4, 2], "b": [2.0, 2, 4, 5, 1], "c": [1.0, 3, 3, 5, np.nan]})
    values = df.to_numpy()
    assert sweep(values, [[0, 1, 2]], *code_range(values)) is None
    res = reliability(df, {"s": ["a", "b", "c"]})
    a = res.distribution[res.distribution["item"] == "a"]
    assert_allclose(a["value"].to_numpy(), [1.0, 2.0, 2.5, 3.0, 4.0])
    assert_allclose(a["count"].to_numpy(), [1, 1, 1, 1, 1])
    # integer columns need no integer check and give the same answer as their float copies
    ints = pd.DataFrame({"a": [1, 2, 3, 4, 2, 5], "b": [2, 2, 4, 5, 1, 4], "c": [1, 3, 3, 5, 2, 4]})
    _assert_same(reliability(ints, {"s": ["a", "b", "c"]}), reliability(ints.astype(float), {"s": ["a", "b", "c"]}))


def test_one_factor_newton_matches_extract():
    from belonging.psychometrics._factoring import extract, ml_one_factor

    rng = np.random.default_rng(8)
    for p in (3, 5, 12, 18):
        lam = rng.uniform(0.2, 0.9, p)
        x = rng.normal(size=(400, 1)) * lam + rng.normal(size=(400, p)) * np.sqrt(1 - lam**2)
        r = np.corrcoef(x, rowvar=False)
        a, b = extract(r, 1, "ml"), ml_one_factor(r)
        assert b.converged
        assert_allclose(np.abs(b.loadings), np.abs(a.loadings), atol=1e-6)
        assert b.criterion <= a.criterion + 1e-12  # Newton reaches the optimum at least as well
    # a Heywood case: the uniqueness stops at psych's lower bound 0.005
    lam = np.array([0.999, 0.6, 0.5, 0.4])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    fit = ml_one_factor(r)
    assert fit.uniquenesses.min() >= 0.005 - 1e-15
    assert_allclose(fit.uniquenesses[0], 0.005, atol=1e-9)


def test_no_rows_and_an_all_missing_item_give_nan_not_errors():
    empty = pd.DataFrame({c: pd.Series([], dtype=float) for c in "abc"})
    res = reliability(empty, {"s": ["a", "b", "c"]})
    row = res.scales.loc[0]
    assert row["n"] == 0 and row["n_incomplete"] == 0 and np.isnan(row["alpha"])
    assert res.items["mean"].isna().all()
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 4, 5], "c": [np.nan] * 4})
    res = reliability(df, {"ab": ["a", "b"], "abc": ["a", "b", "c"]})
    scales = res.scales.set_index("scale")
    assert scales.loc["ab", "n"] == 4 and np.isfinite(scales.loc["ab", "alpha"])
    assert scales.loc["abc", "n"] == 0
    assert_allclose(res.items.set_index(["scale", "item"]).loc[("abc", "c"), "missing"], 1.0)
