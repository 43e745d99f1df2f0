"""McDonald's omega total with the conditions that make it undefined or doubtful.

Private helpers of :mod:`belonging.psychometrics.reliability`. Omega needs a one-factor model fitted
to the items' correlation matrix; that fit is undefined when the matrix is singular (linearly
dependent items: lavaan refuses such data, "sample covariance matrix is not positive-definite"), may
stop short of its optimum, and may put a uniqueness on its lower bound (a Heywood case). Each is a
condition code from :class:`belonging.diagnostics.Code`; omega is NaN for the first two.

Singularity is decided on the correlation matrix alone, the same way for the full scale and for
every item deleted: its smallest eigenvalue at or below :data:`SINGULAR_EIGENVALUE`. So omega is
NaN exactly when the matrix it needs is singular, never because an optimiser happened to stop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from belonging.diagnostics import Code, Diagnostic, locate
from belonging.psychometrics._factoring import LOWER_UNIQUENESS, ml_one_factor

__all__ = ["SINGULAR_EIGENVALUE", "OmegaFit", "dependent_items", "in_group", "is_singular", "omega_total", "omegas"]

#: A correlation matrix whose smallest eigenvalue is at most this is singular (as belonging.cfa).
SINGULAR_EIGENVALUE = 1e-10


@dataclass(frozen=True)
class OmegaFit:
    """Omega total and the condition that qualifies it (None when there is none).

    ``code`` is ``Code.SINGULAR`` or ``Code.NOT_CONVERGED`` (omega is NaN), ``Code.HEYWOOD``
    (omega is computed; ``heywood`` lists the positions of uniquenesses at their bound), or None.
    """

    omega: float
    code: Code | None = None
    heywood: tuple[int, ...] = ()


def _correlation(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def is_singular(cov: np.ndarray) -> bool:
    """Whether the correlation matrix of `cov` (positive variances) is singular."""
    return bool(np.linalg.eigvalsh(_correlation(cov))[0] <= SINGULAR_EIGENVALUE)


def dependent_items(cov: np.ndarray) -> np.ndarray:
    """Positions of the items in a linear dependency: the large entries of the eigenvector of the
    smallest eigenvalue of the correlation matrix (entries above 0.1 in absolute value)."""
    w, v = np.linalg.eigh(_correlation(cov))
    return np.flatnonzero(np.abs(v[:, 0]) > 0.1)


def omega_total(cov: np.ndarray) -> OmegaFit:
    """Omega total of a one-factor ML model, observed total variance in the denominator.

    `cov` holds positive variances and at least 3 items (the caller checks both).
    """
    if not np.all(np.isfinite(cov)):
        return OmegaFit(float("nan"))
    if is_singular(cov):
        return OmegaFit(float("nan"), Code.SINGULAR)
    sd = np.sqrt(np.diag(cov))
    fit = ml_one_factor(_correlation(cov))
    if not fit.converged:
        return OmegaFit(float("nan"), Code.NOT_CONVERGED)
    lam = fit.loadings[:, 0] * sd
    omega = float(lam.sum() ** 2 / cov.sum())
    at_bound = np.flatnonzero(fit.uniquenesses <= LOWER_UNIQUENESS * (1 + 1e-6))
    if len(at_bound):
        return OmegaFit(omega, Code.HEYWOOD, tuple(int(j) for j in at_bound))
    return OmegaFit(omega)


def in_group(where: dict) -> str:
    """`` in group 'x'`` for a message, or nothing without a group."""
    return "" if where.get("group") is None else f" in group {where['group']!r}"


def omegas(cov, ids, where):
    """Omega total, omega with each item deleted, and the warnings about their one-factor fits.

    `ids` names the items and `where` (``{"group", "scale"}``) the scale in the warnings.

    Omega is NaN exactly when the matrix it needs is singular or its fit does not converge; each
    item deleted gets its own verdict (deleting one of two copies makes the rest non-singular).
    """
    k = cov.shape[0]
    nan = float("nan")
    full = omega_total(cov) if k >= 3 else OmegaFit(nan)
    drops = [OmegaFit(nan)] * k
    if k >= 4:  # omega of k - 1 >= 3 items
        # each fit starts from 1 - SMC like the full one: a start from the full model's
        # uniquenesses can end in another local optimum when the items are not one-dimensional
        drops = [omega_total(cov[np.ix_(keep, keep)]) for keep in (np.arange(k) != j for j in range(k))]
    found = _warnings(cov, full, drops, ids, where)
    return full.omega, np.array([d.omega for d in drops]), found


def _warnings(cov, full, drops, ids, where) -> list[Diagnostic]:
    scale = f"scale {where['scale']!r}{in_group(where)}"
    at = locate(**where)
    found = []
    for code in (Code.SINGULAR, Code.NOT_CONVERGED):
        deleted = [ids[j] for j, d in enumerate(drops) if d.code is code]
        if full.code is not code and not deleted:
            continue
        nan = (["omega"] if full.code is code else []) + (
            [f"omega_if_deleted of {', '.join(map(repr, deleted))}"] if deleted else [])
        if code is Code.SINGULAR:
            dep = [ids[j] for j in dependent_items(cov)] if is_singular(cov) else []
            what = (f"the covariance matrix of {scale} is singular (items {', '.join(map(repr, dep))} are linearly "
                    "dependent: a copy, or the sum of others)" if dep else
                    f"the covariance matrix of {scale} is singular once an item is deleted")
            msg = (f"{what}: no one-factor model can be fitted to a singular matrix (lavaan refuses it), so "
                   f"{' and '.join(nan)} are NaN; alpha is still defined")
        else:
            msg = f"the one-factor model behind omega of {scale} did not converge, so {' and '.join(nan)} are NaN"
        found.append(Diagnostic(code, msg, where=at))
    heywood = [ids[j] for j in full.heywood]
    if heywood:
        found.append(Diagnostic(Code.HEYWOOD, f"the one-factor model behind omega of {scale} is a Heywood case: the "
                                f"uniqueness of {', '.join(map(repr, heywood))} sits at its lower bound 0.005 (an "
                                "unbounded fit such as lavaan's would make it negative); read omega with care",
                                where=at))
    return found
