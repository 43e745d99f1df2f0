"""Starting values for the ML fit of the confirmatory factor models (:mod:`._sem`).

Private helpers of :func:`belonging.psychometrics._sem.fit_ml`, which tries them in this order and
keeps the first fit that converges (else the best one):

* ``"components"``: one principal component of each factor's items, standardized loadings kept in
  [0.2, 0.95], factor correlations from the implied factor-score covariance;
* ``"default"``: lavaan's default starts (Rosseel 2012): loadings by Hägglund's (1982) FABIN 3
  instrumental-variable estimator per factor, residual variances half the observed variances, factor
  variances 0.05 (1 with unit-variance identification), factor covariances 0, intercepts the
  observed means;
* ``"simple"``: lavaan's ``start = "simple"``: loadings and every variance 1, everything else 0.

Each is computed per group and averaged over the groups that share a free parameter.

References: Hägglund, G. (1982). Factor analysis by instrumental variables methods. *Psychometrika*,
47(2), 209-222.
"""

from __future__ import annotations

import numpy as np

from belonging.psychometrics._sem import ALPHA, LAMBDA, NU, PSI, THETA, GroupStats, ParTable

__all__ = ["START_METHODS", "components_start", "default_start", "simple_start", "starts"]

START_METHODS = ("components", "default", "simple")


def starts(table: ParTable, groups: list[GroupStats], pattern: np.ndarray):
    """``(name, theta)`` for each start method, in the order :data:`START_METHODS`."""
    for name, fn in (("components", components_start), ("default", default_start), ("simple", simple_start)):
        yield name, fn(table, groups, pattern)


def _average(table: ParTable, per_group) -> np.ndarray:
    """Free-parameter starts: each group's entry values averaged over the entries sharing a parameter."""
    acc = np.zeros(table.n_free)
    cnt = np.zeros(table.n_free)
    for g, vals in enumerate(per_group):
        fr = (table.group == g) & (table.free >= 0)
        np.add.at(acc, table.free[fr], vals[fr])
        np.add.at(cnt, table.free[fr], 1.0)
    return acc / np.maximum(cnt, 1.0)


def _entries(table: ParTable, lam, psi, th, nu) -> np.ndarray:
    vals = np.zeros(len(table.kind))
    kind, row, col = table.kind, table.row, table.col
    vals[kind == LAMBDA] = lam[row[kind == LAMBDA], col[kind == LAMBDA]]
    vals[kind == PSI] = psi[row[kind == PSI], col[kind == PSI]]
    vals[kind == THETA] = th[row[kind == THETA]]
    vals[kind == NU] = nu[row[kind == NU]]
    return vals


def _marker_scale(table: ParTable, g: int, lam, psi, m: int):
    """Rescale loadings so marker loadings (fixed entries of group `g`) are 1, and Psi to match."""
    markers = (table.kind == LAMBDA) & (table.group == g) & (table.free < 0)
    scale = np.ones(m)
    if markers.any():
        scale[table.col[markers]] = lam[table.row[markers], table.col[markers]]
        lam = lam / scale
        psi = psi * np.outer(scale, scale)
    return lam, psi


def components_start(table: ParTable, groups: list[GroupStats], pattern: np.ndarray) -> np.ndarray:
    """Starting values from a one-component fit per factor in each group (then averaged)."""
    p, m = pattern.shape
    per_group = []
    for g, s in enumerate(groups):
        sd = np.sqrt(np.clip(np.diag(s.cov), 1e-12, None))
        corr = s.cov / np.outer(sd, sd)
        lam = np.zeros((p, m))
        for k in range(m):
            items = np.flatnonzero(pattern[:, k])
            if len(items) == 1:
                load = np.array([1.0])
            else:
                w, v = np.linalg.eigh(corr[np.ix_(items, items)])
                load = v[:, -1] * np.sqrt(max(w[-1], 1e-6))
                if load[0] < 0:
                    load = -load
                load = np.clip(load, 0.2, 0.95)  # std loadings that keep Theta positive
            lam[items, k] = load * sd[items]
        stdized = lam / sd[:, None]
        th = np.clip(1 - (stdized**2).sum(1), 0.1, None) * sd**2
        scores_cov = np.linalg.pinv(lam) @ (s.cov - np.diag(th)) @ np.linalg.pinv(lam).T
        fsd = np.sqrt(np.clip(np.diag(scores_cov), 1e-6, None))
        fcor = np.clip(scores_cov / np.outer(fsd, fsd), -0.9, 0.9)
        np.fill_diagonal(fcor, 1.0)
        lam, psi = _marker_scale(table, g, lam, fcor, m)
        per_group.append(_entries(table, lam, psi, th, s.mean))
    return _average(table, per_group)


def _fabin3(cov: np.ndarray) -> tuple[np.ndarray, float]:
    """Marker-scaled loadings (first = 1) and the factor variance of one factor's items (FABIN 3)."""
    k = cov.shape[0]
    lam = np.ones(k)
    if k == 1:
        return lam, float(cov[0, 0])
    if k == 2:
        return lam, float(max(cov[0, 1], 0.05 * cov[0, 0]))
    if k == 3:
        s21, s31, s32 = cov[1, 0], cov[2, 0], cov[2, 1]
        if s21 * s31 * s32 > 0:  # a consistent triad
            lam[1:] = s32 / s31, s32 / s21
            return lam, float(s21 * s31 / s32)
        return lam, float(0.5 * cov[0, 0])
    for i in range(1, k):
        z = [j for j in range(1, k) if j != i]
        try:
            w = np.linalg.solve(cov[np.ix_(z, z)], cov[z, 0])
            lam[i] = cov[i, z] @ w / (cov[0, z] @ w)
        except np.linalg.LinAlgError:
            lam[i] = cov[i, z] @ cov[z, 0] / (cov[0, z] @ cov[z, 0])
    low = np.tril_indices(k, -1)
    ll = np.outer(lam, lam)[low]
    psi = float(ll @ cov[low] / (ll @ ll))  # least squares of the off-diagonal covariances
    return lam, psi


def default_start(table: ParTable, groups: list[GroupStats], pattern: np.ndarray) -> np.ndarray:
    """lavaan's default starts: FABIN 3 loadings, half the observed variances, factor variances 0.05."""
    p, m = pattern.shape
    std_lv = not ((table.kind == LAMBDA) & (table.free < 0)).any()
    per_group = []
    for s in groups:
        lam = np.zeros((p, m))
        psi = np.eye(m) * (1.0 if std_lv else 0.05)
        for k in range(m):
            items = np.flatnonzero(pattern[:, k])
            load, var = _fabin3(s.cov[np.ix_(items, items)])
            s11 = s.cov[items[0], items[0]]
            var = min(max(var, 0.1 * s11), s11)  # as lavaan: the marker's reliability is at least 0.1
            bound = np.sqrt(np.diag(s.cov)[items] / var)
            load = np.clip(np.nan_to_num(load, nan=1.0, posinf=1.0, neginf=1.0), -bound, bound)
            lam[items, k] = load * np.sqrt(var) if std_lv else load
        per_group.append(_entries(table, lam, psi, 0.5 * np.diag(s.cov), s.mean))
    return _average(table, per_group)


def simple_start(table: ParTable, groups: list[GroupStats], pattern: np.ndarray) -> np.ndarray:
    """lavaan's ``start = "simple"``: loadings and variances 1, covariances, intercepts and means 0."""
    vals = np.zeros(len(table.kind))
    vals[table.kind == LAMBDA] = 1.0
    vals[table.kind == THETA] = 1.0
    vals[(table.kind == PSI) & (table.row == table.col)] = 1.0
    vals[(table.kind == NU) | (table.kind == ALPHA)] = 0.0
    return _average(table, [vals] * len(groups))
