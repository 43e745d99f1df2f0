"""Omnibus tests (Welch's ANOVA, classic ANOVA, Kruskal-Wallis) and pairwise comparisons.

Everything is computed from per-group sums and from value counts per group, so time and memory grow
linearly with the number of respondents (ranks come from one sort; Mann-Whitney U from counts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from belonging import _columns as C
from belonging._validation import check_choice
from belonging.groups._range import range_ppf, range_sf
from belonging.groups.descriptives import group_moments

__all__ = ["CORRECTIONS", "POSTHOCS", "TESTS", "ncf_interval", "omnibus", "p_adjust", "pairwise"]

CORRECTIONS = {"holm": "holm", "bh": "bh", "bonferroni": "bonferroni", "none": None}
POSTHOCS = ("games-howell", "tukey", "none")
#: Which tests compare() and its helpers run: every test, or the rank-based ones alone.
TESTS = ("all", "rank")


def ncf_interval(f: float, df1: float, df2: float, confidence: float) -> tuple[float, float]:
    """Confidence interval of the noncentrality of an F statistic, by inverting ``ncf.cdf``.

    The lower (upper) bound is the noncentrality at which the observed `f` is the
    ``(1 + confidence) / 2`` (``(1 - confidence) / 2``) quantile; a bound is 0 when even the central
    F puts `f` below that quantile (Steiger, 2004).
    """
    if not np.isfinite(f):
        return np.nan, np.nan

    def cdf(lam):
        return stats.f.cdf(f, df1, df2) if lam == 0 else stats.ncf.cdf(f, df1, df2, lam)

    def solve(p):
        if cdf(0.0) <= p:
            return 0.0
        hi = max(10.0, f * df1 * 2)
        while cdf(hi) > p:
            hi *= 2
            if hi > 1e12:
                return np.nan
        return optimize.brentq(lambda lam: cdf(lam) - p, 0.0, hi, xtol=1e-12, rtol=1e-13, maxiter=500)

    return solve(0.5 + confidence / 2), solve(0.5 - confidence / 2)


def _pve_interval(f, df1, df2, n_total, confidence):
    lo, hi = ncf_interval(f, df1, df2, confidence)
    return lo / (lo + n_total), hi / (hi + n_total)


def omnibus(y: np.ndarray, codes: np.ndarray, levels: list, *, confidence: float = 0.95,
            tests: str = "all") -> pd.DataFrame:
    """Welch's ANOVA, classic one-way ANOVA and the Kruskal-Wallis test, each with an effect size.

    Parameters
    ----------
    y : numpy.ndarray
        Outcome without missing values.
    codes : numpy.ndarray
        Group code of each value (every group with n >= 2).
    levels : list
        Group labels.
    confidence : float
        Confidence level of the effect-size intervals.
    tests : {"all", "rank"}
        All three tests, or the Kruskal-Wallis test alone.

    Returns
    -------
    pandas.DataFrame
        One row per test (``welch_anova``, ``anova``, ``kruskal_wallis``; only the last with
        ``tests="rank"``) with ``test``,
        ``statistic`` (F, F, H), ``df1``, ``df2`` (missing for Kruskal-Wallis), ``p_value``,
        ``effect_measure``, ``effect_size``, ``es_ci_low``, ``es_ci_high``, ``omega_squared``,
        ``omega_ci_low``, ``omega_ci_high``, ``n`` and ``confidence``.

    Notes
    -----
    Welch (1951): with :math:`w_j = n_j / s_j^2`, :math:`W = \\sum w_j` and
    :math:`\\tilde m = \\sum w_j \\bar y_j / W`,
    :math:`F = \\frac{\\sum w_j (\\bar y_j - \\tilde m)^2 / (k-1)}{1 + \\frac{2(k-2)}{k^2-1}\\Lambda}`,
    :math:`\\Lambda = \\sum (1 - w_j/W)^2/(n_j-1)`, df :math:`(k-1, (k^2-1)/(3\\Lambda))`.
    Kruskal-Wallis H uses midranks with the tie correction.

    Undefined statistics are NaN, never infinite: Welch's F when a group has no spread (a weight
    :math:`n_j/s_j^2` would be infinite), the ANOVA F when no group has any (:math:`MS_w = 0`), H
    when every value is tied. :func:`belonging.compare` says which, in its ``warnings``.

    Effect sizes: :math:`\\eta^2 = SS_b / SS_t` and
    :math:`\\omega^2 = (SS_b - (k-1) MS_w)/(SS_t + MS_w)` for both ANOVA rows (the Welch row
    repeats them: they describe the sample, not the test). Their interval is the interval of the
    population proportion of variance explained, which both estimate: the noncentrality
    :math:`\\lambda` of the classic F is bounded by inverting the noncentral F
    (``scipy.stats.ncf``) and mapped to :math:`\\lambda / (\\lambda + N)` (Steiger, 2004). For
    Kruskal-Wallis the effect size is :math:`\\varepsilon^2 = H/(N-1)`, which equals
    :math:`\\eta^2` of the midranks; its interval applies the same inversion to the F of a one-way
    ANOVA on the midranks.

    Validated against R 4.2.2 ``oneway.test`` (both forms), ``aov`` and ``kruskal.test``
    (statistics and p-values to 1e-8); the intervals against the same inversion done with R's
    ``pf(ncp =)`` and ``uniroot`` (tests/reference/compare/).

    References
    ----------
    1. Welch, B. L. (1951). On the comparison of several mean values. Biometrika, 38, 330-336.
    2. Steiger, J. H. (2004). Beyond the F test. Psychological Methods, 9(2), 164-182.
    """
    check_choice(tests, "tests", TESTS)
    k = len(levels)
    n, mean, var = group_moments(y, codes, k)
    n_total = float(n.sum())
    df1, df2 = k - 1.0, n_total - k
    rows = [] if tests == "rank" else _anova_rows(y, n, mean, var, df1, df2, confidence)
    h, eps2, r_lo, r_hi = _kruskal(y, codes, n, df1, df2, confidence)
    rows.append(("kruskal_wallis", h, df1, np.nan, stats.chi2.sf(h, df1), "epsilon_squared", eps2, r_lo, r_hi, np.nan))
    out = pd.DataFrame(rows, columns=[C.TEST, C.STATISTIC, C.DF1, C.DF2, C.P_VALUE, C.EFFECT_MEASURE,
                                      C.EFFECT_SIZE, C.ES_CI_LOW, C.ES_CI_HIGH, C.OMEGA_SQUARED])
    # omega-squared shares the interval of eta-squared (both ANOVA rows); none for Kruskal-Wallis
    out[C.OMEGA_CI_LOW] = out[C.ES_CI_LOW].where(out[C.TEST] != "kruskal_wallis")
    out[C.OMEGA_CI_HIGH] = out[C.ES_CI_HIGH].where(out[C.TEST] != "kruskal_wallis")
    out[C.N] = int(n_total)
    out[C.CONFIDENCE] = confidence
    return out


def _anova_rows(y, n, mean, var, df1, df2, confidence):
    """The Welch and classic ANOVA rows of :func:`omnibus` (NaN where a variance makes them undefined)."""
    k = len(n)
    n_total = float(n.sum())
    grand = float(y.mean())
    ssb = float(np.sum(n * (mean - grand) ** 2))
    ssw = float(np.sum((n - 1) * var))
    msw = ssw / df2
    defined = msw > 0
    f_classic = (ssb / df1) / msw if defined else np.nan
    eta2 = ssb / (ssb + ssw) if defined else np.nan
    omega2 = (ssb - df1 * msw) / (ssb + ssw + msw) if defined else np.nan
    es_lo, es_hi = _pve_interval(f_classic, df1, df2, n_total, confidence)
    if np.all(var > 0):
        w = n / var
        wsum = w.sum()
        mw = np.sum(w * mean) / wsum
        lam = np.sum((1 - w / wsum) ** 2 / (n - 1))
        f_welch = (np.sum(w * (mean - mw) ** 2) / df1) / (1 + 2 * (k - 2) / (k * k - 1) * lam)
        df2_welch = (k * k - 1) / (3 * lam)
    else:  # a group without spread: its weight n / s^2 is infinite
        f_welch = df2_welch = np.nan
    return [
        ("welch_anova", f_welch, df1, df2_welch, stats.f.sf(f_welch, df1, df2_welch), "eta_squared", eta2, es_lo, es_hi, omega2),
        ("anova", f_classic, df1, df2, stats.f.sf(f_classic, df1, df2), "eta_squared", eta2, es_lo, es_hi, omega2),
    ]


def _kruskal(y, codes, n, df1, df2, confidence):
    """Kruskal-Wallis H, epsilon-squared and its interval (NaN when every value is tied)."""
    k = len(n)
    n_total = float(n.sum())
    ranks = stats.rankdata(y)
    _, ties = np.unique(y, return_counts=True)
    tie_sum = float(np.sum(ties.astype(np.float64) ** 3 - ties))
    rsum = np.bincount(codes, weights=ranks, minlength=k)
    tied = n_total**3 - n_total - tie_sum  # 0 when every value is the same
    if not tied > 0:
        return np.nan, np.nan, np.nan, np.nan
    h = 12.0 / (n_total * (n_total + 1)) * np.sum(rsum**2 / n) - 3 * (n_total + 1)
    h /= tied / (n_total**3 - n_total)
    sst_r = tied / 12.0
    ssb_r = float(np.sum(n * (rsum / n - (n_total + 1) / 2) ** 2))
    within = sst_r - ssb_r
    f_rank = (ssb_r / df1) / (within / df2) if within > 0 else np.nan
    eps2 = h / (n_total - 1)
    r_lo, r_hi = _pve_interval(f_rank, df1, df2, n_total, confidence)
    return h, eps2, r_lo, r_hi


def _adjust(p: np.ndarray, correction: str) -> np.ndarray:
    method = CORRECTIONS[correction]
    if method is None or len(p) == 0:
        return p.copy()
    ok = np.isfinite(p)
    out = np.full_like(p, np.nan)
    if ok.any():
        out[ok] = p_adjust(p[ok], method)
    return out


def p_adjust(p: np.ndarray, method: str) -> np.ndarray:
    """Holm, Bonferroni or Benjamini-Hochberg adjusted p-values, as R's ``p.adjust``.

    Written out (a sort and a cumulative maximum or minimum) rather than taken from statsmodels'
    ``multipletests``, which runs a full ``gc.collect()`` on every call: a report makes hundreds
    of comparisons in a process holding many objects. Checked against R ``p.adjust`` in
    tests/reference/compare (``p_holm``, ``p_bh``, ``mw_p_holm``).

    Examples
    --------
    >>> import numpy as np
    >>> from belonging.groups.tests import p_adjust
    >>> p_adjust(np.array([0.01, 0.04, 0.03]), "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> p_adjust(np.array([0.01, 0.04, 0.03]), "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=np.float64)
    m = p.size
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    if method == "holm":  # step-down: max over i <= j of (m - i + 1) p_(i)
        order = np.argsort(p, kind="stable")
        adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    elif method == "bh":  # step-up: min over i >= j of m / i p_(i)
        order = np.argsort(p, kind="stable")[::-1]
        adj = np.minimum.accumulate(m / np.arange(m, 0, -1) * p[order])
    else:
        msg = f"`method` must be one of: 'holm', 'bh', 'bonferroni'; got {method!r}"
        raise ValueError(msg)
    out = np.empty(m)
    out[order] = np.minimum(1.0, adj)
    return out


def hedges_g(diff, n_a, n_b, var_a, var_b, confidence):
    """Hedges' g with the exact small-sample factor J and the Hedges & Olkin (1985) normal CI."""
    dfp = n_a + n_b - 2
    sp = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / dfp)
    j = np.exp(special.gammaln(dfp / 2) - special.gammaln((dfp - 1) / 2)) / np.sqrt(dfp / 2)
    g = j * diff / sp
    se = np.sqrt((n_a + n_b) / (n_a * n_b) + g * g / (2 * (n_a + n_b)))
    z = stats.norm.ppf(0.5 + confidence / 2)
    return g, g - z * se, g + z * se


def pairwise(y: np.ndarray, codes: np.ndarray, levels: list, *, confidence: float = 0.95,
             correction: str = "holm", posthoc: str = "games-howell", tests: str = "all") -> pd.DataFrame:
    """Every pair of groups: mean difference, Welch t, Games-Howell or Tukey, Hedges' g, Mann-Whitney.

    Parameters
    ----------
    y, codes, levels
        Outcome, group codes and labels, as for :func:`omnibus`.
    confidence : float
        Confidence level of every interval.
    correction : {"holm", "bh", "bonferroni", "none"}
        Adjustment of the Welch and Mann-Whitney p-values over the pairs (:func:`p_adjust`; "bh" is
        Benjamini-Hochberg).
    posthoc : {"games-howell", "tukey", "none"}
        Simultaneous procedure reported in the ``posthoc_*`` columns ("none": left missing).
    tests : {"all", "rank"}
        Every column, or the rank-based ones alone (the Welch, simultaneous and Hedges' g columns
        are then missing; the difference of means is still given).

    Returns
    -------
    pandas.DataFrame
        One row per pair (a before b in group order): ``group_a``, ``group_b``, ``n_a``, ``n_b``,
        ``mean_a``, ``mean_b``, ``difference`` (mean a - mean b), ``ci_low``, ``ci_high`` (Welch
        interval of the difference, per comparison), ``statistic`` (Welch t), ``df`` (Welch-
        Satterthwaite), ``p_value`` (Welch, two-sided), ``p_adjusted`` (`correction` over pairs),
        ``posthoc``, ``posthoc_ci_low``, ``posthoc_ci_high`` (simultaneous interval),
        ``posthoc_p`` (family-wise p), ``hedges_g``, ``g_ci_low``, ``g_ci_high``, ``mw_u`` (U of
        group a), ``mw_p``, ``mw_p_adjusted``, ``rank_biserial`` (positive when a tends higher),
        ``rb_ci_low``, ``rb_ci_high`` and ``confidence``.

    Notes
    -----
    Games-Howell: :math:`q = |\\bar y_a - \\bar y_b| / \\sqrt{(s_a^2/n_a + s_b^2/n_b)/2}` referred to
    the studentized range with k groups and Welch df; interval
    :math:`d \\pm q_{1-\\alpha}(k, \\nu)/\\sqrt2 \\cdot \\sqrt{s_a^2/n_a + s_b^2/n_b}` (Games &
    Howell, 1976). Tukey HSD uses the pooled MSE with N - k df as R's ``TukeyHSD``.
    Hedges' g: :math:`g = J d`, :math:`d = (\\bar y_a - \\bar y_b)/s_p`,
    :math:`J = \\Gamma(m/2) / (\\sqrt{m/2}\\,\\Gamma((m-1)/2))`, :math:`m = n_a + n_b - 2`; normal
    CI with :math:`SE = \\sqrt{(n_a+n_b)/(n_a n_b) + g^2/(2(n_a+n_b))}` (Hedges & Olkin, 1985).
    Mann-Whitney: normal approximation with tie and continuity corrections (R
    ``wilcox.test(exact = FALSE, correct = TRUE)``); :math:`r_{rb} = 2U/(n_a n_b) - 1` with a
    Fisher-z interval, :math:`SE_z = \\sqrt{(n_a+n_b+1)/(3 n_a n_b)}`. U is computed from value
    counts per group (one sort), never from a matrix over respondents.

    Validated against R 4.2.2 ``t.test``, ``TukeyHSD``, ``wilcox.test``, ``p.adjust`` and
    ``ptukey``/``qtukey`` implementations of the formulas above (tests/reference/compare/).

    References
    ----------
    1. Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with unequal
       n's and/or variances. Journal of Educational Statistics, 1(2), 113-125.
    2. Hedges, L. V., & Olkin, I. (1985). Statistical Methods for Meta-Analysis. Academic Press.
    3. Kerby, D. S. (2014). The simple difference formula. Comprehensive Psychology, 3, 11.IT.3.1.
    """
    check_choice(correction, "correction", CORRECTIONS)
    check_choice(posthoc, "posthoc", POSTHOCS)
    check_choice(tests, "tests", TESTS)
    k = len(levels)
    n, mean, var = group_moments(y, codes, k)
    ia, ib = np.triu_indices(k, 1)
    na, nb = n[ia], n[ib]
    diff = mean[ia] - mean[ib]
    nan = np.full(len(ia), np.nan)
    mean_based = {c: nan for c in (C.CI_LOW, C.CI_HIGH, C.STATISTIC, C.DF, C.P_VALUE, C.POSTHOC_CI_LOW,
                                  C.POSTHOC_CI_HIGH, C.POSTHOC_P, C.HEDGES_G, C.G_CI_LOW, C.G_CI_HIGH)}
    if tests == "all":
        mean_based = _mean_based(n, mean, var, ia, ib, confidence=confidence, posthoc=posthoc)
    u, mw_p = _mann_whitney(y, codes, k, ia, ib)
    rb = 2 * u / (na * nb) - 1
    z = stats.norm.ppf(0.5 + confidence / 2)
    se_z = np.sqrt((na + nb + 1) / (3 * na * nb))
    with np.errstate(divide="ignore", invalid="ignore"):
        zr = np.arctanh(rb)
    out = pd.DataFrame({
        C.GROUP_A: pd.Series([levels[i] for i in ia], dtype=object),
        C.GROUP_B: pd.Series([levels[i] for i in ib], dtype=object),
        C.N_A: na.astype(np.int64), C.N_B: nb.astype(np.int64),
        C.MEAN_A: mean[ia], C.MEAN_B: mean[ib], C.DIFFERENCE: diff,
        C.CI_LOW: mean_based[C.CI_LOW], C.CI_HIGH: mean_based[C.CI_HIGH], C.STATISTIC: mean_based[C.STATISTIC],
        C.DF: mean_based[C.DF], C.P_VALUE: mean_based[C.P_VALUE],
        C.P_ADJUSTED: _adjust(mean_based[C.P_VALUE], correction), C.POSTHOC: posthoc,
        **{c: mean_based[c] for c in (C.POSTHOC_CI_LOW, C.POSTHOC_CI_HIGH, C.POSTHOC_P, C.HEDGES_G, C.G_CI_LOW,
                                      C.G_CI_HIGH)},
        C.MW_U: u, C.MW_P: mw_p, C.MW_P_ADJUSTED: _adjust(mw_p, correction),
        C.RANK_BISERIAL: rb, C.RB_CI_LOW: np.tanh(zr - z * se_z), C.RB_CI_HIGH: np.tanh(zr + z * se_z),
    })
    out[C.CONFIDENCE] = confidence
    return out


def _mean_based(n, mean, var, ia, ib, *, confidence, posthoc) -> dict:
    """Welch t and interval, the simultaneous procedure and Hedges' g of each pair (NaN where undefined).

    A pair whose two groups both lack spread has no standard error: Welch, Games-Howell and Hedges'
    g are missing for it (R's ``t.test``: "data are essentially constant"); Tukey needs spread in
    some group.
    """
    k = len(n)
    na, nb, va, vb = n[ia], n[ib], var[ia], var[ib]
    diff = mean[ia] - mean[ib]
    ok = (va > 0) | (vb > 0)
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        se2 = np.where(ok, va / na + vb / nb, np.nan)
        se = np.sqrt(se2)
        dfw = se2**2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
        t = diff / se
    tq = stats.t.ppf(0.5 + confidence / 2, dfw)
    out[C.CI_LOW], out[C.CI_HIGH] = diff - tq * se, diff + tq * se
    out[C.STATISTIC], out[C.DF], out[C.P_VALUE] = t, dfw, 2 * stats.t.sf(np.abs(t), dfw)
    if posthoc == "none":  # the caller shows no simultaneous procedure
        ph_p = half = np.full(len(ia), np.nan)
    elif posthoc == "games-howell":
        q = np.abs(diff) / np.sqrt(se2 / 2)
        ph_p = np.array([range_sf(qq, k, d)[0] if good else np.nan for qq, d, good in zip(q, dfw, ok)])
        half = np.array([range_ppf(confidence, k, d) if good else np.nan for d, good in zip(dfw, ok)]) / np.sqrt(2) * se
    else:
        df_e = float(n.sum() - k)
        mse = float(np.sum((n - 1) * var)) / df_e
        if mse > 0:
            se_t = np.sqrt(mse / 2 * (1 / na + 1 / nb))
            ph_p = range_sf(np.abs(diff) / se_t, k, df_e)
            half = range_ppf(confidence, k, df_e) * se_t
        else:
            ph_p = half = np.full(len(ia), np.nan)
    out[C.POSTHOC_CI_LOW], out[C.POSTHOC_CI_HIGH], out[C.POSTHOC_P] = diff - half, diff + half, ph_p
    with np.errstate(divide="ignore", invalid="ignore"):
        g, g_lo, g_hi = hedges_g(diff, na, nb, va, vb, confidence)
    out[C.HEDGES_G], out[C.G_CI_LOW], out[C.G_CI_HIGH] = (np.where(ok, x, np.nan) for x in (g, g_lo, g_hi))
    return out


def _mann_whitney(y, codes, k, ia, ib):
    """U of the first group and the two-sided p of each pair, from sorted value counts per group.

    Each group's distinct values and counts come from one sort of the data by (group, value); a pair
    then needs only its two groups' distinct values, so memory and time stay linear in respondents
    whatever the number of groups.
    """
    order = np.lexsort((y, codes))
    ys, cs = y[order], codes[order]
    new = np.ones(len(ys), dtype=bool)
    new[1:] = (ys[1:] != ys[:-1]) | (cs[1:] != cs[:-1])
    starts = np.flatnonzero(new)
    vals, grp = ys[starts], cs[starts]
    cnt = np.diff(np.append(starts, len(ys))).astype(np.float64)
    bounds = np.searchsorted(grp, np.arange(k + 1))
    u = np.empty(len(ia))
    p = np.empty(len(ia))
    for j, (a, b) in enumerate(zip(ia, ib)):  # one step per pair of groups
        va, ca = vals[bounds[a]:bounds[a + 1]], cnt[bounds[a]:bounds[a + 1]]
        vb, cb = vals[bounds[b]:bounds[b + 1]], cnt[bounds[b]:bounds[b + 1]]
        cum_b = np.concatenate([[0.0], np.cumsum(cb)])
        lo = cum_b[np.searchsorted(vb, va, side="left")]  # b values below each a value
        hi = cum_b[np.searchsorted(vb, va, side="right")]  # ... below or equal
        u[j] = float(np.sum(ca * (lo + 0.5 * (hi - lo))))
        na, nb = ca.sum(), cb.sum()
        nn = na + nb
        # tie sizes of the pooled pair: counts of the same value in a and b add up
        both = np.concatenate([va, vb])
        w = np.concatenate([ca, cb])
        srt = np.argsort(both, kind="stable")
        both, w = both[srt], w[srt]
        run = np.ones(len(both), dtype=bool)
        run[1:] = both[1:] != both[:-1]
        t = np.add.reduceat(w, np.flatnonzero(run))
        tie = float(np.sum(t**3 - t))
        sigma = np.sqrt(na * nb / 12 * ((nn + 1) - tie / (nn * (nn - 1))))
        if not sigma > 0:  # every value of the pair tied: U carries no information
            p[j] = np.nan
            continue
        zc = u[j] - na * nb / 2
        zc = (zc - np.sign(zc) * 0.5) / sigma
        p[j] = 2 * min(stats.norm.cdf(zc), stats.norm.sf(zc))
    return u, p
