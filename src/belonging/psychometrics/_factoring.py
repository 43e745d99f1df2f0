"""Common-factor extraction (ML, minres) and oblimin rotation on a correlation matrix.

Private helpers shared by :mod:`belonging.psychometrics.efa` (exploratory factor analysis) and
:mod:`belonging.psychometrics.reliability` (the one-factor model behind McDonald's omega). Everything
works on a ``p x p`` correlation (or covariance) matrix, never on respondent rows, so the cost does not
grow with the number of responses.

The estimators follow the conventions of R ``psych::fa`` (Revelle) and the rotation those of
``GPArotation::oblimin`` (Bernaards & Jennrich); the code is ours, the algorithms are the published ones:

* ML: the uniquenesses minimise the ML discrepancy concentrated over the loadings (Joreskog 1967;
  Lawley & Maxwell 1971), as in ``stats::factanal`` and ``psych::fa(fm="ml")``.
* minres: the uniquenesses minimise the unweighted least-squares discrepancy, whose optimum is the
  minimum off-diagonal residual solution (Harman & Jones 1966), as in ``psych::fa(fm="minres")``.
* one factor by ML (:func:`ml_one_factor`, used for McDonald's omega): the same estimator solved by
  projected Newton steps in log-uniqueness with the analytic Hessian, falling back to :func:`extract`.
* oblimin (gamma = 0, quartimin): gradient projection with step halving (Jennrich 2002; Bernaards &
  Jennrich 2005), starting from the identity.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import optimize

__all__ = ["LOWER_UNIQUENESS", "Extraction", "extract", "ml_one_factor", "oblimin", "order_and_sign", "smc"]

logger = logging.getLogger(__name__)

LOWER_UNIQUENESS = 0.005  # lower bound of a uniqueness, as psych::fa and stats::factanal


@dataclass(frozen=True)
class Extraction:
    """Unrotated solution: loadings (p x m), uniquenesses (p), convergence flag and criterion."""

    loadings: np.ndarray
    uniquenesses: np.ndarray
    converged: bool
    criterion: float


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1 / diag(R^-1)`` (a pseudo-inverse when R is singular)."""
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r)
    out = 1.0 - 1.0 / np.diag(inv)
    return np.clip(out, 0.0, 1.0)


def _ml_objective(psi: np.ndarray, r: np.ndarray, m: int) -> tuple[float, np.ndarray]:
    """ML discrepancy concentrated over the loadings, and its gradient in psi (inf off the domain)."""
    if not np.all(np.isfinite(psi)):  # the optimiser stepped out (a singular R): tell it so, do not crash
        return float("inf"), np.zeros_like(psi)
    s = 1.0 / np.sqrt(psi)
    rstar = r * s[:, None] * s[None, :]
    e, v = np.linalg.eigh(rstar)
    e, v = e[::-1], v[:, ::-1]
    rest = e[m:]
    with np.errstate(invalid="ignore", divide="ignore"):  # a singular R: the optimiser sees NaN and stops
        f = -float(np.sum(np.log(rest) - rest)) - m + r.shape[0]
    load = v[:, :m] * np.sqrt(np.maximum(e[:m] - 1.0, 0.0))
    load = load * np.sqrt(psi)[:, None]
    g = (np.sum(load**2, axis=1) + psi - np.diag(r)) / psi**2
    return f, g


def _ml_loadings(psi: np.ndarray, r: np.ndarray, m: int) -> np.ndarray:
    s = 1.0 / np.sqrt(psi)
    e, v = np.linalg.eigh(r * s[:, None] * s[None, :])
    e, v = e[::-1], v[:, ::-1]
    return v[:, :m] * np.sqrt(np.maximum(e[:m] - 1.0, 0.0)) * np.sqrt(psi)[:, None]


def _uls_objective(psi: np.ndarray, r: np.ndarray, m: int) -> tuple[float, np.ndarray]:
    """ULS discrepancy ``0.5 ||R - Psi - LL'||^2`` concentrated over L, and its gradient in psi."""
    e, v = np.linalg.eigh(r - np.diag(psi))
    e, v = e[::-1], v[:, ::-1]
    kept = np.maximum(e[:m], 0.0)
    resid = np.concatenate([e[:m] - kept, e[m:]])
    f = 0.5 * float(np.sum(resid**2))
    load = v[:, :m] * np.sqrt(kept)
    g = np.sum(load**2, axis=1) + psi - np.diag(r)
    return f, g


def _uls_loadings(psi: np.ndarray, r: np.ndarray, m: int) -> np.ndarray:
    e, v = np.linalg.eigh(r - np.diag(psi))
    e, v = e[::-1], v[:, ::-1]
    return v[:, :m] * np.sqrt(np.maximum(e[:m], 0.0))


def extract(r: np.ndarray, n_factors: int, method: str = "ml") -> Extraction:
    """Fit `n_factors` common factors to the correlation matrix `r`.

    Starts from ``1 - SMC`` like psych::fa and bounds each uniqueness to ``[0.005, 1]``; truncated Newton (TNC)
    with the analytic gradient and tight tolerances. Both estimators are scale invariant in the
    sense that loadings for a covariance matrix are ``diag(sd) @ loadings``.
    """
    r = np.asarray(r, dtype=float)
    if method == "ml":
        fun, loadings_of = _ml_objective, _ml_loadings
    else:
        fun, loadings_of = _uls_objective, _uls_loadings
    start = np.clip(1.0 - smc(r), LOWER_UNIQUENESS, 1.0)
    bounds = [(LOWER_UNIQUENESS, 1.0)] * r.shape[0]
    try:
        res = optimize.minimize(
            fun,
            start,
            args=(r, n_factors),
            jac=True,
            method="TNC",  # bounded truncated Newton: ~10x less overhead per step than L-BFGS-B here
            bounds=bounds,
            options={"ftol": 1e-15, "gtol": 1e-11, "xtol": 1e-12, "maxfun": 10_000},
        )
    except np.linalg.LinAlgError:  # a singular R can leave no eigen decomposition: not converged
        logger.warning("factor extraction failed: the correlation matrix has no usable eigen decomposition")
        return Extraction(loadings_of(start, r, n_factors), start, False, float("nan"))
    psi = res.x
    if not np.all(np.isfinite(psi)):
        return Extraction(loadings_of(start, r, n_factors), start, False, float("nan"))
    loadings = loadings_of(psi, r, n_factors)
    converged = bool(res.success) or float(np.max(np.abs(res.jac))) < 1e-7
    if not converged:
        logger.warning("factor extraction did not converge: %s", res.message)
    return Extraction(loadings, psi, converged, float(res.fun))


def _quartimin(lam: np.ndarray) -> tuple[float, np.ndarray]:
    """Oblimin criterion with gamma = 0 and its gradient in the loadings."""
    l2 = lam**2
    x = l2 @ (1.0 - np.eye(lam.shape[1]))
    return float(np.sum(l2 * x)) / 4.0, lam * x


def oblimin(a: np.ndarray, *, tol: float = 1e-7, max_iter: int = 10_000) -> tuple:
    """Rotate loadings `a` obliquely by direct oblimin (gamma = 0) with gradient projection.

    Returns ``(pattern, phi, converged)``: pattern ``A (T')^-1`` and factor correlations ``T'T``.
    Converged means the projected gradient norm fell below `tol` (GPArotation's default is 1e-5),
    or below ``100 * tol`` when no step can improve the criterion further in double precision.
    """
    m = a.shape[1]
    t = np.eye(m)
    lam = a.copy()
    f, gq = _quartimin(lam)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    step = 1.0
    converged = False
    for _ in range(max_iter):
        gp = g - t * np.sum(t * g, axis=0)[None, :]
        s = float(np.sqrt(np.sum(gp**2)))
        if s < tol:
            converged = True
            break
        step *= 2.0
        improved = False
        for _ in range(11):
            x = t - step * gp
            t_new = x / np.sqrt(np.sum(x**2, axis=0))[None, :]
            lam = a @ np.linalg.inv(t_new).T
            f_new, gq = _quartimin(lam)
            if f - f_new > 0.5 * s**2 * step:
                improved = True
                break
            step /= 2.0
        if not improved and s < 100 * tol:  # stalled at the precision of the criterion
            converged = True
            lam = a @ np.linalg.inv(t).T
            break
        t = t_new
        f = f_new
        g = -(lam.T @ gq @ np.linalg.inv(t)).T
    return lam, t.T @ t, converged


def order_and_sign(loadings: np.ndarray, phi: np.ndarray | None) -> tuple:
    """psych::fa's presentation: make column sums positive, order by variance accounted for."""
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1.0
    loadings = loadings * signs
    if phi is not None:
        phi = phi * np.outer(signs, signs)
        ev = np.diag(phi @ loadings.T @ loadings)
    else:
        ev = np.sum(loadings**2, axis=0)
    order = np.argsort(-ev, kind="stable")
    loadings = loadings[:, order]
    if phi is not None:
        phi = phi[np.ix_(order, order)]
    return loadings, phi


def _one_factor_state(x: np.ndarray, r: np.ndarray):
    """Eigen decomposition of ``Psi^-1/2 R Psi^-1/2`` at ``psi = exp(x)`` and the ML discrepancy."""
    psi = np.exp(x)
    s = 1.0 / np.sqrt(psi)
    e, v = np.linalg.eigh(r * s[:, None] * s[None, :])
    rest = e[:-1]
    if rest[0] <= 0:
        return psi, e, v, float("inf")
    f = float(np.sum(rest - np.log(rest) - 1.0))
    return psi, e, v, f


def ml_one_factor(r: np.ndarray, start: np.ndarray | None = None, *, tol: float = 1e-11,
                  max_iter: int = 100) -> Extraction:
    """One common factor fitted to `r` by maximum likelihood with Newton's method.

    The same estimator as ``extract(r, 1, "ml")`` (uniquenesses bounded to ``[0.005, 1]`` times
    ``diag(r)``'s scale, here ``[0.005, 1]`` for a correlation matrix) but solved by a projected
    Newton iteration in ``x = log(psi)`` with the analytic Hessian, so a fit costs a few 18 x 18
    eigendecompositions. With ``theta, omega`` the largest eigenpair of
    ``R* = Psi^-1/2 R Psi^-1/2`` and ``(theta_i, omega_i)`` the others, the gradient of the
    concentrated discrepancy is ``g_j = 1 - r_jj / psi_j + (theta - 1) omega_j^2`` and its Hessian
    ``H_jl = delta_jl r_jj / psi_j - theta omega_j^2 omega_l^2 - (theta - 1) omega_j omega_l M_jl``
    with ``M = sum_i omega_i omega_i' (theta + theta_i) / (theta - theta_i)`` (first-order
    eigenvector perturbation). `start` (uniquenesses) defaults to ``1 - SMC``; a good start (e.g. a
    fit of a larger item set) cuts the iterations. Falls back to :func:`extract` when Newton's method
    does not converge.
    """
    r = np.asarray(r, dtype=float)
    p = r.shape[0]
    lo, hi = np.log(LOWER_UNIQUENESS), 0.0
    psi0 = np.clip(1.0 - smc(r) if start is None else np.asarray(start, dtype=float), LOWER_UNIQUENESS, 1.0)
    x = np.log(psi0)
    psi, e, v, f = _one_factor_state(x, r)
    converged = False
    if np.isfinite(f):
        for _ in range(max_iter):
            theta, w = e[-1], v[:, -1]
            dr = np.diag(r) / psi
            g = 1.0 - dr + (theta - 1.0) * w**2
            active = ((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))
            free = ~active
            if np.max(np.abs(g[free]), initial=0.0) < tol:
                converged = True
                break
            c = (theta + e[:-1]) / (theta - e[:-1])
            m = (v[:, :-1] * c) @ v[:, :-1].T
            h = np.diag(dr) - theta * np.outer(w**2, w**2) - (theta - 1.0) * np.outer(w, w) * m
            hf = h[np.ix_(free, free)]
            d = np.zeros(p)
            try:
                chol = np.linalg.cholesky(hf)
                d[free] = -np.linalg.solve(chol.T, np.linalg.solve(chol, g[free]))
            except np.linalg.LinAlgError:  # not convex here: steepest descent step
                d[free] = -g[free]
            step = 1.0
            for _ in range(60):
                x_new = np.clip(x + step * d, lo, hi)
                state = _one_factor_state(x_new, r)
                if state[3] <= f + 1e-4 * float(g @ (x_new - x)):
                    break
                step /= 2.0
            else:
                break
            if np.max(np.abs(x_new - x)) < 1e-15:
                converged = True
                x = x_new
                psi, e, v, f = state
                break
            x = x_new
            psi, e, v, f = state
    if not converged:
        return extract(r, 1, "ml")
    load = v[:, -1:] * np.sqrt(max(e[-1] - 1.0, 0.0)) * np.sqrt(psi)[:, None]
    return Extraction(load, psi, True, f + 2.0 * (p - 1))  # the criterion of extract()

