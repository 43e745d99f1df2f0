"""Association of belonging with participation measures: standardized coefficients and partial r."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from belonging import _columns as C
from belonging._validation import check_columns
from belonging.errors import DataValidationError, UsageError
from belonging.groups.models import build_design, fit_ols

__all__ = ["participation"]


def _as_numbers(column, name: str):
    """`column` as numbers: numeric as it is; text only when every non-empty cell is a number (an
    export's answer column read as text, e.g. a Qualtrics count question)."""
    if pd.api.types.is_numeric_dtype(column):
        return column
    text = column.astype("string").str.strip().replace("", pd.NA)
    values = pd.to_numeric(text, errors="coerce")
    if bool((values.isna() & text.notna()).any()):
        msg = f"`measures`: column {name!r} is not numeric; participation measures must be counts or hours"
        raise UsageError(msg)
    return values.astype("float64")


def participation(data, *, outcome: str, measures, covariates=None, cluster: str | None = None,
                  confidence: float = 0.95) -> pd.DataFrame:
    """Standardized association of the outcome with each participation measure, adjusted for the rest.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per response.
    outcome : str
        Outcome column (e.g. a belonging score).
    measures : list of str
        Numeric participation measures (forum posts, breakout sessions, live hours ...), entered
        together in one model.
    covariates : list of str, optional
        Control variables (numeric as they are, others dummy coded); not standardized.
    cluster : str, optional
        Nesting unit (e.g. course section): cluster-robust SEs instead of HC3.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure``, ``n``, ``beta`` (standardized coefficient: change in
        outcome SDs per SD of the measure, the other measures and covariates held constant),
        ``se``, ``statistic`` (t), ``df``, ``p_value``, ``ci_low``, ``ci_high`` (robust SE, t
        interval), ``partial_r``, ``r_ci_low``, ``r_ci_high``, ``se_method`` and ``confidence``.

    Raises
    ------
    UsageError
        A column is missing or a measure is not numeric.
    DataValidationError
        Too few complete rows, or a measure is constant.

    Notes
    -----
    Rows with a missing value in any used column are dropped (listwise). The outcome and the
    measures are z-scored on those rows (SD with the n - 1 divisor) and regressed together with the
    covariates by OLS; SEs are HC3, or CR1 cluster-robust with G - 1 df when `cluster` is given (see
    :func:`belonging.groups.models.fit_ols`). The partial correlation of the outcome with a measure
    controlling for everything else in the model is :math:`r = t/\\sqrt{t^2 + (n - p)}` from the
    classical (non-robust) t; its interval is Fisher's z with :math:`SE = 1/\\sqrt{n - 3 - q}`,
    q the number of variables partialled out. Validated against R ``lm`` on ``scale()``-d
    variables with ``sandwich::vcovHC(type = "HC3")`` and partial r from residual correlations to
    1e-8 (tests/reference/compare/).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> rng = np.random.default_rng(9)
    >>> data = pd.DataFrame({"forum_posts": rng.poisson(3, 500), "live_hours": rng.gamma(2.0, 2.0, 500)})
    >>> data["belonging"] = 40 + 1.0 * data["forum_posts"] + rng.normal(0, 5, 500)
    >>> table = bl.participation(data, outcome="belonging", measures=["forum_posts", "live_hours"])
    >>> print(table[["measure", "n", "beta", "ci_low", "ci_high", "partial_r"]].round(2).to_string(index=False))
        measure   n  beta  ci_low  ci_high  partial_r
    forum_posts 500  0.32    0.24     0.40       0.32
     live_hours 500  0.00   -0.08     0.09       0.00
    """
    frame = getattr(data, "data", data)
    measures = [measures] if isinstance(measures, str) else list(measures or [])
    covariates = [covariates] if isinstance(covariates, str) else list(covariates or [])
    if not measures:
        msg = "`measures`: name at least one participation column (e.g. forum_posts)"
        raise UsageError(msg)
    used = [outcome, *measures, *covariates, *([cluster] if cluster else [])]
    check_columns(frame, used, "participation")
    numbers = {m: _as_numbers(frame[m], m) for m in [outcome, *measures]}
    sub = frame[used].assign(**numbers).dropna()
    n = len(sub)
    p = 1 + len(measures) + len(covariates)
    if n < p + 3:
        msg = f"participation: only {n} complete row(s) for {p} model terms; need at least {p + 3}"
        raise DataValidationError(msg)

    def z(col):
        v = sub[col].to_numpy(dtype=np.float64)
        sd = v.std(ddof=1)
        if not sd > 0:
            msg = f"participation: column {col!r} is constant in the complete rows; it cannot be standardized"
            raise DataValidationError(msg)
        return (v - v.mean()) / sd

    y = z(outcome)
    design = build_design(sub, by="", levels=[None], codes=np.zeros(n, dtype=np.int64), covariates=[],
                          extra=[(m, z(m)) for m in measures])
    cov_design = build_design(sub, by="", levels=[None], codes=np.zeros(n, dtype=np.int64), covariates=covariates)
    x = np.column_stack([design.x, cov_design.x[:, 1:]])
    names = design.names + cov_design.names[1:]
    codes = pd.factorize(sub[cluster])[0] if cluster else None
    table, beta, _, _ = fit_ols(x, y, names, cluster=codes, confidence=confidence)
    # classical t for the partial correlations
    q_, r_ = np.linalg.qr(x)
    e = y - x @ beta
    dfr = n - x.shape[1]
    s2 = float(e @ e) / dfr
    rinv = np.linalg.inv(r_)
    se_cls = np.sqrt(s2 * np.sum(rinv * rinv, axis=1))
    t_cls = beta / se_cls
    pr = t_cls / np.sqrt(t_cls**2 + dfr)
    zq = stats.norm.ppf(0.5 + confidence / 2)
    se_z = 1 / np.sqrt(n - 3 - (x.shape[1] - 2))
    rows = table.iloc[1 : 1 + len(measures)].reset_index(drop=True)
    out = pd.DataFrame({
        C.MEASURE: measures, C.N: n, C.BETA: rows[C.ESTIMATE], C.SE: rows[C.SE],
        C.STATISTIC: rows[C.STATISTIC], C.DF: rows[C.DF], C.P_VALUE: rows[C.P_VALUE],
        C.CI_LOW: rows[C.CI_LOW], C.CI_HIGH: rows[C.CI_HIGH],
    })
    r = pr[1 : 1 + len(measures)]
    out[C.PARTIAL_R] = r
    out[C.R_CI_LOW] = np.tanh(np.arctanh(r) - zq * se_z)
    out[C.R_CI_HIGH] = np.tanh(np.arctanh(r) + zq * se_z)
    out[C.SE_METHOD] = rows[C.SE_METHOD]
    out[C.CONFIDENCE] = confidence
    return out
