"""SPSS ``.sav`` and Stata ``.dta`` files through pyreadstat.

Answers stay numeric codes; value labels go to :attr:`ColumnInfo.value_labels` and variable labels
(question text) to :attr:`ColumnInfo.question`. SPSS user-defined missing values (discrete codes
and ranges, e.g. 8 "Don't know", 9 "Refused", -99) become missing; their labels are kept beside
the data so nothing about them is lost.
"""

from __future__ import annotations

from types import MappingProxyType

from belonging.errors import IngestError

__all__ = ["read_readstat"]


def read_readstat(path, container: str, *, encoding: str | None = None):
    """Read a .sav/.dta file into a :class:`~belonging.ingest.platforms.RawTable`."""
    import pyreadstat

    from belonging.ingest.platforms import RawTable

    reader = pyreadstat.read_sav if container == "sav" else pyreadstat.read_dta
    kwargs = {"user_missing": True} if container == "sav" else {}
    if encoding:
        kwargs["encoding"] = encoding
    try:
        frame, meta = reader(str(path), **kwargs)
    except Exception as err:  # pyreadstat raises ReadstatError, PyreadstatError, OSError ...
        kind = "SPSS .sav" if container == "sav" else "Stata .dta"
        msg = f"{path}: not a readable {kind} file ({type(err).__name__}: {err})"
        raise IngestError(msg) from None
    notes = []
    ranges = getattr(meta, "missing_ranges", None) or {}
    n_missing = 0
    for col, spans in ranges.items():  # variables, not responses
        if col not in frame.columns:
            continue
        s = frame[col]
        hit = None
        for span in spans:
            lo, hi = span["lo"], span["hi"]
            m = (s == lo) if lo == hi else ((s >= lo) & (s <= hi))
            hit = m if hit is None else (hit | m)
        if hit is not None and bool(hit.any()):
            n_missing += int(hit.sum())
            frame[col] = s.mask(hit)
    if n_missing:
        notes.append(f"{n_missing} user-defined missing value(s) set to missing")
    names = [str(c) for c in frame.columns]
    labels = getattr(meta, "column_names_to_labels", {}) or {}
    questions = [labels.get(c) or c for c in names]
    value_labels = {
        c: MappingProxyType({(int(k) if isinstance(k, float) and k.is_integer() else k): v for k, v in vl.items()})
        for c, vl in (getattr(meta, "variable_value_labels", {}) or {}).items()
    }
    return RawTable(frame=frame, names=names, questions=questions, platform_ids=[None] * len(names), notes=notes, value_labels=value_labels)
