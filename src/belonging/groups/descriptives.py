"""Descriptive statistics per group from grouped sums: n, mean, sd, se, t CI, quartiles, % favourable."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from belonging import _columns as C

__all__ = ["OVERALL", "descriptives_table", "encode_groups", "group_moments", "wilson_interval"]

#: Label of the row that pools every group.
OVERALL = "(overall)"


def encode_groups(values) -> tuple[np.ndarray, list]:
    """Integer codes 0..k-1 and the group labels, in category order or else sorted.

    Parameters
    ----------
    values : pandas.Series
        Group labels without missing values.

    Returns
    -------
    codes : numpy.ndarray of int64
    levels : list
        Observed labels; a categorical keeps its category order, anything else is sorted.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        cat = values.cat.remove_unused_categories()
        return cat.cat.codes.to_numpy().astype(np.int64), list(cat.cat.categories)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), list(uniques)


def group_moments(y: np.ndarray, codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n, mean and unbiased variance per group from two passes of grouped sums (``np.bincount``)."""
    n = np.bincount(codes, minlength=k).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, weights=y, minlength=k) / n
        dev = y - mean[codes]
        var = np.bincount(codes, weights=dev * dev, minlength=k) / (n - 1)
    var[n < 2] = np.nan
    return n, mean, var


def wilson_interval(successes, n, confidence: float):
    """Wilson score interval of a proportion (as R ``prop.test(x, n, correct = FALSE)$conf.int``)."""
    successes = np.asarray(successes, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo = np.where(successes <= 0, 0.0, np.clip(centre - half, 0, 1))
    hi = np.where(successes >= n, 1.0, np.clip(centre + half, 0, 1))
    return lo, hi


def descriptives_table(y: np.ndarray, codes: np.ndarray, levels: list, *, confidence: float = 0.95,
                       midpoint: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-group and overall descriptive statistics of `y`.

    Parameters
    ----------
    y : numpy.ndarray
        Outcome without missing values.
    codes : numpy.ndarray
        Group code (0..k-1) of each value of `y`.
    levels : list
        Group labels, indexed by code.
    confidence : float
        Confidence level of the intervals.
    midpoint : float, optional
        Scale midpoint; a response is *favourable* when its score is strictly above it. Without it
        the favourable columns are missing.

    Returns
    -------
    groups, overall : pandas.DataFrame
        One row per group (``groups``) and one pooled row (``overall``) with columns ``group``,
        ``n``, ``mean``, ``sd`` (n - 1 divisor), ``se`` (sd / sqrt(n)), ``ci_low``, ``ci_high``
        (mean +/- t quantile with n - 1 df times se), ``median``, ``q1``, ``q3`` (quartiles by linear
        interpolation, R's ``quantile(type = 7)``), ``iqr`` (q3 - q1), ``n_favourable``,
        ``percent_favourable`` (100 x share strictly above `midpoint`), ``fav_ci_low``,
        ``fav_ci_high`` (Wilson score interval, in percent) and ``confidence``.

    Notes
    -----
    Validated against R 4.2.2 ``mean``, ``sd``, ``t.test``, ``quantile``, ``IQR`` and
    ``prop.test(correct = FALSE)`` to 1e-10 (tests/reference/compare/).
    """
    k = len(levels)
    groups = _table(y, codes, k, confidence, midpoint)
    groups.insert(0, C.GROUP, pd.Series(levels, dtype=object))
    overall = _table(y, np.zeros(len(y), dtype=np.int64), 1, confidence, midpoint)
    overall.insert(0, C.GROUP, OVERALL)
    return groups, overall


def _table(y, codes, k, confidence, midpoint) -> pd.DataFrame:
    n, mean, var = group_moments(y, codes, k)
    sd = np.sqrt(var)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = sd / np.sqrt(n)
        q = stats.t.ppf(0.5 + confidence / 2, n - 1)
    quart = pd.Series(y).groupby(codes).quantile([0.25, 0.5, 0.75]).unstack()
    quart = quart.reindex(range(k))
    out = pd.DataFrame({
        C.N: n.astype(np.int64),
        C.MEAN: mean,
        C.SD: sd,
        C.SE: se,
        C.CI_LOW: mean - q * se,
        C.CI_HIGH: mean + q * se,
        C.MEDIAN: quart[0.5].to_numpy(),
        C.Q1: quart[0.25].to_numpy(),
        C.Q3: quart[0.75].to_numpy(),
    })
    out[C.IQR] = out[C.Q3] - out[C.Q1]
    if midpoint is None:
        fav = np.full(k, np.nan)
        out[C.N_FAVOURABLE] = fav
        out[C.PERCENT_FAVOURABLE] = fav
        out[C.FAV_CI_LOW] = fav
        out[C.FAV_CI_HIGH] = fav
    else:
        nf = np.bincount(codes, weights=(y > midpoint).astype(np.float64), minlength=k)
        lo, hi = wilson_interval(nf, n, confidence)
        out[C.N_FAVOURABLE] = nf.astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[C.PERCENT_FAVOURABLE] = 100 * nf / n
        out[C.FAV_CI_LOW] = 100 * lo
        out[C.FAV_CI_HIGH] = 100 * hi
    out[C.CONFIDENCE] = confidence
    return out
