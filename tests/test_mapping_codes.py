"""Numeric answers coded differently from the instrument: value-label recoding and the [codes] table.

The canonical data are the platform fixtures' truth (12 responses to the 0-4 Classroom Community
Scale); the SPSS and Stata files here hold the same answers as codes 1-5 with value labels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import belonging as bl
from belonging.cli import main
from belonging.mapping import Mapping, propose_codes

pyreadstat = pytest.importorskip("pyreadstat")

P = Path(__file__).resolve().parent / "fixtures" / "platforms"
CCS = bl.load_instrument("ccs")
ITEMS = list(CCS.item_ids)
SCORES = ("ccs", "ccs_connectedness", "ccs_learning", "ccs_n_answered")


@pytest.fixture(scope="module")
def truth():
    return pd.read_csv(P / "truth.csv", dtype={"response_id": str})


def _write(path, truth, *, shift=1, labels=None, container="sav", extra=None):
    """`truth`'s answers + `shift`, with value labels ``{code + shift: label}`` on every item."""
    labels = labels if labels is not None else dict(enumerate(CCS.response_scale.labels))
    frame = truth[["response_id", *ITEMS]].copy()
    frame[ITEMS] = frame[ITEMS] + shift
    for (row, col), value in (extra or {}).items():
        frame.loc[row, col] = value
    value_labels = {i: {float(c + shift): t for c, t in labels.items()} for i in ITEMS}
    if container == "sav":
        pyreadstat.write_sav(frame, str(path), variable_value_labels=value_labels)
    else:
        value_labels = {k: {int(c): t for c, t in v.items()} for k, v in value_labels.items()}
        pyreadstat.write_dta(frame, str(path), variable_value_labels=value_labels)
    return path


def _same_scores(got, ref):
    assert len(got) == len(ref)
    for col in SCORES:
        assert_allclose(got[col].to_numpy(dtype=float), ref[col].to_numpy(dtype=float), rtol=0, atol=1e-12)


@pytest.mark.parametrize("container", ["sav", "dta"])
def test_shifted_codes_with_value_labels_score_like_the_canonical_data(tmp_path, truth, container):
    path = _write(tmp_path / f"shifted.{container}", truth, container=container)
    responses = bl.read_export(path)
    assert np.nanmin(responses.data[ITEMS].to_numpy(dtype=float)) == 1  # the file really holds 1-5
    _same_scores(bl.score(responses, "ccs"), bl.score(truth, "ccs"))
    mapped = bl.map_items(responses, CCS)
    assert len(mapped.issues) == 0
    assert mapped.notes == ("ccs_01 ... ccs_20 (20 columns): answers recoded through their value labels to 'ccs''s codes: "
                            "1 -> 0, 2 -> 1, 3 -> 2, 4 -> 3, 5 -> 4",)


def test_value_labels_match_ignoring_case_and_spaces_in_any_order(tmp_path, truth):
    # reversed coding: 1 = Strongly agree ... 5 = Strongly disagree, spelled loosely
    labels = {4 - c: "  " + t.upper().replace(" ", "   ") + " " for c, t in enumerate(CCS.response_scale.labels)}
    path = _write(tmp_path / "rev.sav", truth.assign(**{i: 4 - truth[i] for i in ITEMS}), labels=labels)
    mapped = bl.map_items(bl.read_export(path), CCS)
    assert_allclose(mapped.items.to_numpy(), truth[ITEMS].to_numpy(dtype=float), rtol=0, atol=0)


def test_codes_that_fit_the_scale_with_agreeing_labels_change_nothing(tmp_path, truth):
    path = _write(tmp_path / "same.sav", truth, shift=0, extra={(0, "ccs_01"): 3.0})
    mapped = bl.map_items(bl.read_export(path), CCS)
    assert mapped.notes == () and len(mapped.issues) == 0
    assert mapped.items.loc[0, "ccs_01"] == 3.0
    fixture = bl.map_items(bl.read_export(P / "spss.sav"), CCS)  # 0-4 with labels and 8 "Don't know"
    assert fixture.notes == () and len(fixture.issues) == 0


def test_a_value_without_a_scale_label_in_a_recoded_column_is_out_of_range(tmp_path, truth):
    path = _write(tmp_path / "zero.sav", truth, extra={(2, "ccs_04"): 0.0, (4, "ccs_05"): 6.0})
    mapped = bl.map_items(bl.read_export(path), CCS)
    assert mapped.issues[["row", "column", "value", "reason"]].values.tolist() == [
        [3, "ccs_04", "0.0", "out_of_range"], [5, "ccs_05", "6.0", "out_of_range"],
    ]
    assert mapped.issues.loc[0, "message"] == (
        f"{path}: row 3, column 'ccs_04': value '0.0' has no value label naming a point of 'ccs''s scale "
        "(the column is recoded through its value labels); fix the value or set it empty"
    )
    assert np.isnan(mapped.items.loc[2, "ccs_04"]) and mapped.items.loc[3, "ccs_04"] == truth.loc[3, "ccs_04"]


def test_labels_that_name_only_some_points_on_other_codes_are_noted_not_applied(tmp_path, truth):
    labels = {0: "Strongly disagree", 4: "Strongly agree"}  # only two points labelled, on codes 1 and 5
    path = _write(tmp_path / "partial.sav", truth, labels=labels)
    mapped = bl.map_items(bl.read_export(path), CCS)
    assert any("value labels put some of 'ccs''s labels on other codes" in n for n in mapped.notes)
    assert (mapped.issues["value"] == "5.0").any()  # codes read as they are: 5 is off the 0-4 scale


def _map_file(tmp_path, codes="", columns=None, name="m.toml"):
    columns = columns or {f"Q{j}": it for j, it in enumerate(ITEMS, start=1)}
    text = "[columns]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in columns.items()) + "\n[codes]\n" + codes
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


SHIFT = '"1" = 0\n"2" = 1\n"3" = 2\n"4" = 3\n"5" = 4\n'


@pytest.mark.parametrize("as_text", [False, True])
def test_codes_table_recodes_numeric_and_numeric_text_answers(tmp_path, truth, as_text):
    data = truth[ITEMS].add(1).set_axis([f"Q{j}" for j in range(1, 21)], axis=1)
    if as_text:
        data = data.astype("Int64").astype("string").astype(object)
        data.iloc[0, 0] = " 5.0 "
        data.iloc[1, 0] = "Agree"  # a label is still a label on the instrument's scale
    mapped = bl.map_items(data, CCS, mapping=_map_file(tmp_path, SHIFT))
    expect = truth[ITEMS].to_numpy(dtype=float)
    if as_text:
        expect[0, 0], expect[1, 0] = 4.0, 3.0
    assert_allclose(mapped.items.to_numpy(), expect, rtol=0, atol=0)
    assert len(mapped.issues) == 0
    assert mapped.notes[0].startswith("numeric answers recoded through [codes] of ")


def test_a_number_not_under_codes_is_out_of_range_naming_the_map_line(tmp_path, truth):
    data = truth[ITEMS].add(1).set_axis([f"Q{j}" for j in range(1, 21)], axis=1)
    data.iloc[2, 3] = 0.0
    path = _map_file(tmp_path, SHIFT)
    mapped = bl.map_items(data, CCS, mapping=path, source="export.csv")
    assert mapped.issues["reason"].tolist() == ["out_of_range"]
    assert mapped.issues.loc[0, "message"] == (
        f"export.csv: row 3, column 'Q4': value '0.0' is not a source code under [codes] in {path}, line 23 (1, 2, 3, 4, 5);"
        " fix the value or set it empty"
    )


def test_codes_table_wins_over_value_labels(tmp_path, truth):
    sav = _write(tmp_path / "s.sav", truth)  # 1-5 with labels: would recode by itself
    mapping = _map_file(tmp_path, '"1" = 4\n"2" = 3\n"3" = 2\n"4" = 1\n"5" = 0\n', columns={i: i for i in ITEMS})
    mapped = bl.map_items(bl.read_export(sav), CCS, mapping=mapping)
    assert_allclose(mapped.items.to_numpy(), 4 - truth[ITEMS].to_numpy(dtype=float), rtol=0, atol=0)


def test_qualtrics_numeric_fixture_holds_recode_values_1_to_5_and_its_map_recodes_them(truth):
    responses = bl.read_export(P / "qualtrics_numeric.csv", timezone="America/New_York")
    values = pd.to_numeric(responses.data["Q5_1"], errors="coerce")
    assert values.min() == 1 and values.max() == 5
    assert bl.load_mapping(P / "maps" / "qualtrics_numeric.toml").codes == {1.0: 0.0, 2.0: 1.0, 3.0: 2.0, 4.0: 3.0, 5.0: 4.0}
    without = bl.map_items(responses, CCS, mapping=P / "maps" / "qualtrics.toml")  # the 0-4 map: 5s are off the scale
    assert (without.issues["value"] == "5").any()


def test_to_toml_round_trips_codes_labels_and_missing(tmp_path):
    from types import MappingProxyType

    m = Mapping(columns=MappingProxyType({"Q1": "ccs_01"}), labels=MappingProxyType({"Totally": 4.0}),
                missing=("Prefer not to say",), codes=MappingProxyType({1.0: 0.0, 2.5: 1.0}))
    path = tmp_path / "m.toml"
    path.write_text(m.to_toml(), encoding="utf-8")
    back = bl.load_mapping(path)
    assert (dict(back.columns), dict(back.labels), back.missing, dict(back.codes)) == (
        {"Q1": "ccs_01"}, {"Totally": 4.0}, ("Prefer not to say",), {1.0: 0.0, 2.5: 1.0})


# --- mapping-file errors name the line -------------------------------------------------------------

@pytest.mark.parametrize(("text", "fragment"), [
    ('[columns]\n"t1" = "ccs_01"\n\n"t2" = "ccs_01"\n', ", line 4: [columns]: item 'ccs_01' is mapped twice (from 't1' and 't2')"),
    ('[columns]\nQ1 = 3\n', ", line 2: [columns] 'Q1' = 3: the item id must be a string"),
    ('[columns]\n"Q1" = "ccs_01"\n[labels]\n"Agree" = 3\n"Meh" = "two"\n', ", line 5: [labels] 'Meh' = 'two': the code must be a number"),
    ('[columns]\n"Q1" = "ccs_01"\n[codes]\n"one" = 0\n', ", line 4: [codes] 'one': the key must be a source code"),
    ('[columns]\n[codes]\n"1" = 0\n"1.0" = 1\n', ", line 4: [codes]: source code 1 is given twice (as '1' and '1.0')"),
    ('[columns]\n[codes]\n"1" = "zero"\n', ", line 3: [codes] '1' = 'zero': the value must be a code"),
    ('[columns]\n"Q1" = "ccs_01"\n\n[lables]\n"A" = 1\n', ", line 4: unknown table 'lables'"),
    ('missing = "NA"\n[columns]\n', ", line 1: `missing` must be a list of strings"),
])
def test_mapping_file_errors_give_the_line(tmp_path, text, fragment):
    path = tmp_path / "m2.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(bl.MappingError) as caught:
        bl.load_mapping(path)
    assert str(caught.value).startswith(f"{path}{fragment}")


def test_mapped_column_not_in_the_data_names_the_map_line(tmp_path, truth):
    path = tmp_path / "m.toml"
    path.write_text('[columns]\n"ccs_01" = "ccs_01"\n"Q99" = "ccs_02"\n', encoding="utf-8")
    with pytest.raises(bl.MappingError, match=r"m\.toml, line 3: mapped column 'Q99' is not in data"):
        bl.map_items(truth[ITEMS], CCS, mapping=path)


# --- cell messages name the file -------------------------------------------------------------------

def test_cell_messages_name_file_row_column_and_value(tmp_path, truth, capsys):
    src = tmp_path / "survey.csv"
    data = truth[["response_id", *ITEMS]].astype({i: "Int64" for i in ITEMS})
    data.loc[4, "ccs_03"] = 7
    data.to_csv(src, index=False)
    mapped = bl.map_items(bl.read_export(src), CCS)
    expected = f"{src}: row 5, column 'ccs_03': value '7' is outside the scale 0-4 of instrument 'ccs'"
    assert mapped.issues.loc[0, "message"].startswith(expected)
    with pytest.raises(bl.DataValidationError, match="^" + expected.replace("(", r"\(")):
        mapped.raise_if_invalid()
    assert main(["score", str(src), "--instrument", "ccs", "-o", str(tmp_path / "s.csv")]) == 0
    assert f"  {expected}" in capsys.readouterr().err


# --- proposing [codes] -----------------------------------------------------------------------------

def test_propose_codes_when_value_labels_confirm_a_shift(tmp_path, truth):
    labels = {0: "Strongly disagree", 4: "Strongly agree", 1: "Rather not", 2: "So-so", 3: "Rather yes"}
    responses = bl.read_export(_write(tmp_path / "p.sav", truth, labels=labels))
    assert bl.map_items(responses, CCS).notes[0].endswith("codes read as they are (give [codes] in a --map file if the labels are right)")
    codes, note = propose_codes(responses, CCS, ITEMS)
    assert codes == {1.0: 0.0, 2.0: 1.0, 3.0: 2.0, 4.0: 3.0, 5.0: 4.0}
    assert "shifted by +1" in note
    mapping = Mapping(columns={i: i for i in ITEMS}, codes=codes)
    _same_scores(bl.score(responses, "ccs", mapping=mapping), bl.score(truth, "ccs"))


def test_propose_codes_without_labels_only_notes_the_suspected_shift():
    responses = bl.read_export(P / "qualtrics_numeric.csv")
    codes, note = propose_codes(responses, CCS, [f"Q5_{j}" for j in range(1, 21)])
    assert codes == {}
    assert note.startswith("answer codes run 1-5, ccs's scale 0-4: if the export's codes are shifted, add [codes] (1 -> 0")


def test_propose_codes_proposes_nothing_for_codes_on_the_scale(truth):
    assert propose_codes(bl.read_export(P / "spss.sav"), CCS, ITEMS) == ({}, None)
    assert propose_codes(truth, CCS, ITEMS) == ({}, None)


def test_inspect_write_map_proposes_the_codes_table(tmp_path, truth):
    """inspect's proposal carries the [codes] table the value labels confirm, and the written map
    scores the shifted file through it as the canonical data."""
    from belonging.cli import main

    path = _write(tmp_path / "shifted.sav", truth)
    proposal = bl.propose_mapping(bl.read_export(path), "ccs")
    assert dict(proposal.mapping.codes) == {float(c + 1): float(c) for c in range(5)}
    assert proposal.notes
    out = tmp_path / "map.toml"
    assert main(["inspect", str(path), "--instrument", "ccs", "--write-map", str(out)]) == 0
    assert "[codes]" in out.read_text()
    _same_scores(bl.score(bl.read_export(path), "ccs", mapping=out), bl.score(truth, "ccs"))


def test_off_scale_shortcut_equals_the_cell_by_cell_rule():
    """Columns without a problem are cleared from a few reductions; the mask, when built, is the rule's."""
    import numpy as np

    from belonging.mapping import _off_scale

    def rule(v, lo, hi):
        with np.errstate(invalid="ignore"):
            return ~np.isnan(v) & ((v < lo) | (v > hi) | (v != np.round(v)))

    rng = np.random.default_rng(5)
    cases = [
        np.array([1.0, 2.0, np.nan, 5.0]),  # clean
        np.array([np.nan, np.nan]),  # nothing answered
        np.array([1.0, 2.5, np.nan]),  # a fraction inside the range
        np.array([0.0, 3.0]),  # below
        np.array([6.0, np.nan, 1.0]),  # above
        np.array([np.inf, 2.0]),
        np.array([-np.inf, 2.0]),
        np.array([1.0, 5.0 + 1e-9]),
        np.array([], dtype=float),
    ]
    for _ in range(50):
        v = rng.integers(0, 7, size=200).astype(float)
        v[rng.random(200) < 0.1] = np.nan
        if rng.random() < 0.3:
            v[rng.integers(0, 200)] += 0.5
        cases.append(v)
    from belonging import mapping

    long_clean = rng.integers(1, 6, size=3 * mapping._WHOLE_PIECE + 11).astype(float)
    long_clean[::7] = np.nan
    late_fraction = long_clean.copy()
    late_fraction[-3] = 2.25  # in the last, partial piece
    cases += [long_clean, late_fraction]
    for v in cases:
        got = _off_scale(v.copy(), 1, 5)
        want = rule(v, 1, 5)
        if got is None:
            assert not want.any(), v
        else:
            np.testing.assert_array_equal(got, want)


def _write_export(path, rows, columns):
    import numpy as np

    rng = np.random.default_rng(9)
    body = rng.integers(1, 6, size=(rows, len(columns))).astype(object)
    body[rng.random(body.shape) < 0.05] = ""
    lines = [",".join(["response_id", *columns])] + [",".join([f"R{i}", *map(str, r)]) for i, r in enumerate(body)]
    path.write_text("\n".join(lines) + "\n")


def test_clean_item_columns_are_shared_not_copied(tmp_path, monkeypatch):
    """Clean codes side by side in the read block: the item matrix is a read-only view of the responses,
    equal to the copied matrix, alive after the responses are gone; anything else is copied."""
    import gc

    import numpy as np

    import belonging as bl
    from belonging import mapping

    gbs = bl.load_instrument("gbs")
    ids = list(gbs.item_ids)
    path = tmp_path / "export.csv"
    _write_export(path, 400, ids)
    responses = bl.read_export(path)
    shared = bl.map_items(responses, gbs)
    x = shared.items.to_numpy()
    assert np.shares_memory(x, responses.data[ids[0]].to_numpy()) and not x.flags.writeable
    monkeypatch.setattr(mapping, "_shared_matrix", lambda *a: None)
    copied = bl.map_items(responses, gbs)
    pd.testing.assert_frame_equal(shared.items, copied.items, check_exact=True)
    pd.testing.assert_frame_equal(shared.issues, copied.issues)
    monkeypatch.undo()
    with pytest.raises(ValueError):
        x[0, 0] = 99.0
    expected = copied.items.copy()
    del responses, copied
    gc.collect()
    pd.testing.assert_frame_equal(shared.items, expected, check_exact=True)

    # columns in another order than the instrument's, or a value off the scale: a copy
    _write_export(path, 400, ids[::-1])
    reordered = bl.read_export(path)
    m = bl.map_items(reordered, gbs)
    assert not np.shares_memory(m.items.to_numpy(), reordered.data[ids[0]].to_numpy())
    text = path.read_text().splitlines()
    text[5] = text[5].rsplit(",", 1)[0] + ",9"
    path.write_text("\n".join(text) + "\n")
    off = bl.read_export(path)
    m = bl.map_items(off, gbs)
    assert not np.shares_memory(m.items.to_numpy(), off.data[ids[0]].to_numpy())
    assert m.issues["reason"].tolist() == ["out_of_range"] and np.isnan(m.items.iloc[4, 0])


def test_item_frame_is_writable_even_when_the_mapping_is_shared(tmp_path):
    """A notebook user may edit the frame item_frame returns; the responses stay as read."""
    import numpy as np

    import belonging as bl

    gbs = bl.load_instrument("gbs")
    path = tmp_path / "export.csv"
    _write_export(path, 50, list(gbs.item_ids))
    responses = bl.read_export(path)
    assert bl.map_items(responses, gbs).shared
    items = bl.item_frame(responses, gbs)
    before = responses.data[gbs.item_ids[0]].copy()
    items.loc[0, gbs.item_ids[0]] = 99.0
    assert items.iloc[0, 0] == 99.0
    pd.testing.assert_series_equal(responses.data[gbs.item_ids[0]], before)
    assert not np.shares_memory(items.to_numpy(), responses.data[gbs.item_ids[0]].to_numpy())
