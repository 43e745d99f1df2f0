"""`belonging inspect`, mapping proposals, and common response-label sets."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

import belonging as bl
from belonging.cli import main
from belonging.ingest.propose import propose_mapping
from belonging.instruments.model import ResponseScale
from belonging.mapping import common_labels, load_mapping, map_items

P = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"


@pytest.mark.parametrize(
    ("name", "mapfile", "basis"),
    [
        ("qualtrics_text.csv", "qualtrics", "question text"),
        ("qualtrics_legacy.csv", "qualtrics_legacy", "question text"),
        ("surveymonkey.csv", "surveymonkey", "question text"),
        ("surveymonkey.xlsx", "surveymonkey", "question text"),
        ("google_forms.csv", "google_forms", "question text"),
        ("microsoft_forms.xlsx", "microsoft_forms", "question text"),
        ("limesurvey_codes.csv", "limesurvey_codes", "position in block"),
        ("limesurvey_full.csv", "limesurvey_full", "position in block"),
    ],
)
def test_proposal_matches_the_hand_written_map(name, mapfile, basis):
    proposal = propose_mapping(bl.read_export(P / name), "ccs")
    assert dict(proposal.mapping.columns) == dict(load_mapping(P / "maps" / f"{mapfile}.toml").columns)
    assert (proposal.table["basis"] == basis).all()
    assert proposal.table["match_confidence"].between(0.3, 1.0).all()


def test_proposal_never_uses_identifying_or_free_text_columns():
    responses = bl.read_export(P / "qualtrics_text.csv")
    proposal = propose_mapping(responses, "ccs")
    assert not set(proposal.table["column"]) & set(responses.identifiers)


def test_proposal_on_named_columns_and_a_wrong_instrument():
    responses = bl.read_export(P / "spss.sav")
    p = propose_mapping(responses, "ccs")
    assert p.table["match_confidence"].min() == 1.0
    wrong = propose_mapping(responses, "pssm")  # no column resembles PSSM items
    assert wrong.table["column"].isna().all()
    assert "no column matches any of its 18 items" in wrong.summary()


def test_inspect_cli_prints_platform_counts_and_writes_map(tmp_path, capsys):
    out_map = tmp_path / "map.toml"
    code = main(["inspect", str(P / "qualtrics_text.csv"), "--instrument", "ccs", "--write-map", str(out_map), "--format", "json"])
    assert code == 0
    got = json.loads(capsys.readouterr().out)
    assert got["platform"] == "qualtrics"
    assert (got["records"], got["kept"], got["dropped_preview"], got["dropped_test"], got["incomplete"]) == (14, 12, 1, 1, 1)
    cols = {c["column"]: c for c in got["columns"]}
    assert cols["Q5_1"]["question"].endswith("peers care about each other")
    assert cols["RecipientEmail"]["identifier"] is True and cols["Q2_5_TEXT"]["free_text"] is True
    assert cols["Status"]["kind"] == "system"
    assert len(got["mapping"]) == 20
    mapping = load_mapping(out_map)
    assert mapping.columns["Q5_3"] == "ccs_03"
    scores = bl.score(bl.read_export(P / "qualtrics_text.csv"), "ccs", mapping=out_map)
    assert scores["ccs"].notna().sum() == 11


def test_inspect_without_instrument_and_write_map_usage_error(tmp_path, capsys):
    assert main(["inspect", str(P / "google_forms.csv")]) == 0
    out = capsys.readouterr().out
    assert "google_forms" in out and "Timestamp" not in out.split("== columns ==")[1].split("\n")[1]
    assert main(["inspect", str(P / "google_forms.csv"), "--write-map", str(tmp_path / "m.toml")]) == 2
    assert "--write-map needs --instrument" in capsys.readouterr().err
    assert not (tmp_path / "m.toml").exists()


# --- common label sets -------------------------------------------------------------------------------

def _scale(labels, lo=1):
    return ResponseScale(min=lo, max=lo + len(labels) - 1, labels=tuple(labels))


def test_agree_on_a_zero_to_four_instrument_is_three():
    codes, ambiguous = common_labels(bl.load_instrument("ccs").response_scale)
    assert codes["agree"] == 3.0 and codes["somewhat agree"] == 3.0
    assert codes["neither agree nor disagree"] == 2.0 and codes["strongly disagree"] == 0.0
    assert not ambiguous


def test_set_read_in_the_instruments_direction():
    codes, _ = common_labels(bl.load_instrument("pisa_belong").response_scale)  # 1 = Strongly agree
    assert codes["strongly agree"] == 1.0 and codes["disagree"] == 3.0 and codes["tend to agree"] == 2.0


def test_sets_with_another_number_of_points_do_not_apply():
    seven = bl.load_instrument("gbs").response_scale  # 7 points, 1-7
    codes, _ = common_labels(seven)
    assert codes["agree"] == 6.0  # agree7, not agree5's 4
    assert "tend to agree" not in codes  # agree4 only
    assert common_labels(bl.load_instrument("cohesion").response_scale) == ({}, {})  # 11 points: no set


def test_frequency_set_does_not_apply_to_an_agreement_scale():
    codes, _ = common_labels(bl.load_instrument("coi").response_scale)
    assert "sometimes" not in codes and "never" not in codes


def test_true_of_me_set_for_pssm():
    codes, _ = common_labels(bl.load_instrument("pssm").response_scale)
    assert codes["very true of me"] == 4.0 and codes["not at all true of me"] == 1.0


def test_ambiguous_label_is_reported_with_row_and_column():
    sets = {"a": (("Low",), ("Mid", "Okay"), ("High",)), "b": (("Low",), ("Middle",), ("High", "Okay"))}
    codes, ambiguous = common_labels(_scale(["Low", "Mid", "High"]), sets=sets)
    assert "okay" in ambiguous and "okay" not in codes and codes["middle"] == 2.0


def test_map_items_flags_ambiguous_and_unknown_labels(monkeypatch):
    import dataclasses

    import belonging.mapping as m

    # a 4-point agreement instrument (ubq's items; ubq itself ships only placeholder labels "1".."4")
    agree4 = ResponseScale(min=1, max=4, labels=("Strongly disagree", "Disagree", "Agree", "Strongly agree"))
    inst = dataclasses.replace(bl.load_instrument("ubq"), response_scale=agree4)
    sets = {"x": (("Strongly disagree",), ("Disagree", "Meh"), ("Agree",), ("Strongly agree",)),
            "y": (("Strongly disagree",), ("Disagree",), ("Agree", "Meh"), ("Strongly agree",))}
    monkeypatch.setattr(m, "label_sets", lambda: sets)
    items = list(inst.item_ids)
    frame = pd.DataFrame({i: ["Agree", "Tend to agree", "Meh", "Strongly agree", "Bogus"] for i in items})
    frame["source_row"] = [1, 2, 3, 4, 5]
    mapped = map_items(frame, inst)
    issues = mapped.issues
    amb = issues[issues["reason"] == "ambiguous_label"]
    unk = issues[issues["reason"] == "unknown_label"]
    assert set(amb["row"]) == {3} and set(unk["row"]) == {2, 5}  # "Tend to agree" is in no set here
    assert "row 3, column" in amb["message"].iloc[0] and "ambiguous label 'Meh'" in amb["message"].iloc[0]
    np.testing.assert_array_equal(mapped.items[items[0]].to_numpy()[[0, 3]], [3.0, 4.0])
    with pytest.raises(bl.DataValidationError, match="row 2, column"):
        mapped.raise_if_invalid()


def test_labels_recoded_without_a_map_file():
    inst = bl.load_instrument("ccs")
    items = list(inst.item_ids)
    texts = ["Strongly disagree", "Somewhat disagree", "Neither agree nor disagree", "somewhat  AGREE", "Strongly agree"]
    frame = pd.DataFrame({i: texts for i in items})
    got = bl.item_frame(frame, inst)
    np.testing.assert_array_equal(got[items[0]].to_numpy(), [0.0, 1.0, 2.0, 3.0, 4.0])


def test_mapping_label_overrides_a_set():
    from belonging.mapping import Mapping

    inst = bl.load_instrument("ccs")
    items = list(inst.item_ids)
    frame = pd.DataFrame({i: ["Somewhat agree"] for i in items})
    mapping = Mapping(labels=MappingProxyType({"Somewhat agree": 2.0}))
    assert bl.item_frame(frame, inst, mapping=mapping)[items[0]].tolist() == [2.0]
