"""Column-to-item mapping and response-label recoding.

An instrument's items are found in a response table either by column name (a column named like an
item id, ignoring case) or through a mapping file::

    # map.toml
    [columns]
    "Q5_1" = "ccs_01"          # source column = item id
    "Q5_2" = "ccs_02"
    [labels]
    "Totally agree" = 4        # extra label = code, on the instrument's scale
    [codes]
    "1" = 0                    # source code = instrument code (numeric answers)
    "2" = 1
    missing = ["Prefer not to say"]   # optional: texts that mean "no answer"
    [[attention_checks]]       # optional: instructed-response columns and the codes that pass
    column = "attn_1"
    expected = [3]
    [survey]                   # optional: what `belonging survey build` recorded (platform,
    instruments = ["ccs"]      # instruments, randomised blocks, notice); a map with instruments
                               # here may name items of all of them (each score uses its own)

Answers may be numeric codes or response labels; labels match the instrument's labels (and the
mapping's) ignoring case and surrounding spaces. Common response-label sets (agreement with 4-7
points, "true of me", frequency; ``ingest/labelsets.toml``) also recode without a mapping file, but
only on an instrument with the same number of points whose own labels agree with the set's order
(:func:`common_labels`). A label two applicable sets read differently is ambiguous: an error naming
its row and column. Empty cells and the tokens ``NA``, ``N/A``, ``NaN``, ``null`` and ``.`` are
missing in answer columns.

Numeric answers are codes on the instrument's scale: whole numbers from its min to its max (a value
in range that is not a whole number is reported as such). Items the instrument declares continuous,
or the mapping lists under ``continuous = [...]``, are measurements instead: any number within the
scale's bounds. Otherwise numbers are codes, unless:

- the mapping has a ``[codes]`` table: every numeric answer (a number, or text such as ``"3"``) of
  every item column is then a *source* code, recoded through the table; a number not in the table is
  an ``out_of_range`` cell. Use it for exports whose codes differ from the instrument's, such as
  Qualtrics "numeric values" whose recode values start at 1 on a 0-4 instrument.
  ``belonging inspect --write-map`` proposes it when the codes are shifted by a constant and the
  file's value labels confirm the shift (:func:`propose_codes`);
- without ``[codes]``, the column carries value labels (SPSS, Stata, a REDCap dictionary) that name
  every point of the instrument's scale (its labels, a common set's or the mapping's ``[labels]``,
  ignoring case and spaces), each point once: answers are recoded value -> label -> instrument code,
  a value without such a label is ``out_of_range``, and the recode is reported in
  :attr:`MappedItems.notes`. When those labels already sit on the instrument's codes, nothing changes.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from types import MappingProxyType

from belonging import _columns as C
from belonging.errors import DataValidationError, MappingError, suggest

__all__ = [
    "MappedItems",
    "Mapping",
    "common_labels",
    "item_frame",
    "label_lookup",
    "label_sets",
    "load_mapping",
    "map_items",
    "propose_codes",
    "resolve_columns",
    "attention_rules",
]

MISSING_TOKENS = ("", "na", "n/a", "nan", "null", ".")
OUT_OF_RANGE = "out_of_range"
UNKNOWN_LABEL = "unknown_label"
AMBIGUOUS_LABEL = "ambiguous_label"
_SPACES = re.compile(r"\s+")


def _norm_label(text) -> str:
    return _SPACES.sub(" ", str(text)).strip().casefold()


@functools.cache
def label_sets() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The common response-label sets: ``{name: ((spellings of point 1), (point 2), ...)}``."""
    from importlib import resources

    text = resources.files("belonging.ingest").joinpath("labelsets.toml").read_text(encoding="utf-8")
    return {name: tuple(tuple(p) for p in t["points"]) for name, t in tomllib.loads(text).items()}


def common_labels(scale, sets=None) -> tuple[dict[str, float], dict[str, str]]:
    """Codes that common label sets give on `scale`, and the labels they disagree about.

    Parameters
    ----------
    scale : ResponseScale
        The instrument's response scale (codes ``min..max``, one label per code).
    sets : dict, optional
        Label sets as returned by :func:`label_sets` (default: the built-in ones).

    Returns
    -------
    codes : dict
        ``{normalised label: code}`` for labels every applicable set reads the same way.
    ambiguous : dict
        ``{normalised label: explanation}`` for labels applicable sets read as different codes.

    Notes
    -----
    A set applies when it has as many points as the scale and the scale's own labels match the
    set's spellings in at least two positions, all in the same direction (lowest first, or reversed
    as in PISA's "Strongly agree" = 1). Point :math:`p` (0-based) of a set then means code
    :math:`min + p`, or :math:`max - p` when reversed.
    """
    sets = label_sets() if sets is None else sets
    own = [_norm_label(x) for x in scale.labels]
    k = len(own)
    votes: dict[str, dict[float, list[str]]] = {}
    for name, points in sets.items():  # a handful of small sets
        if len(points) != k:
            continue
        spell = [{_norm_label(x) for x in p} for p in points]
        fwd = [j for j in range(k) if own[j] in spell[j]]
        rev = [j for j in range(k) if own[j] in spell[k - 1 - j]]
        clash_f = [j for j in range(k) if any(own[j] in spell[i] for i in range(k) if i != j)]
        clash_r = [j for j in range(k) if any(own[j] in spell[i] for i in range(k) if i != k - 1 - j)]
        if len(fwd) >= 2 and not clash_f:
            codes = [scale.min + p for p in range(k)]
        elif len(rev) >= 2 and not clash_r:
            codes = [scale.max - p for p in range(k)]
        else:
            continue
        for p, spellings in enumerate(spell):
            for lab in spellings:
                votes.setdefault(lab, {}).setdefault(float(codes[p]), []).append(name)
    codes, ambiguous = {}, {}
    for lab, by_code in votes.items():
        if len(by_code) == 1:
            codes[lab] = next(iter(by_code))
        else:
            ambiguous[lab] = "; ".join(f"{'/'.join(v)} read it as {c:g}" for c, v in sorted(by_code.items()))
    return codes, ambiguous


@dataclass(frozen=True)
class Mapping:
    """A column-to-item mapping with optional extra labels, source-code recodes and missing tokens.

    Attributes
    ----------
    columns : mapping
        ``{source column: item id}``.
    labels : mapping
        ``{extra label: code on the instrument's scale}``.
    missing : tuple of str
        Texts that mean "no answer".
    source : str or None
        The TOML file the mapping came from.
    codes : mapping
        ``{source code: instrument code}`` for numeric answers (empty: numbers are instrument codes).
    lines : mapping
        ``{(table, key): line number}`` in the file, for messages (:meth:`where`); ``(table, None)``
        is the table's header. Not compared.
    attention_checks : tuple
        ``((column, (codes that pass, ...)), ...)``: instructed-response columns the quality check
        judges (reason ``attention_check``).
    survey : mapping
        The ``[survey]`` table of a map written by ``belonging survey build`` (platform, instruments,
        randomised blocks, notice, answer values), kept as read. When it lists ``instruments``, the
        map may name items of all of them: each instrument uses its own.

    Examples
    --------
    Usually read from a file with :func:`load_mapping`; it can also be given in code. Here an export
    codes answers 1-5 on the 0-4 scale of the CCS; ``[codes]`` recodes every item column, also those
    found by name (``ccs_03``):

    >>> import pandas as pd
    >>> import belonging as bl
    >>> from belonging.mapping import Mapping
    >>> mapping = Mapping(columns={"Q5_1": "ccs_01", "Q5_2": "ccs_02"}, codes={1: 0, 2: 1, 3: 2, 4: 3, 5: 4})
    >>> print(mapping.to_toml())
    [columns]
    "Q5_1" = "ccs_01"
    "Q5_2" = "ccs_02"
    <BLANKLINE>
    [codes]  # source code = instrument code
    "1" = 0
    "2" = 1
    "3" = 2
    "4" = 3
    "5" = 4
    <BLANKLINE>
    >>> ccs = bl.load_instrument("ccs")
    >>> data = pd.DataFrame({"Q5_1": [5, 1], "Q5_2": [3, 2], **{i: [2, 3] for i in ccs.item_ids[2:]}})
    >>> mapped = bl.map_items(data, ccs, mapping=mapping)
    >>> print(mapped.items[["ccs_01", "ccs_02", "ccs_03"]].to_string(index=False))
     ccs_01  ccs_02  ccs_03
        4.0     2.0     1.0
        0.0     1.0     2.0
    >>> mapping.where("columns", "Q5_1")  # no file, so no line number
    'mapping'
    """

    columns: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    labels: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    missing: tuple[str, ...] = ()
    source: str | None = None
    codes: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    lines: MappingProxyType = field(default_factory=lambda: MappingProxyType({}), repr=False, compare=False)
    attention_checks: tuple = ()
    survey: MappingProxyType = field(default_factory=lambda: MappingProxyType({}), repr=False)
    continuous: tuple[str, ...] = ()  # item ids read as measurements: any number in bounds, not codes

    def where(self, table: str | None = None, key: str | None = None) -> str:
        """``"map.toml, line 4"`` for `key` of `table` in the file (the file alone when unknown)."""
        where = self.source or "mapping"
        line = self.lines.get((table, key)) or self.lines.get((table, None))
        return f"{where}, line {line}" if line else where

    def to_toml(self) -> str:
        """The mapping in the ``--map`` TOML format."""
        lines = ["[columns]"]
        lines += [f"{_toml_str(k)} = {_toml_str(v)}" for k, v in self.columns.items()]
        if self.labels:
            lines += ["", "[labels]"]
            lines += [f"{_toml_str(k)} = {v:g}" for k, v in self.labels.items()]
        if self.codes:
            lines += ["", "[codes]  # source code = instrument code"]
            lines += [f"{_toml_str(f'{k:g}')} = {v:g}" for k, v in self.codes.items()]
        for column, expected in self.attention_checks:
            lines += ["", "[[attention_checks]]", f"column = {_toml_str(column)}",
                      "expected = [" + ", ".join(f"{e:g}" for e in expected) + "]"]
        if self.continuous:
            lines = ["continuous = [" + ", ".join(_toml_str(m) for m in self.continuous) + "]", "", *lines]
        if self.missing:
            missing = "missing = [" + ", ".join(_toml_str(m) for m in self.missing) + "]"
            lines = [missing, "", *lines]  # a top-level key must come before the first table
        return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")


def _key_lines(text: str) -> dict:
    """``{(table, key): line number}`` for the one-line ``key = value`` entries of a TOML text.

    ``tomllib`` gives no positions, so each line is read on its own: a header ``[name]`` opens a
    table (recorded as ``(name, None)``), a line that parses as one key opens or fills the current
    table. Multi-line values and dotted keys are not located (messages then name the file only).
    """
    out: dict = {}
    table = None
    for number, line in enumerate(text.splitlines(), start=1):  # lines of a small config file
        header = _HEADER.match(line)
        if header:
            table = header.group(1).strip().strip('"')
            out.setdefault((table, None), number)
            continue
        if "=" not in line:
            continue
        try:
            entry = tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            key = line.split("=", 1)[0].strip().strip('"')
            entry = {key: None} if key else {}
        for key in entry:
            out.setdefault((table, key), number)
            if table is None:
                out.setdefault((key, None), number)
    return out


def _number(text) -> float | None:
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def load_mapping(path) -> Mapping:
    """Read a ``--map`` TOML file.

    Parameters
    ----------
    path : str or path-like
        A TOML file with a ``[columns]`` table (source column = item id) and optionally
        ``[labels]`` (extra label = code), ``[codes]`` (source code = instrument code, for numeric
        answers), ``missing = [...]`` and ``continuous = [...]`` (item ids read as measurements:
        any number within the scale's bounds, not only whole codes; see the module docstring).

    Returns
    -------
    Mapping

    Raises
    ------
    MappingError
        Unreadable file, invalid TOML, a non-string item id, an item mapped twice, a non-numeric code,
        a ``[codes]`` key that is not a number or is given twice. The message names the file and,
        where the entry is on one line, its line number.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import belonging as bl
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "map.toml"
    >>> _ = path.write_text('[columns]\\n"Q5_1" = "ccs_01"\\n"Q5_2" = "ccs_02"\\n\\n[labels]\\n"Totally agree" = 4\\n')
    >>> mapping = bl.load_mapping(path)
    >>> dict(mapping.columns)
    {'Q5_1': 'ccs_01', 'Q5_2': 'ccs_02'}
    >>> dict(mapping.labels)
    {'Totally agree': 4.0}
    >>> _ = path.write_text('[columns]\\n"Q5_1" = "ccs_01"\\n"Q5_2" = "ccs_01"\\n')
    >>> try:
    ...     bl.load_mapping(path)
    ... except bl.MappingError as err:
    ...     print(str(err).replace(str(path), "map.toml"))
    map.toml, line 3: [columns]: item 'ccs_01' is mapped twice (from 'Q5_1' and 'Q5_2'); map each item from one column
    >>> folder.cleanup()
    """
    from belonging._text_files import read_toml_file

    text, data = read_toml_file(path, what="mapping file", option="--map", error=MappingError)
    lines = _key_lines(text)

    def at(table, key=None) -> str:
        line = lines.get((table, key)) or lines.get((table, None))
        return f"{path}, line {line}" if line else f"{path}"

    tables = ["attention_checks", "codes", "columns", "continuous", "labels", "missing", "survey"]
    unknown = sorted(set(data) - set(tables))
    if unknown:
        msg = f"{at(unknown[0])}: unknown table {unknown[0]!r}{suggest(unknown[0], tables)}; use [columns], [labels], [codes], missing = [...], continuous = [...], [[attention_checks]] and [survey]"
        raise MappingError(msg)
    if not isinstance(data.get("survey", {}), dict):
        msg = f"{at('survey')}: `survey` must be a table ([survey] with key = value lines)"
        raise MappingError(msg)
    for name in ("columns", "labels", "codes"):
        if not isinstance(data.get(name, {}), dict):
            msg = f"{at(name)}: `{name}` must be a table ([{name}] with key = value lines)"
            raise MappingError(msg)
    columns = data.get("columns", {})
    seen = {}
    for src, item in columns.items():
        if not isinstance(item, str):
            msg = f"{at('columns', src)}: [columns] {src!r} = {item!r}: the item id must be a string"
            raise MappingError(msg)
        if item in seen:
            msg = f"{at('columns', src)}: [columns]: item {item!r} is mapped twice (from {seen[item]!r} and {src!r}); map each item from one column"
            raise MappingError(msg)
        seen[item] = src
    labels = {}
    for label, code in data.get("labels", {}).items():
        if isinstance(code, bool) or not isinstance(code, int | float):
            msg = f"{at('labels', label)}: [labels] {label!r} = {code!r}: the code must be a number on the instrument's scale"
            raise MappingError(msg)
        labels[label] = float(code)
    codes: dict[float, float] = {}
    keys: dict[float, str] = {}
    for key, code in data.get("codes", {}).items():
        number = _number(key)
        if number is None:
            msg = f"{at('codes', key)}: [codes] {key!r}: the key must be a source code (a number in quotes, e.g. \"1\" = 0)"
            raise MappingError(msg)
        if isinstance(code, bool) or not isinstance(code, int | float):
            msg = f"{at('codes', key)}: [codes] {key!r} = {code!r}: the value must be a code on the instrument's scale"
            raise MappingError(msg)
        if number in codes:
            msg = f"{at('codes', key)}: [codes]: source code {number:g} is given twice (as {keys[number]!r} and {key!r})"
            raise MappingError(msg)
        codes[number] = float(code)
        keys[number] = key
    missing = data.get("missing", [])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        msg = f"{at('missing')}: `missing` must be a list of strings"
        raise MappingError(msg)
    continuous = data.get("continuous", [])
    if not isinstance(continuous, list) or not all(isinstance(m, str) for m in continuous):
        msg = f"{at('continuous')}: `continuous` must be a list of item ids (items read as measurements, not codes)"
        raise MappingError(msg)
    return Mapping(
        columns=MappingProxyType(dict(columns)),
        labels=MappingProxyType(labels),
        missing=tuple(missing),
        source=str(path),
        codes=MappingProxyType(codes),
        lines=MappingProxyType(lines),
        attention_checks=_attention_checks(data.get("attention_checks", []), at("attention_checks")),
        survey=MappingProxyType(dict(data.get("survey", {}))),
        continuous=tuple(continuous),
    )


def _attention_checks(entries, where: str) -> tuple:
    if not isinstance(entries, list):
        msg = f"{where}: attention checks must be written as [[attention_checks]] tables"
        raise MappingError(msg)
    out = []
    for pos, entry in enumerate(entries, start=1):
        expected = entry.get("expected") if isinstance(entry, dict) else None
        expected = [expected] if isinstance(expected, int | float) and not isinstance(expected, bool) else expected
        ok = (isinstance(entry, dict) and isinstance(entry.get("column"), str) and isinstance(expected, list) and expected
              and all(isinstance(e, int | float) and not isinstance(e, bool) for e in expected))
        if not ok:
            msg = f"{where}: attention_checks[{pos}] needs column = \"NAME\" and expected = a code or a list of codes"
            raise MappingError(msg)
        out.append((entry["column"], tuple(float(e) for e in expected)))
    return tuple(out)


def attention_rules(mapping, *, instrument=None) -> list[tuple[str, tuple[float, ...]]]:
    """The ``(column, passing codes)`` attention checks a mapping (or ``--map`` file) names.

    With `instrument`, its own ``[[attention_checks]]`` (column = item id) come first, except when the
    map is a built survey's that lists the instrument: that map already names them, by the columns of
    the platform's export, and each check is judged once.

    Examples
    --------
    >>> from belonging.mapping import Mapping, attention_rules
    >>> attention_rules(Mapping(attention_checks=(("attn_1", (3.0,)),)))
    [('attn_1', (3.0,))]
    >>> attention_rules(None)
    []
    """
    mapping = _as_mapping(mapping)
    rules = list(mapping.attention_checks)
    if instrument is None or (rules and instrument.id in mapping.survey.get("instruments", ())):
        return rules
    return [(a.item, tuple(float(e) for e in a.expected)) for a in instrument.attention_checks] + rules


def _as_mapping(mapping) -> Mapping:
    if mapping is None:
        return Mapping()
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        return Mapping(columns=MappingProxyType(dict(mapping)))
    return load_mapping(mapping)


def _frame(data):
    return getattr(data, "data", data)


def _source(data, source):
    if source:
        return source
    prov = getattr(data, "provenance", None)
    return prov.path if prov is not None else "data"


def _items_of_others(mapping, instrument):
    """Item ids of the other instruments a built survey's map lists, so that a typo in an item of
    `instrument` is still an error; None when one of them cannot be loaded (then none is judged)."""
    from belonging.errors import BelongingError
    from belonging.instruments import load_instrument

    out = set()
    for iid in mapping.survey.get("instruments", ()):
        if iid != instrument.id:
            try:
                out.update(load_instrument(iid).item_ids)
            except BelongingError:
                return None
    return out


def resolve_columns(columns, instrument, mapping=None, *, source: str = "data") -> dict[str, str]:
    """Return ``{item_id: source_column}`` for every item of `instrument`.

    Mapped columns come first; remaining items are found by a column named like the item id
    (case-insensitive).

    Raises
    ------
    MappingError
        A mapped column is not in the data, a mapping names an unknown item, no item column is
        found, or some items have no column.
    """
    mapping = _as_mapping(mapping)
    columns = [str(c) for c in columns]
    item_ids = instrument.item_ids
    found: dict[str, str] = {}
    others = _items_of_others(mapping, instrument) if mapping.survey.get("instruments") else set()
    for src, item in mapping.columns.items():
        where = mapping.where("columns", src) if mapping.source else source
        if item not in item_ids and (others is None or item in others):
            continue  # a built survey's map also names the items of its other instruments
        if src not in columns:
            msg = f"{where}: mapped column {src!r} is not in {source}{suggest(src, columns)}"
            raise MappingError(msg)
        if item not in item_ids:
            msg = f"{where}: column {src!r} is mapped to {item!r}, which is not an item of {instrument.id!r}{suggest(item, item_ids)}"
            raise MappingError(msg)
        found[item] = src
    lowered = {c.lower(): c for c in columns}
    used = set(found.values())
    for item in item_ids:
        if item not in found and item.lower() in lowered and lowered[item.lower()] not in used:
            found[item] = lowered[item.lower()]
    if not found:
        msg = (
            f"{source}: no item columns of instrument {instrument.id!r} found (expected columns named "
            f"{item_ids[0]} ... {item_ids[-1]}); give a mapping with --map (see `belonging inspect`)"
        )
        raise MappingError(msg)
    missing = [i for i in item_ids if i not in found]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        msg = f"{source}: no column for {len(missing)} item(s) of {instrument.id!r}: {shown}; add them to the mapping (--map)"
        raise MappingError(msg)
    return {item: found[item] for item in item_ids}


def label_lookup(instrument, mapping=None) -> dict[str, float]:
    """Return ``{casefolded label: code}`` from common label sets, the instrument's labels and the mapping's.

    Later sources win: a set's reading of a label yields to the instrument's own label, which
    yields to the mapping file. Labels the applicable sets disagree about are left out (see
    :func:`common_labels`).
    """
    mapping = _as_mapping(mapping)
    scale = instrument.response_scale
    table, _ = common_labels(scale)
    table = dict(table)
    for lab, code in zip(scale.labels, scale.codes()):
        table[_norm_label(lab)] = float(code)
    for lab, code in mapping.labels.items():
        table[_norm_label(lab)] = float(code)
    return table


@dataclass(frozen=True)
class MappedItems:
    """Answers mapped to item ids, as float codes, plus every cell-level problem found.

    Attributes
    ----------
    items : pandas.DataFrame
        One column per item id, float codes on the instrument's scale, NaN where missing or invalid;
        same row order as the input. When `shared` is True it is a read-only view of the input's own
        memory (nothing was copied or changed); take ``items.copy()`` to write into it, and map again
        after changing the input's answer columns in place (the view would see the change).
    columns : dict
        ``{item_id: source_column}``.
    issues : pandas.DataFrame
        One row per problem cell: ``row`` (1-based source row), ``column`` (source column),
        ``value`` (as text), ``reason`` (``out_of_range``, ``unknown_label`` or ``ambiguous_label``),
        ``message`` (naming file, row, column and value).
    source : str
        File name used in messages.
    notes : tuple of str
        What was done beyond reading codes and labels: answers recoded through ``[codes]`` or through
        a column's value labels, value labels that disagree with the instrument's codes.
    shared : bool
        Whether `items` shares the input's memory (see :func:`map_items`).
    """

    items: object
    columns: dict
    issues: object
    source: str
    notes: tuple[str, ...] = ()
    shared: bool = False

    def raise_if_invalid(self) -> MappedItems:
        """Raise one :class:`DataValidationError` describing the first problem (and the count)."""
        if len(self.issues):
            first = self.issues.iloc[0]
            more = len(self.issues) - 1
            tail = f" ({more} more problem cell(s))" if more else ""
            raise DataValidationError(f"{first[C.MESSAGE]}{tail}", issues=self.issues)
        return self


# Text answer columns from this many rows on are factorised two at a time: pyarrow's hashing releases
# the GIL, so on 2 CPUs the 18 columns of a 1,000,000-row export take 0.31 s instead of 0.61 s of wall
# time, for the same CPU time.
_THREADS_FROM = 100_000


def _is_number(s) -> bool:
    import pandas as pd

    return pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s)


def _factorize(columns):
    """Yield ``pandas.factorize`` of each Series of `columns`, in order."""
    import pandas as pd

    if not columns or len(columns[0]) < _THREADS_FROM or len(columns) < 2:
        yield from (pd.factorize(s, use_na_sentinel=True) for s in columns)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        yield from pool.map(lambda s: pd.factorize(s, use_na_sentinel=True), columns)


def _label_codes(value_labels, lookup) -> dict[float, float]:
    """``{source value: instrument code}`` for the value labels that `lookup` knows."""
    pairs = {}
    for value, label in value_labels.items():  # a handful of labels per column
        number, code = _number(value), lookup.get(_norm_label(label))
        if number is not None and code is not None:
            pairs[number] = code
    return pairs


def _value_label_recode(value_labels, lookup, scale) -> tuple[dict | None, bool]:
    """The recode a column's value labels imply, and whether they disagree without one.

    Returns ``(table, disagree)``: ``table`` is ``{source value: instrument code}`` when the labels
    name every point of `scale` exactly once and some value is not its point's code (None otherwise);
    ``disagree`` is True when no table applies but a known label sits on another code.
    """
    pairs = _label_codes(value_labels, lookup)
    if not pairs:
        return None, False
    moved = any(v != c for v, c in pairs.items())
    if sorted(pairs.values()) == [float(c) for c in scale.codes()]:
        return (pairs if moved else None), False
    return None, moved


def _recode(values, table):
    """Recode float `values` through ``{source: target}``: (recoded, mask of numbers not in the table).

    One ``searchsorted`` over the sorted source codes: no Python loop over the values.
    """
    import numpy as np

    src = np.array(sorted(table), dtype="float64")
    dst = np.array([table[k] for k in src], dtype="float64")
    idx = np.minimum(np.searchsorted(src, values), len(src) - 1)
    hit = src[idx] == values  # False for NaN
    return np.where(hit, dst[idx], np.nan), ~np.isnan(values) & ~hit


def _table_text(table) -> str:
    return ", ".join(f"{k:g} -> {v:g}" for k, v in sorted(table.items()))


def _columns_text(cols) -> str:
    return ", ".join(cols) if len(cols) <= 3 else f"{cols[0]} ... {cols[-1]} ({len(cols)} columns)"


def propose_codes(responses, instrument, columns) -> tuple[dict[float, float], str | None]:
    """Propose a ``[codes]`` table when the answer codes are the instrument's shifted by a constant.

    Parameters
    ----------
    responses : Responses or pandas.DataFrame
        The export (value labels are read from :meth:`Responses.column_info`).
    instrument : Instrument
    columns : iterable of str
        The source columns holding the instrument's items.

    Returns
    -------
    codes : dict
        ``{source code: instrument code}``, empty when no shift is confirmed.
    note : str or None
        Why the table was proposed, or why a suspected shift was not (no value labels to confirm it).

    Notes
    -----
    A shift :math:`d \\ne 0` is proposed when (1) the columns' value labels that name points of the
    scale (:func:`label_lookup`) all give the same :math:`d = value - code`, and (2) every numeric
    answer minus :math:`d` lies on the scale. The table is then :math:`c + d \\to c` for every code
    :math:`c`. Without value labels, answers spanning exactly ``min + d .. max + d`` are only noted:
    numbers alone cannot tell a shifted coding from a sample that never chose the lowest point.
    """
    import numpy as np
    import pandas as pd

    scale = instrument.response_scale
    frame = _frame(responses)
    columns = list(columns)
    if not columns:
        return {}, None
    lookup = label_lookup(instrument)
    shifts = set()
    for col in columns:  # columns, not rows
        info = responses.column_info(col) if hasattr(responses, "column_info") else None
        if info is not None:
            shifts |= {v - c for v, c in _label_codes(info.value_labels, lookup).items()}
    numbers = [pd.to_numeric(pd.Series(pd.unique(frame[col].dropna())), errors="coerce") for col in columns]
    seen = pd.concat(numbers).dropna().unique() if numbers else np.array([])
    if len(seen) == 0:
        return {}, None
    lo, hi = float(np.min(seen)), float(np.max(seen))
    if len(shifts) == 1 and (d := shifts.pop()) != 0:
        if lo - d >= scale.min and hi - d <= scale.max and np.all(seen == np.round(seen)):
            codes = {float(c + d): float(c) for c in scale.codes()}
            return codes, f"answer codes are {instrument.id}'s shifted by {d:+g} (the value labels say so): [codes] {_table_text(codes)}"
        return {}, None
    d = lo - scale.min
    if not shifts and d != 0 and hi - d == scale.max:
        return {}, (
            f"answer codes run {lo:g}-{hi:g}, {instrument.id}'s scale {scale.min}-{scale.max}: if the export's codes are "
            f"shifted, add [codes] ({_table_text({c + d: c for c in scale.codes()})}) to the map"
        )
    return {}, None


def _no_issues():
    """An empty table of problem cells (the columns and types of ``MappedItems.issues``; the quality report's too)."""
    import pandas as pd

    return pd.DataFrame({k: pd.Series([], dtype=t) for k, t in ((C.ROW, "int64"), (C.COLUMN, object), (C.VALUE, object), (C.REASON, object), (C.MESSAGE, object))})


def _shared_matrix(frame, columns, lo, hi, whole):
    """The item matrix as a read-only view of `frame`'s own memory, or None when a copy is needed.

    The usual generic export read with pyarrow keeps its float columns as the rows of one 2-D block;
    when the item columns are consecutive rows of that block in item order and every answer is
    already a whole number on the scale, the (n x k) column-major matrix is a slice of the block,
    transposed: no copy of n x k floats. It is made read-only, so nothing can write through it into
    the responses. Any other case (a recode, a problem cell, text, another layout) returns None.
    """
    import numpy as np

    arrays = []
    for col in columns:
        s = frame[col]
        if not (isinstance(s.dtype, np.dtype) and s.dtype == np.float64):
            return None
        arrays.append(s.to_numpy(copy=False))
    if not arrays:
        return None
    top = arrays[0]
    while isinstance(top.base, np.ndarray):  # the outermost array whose rows the columns are
        top = top.base
    n = len(arrays[0])
    if not (top.ndim == 2 and top.dtype == np.float64 and top.flags.c_contiguous and top.shape[1] == n and n):
        return None
    origin = top.__array_interface__["data"][0]
    first, rest = divmod(arrays[0].__array_interface__["data"][0] - origin, top.strides[0])
    if rest or first + len(arrays) > top.shape[0]:
        return None
    for j, a in enumerate(arrays):
        if a.strides != (8,) or a.__array_interface__["data"][0] != origin + (first + j) * top.strides[0]:
            return None
    from belonging._parallel import run_columns

    checks = [(a, whole[col]) for a, col in zip(arrays, columns)]
    if any(m is not None for m in run_columns(lambda a, w: _off_scale(a, lo, hi, whole=w), checks, rows=n)):
        return None
    view = top[first : first + len(arrays)].T
    view.flags.writeable = False
    return view


def _off_scale(values, lo, hi, *, whole=True):
    """Mask of the answered cells of `values` outside ``lo..hi`` or (with `whole`) not whole numbers; None if none.

    Most columns have none, which :func:`_on_scale` tells in one pass; the mask is built only for a
    column that has some.
    """
    import numpy as np

    if _on_scale(values, lo, hi, whole=whole):
        return None
    with np.errstate(invalid="ignore"):
        return ~np.isnan(values) & ((values < lo) | (values > hi) | (whole & (values != np.round(values))))


# Values per piece in `_on_scale` (a 256 KB scratch: it stays in cache).
_WHOLE_PIECE = 1 << 15


def _on_scale(values, lo, hi, *, whole=True) -> bool:
    """Whether every value that is not NaN is a whole number (any number without `whole`) from `lo` to `hi`.

    One pass over the column in cache-sized pieces: each piece's smallest and largest value (NaN
    skipped) and largest distance to a whole number, :math:`|x - \\mathrm{rint}(x)|`, through one
    small scratch buffer, stopping at the first piece that fails.
    """
    import numpy as np

    scratch = np.empty(min(len(values), _WHOLE_PIECE))
    for start in range(0, len(values), _WHOLE_PIECE):
        piece = values[start : start + _WHOLE_PIECE]
        low, high = np.fmin.reduce(piece), np.fmax.reduce(piece)
        if np.isnan(low):  # nothing answered in this piece
            continue
        if low < lo or high > hi:
            return False
        if not whole:
            continue
        off = scratch[: len(piece)]
        np.rint(piece, out=off)
        np.subtract(piece, off, out=off)
        np.abs(off, out=off)
        if np.fmax.reduce(off) > 0:  # NaN (an unanswered cell) is skipped by fmax
            return False
    return True


def map_items(data, instrument, *, mapping=None, source: str | None = None) -> MappedItems:
    """Map answer columns of `data` to `instrument`'s items and recode them to float codes.

    Parameters
    ----------
    data : pandas.DataFrame or Responses
        One row per response.
    instrument : Instrument
    mapping : Mapping, dict, path or None
        Column mapping; default: columns named like item ids.
    source : str, optional
        Name of the input in messages (default: the file of `data` when it is :class:`Responses`).

    Returns
    -------
    MappedItems
        Never raises for a bad cell: invalid cells become NaN and are listed in ``issues``.

    Notes
    -----
    Numbers are codes on the instrument's scale unless the mapping has ``[codes]`` (every number is a
    source code, recoded through it) or, without ``[codes]``, the column's value labels name every
    point of the scale once and some value differs from its point's code (recoded value -> label ->
    code). Checked by recoding .sav/.dta files written with 1-5 codes to the 0-4 truth
    (``tests/test_mapping_codes.py``).

    When every item column already holds codes on the scale (numbers, no recode, no problem cell) and
    the columns lie side by side in one block of `data` in item order, as the generic reader leaves a
    numeric export, ``items`` is a read-only view of that block (``shared`` is True): at a million
    responses this saves copying every answer. :func:`item_frame` returns a copy of its own.

    Examples
    --------
    >>> import pandas as pd
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> data = pd.DataFrame({"Q1": ["Agree", "Strongly disagree", "9"], **{i: [2, 3, 1] for i in ccs.item_ids[1:]}})
    >>> mapped = bl.map_items(data, ccs, mapping={"Q1": "ccs_01"}, source="export.csv")
    >>> mapped.items["ccs_01"].tolist()
    [3.0, 0.0, nan]
    >>> print(mapped.issues[["row", "column", "value", "reason"]].to_string(index=False))
     row column value       reason
       3     Q1     9 out_of_range
    >>> print(mapped.issues.loc[0, "message"])
    export.csv: row 3, column 'Q1': value '9' is outside the scale 0-4 of instrument 'ccs'; fix the value or set it empty
    """
    import numpy as np
    import pandas as pd

    frame = _frame(data)
    src = _source(data, source)
    mapping = _as_mapping(mapping)
    cols = resolve_columns(frame.columns, instrument, mapping, source=src)
    lookup = label_lookup(instrument, mapping)
    scale = instrument.response_scale
    _, ambiguous = common_labels(scale)
    ambiguous = {k: v for k, v in ambiguous.items() if k not in lookup}
    missing_tokens = set(MISSING_TOKENS) | {m.strip().casefold() for m in mapping.missing}
    lo, hi = scale.min, scale.max
    measured = set(instrument.continuous_items) | set(mapping.continuous)
    whole = {col: item not in measured for item, col in cols.items()}  # codes are whole numbers; measurements not
    if C.SOURCE_ROW in frame.columns:
        rows = frame[C.SOURCE_ROW].to_numpy()
    else:
        rows = np.arange(1, len(frame) + 1)

    # Which columns are read through a recode table (few columns: decided per column, not per row).
    recodes: dict[str, dict] = {}
    how: dict[str, str] = {}
    notes: list[str] = []
    by_table: dict[tuple, list[str]] = {}
    disagree: list[str] = []
    if mapping.codes:
        listed = ", ".join(f"{k:g}" for k in sorted(mapping.codes))
        for col in cols.values():
            recodes[col] = dict(mapping.codes)
            how[col] = f"is not a source code under [codes] in {mapping.where('codes')} ({listed})"
        notes.append(f"numeric answers recoded through [codes] of {mapping.source or 'the mapping'}: {_table_text(mapping.codes)}")
    elif hasattr(data, "column_info"):
        for col in cols.values():
            table, off = _value_label_recode(data.column_info(col).value_labels, lookup, scale)
            if table is not None:
                recodes[col] = table
                how[col] = f"has no value label naming a point of {instrument.id!r}'s scale (the column is recoded through its value labels)"
                by_table.setdefault(tuple(sorted(table.items())), []).append(col)
            elif off:
                disagree.append(col)
        for table, group in by_table.items():
            notes.append(f"{_columns_text(group)}: answers recoded through their value labels to {instrument.id!r}'s codes: {_table_text(dict(table))}")
        if disagree:
            notes.append(
                f"{_columns_text(disagree)}: value labels put some of {instrument.id!r}'s labels on other codes; codes read as they are"
                " (give [codes] in a --map file if the labels are right)"
            )

    problems = []
    numeric = {col for col in cols.values() if _is_number(frame[col])}
    shared = None if recodes else _shared_matrix(frame, list(cols.values()), lo, hi, whole)
    if shared is not None:  # every answer already a code on the scale, the columns side by side in memory
        items = pd.DataFrame(shared, columns=list(cols), index=frame.index, copy=False)
        return MappedItems(items=items, columns=cols, issues=_no_issues(), source=src, notes=tuple(notes), shared=True)
    matrix = np.empty((len(frame), len(cols)), dtype="float64", order="F")  # column writes stay contiguous
    factorized = _factorize([frame[col] for col in cols.values() if col not in numeric])

    def fill_numeric(j, col):
        """Column `col` into the matrix (range checked, recoded); its problem masks."""
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype("float64")
        values = matrix[:, j]
        if isinstance(s.dtype, np.dtype):
            values[:] = s.to_numpy(copy=False)  # NaN already marks missing: no intermediate copy
        else:
            values[:] = s.to_numpy(dtype="float64", na_value=np.nan)
        unmapped = None
        table = recodes.get(col)
        if table is not None:
            values[:], unmapped = _recode(values, table)
        bad = _off_scale(values, lo, hi, whole=whole[col])
        if bad is not None:
            values[bad] = np.nan  # the problem list below shows the cell as it was in the file
        return ((bad, OUT_OF_RANGE, "range"),) + (((unmapped, OUT_OF_RANGE, "unmapped"),) if unmapped is not None else ())

    # Numeric columns are independent: filled on threads (NumPy releases the GIL; each writes its own column).
    from belonging._parallel import run_columns

    numeric_masks = dict(zip(
        [col for col in cols.values() if col in numeric],
        run_columns(fill_numeric, [(j, col) for j, col in enumerate(cols.values()) if col in numeric], rows=len(frame)),
        strict=True,
    ))
    for j, col in enumerate(cols.values()):
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype("float64")
        table = recodes.get(col)
        if col in numeric:
            masks = numeric_masks[col]
        else:
            # Everything is decided once per distinct cell value, then one gather per column.
            codes, uniques = next(factorized)
            keys = pd.Index(uniques).astype(str).str.replace(_SPACES, " ", regex=True).str.strip().str.casefold()
            num = pd.to_numeric(pd.Series(keys), errors="coerce").to_numpy(dtype="float64")
            unm_u = np.zeros(len(num), dtype=bool)
            if table is not None:
                num, unm_u = _recode(num, table)
            lab = pd.Series(keys).map(lookup).to_numpy(dtype="float64", na_value=np.nan)
            val_u = np.where(np.isnan(num) & ~unm_u, lab, num)
            miss_u = np.asarray(keys.isin(list(missing_tokens)))
            val_u = np.where(miss_u, np.nan, val_u)
            unm_u &= ~miss_u
            unk_u = ~miss_u & np.isnan(val_u) & ~unm_u
            amb_u = unk_u & np.asarray(keys.isin(list(ambiguous)))
            unk_u &= ~amb_u
            with np.errstate(invalid="ignore"):
                bad_u = ~np.isnan(val_u) & ((val_u < lo) | (val_u > hi) | (whole[col] & (val_u != np.round(val_u))))
            val_u = np.append(np.where(bad_u, np.nan, val_u), np.nan)  # the last entry: empty cells (code -1)
            np.take(val_u, codes, out=matrix[:, j], mode="wrap")
            masks = tuple(
                (np.append(flags, False)[codes], reason, kind)
                for flags, reason, kind in (
                    (bad_u, OUT_OF_RANGE, "range"), (unm_u, OUT_OF_RANGE, "unmapped"),
                    (unk_u, UNKNOWN_LABEL, "unknown"), (amb_u, AMBIGUOUS_LABEL, "ambiguous"),
                )
                if flags.any()
            )
        for mask, reason, kind in masks:
            if mask is not None and mask.any():
                pos = np.flatnonzero(mask)
                problems.append(pd.DataFrame({
                    C.ROW: rows[pos], C.COLUMN: col, C.VALUE: s.iloc[pos].astype(str).to_numpy(), C.REASON: reason,
                    "_kind": kind, "_how": how.get(col, ""),
                }))
    items = pd.DataFrame(matrix, columns=list(cols), index=frame.index, copy=False)
    if problems:
        from belonging.ingest.privacy import redact_values

        issues = pd.concat(problems, ignore_index=True).sort_values([C.ROW, C.COLUMN], kind="stable")
        labels = " / ".join(scale.labels)
        where = src + ": row " + issues[C.ROW].astype(str) + ", column " + issues[C.COLUMN].map(repr) + ": "
        issues[C.VALUE] = redact_values(issues[C.VALUE])  # a typed e-mail or phone number is never echoed
        value = issues[C.VALUE].map(repr)
        kind = issues["_kind"]
        msg_oor = where + "value " + value + f" is outside the scale {lo}-{hi} of instrument {instrument.id!r}; fix the value or set it empty"
        number = pd.to_numeric(issues[C.VALUE], errors="coerce")
        fraction = (number >= lo) & (number <= hi) & (number != number.round())  # inside the scale, not a code
        msg_oor = msg_oor.where(~fraction, where + "value " + value + f" is not a whole number, so not a code of the "
                                f"scale {lo}-{hi} of instrument {instrument.id!r}; fix the value, or declare the item "
                                "continuous if it is a measurement (continuous = true in the instrument, or "
                                "continuous = [...] in a --map file)")
        msg_unm = where + "value " + value + " " + issues["_how"] + "; fix the value or set it empty"
        msg_unk = where + "unknown label " + value + f" (expected a code {lo}-{hi} or one of: {labels}); add it under [labels] in a --map file"
        msg_amb = (
            where + "ambiguous label " + value + " ("
            + issues[C.VALUE].map(lambda v: ambiguous.get(_norm_label(v), "")) + "); give its code under [labels] in a --map file"
        )
        issues[C.MESSAGE] = msg_oor.where(kind == "range", msg_unm.where(kind == "unmapped", msg_unk.where(kind == "unknown", msg_amb)))
        issues = issues.drop(columns=["_kind", "_how"]).reset_index(drop=True)
    else:
        issues = _no_issues()
    return MappedItems(items=items, columns=cols, issues=issues, source=src, notes=tuple(notes))


def item_frame(data, instrument, *, mapping=None, source: str | None = None):
    """Return the item frame of `data` (float codes per item id), raising on the first bad cell.

    See :func:`map_items`; raises :class:`~belonging.errors.DataValidationError` naming file, row,
    column and value when any answer is outside the scale or an unknown label.

    Parameters
    ----------
    data : pandas.DataFrame or Responses
        One row per response; answers as codes or response labels.
    instrument : Instrument
    mapping : Mapping, dict or path, optional
        Column mapping (default: columns named like the item ids).
    source : str, optional
        Name of the input in messages.

    Returns
    -------
    pandas.DataFrame
        One column per item id, in the instrument's order, float codes on the instrument's scale
        (NaN for missing), one row per row of `data`.

    Raises
    ------
    DataValidationError
        An answer outside the scale or an unknown label.
    MappingError
        Item columns cannot be found.

    Examples
    --------
    >>> import pandas as pd
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> data = pd.DataFrame({i: ["Agree", "Neutral"] for i in ccs.item_ids})
    >>> items = bl.item_frame(data, ccs)
    >>> items.shape, items["ccs_01"].tolist()
    ((2, 20), [3.0, 2.0])
    """
    mapped = map_items(data, instrument, mapping=mapping, source=source).raise_if_invalid()
    return mapped.items.copy() if mapped.shared else mapped.items  # a frame of its own, to write into freely
