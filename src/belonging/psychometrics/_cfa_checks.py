"""What qualifies a confirmatory factor fit: non-convergence, Heywood cases, a singular information matrix.

Private helpers of :mod:`belonging.psychometrics.cfa`. Each condition becomes a
:class:`~belonging.diagnostics.Diagnostic` whose ``where`` names the model and, when it can be told,
the group. lavaan warns about the same conditions: "the optimizer warns that a solution has NOT
been found", "some estimated ov variances are negative", "some estimated lv variances are
negative", "covariance matrix of latent variables is not positive definite", "could not compute
standard errors".
"""

from __future__ import annotations

import numpy as np

from belonging import _columns as C
from belonging.diagnostics import Code, Diagnostic, locate
from belonging.psychometrics import _sem

__all__ = ["entry_name", "fit_warnings", "vcov_or_none"]


def entry_name(table: _sem.ParTable, e: int, items, factors) -> str:
    """lavaan's name of parameter-table entry `e`: ``f =~ x``, ``x ~~ x``, ``f ~~ g``, ``x ~1``, ``f ~1``."""
    kind, r, c = int(table.kind[e]), int(table.row[e]), int(table.col[e])
    if kind == _sem.LAMBDA:
        return f"{factors[c]} =~ {items[r]}"
    if kind == _sem.THETA:
        return f"{items[r]} ~~ {items[r]}"
    if kind == _sem.PSI:
        return f"{factors[min(r, c)]} ~~ {factors[max(r, c)]}"
    return f"{items[r]} ~1" if kind == _sem.NU else f"{factors[r]} ~1"


def vcov_or_none(info: np.ndarray, n: int):
    """The covariance of the estimates, ``info^-1 / n``, or None when the information is singular.

    Singular means the smallest eigenvalue of the information scaled to unit diagonal is at most
    1e-10 (the scaling makes the test independent of the parameters' units).
    """
    d = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    scaled = info / np.outer(d, d)
    if not np.all(np.isfinite(scaled)) or np.linalg.eigvalsh(scaled)[0] <= 1e-10:
        return None
    return np.linalg.inv(info) / n


def fit_warnings(est, table, groups, items, factors, estimates, *, model, vcov) -> list[Diagnostic]:
    """Every warning about one fitted model."""
    found = []
    if not est.converged:
        found.append(_not_converged(est, table, groups, items, factors, model))
    if vcov is None:
        found.append(Diagnostic(
            Code.SINGULAR,
            f"the information matrix of the {model} model is singular, so standard errors, z and p values are "
            "missing: the model may not be identified (each factor needs 2 or more items, 3 for a lone factor) or "
            "an estimate is degenerate (lavaan: 'could not compute standard errors')",
            where=locate(model=model)))
    found.extend(_heywood(estimates, groups, model))
    return found


def _not_converged(est, table, groups, items, factors, model) -> Diagnostic:
    _, grad = _sem.objective(est.theta, table, groups)
    where_group = None
    detail = ""
    if len(grad) and np.isfinite(grad).all():
        worst = int(np.argmax(np.abs(grad)))
        entries = np.flatnonzero(table.free == worst)
        owners = sorted({int(table.group[e]) for e in entries})
        name = entry_name(table, int(entries[0]), items, factors)
        if len(owners) == 1 and len(groups) > 1:
            where_group = groups[owners[0]].label
            detail = f"; the largest gradient is on {name} in group {where_group!r}"
        elif len(groups) > 1:
            detail = f"; the largest gradient is on {name}, shared by the groups"
        else:
            detail = f"; the largest gradient is on {name}"
    msg = (f"the {model} model did not converge from any start tried (principal components, lavaan's default and "
           f"lavaan's simple): F could still fall by {est.decrease:.2g} (lavaan's relative criterion is 1e-10 of F) "
           f"and the largest gradient of F/2 is {est.max_gradient / 2:.2g} (lavaan's limit 1e-3){detail}; its "
           "estimates and fit measures are not trustworthy")
    return Diagnostic(Code.NOT_CONVERGED, msg, where=locate(model=model, group=where_group))


def _heywood(estimates, groups, model) -> list[Diagnostic]:
    """Negative residual or factor variances, a non-positive-definite factor covariance, |std loading| > 1."""
    multi = len(groups) > 1
    est = estimates
    found = []
    for s in groups:
        rows = est[est[C.GROUP] == s.label] if multi else est
        label = s.label if multi else None
        in_group = f" in group {s.label!r}" if multi else ""
        var = rows[(rows[C.OP] == "~~") & (rows[C.LHS] == rows[C.RHS])]
        loads = rows[rows[C.OP] == "=~"]
        latent = set(loads[C.LHS])
        problems = []
        neg = var[var[C.ESTIMATE] < 0]
        for _, r in neg.iterrows():
            what = "factor" if r[C.LHS] in latent else "residual"
            problems.append(f"the {what} variance of {r[C.LHS]} is negative ({r[C.ESTIMATE]:.3g})")
        big = loads[loads[C.STD_ALL].abs() > 1]
        for _, r in big.iterrows():
            problems.append(f"the standardized loading of {r[C.RHS]} on {r[C.LHS]} is {r[C.STD_ALL]:.3g} (|.| > 1)")
        if not _psi_positive_definite(rows, sorted(latent)):
            problems.append("the factor covariance matrix is not positive definite")
        if problems:
            msg = (f"Heywood case in the {model} model{in_group}: {'; '.join(problems)}. The solution is improper "
                   "(lavaan warns too): check the factor structure, or collect more data")
            found.append(Diagnostic(Code.HEYWOOD, msg, where=locate(model=model, group=label)))
    return found


def _psi_positive_definite(rows, factors) -> bool:
    if len(factors) < 2:
        return True
    pos = {f: i for i, f in enumerate(factors)}
    psi = np.zeros((len(factors), len(factors)))
    cov = rows[(rows[C.OP] == "~~") & rows[C.LHS].isin(pos) & rows[C.RHS].isin(pos)]
    for _, r in cov.iterrows():
        i, j = pos[r[C.LHS]], pos[r[C.RHS]]
        psi[i, j] = psi[j, i] = r[C.ESTIMATE]
    return bool(np.linalg.eigvalsh(psi)[0] > 0)
