"""The --map additions a built survey uses: [survey], [[attention_checks]], several instruments in one map;
and participation measures that an export holds as numeric text."""

from __future__ import annotations

import pandas as pd
import pytest

import belonging as bl
from belonging.errors import MappingError, UsageError
from belonging.mapping import Mapping, attention_rules, resolve_columns

SURVEY_MAP = """
[survey]
platform = "limesurvey"
instruments = ["belonging_uncertainty", "other"]

[columns]
"bu[bu1]" = "belonging_uncertainty_01"
"bu[bu2]" = "belonging_uncertainty_02"
"bu[bu3]" = "belonging_uncertainty_03"
"ot[x1]" = "other_01"

[[attention_checks]]
column = "bu[attn1]"
expected = [6]

[[attention_checks]]
column = "bu[attn2]"
expected = 2
"""


def _write(tmp_path, text):
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_survey_tables_are_read(tmp_path):
    mapping = bl.load_mapping(_write(tmp_path, SURVEY_MAP))
    assert mapping.survey["platform"] == "limesurvey"
    assert mapping.attention_checks == (("bu[attn1]", (6.0,)), ("bu[attn2]", (2.0,)))
    assert attention_rules(mapping) == [("bu[attn1]", (6.0,)), ("bu[attn2]", (2.0,))]
    assert attention_rules(_write(tmp_path, SURVEY_MAP)) == attention_rules(mapping)  # a path works too
    assert "[[attention_checks]]\ncolumn = \"bu[attn1]\"\nexpected = [6]" in mapping.to_toml()


def test_a_survey_map_may_name_its_other_instruments_items(tmp_path):
    mapping = bl.load_mapping(_write(tmp_path, SURVEY_MAP))
    inst = bl.load_instrument("belonging_uncertainty")
    columns = ["bu[bu1]", "bu[bu2]", "bu[bu3]", "bu[attn1]"]  # the other instrument's column need not even be there
    assert resolve_columns(columns, inst, mapping) == {f"belonging_uncertainty_0{k}": f"bu[bu{k}]" for k in (1, 2, 3)}
    plain = Mapping(columns=dict(mapping.columns))  # without [survey] instruments an unknown item is an error
    with pytest.raises(MappingError, match="not in data|not an item"):
        resolve_columns(columns + ["ot[x1]"], inst, plain)


def test_a_typo_in_a_built_surveys_map_is_named_with_its_near_miss(tmp_path):
    """The map lists instruments that can be loaded: an item of none of them is a typo, said as such."""
    text = SURVEY_MAP.replace('instruments = ["belonging_uncertainty", "other"]', 'instruments = ["belonging_uncertainty", "coi"]')
    text = text.replace('"bu[bu2]" = "belonging_uncertainty_02"', '"bu[bu2]" = "belonging_uncertainty_2"')
    text = text.replace('"ot[x1]" = "other_01"', '"coi[coi01]" = "coi_01"')
    mapping = bl.load_mapping(_write(tmp_path, text))
    inst = bl.load_instrument("belonging_uncertainty")
    with pytest.raises(MappingError, match="column 'bu\\[bu2\\]' is mapped to 'belonging_uncertainty_2', which is not an "
                                           "item of 'belonging_uncertainty' \\(did you mean 'belonging_uncertainty_02'"):
        resolve_columns(["bu[bu1]", "bu[bu2]", "bu[bu3]"], inst, mapping)
    fixed = bl.load_mapping(_write(tmp_path, text.replace('"belonging_uncertainty_2"', '"belonging_uncertainty_02"')))
    assert len(resolve_columns(["bu[bu1]", "bu[bu2]", "bu[bu3]"], inst, fixed)) == 3  # coi_01 is coi's: skipped


@pytest.mark.parametrize(("text", "message"), [
    ('survey = 3\n[columns]\n"a" = "b"\n', "`survey` must be a table"),
    ('attention_checks = 3\n', "attention checks must be written as"),
    ('[[attention_checks]]\nexpected = [1]\n', r"attention_checks\[1\] needs column"),
    ('[[attention_checks]]\ncolumn = "a"\nexpected = ["x"]\n', r"attention_checks\[1\] needs column"),
    ('[[attention_checks]]\ncolumn = "a"\nexpected = []\n', r"attention_checks\[1\] needs column"),
    ('[surveys]\nplatform = "x"\n', "unknown table 'surveys' \\(did you mean 'survey'\\?\\)"),
])
def test_bad_survey_tables_name_the_problem(tmp_path, text, message):
    with pytest.raises(MappingError, match=message):
        bl.load_mapping(_write(tmp_path, text))


def test_participation_reads_measures_held_as_numeric_text():
    rng = pd.Series(range(40))
    data = pd.DataFrame({"score": (rng * 0.5 + (rng % 7)).astype(float),
                         "forum_posts": (rng % 5).astype(str), "live_hours": (rng % 3 + 0.5).astype(str)})
    data.loc[3, "forum_posts"] = ""
    as_text = bl.participation(data, outcome="score", measures=["forum_posts", "live_hours"])
    numeric = data.assign(forum_posts=pd.to_numeric(data["forum_posts"].replace("", None)), live_hours=data["live_hours"].astype(float))
    expected = bl.participation(numeric, outcome="score", measures=["forum_posts", "live_hours"])
    pd.testing.assert_frame_equal(as_text, expected)
    assert as_text["n"].iloc[0] == 39
    data.loc[5, "forum_posts"] = "many"
    with pytest.raises(UsageError, match="column 'forum_posts' is not numeric"):
        bl.participation(data, outcome="score", measures=["forum_posts"])
