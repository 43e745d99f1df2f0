"""belonging.efa and parallel_analysis against R psych::fa / fa.parallel 2.2.9 (GPArotation 2022.10-2).

Reference values: tests/reference/efa/make_reference.R (the 25 psych::bfi items, listwise complete
rows, 5 factors); versions in tests/reference/efa/versions.txt.
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
from belonging.psychometrics._factoring import oblimin
from belonging.psychometrics.efa import EFAResult, efa, parallel_analysis

REF = Path(__file__).parents[1] / "reference"


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(REF / "data" / "bfi.csv")


@pytest.fixture(scope="module")
def items(bfi) -> list[str]:
    return list(bfi.columns[:25])


@pytest.fixture(scope="module")
def matrices() -> pd.DataFrame:
    return pd.read_csv(REF / "efa" / "fa_matrices.csv")


@pytest.fixture(scope="module")
def item_ref() -> pd.DataFrame:
    return pd.read_csv(REF / "efa" / "fa_items.csv")


def _ref(matrices, fm, rotate, what, rows):
    sub = matrices[(matrices.fm == fm) & (matrices.rotate == rotate) & (matrices.what == what)]
    wide = sub.pivot(index="row", columns="col", values="value")
    return wide.loc[rows].to_numpy() if rows is not None else wide.to_numpy()


CASES = [(fm, rot) for fm in ("ml", "minres") for rot in ("none", "oblimin")]


@pytest.mark.parametrize(("fm", "rotate"), CASES)
def test_loadings_match_psych(bfi, items, matrices, item_ref, fm, rotate):
    res = efa(bfi, items=items, n_factors=5, method=fm, rotation=rotate)
    assert res.converged
    assert res.n == 2436
    loadings = res.loadings.set_index("item").loc[items].to_numpy()
    # psych's optimisers stop near 1e-5 of the optimum; the brief's tolerance is 1e-3
    assert_allclose(loadings, _ref(matrices, fm, rotate, "loadings", items), rtol=0, atol=1e-4)
    ref = item_ref[(item_ref.fm == fm) & (item_ref.rotate == rotate)]
    assert_allclose(res.communalities["communality"].to_numpy(), ref["communality"].to_numpy(), atol=1e-5)
    assert_allclose(res.communalities["uniqueness"].to_numpy(), ref["uniqueness"].to_numpy(), atol=1e-5)
    phi = res.phi["correlation"].to_numpy().reshape(5, 5)
    if rotate == "oblimin":
        assert_allclose(phi, _ref(matrices, fm, rotate, "phi", None), rtol=0, atol=1e-4)
    else:
        assert_allclose(phi, np.eye(5))


def test_parallel_analysis_matches_psych(bfi, items):
    ref = pd.read_csv(REF / "efa" / "parallel.csv")
    counts = dict(line.split() for line in (REF / "efa" / "parallel_n.txt").read_text().splitlines())
    pa = parallel_analysis(bfi, items=items, n_iter=500, seed=20240601)
    t = pa.table
    assert_allclose(t["eigenvalue"], ref["pc_observed"], rtol=0, atol=1e-10)
    assert_allclose(t["eigenvalue_fa"], ref["fa_observed"], rtol=0, atol=1e-10)
    # different random numbers: the 95% quantiles of 500 simulations agree to Monte Carlo error
    assert_allclose(t["simulated"], ref["pc_simulated_q95"], rtol=0, atol=0.01)
    assert_allclose(t["simulated_fa"], ref["fa_simulated_q95"], rtol=0, atol=0.01)
    assert pa.n_components == int(counts["ncomp"]) == 5
    assert pa.n_factors == int(counts["nfact"]) == 8
    assert pa.n == 2436 and "0.95" in pa.convention
    assert "5 component(s)" in pa.summary() and "<table" in pa._repr_html_()


def test_parallel_analysis_is_seeded(bfi, items):
    a = parallel_analysis(bfi, items=items, n_iter=20, seed=3).table
    b = parallel_analysis(bfi, items=items, n_iter=20, seed=3).table
    c = parallel_analysis(bfi, items=items, n_iter=20, seed=4).table
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["simulated"], c["simulated"])


def test_parallel_simulation_matches_direct_normal_data():
    """The Wishart shortcut has the distribution of correlations of n normal rows."""
    rng = np.random.default_rng(11)
    n, p, reps = 60, 6, 400
    direct = np.array([np.linalg.eigvalsh(np.corrcoef(rng.standard_normal((n, p)), rowvar=False))[::-1]
                       for _ in range(reps)])
    df = pd.DataFrame(rng.standard_normal((n, p)), columns=list("abcdef"))
    pa = parallel_analysis(df, n_iter=4000, seed=2, quantile=0.5)
    assert_allclose(pa.table["simulated"], np.median(direct, axis=0), atol=0.03)


def test_default_n_factors_from_parallel_analysis(bfi, items):
    res = efa(bfi, items=items, seed=1, n_iter=50)
    assert isinstance(res, EFAResult)
    assert res.parallel is not None and res.n_factors == res.parallel.n_components == 5
    long = res.to_frame()
    assert list(long.columns) == ["item", "factor", "loading"] and len(long) == 125
    assert "Factor correlations" in res.summary() and "<table" in res._repr_html_()


def test_oblimin_recovers_simple_structure():
    """A rotated simple-structure pattern is rotated back (up to column order and sign)."""
    pattern = np.zeros((9, 3))
    pattern[0:3, 0] = [0.8, 0.7, 0.6]
    pattern[3:6, 1] = [0.7, 0.6, 0.5]
    pattern[6:9, 2] = [0.6, 0.7, 0.8]
    theta = 0.5
    rot = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    lam, phi, ok = oblimin(pattern @ rot)
    assert ok
    assert_allclose(np.sort(np.abs(lam), axis=None), np.sort(np.abs(pattern), axis=None), atol=1e-6)
    assert_allclose(np.abs(phi), np.eye(3), atol=1e-6)


def test_recovers_two_factor_population():
    rng = np.random.default_rng(5)
    lam = np.zeros((8, 2))
    lam[:4, 0] = 0.7
    lam[4:, 1] = 0.6
    phi = np.array([[1.0, 0.3], [0.3, 1.0]])
    sigma = lam @ phi @ lam.T
    np.fill_diagonal(sigma, 1.0)
    x = rng.multivariate_normal(np.zeros(8), sigma, size=50_000)
    df = pd.DataFrame(x, columns=[f"i{j}" for j in range(8)])
    for method in ("ml", "minres"):
        res = efa(df, n_factors=2, method=method)
        got = res.loadings.iloc[:, 1:].to_numpy()
        if got[0, 0] < got[0, 1]:
            got = got[:, ::-1]
        assert_allclose(got, lam, atol=0.03)
        assert_allclose(res.phi["correlation"].to_numpy()[1], 0.3, atol=0.03)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [({"method": "pa"}, UsageError, "method"), ({"rotation": "varimax"}, UsageError, "rotation"),
     ({"n_factors": 0}, UsageError, "n_factors"), ({"n_factors": 4}, UsageError, "too many"),
     ({"items": ["a", "zz"]}, UsageError, "zz")],
)
def test_argument_errors(kwargs, error, fragment):
    df = pd.DataFrame(np.random.default_rng(0).standard_normal((50, 5)), columns=list("abcde"))
    with pytest.raises(error, match=fragment):
        efa(df, **{"n_factors": 1, **kwargs})


def test_data_errors():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.standard_normal((50, 4)), columns=list("abcd"))
    df["d"] = 1.0
    with pytest.raises(DataValidationError, match="'d'"):
        efa(df, n_factors=1)
    with pytest.raises(DataValidationError, match="complete row"):
        efa(df.iloc[:3, :3], n_factors=1)
    with pytest.raises(UsageError, match="quantile"):
        parallel_analysis(df[list("abc")], quantile=1.5)


def _write_instrument(tmp_path) -> Path:
    lines = [
        'id = "bfi"', 'name = "bfi"', 'version = "test"', 'citation = "Revelle, psych::bfi"',
        'construct = "personality"', "", "[response_scale]", "min = 1", "max = 6",
        'labels = ["1", "2", "3", "4", "5", "6"]', "", "[scoring]", 'method = "mean"', "min_answered = 0.8", "",
    ]
    for letter in "acen":
        for j in range(1, 6):
            lines += ["[[items]]", f'id = "{letter}{j}"', ""]
    path = tmp_path / "bfi.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_cli_efa_json_and_csv(tmp_path, capsys, bfi):
    inst = _write_instrument(tmp_path)
    data = tmp_path / "bfi.csv"
    bfi.rename(columns=str.lower).to_csv(data, index=False)
    code = main(["efa", str(data), "--instrument", str(inst), "--factors", "4", "--format", "json", "--seed", "1"])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["n_factors"] == 4 and payload["converged"] is True
    assert len(payload["loadings"]) == 20 and "factor_4" in payload["loadings"][0]
    out = tmp_path / "loadings.csv"
    assert main(["efa", str(data), "--instrument", str(inst), "--format", "csv", "-o", str(out), "--seed", "1"]) == 0
    table = pd.read_csv(out)
    assert list(table["item"])[:2] == ["a1", "a2"]
    assert main(["efa", str(data), "--instrument", str(inst), "--method", "minres", "--factors", "4"]) == 0
    assert "factor_1" in capsys.readouterr().out
