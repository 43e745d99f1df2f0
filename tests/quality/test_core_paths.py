"""check_quality's shortcuts give the same answers: indices off are skipped, reason strings, mapped=."""

import numpy as np
import pandas as pd
import pytest

import belonging as bl
from belonging.quality import careless
from belonging.quality.core import _reason_strings
from belonging.quality.policy import REASONS


@pytest.fixture(scope="module")
def data():
    inst = bl.load_instrument("ccs")
    rng = np.random.default_rng(7)
    trait = rng.normal(size=(400, 1))
    codes = np.clip(np.round(2 + trait + rng.normal(size=(400, 20))), 0, 4)
    codes[rng.random(codes.shape) < 0.03] = np.nan
    codes[:5] = 2  # straight-liners
    frame = pd.DataFrame(codes, columns=list(inst.item_ids))
    frame.insert(0, "response_id", [f"r{i}" for i in range(400)])
    return frame, inst


def test_index_turned_off_is_not_computed(data, monkeypatch):
    frame, inst = data

    def boom(*args, **kwargs):
        raise AssertionError("computed although off")

    for name in ("mahalanobis", "irv", "longstring", "pairwise_correlation", "psychsyn", "even_odd"):
        monkeypatch.setattr(careless, name, boom)
    policy = bl.Policy().with_actions(longstring="off", irv="off", mahalanobis="off", even_odd="off", synonyms="off")
    rows = bl.check_quality(frame, inst, policy=policy).rows
    for col in ("longstring", "irv", "mahalanobis_d2", "mahalanobis_p", "even_odd", "psychsyn", "psychant"):
        assert rows[col].isna().all(), col
    assert not rows["reasons"].str.contains("longstring").any()


def test_results_equal_with_and_without_indices_off(data):
    frame, inst = data
    full = bl.check_quality(frame, inst).rows
    part = bl.check_quality(frame, inst, policy=bl.Policy().with_actions(mahalanobis="off")).rows
    pd.testing.assert_series_equal(full["longstring"], part["longstring"])
    pd.testing.assert_series_equal(full["psychsyn"], part["psychsyn"])
    assert full["mahalanobis_p"].notna().any() and part["mahalanobis_p"].isna().all()


def test_mapped_gives_the_same_report(data):
    frame, inst = data
    mapped = bl.map_items(frame, inst)
    a = bl.check_quality(frame, inst)
    b = bl.check_quality(frame, inst, mapped=mapped)
    pd.testing.assert_frame_equal(a.rows, b.rows)
    pd.testing.assert_frame_equal(a.summary, b.summary)


def test_mapped_from_other_data_is_refused(data):
    frame, inst = data
    with pytest.raises(bl.UsageError, match="mapped"):
        bl.check_quality(frame, inst, mapped=bl.map_items(frame.head(10), inst))


def test_reason_strings_join_codes_in_reason_order():
    rng = np.random.default_rng(3)
    masks = {r: rng.random(1000) < 0.2 for r in REASONS[::2]}
    got = _reason_strings(masks)
    expected = [";".join(r for r in REASONS if r in masks and masks[r][i]) for i in range(1000)]
    assert got.tolist() == expected
    assert _reason_strings({}).tolist() == []


def test_shared_moments_give_identical_matrices(data):
    frame, inst = data
    x = frame[list(inst.item_ids)].to_numpy(dtype="float64")
    mo = careless.pairwise_moments(x)
    np.testing.assert_array_equal(careless.pairwise_correlation(x, moments=mo), careless.pairwise_correlation(x))
    np.testing.assert_array_equal(careless.mahalanobis(x, moments=mo), careless.mahalanobis(x))
    cov, n = careless.pairwise_covariance(x, moments=mo)
    expected = pd.DataFrame(x).cov(min_periods=2).to_numpy()  # pairwise-complete, n - 1
    np.testing.assert_allclose(cov, expected, rtol=1e-12)
