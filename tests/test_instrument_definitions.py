"""Check every built-in instrument definition against the facts cited for it.

The core checks parse the TOML files with :mod:`tomllib` directly, so they do not depend on the
loader. The expected values below are written out by hand from the cited sources (see the
comment on each entry and /work/shared/research/instruments.md); a definition that drifts from
them fails here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

DEFINITIONS = Path(__file__).resolve().parents[1] / "src" / "belonging" / "instruments" / "definitions"

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _ids(prefix: str, numbers) -> set[str]:
    return {f"{prefix}_{n:02d}" for n in numbers}


# Expected facts per instrument. `reverse` and `subscales` hold published item positions.
EXPECTED: dict[str, dict] = {
    # PSSM: PerformWell scoring page: 18 items, 1 = "Not at all true" .. 5 = "Completely true",
    # items 3, 6, 9, 12, 16 reverse coded, scores summed. One total (no subscales).
    "pssm": {
        "n_items": 18,
        "min": 1,
        "max": 5,
        "end_labels": ("Not at all true", "Completely true"),
        "reverse": _ids("pssm", [3, 6, 9, 12, 16]),
        "subscales": {},
        "method": "sum",
    },
    # CCS: Rovai (2002) 20 items, two factors of 10; keying and 0-4 coding from public scoring
    # code (GitHub file id 27002710803 and 3 copies): negative items 4, 5, 8, 9, 10, 12, 14, 17,
    # 18, 20. Odd = connectedness, even = learning (Ahmady et al. 2018 + item content; flagged
    # unconfirmed in the definition). Summed (0-80).
    "ccs": {
        "n_items": 20,
        "min": 0,
        "max": 4,
        "end_labels": ("Strongly disagree", "Strongly agree"),
        "reverse": _ids("ccs", [4, 5, 8, 9, 10, 12, 14, 17, 18, 20]),
        "subscales": {
            "connectedness": _ids("ccs", range(1, 21, 2)),
            "learning": _ids("ccs", range(2, 21, 2)),
        },
        "method": "sum",
    },
    # GBS: Malone, Pillow & Osman (2012), 12 items, 1-7 (psychometrics textbook, GitHub file id
    # 24122247720); Acceptance/Inclusion 1, 2, 5, 8, 10, 11 and Rejection/Exclusion 3, 4, 6, 7,
    # 9, 12 (order of the lavaan model in the same file; flagged unconfirmed); the
    # Rejection/Exclusion items are reversed for a total belonging score.
    "gbs": {
        "n_items": 12,
        "min": 1,
        "max": 7,
        "end_labels": ("Strongly disagree", "Strongly agree"),
        "reverse": _ids("gbs", [3, 4, 6, 7, 9, 12]),
        "subscales": {
            "acceptance": _ids("gbs", [1, 2, 5, 8, 10, 11]),
            "rejection": _ids("gbs", [3, 4, 6, 7, 9, 12]),
        },
        "method": "mean",
    },
    # UBQ: Slaten et al. (2018) abstract: 24 items, 3 factors. Keying, factor membership and the
    # response scale were not found, so none are declared (placeholder 1-4, flagged).
    "ubq": {
        "n_items": 24,
        "min": 1,
        "max": 4,
        "end_labels": ("Strongly disagree", "Strongly agree"),
        "reverse": set(),
        "subscales": {},
        "method": "mean",
    },
    # CoI: Arbaugh et al. (2008) survey, 34 items, five labels strongly disagree .. strongly
    # agree; teaching presence 1-13, social 14-22, cognitive 23-34 (AU Press Appendix D, drafts
    # v14/v15); all items positively worded.
    "coi": {
        "n_items": 34,
        "min": 1,
        "max": 5,
        "end_labels": ("Strongly disagree", "Strongly agree"),
        "reverse": set(),
        "subscales": {
            "teaching": _ids("coi", range(1, 14)),
            "social": _ids("coi", range(14, 23)),
            "cognitive": _ids("coi", range(23, 35)),
        },
        "method": "mean",
    },
    # PISA ST034: 6 items, raw coding 1 = Strongly agree .. 4 = Strongly disagree (GitHub file id
    # 4061047868); three items reverse-coded so that higher = more belonging (OECD 2017 via World
    # Database of Happiness); with raw coding these are the positive items Q02, Q03, Q05.
    "pisa_belong": {
        "n_items": 6,
        "min": 1,
        "max": 4,
        "end_labels": ("Strongly agree", "Strongly disagree"),
        "reverse": _ids("pisa_belong", [2, 3, 5]),
        "subscales": {},
        "method": "mean",
    },
    # Perceived Cohesion: Bollen & Hoyle (1990), 6 items, 0 = strongly disagree .. 10 = strongly
    # agree; Sense of Belonging 1-3, Feelings of Morale 4-6; all positively worded
    # (self-management.eu PCS tool page).
    "cohesion": {
        "n_items": 6,
        "min": 0,
        "max": 10,
        "end_labels": ("Strongly disagree", "Strongly agree"),
        "reverse": set(),
        "subscales": {
            "belonging": _ids("cohesion", [1, 2, 3]),
            "morale": _ids("cohesion", [4, 5, 6]),
        },
        "method": "mean",
    },
    # Belonging Uncertainty: Walton & Cohen (2007) via SPARQ: 3 items, 7 points (1 strongly
    # disagree, 2 disagree, 3 moderately disagree, 4 neutral, 5 moderately agree, 6 agree,
    # 7 strongly agree); item 3 reverse-scored; mean.
    "belonging_uncertainty": {
        "n_items": 3,
        "min": 1,
        "max": 7,
        "end_labels": ("Strongly disagree", "Strongly agree"),
        "labels": (
            "Strongly disagree",
            "Disagree",
            "Moderately disagree",
            "Neutral",
            "Moderately agree",
            "Agree",
            "Strongly agree",
        ),
        "reverse": _ids("belonging_uncertainty", [3]),
        "subscales": {},
        "method": "mean",
    },
}

REQUIRED_IDS = {"pssm", "ccs", "gbs", "ubq", "coi", "pisa_belong", "cohesion"}

TOP_LEVEL_KEYS = {
    "id",
    "name",
    "version",
    "citation",
    "construct",
    "doi",
    "population",
    "licence",
    "sources",
    "unconfirmed",
    "response_scale",
    "scoring",
    "subscales",
    "reliability",
    "items",
    "attention_checks",
    "notes",
}
ITEM_KEYS = {"id", "label", "text", "reverse", "subscale"}
CONSTRUCTS = {"belonging", "community", "presence", "cohesion"}


def _load(instrument_id: str) -> dict:
    path = DEFINITIONS / f"{instrument_id}.toml"
    with path.open("rb") as fh:
        return tomllib.load(fh)


def test_every_definition_file_has_expectations():
    """Each shipped TOML has an entry above (so none escapes these checks), and all required ids ship."""
    shipped = {p.stem for p in DEFINITIONS.glob("*.toml")}
    assert shipped == set(EXPECTED)
    assert REQUIRED_IDS <= shipped


@pytest.mark.parametrize("instrument_id", sorted(EXPECTED))
def test_schema_shape(instrument_id):
    d = _load(instrument_id)
    assert d["id"] == instrument_id
    assert ID_RE.match(d["id"])
    assert set(d) <= TOP_LEVEL_KEYS, set(d) - TOP_LEVEL_KEYS
    for key in ("name", "version", "citation", "construct"):
        assert isinstance(d[key], str) and d[key].strip(), key
    assert d["construct"] in CONSTRUCTS
    assert isinstance(d["sources"], list) and d["sources"], "every definition cites its sources"
    assert all(isinstance(s, str) and s.strip() for s in d["sources"])
    assert isinstance(d["unconfirmed"], list)
    assert all(isinstance(s, str) and s.strip() for s in d["unconfirmed"])
    for item in d["items"]:
        assert set(item) <= ITEM_KEYS, set(item) - ITEM_KEYS
        assert isinstance(item["label"], str) and item["label"].strip(), item["id"]
        assert isinstance(item.get("reverse", False), bool)


@pytest.mark.parametrize("instrument_id", sorted(EXPECTED))
def test_item_count_and_ids(instrument_id):
    d = _load(instrument_id)
    exp = EXPECTED[instrument_id]
    ids = [item["id"] for item in d["items"]]
    assert len(ids) == exp["n_items"]
    assert len(set(ids)) == len(ids), "item ids must be unique"
    # <instrument id>_<two-digit published position>, in order 01..n
    assert ids == [f"{instrument_id}_{n:02d}" for n in range(1, exp["n_items"] + 1)]
    labels = [item["label"] for item in d["items"]]
    assert len(set(labels)) == len(labels), "item labels must be distinguishable"


@pytest.mark.parametrize("instrument_id", sorted(EXPECTED))
def test_reverse_keyed_items(instrument_id):
    d = _load(instrument_id)
    reverse = {item["id"] for item in d["items"] if item.get("reverse", False)}
    assert reverse == EXPECTED[instrument_id]["reverse"]


@pytest.mark.parametrize("instrument_id", sorted(EXPECTED))
def test_subscale_memberships(instrument_id):
    d = _load(instrument_id)
    exp = EXPECTED[instrument_id]["subscales"]
    declared = d.get("subscales", {})
    assert set(declared) == set(exp)
    for sid, table in declared.items():
        assert ID_RE.match(sid)
        assert isinstance(table["name"], str) and table["name"].strip()
    members: dict[str, set[str]] = {}
    for item in d["items"]:
        if "subscale" in item:
            assert item["subscale"] in declared, f"{item['id']} names undeclared subscale"
            members.setdefault(item["subscale"], set()).add(item["id"])
    assert members == exp
    if exp:
        # every item belongs to exactly one subscale for these instruments
        assert set().union(*members.values()) == {item["id"] for item in d["items"]}


@pytest.mark.parametrize("instrument_id", sorted(EXPECTED))
def test_response_scale(instrument_id):
    d = _load(instrument_id)
    exp = EXPECTED[instrument_id]
    scale = d["response_scale"]
    assert (scale["min"], scale["max"]) == (exp["min"], exp["max"])
    assert isinstance(scale["min"], int) and isinstance(scale["max"], int)
    labels = scale["labels"]
    assert len(labels) == scale["max"] - scale["min"] + 1
    assert len(set(labels)) == len(labels), "labels must be distinct for recoding"
    assert (labels[0], labels[-1]) == exp["end_labels"]
    if "labels" in exp:
        assert tuple(labels) == exp["labels"]


@pytest.mark.parametrize("instrument_id", sorted(EXPECTED))
def test_scoring_rule(instrument_id):
    d = _load(instrument_id)
    scoring = d["scoring"]
    assert scoring["method"] == EXPECTED[instrument_id]["method"]
    assert 0 < scoring["min_answered"] <= 1


def test_item_text_only_where_openly_licensed():
    """Wording ships only for the CC BY-SA CoI survey; every other instrument has labels only."""
    with_text = {
        instrument_id
        for instrument_id in EXPECTED
        if any("text" in item for item in _load(instrument_id)["items"])
    }
    assert with_text == {"coi"}
    assert "BY-SA" in _load("coi")["licence"]


def test_coi_text_matches_label_positions():
    """Spot-check shipped CoI wording against the published survey (AU Press, Appendix D)."""
    items = {item["id"]: item for item in _load("coi")["items"]}
    assert items["coi_01"]["text"] == "The instructor clearly communicated important course topics."
    assert items["coi_14"]["text"] == (
        "Getting to know other course participants gave me a sense of belonging in the course."
    )
    assert items["coi_17"]["text"] == "I felt comfortable conversing through the online medium."
    assert all("text" not in items[f"coi_{n:02d}"] for n in range(18, 35))


def test_definitions_load_through_package_loader():
    """Every definition passes the package loader's validation and keeps its keys and subscales."""
    try:
        from belonging.instruments import load_instrument
    except ImportError as err:  # loader not written yet: skip only the import, not failures
        pytest.skip(f"belonging.instruments.load_instrument not importable: {err}")
    for instrument_id, exp in EXPECTED.items():
        inst = load_instrument(instrument_id)
        assert inst.id == instrument_id
        assert len(inst.items) == exp["n_items"]
        assert set(inst.reverse_items) == exp["reverse"]
        assert {s.id: set(s.items) for s in inst.subscales} == exp["subscales"]
        assert (inst.response_scale.min, inst.response_scale.max) == (exp["min"], exp["max"])
        assert inst.scoring.method == exp["method"]
