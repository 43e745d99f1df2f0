"""QualityReport: one row per input row with its status and reasons, plus summary and issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from belonging import _columns as C

__all__ = ["QualityReport"]

_STATUSES = (C.KEPT, C.FLAGGED, C.EXCLUDED)


@dataclass(frozen=True)
class QualityReport:
    """Response-quality verdicts for every input row.

    Attributes
    ----------
    rows : pandas.DataFrame
        One row per input record, in input order, including records set aside at ingest:
        ``source_row`` (1-based position of the record in the file), ``response_id``, ``status``
        (``kept``, ``flagged`` or ``excluded``), ``reasons`` (every reason code that applies,
        ``;``-separated, in the order of :data:`belonging.quality.REASONS`), ``n_answered``,
        ``longstring``, ``longstring_avg``, ``irv``, ``mahalanobis_d2``, ``mahalanobis_p``,
        ``even_odd``, ``psychsyn``, ``psychant`` (NaN where not defined or for rows set aside at
        ingest).
    summary : pandas.DataFrame
        Counts: ``kind`` (``status`` or ``reason``), ``name``, ``action`` (for reasons), ``count``.
        A row counts once under every reason that applies to it.
    issues : pandas.DataFrame
        One row per cell-level problem: ``row``, ``column``, ``value``, ``reason``, ``message``.
    policy : Policy
        The policy applied.
    resolved : mapping
        Thresholds that depend on the data (median duration, speeder cut-off in seconds, minimum
        longstring run) and the number of synonym/antonym pairs found.
    instrument : str
        Instrument id.
    source : str
        Input name.
    notes : tuple of str
        Checks that could not be run, and why.

    Examples
    --------
    A repeated ``response_id``, an answer outside the 1-7 scale and a response much faster than
    the median:

    >>> import pandas as pd
    >>> import belonging as bl
    >>> items = ["belonging_uncertainty_01", "belonging_uncertainty_02", "belonging_uncertainty_03"]
    >>> data = pd.DataFrame([[5, 4, 6], [6, 2, 5], [6, 2, 5], [9, 3, 4], [4, 4, 5], [2, 6, 3]], columns=items)
    >>> data.insert(0, "response_id", ["a", "b", "b", "c", "d", "e"])
    >>> data.insert(1, "duration_s", [240.0, 300.0, 310.0, 200.0, 20.0, 260.0])
    >>> report = bl.check_quality(data, "belonging_uncertainty")
    >>> print(report.rows[["source_row", "response_id", "status", "reasons"]].to_string(index=False))
     source_row response_id   status                    reasons
              1           a     kept
              2           b     kept
              3           b excluded                  duplicate
              4           c excluded out_of_range;missing_items
              5           d  flagged                    speeder
              6           e     kept
    >>> report.counts(), report.any_excluded
    ({'kept': 3, 'flagged': 1, 'excluded': 2}, True)
    >>> summary = report.summary
    >>> print(summary[(summary["kind"] == "reason") & (summary["count"] > 0)].to_string(index=False))
      kind          name  action  count
    reason     duplicate exclude      1
    reason  out_of_range exclude      1
    reason missing_items    flag      1
    reason       speeder    flag      1
    >>> print(report.issues[["row", "column", "value", "reason"]].to_string(index=False))
     row                   column value       reason
       4 belonging_uncertainty_01     9 out_of_range
    >>> report.resolved["speeder_median_s"], round(report.resolved["speeder_cutoff_s"], 2)
    (250.0, 83.33)
    """

    rows: object
    summary: object
    issues: object
    policy: object
    resolved: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    instrument: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def n_rows(self) -> int:
        """Number of input rows accounted for."""
        return len(self.rows)

    def counts(self) -> dict[str, int]:
        """``{"kept": n, "flagged": n, "excluded": n}``."""
        vc = self.rows[C.STATUS].value_counts()
        return {s: int(vc.get(s, 0)) for s in _STATUSES}

    @property
    def any_excluded(self) -> bool:
        """True when at least one response is excluded."""
        return bool((self.rows[C.STATUS] == C.EXCLUDED).any())

    def to_frame(self):
        """The per-row table (:attr:`rows`)."""
        return self.rows.copy()

    def summary_frame(self):
        """The counts table (:attr:`summary`)."""
        return self.summary.copy()

    def summary_text(self) -> str:
        """Plain-text summary: counts by status and by reason, every threshold and the notes."""
        counts = self.counts()
        lines = [f"{self.source}: {self.n_rows} row(s) checked on {self.instrument}"]
        lines.append("  status:   " + ", ".join(f"{s} {counts[s]}" for s in _STATUSES))
        reasons = self.summary[self.summary[C.KIND] == C.REASON]
        reasons = reasons[reasons[C.COUNT] > 0]
        if len(reasons):
            width = max(len(str(n)) for n in reasons[C.NAME])
            lines.append("  reasons:")
            for name, action, count in zip(reasons[C.NAME], reasons[C.ACTION], reasons[C.COUNT]):
                lines.append(f"    {str(name):<{width}}  {int(count):>7}  ({action})")
        else:
            lines.append("  reasons:  none")
        pol = self.policy
        lines.append("  policy" + (f" ({pol.source})" if pol.source else " (defaults)") + ":")
        lines.append("    exclude: " + (", ".join(r for r, a in pol.actions.items() if a == "exclude") or "-"))
        lines.append("    flag:    " + (", ".join(r for r, a in pol.actions.items() if a == "flag") or "-"))
        off = [r for r, a in pol.actions.items() if a == "off"]
        if off:
            lines.append("    off:     " + ", ".join(off))
        lines.append("  thresholds: " + ", ".join(f"{k}={v:.4g}" for k, v in pol.thresholds.items()))
        res = {k: v for k, v in self.resolved.items() if v is not None}
        if res:
            lines.append("  from the data: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in res.items()))
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def summary_dict(self) -> dict:
        """Counts, policy and data-dependent thresholds as a plain dict (for JSON and manifests)."""
        by_reason = self.summary[self.summary[C.KIND] == C.REASON]
        return {
            "source": self.source,
            "instrument": self.instrument,
            "rows": self.n_rows,
            "status": self.counts(),
            "reasons": {str(n): int(c) for n, c in zip(by_reason[C.NAME], by_reason[C.COUNT])},
            "policy": self.policy.to_dict(),
            "resolved": dict(self.resolved),
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        return self.summary_text()

    def _repr_html_(self) -> str:
        from html import escape

        counts = self.counts()
        head = "".join(f"<th>{escape(s)}</th>" for s in _STATUSES)
        cells = "".join(f"<td>{counts[s]}</td>" for s in _STATUSES)
        reasons = self.summary[(self.summary[C.KIND] == C.REASON) & (self.summary[C.COUNT] > 0)]
        rrows = "".join(
            f"<tr><td>{escape(str(n))}</td><td>{escape(str(a))}</td><td>{int(c)}</td></tr>"
            for n, a, c in zip(reasons[C.NAME], reasons[C.ACTION], reasons[C.COUNT])
        )
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        return (
            f"<div><strong>Quality report</strong>: {escape(self.source)} on {escape(self.instrument)}, "
            f"{self.n_rows} row(s)<table><tr>{head}</tr><tr>{cells}</tr></table>"
            f"<table><tr><th>reason</th><th>action</th><th>rows</th></tr>{rrows}</table>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )
