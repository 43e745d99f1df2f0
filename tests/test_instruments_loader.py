"""Instrument loader: the schema's rules, each with an actionable error naming file and field."""

import pytest

import belonging as bl
from belonging.errors import InstrumentError
from belonging.instruments.loader import builtin_ids, parse_instrument

VALID = """
id = "mine"
name = "My scale"
version = "1"
citation = "Me (2026)."
construct = "belonging"
[response_scale]
min = 1
max = 4
labels = ["No", "Rather no", "Rather yes", "Yes"]
[scoring]
method = "mean"
min_answered = 0.5
[subscales.a]
name = "A"
[[items]]
id = "mine_01"
label = "first"
subscale = "a"
[[items]]
id = "mine_02"
reverse = true
subscale = "a"
[[items]]
id = "mine_03"
subscale = "b"
"""


def test_valid_definition_parses():
    inst = parse_instrument(VALID, source="mine.toml")
    assert inst.item_ids == ("mine_01", "mine_02", "mine_03")
    assert inst.reverse_items == ("mine_02",)
    assert [(s.id, s.items) for s in inst.subscales] == [("a", ("mine_01", "mine_02")), ("b", ("mine_03",))]
    assert inst.scales() == {"mine": inst.item_ids, "mine_a": ("mine_01", "mine_02"), "mine_b": ("mine_03",)}
    assert inst.response_scale.midpoint == 2.5


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda t: t.replace('citation = "Me (2026)."\n', ""), "field 'citation': is missing"),
        (lambda t: t.replace('id = "mine_02"', 'id = "mine_01"'), "field 'items[2].id': duplicate item id 'mine_01'"),
        (lambda t: t.replace("max = 4", "max = 1"), "min (1) must be below max (1)"),
        (lambda t: t.replace('"Rather yes", ', ""), "has 3 labels for 4 points"),
        (lambda t: t.replace("min_answered = 0.5", "min_answered = 1.5"), "field 'scoring.min_answered': must lie in (0, 1]"),
        (lambda t: t.replace("min_answered = 0.5", "min_answered = 0"), "must lie in (0, 1]"),
        (lambda t: t + '[subscales.empty]\nname = "E"\n', "field 'subscales.empty': has no items"),
        (lambda t: t.replace('method = "mean"', 'method = "median"'), "must be one of 'mean', 'sum'"),
        (lambda t: t.replace('id = "mine"', 'id = "Mine"'), "is not a lower-case identifier"),
        (lambda t: t.replace("reverse = true", 'reverse = "yes"'), "must be true or false"),
        (lambda t: 'colour = "red"\n' + t, "field 'colour': is not a known field"),
        (lambda t: t.replace("[scoring]", "[scoring"), "not valid TOML"),
        (lambda t: t.replace('"Rather no"', '"3"'), "label '3' is a number but stands for code 2"),
    ],
)
def test_invalid_definition_names_file_and_field(change, fragment):
    with pytest.raises(InstrumentError) as info:
        parse_instrument(change(VALID), source="mine.toml")
    message = str(info.value)
    assert message.startswith("mine.toml: ")
    assert fragment in message


def test_load_from_path_and_unknown_id(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(VALID, encoding="utf-8")
    assert bl.load_instrument(path).id == "mine"
    assert bl.load_instrument(str(path)).path == str(path)
    with pytest.raises(InstrumentError, match=r"unknown instrument 'css' \(did you mean 'ccs'\?\)"):
        bl.load_instrument("css")
    with pytest.raises(InstrumentError, match="does not exist"):
        bl.load_instrument(tmp_path / "missing.toml")


@pytest.mark.parametrize("iid", builtin_ids())
def test_every_builtin_loads_and_lists(iid):
    inst = bl.load_instrument(iid)
    assert inst.id == iid
    assert len(inst.response_scale.labels) == inst.response_scale.points
    assert inst.citation and inst.sources


def test_required_builtins_present():
    listed = bl.list_instruments()
    required = {"pssm": 18, "ccs": 20, "gbs": 12, "ubq": 24, "coi": 34, "pisa_belong": 6, "cohesion": 6}
    counts = dict(zip(listed["id"], listed["items"]))
    for iid, n in required.items():
        assert counts[iid] == n


def test_public_api_loads_lazily_and_completely():
    import subprocess
    import sys

    code = (
        "import sys, belonging as bl\n"
        "assert 'pandas' not in sys.modules and 'matplotlib' not in sys.modules\n"
        "missing = [n for n in bl.__all__ if getattr(bl, n, None) is None]\n"
        "assert not missing, missing\n"
        "assert bl.plots.__name__ == 'belonging.plots' and callable(bl.report.render_html)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bare_code_placeholder_labels_parse_and_recode():
    """A definition may label an unpublished point with its own code; answers "2" and 2 then agree."""
    import pandas as pd

    from belonging.mapping import label_lookup, map_items

    inst = parse_instrument(VALID.replace('"Rather no", "Rather yes"', '"2", "3"'), source="mine.toml")
    assert inst.response_scale.labels == ("No", "2", "3", "Yes")
    assert {k: v for k, v in label_lookup(inst).items() if k in {"2", "3"}} == {"2": 2.0, "3": 3.0}
    frame = pd.DataFrame({i: pd.Series(["No", "2", " 3 ", "YES", "Rather no"], dtype=object) for i in inst.item_ids})
    mapped = map_items(frame, inst)
    assert mapped.items["mine_01"].tolist()[:4] == [1.0, 2.0, 3.0, 4.0]
    assert mapped.issues.loc[mapped.issues["column"] == "mine_01", "reason"].tolist() == ["unknown_label"]
