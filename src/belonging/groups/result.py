"""The result of :func:`belonging.compare`: tidy tables, warnings, a text summary and HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from belonging import _columns as C
from belonging._validation import check_choice
from belonging.diagnostics import Diagnostic, summary_lines, warnings_html

__all__ = ["CompareResult"]

_TABLES = ("descriptives", "overall", "omnibus", "pairwise", "model", "adjusted", "weighted_pairwise",
           "sample_descriptives", "participation", "waves", "wave_descriptives", "wave_model")


@dataclass(frozen=True)
class CompareResult:
    """Comparison of an outcome across groups (cohorts, participation modes).

    Attributes
    ----------
    outcome, by : str
        Outcome and grouping columns.
    confidence : float
        Confidence level of every interval.
    descriptives, overall : pandas.DataFrame
        Per-group and pooled statistics (design-based when weights were given; see
        :func:`belonging.groups.descriptives.descriptives_table` and
        :func:`belonging.groups.weighted.design_means` for the columns).
    omnibus : pandas.DataFrame
        Welch's ANOVA, ANOVA and Kruskal-Wallis with effect sizes and CIs.
    pairwise : pandas.DataFrame
        Every pair of groups (see :func:`belonging.groups.tests.pairwise`).
    model : pandas.DataFrame or None
        Terms of the adjusted model (OLS or mixed), with the model's ``n``; ``None`` without one.
    adjusted : pandas.DataFrame or None
        Adjusted pairwise differences from the model, with the rows of each group in the model
        (``n_a``, ``n_b``).
    model_kind : str or None
        "ols" or "mixed".
    icc : float or None
        Intraclass correlation of the mixed model's clusters.
    variance : mapping
        Variance components of the mixed model (``tau2``, ``sigma2``, ``n_clusters``).
    weighted_pairwise, sample_descriptives : pandas.DataFrame or None
        With weights: design-based pairwise differences, and the unweighted descriptives.
    participation : pandas.DataFrame or None
        See :func:`belonging.groups.participation.participation`.
    waves, wave_descriptives, wave_model : pandas.DataFrame or None
        With a wave column: change per group, per-wave descriptives and the group-by-wave mixed
        model; ``wave_variance`` holds its variance components.
    warnings : tuple of Diagnostic
        Conditions the reader must see (:mod:`belonging.diagnostics`: ``small_group``,
        ``constant_outcome``, ``noninvariant``, ``boundary``); shown first by :meth:`summary` and
        in HTML. ``str(w)`` reads ``"<code>: <message>"``.
    notes : tuple of str
        Conventions and data handling (rows dropped, tests run on the latest wave ...).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> rng = np.random.default_rng(5)
    >>> mode = np.repeat(["in_person", "online"], 200)
    >>> data = pd.DataFrame({"mode": mode, "score": rng.normal(50, 10, 400) - 4 * (mode == "online")})
    >>> result = bl.compare(data, outcome="score", by="mode")
    >>> list(result.tables()), result.warnings
    (['descriptives', 'overall', 'omnibus', 'pairwise'], ())
    >>> print(result.to_frame()[["group", "n", "mean", "sd"]].round(2).to_string(index=False))
        group   n  mean   sd
    in_person 200 49.35 9.64
       online 200 45.61 9.67
    (overall) 400 47.48 9.82
    >>> print(result.pairwise[["group_a", "group_b", "difference", "ci_low", "ci_high"]].round(2).to_string(index=False))
      group_a group_b  difference  ci_low  ci_high
    in_person  online        3.74    1.84     5.64
    >>> print(result.summary().splitlines()[0])
    Comparison of score by mode

    A table that was not computed is a :class:`~belonging.errors.UsageError`:

    >>> result.to_frame("waves")
    Traceback (most recent call last):
    ...
    belonging.errors.UsageError: `table`: 'waves' was not computed for this comparison
    """

    outcome: str
    by: str
    confidence: float
    descriptives: pd.DataFrame
    overall: pd.DataFrame
    omnibus: pd.DataFrame
    pairwise: pd.DataFrame
    model: pd.DataFrame | None = None
    adjusted: pd.DataFrame | None = None
    model_kind: str | None = None
    icc: float | None = None
    variance: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    weighted_pairwise: pd.DataFrame | None = None
    sample_descriptives: pd.DataFrame | None = None
    participation: pd.DataFrame | None = None
    waves: pd.DataFrame | None = None
    wave_descriptives: pd.DataFrame | None = None
    wave_model: pd.DataFrame | None = None
    wave_variance: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table that was computed, by name, in a fixed order."""
        return {name: getattr(self, name) for name in _TABLES if getattr(self, name) is not None}

    def to_frame(self, table: str = "descriptives") -> pd.DataFrame:
        """One table as a DataFrame (default: per-group descriptives followed by the overall row).

        Parameters
        ----------
        table : str
            One of "descriptives", "overall", "omnibus", "pairwise", "model", "adjusted",
            "weighted_pairwise", "sample_descriptives", "participation", "waves",
            "wave_descriptives", "wave_model".
        """
        check_choice(table, "table", _TABLES)
        if table == "descriptives":
            return pd.concat([self.descriptives, self.overall], ignore_index=True)
        value = getattr(self, table)
        if value is None:
            msg = f"`table`: {table!r} was not computed for this comparison"
            from belonging.errors import UsageError

            raise UsageError(msg)
        return value.copy()

    # ------------------------------------------------------------------ text
    def summary(self) -> str:
        """Plain-text summary: warnings first, then every comparison with its effect size and CI."""
        pct = f"{self.confidence:.0%}"
        lines = [f"Comparison of {self.outcome} by {self.by}", *summary_lines(self.warnings)]
        lines.append("")
        lines.append(f"Descriptives ({pct} CI):")
        for _, r in pd.concat([self.descriptives, self.overall]).iterrows():
            text = f"  {str(r[C.GROUP]):<16} n = {int(r[C.N]):>7}  mean = {r[C.MEAN]:.3f} [{r[C.CI_LOW]:.3f}, {r[C.CI_HIGH]:.3f}]"
            if C.SD in r and pd.notna(r[C.SD]):
                text += f"  sd = {r[C.SD]:.3f}"
            if C.PERCENT_FAVOURABLE in r and pd.notna(r[C.PERCENT_FAVOURABLE]):
                text += f"  favourable = {r[C.PERCENT_FAVOURABLE]:.1f}% [{r[C.FAV_CI_LOW]:.1f}, {r[C.FAV_CI_HIGH]:.1f}]"
            lines.append(text)
        lines.append("")
        lines.append("Omnibus tests:")
        for _, r in self.omnibus.iterrows():
            df = f"{r[C.DF1]:.0f}" + (f", {r[C.DF2]:.1f}" if pd.notna(r[C.DF2]) else "")
            lines.append(f"  {r[C.TEST]:<15} statistic = {r[C.STATISTIC]:.3f} (df {df}), p = {r[C.P_VALUE]:.3g}; "
                         f"{r[C.EFFECT_MEASURE]} = {r[C.EFFECT_SIZE]:.3f} [{r[C.ES_CI_LOW]:.3f}, {r[C.ES_CI_HIGH]:.3f}]")
        lines.append("")
        lines.append(f"Pairwise differences (a - b, Welch {pct} CI; Hedges' g; adjusted p):")
        for _, r in self.pairwise.iterrows():
            if pd.isna(r[C.P_VALUE]):  # mean-based tests undefined or not asked for: the rank-based ones
                lines.append(f"  {r[C.GROUP_A]} - {r[C.GROUP_B]}: {r[C.DIFFERENCE]:+.3f}, rank-biserial r = "
                             f"{r[C.RANK_BISERIAL]:+.3f} [{r[C.RB_CI_LOW]:+.3f}, {r[C.RB_CI_HIGH]:+.3f}], "
                             f"n = {int(r[C.N_A])}/{int(r[C.N_B])}, Mann-Whitney p_adj = {r[C.MW_P_ADJUSTED]:.3g}")
                continue
            lines.append(f"  {r[C.GROUP_A]} - {r[C.GROUP_B]}: {r[C.DIFFERENCE]:+.3f} [{r[C.CI_LOW]:+.3f}, {r[C.CI_HIGH]:+.3f}], "
                         f"g = {r[C.HEDGES_G]:+.3f} [{r[C.G_CI_LOW]:+.3f}, {r[C.G_CI_HIGH]:+.3f}], "
                         f"n = {int(r[C.N_A])}/{int(r[C.N_B])}, p_adj = {r[C.P_ADJUSTED]:.3g}, {r[C.POSTHOC]} p = {r[C.POSTHOC_P]:.3g}")
        if self.weighted_pairwise is not None:
            lines.append("")
            lines.append("Design-based differences (a - b):")
            for _, r in self.weighted_pairwise.iterrows():
                lines.append(f"  {r[C.GROUP_A]} - {r[C.GROUP_B]}: {r[C.DIFFERENCE]:+.3f} [{r[C.CI_LOW]:+.3f}, {r[C.CI_HIGH]:+.3f}]")
        if self.adjusted is not None:
            lines.append("")
            lines.append(f"Adjusted differences ({self.model_kind} model):")
            for _, r in self.adjusted.iterrows():
                lines.append(f"  {r[C.GROUP_A]} - {r[C.GROUP_B]}: {r[C.DIFFERENCE]:+.3f} [{r[C.CI_LOW]:+.3f}, {r[C.CI_HIGH]:+.3f}], p = {r[C.P_VALUE]:.3g}")
        if self.icc is not None:
            lines.append(f"  ICC of {self.variance.get(C.N_CLUSTERS, '?')} clusters: {self.icc:.3f}")
        if self.participation is not None:
            lines.append("")
            lines.append("Participation (standardized beta; partial r):")
            for _, r in self.participation.iterrows():
                lines.append(f"  {r[C.MEASURE]}: beta = {r[C.BETA]:+.3f} [{r[C.CI_LOW]:+.3f}, {r[C.CI_HIGH]:+.3f}], "
                             f"partial r = {r[C.PARTIAL_R]:+.3f} [{r[C.R_CI_LOW]:+.3f}, {r[C.R_CI_HIGH]:+.3f}], n = {int(r[C.N])}")
        if self.waves is not None:
            lines.append("")
            lines.append("Change between waves:")
            for _, r in self.waves.iterrows():
                lines.append(f"  {r[C.GROUP]} {r[C.WAVE_FROM]} -> {r[C.WAVE_TO]} ({r[C.METHOD]}, n = {int(r[C.N])}): "
                             f"{r[C.CHANGE]:+.3f} [{r[C.CI_LOW]:+.3f}, {r[C.CI_HIGH]:+.3f}], "
                             f"{r[C.EFFECT_MEASURE]} = {r[C.EFFECT_SIZE]:+.3f} [{r[C.ES_CI_LOW]:+.3f}, {r[C.ES_CI_HIGH]:+.3f}]")
        if self.notes:
            lines.append("")
            lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        parts = [f"<div class='belonging-compare'><h3>Comparison of {html.escape(str(self.outcome))} by "
                 f"{html.escape(str(self.by))}</h3>"]
        if self.warnings:
            parts.append(warnings_html(self.warnings))
        for name, df in self.tables().items():
            parts.append(f"<h4>{html.escape(name)}</h4>")
            parts.append(df.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="", border=0))
        if self.icc is not None:
            parts.append(f"<p>ICC: {self.icc:.3f}</p>")
        for n in self.notes:
            parts.append(f"<p><em>Note:</em> {html.escape(n)}</p>")
        parts.append("</div>")
        return "\n".join(parts)
