"""Scoring engine: reference values from R psych::scoreItems and properties of the formula."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import belonging as bl
from belonging.errors import DataValidationError, UsageError

REF = Path(__file__).parent / "reference"
SUBSCALES = ["agree", "conscientious", "extraversion", "neuroticism", "openness"]


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(REF / "data" / "bfi.csv")


@pytest.fixture(scope="module")
def bfi_instrument():
    return bl.load_instrument(REF / "scoring" / "bfi.toml")


def test_mean_scores_equal_psych_scoreItems(bfi, bfi_instrument):
    """psych::scoreItems(bfi.keys, bfi, impute = "none", min = 1, max = 6); script in reference/scoring."""
    expected = pd.read_csv(REF / "scoring" / "scores_mean.csv")
    got = bl.score(bfi, bfi_instrument)
    assert len(got) == len(bfi) == 2800
    for sub in SUBSCALES:
        assert_allclose(got[f"bfi_{sub}"], expected[sub], rtol=0, atol=1e-9, err_msg=sub)


def test_prorated_sums_equal_psych_totals_on_complete_rows(bfi, bfi_instrument):
    """psych's totals = TRUE sums the answered items; ours prorates, so they agree where all are answered."""
    expected = pd.read_csv(REF / "scoring" / "scores_sum.csv")
    inst = bl.load_instrument(REF / "scoring" / "bfi.toml")
    summed = type(inst)(**{**inst.__dict__, "scoring": type(inst.scoring)(method="sum", min_answered=0.01)})
    got = bl.score(bfi, summed)
    for sub in SUBSCALES:
        cols = [i.id.upper() for i in summed.items if i.subscale == sub]
        complete = bfi[cols].notna().all(axis=1)
        assert complete.sum() > 2000
        assert_allclose(got.loc[complete, f"bfi_{sub}"], expected.loc[complete, sub], rtol=0, atol=1e-9)
        partial = ~complete & bfi[cols].notna().any(axis=1)
        # prorated: mean of answered items times the number of items
        means = pd.read_csv(REF / "scoring" / "scores_mean.csv").loc[partial, sub]
        assert_allclose(got.loc[partial, f"bfi_{sub}"], 5 * means, atol=1e-9)


def test_output_columns_and_order(bfi, bfi_instrument):
    got = bl.score(bfi.iloc[:5], bfi_instrument, keep=["gender"])
    assert list(got.columns) == ["response_id", "bfi", *[f"bfi_{s}" for s in SUBSCALES], "bfi_n_answered", "gender"]
    assert got["response_id"].tolist() == ["1", "2", "3", "4", "5"]


def test_min_answered_rule():
    inst = bl.load_instrument("ccs")  # 20 items, min_answered 0.8 -> 16 needed for the total
    ids = list(inst.item_ids)
    full = {i: [2.0] * 3 for i in ids}
    df = pd.DataFrame(full)
    df.loc[1, ids[:4]] = np.nan  # 16 answered: scored
    df.loc[2, ids[:5]] = np.nan  # 15 answered: not scored
    got = bl.score(df, inst)
    assert got["ccs"].notna().tolist() == [True, True, False]
    assert got["ccs_n_answered"].tolist() == [20, 16, 15]
    # prorated sum: all answers 2 -> 20 * 2 regardless of keying (0 + 4 - 2 = 2)
    assert got.loc[1, "ccs"] == pytest.approx(40.0)


def test_reverse_keying_is_min_plus_max_minus_x():
    inst = bl.load_instrument("pssm")  # 1-5, reverse items 3, 6, 9, 12, 16
    row = {i: 5.0 for i in inst.item_ids}
    keyed = bl.reverse_items(pd.DataFrame([row]), inst)
    rev = set(inst.reverse_items)
    assert rev == {"pssm_03", "pssm_06", "pssm_09", "pssm_12", "pssm_16"}
    for item in inst.item_ids:
        assert keyed.loc[0, item] == (1.0 if item in rev else 5.0)


def test_labels_and_codes_mix():
    inst = bl.load_instrument("ccs")
    labels = inst.response_scale.labels
    df = pd.DataFrame({i: [labels[4].upper() + "  ", "4"] for i in inst.item_ids})
    got = bl.score(df, inst)
    assert_allclose(got["ccs_connectedness"], got["ccs_connectedness"].iloc[0])


def test_out_of_range_names_row_column_value():
    inst = bl.load_instrument("pssm")
    df = pd.DataFrame({i: [1, 2, 3] for i in inst.item_ids})
    df.loc[2, "pssm_07"] = 9
    with pytest.raises(DataValidationError, match=r"row 3, column 'pssm_07': value '9' is outside the scale 1-5"):
        bl.score(df, inst, source="survey.csv")


def test_unknown_label_is_an_error():
    inst = bl.load_instrument("pssm")
    df = pd.DataFrame({i: ["Completely true"] for i in inst.item_ids})
    df.loc[0, "pssm_02"] = "Sort of"
    with pytest.raises(DataValidationError, match=r"column 'pssm_02': unknown label 'Sort of'"):
        bl.score(df, inst)


def test_keep_identifier_needs_explicit_consent():
    inst = bl.load_instrument("pssm")
    df = pd.DataFrame({i: [1, 2] for i in inst.item_ids})
    df["email"] = ["a@example.org", "b@example.org"]
    with pytest.raises(UsageError, match="identifies a person"):
        bl.score(df, inst, keep=["email"])
    assert bl.score(df, inst, keep=["email"], keep_identifiers=True)["email"].tolist() == df["email"].tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=18, max_size=18), min_size=1, max_size=30)
)
def test_mean_score_matches_row_definition(rows):
    """Property: the vectorised score equals the per-row definition."""
    inst = bl.load_instrument("pssm")
    df = pd.DataFrame(rows, columns=list(inst.item_ids), dtype="float64")
    got = bl.score(df, inst)["pssm"].to_numpy()
    for r, values in enumerate(rows):
        answered = [(6 - v if inst.item(inst.item_ids[j]).reverse else v) for j, v in enumerate(values) if v is not None]
        if len(answered) >= 15:  # ceil(0.8 * 18)
            assert got[r] == pytest.approx(18 * sum(answered) / len(answered))
        else:
            assert np.isnan(got[r])


@pytest.mark.parametrize("instrument_id", ["ccs", "pssm"])
def test_row_blocks_give_the_row_definition(instrument_id):
    """score_items works through the rows in blocks: scores across block edges equal the definition."""
    from belonging.scoring import _BLOCK, _min_count

    inst = bl.load_instrument(instrument_id)
    rng = np.random.default_rng(11)
    n = 2 * _BLOCK + 321  # three blocks, the last one partial
    scale = inst.response_scale
    x = rng.integers(scale.min, scale.max + 1, size=(n, len(inst.item_ids))).astype("float64")
    x[rng.random(x.shape) < 0.15] = np.nan
    items = pd.DataFrame(x, columns=list(inst.item_ids))
    got = bl.score_items(items, inst)
    keyed = bl.reverse_items(items, inst)
    for name, members in inst.scales().items():
        block = keyed[list(members)].to_numpy()
        answered = (~np.isnan(block)).sum(axis=1)
        expected = np.nanmean(np.where(answered[:, None] > 0, block, 0.0), axis=1)
        if inst.scoring.method == "sum":
            expected = expected * len(members)
        expected[answered < _min_count(len(members), inst.scoring.min_answered)] = np.nan
        assert_allclose(got[name].to_numpy(), expected, rtol=0, atol=1e-12, err_msg=name)
    assert got[inst.id + "_n_answered"].tolist() == (~np.isnan(x)).sum(axis=1).tolist()


def test_status_alignment_by_source_row():
    """Statuses follow source_row whether the report has the same rows, more rows, or another order."""
    from types import SimpleNamespace

    from belonging.scoring import _status_for

    rows = pd.DataFrame({"source_row": [1, 2, 3, 5, 8], "status": ["kept", "flagged", "excluded", "kept", "flagged"]})
    report = SimpleNamespace(rows=rows)
    assert _status_for(pd.DataFrame({"source_row": [1, 2, 3, 5, 8]}), report).tolist() == ["kept", "flagged", "excluded", "kept", "flagged"]
    assert _status_for(pd.DataFrame({"source_row": [2, 8]}), report).tolist() == ["flagged", "flagged"]
    assert _status_for(pd.DataFrame({"source_row": [8, 1]}), report).tolist() == ["flagged", "kept"]
    shuffled = SimpleNamespace(rows=rows.iloc[[4, 0, 2, 1, 3]].reset_index(drop=True))
    assert _status_for(pd.DataFrame({"source_row": [1, 5, 8]}), shuffled).tolist() == ["kept", "kept", "flagged"]
    for other in ([4], [9], ["1"]):
        with pytest.raises(UsageError, match="does not match the data"):
            _status_for(pd.DataFrame({"source_row": other}), report)
