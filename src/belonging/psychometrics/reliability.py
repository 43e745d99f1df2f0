"""Item analysis and internal-consistency reliability: Cronbach's alpha, McDonald's omega.

Every statistic of a scale comes from its complete rows' sums and cross-products (the mean vector and
the covariance matrix), so the cost is one pass over the data per scale and group; nothing loops over
respondents. The one-factor model behind omega is fitted to the correlation matrix by maximum
likelihood (:mod:`belonging.psychometrics._factoring`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from belonging import _columns as C
from belonging._validation import check_choice, check_columns
from belonging.diagnostics import Code, Diagnostic, locate, summary_lines, warnings_html
from belonging.errors import DataValidationError, UsageError
from belonging.psychometrics._itemstats import code_range, sweep
from belonging.psychometrics._omega import in_group, omegas

__all__ = ["ReliabilityResult", "reliability"]

logger = logging.getLogger(__name__)

CI_METHODS = ("feldt", "bootstrap")

CONVENTION = (
    "Missing data: listwise deletion per scale (a respondent counts for a scale only when every item "
    "of that scale is answered; n is that count, n_incomplete the rows left out). Alpha from the "
    "covariance matrix (n - 1 denominator); standardized alpha and mean_r from the correlation matrix. "
    "Confidence interval: {ci}. Omega total from a one-factor model fitted by maximum likelihood; its "
    "denominator is the observed total-score variance (the sum of the sample covariance matrix), as "
    "semTools::compRelSEM's default obs.var = TRUE. Item mean, sd, item_rest_r (psych r.drop), "
    "alpha_if_deleted and omega_if_deleted use the same complete rows after reverse keying; missing is "
    "the share of all rows without an answer; the response distribution counts answers as given "
    "(before reverse keying). Omega needs at least 3 items, alpha at least 2. An item without variance is left "
    "out of its scale (as psych::alpha); omega is NaN when the matrix it needs is singular (see warnings)."
)


@dataclass(frozen=True)
class ReliabilityResult:
    """Reliability and item analysis of an instrument's scales.

    Attributes
    ----------
    scales : pandas.DataFrame
        One row per scale (and group): see :func:`reliability`.
    items : pandas.DataFrame
        One row per item within each scale (and group).
    distribution : pandas.DataFrame
        Answer counts per item and scale point (and group).
    confidence : float
        Level of the alpha confidence intervals.
    ci_method : str
        ``"feldt"`` or ``"bootstrap"``.
    convention : str
        How missing data, the intervals and omega's denominator are handled, in words.
    warnings : tuple of Diagnostic
        What qualifies the numbers (:mod:`belonging.diagnostics`): ``zero_variance`` (an item
        without variance, left out of its scale), ``singular`` (linearly dependent items: the omegas
        that need the singular matrix are NaN), ``not_converged`` (omega's one-factor fit),
        ``heywood`` (a uniqueness of that fit at its bound).

    Examples
    --------
    Four 0-4 items of one simulated trait (seeded):

    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> rng = np.random.default_rng(3)
    >>> trait = rng.normal(size=(200, 1))
    >>> items = pd.DataFrame(np.clip(np.round(2 + trait + rng.normal(size=(200, 4))), 0, 4),
    ...                      columns=["q1", "q2", "q3", "q4"])
    >>> result = bl.reliability(items, {"belonging": ["q1", "q2", "q3", "q4"]})
    >>> result.confidence, result.ci_method
    (0.95, 'feldt')
    >>> print(result.scales[["scale", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "omega"]].round(2).to_string(index=False))
        scale   n  k  alpha  alpha_ci_low  alpha_ci_high  omega
    belonging 200  4   0.78          0.72           0.82   0.78
    >>> print(result.items[["item", "mean", "sd", "item_rest_r", "alpha_if_deleted"]].round(2).to_string(index=False))
    item  mean   sd  item_rest_r  alpha_if_deleted
      q1  2.12 1.27         0.62              0.70
      q2  2.12 1.27         0.57              0.73
      q3  2.06 1.32         0.57              0.73
      q4  2.08 1.22         0.57              0.73
    >>> dist = result.distribution
    >>> print(dist[dist["item"] == "q1"][["value", "count", "proportion"]].to_string(index=False))
     value  count  proportion
       0.0     27       0.135
       1.0     39       0.195
       2.0     48       0.240
       3.0     55       0.275
       4.0     31       0.155
    """

    scales: pd.DataFrame
    items: pd.DataFrame
    distribution: pd.DataFrame
    confidence: float
    ci_method: str
    convention: str
    warnings: tuple[Diagnostic, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The per-scale table (a copy)."""
        return self.scales.copy()

    def summary(self) -> str:
        """Plain-text summary: warnings, the per-scale table and the convention."""
        cols = [c for c in (C.GROUP, C.SCALE, C.N, C.K, C.ALPHA, C.ALPHA_CI_LOW, C.ALPHA_CI_HIGH,
                            C.STD_ALPHA, C.OMEGA, C.MEAN_R) if c in self.scales.columns]
        table = self.scales[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}")
        head = "\n".join([f"Reliability ({self.confidence:.0%} CI: {self.ci_method})", *summary_lines(self.warnings)])
        return f"{head}\n{table}\n\n{self.convention}"

    def _repr_html_(self) -> str:
        fmt = {"float_format": lambda v: f"{v:.3f}", "index": False}
        return (
            f"<h4>Reliability ({self.confidence:.0%} CI: {self.ci_method})</h4>"
            + warnings_html(self.warnings)
            + self.scales.to_html(**fmt)
            + "<h4>Items</h4>"
            + self.items.to_html(**fmt)
            + f"<p><small>{self.convention}</small></p>"
        )


def reliability(
    data,
    instrument,
    *,
    by: str | None = None,
    confidence: float = 0.95,
    ci_method: str = "feldt",
    n_boot: int = 1000,
    seed=None,
    mapping=None,
) -> ReliabilityResult:
    r"""Cronbach's alpha, McDonald's omega and item analysis for every scale and subscale.

    Parameters
    ----------
    data : pandas.DataFrame or Responses
        One row per response. With an :class:`~belonging.instruments.Instrument`, the answers are
        mapped to item codes by :func:`belonging.mapping.item_frame` (columns named by item ids, or
        as `mapping` says) and reverse-keyed items are recoded ``min + max - x`` first. With a dict,
        the named columns are used as they are (numeric, already keyed).
    instrument : Instrument, str, path or dict of str to list of str
        The instrument (its total scale ``"<id>"`` and subscales ``"<id>_<subscale>"``), given as
        an :class:`~belonging.instruments.Instrument`, a built-in id such as ``"ccs"`` or the path
        of a TOML definition (both read by :func:`belonging.load_instrument`), or an explicit
        ``{scale: [columns]}``.
    by : str, optional
        Column of `data` to group by; everything is computed per group (rows with a missing group
        are left out) and the tables gain a ``group`` column.
    confidence : float, default 0.95
        Level of the confidence interval of alpha, in (0, 1).
    ci_method : {"feldt", "bootstrap"}, default "feldt"
        Feldt's F-distribution interval, or a percentile bootstrap over respondents.
    n_boot : int, default 1000
        Bootstrap replicates (``ci_method="bootstrap"`` only).
    seed : int or numpy.random.Generator, optional
        Seed of the bootstrap (``numpy.random.default_rng(seed)``).
    mapping : Mapping, dict or path, optional
        Column mapping passed to :func:`belonging.mapping.item_frame` (Instrument only).

    Returns
    -------
    ReliabilityResult
        ``scales`` columns: ``group`` (with `by`), ``scale``, ``n`` (complete rows), ``n_incomplete``
        (rows left out), ``k`` (items), ``alpha`` (raw Cronbach's alpha), ``alpha_ci_low``,
        ``alpha_ci_high``, ``confidence``, ``ci_method``, ``std_alpha`` (standardized alpha),
        ``omega`` (omega total), ``mean_r`` (mean inter-item correlation).
        ``items`` columns: ``group``, ``scale``, ``item``, ``reversed`` (recoded before analysis),
        ``n``, ``mean``, ``sd``, ``missing`` (share of rows without an answer), ``item_rest_r``
        (correlation with the sum of the other items), ``alpha_if_deleted``, ``omega_if_deleted``.
        ``distribution`` columns: ``group``, ``item``, ``value`` (answer code as given), ``count``,
        ``proportion`` (of the item's non-missing answers).

    Raises
    ------
    UsageError
        Unknown `ci_method`, `confidence` outside (0, 1), unknown columns, a scale without items,
        an `instrument` of another type.
    InstrumentError
        Unknown instrument id, unreadable or invalid TOML definition.
    DataValidationError
        Answers outside the instrument's scale (from the mapping step) or non-numeric item columns.

    Notes
    -----
    For a scale of :math:`k` items with sample covariance matrix :math:`S` (denominator
    :math:`n-1`) over its :math:`n` complete rows:

    .. math::

        \alpha = \frac{k}{k-1}\Bigl(1 - \frac{\sum_i S_{ii}}{\sum_{ij} S_{ij}}\Bigr),\qquad
        \alpha_{std} = \frac{k\bar r}{1 + (k-1)\bar r}

    with :math:`\bar r` the mean off-diagonal correlation (``mean_r``). Feldt's interval (Feldt,
    Woodruff & Salih 1987) is :math:`1 - (1-\alpha)F_{1-a/2}` to :math:`1 - (1-\alpha)F_{a/2}` with
    :math:`F` quantiles on :math:`(n-1, (n-1)(k-1))` degrees of freedom and
    :math:`a = 1 - \text{confidence}`; the bootstrap interval takes the percentiles of alpha over
    `n_boot` resamples of the complete rows. Omega total is

    .. math::

        \omega = \frac{(\sum_i \lambda_i)^2}{\mathbf 1^\top S \mathbf 1}

    with :math:`\lambda` the loadings of a one-factor model fitted by maximum likelihood, and the
    **observed** total-score variance in the denominator (semTools::compRelSEM's default
    ``obs.var = TRUE``; the model-implied alternative is :math:`(\sum\lambda)^2 + \sum\theta`).
    The item-rest correlation is psych's ``r.drop``; alpha and omega if deleted recompute the
    statistic without the item.

    Degenerate data (issue 19; R's verdicts in ``tests/reference/diagnostics/``): an item without
    variance in a scale's complete rows is left out of that scale (``k`` counts the items used) with
    a ``zero_variance`` warning, as psych::alpha drops it; omega is NaN for every item set whose
    correlation matrix is singular (smallest eigenvalue at most 1e-10: an item copied, or the sum of
    others), exactly where lavaan cannot fit the one-factor model, with one ``singular`` warning;
    a one-factor fit that does not converge gives NaN and ``not_converged``; a uniqueness at its
    bound gives ``heywood``. Missing data: listwise per scale (see ``convention``); psych::alpha
    defaults to pairwise correlations, so compare with R on ``na.omit`` data.

    Computation: for integer codes (any Likert-type scale) one blocked pass over the rows gives
    every scale's complete-row sums and cross-products (exact integers in double precision) and
    every item's answer counts (:mod:`belonging.psychometrics._itemstats`); other values take a
    two-pass route (centred cross-products of the complete rows, ``numpy.unique`` counts). The
    one-factor ML fits (the full scale and each item deleted) use Newton's method with the
    analytic Hessian on the correlation matrix, from ``1 - SMC`` as psych::fa.

    Validated against R 4.2.2 psych::alpha 2.2.9 (raw and standardized alpha, average_r,
    alpha.drop, item.stats r.drop, mean, sd, alpha.ci; agreement to 1e-9) and semTools::compRelSEM
    0.5.6 on lavaan 0.6-14 one-factor ``cfa`` refitted to a gradient below 1e-12 (omega and omega if
    deleted; agreement to 1e-9) on
    the five psych::bfi scales; see ``tests/reference/reliability/``.

    References
    ----------
    1. Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
       Psychometrika, 16, 297-334.
    2. Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient
       alpha. Applied Psychological Measurement, 11, 93-103.
    3. McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    4. Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> rng = np.random.default_rng(7)
    >>> trait = rng.normal(size=(500, 1))
    >>> items = pd.DataFrame(np.clip(np.round(2 + trait + rng.normal(size=(500, 5))), 0, 4), columns=[f"q{j}" for j in range(1, 6)])
    >>> result = bl.reliability(items, {"scale": list(items.columns)})
    >>> print(result.scales[["scale", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "omega"]].round(3).to_string(index=False))
    scale   n  k  alpha  alpha_ci_low  alpha_ci_high  omega
    scale 500  5  0.792         0.762           0.82  0.793
    """
    check_choice(ci_method, "ci_method", CI_METHODS)
    if not (isinstance(confidence, int | float) and 0 < confidence < 1):
        msg = f"`confidence` must lie in (0, 1); got {confidence!r}"
        raise UsageError(msg)
    if ci_method == "bootstrap" and (not isinstance(n_boot, int | np.integer) or n_boot < 2):
        msg = f"`n_boot` must be an integer >= 2; got {n_boot!r}"
        raise UsageError(msg)
    prep = _prepare(data, instrument, mapping)
    items, scales = prep.items, prep.scales
    frame = getattr(data, "data", data)
    rng = np.random.default_rng(seed)

    if by is None:
        groups = [(None, slice(None))]  # a view: no copy of the whole matrix
    else:
        check_columns(frame, [by], "by")
        key = pd.Series(frame[by].to_numpy(), index=np.arange(len(frame)))
        groups = [(g, idx.to_numpy()) for g, idx in key.groupby(key, sort=True, dropna=True).groups.items()]

    # a view of the frame's own float64 block when it has one (Fortran order), otherwise one copy
    values = items.to_numpy(dtype="float64", copy=False)
    columns = list(items.columns)
    col_of = {c: i for i, c in enumerate(columns)}
    scale_idx = [[col_of[i] for i in ids] for ids in scales.values()]
    lo, hi = code_range(values)
    reflect = np.array([prep.reflect if c in prep.reversed_ids else np.nan for c in columns])

    scale_parts, item_parts, dist, warnings = [], [], [], []
    for g, rows in groups:
        block = values[rows]
        fast = sweep(block, scale_idx, lo, hi, check_integers=not prep.integral)
        if fast is None:  # non-integer codes, infinities, very wide ranges: two passes per scale
            stats_of, missing, dist_part = _general(block, rows, scale_idx, prep, columns, g)
        else:
            stats_of = [(m.n, m.mean, m.cov) for m in fast.moments]
            missing = fast.missing / len(block) if len(block) else np.full(len(columns), np.nan)
            dist_part = _distribution_from_counts(fast, columns, reflect, g, prep.points)
        for s, (scale, ids) in enumerate(scales.items()):
            where = {"group": g if by is not None else None, "scale": scale}
            x = block[:, scale_idx[s]] if ci_method == "bootstrap" else None
            s_row, i_cols, found = _scale(stats_of[s], x, list(ids), where, confidence, ci_method, n_boot, rng)
            warnings.extend(found)
            n = s_row[C.N]
            s_row[C.N_INCOMPLETE] = len(block) - n
            scale_parts.append({C.GROUP: g, C.SCALE: scale, **s_row})
            k = len(ids)
            item_parts.append({
                C.GROUP: [g] * k, C.SCALE: [scale] * k, C.ITEM: list(ids),
                C.REVERSED: [i in prep.reversed_ids for i in ids], C.N: [n] * k,
                C.MEAN: i_cols[C.MEAN], C.SD: i_cols[C.SD], C.MISSING: missing[scale_idx[s]],
                C.ITEM_REST_R: i_cols[C.ITEM_REST_R], C.ALPHA_IF_DELETED: i_cols[C.ALPHA_IF_DELETED],
                C.OMEGA_IF_DELETED: i_cols[C.OMEGA_IF_DELETED],
            })
        dist.append(dist_part)

    scales_df = pd.DataFrame(scale_parts)[[
        C.GROUP, C.SCALE, C.N, C.N_INCOMPLETE, C.K, C.ALPHA, C.ALPHA_CI_LOW, C.ALPHA_CI_HIGH,
        C.CONFIDENCE, C.CI_METHOD, C.STD_ALPHA, C.OMEGA, C.MEAN_R,
    ]]
    items_df = pd.DataFrame({
        c: (np.concatenate([np.asarray(part[c], dtype=float) for part in item_parts])
            if c in _FLOAT_ITEM_COLUMNS else [v for part in item_parts for v in part[c]])
        for c in item_parts[0]
    })
    dist_df = pd.concat(dist, ignore_index=True)
    if by is None:
        scales_df = scales_df.drop(columns=C.GROUP)
        items_df = items_df.drop(columns=C.GROUP)
        dist_df = dist_df.drop(columns=C.GROUP)
    ci_text = (
        f"Feldt's F interval at {confidence:.0%}"
        if ci_method == "feldt"
        else f"percentile bootstrap at {confidence:.0%}, {n_boot} resamples of complete rows, seed {seed!r}"
    )
    return ReliabilityResult(
        scales=scales_df, items=items_df, distribution=dist_df, confidence=float(confidence),
        ci_method=ci_method, convention=CONVENTION.format(ci=ci_text), warnings=tuple(warnings),
    )


_FLOAT_ITEM_COLUMNS = frozenset({C.MEAN, C.SD, C.MISSING, C.ITEM_REST_R, C.ALPHA_IF_DELETED, C.OMEGA_IF_DELETED})


@dataclass(frozen=True)
class _Prepared:
    items: pd.DataFrame  # keyed item codes
    scales: dict  # {scale: [item ids]}
    reversed_ids: frozenset
    raw: pd.DataFrame  # answers as given (the same frame as items for a dict)
    points: tuple | None  # the instrument's scale points
    reflect: float  # min + max of the instrument's scale (reverse keying is reflect - x)
    integral: bool  # the dtypes guarantee integer codes


def _prepare(data, instrument, mapping) -> _Prepared:
    """Keyed item frame, scales, reversed ids, answers as given and the instrument's scale points."""
    if isinstance(instrument, Mapping):
        frame = getattr(data, "data", data)
        scales = {str(k): [str(c) for c in ([v] if isinstance(v, str) else v)] for k, v in instrument.items()}
        if not scales:
            msg = "`instrument`: the dict of scales is empty; give {scale: [columns]}"
            raise UsageError(msg)
        cols = list(dict.fromkeys(c for ids in scales.values() for c in ids))
        check_columns(frame, cols, "instrument")
        raw = frame[cols]
        bad = [c for c in cols if not (pd.api.types.is_numeric_dtype(raw[c]) or pd.api.types.is_bool_dtype(raw[c]))]
        if bad:
            msg = f"column {bad[0]!r} is not numeric; map labels to codes first (belonging.mapping.item_frame)"
            raise DataValidationError(msg)
        integral = all(pd.api.types.is_integer_dtype(raw[c]) or pd.api.types.is_bool_dtype(raw[c]) for c in cols)
        raw = raw.astype("float64").reset_index(drop=True)
        return _Prepared(raw, scales, frozenset(), raw, None, float("nan"), integral)
    from belonging.instruments import Instrument, load_instrument
    from belonging.mapping import item_frame
    from belonging.scoring import reverse_items

    if isinstance(instrument, str | os.PathLike):
        instrument = load_instrument(instrument)
    elif not isinstance(instrument, Instrument):
        msg = (f"`instrument` must be an Instrument, a built-in id such as 'ccs', the path of a TOML "
               f"definition or a dict {{scale: [columns]}}; got {type(instrument).__name__}")
        raise UsageError(msg)
    raw = item_frame(data, instrument, mapping=mapping).reset_index(drop=True)
    keyed = reverse_items(raw, instrument)
    scales = {name: list(ids) for name, ids in instrument.scales().items()}
    rs = instrument.response_scale
    points = None if rs.continuous else tuple(float(v) for v in rs.codes())
    return _Prepared(keyed, scales, frozenset(instrument.reverse_items), raw, points,
                     float(rs.min + rs.max), False)


def _general(block, rows, scale_idx, prep, columns, g):
    """Moments, missing shares and distribution by the two-pass route (any numeric values)."""
    nan_mask = np.isnan(block)
    missing = nan_mask.mean(axis=0) if len(block) else np.full(block.shape[1], np.nan)
    stats_of = []
    for idx in scale_idx:
        full = idx == list(range(block.shape[1]))
        x = block if full else block[:, idx]
        complete = x[~(nan_mask if full else nan_mask[:, idx]).any(axis=1)]
        n = len(complete)
        if n < 2:
            mean = complete.mean(axis=0) if n else np.full(len(idx), np.nan)
            stats_of.append((n, mean, np.full((len(idx), len(idx)), np.nan)))
            continue
        mean = complete.mean(axis=0)
        xc = complete - mean
        stats_of.append((n, mean, xc.T @ xc / (n - 1)))
    raw_values = block if prep.raw is prep.items else prep.raw.to_numpy(dtype="float64")[rows]
    return stats_of, missing, _distribution(raw_values, columns, g, prep.points)


def _alpha(cov: np.ndarray) -> float:
    k = cov.shape[0]
    total = cov.sum()
    if k < 2 or not total > 0:
        return float("nan")
    return k / (k - 1) * (1.0 - np.trace(cov) / total)


def _scale(moments, x, ids, where, confidence, ci_method, n_boot, rng):
    """One scale's row, item columns (every item of the scale) and warnings from its complete-row moments.

    Items without variance are left out first; `x` (the scale's columns, bootstrap only) gives the
    complete rows the bootstrap resamples.
    """
    n, mean, cov = moments
    used, found = _variable_items(n, mean, cov, ids, where)
    if x is not None:
        x = x[~np.isnan(x).any(axis=1)][:, used] if n >= 2 else None
    s_row, i_cols, more = _analyse(n, mean[used], cov[np.ix_(used, used)], x, confidence, ci_method, n_boot, rng,
                                   ids=[i for i, u in zip(ids, used) if u], where=where)
    return s_row, _all_items(i_cols, used, mean), found + more


def _variable_items(n, mean, cov, ids, where) -> tuple[np.ndarray, list[Diagnostic]]:
    """Which items of a scale vary in its complete rows, and a ``zero_variance`` warning per item that does not.

    psych::alpha drops an item without variance ("Item = x had no variance and was deleted");
    so do we, and say so. A variance counts as zero when it is within rounding of 0 for the item's
    mean (exact for integer codes).
    """
    if n < 2:
        return np.ones(len(ids), dtype=bool), []
    var = np.diag(cov)
    used = var > 1e-24 * np.maximum(np.asarray(mean, dtype=float) ** 2, 1.0)
    found = []
    for j in np.flatnonzero(~used):
        msg = (f"item {ids[j]!r} has no variance in scale {where['scale']!r}{in_group(where)} (every complete response "
               f"is {mean[j]:g}); it was left out of the scale's alpha, omega and item statistics, as psych::alpha does")
        found.append(Diagnostic(Code.ZERO_VARIANCE, msg, where=locate(**where, item=ids[j])))
    return used, found


def _all_items(cols: dict, used: np.ndarray, mean) -> dict:
    """Item columns for every item of the scale: an item left out keeps its mean, sd 0, the rest NaN."""
    if used.all():
        return cols
    out = {}
    for name, values in cols.items():
        full = np.full(len(used), np.nan)
        full[used] = values
        out[name] = full
    out[C.MEAN][~used] = np.asarray(mean, dtype=float)[~used]
    out[C.SD][~used] = 0.0
    return out


def _analyse(n, mean, cov, x, confidence, ci_method, n_boot, rng, *, ids, where):
    """Scale row, item columns and warnings from the complete rows' count, means and covariance.

    `x` (the complete rows) is needed by the bootstrap interval only; `ids` names the items and
    `where` the scale (and group) in warnings.
    """
    k = len(mean)
    nan = float("nan")
    if n < 2:
        s = {C.N: n, C.K: k, C.ALPHA: nan, C.ALPHA_CI_LOW: nan, C.ALPHA_CI_HIGH: nan,
             C.CONFIDENCE: confidence, C.CI_METHOD: ci_method, C.STD_ALPHA: nan, C.OMEGA: nan,
             C.MEAN_R: nan}
        empty = np.full(k, nan)
        return s, {C.MEAN: np.asarray(mean, dtype=float), C.SD: empty, C.ITEM_REST_R: empty,
                   C.ALPHA_IF_DELETED: empty, C.OMEGA_IF_DELETED: empty}, []
    var = np.diag(cov)
    sd = np.sqrt(var)
    corr = cov / np.outer(sd, sd)
    alpha = _alpha(cov)
    if k >= 2:
        mean_r = float((corr.sum() - np.trace(corr)) / (k * (k - 1)))
        std_alpha = k * mean_r / (1 + (k - 1) * mean_r)
    else:
        mean_r = std_alpha = nan
    lo, hi = _ci(alpha, x, n, k, confidence, ci_method, n_boot, rng)
    omega, omega_drop, found = omegas(cov, ids, where)
    s = {C.N: n, C.K: k, C.ALPHA: alpha, C.ALPHA_CI_LOW: lo, C.ALPHA_CI_HIGH: hi,
         C.CONFIDENCE: confidence, C.CI_METHOD: ci_method, C.STD_ALPHA: std_alpha,
         C.OMEGA: omega, C.MEAN_R: mean_r}
    # item-rest correlation and alpha if deleted, vectorised over items
    total = cov.sum()
    rowsum = cov.sum(axis=1)
    rest_var = total - 2 * rowsum + var
    with np.errstate(invalid="ignore", divide="ignore"):
        item_rest = (rowsum - var) / np.sqrt(var * rest_var)
        if k >= 3:
            alpha_drop = (k - 1) / (k - 2) * (1 - (np.trace(cov) - var) / rest_var)
        else:
            alpha_drop = np.full(k, nan)
    return s, {C.MEAN: np.asarray(mean, dtype=float), C.SD: sd, C.ITEM_REST_R: item_rest,
               C.ALPHA_IF_DELETED: alpha_drop, C.OMEGA_IF_DELETED: omega_drop}, found


def _ci(alpha, x, n, k, confidence, method, n_boot, rng):
    if not np.isfinite(alpha) or (method == "bootstrap" and x is None):
        return float("nan"), float("nan")
    a = 1.0 - confidence
    if method == "feldt":
        df1, df2 = n - 1, (n - 1) * (k - 1)
        low = 1 - (1 - alpha) * stats.f.ppf(1 - a / 2, df1, df2)
        high = 1 - (1 - alpha) * stats.f.ppf(a / 2, df1, df2)
        return float(low), float(high)
    boot = np.empty(n_boot)
    for b in range(n_boot):  # a loop over replicates; each replicate is vectorised over rows
        xb = x[rng.integers(0, n, size=n)]
        xb = xb - xb.mean(axis=0)
        boot[b] = _alpha(xb.T @ xb / (n - 1))
    boot = boot[np.isfinite(boot)]
    if not len(boot):
        return float("nan"), float("nan")
    low, high = np.quantile(boot, [a / 2, 1 - a / 2])
    return float(low), float(high)


def _distribution_from_counts(fast, columns, reflect, group, points) -> pd.DataFrame:
    """The distribution table from the sweep's code counts (reverse-keyed codes mapped back)."""
    vals_all, counts_all, names = [], [], []
    for j, item_id in enumerate(columns):
        vals, counts = fast.values[j], fast.counts[j]
        if not np.isnan(reflect[j]):  # counted after reverse keying: the answer given is reflect - code
            vals, counts = (reflect[j] - vals)[::-1], counts[::-1]
        if points is not None:
            full = np.union1d(np.asarray(points, dtype=float), vals)
            counts = _lookup(vals, counts, full)
            vals = full
        vals_all.append(vals)
        counts_all.append(counts)
        names.append(np.full(len(vals), item_id, dtype=object))
    if not names:
        return pd.DataFrame(columns=[C.GROUP, C.ITEM, C.VALUE, C.COUNT, C.PROPORTION])
    counts = np.concatenate(counts_all).astype(np.int64)
    totals = np.repeat([c.sum() for c in counts_all], [len(c) for c in counts_all])
    with np.errstate(invalid="ignore", divide="ignore"):
        proportion = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 0.0)
    return pd.DataFrame({
        C.GROUP: group, C.ITEM: np.concatenate(names), C.VALUE: np.concatenate(vals_all),
        C.COUNT: counts, C.PROPORTION: proportion,
    })


def _distribution(raw: np.ndarray, columns: list[str], group, points) -> pd.DataFrame:
    """Counts per item and answer code (non-missing answers as given; every scale point if known)."""
    parts = []
    for j, item_id in enumerate(columns):
        vals, counts = _counts(raw[:, j])
        if points is not None:
            full = np.union1d(np.asarray(points, dtype=float), vals)
            counts = _lookup(vals, counts, full)
            vals = full
        total = counts.sum()
        parts.append(pd.DataFrame({
            C.GROUP: group, C.ITEM: item_id, C.VALUE: vals, C.COUNT: counts,
            C.PROPORTION: counts / total if total else counts.astype(float),
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=[C.GROUP, C.ITEM, C.VALUE, C.COUNT, C.PROPORTION])


def _counts(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct non-missing values of `col` and their counts (bincount for integer codes)."""
    col = col[~np.isnan(col)]
    if col.size:
        lo, hi = col.min(), col.max()
        if hi - lo < 4096 and lo == np.floor(lo):
            shifted = col - lo
            as_int = shifted.astype(np.int64)
            if np.array_equal(as_int, shifted):
                counts = np.bincount(as_int)
                present = np.flatnonzero(counts)
                return lo + present.astype("float64"), counts[present]
    return np.unique(col, return_counts=True)


def _lookup(vals: np.ndarray, counts: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Counts of `vals` placed on the sorted grid `full` (zero where absent)."""
    out = np.zeros(len(full), dtype=np.int64)
    out[np.searchsorted(full, vals)] = counts
    return out
