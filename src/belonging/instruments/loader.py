"""Load and validate instrument definitions (TOML) — built-in ones by id, a user's own by path.

The schema is documented in ``docs/instruments.md``. Every problem in a definition raises
:class:`~belonging.errors.InstrumentError` naming the file, the field and what to do.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from belonging.errors import InstrumentError, suggest
from belonging.instruments.model import (
    AttentionCheck,
    Instrument,
    Item,
    ResponseScale,
    Scoring,
    Subscale,
)

__all__ = ["builtin_ids", "list_instruments", "load_instrument", "parse_instrument"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_METHODS = ("mean", "sum")
_REQUIRED = ("id", "name", "version", "citation", "construct", "response_scale", "scoring", "items")
_KNOWN_TOP = set(_REQUIRED) | {
    "doi", "population", "licence", "sources", "unconfirmed", "reliability", "subscales",
    "attention_checks", "notes",
}


def _definitions():
    return resources.files("belonging.instruments").joinpath("definitions")


def builtin_ids() -> tuple[str, ...]:
    """Ids of the built-in instruments, sorted.

    Examples
    --------
    >>> from belonging.instruments.loader import builtin_ids
    >>> "ccs" in builtin_ids(), builtin_ids() == tuple(sorted(builtin_ids()))
    (True, True)
    """
    return tuple(sorted(p.name[:-5] for p in _definitions().iterdir() if p.name.endswith(".toml")))


def list_instruments():
    """Return a table of the built-in instruments.

    Returns
    -------
    pandas.DataFrame
        One row per instrument: ``id``, ``name``, ``version``, ``construct``, ``items`` (count),
        ``subscales`` (comma-separated ids), ``scale`` (``"min-max"``), ``method``, ``unconfirmed``
        (number of facts marked unconfirmed) and ``citation``.

    Examples
    --------
    >>> import belonging as bl
    >>> table = bl.list_instruments()
    >>> print(table.loc[table["id"] == "ccs", ["id", "items", "subscales", "scale"]].to_string(index=False))
     id  items               subscales scale
    ccs     20 connectedness, learning   0-4
    """
    import pandas as pd

    rows = []
    for iid in builtin_ids():
        inst = load_instrument(iid)
        rows.append(
            {
                "id": inst.id,
                "name": inst.name,
                "version": inst.version,
                "construct": inst.construct,
                "items": len(inst.items),
                "subscales": ", ".join(s.id for s in inst.subscales),
                "scale": _scale_text(inst.response_scale),
                "method": inst.scoring.method,
                "unconfirmed": len(inst.unconfirmed),
                "citation": inst.citation,
            }
        )
    return pd.DataFrame(rows)


def load_instrument(id_or_path) -> Instrument:
    """Load a built-in instrument by id, or a user's definition from a TOML file.

    Parameters
    ----------
    id_or_path : str, os.PathLike or Instrument
        A built-in id (``"ccs"``; see :func:`list_instruments`) or the path of a ``.toml`` file of the
        same schema. An :class:`Instrument` is returned as it is.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        Unknown id, unreadable file, or an invalid definition (the message names file and field).

    Examples
    --------
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> ccs.name, len(ccs.item_ids), ccs.response_scale.min, ccs.response_scale.max
    ('Classroom Community Scale', 20, 0, 4)
    >>> ccs.reverse_items[:3]
    ('ccs_04', 'ccs_05', 'ccs_08')
    >>> [s.id for s in ccs.subscales]
    ['connectedness', 'learning']
    """
    if isinstance(id_or_path, Instrument):
        return id_or_path
    text = str(id_or_path)
    if text in builtin_ids():
        return _load_builtin(text)
    path = Path(text)
    if path.suffix.lower() == ".toml" or path.exists():
        if not path.is_file():
            msg = f"instrument file {text!r} does not exist; give a built-in id ({', '.join(builtin_ids())}) or the path of a TOML definition"
            raise InstrumentError(msg)
        try:
            raw = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            msg = f"{text}: cannot read instrument definition ({err}); save it as UTF-8 text"
            raise InstrumentError(msg) from None
        return parse_instrument(raw, source=str(path))
    msg = (
        f"unknown instrument {text!r}{suggest(text, builtin_ids())}; built-in ids are: "
        f"{', '.join(builtin_ids())}; or give the path of a TOML definition"
    )
    raise InstrumentError(msg)


def _scale_text(scale: ResponseScale) -> str:
    if not scale.continuous:
        return f"{scale.min}-{scale.max}"
    bounds = f" {scale.min:g}-{scale.max:g}" if math.isfinite(scale.min) else ""
    return f"continuous{bounds}"


@functools.cache
def _load_builtin(iid: str) -> Instrument:
    resource = _definitions().joinpath(f"{iid}.toml")
    return parse_instrument(resource.read_text(encoding="utf-8"), source=f"built-in:{iid}.toml")


def _fail(source: str, field: str, problem: str, todo: str):
    msg = f"{source}: field {field!r}: {problem}; {todo}"
    raise InstrumentError(msg)


def _get(table: dict, key: str, source: str, where: str, kind, todo: str):
    if key not in table:
        _fail(source, f"{where}{key}", "is missing", todo)
    value = table[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        _fail(source, f"{where}{key}", f"must be {names}, got {value!r}", todo)
    return value


def _coded_scale(rs: dict, source: str) -> ResponseScale:
    """A response scale of whole-number codes ``min..max`` with one label each."""
    lo = _get(rs, "min", source, "response_scale.", int, "give the lowest code as an integer")
    hi = _get(rs, "max", source, "response_scale.", int, "give the highest code as an integer")
    if lo >= hi:
        _fail(source, "response_scale.min", f"min ({lo}) must be below max ({hi})", "check the scale's codes")
    labels = _get(rs, "labels", source, "response_scale.", list, "list one label per response point")
    if len(labels) != hi - lo + 1 or not all(isinstance(x, str) and x.strip() for x in labels):
        _fail(
            source, "response_scale.labels",
            f"has {len(labels)} labels for {hi - lo + 1} points ({lo}..{hi})",
            "give exactly one non-empty label per point, from min to max",
        )
    if len({x.strip().casefold() for x in labels}) != len(labels):
        _fail(source, "response_scale.labels", "has duplicate labels", "make every label distinct")
    for code, label in zip(range(lo, hi + 1), labels):
        try:
            number = float(label.strip())
        except ValueError:
            continue
        if number != code:  # an answer "1" is read as code 1 before any label lookup
            _fail(source, "response_scale.labels", f"label {label.strip()!r} is a number but stands for code {code}",
                  "a label that is a number must be its own code; use words, or renumber min/max")
    return ResponseScale(min=lo, max=hi, labels=tuple(x.strip() for x in labels))


def _continuous_scale(rs: dict, source: str) -> ResponseScale:
    """A continuous scale: no labels, optional bounds (both or neither)."""
    if rs.get("labels"):
        _fail(source, "response_scale.labels", "a continuous scale has no response labels",
              "remove labels, or set continuous = false for a scale of labelled codes")
    given = [k for k in ("min", "max") if k in rs]
    if len(given) == 1:
        _fail(source, f"response_scale.{given[0]}", "is given without the other bound", "give both min and max, or neither")
    if not given:
        return ResponseScale(min=-math.inf, max=math.inf, labels=(), continuous=True)
    lo = _get(rs, "min", source, "response_scale.", (int, float), "give the lowest possible value as a number")
    hi = _get(rs, "max", source, "response_scale.", (int, float), "give the highest possible value as a number")
    if isinstance(lo, bool) or isinstance(hi, bool) or not lo < hi:
        _fail(source, "response_scale.min", f"min ({lo}) must be a number below max ({hi})", "check the bounds")
    return ResponseScale(min=lo, max=hi, labels=(), continuous=True)


def parse_instrument(text: str, *, source: str = "<string>") -> Instrument:
    """Parse and validate a TOML instrument definition given as text.

    See :func:`load_instrument`; `source` names the file in error messages.

    Examples
    --------
    >>> from belonging.instruments.loader import parse_instrument
    >>> text = '''
    ... id = "demo"
    ... name = "Demo scale"
    ... version = "1"
    ... citation = "An example, not a published instrument."
    ... construct = "belonging"
    ... [response_scale]
    ... min = 1
    ... max = 4
    ... labels = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]
    ... [scoring]
    ... method = "mean"
    ... [[items]]
    ... id = "demo_01"
    ... [[items]]
    ... id = "demo_02"
    ... reverse = true
    ... [[attention_checks]]
    ... item = "attn_1"
    ... expected = 3
    ... '''
    >>> demo = parse_instrument(text, source="demo.toml")
    >>> demo.item_ids, demo.reverse_items, demo.scoring.min_answered
    (('demo_01', 'demo_02'), ('demo_02',), 0.8)
    >>> demo.attention_checks
    (AttentionCheck(item='attn_1', expected=(3,), text=None),)
    >>> parse_instrument(text.replace('max = 4', 'max = 5'), source="demo.toml")
    Traceback (most recent call last):
    ...
    belonging.errors.InstrumentError: demo.toml: field 'response_scale.labels': has 4 labels for 5 points (1..5); ...
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"{source}: not valid TOML ({err}); fix the syntax at that line"
        raise InstrumentError(msg) from None

    for key in _REQUIRED:
        if key not in data:
            _fail(source, key, "is missing", f"add `{key}` (see docs/instruments.md for the schema)")
    unknown = sorted(set(data) - _KNOWN_TOP)
    if unknown:
        _fail(source, unknown[0], f"is not a known field{suggest(unknown[0], _KNOWN_TOP)}", "remove it or correct its name")

    iid = _get(data, "id", source, "", str, "give a lower-case identifier")
    if not _ID.match(iid):
        _fail(source, "id", f"{iid!r} is not a lower-case identifier", "use letters, digits and '_', starting with a letter")
    strings = {}
    for key in ("name", "version", "citation", "construct"):
        strings[key] = _get(data, key, source, "", (str, int), "give it as a string")
        strings[key] = str(strings[key]).strip()
        if not strings[key]:
            _fail(source, key, "is empty", "give a value")

    rs = _get(data, "response_scale", source, "", dict, "add a [response_scale] table")
    continuous = rs.get("continuous", False)
    if not isinstance(continuous, bool):
        _fail(source, "response_scale.continuous", f"must be true or false; got {continuous!r}", "fix the value")
    scale = _continuous_scale(rs, source) if continuous else _coded_scale(rs, source)
    sc = _get(data, "scoring", source, "", dict, "add a [scoring] table")
    method = sc.get("method", "mean")
    if method not in _METHODS:
        _fail(source, "scoring.method", f"must be one of 'mean', 'sum'; got {method!r}", "choose one")
    min_answered = sc.get("min_answered", 0.8)
    if isinstance(min_answered, bool) or not isinstance(min_answered, int | float) or not 0 < min_answered <= 1:
        _fail(source, "scoring.min_answered", f"must lie in (0, 1]; got {min_answered!r}", "give the fraction of items that must be answered, e.g. 0.8")
    scoring = Scoring(method=method, min_answered=float(min_answered))

    sub_tables = data.get("subscales", {})
    if not isinstance(sub_tables, dict):
        _fail(source, "subscales", "must be a table of [subscales.<id>] tables", "see docs/instruments.md")

    raw_items = _get(data, "items", source, "", list, "add one [[items]] table per item")
    if not raw_items:
        _fail(source, "items", "is empty", "add one [[items]] table per item")
    items, seen = [], set()
    for pos, it in enumerate(raw_items, start=1):
        where = f"items[{pos}]."
        if not isinstance(it, dict):
            _fail(source, f"items[{pos}]", "must be a table", "write it as [[items]]")
        item_id = _get(it, "id", source, where, str, "give every item an id")
        if not _ID.match(item_id):
            _fail(source, f"{where}id", f"{item_id!r} is not a lower-case identifier", "use letters, digits and '_'")
        if item_id in seen:
            _fail(source, f"{where}id", f"duplicate item id {item_id!r}", "give every item a distinct id")
        if item_id == iid or item_id.endswith("_n_answered"):
            _fail(source, f"{where}id", f"item id {item_id!r} clashes with a score column name", "rename the item")
        seen.add(item_id)
        reverse = it.get("reverse", False)
        if not isinstance(reverse, bool):
            _fail(source, f"{where}reverse", f"must be true or false; got {reverse!r}", "fix the value")
        sub = it.get("subscale")
        if sub is not None and (not isinstance(sub, str) or not _ID.match(sub)):
            _fail(source, f"{where}subscale", f"{sub!r} is not a lower-case identifier", "use letters, digits and '_'")
        extra = sorted(set(it) - {"id", "label", "text", "reverse", "subscale", "continuous"})
        if extra:
            _fail(source, f"{where}{extra[0]}", "is not a known item field", "use id, label, text, reverse, subscale, continuous")
        measured = it.get("continuous", False)
        if not isinstance(measured, bool):
            _fail(source, f"{where}continuous", f"must be true or false; got {measured!r}", "fix the value")
        if reverse and not (math.isfinite(scale.min) and math.isfinite(scale.max)):
            _fail(source, f"{where}reverse", "a reverse-keyed item needs the bounds of the scale (min + max - x)",
                  "give response_scale.min and .max, or recode the item before loading")
        items.append(
            Item(id=item_id, label=it.get("label"), text=it.get("text"), reverse=reverse, subscale=sub,
                 continuous=measured or continuous)
        )

    used = []
    for it in items:
        if it.subscale and it.subscale not in used:
            used.append(it.subscale)
    for name in sub_tables:
        if name not in used:
            _fail(source, f"subscales.{name}", "has no items", "assign items to it with `subscale = ...` or remove the table")
    subscales = []
    for name in used:
        meta = sub_tables.get(name, {})
        if not isinstance(meta, dict):
            _fail(source, f"subscales.{name}", "must be a table", "write it as [subscales.<id>]")
        if f"{iid}_{name}" in seen:
            _fail(source, f"subscales.{name}", "clashes with an item id", "rename the subscale")
        subscales.append(
            Subscale(
                id=name,
                name=str(meta.get("name", name.replace("_", " ").capitalize())),
                items=tuple(i.id for i in items if i.subscale == name),
                description=meta.get("description"),
            )
        )
    if subscales and any(i.subscale is None for i in items):
        loose = next(i.id for i in items if i.subscale is None)
        _fail(source, f"items.{loose}.subscale", "is missing while other items have subscales", "assign every item to a subscale, or none")

    checks = []
    for pos, ac in enumerate(data.get("attention_checks", []), start=1):
        where = f"attention_checks[{pos}]."
        if not isinstance(ac, dict):
            _fail(source, f"attention_checks[{pos}]", "must be a table", "write it as [[attention_checks]]")
        item_id = _get(ac, "item", source, where, str, "name the column of the check item")
        expected = ac.get("expected")
        if isinstance(expected, int) and not isinstance(expected, bool):
            expected = [expected]
        if not isinstance(expected, list) or not expected or not all(isinstance(e, int) for e in expected):
            _fail(source, f"{where}expected", f"must be an integer code or a list of them; got {expected!r}", "give the expected answer's code")
        checks.append(AttentionCheck(item=item_id, expected=tuple(expected), text=ac.get("text")))

    def _strs(key):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            _fail(source, key, "must be a list of strings", "write it as [\"...\", \"...\"]")
        return tuple(value)

    reliability = data.get("reliability", {})
    if not isinstance(reliability, dict):
        _fail(source, "reliability", "must be a table", "write it as [reliability]")

    return Instrument(
        id=iid,
        name=strings["name"],
        version=strings["version"],
        citation=strings["citation"],
        construct=strings["construct"],
        response_scale=scale,
        scoring=scoring,
        items=tuple(items),
        subscales=tuple(subscales),
        attention_checks=tuple(checks),
        doi=data.get("doi"),
        population=data.get("population"),
        licence=data.get("licence"),
        sources=_strs("sources"),
        unconfirmed=_strs("unconfirmed"),
        reliability=MappingProxyType(dict(reliability)),
        path=None if source.startswith("built-in:") else source,
    )
