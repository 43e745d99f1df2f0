"""Round trip per platform: build -> simulated export in the platform's real layout -> `belonging inspect`
proposes every item with full confidence -> `belonging score` equals scoring the simulated answers directly.

The simulated export is read back from the built file (see ``_simulate.py``) and written in the export
layouts the ingest fixtures use (Qualtrics three header rows and ImportId JSON, LimeSurvey code headings
``Q[SQ]`` with answer codes, REDCap raw codes with its data dictionary, the paper form's data-entry sheet).
"""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from _simulate import item_frame, simulate

import belonging as bl
from belonging.cli import main

CASES = [
    # platform, values, score needs the written --map
    ("qualtrics", "numeric", False),
    ("qualtrics", "text", False),
    ("limesurvey", "numeric", True),
    ("redcap", "numeric", False),
    ("redcap", "text", False),
    ("html", "numeric", False),
]


def _run(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _input_args(sim, folder, platform) -> list[str]:
    return [str(sim.path)] + (["--dictionary", str(folder / "survey.csv")] if platform == "redcap" else [])


@pytest.fixture(scope="module")
def built():
    return {p: bl.build_survey(["ccs", "coi"], platform=p, allow_unconfirmed=True, attention_checks=2,
                               participation=True, randomise=p in ("qualtrics", "limesurvey"))
            for p in ("qualtrics", "limesurvey", "redcap", "html")}


@pytest.mark.parametrize(("platform", "values", "needs_map"), CASES)
def test_inspect_proposes_every_item_with_full_confidence(built, tmp_path, platform, values, needs_map):
    sim = simulate(built[platform], tmp_path, values=values)
    for instrument in ("ccs", "coi"):
        code, out, err = _run(["inspect", *_input_args(sim, tmp_path, platform), "--instrument", instrument, "--format", "json"])
        assert code == 0, err
        result = json.loads(out)
        table = pd.DataFrame(result["mapping"])
        inst = bl.load_instrument(instrument)
        assert table["item"].tolist() == list(inst.item_ids)
        assert (table["match_confidence"] == 1.0).all(), table.loc[table["match_confidence"] < 1]
        assert set(table["basis"]) <= {"name", "question text"}  # the export tag, or the exact wording too
        mapping = bl.load_mapping(tmp_path / "survey.map.toml")
        expected = {item: col for col, item in mapping.columns.items() if item in inst.item_ids}
        assert dict(zip(table["item"], table["column"])) == expected


@pytest.mark.parametrize(("platform", "values", "needs_map"), CASES)
def test_score_equals_scoring_the_answers_directly(built, tmp_path, platform, values, needs_map):
    sim = simulate(built[platform], tmp_path, values=values)
    for instrument in ("ccs", "coi"):
        inst = bl.load_instrument(instrument)
        out = tmp_path / f"scores_{instrument}.csv"
        argv = ["score", *_input_args(sim, tmp_path, platform), "--instrument", instrument, "-o", str(out)]
        if needs_map:
            argv += ["--map", str(tmp_path / "survey.map.toml")]
        code, _, err = _run(argv)
        assert code == 0, err
        scores = pd.read_csv(out)
        assert len(scores) == len(sim.frame)
        assert set(scores["status"]) <= {"kept", "flagged"}  # nothing excluded: every row is scored
        direct = bl.score(item_frame(sim, tmp_path / "survey.map.toml", inst), inst)
        for column in inst.scales():
            np.testing.assert_allclose(scores[column].to_numpy(float), direct[column].to_numpy(float), rtol=0, atol=1e-12)
        assert scores[instrument].notna().sum() > len(sim.frame) // 2  # the comparison is not of empty columns


def test_score_needs_no_map_where_the_export_names_columns_by_item(built, tmp_path):
    """Qualtrics (statement export tags), REDCap (field names) and the paper sheet name columns by item id."""
    for platform in ("qualtrics", "redcap", "html"):
        folder = tmp_path / platform
        folder.mkdir()
        sim = simulate(built[platform], folder)
        responses = bl.read_export(sim.path, dictionary=folder / "survey.csv" if platform == "redcap" else None)
        mapped = bl.map_items(responses, bl.load_instrument("ccs"))
        assert mapped.columns == {i: i for i in bl.load_instrument("ccs").item_ids}
        assert len(mapped.issues) == 0


def test_participation_columns_reach_compare_and_participation(built, tmp_path):
    """The participation block's columns are what `compare --by mode` and `participation --measures` take."""
    sim = simulate(built["qualtrics"], tmp_path)
    responses = bl.read_export(sim.path)
    scores = bl.score(responses, "ccs", keep=["mode", "forum_posts", "chat_messages", "live_hours",
                                             "breakout_sessions", "support_contacts", "learning_path"])
    table = bl.participation(scores, outcome="ccs", measures=["forum_posts", "chat_messages", "live_hours",
                                                                  "breakout_sessions", "support_contacts"])
    assert table["measure"].tolist() == ["forum_posts", "chat_messages", "live_hours", "breakout_sessions", "support_contacts"]
    assert table["n"].iloc[0] == scores["ccs"].notna().sum()
    result = bl.compare(scores, outcome="ccs", by="mode", model="none")
    assert sorted(result.descriptives["group"].astype(str)) == sorted(set(scores["mode"].dropna().astype(int).astype(str)))


@pytest.mark.parametrize("platform", ["qualtrics", "limesurvey", "redcap", "html"])
def test_quality_check_recognises_the_surveys_attention_checks(built, tmp_path, platform):
    """A wrong answer to a built attention check flags the response with reason ``attention_check``."""
    sim = simulate(built[platform], tmp_path)
    responses = bl.read_export(sim.path, dictionary=tmp_path / "survey.csv" if platform == "redcap" else None)
    mapping = bl.load_mapping(tmp_path / "survey.map.toml")
    assert len(mapping.attention_checks) == 2
    for instrument in ("ccs", "coi"):
        report = bl.check_quality(responses, bl.load_instrument(instrument), mapping=mapping)
        issues = report.issues[report.issues["reason"] == "attention_check"]
        expected = {(col, row + 1) for col, rows in sim.failed_checks.items() for row in rows}
        assert set(zip(issues["column"], issues["row"])) == expected
        flagged = set(np.flatnonzero(report.rows["status"].to_numpy() != "kept"))
        assert {row for rows in sim.failed_checks.values() for row in rows} <= flagged
    # without the survey's map, nothing names the check columns: no attention_check reason
    plain = bl.check_quality(responses, bl.load_instrument("ccs"), mapping=mapping if platform == "limesurvey" else None)
    if platform != "limesurvey":
        assert not (plain.issues["reason"] == "attention_check").any()


@pytest.mark.parametrize("platform", ["qualtrics", "limesurvey"])
def test_an_instruments_own_attention_check_is_judged_once(tmp_path, platform):
    """The instrument's [[attention_checks]] are in the built map too: one failure is one issue (not two,
    Qualtrics), and no 'not found' note for the item id a LimeSurvey export does not have."""
    from test_design import CONFIRMED

    definition = tmp_path / "campus.toml"
    definition.write_text(CONFIRMED + '[[attention_checks]]\nitem = "campus_chk"\nexpected = 3\n', encoding="utf-8")
    instrument = bl.load_instrument(definition)
    built = bl.build_survey(definition, platform=platform)
    mapping = bl.load_mapping(built.write(tmp_path / "s")[-1])
    check_column = mapping.attention_checks[0][0]
    answers = pd.DataFrame({**{col: [1, 2, 3] for col in mapping.columns}, check_column: [3, 1, 3]})
    report = bl.check_quality(answers, instrument, mapping=mapping)
    issues = report.issues[report.issues["reason"] == "attention_check"]
    assert issues[["row", "column"]].values.tolist() == [[2, check_column]]
    assert not any("not found in the data" in note for note in report.notes)
    # without the survey's map the instrument's own check is judged by its item id, once
    if platform == "qualtrics":
        plain = bl.check_quality(answers, instrument)
        assert (plain.issues["reason"] == "attention_check").sum() == 1
