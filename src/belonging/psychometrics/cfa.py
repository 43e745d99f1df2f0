"""Confirmatory factor analysis by maximum likelihood, single- and multi-group, verified against lavaan."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import NamedTuple

from belonging import _columns as C
from belonging._validation import check_choice, check_columns
from belonging.diagnostics import Diagnostic, summary_lines, warnings_html
from belonging.errors import DataValidationError, UsageError
from belonging.psychometrics._cfa_checks import fit_warnings, vcov_or_none

__all__ = ["CFAResult", "cfa"]  # prepare, fit_model and Prepared are shared with invariance, not user API

logger = logging.getLogger(__name__)

_ESTIMATE_COLUMNS = (C.GROUP, C.LHS, C.OP, C.RHS, C.ESTIMATE, C.SE, C.Z, C.P_VALUE, C.STD_ALL, C.FREE)
_FIT_KEYS = (
    C.CHISQ, C.DF, C.P_VALUE, C.CFI, C.TLI, C.RMSEA, C.RMSEA_CI_LOW, C.RMSEA_CI_HIGH, C.SRMR,
    C.AIC, C.BIC, C.LOGLIK, C.NPAR, C.N,
)
_LEVEL_EQUAL = {
    "configural": frozenset(),
    "metric": frozenset({"loadings"}),
    "scalar": frozenset({"loadings", "intercepts"}),
    "strict": frozenset({"loadings", "intercepts", "residuals"}),
}


@dataclass(frozen=True)
class CFAResult:
    """Result of :func:`cfa`.

    Attributes
    ----------
    estimates : pandas.DataFrame
        One row per model parameter (fixed ones included), in lavaan's order within each group:
        ``group`` (group label; missing for a single-group fit), ``lhs``, ``op`` (``=~`` loading,
        ``~~`` (co)variance, ``~1`` intercept or latent mean), ``rhs`` (empty for ``~1``),
        ``estimate``, ``se``, ``z``, ``p_value`` (two-sided, normal), ``std_all`` (completely
        standardised: observed and latent variances set to 1), ``free`` (False for parameters
        fixed for identification; their ``se``, ``z`` and ``p_value`` are NaN).
    fit : dict
        ``chisq``, ``df``, ``p_value``, ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_low``,
        ``rmsea_ci_high`` (90% interval), ``srmr``, ``aic``, ``bic``, ``loglik``, ``npar``, ``n``,
        ``baseline_chisq``, ``baseline_df``.
    structure : dict
        Factor -> tuple of item columns.
    groups : tuple of str
        Group labels in model order (first = reference group); ``("all",)`` without groups.
    n_per_group : dict
        Complete cases used per group.
    n_excluded : int
        Rows left out by listwise deletion (missing item or missing group).
    model : str
        ``"configural"``, ``"metric"``, ``"scalar"`` or ``"strict"`` (cross-group equality
        constraints; ``"configural"`` for a single group).
    std_lv : bool
        Identification by unit factor variances instead of marker loadings.
    converged : bool
        Whether the fit converged as lavaan judges it: a further Fisher-scoring step would lower F
        by at most 1e-10 of F (nlminb's relative criterion, ``rel.tol``) and no element of the
        gradient of F/2 exceeds 1e-3 (lavaan's ``optim.dx.tol``).
    warnings : tuple of Diagnostic
        What qualifies the numbers (:mod:`belonging.diagnostics`): ``not_converged`` (naming the
        group and parameter with the largest gradient), ``heywood`` (a negative residual or factor
        variance, a factor covariance matrix that is not positive definite, or a standardized
        loading above 1 in absolute value; per group), ``singular`` (no standard errors: the
        information matrix cannot be inverted).
    start : str
        The starting values the estimates come from: ``"components"`` (one principal component
        per factor), or, when that fit did not converge, lavaan's ``"default"`` or ``"simple"``.

    Examples
    --------
    A one-factor model of four simulated items (seeded), one row with a missing answer:

    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> rng = np.random.default_rng(1)
    >>> factor = rng.normal(size=(300, 1))
    >>> data = pd.DataFrame(factor * [0.9, 0.8, 0.7, 0.6] + rng.normal(scale=0.6, size=(300, 4)),
    ...                     columns=["q1", "q2", "q3", "q4"])
    >>> data.iloc[0, 3] = np.nan
    >>> res = bl.cfa(data, {"belonging": ["q1", "q2", "q3", "q4"]})
    >>> print(res.summary().splitlines()[0])
    CFA (configural, ML, marker identification) n = 299 in 1 group(s); 1 row(s) excluded listwise
    >>> res.groups, res.n_per_group, res.n_excluded, res.converged
    (('all',), {'all': 299}, 1, True)
    >>> print(res.fit_frame()[["chisq", "df", "p_value", "rmsea", "srmr"]].round(2).to_string(index=False))
     chisq  df  p_value  rmsea  srmr
      3.97   2     0.14   0.06  0.01

    The marker loading (q1) is fixed to 1, so it has no standard error:

    >>> est = res.to_frame()
    >>> print(est[est["op"] == "=~"][["rhs", "estimate", "se", "std_all", "free"]].round(2).to_string(index=False))
    rhs  estimate   se  std_all  free
     q1      1.00  NaN     0.84 False
     q2      0.81 0.06     0.78  True
     q3      0.75 0.06     0.71  True
     q4      0.65 0.05     0.69  True
    """

    estimates: object
    fit: dict
    structure: dict
    groups: tuple
    n_per_group: dict
    n_excluded: int
    model: str
    std_lv: bool
    converged: bool
    warnings: tuple[Diagnostic, ...] = ()
    start: str = "components"
    _state: object = field(default=None, repr=False, compare=False)

    def to_frame(self):
        """The parameter estimates (a copy of :attr:`estimates`)."""
        return self.estimates.copy()

    def fit_frame(self):
        """The fit measures as a one-row DataFrame."""
        import pandas as pd

        return pd.DataFrame([self.fit])

    def summary(self) -> str:
        """Plain-text summary: data, fit measures and the loadings."""
        f = self.fit
        lines = [
            f"CFA ({self.model}, ML, {'std.lv' if self.std_lv else 'marker'} identification)"
            f" n = {f[C.N]} in {len(self.groups)} group(s); {self.n_excluded} row(s) excluded listwise",
            f"chi2({f[C.DF]}) = {f[C.CHISQ]:.3f}, p = {f[C.P_VALUE]:.4g}; CFI = {f[C.CFI]:.3f}, "
            f"TLI = {f[C.TLI]:.3f}, RMSEA = {f[C.RMSEA]:.3f} "
            f"[{f[C.RMSEA_CI_LOW]:.3f}, {f[C.RMSEA_CI_HIGH]:.3f}], SRMR = {f[C.SRMR]:.3f}",
            f"AIC = {f[C.AIC]:.2f}, BIC = {f[C.BIC]:.2f}, npar = {f[C.NPAR]}",
        ]
        lines.extend(summary_lines(self.warnings))
        est = self.estimates
        load = est[est[C.OP] == "=~"]
        cols = [c for c in (C.GROUP, C.LHS, C.RHS, C.ESTIMATE, C.SE, C.STD_ALL) if c != C.GROUP or len(self.groups) > 1]
        lines.append("")
        lines.append(load[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        fit = self.fit_frame()[list(_FIT_KEYS)]
        return (
            f"<p><b>CFA ({escape(self.model)})</b>, n = {self.fit[C.N]}</p>"
            + warnings_html(self.warnings)
            + fit.to_html(index=False, float_format=lambda v: f"{v:.3f}")
            + self.estimates.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="")
        )


# ---- input preparation ----------------------------------------------------------------------


def _structure(structure) -> dict[str, tuple[str, ...]]:
    if hasattr(structure, "structure") and hasattr(structure, "item_ids"):
        return {str(k): tuple(v) for k, v in structure.structure().items()}
    if isinstance(structure, dict) and structure:
        out = {}
        for factor, items in structure.items():
            items = (items,) if isinstance(items, str) else tuple(items)
            if not items:
                msg = f"`structure`: factor {factor!r} has no items; give at least one column per factor"
                raise UsageError(msg)
            out[str(factor)] = items
        return out
    msg = f"`structure` must be an Instrument, a built-in id, a TOML path or a non-empty dict {{factor: [columns]}}; got {type(structure).__name__}"
    raise UsageError(msg)


class Prepared(NamedTuple):
    """Data ready for :func:`fit_model`: the loading pattern, names, per-group statistics, rows left out."""

    pattern: object
    items: list
    factors: list
    groups: list
    n_excluded: int
    structure: dict


def prepare(data, structure, *, group, reverse, estimator, missing) -> Prepared:
    """Validate inputs and return the :class:`Prepared` statistics (shared with :func:`belonging.invariance`)."""
    import numpy as np
    import pandas as pd


    check_choice(estimator, "estimator", ("ML",))
    check_choice(missing, "missing", ("listwise",))
    if isinstance(structure, str | os.PathLike):  # a built-in id or a TOML path, as reliability() takes
        from belonging.instruments import load_instrument

        structure = load_instrument(structure)
    frame = getattr(data, "data", data)
    if not isinstance(frame, pd.DataFrame):
        msg = f"`data` must be a pandas DataFrame (an item frame); got {type(frame).__name__}"
        raise UsageError(msg)
    struct = _structure(structure)
    items = list(dict.fromkeys(i for its in struct.values() for i in its))
    check_columns(frame, items, "structure")
    if group is not None:
        check_columns(frame, [group], "group")
        if group in items:
            msg = f"`group` column {group!r} is also an item of the structure; choose a grouping column"
            raise UsageError(msg)
    if len(items) < 3:
        msg = f"a factor model needs at least 3 items; the structure has {len(items)}"
        raise UsageError(msg)
    factors = list(struct)
    pattern = np.zeros((len(items), len(factors)), dtype=bool)
    pos = {it: j for j, it in enumerate(items)}
    for k, f in enumerate(factors):
        pattern[[pos[i] for i in struct[f]], k] = True
    sub = frame[items]
    if reverse and hasattr(structure, "reverse_items"):
        from belonging.scoring import reverse_items

        sub = reverse_items(sub, structure)
    try:
        x = sub.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        bad = next(c for c in items if not pd.api.types.is_numeric_dtype(frame[c]))
        msg = f"item column {bad!r} is not numeric; map labels to codes first (belonging.item_frame)"
        raise DataValidationError(msg) from None
    keep = ~np.isnan(x).any(axis=1)
    if group is None:
        codes = np.zeros(len(frame), dtype=np.int64)
        labels = ["all"]
    else:
        gcol = frame[group]
        if isinstance(gcol.dtype, pd.CategoricalDtype):
            gcol = gcol.cat.remove_unused_categories()
            codes = gcol.cat.codes.to_numpy().astype(np.int64)
            labels = [str(c) for c in gcol.cat.categories]
        else:
            codes, uniq = pd.factorize(gcol, sort=False)
            labels = [str(u) for u in uniq]
        keep &= codes >= 0
    n_excluded = int((~keep).sum())
    if not keep.any():
        msg = (f"no complete response: every row misses an item{' or the group' if group is not None else ''}; "
               "a factor model needs complete rows")
        raise DataValidationError(msg)
    groups = [_group_stats(x[keep & (codes == g)], label, items, grouped=group is not None)
              for g, label in enumerate(labels)]
    return Prepared(pattern, items, factors, groups, n_excluded, struct)


def _group_stats(xg, label, items, *, grouped):
    """n, means and covariance (denominator n) of one group's complete rows, refusing degenerate data."""
    import numpy as np

    from belonging.psychometrics import _sem

    n = len(xg)
    where = f" in group {label!r}" if grouped else ""
    if n <= len(items):
        msg = (
            f"only {n} complete response(s){where} for {len(items)} items; a factor model needs "
            "more complete responses than items (collect more data or merge groups)"
        )
        raise DataValidationError(msg)
    mean = xg.mean(axis=0)
    cov = np.zeros((len(items), len(items)))
    for start in range(0, n, 200_000):  # chunked to bound memory; not a per-row loop
        xc = xg[start : start + 200_000] - mean
        cov += xc.T @ xc
    cov /= n
    var = np.diag(cov)
    if (var <= 0).any():
        item = items[int(np.flatnonzero(var <= 0)[0])]
        msg = f"item {item!r} has no variance{where} (every answer is the same); drop it from the structure"
        raise DataValidationError(msg)
    if np.linalg.eigvalsh(cov / np.sqrt(np.outer(var, var)))[0] <= 1e-10:
        msg = f"the item covariance matrix{where} is singular (an item is a linear combination of others); drop a redundant item"
        raise DataValidationError(msg)
    return _sem.GroupStats(label, n, mean, cov)


# ---- estimation and tables --------------------------------------------------------------------


def _estimates_frame(table, theta, groups, items, factors, vcov, multi):
    import numpy as np
    import pandas as pd
    from scipy import stats

    from belonging.psychometrics import _sem

    vals = _sem.entry_values(table, theta, table.free)
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    se = np.where(table.free >= 0, se_free[np.maximum(table.free, 0)], np.nan)
    std = np.empty(len(vals))
    for g in range(len(groups)):
        lam, psi, th, nu, al = _sem.matrices(table, vals, g)
        sd_obs = np.sqrt(np.diag(lam @ psi @ lam.T + np.diag(th)))
        sd_lat = np.sqrt(np.clip(np.diag(psi), 1e-300, None))
        sel = table.group == g
        r, c = table.row, table.col
        for kind_id in (_sem.LAMBDA, _sem.PSI, _sem.THETA, _sem.NU, _sem.ALPHA):
            k = sel & (table.kind == kind_id)
            rk, ck = r[k], c[k]
            if kind_id == _sem.LAMBDA:
                scale = sd_lat[ck] / sd_obs[rk]
            elif kind_id == _sem.PSI:
                scale = 1 / (sd_lat[rk] * sd_lat[ck])
            elif kind_id == _sem.THETA:
                scale = 1 / sd_obs[rk] ** 2
            elif kind_id == _sem.NU:
                scale = 1 / sd_obs[rk]
            else:
                scale = 1 / sd_lat[rk]
            std[k] = vals[k] * scale
    kind, row, col = table.kind, table.row, table.col
    names_obs = np.array(items, dtype=object)
    names_lat = np.array(factors, dtype=object)
    lhs = np.empty(len(vals), dtype=object)
    rhs = np.full(len(vals), "", dtype=object)
    op = np.full(len(vals), "~1", dtype=object)
    k = kind == _sem.LAMBDA
    lhs[k], rhs[k], op[k] = names_lat[col[k]], names_obs[row[k]], "=~"
    k = kind == _sem.PSI
    lhs[k], rhs[k], op[k] = names_lat[np.minimum(row[k], col[k])], names_lat[np.maximum(row[k], col[k])], "~~"
    k = kind == _sem.THETA
    lhs[k], rhs[k], op[k] = names_obs[row[k]], names_obs[row[k]], "~~"
    k = kind == _sem.NU
    lhs[k] = names_obs[row[k]]
    k = kind == _sem.ALPHA
    lhs[k] = names_lat[row[k]]
    z = vals / se
    labels = np.array([s.label for s in groups], dtype=object)
    df = pd.DataFrame(
        {
            C.GROUP: labels[table.group] if multi else pd.Series([None] * len(vals), dtype=object),
            C.LHS: lhs,
            C.OP: op,
            C.RHS: rhs,
            C.ESTIMATE: vals,
            C.SE: se,
            C.Z: z,
            C.P_VALUE: 2 * stats.norm.sf(np.abs(z)),
            C.STD_ALL: std,
            C.FREE: table.free >= 0,
        }
    )
    # lavaan's order within a group: loadings, residual variances, factor (co)variances, intercepts, means
    order_kind = np.select([kind == _sem.LAMBDA, kind == _sem.THETA, kind == _sem.PSI, kind == _sem.NU], [0, 1, 2, 3], 4)
    psi_diag = np.where((kind == _sem.PSI) & (table.row != table.col), 1, 0)
    order = np.lexsort((np.arange(len(vals)), psi_diag, order_kind, table.group))
    return df.iloc[order].reset_index(drop=True)


def fit_model(pattern, items, factors, groups, *, std_lv, model, n_excluded, struct) -> CFAResult:
    """Fit one model (``"configural"`` ... ``"strict"``) on :func:`prepare`'s statistics; a :class:`CFAResult`."""
    import numpy as np

    from belonging.psychometrics import _sem

    table = _sem.build_partable(pattern, len(groups), std_lv=std_lv, equal=_LEVEL_EQUAL[model])
    est = _sem.fit_ml(table, groups, pattern)
    if not est.converged:
        logger.info("CFA (%s) did not converge: max |gradient| %.3g", model, est.max_gradient)
    n = sum(s.n for s in groups)
    vcov = vcov_or_none(_sem.information(est.theta, table, groups), n)
    fit = _sem.fit_measures(table, est.theta, est.fmin, groups)
    estimates = _estimates_frame(table, est.theta, groups, items, factors,
                                 np.full((table.n_free, table.n_free), np.nan) if vcov is None else vcov,
                                 len(groups) > 1)
    warnings = fit_warnings(est, table, groups, items, factors, estimates, model=model, vcov=vcov)
    return CFAResult(
        estimates=estimates,
        fit=fit,
        structure=struct,
        groups=tuple(s.label for s in groups),
        n_per_group={s.label: s.n for s in groups},
        n_excluded=n_excluded,
        model=model,
        std_lv=std_lv,
        converged=est.converged,
        warnings=tuple(warnings),
        start=est.start,
        _state=(table, est.theta, groups, items, factors),
    )


def cfa(data, structure, *, group=None, estimator="ML", std_lv=False, missing="listwise", reverse=True):
    """Fit a confirmatory factor model by maximum likelihood, optionally in several groups.

    Parameters
    ----------
    data : pandas.DataFrame
        Item frame: one row per response, item columns as numeric codes (from
        :func:`belonging.item_frame` for raw exports), plus the `group` column if given.
    structure : Instrument, str, path or dict
        An :class:`~belonging.Instrument`, a built-in id such as ``"ccs"`` or the path of a TOML
        definition (its subscales become correlated factors; an instrument without subscales is one
        factor named after the instrument; columns are the item ids), or ``{factor: [columns]}``.
    group : str, optional
        Column defining groups for a multi-group (configural) fit: every parameter is free in every
        group. Groups are ordered as their first appearance in the data (the categories' order for
        a categorical column), as lavaan does; the first is the reference group.
    estimator : {"ML"}
        Maximum likelihood (normal theory).
    std_lv : bool, default False
        Identify each factor by fixing its variance to 1 (all loadings free) instead of fixing its
        first loading to 1 (marker variable, lavaan's default).
    missing : {"listwise"}
        Rows with any missing item (or a missing group) are left out; the count is reported.
    reverse : bool, default True
        When `structure` is an Instrument, recode its reverse-keyed items first
        (:func:`belonging.reverse_items`). Pass False if `data` is already reverse keyed.

    Returns
    -------
    CFAResult
        ``estimates`` (columns ``group``, ``lhs``, ``op``, ``rhs``, ``estimate``, ``se``, ``z``,
        ``p_value``, ``std_all``, ``free``), ``fit`` (chi-square test and fit indices) and the
        data used; see :class:`CFAResult`.

    Raises
    ------
    UsageError
        Unknown option, column not in `data`, bad structure.
    DataValidationError
        Non-numeric items, an item without variance, a singular covariance matrix, or too few
        complete responses in a group.

    Notes
    -----
    The model is :math:`\\Sigma_g = \\Lambda\\Psi_g\\Lambda^\\top + \\Theta_g`,
    :math:`\\mu_g = \\nu_g + \\Lambda\\alpha_g`, with correlated factors, uncorrelated residuals,
    free intercepts (saturated means; latent means fixed to 0) and either marker or unit-variance
    identification. It is fitted from sufficient statistics only: per group the size
    :math:`n_g`, the mean vector :math:`\\bar y_g` and the covariance :math:`S_g` with
    denominator :math:`n_g` (lavaan's ``likelihood = "normal"``), so the cost grows with the number
    of respondents only through one pass over the data. The discrepancy minimised is

    .. math::

        F_{ML} = \\sum_g \\frac{n_g}{n}\\left[\\log|\\Sigma_g| + \\operatorname{tr}(S_g\\Sigma_g^{-1})
        - \\log|S_g| - p + (\\bar y_g - \\mu_g)^\\top\\Sigma_g^{-1}(\\bar y_g - \\mu_g)\\right],

    by L-BFGS-B with the analytic gradient, polished by Fisher-scoring steps. It has converged as
    lavaan judges it when a further Fisher-scoring step would lower F by at most 1e-10 of F (nlminb's
    relative criterion, lavaan's ``rel.tol``) and no gradient element of F/2 exceeds 1e-3 (lavaan's
    ``optim.dx.tol``); otherwise the fit is repeated from lavaan's default starts (FABIN 3 loadings)
    and from its "simple" starts, keeping the first that converges or else the lowest F, and a
    ``not_converged`` warning remains. Heywood cases (negative variances, a factor covariance matrix
    that is not positive definite, |standardized loading| > 1) and a singular information matrix
    are warnings too (see :class:`CFAResult`). The test statistic is
    :math:`\\chi^2 = n F_{ML}` with :math:`df = G\\,p(p+3)/2 - q` (:math:`q` free parameters after
    equality constraints). Standard errors are the square roots of the diagonal of the inverse
    expected information :math:`\\sum_g n_g \\Delta_g^\\top W_g \\Delta_g`, evaluated at the
    model-implied moments (lavaan's ``information = "expected"``, ``h1.information =
    "structured"``).

    Fit indices follow lavaan: the baseline is the independence model with free means and
    variances in each group, :math:`\\chi^2_B = \\sum_g n_g(\\sum_j \\log s_{jj} - \\log|S_g|)`,
    :math:`df_B = G\\,p(p-1)/2`;
    :math:`CFI = 1 - \\max(\\chi^2 - df, 0) / \\max(\\chi^2 - df, \\chi^2_B - df_B, 0)`;
    :math:`TLI = (\\chi^2_B/df_B - \\chi^2/df) / (\\chi^2_B/df_B - 1)`;
    :math:`RMSEA = \\sqrt{\\max(\\chi^2 - df, 0) / (df\\,n)}\\,\\sqrt{G}` with a 90% interval
    from the noncentral chi-square distribution; SRMR is Bentler's, with the mean residuals:
    per group :math:`\\sqrt{(\\sum_{i \\le j} r_{ij}^2 + \\sum_j m_j^2) / (p(p+1)/2 + p)}` with
    :math:`r_{ij} = (s_{ij} - \\hat\\sigma_{ij}) / \\sqrt{s_{ii}s_{jj}}`,
    :math:`m_j = (\\bar y_j - \\hat\\mu_j)/\\sqrt{s_{jj}}`, averaged over groups with weights
    :math:`n_g/n`. The log-likelihood is the normal one; :math:`AIC = -2\\ell + 2q`,
    :math:`BIC = -2\\ell + q\\log n`.

    Validated against lavaan 0.6-14 (R 4.2.2; ``tests/reference/cfa/make_reference.R``): the
    Holzinger-Swineford 3-factor model (chi-square 85.306 on 24 df) and simulated 1-5 Likert
    data, single- and multi-group, marker and ``std.lv`` identification. Observed agreement:
    chi-square 1e-9 relative; CFI, TLI, RMSEA (with CI) 1e-8 and SRMR 1e-6 absolute; estimates and
    ``std.all`` 2e-5 absolute and SEs 2e-5 relative (the limit of lavaan's own convergence). The
    tests assert 1e-4 (chi-square relative; indices and estimates absolute) and 1e-3 (SEs).
    lavaan's single-group *default* omits the mean structure: chi-square, df, CFI, TLI, RMSEA,
    loadings and SEs are the same, but its ``npar``, AIC and BIC leave out the p intercepts and
    its SRMR leaves out the (zero) mean residuals; ours equal lavaan's ``meanstructure = TRUE``.

    References
    ----------
    .. [1] Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
       Statistical Software*, 48(2), 1-36.
    .. [2] Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
    .. [3] Holzinger, K. J., & Swineford, F. (1939). *A study in factor analysis: the stability of
       a bi-factor solution*. Supplementary Educational Monographs 48. University of Chicago.

    Examples
    --------
    Four items driven by one simulated factor (seeded), fitted as a one-factor model:

    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> rng = np.random.default_rng(0)
    >>> factor = rng.normal(size=(500, 1))
    >>> data = pd.DataFrame(factor * [0.9, 0.8, 0.7, 0.6] + rng.normal(scale=0.6, size=(500, 4)),
    ...                     columns=["q1", "q2", "q3", "q4"])
    >>> res = bl.cfa(data, {"belonging": ["q1", "q2", "q3", "q4"]})
    >>> res.fit["df"], res.fit["n"], res.converged
    (2, 500, True)
    >>> {k: round(res.fit[k], 2) for k in ("chisq", "cfi", "tli", "rmsea", "srmr")}
    {'chisq': 3.59, 'cfi': 1.0, 'tli': 0.99, 'rmsea': 0.04, 'srmr': 0.01}
    >>> loadings = res.estimates[res.estimates["op"] == "=~"]
    >>> print(loadings[["rhs", "estimate", "std_all"]].round(2).to_string(index=False))
    rhs  estimate  std_all
     q1      1.00     0.84
     q2      0.87     0.82
     q3      0.82     0.79
     q4      0.64     0.70

    The first loading is fixed to 1 (marker identification); ``std_lv=True`` frees it and fixes the
    factor variance instead. The same call with the Holzinger-Swineford data of
    ``tests/reference/cfa/`` and its three-factor model gives lavaan's chi-square of 85.306 on 24 df.
    """
    pattern, items, factors, groups, n_excluded, struct = prepare(
        data, structure, group=group, reverse=reverse, estimator=estimator, missing=missing
    )
    return fit_model(pattern, items, factors, groups, std_lv=bool(std_lv), model="configural", n_excluded=n_excluded,
                     struct=struct)


# the names the reference tests (tests/psychometrics/test_cfa.py) fit their cases with
_prepare, _fit = prepare, fit_model
