"""Change between survey waves: per-group change (paired where respondents repeat) and a mixed model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from belonging import _columns as C
from belonging.errors import DataValidationError
from belonging.groups.descriptives import encode_groups, group_moments
from belonging.groups.models import build_design, fit_mixed, fit_ols, mixed_table, term_name
from belonging.groups.tests import hedges_g

__all__ = ["wave_change", "wave_levels", "wave_model"]


def wave_levels(values: pd.Series) -> list:
    """Waves in order: a categorical's category order (observed ones), else sorted values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().unique().tolist())
        return [c for c in values.cat.categories if c in present]
    return sorted(values.dropna().unique().tolist())


def wave_change(frame: pd.DataFrame, *, outcome: str, by: str, wave: str, id_column: str = C.RESPONSE_ID,
                confidence: float = 0.95) -> pd.DataFrame:
    """Change in the outcome per group between consecutive waves.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long data: one row per response and wave, without missing outcome, group or wave.
    outcome, by, wave : str
        Outcome, group and wave columns. Waves follow a categorical's category order, else their
        sorted values (make the column categorical for labels such as "start"/"end").
    id_column : str
        Column identifying a respondent across waves (used only to pair; never output).
    confidence : float

    Returns
    -------
    pandas.DataFrame
        Per group and pair of consecutive waves, up to two rows: ``method`` "paired" (respondents
        who answered both waves, grouped by their group at the earlier wave) and "independent" (all
        responses of the two waves). Columns ``group``, ``wave_from``, ``wave_to``, ``method``,
        ``n`` (pairs, or responses in both waves together), ``change`` (later minus earlier),
        ``sd_change`` (paired only), ``ci_low``, ``ci_high``, ``statistic`` (t), ``df``, ``p_value``,
        ``effect_measure`` ("d_z" or "hedges_g"), ``effect_size``, ``es_ci_low``, ``es_ci_high``,
        ``confidence``.

    Raises
    ------
    DataValidationError
        A respondent appears twice in the same wave.

    Notes
    -----
    Paired: a paired t interval of the mean change (R ``t.test(paired = TRUE)``, validated to
    1e-10) and :math:`d_z = \\bar\\Delta / s_\\Delta` with the normal interval
    :math:`SE = \\sqrt{1/n + d_z^2/(2n)}` (not checked against another package). Independent: the
    Welch difference and Hedges' g of :func:`belonging.groups.tests.pairwise`.
    """
    levels_w = wave_levels(frame[wave])
    if id_column in frame.columns:
        dup = frame.duplicated([wave, id_column])
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            msg = (f"respondent {frame[id_column].iloc[i]!r} appears more than once in wave "
                   f"{frame[wave].iloc[i]!r} (row {i + 1}); keep one response per respondent and wave")
            raise DataValidationError(msg)
    codes_all, levels = encode_groups(frame[by])
    k = len(levels)
    z = stats.norm.ppf(0.5 + confidence / 2)
    parts = []
    wv = frame[wave].to_numpy()
    y_all = frame[outcome].to_numpy(dtype=np.float64)
    for w0, w1 in zip(levels_w[:-1], levels_w[1:]):
        if id_column in frame.columns:
            a = frame.loc[wv == w0, [id_column, outcome]].assign(_code=codes_all[wv == w0])
            b = frame.loc[wv == w1, [id_column, outcome]]
            m = a.merge(b, on=id_column, suffixes=("_0", "_1"))
            if len(m):
                delta = (m[outcome + "_1"] - m[outcome + "_0"]).to_numpy(dtype=np.float64)
                n, mean, var = group_moments(delta, m["_code"].to_numpy(), k)
                sd = np.sqrt(var)
                with np.errstate(invalid="ignore", divide="ignore"):
                    se = sd / np.sqrt(n)
                    tq = stats.t.ppf(0.5 + confidence / 2, n - 1)
                    t = mean / se
                    dz = mean / sd
                    se_d = np.sqrt(1 / n + dz * dz / (2 * n))
                keep = n > 0
                with np.errstate(invalid="ignore", divide="ignore"):
                    lo_d, hi_d = dz - z * se_d, dz + z * se_d
                parts.append(pd.DataFrame({
                    C.GROUP: pd.Series(levels, dtype=object), C.WAVE_FROM: w0, C.WAVE_TO: w1, C.METHOD: "paired",
                    C.N: n.astype(np.int64), C.CHANGE: mean, C.SD_CHANGE: sd,
                    C.CI_LOW: mean - tq * se, C.CI_HIGH: mean + tq * se, C.STATISTIC: t, C.DF: n - 1,
                    C.P_VALUE: 2 * stats.t.sf(np.abs(t), n - 1), C.EFFECT_MEASURE: "d_z", C.EFFECT_SIZE: dz,
                    C.ES_CI_LOW: lo_d, C.ES_CI_HIGH: hi_d,
                })[keep])
        n0, m0, v0 = group_moments(y_all[wv == w0], codes_all[wv == w0], k)
        n1, m1, v1 = group_moments(y_all[wv == w1], codes_all[wv == w1], k)
        diff = m1 - m0
        with np.errstate(invalid="ignore", divide="ignore"):
            se2 = v0 / n0 + v1 / n1
            dfw = se2**2 / ((v0 / n0) ** 2 / (n0 - 1) + (v1 / n1) ** 2 / (n1 - 1))
            t = diff / np.sqrt(se2)
            tq = stats.t.ppf(0.5 + confidence / 2, dfw)
            g, g_lo, g_hi = hedges_g(diff, n1, n0, v1, v0, confidence)
        keep = (n0 > 0) & (n1 > 0)
        parts.append(pd.DataFrame({
            C.GROUP: pd.Series(levels, dtype=object), C.WAVE_FROM: w0, C.WAVE_TO: w1, C.METHOD: "independent",
            C.N: (n0 + n1).astype(np.int64), C.CHANGE: diff, C.SD_CHANGE: np.nan,
            C.CI_LOW: diff - tq * np.sqrt(se2), C.CI_HIGH: diff + tq * np.sqrt(se2), C.STATISTIC: t, C.DF: dfw,
            C.P_VALUE: 2 * stats.t.sf(np.abs(t), dfw), C.EFFECT_MEASURE: "hedges_g", C.EFFECT_SIZE: g,
            C.ES_CI_LOW: g_lo, C.ES_CI_HIGH: g_hi,
        })[keep])
    cols = [C.GROUP, C.WAVE_FROM, C.WAVE_TO, C.METHOD, C.N, C.CHANGE, C.SD_CHANGE, C.CI_LOW, C.CI_HIGH,
            C.STATISTIC, C.DF, C.P_VALUE, C.EFFECT_MEASURE, C.EFFECT_SIZE, C.ES_CI_LOW, C.ES_CI_HIGH]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    out = out[cols].sort_values([C.WAVE_FROM, C.METHOD, C.GROUP], kind="stable", key=None).reset_index(drop=True)
    out[C.CONFIDENCE] = confidence
    return out


def wave_model(frame: pd.DataFrame, *, outcome: str, by: str, wave: str, id_column: str = C.RESPONSE_ID,
               confidence: float = 0.95) -> tuple[pd.DataFrame, dict]:
    """Mixed model ``outcome ~ group * wave`` with a random intercept per respondent (REML).

    Returns
    -------
    table : pandas.DataFrame
        Fixed effects as :func:`belonging.groups.models.mixed_table` (terms ``intercept``,
        ``by[level]``, ``wave[w]``, ``by[level]:wave[w]``; first group and first wave are the
        references). The interaction terms are the differences in change between groups.
    variance : dict
        ``tau2`` (between respondents), ``sigma2`` (within), ``icc``, ``n_clusters`` (respondents).
        Empty when no respondent appears twice (no `id_column`, or ids that never repeat): the
        person intercept is then not identified and the table is an OLS fit with HC3 SEs.

    Notes
    -----
    Fitted by :func:`belonging.groups.models.fit_mixed`; validated against R
    ``nlme::lme(y ~ mode * factor(wave), random = ~ 1 | id, method = "REML")`` to 1e-6.
    """
    codes, levels = encode_groups(frame[by])
    wlevels = wave_levels(frame[wave])
    wcodes = pd.Categorical(frame[wave], categories=wlevels).codes.astype(np.int64)
    extra = []
    for j, wl in enumerate(wlevels[1:], start=1):
        extra.append((term_name(wave, wl), (wcodes == j).astype(np.float64)))
    for j, wl in enumerate(wlevels[1:], start=1):
        for i, gl in enumerate(levels[1:], start=1):
            extra.append((f"{term_name(by, gl)}:{term_name(wave, wl)}", ((codes == i) & (wcodes == j)).astype(np.float64)))
    design = build_design(frame, by=by, levels=levels, codes=codes, covariates=[], extra=extra)
    y = frame[outcome].to_numpy(dtype=np.float64)
    person = pd.factorize(frame[id_column])[0] if id_column in frame.columns else np.arange(len(frame))
    if len(person) == 0 or np.bincount(person).max() < 2:
        # nobody answered twice: a person intercept is not identified, so the model is OLS (HC3)
        table, _, _, _ = fit_ols(design.x, y, design.names, confidence=confidence)
        return table, {}
    fit = fit_mixed(design.x, y, design.names, person)
    variance = {C.TAU2: fit.tau2, C.SIGMA2: fit.sigma2, C.ICC: fit.icc, C.N_CLUSTERS: fit.n_clusters}
    return mixed_table(fit, confidence), variance
