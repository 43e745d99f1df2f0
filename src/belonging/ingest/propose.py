"""Describe an export's columns and propose a column-to-item mapping for an instrument.

Used by ``belonging inspect``. The proposal is a starting point to review, never applied silently:
``--write-map`` saves it in the ``--map`` TOML format.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from types import MappingProxyType

from belonging import _columns as C

__all__ = ["MappingProposal", "describe_columns", "propose_mapping", "row_counts"]

MIN_CONFIDENCE = 0.3
MIN_TEXT_SIMILARITY = 0.6
_STATEMENT = (re.compile(r"\[([^\[\]]+)\]\s*$"), re.compile(r" - ([^-][^\n]*?)\s*$"))
_BLOCK = re.compile(r"^(.*?)(?:[_\[]?(?:SQ)?\d+\]?)$")
_WORDS = re.compile(r"[^\w]+")
_SUBCODE = re.compile(r"\[([A-Za-z0-9]+)\]$")


def row_counts(responses) -> dict:
    """Records read, kept, dropped by reason, and kept-but-incomplete (``finished`` false)."""
    data = responses.data
    out = {"records": int(responses.n_records), "kept": int(len(data))}
    for reason, n in dict(responses.provenance.dropped).items():
        out[f"dropped_{reason}"] = int(n)
    if C.FINISHED in data.columns:
        out["incomplete"] = int((data[C.FINISHED] == False).sum())  # noqa: E712 (nullable boolean)
    return out


def describe_columns(responses):
    """One row per column: ``column``, ``kind``, ``identifier``, ``free_text``, ``n_filled``, ``platform_id``, ``question``."""
    import pandas as pd

    data = responses.data
    filled = data.notna().sum()
    rows = []
    for col in data.columns:  # columns, not responses
        info = responses.column_info(col)
        rows.append({
            C.COLUMN: col, C.KIND: info.kind, C.IDENTIFIER: bool(info.identifier), C.FREE_TEXT: bool(info.free_text),
            C.N_FILLED: int(filled[col]), C.PLATFORM_ID: info.platform_id, C.QUESTION: info.question,
        })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class MappingProposal:
    """A proposed column-to-item mapping with a confidence per item.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per item: ``item``, ``column`` (None when no column fits), ``question``,
        ``match_confidence`` (0-1), ``basis`` (``name``, ``question text``, ``position in block``),
        ``values_fit`` (share of the column's distinct answers that are codes on the scale or known
        labels).
    mapping : Mapping
        The items with a column, in the ``--map`` format (:meth:`Mapping.to_toml`).
    instrument : str
    notes : tuple of str
        E.g. a ``[codes]`` table proposed because the answer codes are the instrument's shifted
        (confirmed by value labels), or a suspected shift that needs checking.
    """

    table: object
    mapping: object
    instrument: str
    notes: tuple = ()

    def to_frame(self):
        """The per-item table."""
        return self.table.copy()

    def summary(self) -> str:
        """One line: how many items were matched and the lowest confidence."""
        found = self.table[C.COLUMN].notna()
        if not found.any():
            return f"{self.instrument}: no column matches any of its {len(self.table)} items; is this the right instrument?"
        low = self.table.loc[found, C.MATCH_CONFIDENCE].min()
        line = f"{self.instrument}: {int(found.sum())} of {len(self.table)} items matched (lowest confidence {low:.2f}); review before use"
        return "\n".join([line, *self.notes])

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(self.summary())}</p>" + self.table.to_html(index=False, na_rep="", float_format="{:.2f}".format)


def _named_like(column: str, item: str) -> bool:
    """The column is named like the item id: equal ignoring case, or a LimeSurvey code heading ``Q[SQ]``
    whose subquestion code is the item id in letters and digits (LimeSurvey codes cannot hold ``_``;
    ``belonging survey build`` writes ``ccs_01`` as ``ccs01``)."""
    if column.casefold() == item.casefold():
        return True
    m = _SUBCODE.search(column)
    return bool(m) and m.group(1).casefold() == re.sub(r"[^0-9a-z]", "", item.casefold())


def _statement(text: str) -> str:
    for pat in _STATEMENT:
        m = pat.search(text)
        if m:
            return m.group(1)
    return text


def _norm(text) -> str:
    return _WORDS.sub(" ", str(text or "").casefold()).strip()


def _similarity(a: str, b: str) -> float:
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    ta, tb = set(a.split()), set(b.split())
    jacc = len(ta & tb) / len(ta | tb)
    contained = 1.0 if (len(b) >= 8 and b in a) else 0.0
    return max(ratio, jacc, 0.95 * contained)


def _values_fit(series, lookup: dict, lo: float, hi: float) -> float:
    import numpy as np
    import pandas as pd

    values = series.dropna()
    if len(values) == 0:
        return 0.0
    uniq = pd.Series(pd.unique(values.head(5000)))
    keys = uniq.astype(str).str.strip().str.casefold()
    num = pd.to_numeric(keys, errors="coerce")
    ok = (num.between(lo, hi) & (num == np.round(num))) | keys.isin(list(lookup))
    return float(ok.mean())


def propose_mapping(responses, instrument) -> MappingProposal:
    """Propose which column holds each item of `instrument`, with a confidence per item.

    Parameters
    ----------
    responses : Responses
        From :func:`belonging.read_export`.
    instrument : Instrument or str

    Returns
    -------
    MappingProposal

    Notes
    -----
    Each (item, column) pair gets the best of three scores: 1.0 when the column is named like the
    item id (ignoring case; or a LimeSurvey heading ``Q[SQ]`` whose code is the id without ``_``); the similarity of the column's statement (the part after ``" - "`` or inside a trailing
    ``[...]``) to the item's wording or label (``difflib`` ratio, word overlap, containment); and
    0.6 by position when a block of columns sharing a stem or code prefix has exactly as many columns
    as the instrument has items. Scores are scaled by ``0.5 + 0.5 * values_fit`` so that a column
    whose answers are not on the instrument's scale counts less. A text similarity below 0.6 counts as
    none. Pairs are then assigned greedily from the highest score; pairs below 0.3 are left unmapped. Identifying and free-text columns are
    never proposed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import belonging as bl
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "export.csv"
    >>> header = ",".join(f"Q5_{j}" for j in range(1, 7))
    >>> _ = path.write_text("id," + header + "\\nr1,1,2,3,4,1,2\\nr2,4,4,3,2,1,1\\n")
    >>> proposal = bl.propose_mapping(bl.read_export(path), "cohesion")
    >>> print(proposal.summary())
    cohesion: 6 of 6 items matched (lowest confidence 0.60); review before use
    >>> dict(proposal.mapping.columns)["Q5_1"]
    'cohesion_01'
    >>> folder.cleanup()
    """
    import pandas as pd

    from belonging.instruments import load_instrument
    from belonging.mapping import Mapping, label_lookup

    inst = load_instrument(instrument)
    data = responses.data
    infos = {c: responses.column_info(c) for c in data.columns}
    cands = [c for c in data.columns if c not in C.META_COLUMNS and not infos[c].identifier and not infos[c].free_text]
    lookup = label_lookup(inst)
    scale = inst.response_scale
    fit = {c: _values_fit(data[c], lookup, scale.min, scale.max) for c in cands}
    items = list(inst.item_ids)
    # blocks of consecutive candidate columns sharing a stem or a code prefix
    keys = []
    for c in cands:
        q = infos[c].question or ""
        stem = q[: len(q) - len(_statement(q))] if _statement(q) != q else ""
        m = _BLOCK.match(c)
        keys.append(stem or (m.group(1) if m else c))
    position = {}
    start = 0
    for j in range(1, len(cands) + 1):
        if j == len(cands) or keys[j] != keys[start]:
            if j - start == len(items):
                for k, c in enumerate(cands[start:j]):
                    position[c] = items[k]
            start = j
    pairs = []
    for item in items:
        it = inst.item(item)
        targets = [t for t in (it.text, it.label) if t]
        for c in cands:
            q = infos[c].question or c
            name = 1.0 if _named_like(c, item) else 0.0
            stmt = _statement(q)
            worded = " " in stmt.strip()  # a single token ("SQ001", "Q5_1") is a code, not wording
            text = max((_similarity(stmt, t) for t in targets), default=0.0) if worded else 0.0
            text = text if text >= MIN_TEXT_SIMILARITY else 0.0
            pos = 0.6 if position.get(c) == item else 0.0
            score, basis = max((name, "name"), (text, "question text"), (pos, "position in block"))
            score *= 0.5 + 0.5 * fit[c]
            if score > 0:
                pairs.append((score, item, c, basis))
    pairs.sort(key=lambda p: (-p[0], items.index(p[1]), cands.index(p[2])))
    chosen, used = {}, set()
    for score, item, col, basis in pairs:
        if score < MIN_CONFIDENCE or item in chosen or col in used:
            continue
        chosen[item] = (col, score, basis)
        used.add(col)
    rows = []
    for item in items:
        col, score, basis = chosen.get(item, (None, 0.0, None))
        rows.append({
            C.ITEM: item, C.COLUMN: col, C.QUESTION: infos[col].question if col else None,
            C.MATCH_CONFIDENCE: float(score), C.MATCH_BASIS: basis, C.VALUES_FIT: fit.get(col, float("nan")) if col else float("nan"),
        })
    table = pd.DataFrame(rows)
    columns = {chosen[i][0]: i for i in items if i in chosen}
    from belonging.mapping import propose_codes

    codes, note = propose_codes(responses, inst, list(columns)) if columns else ({}, None)
    mapping = Mapping(columns=MappingProxyType(columns), codes=MappingProxyType(codes))
    return MappingProposal(table=table, mapping=mapping, instrument=inst.id, notes=(note,) if note else ())
