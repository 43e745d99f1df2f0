"""Quality policy: defaults, TOML, overrides and actionable errors."""

import pytest

from belonging import _columns as C
from belonging.errors import UsageError
from belonging.quality import REASONS, Policy, as_policy, load_policy
from belonging.quality.policy import DEFAULT_THRESHOLDS


def test_defaults_are_conservative():
    p = Policy()
    excluded = {r for r in REASONS if p.action(r) == "exclude"}
    assert excluded == {"preview", "duplicate", "out_of_range", "unknown_label", "no_answers"}
    for reason in ("speeder", "longstring", "irv", "mahalanobis", "even_odd", "synonyms", "incomplete", "missing_items", "attention_check"):
        assert p.action(reason) == "flag"
    assert p.thresholds["speeder_fraction"] == pytest.approx(1 / 3)
    assert p.thresholds["speeder_seconds_per_item"] == 2.0
    assert p.thresholds["synonyms_critval"] == 0.60
    assert p.duplicate_columns is None


def test_toml_round_trip(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(
        '[actions]\nspeeder = "exclude"\nmahalanobis = "off"\n\n'
        "[thresholds]\nspeeder_fraction = 0.25\nmahalanobis_p = 0.0001\n\n"
        '[duplicates]\ncolumns = ["email"]\n\n'
        '[[attention_checks]]\ncolumn = "Q12"\nexpected = 4\n',
        encoding="utf-8",
    )
    p = load_policy(path)
    assert p.action("speeder") == "exclude" and p.action("mahalanobis") == "off"
    assert p.action("duplicate") == "exclude"  # untouched defaults stay
    assert p.thresholds["speeder_fraction"] == 0.25 and p.thresholds["irv_min"] == DEFAULT_THRESHOLDS["irv_min"]
    assert p.duplicate_columns == ("email",)
    assert p.attention_checks[0].column == "Q12" and p.attention_checks[0].expected == (4.0,)
    assert p.source == str(path)
    d = p.to_dict()
    assert d["actions"]["speeder"] == "exclude" and d["duplicates"]["columns"] == ["email"]
    frame = p.to_frame()
    assert list(frame.columns) == [C.SETTING, C.VALUE, C.DESCRIPTION]
    assert "threshold.speeder_fraction" in set(frame[C.SETTING])


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[actions]\nspeedr = "flag"\n', "unknown [actions] key 'speedr' (did you mean 'speeder'?)"),
        ('[actions]\nspeeder = "drop"\n', "must be one of: 'exclude', 'flag', 'off'; got 'drop'"),
        ('[actions]\npreview = "flag"\n', "preview must be one of: 'exclude'"),
        ("[thresholds]\nspeeder_fraction = 2\n", "speeder_fraction must lie in [0, 1]"),
        ('[thresholds]\nirv_min = "low"\n', "irv_min must be a finite number"),
        ("[thresholds]\nmahal_p = 0.01\n", "unknown [thresholds] key 'mahal_p'"),
        ("[limits]\n", "unknown table 'limits'"),
        ("[[attention_checks]]\ncolumn = 3\n", "attention_checks[1] needs column"),
        ("[duplicates]\ncolumns = \"email\"\n", "[duplicates] columns must be a list"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_bad_policies_name_the_problem(tmp_path, text, fragment):
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_policy(path)
    assert fragment in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file():
    with pytest.raises(UsageError, match="policy file does not exist"):
        load_policy("/nonexistent/policy.toml")


def test_as_policy_accepts_dict_policy_and_rejects_others():
    assert as_policy(None) == Policy()
    p = Policy().with_actions(speeder="exclude")
    assert as_policy(p) is p
    assert as_policy({"thresholds": {"irv_min": 0.5}}).thresholds["irv_min"] == 0.5
    with pytest.raises(TypeError, match="`policy` must be"):
        as_policy(3)


def test_policy_is_immutable():
    p = Policy()
    with pytest.raises(TypeError):
        p.actions["speeder"] = "exclude"
    q = p.with_thresholds(speeder_fraction=0.5)
    assert p.thresholds["speeder_fraction"] == pytest.approx(1 / 3) and q.thresholds["speeder_fraction"] == 0.5
