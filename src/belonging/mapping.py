"""Column-to-item mapping and response-label recoding.

An instrument's items are found in a response table either by column name (a column named like an
item id, ignoring case) or through a mapping file::

    # map.toml
    [columns]
    "Q5_1" = "ccs_01"          # source column = item id
    "Q5_2" = "ccs_02"
    [labels]
    "Totally agree" = 4        # extra label = code, on the instrument's scale
    missing = ["Prefer not to say"]   # optional: texts that mean "no answer"

Answers may be numeric codes or response labels; labels match the instrument's labels (and the
mapping's) ignoring case and surrounding spaces. Common response-label sets (agreement with 4-7
points, "true of me", frequency; ``ingest/labelsets.toml``) also recode without a mapping file, but
only on an instrument with the same number of points whose own labels agree with the set's order
(:func:`common_labels`). A label two applicable sets read differently is ambiguous: an error naming
its row and column. Empty cells and the tokens ``NA``, ``N/A``, ``NaN``, ``null`` and ``.`` are
missing in answer columns.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
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
    "resolve_columns",
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
    """A column-to-item mapping with optional extra labels and missing tokens."""

    columns: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    labels: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    missing: tuple[str, ...] = ()
    source: str | None = None

    def to_toml(self) -> str:
        """The mapping in the ``--map`` TOML format."""
        lines = ["[columns]"]
        lines += [f"{_toml_str(k)} = {_toml_str(v)}" for k, v in self.columns.items()]
        if self.labels:
            lines += ["", "[labels]"]
            lines += [f"{_toml_str(k)} = {v:g}" for k, v in self.labels.items()]
        if self.missing:
            lines += ["", "missing = [" + ", ".join(_toml_str(m) for m in self.missing) + "]"]
        return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def load_mapping(path) -> Mapping:
    """Read a ``--map`` TOML file.

    Parameters
    ----------
    path : str or path-like
        A TOML file with a ``[columns]`` table (source column = item id) and optionally
        ``[labels]`` (extra label = code) and ``missing = [...]`` (see the module docstring).

    Returns
    -------
    Mapping

    Raises
    ------
    MappingError
        Unreadable file, invalid TOML, a non-string item id, an item mapped twice, a non-numeric code.

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
    >>> folder.cleanup()
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{path}: mapping file does not exist; check the --map path"
        raise MappingError(msg) from None
    except (OSError, UnicodeDecodeError) as err:
        msg = f"{path}: cannot read mapping file ({err})"
        raise MappingError(msg) from None
    except tomllib.TOMLDecodeError as err:
        msg = f"{path}: not valid TOML ({err})"
        raise MappingError(msg) from None
    unknown = sorted(set(data) - {"columns", "labels", "missing"})
    if unknown:
        msg = f"{path}: unknown table {unknown[0]!r}{suggest(unknown[0], ['columns', 'labels', 'missing'])}; use [columns], [labels] and missing = [...]"
        raise MappingError(msg)
    columns = data.get("columns", {})
    seen = {}
    for src, item in columns.items():
        if not isinstance(item, str):
            msg = f"{path}: [columns] {src!r} = {item!r}: the item id must be a string"
            raise MappingError(msg)
        if item in seen:
            msg = f"{path}: [columns]: item {item!r} is mapped twice (from {seen[item]!r} and {src!r}); map each item from one column"
            raise MappingError(msg)
        seen[item] = src
    labels = {}
    for label, code in data.get("labels", {}).items():
        if isinstance(code, bool) or not isinstance(code, int | float):
            msg = f"{path}: [labels] {label!r} = {code!r}: the code must be a number on the instrument's scale"
            raise MappingError(msg)
        labels[label] = float(code)
    missing = data.get("missing", [])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        msg = f"{path}: `missing` must be a list of strings"
        raise MappingError(msg)
    return Mapping(
        columns=MappingProxyType(dict(columns)),
        labels=MappingProxyType(labels),
        missing=tuple(missing),
        source=str(path),
    )


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
    where = mapping.source or source
    for src, item in mapping.columns.items():
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
        same row order as the input.
    columns : dict
        ``{item_id: source_column}``.
    issues : pandas.DataFrame
        One row per problem cell: ``row`` (1-based source row), ``column`` (source column),
        ``value`` (as text), ``reason`` (``out_of_range`` or ``unknown_label``), ``message``.
    source : str
        File name used in messages.
    """

    items: object
    columns: dict
    issues: object
    source: str

    def raise_if_invalid(self) -> MappedItems:
        """Raise one :class:`DataValidationError` describing the first problem (and the count)."""
        if len(self.issues):
            first = self.issues.iloc[0]
            more = len(self.issues) - 1
            tail = f" ({more} more problem cell(s))" if more else ""
            msg = f"{self.source}: {first[C.MESSAGE]}{tail}"
            raise DataValidationError(msg, issues=self.issues)
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

    Examples
    --------
    >>> import pandas as pd
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> data = pd.DataFrame({"Q1": ["Agree", "Strongly disagree", "9"], **{i: [2, 3, 1] for i in ccs.item_ids[1:]}})
    >>> mapped = bl.map_items(data, ccs, mapping={"Q1": "ccs_01"})
    >>> mapped.items["ccs_01"].tolist()
    [3.0, 0.0, nan]
    >>> print(mapped.issues[["row", "column", "value", "reason"]].to_string(index=False))
     row column value       reason
       3     Q1     9 out_of_range
    """
    import numpy as np
    import pandas as pd

    frame = _frame(data)
    src = _source(data, source)
    mapping = _as_mapping(mapping)
    cols = resolve_columns(frame.columns, instrument, mapping, source=src)
    lookup = label_lookup(instrument, mapping)
    _, ambiguous = common_labels(instrument.response_scale)
    ambiguous = {k: v for k, v in ambiguous.items() if k not in lookup}
    missing_tokens = set(MISSING_TOKENS) | {m.strip().casefold() for m in mapping.missing}
    lo, hi = instrument.response_scale.min, instrument.response_scale.max
    if C.SOURCE_ROW in frame.columns:
        rows = frame[C.SOURCE_ROW].to_numpy()
    else:
        rows = np.arange(1, len(frame) + 1)

    matrix = np.empty((len(frame), len(cols)), dtype="float64", order="F")  # column writes stay contiguous
    problems = []
    numeric = {col for col in cols.values() if _is_number(frame[col])}
    factorized = _factorize([frame[col] for col in cols.values() if col not in numeric])
    for j, (item, col) in enumerate(cols.items()):
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype("float64")
        if col in numeric:
            values = matrix[:, j]
            if isinstance(s.dtype, np.dtype):
                values[:] = s.to_numpy(copy=False)  # NaN already marks missing: no intermediate copy
            else:
                values[:] = s.to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                bad = ~np.isnan(values) & ((values < lo) | (values > hi) | (values != np.round(values)))
            masks = ((bad, OUT_OF_RANGE),)
            values[bad] = np.nan  # the problem list below shows the cell as it was in the file
        else:
            # Everything is decided once per distinct cell value, then one gather per column.
            codes, uniques = next(factorized)
            keys = pd.Index(uniques).astype(str).str.replace(_SPACES, " ", regex=True).str.strip().str.casefold()
            num = pd.to_numeric(pd.Series(keys), errors="coerce").to_numpy(dtype="float64")
            lab = pd.Series(keys).map(lookup).to_numpy(dtype="float64", na_value=np.nan)
            val_u = np.where(np.isnan(num), lab, num)
            miss_u = np.asarray(keys.isin(list(missing_tokens)))
            val_u = np.where(miss_u, np.nan, val_u)
            unk_u = ~miss_u & np.isnan(val_u)
            amb_u = unk_u & np.asarray(keys.isin(list(ambiguous)))
            unk_u &= ~amb_u
            with np.errstate(invalid="ignore"):
                bad_u = ~np.isnan(val_u) & ((val_u < lo) | (val_u > hi) | (val_u != np.round(val_u)))
            val_u = np.append(np.where(bad_u, np.nan, val_u), np.nan)  # the last entry: empty cells (code -1)
            np.take(val_u, codes, out=matrix[:, j], mode="wrap")
            masks = tuple(
                (np.append(flags, False)[codes], reason)
                for flags, reason in ((bad_u, OUT_OF_RANGE), (unk_u, UNKNOWN_LABEL), (amb_u, AMBIGUOUS_LABEL))
                if flags.any()
            )
        for mask, reason in masks:
            if mask.any():
                pos = np.flatnonzero(mask)
                problems.append(
                    pd.DataFrame({C.ROW: rows[pos], C.COLUMN: col, C.VALUE: s.iloc[pos].astype(str).to_numpy(), C.REASON: reason, "_item": item})
                )
    items = pd.DataFrame(matrix, columns=list(cols), index=frame.index, copy=False)
    if problems:
        issues = pd.concat(problems, ignore_index=True).sort_values([C.ROW, C.COLUMN], kind="stable")
        labels = " / ".join(instrument.response_scale.labels)
        msg_oor = (
            "row " + issues[C.ROW].astype(str) + ", column " + issues[C.COLUMN].map(repr)
            + ": value " + issues[C.VALUE].map(repr)
            + f" is outside the scale {lo}-{hi} of instrument {instrument.id!r}; fix the value or set it empty"
        )
        msg_unk = (
            "row " + issues[C.ROW].astype(str) + ", column " + issues[C.COLUMN].map(repr)
            + ": unknown label " + issues[C.VALUE].map(repr)
            + f" (expected a code {lo}-{hi} or one of: {labels}); add it under [labels] in a --map file"
        )
        msg_amb = (
            "row " + issues[C.ROW].astype(str) + ", column " + issues[C.COLUMN].map(repr)
            + ": ambiguous label " + issues[C.VALUE].map(repr) + " ("
            + issues[C.VALUE].map(lambda v: ambiguous.get(_norm_label(v), "")) + "); give its code under [labels] in a --map file"
        )
        issues[C.MESSAGE] = msg_oor.where(issues[C.REASON] == OUT_OF_RANGE, msg_unk.where(issues[C.REASON] == UNKNOWN_LABEL, msg_amb))
        issues = issues.drop(columns="_item").reset_index(drop=True)
    else:
        issues = pd.DataFrame({k: pd.Series([], dtype=t) for k, t in ((C.ROW, "int64"), (C.COLUMN, object), (C.VALUE, object), (C.REASON, object), (C.MESSAGE, object))})
    return MappedItems(items=items, columns=cols, issues=issues, source=src)


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
    return map_items(data, instrument, mapping=mapping, source=source).raise_if_invalid().items
