"""The survey design: confirmed-wording gate and notice, attention checks, options, codes, written files."""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import belonging as bl
from belonging.errors import InstrumentError, UsageError
from belonging.survey.columns import layout
from belonging.survey.design import PLACEHOLDER, design_survey

CONFIRMED = """
id = "campus"
name = "Campus belonging (test)"
version = "1"
citation = "A test instrument with confirmed wording."
construct = "belonging"
sources = ["written for this test"]
[response_scale]
min = 1
max = 4
labels = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]
[scoring]
method = "mean"
[[items]]
id = "campus_01"
text = "I feel that I belong at this university."
[[items]]
id = "campus_02"
text = "I feel like an outsider here & nobody notices <me>."
reverse = true
[[items]]
id = "campus_03"
text = "People here accept me as I am."
"""


@pytest.fixture()
def confirmed(tmp_path) -> Path:
    path = tmp_path / "campus.toml"
    path.write_text(CONFIRMED, encoding="utf-8")
    return path


@pytest.mark.parametrize("instrument", ["ccs", "pssm", "gbs", "ubq", "cohesion", "pisa_belong", "belonging_uncertainty", "coi"])
def test_unconfirmed_or_unshipped_instruments_need_allow_unconfirmed(instrument):
    with pytest.raises(InstrumentError, match=f"instrument '{instrument}'.*--allow-unconfirmed"):
        bl.build_survey(instrument, platform="qualtrics")
    built = bl.build_survey(instrument, platform="qualtrics", allow_unconfirmed=True)
    inst = bl.load_instrument(instrument)
    notice = built.design.notice
    assert notice.startswith("Notice for the research team: remove this notice before fielding")
    assert all(f"Unconfirmed: {u}" in notice for u in inst.unconfirmed)
    assert built.design.blocks[0].id == "notice"
    assert any("notice" in str(w) for w in built.warnings)
    assert tomllib.loads(built.mapping_toml())["survey"]["notice"] == notice
    rows = [r for _, _, r in built.design.rows()]
    shipped = {i.id: i.text for i in inst.items}
    for row in rows:
        assert row.placeholder == (not shipped[row.id])
        assert row.text == (shipped[row.id] or f"[{PLACEHOLDER}: {inst.item(row.id).label or row.id}]")


def test_confirmed_instrument_builds_without_notice(confirmed):
    built = bl.build_survey(confirmed, platform="limesurvey")
    assert built.design.notice == "" and built.warnings == ()
    assert [b.id for b in built.design.blocks] == ["campus"]
    assert "notice" not in tomllib.loads(built.mapping_toml())["survey"]
    texts = [r.findtext("question") for r in ET.fromstring(built.files[".lss"]).find("question_l10ns").find("rows")]
    assert "I feel like an outsider here &amp; nobody notices &lt;me&gt;." in texts  # the wording exactly, as HTML


def test_attention_checks_are_spread_over_instruments_and_named_in_the_map():
    design = design_survey(["ccs", "coi"], attention_checks=3, allow_unconfirmed=True)
    checks = [(b.id, r.id, r.expected) for b, _, r in design.rows() if r.is_check]
    assert checks == [("ccs", "attn_1", (3,)), ("ccs", "attn_2", (3,)), ("coi", "attn_3", (4,))]
    ccs_rows = [r.id for r in design.blocks[1].questions[0].rows]
    assert ccs_rows.index("attn_1") == 7 and ccs_rows.index("attn_2") == 14  # at a third and two thirds
    mapping = tomllib.loads(bl.build_survey(["ccs", "coi"], platform="redcap", attention_checks=3, allow_unconfirmed=True).mapping_toml())
    assert mapping["attention_checks"] == [{"column": "attn_1", "expected": [3]}, {"column": "attn_2", "expected": [3]},
                                           {"column": "attn_3", "expected": [4]}]
    assert "attn_1" not in mapping["columns"] and "attn_1" not in mapping["columns"].values()


def test_attention_check_asks_for_the_label_of_its_expected_code():
    design = design_survey(["pisa_belong"], attention_checks=1, allow_unconfirmed=True)
    row = next(r for _, _, r in design.rows() if r.is_check)
    inst = bl.load_instrument("pisa_belong")
    label = dict(zip(inst.response_scale.codes(), inst.response_scale.labels))[row.expected[0]]
    assert f'please choose "{label}"' in row.text


def test_randomisation_is_recorded_only_where_the_platform_randomises():
    for platform, randomised in (("qualtrics", ["ccs"]), ("limesurvey", ["ccs"]), ("redcap", []), ("html", [])):
        built = bl.build_survey("ccs", platform=platform, randomise=True, allow_unconfirmed=True)
        assert tomllib.loads(built.mapping_toml())["survey"]["randomised"] == randomised
        assert any("random order" in str(w) for w in built.warnings) == (not randomised)
    built = bl.build_survey("ccs", platform="qualtrics", allow_unconfirmed=True)
    assert tomllib.loads(built.mapping_toml())["survey"]["randomised"] == []


def test_consent_block_from_a_file_and_from_text(tmp_path):
    path = tmp_path / "consent.txt"
    path.write_text("\ufeffWhy we ask.\r\n\r\nYour answers are anonymous.\r\n", encoding="utf-8")
    design = design_survey(["coi"], consent=path, allow_unconfirmed=True)
    block = next(b for b in design.blocks if b.id == "consent")
    assert block.questions[0].text == "Why we ask.\n\nYour answers are anonymous."
    assert [b.id for b in design.blocks] == ["notice", "consent", "coi"]
    assert design_survey(["coi"], consent="Plain text.", allow_unconfirmed=True).blocks[1].questions[0].text == "Plain text."
    with pytest.raises(UsageError, match="consent file does not exist"):
        design_survey(["coi"], consent=tmp_path / "missing.txt", allow_unconfirmed=True)
    with pytest.raises(UsageError, match="consent text is empty"):
        design_survey(["coi"], consent="  ", allow_unconfirmed=True)


def test_participation_block_and_cohorts():
    design = design_survey(["coi"], participation=True, cohorts=["PSY-25F", "CS-26S"], allow_unconfirmed=True)
    block = design.blocks[-1]
    assert [q.id for q in block.questions] == ["cohort", "mode", "learning_path", "forum_posts", "chat_messages",
                                               "live_hours", "breakout_sessions", "support_contacts"]
    assert [(o.code, o.value) for o in block.questions[0].options] == [(1, "PSY-25F"), (2, "CS-26S")]
    assert block.questions[5].decimals and not block.questions[3].decimals
    assert all("In the last four weeks" in q.text for q in block.questions[3:])
    values = tomllib.loads(bl.build_survey("coi", platform="qualtrics", participation=True, allow_unconfirmed=True).mapping_toml())["survey"]["values"]
    assert values["mode"] == {"1": "online_sync", "2": "online_async", "3": "hybrid", "4": "in_person"}
    assert values["learning_path"] == {"1": "personalised", "2": "fixed"}
    with pytest.raises(UsageError, match="named twice"):
        design_survey(["coi"], participation=True, cohorts=["A", "A"], allow_unconfirmed=True)


def test_bad_calls():
    with pytest.raises(UsageError, match="`platform` must be one of"):
        bl.build_survey("coi", platform="qualtrix", allow_unconfirmed=True)
    with pytest.raises(UsageError, match="named twice"):
        design_survey(["coi", "coi"], allow_unconfirmed=True)
    with pytest.raises(UsageError, match="attention_checks"):
        design_survey(["coi"], attention_checks=-1, allow_unconfirmed=True)
    with pytest.raises(UsageError, match="at least one instrument"):
        design_survey([], allow_unconfirmed=True)
    with pytest.raises(InstrumentError, match="unknown instrument"):
        design_survey(["nope"], allow_unconfirmed=True)
    with pytest.raises(UsageError, match="`language` must be an ISO 639-1 code"):
        design_survey(["coi"], language="English", allow_unconfirmed=True)
    assert design_survey(["coi"], language="en-GB", allow_unconfirmed=True).language == "en-GB"


def test_two_instruments_sharing_an_item_id_are_refused(confirmed, tmp_path):
    other = tmp_path / "campus2.toml"
    other.write_text(CONFIRMED.replace('id = "campus"', 'id = "campus2"'), encoding="utf-8")
    with pytest.raises(InstrumentError, match="item id 'campus_01' is in both 'campus' and 'campus2'"):
        design_survey([confirmed, other])


def test_limesurvey_codes_fall_back_when_ids_cannot_be_codes(tmp_path):
    text = CONFIRMED.replace('id = "campus_01"', 'id = "a_1"').replace('id = "campus_02"', 'id = "a1"')
    path = tmp_path / "codes.toml"
    path.write_text(text, encoding="utf-8")
    design = design_survey([path])
    lime = layout(design, "limesurvey")
    assert [lime.code("campus", r) for r in ("a_1", "a1", "campus_03")] == ["a1", "SQ002", "campus03"]
    assert lime.column("campus", "a1") == "campus[SQ002]"
    assert layout(design, "qualtrics").column("campus", "a_1") == "a_1"


def test_write_puts_every_file_next_to_out_or_none(tmp_path, confirmed):
    built = bl.build_survey(confirmed, platform="html")
    paths = built.write(tmp_path / "form.html")
    assert [p.name for p in paths] == ["form.html", "form.pdf", "form.entry.csv", "form.map.toml"]
    assert all(p.stat().st_size > 0 for p in paths)
    assert (tmp_path / "form.entry.csv").read_text() == "response_id,campus_01,campus_02,campus_03\n"
    assert tomllib.loads((tmp_path / "form.map.toml").read_text())["survey"]["file"] == "form.html"
    assert [p.name for p in bl.build_survey(confirmed, platform="qualtrics").write(tmp_path / "q")] == ["q.qsf", "q.map.toml"]
    with pytest.raises(UsageError, match="does not exist"):
        built.write(tmp_path / "missing" / "form")
    assert not (tmp_path / "missing").exists()


def test_building_is_deterministic(confirmed):
    for platform in ("qualtrics", "limesurvey", "redcap"):
        a = bl.build_survey([confirmed, "coi"], platform=platform, attention_checks=1, allow_unconfirmed=True)
        b = bl.build_survey([confirmed, "coi"], platform=platform, attention_checks=1, allow_unconfirmed=True)
        assert dict(a.files) == dict(b.files) and a.mapping_toml() == b.mapping_toml()


def test_columns_table_and_summary(confirmed):
    built = bl.build_survey(confirmed, platform="limesurvey", attention_checks=1, participation=True)
    table = built.columns()
    assert list(table.columns) == ["block", "question", "item", "instrument", "kind", "code", "column", "expected", "placeholder"]
    assert table.loc[table["kind"] == "attention_check", "column"].tolist() == ["campus[attn1]"]
    assert table.loc[table["item"] == "live_hours", ["kind", "column"]].values.tolist() == [["number", "livehours"]]
    assert built.summary() == "LimeSurvey survey 'Course experience survey': 1 instrument (campus), 3 items, 1 attention check"
    assert "<table" in built._repr_html_()
