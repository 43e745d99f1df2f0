"""Numerical core of the confirmatory factor models: parameter table, ML fit, information, fit indices.

Private module used by :mod:`belonging.psychometrics.cfa` and :mod:`belonging.psychometrics.invariance`.
Everything here works on sufficient statistics (per-group ``n``, mean vector and covariance matrix with
an ``n`` denominator), never on raw rows, so the cost of a fit does not depend on the number of
respondents.

The model in group g is the linear factor model with a mean structure

.. math::

    \\Sigma_g = \\Lambda_g \\Psi_g \\Lambda_g^\\top + \\Theta_g, \\qquad
    \\mu_g = \\nu_g + \\Lambda_g \\alpha_g,

with loadings Λ (p×m), factor covariances Ψ (m×m), diagonal residual variances Θ, intercepts ν and
latent means α. A parameter table lists every matrix entry that is a parameter: which group and
matrix it belongs to, its position, and either the index of the free parameter it takes its value
from or a fixed value. Equality constraints across groups are expressed by giving several entries the
same free index (a reparametrisation, so they need no Lagrange multipliers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

# matrix kinds of a parameter-table entry
LAMBDA, PSI, THETA, NU, ALPHA = range(5)
KINDS = ("loadings", "lv.covariances", "residuals", "intercepts", "means")


@dataclass(frozen=True)
class GroupStats:
    """Sufficient statistics of one group: n, mean vector, covariance with denominator n."""

    label: str
    n: int
    mean: np.ndarray
    cov: np.ndarray


@dataclass(frozen=True)
class ParTable:
    """Parameter table: one entry per model-matrix element that is a parameter (fixed or free).

    ``free`` maps an entry to its free-parameter index (-1 when fixed); ``own`` gives the index it
    would have without cross-group equality constraints (used by the score tests).
    """

    n_obs: int
    n_lat: int
    n_groups: int
    group: np.ndarray
    kind: np.ndarray
    row: np.ndarray
    col: np.ndarray
    free: np.ndarray
    own: np.ndarray
    value: np.ndarray  # fixed value, or starting value for free entries

    @property
    def n_free(self) -> int:
        return int(self.free.max()) + 1 if (self.free >= 0).any() else 0

    @property
    def n_own(self) -> int:
        return int(self.own.max()) + 1 if (self.own >= 0).any() else 0


def build_partable(
    pattern: np.ndarray, n_groups: int, *, std_lv: bool, equal: frozenset[str] = frozenset()
) -> ParTable:
    """Return the parameter table of a (multi-group) CFA with correlated factors.

    Identification follows lavaan: with markers (default) the first loading of each factor is fixed
    to 1; with ``std_lv`` the factor variances are fixed to 1, except in groups after the first
    when loadings are held equal. Latent means are fixed to 0, except in groups after the first when
    intercepts are held equal. ``equal`` may hold "loadings", "intercepts", "residuals".
    """
    p, m = pattern.shape
    rows: list[tuple[int, int, int, int, bool, float]] = []  # group, kind, row, col, free, value
    for g in range(n_groups):
        for k in range(m):
            items = np.flatnonzero(pattern[:, k])
            for i, j in enumerate(items):
                fixed = i == 0 and not std_lv
                rows.append((g, LAMBDA, j, k, not fixed, 1.0))
        for j in range(p):
            rows.append((g, THETA, j, j, True, 0.0))
        for k in range(m):
            free_var = (not std_lv) or (g > 0 and "loadings" in equal)
            rows.append((g, PSI, k, k, free_var, 1.0))
        for k in range(m):
            for k2 in range(k + 1, m):
                rows.append((g, PSI, k2, k, True, 0.0))
        for j in range(p):
            rows.append((g, NU, j, 0, True, 0.0))
        for k in range(m):
            rows.append((g, ALPHA, k, 0, g > 0 and "intercepts" in equal, 0.0))
    arr = np.array([r[:4] for r in rows], dtype=np.int64)
    is_free = np.array([r[4] for r in rows], dtype=bool)
    value = np.array([r[5] for r in rows], dtype=float)
    group, kind, row, col = arr.T
    own = np.full(len(rows), -1, dtype=np.int64)
    own[is_free] = np.arange(is_free.sum())
    free = own.copy()
    constrained = {
        "loadings": kind == LAMBDA,
        "intercepts": kind == NU,
        "residuals": kind == THETA,
    }
    key = kind * 10_000_000 + row * 10_000 + col
    first = {int(k): i for i, k in reversed(list(enumerate(key))) if group[i] == 0}
    for name, mask in constrained.items():
        if name not in equal:
            continue
        for i in np.flatnonzero(mask & (group > 0) & is_free):
            free[i] = free[first[int(key[i])]]
    # renumber free indices consecutively in order of first appearance
    uniq, inv = np.unique(free[is_free], return_inverse=True)
    order = np.argsort(np.array([np.flatnonzero(free[is_free] == u)[0] for u in uniq]))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    free[is_free] = rank[inv]
    return ParTable(p, m, n_groups, group, kind, row, col, free, own, value)


def entry_values(table: ParTable, theta: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Value of every parameter-table entry: fixed values, and `theta` mapped through `index`."""
    vals = table.value.copy()
    mask = index >= 0
    vals[mask] = theta[index[mask]]
    return vals


def matrices(table: ParTable, vals: np.ndarray, g: int):
    """Return (Lambda, Psi, theta_diag, nu, alpha) of group `g` from entry values `vals`."""
    p, m = table.n_obs, table.n_lat
    lam = np.zeros((p, m))
    psi = np.zeros((m, m))
    th = np.zeros(p)
    nu = np.zeros(p)
    al = np.zeros(m)
    sel = table.group == g
    kind, row, col, v = table.kind[sel], table.row[sel], table.col[sel], vals[sel]
    k = kind == LAMBDA
    lam[row[k], col[k]] = v[k]
    k = kind == PSI
    psi[row[k], col[k]] = v[k]
    psi[col[k], row[k]] = v[k]
    k = kind == THETA
    th[row[k]] = v[k]
    k = kind == NU
    nu[row[k]] = v[k]
    k = kind == ALPHA
    al[row[k]] = v[k]
    return lam, psi, th, nu, al


def implied(table: ParTable, vals: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Model-implied covariance matrix and mean vector of group `g`."""
    lam, psi, th, nu, al = matrices(table, vals, g)
    return lam @ psi @ lam.T + np.diag(th), nu + lam @ al


def _group_discrepancy(sigma, mu, s: GroupStats):
    """F_g, dF/dSigma and dF/dmu; F_g is None when Sigma is not positive definite."""
    try:
        chol = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return None, None, None
    inv = np.linalg.inv(sigma)
    d = s.mean - mu
    logdet = 2.0 * np.log(np.diag(chol)).sum()
    _, logdet_s = np.linalg.slogdet(s.cov)
    inv_d = inv @ d
    f = logdet + np.sum(inv * s.cov) + d @ inv_d - logdet_s - len(mu)
    gsig = inv - inv @ (s.cov + np.outer(d, d)) @ inv
    gmu = -2.0 * inv_d
    return f, gsig, gmu


def objective(theta, table: ParTable, groups: list[GroupStats], index=None):
    """F_ML = sum_g (n_g/n) F_g and its gradient with respect to the parameters in `index` space."""
    index = table.free if index is None else index
    n_par = int(index.max()) + 1
    vals = entry_values(table, theta, index)
    n_total = sum(s.n for s in groups)
    total = 0.0
    grad = np.zeros(n_par)
    entry_grad = np.zeros(len(vals))
    for g, s in enumerate(groups):
        lam, psi, th, nu, al = matrices(table, vals, g)
        sigma = lam @ psi @ lam.T + np.diag(th)
        mu = nu + lam @ al
        f, gsig, gmu = _group_discrepancy(sigma, mu, s)
        if f is None:
            return np.inf, grad
        w = s.n / n_total
        total += w * f
        d_lam = 2.0 * gsig @ lam @ psi + np.outer(gmu, al)
        d_psi = lam.T @ gsig @ lam
        d_al = lam.T @ gmu
        sel = np.flatnonzero(table.group == g)
        kind, row, col = table.kind[sel], table.row[sel], table.col[sel]
        eg = np.zeros(len(sel))
        k = kind == LAMBDA
        eg[k] = d_lam[row[k], col[k]]
        k = kind == PSI
        eg[k] = d_psi[row[k], col[k]] * np.where(row[k] == col[k], 1.0, 2.0)
        k = kind == THETA
        eg[k] = np.diag(gsig)[row[k]]
        k = kind == NU
        eg[k] = gmu[row[k]]
        k = kind == ALPHA
        eg[k] = d_al[row[k]]
        entry_grad[sel] = w * eg
    mask = index >= 0
    np.add.at(grad, index[mask], entry_grad[mask])
    return total, grad


def information(theta, table: ParTable, groups: list[GroupStats], index=None) -> np.ndarray:
    """Expected (Fisher) information per observation, sum_g (n_g/n) Delta_g' W_g Delta_g.

    Evaluated at the model-implied moments ("structured", lavaan's default for ML). The Hessian of
    F_ML is approximated by twice this matrix; the covariance of the estimates is its inverse / n.
    """
    index = table.free if index is None else index
    n_par = int(index.max()) + 1
    vals = entry_values(table, theta, index)
    n_total = sum(s.n for s in groups)
    p = table.n_obs
    info = np.zeros((n_par, n_par))
    eye = np.eye(p)
    for g, s in enumerate(groups):
        lam, psi, th, nu, al = matrices(table, vals, g)
        sigma = lam @ psi @ lam.T + np.diag(th)
        chol = np.linalg.cholesky(sigma)
        sel = np.flatnonzero((table.group == g) & (index >= 0))
        kind, row, col = table.kind[sel], table.row[sel], table.col[sel]
        n_e = len(sel)
        dsig = np.zeros((n_e, p, p))
        dmu = np.zeros((n_e, p))
        k = np.flatnonzero(kind == LAMBDA)
        u = (lam @ psi)[:, col[k]].T  # (n_k, p): column k of Lambda Psi
        e = eye[row[k]]
        dsig[k] = e[:, :, None] * u[:, None, :] + u[:, :, None] * e[:, None, :]
        dmu[k] = e * al[col[k]][:, None]
        k = np.flatnonzero(kind == PSI)
        a, b = lam[:, row[k]].T, lam[:, col[k]].T
        outer = a[:, :, None] * b[:, None, :]
        diag = row[k] == col[k]
        dsig[k] = np.where(diag[:, None, None], outer, outer + outer.transpose(0, 2, 1))
        k = np.flatnonzero(kind == THETA)
        dsig[k, row[k], row[k]] = 1.0
        k = np.flatnonzero(kind == NU)
        dmu[k] = eye[row[k]]
        k = np.flatnonzero(kind == ALPHA)
        dmu[k] = lam[:, row[k]].T
        # aggregate entries sharing a free parameter
        idx = index[sel]
        uniq, inv = np.unique(idx, return_inverse=True)
        agg_sig = np.zeros((len(uniq), p, p))
        agg_mu = np.zeros((len(uniq), p))
        np.add.at(agg_sig, inv, dsig)
        np.add.at(agg_mu, inv, dmu)
        linv = np.linalg.inv(chol)
        c = linv @ agg_sig @ linv.T  # L^-1 dSigma L^-T, symmetric
        cf = c.reshape(len(uniq), -1)
        mm = agg_mu @ linv.T
        block = 0.5 * cf @ cf.T + mm @ mm.T
        info[np.ix_(uniq, uniq)] += (s.n / n_total) * block
    return info


#: nlminb's relative function convergence tolerance as lavaan sets it (``rel.tol = 1e-10``).
REL_TOL = 1e-10
#: lavaan's ``optim.dx.tol``: the largest gradient element of its objective (F_ML / 2) at convergence.
DX_TOL = 1e-3
#: nlminb's absolute function convergence as lavaan sets it (``abs.tol = 10 * machine epsilon``).
ABS_TOL = 10 * np.finfo(float).eps


@dataclass(frozen=True)
class Estimation:
    """An ML fit: estimates, F_ML, whether it converged (:func:`converged_at`), effort and the start used."""

    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    max_gradient: float
    decrease: float = float("nan")
    start: str = ""


def converged_at(theta, table: ParTable, groups: list[GroupStats], f: float, grad: np.ndarray) -> tuple[bool, float]:
    """lavaan's verdict on a point: ``(converged, predicted decrease)``.

    Converged means relative function convergence as nlminb (lavaan's optimiser) judges it: the
    decrease of F that a full Fisher-scoring (Newton) step still promises,
    :math:`\tfrac12 g^\top (2I)^{-1} g`, is at most ``REL_TOL`` times F (or F itself is below
    ``ABS_TOL``); and lavaan's check on the gradient of its objective F/2: every element below
    ``DX_TOL``. A relative criterion, unlike an absolute threshold on the gradient, does not depend
    on how the variables are scaled.
    """
    if not np.isfinite(f):
        return False, float("inf")
    if len(grad) == 0:
        return True, 0.0
    info = information(theta, table, groups)
    step = np.linalg.lstsq(2.0 * info, grad, rcond=None)[0]
    decrease = float(max(0.5 * grad @ step, 0.0))
    small_gradient = float(np.max(np.abs(grad))) / 2 <= DX_TOL
    return bool(small_gradient and (f <= ABS_TOL or decrease <= REL_TOL * f)), decrease


def estimate(table: ParTable, groups: list[GroupStats], start: np.ndarray, *, name: str = "",
             max_iter: int = 1000) -> Estimation:
    """Minimise F_ML from `start` with L-BFGS-B (analytic gradient, at most `max_iter` iterations), then
    polish with Fisher scoring steps."""
    res = optimize.minimize(
        objective,
        start,
        args=(table, groups),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 30},
    )
    theta, f, grad, iterations = _fisher_scoring(table, groups, res.x, int(res.nit))
    max_grad = float(np.max(np.abs(grad))) if len(grad) else 0.0
    converged, decrease = converged_at(theta, table, groups, f, grad)
    return Estimation(theta, float(f), converged, iterations, max_grad, decrease, name)


def _fisher_scoring(table, groups, theta, iterations, max_steps=200):
    """Fisher-scoring steps with step halving from `theta`: ``(theta, F, gradient, iterations)``."""
    f, grad = objective(theta, table, groups)
    for _ in range(max_steps):
        if not np.isfinite(f):
            break
        info = information(theta, table, groups)
        try:
            step = np.linalg.solve(2.0 * info, grad)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-6:
            f_new, g_new = objective(theta - t * step, table, groups)
            if f_new <= f + 1e-14:
                break
            t /= 2
        else:
            break
        theta = theta - t * step
        f, grad = f_new, g_new
        iterations += 1
        if np.max(np.abs(t * step)) < 1e-11:
            break
    return theta, f, grad, iterations


def fit_ml(table: ParTable, groups: list[GroupStats], pattern: np.ndarray) -> Estimation:
    """ML estimates from the first start that converges, else the best (lowest F) of them all.

    Starts, in order (:mod:`belonging.psychometrics._starts`): one principal component per factor
    (``"components"``), lavaan's ``"default"`` (fabin3 loadings, half the observed variances) and
    lavaan's ``"simple"`` (loadings and variances 1, the rest 0).
    """
    from belonging.psychometrics._starts import starts

    best = None
    for name, start in starts(table, groups, pattern):
        # the first start gets the full budget; the others a shorter quasi-Newton run before Fisher scoring
        est = estimate(table, groups, start, name=name, max_iter=1000 if best is None else 200)
        if est.converged:
            return est
        if best is None or (np.isfinite(est.fmin) and not est.fmin >= best.fmin):
            best = est
    return best


# ---- fit measures ---------------------------------------------------------------------------


def baseline_chisq(groups: list[GroupStats]) -> tuple[float, int]:
    """Chi-square and df of the independence model (free means and variances in every group)."""
    chisq = 0.0
    for s in groups:
        _, logdet = np.linalg.slogdet(s.cov)
        chisq += s.n * (np.log(np.diag(s.cov)).sum() - logdet)
    p = len(groups[0].mean)
    return chisq, len(groups) * p * (p - 1) // 2


def rmsea_ci(chisq: float, df: float, n: int, n_groups: int, confidence: float = 0.90):
    """Lower and upper bound of the RMSEA confidence interval (noncentral chi-square inversion)."""
    if df <= 0:
        return np.nan, np.nan
    lo_p, hi_p = (1 + confidence) / 2, (1 - confidence) / 2

    def bound(prob):
        if stats.chi2.cdf(chisq, df) < prob:
            return 0.0

        def fn(lam):
            return stats.ncx2.cdf(chisq, df, lam) - prob

        upper = max(chisq, 1.0)
        while fn(upper) > 0:
            upper *= 2
        lam = optimize.brentq(fn, 1e-12, upper, xtol=1e-12, rtol=1e-14)
        return float(np.sqrt(lam / (n * df)) * np.sqrt(n_groups))

    return bound(lo_p), bound(hi_p)


def srmr(table: ParTable, vals: np.ndarray, groups: list[GroupStats]) -> float:
    """lavaan's SRMR (Bentler's, with the mean residuals): n-weighted mean of group values."""
    n_total = sum(s.n for s in groups)
    out = 0.0
    p = table.n_obs
    low = np.tril_indices(p)
    for g, s in enumerate(groups):
        sigma, mu = implied(table, vals, g)
        sd = np.sqrt(np.diag(s.cov))
        res_cov = (s.cov - sigma) / np.outer(sd, sd)
        res_mean = (s.mean - mu) / sd
        ss = np.sum(res_cov[low] ** 2) + np.sum(res_mean**2)
        out += s.n / n_total * np.sqrt(ss / (p * (p + 1) / 2 + p))
    return float(out)


def fit_measures(table: ParTable, theta: np.ndarray, fmin: float, groups: list[GroupStats]) -> dict:
    """Chi-square test, CFI, TLI, RMSEA with CI, SRMR, log-likelihood, AIC and BIC."""
    n = sum(s.n for s in groups)
    n_groups = len(groups)
    p = table.n_obs
    npar = table.n_free
    df = n_groups * p * (p + 3) // 2 - npar
    chisq = n * fmin
    vals = entry_values(table, theta, table.free)
    loglik = 0.0
    for g, s in enumerate(groups):
        sigma, mu = implied(table, vals, g)
        _, logdet = np.linalg.slogdet(sigma)
        inv = np.linalg.inv(sigma)
        d = s.mean - mu
        loglik += -0.5 * s.n * (p * np.log(2 * np.pi) + logdet + np.sum(inv * s.cov) + d @ inv @ d)
    b_chisq, b_df = baseline_chisq(groups)
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, b_chisq - b_df, 0.0)
    cfi = 1.0 if t2 == 0 else 1.0 - t1 / t2
    tli = (b_chisq / b_df - chisq / df) / (b_chisq / b_df - 1.0) if df > 0 else np.nan
    rmsea = float(np.sqrt(max(chisq - df, 0.0) / (df * n)) * np.sqrt(n_groups)) if df > 0 else np.nan
    lo, hi = rmsea_ci(chisq, df, n, n_groups)
    return {
        "chisq": float(chisq),
        "df": int(df),
        "p_value": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": rmsea,
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "srmr": srmr(table, vals, groups),
        "aic": float(-2 * loglik + 2 * npar),
        "bic": float(-2 * loglik + npar * np.log(n)),
        "loglik": float(loglik),
        "npar": int(npar),
        "n": int(n),
        "baseline_chisq": float(b_chisq),
        "baseline_df": int(b_df),
    }


def score_tests(table: ParTable, theta: np.ndarray, groups: list[GroupStats]):
    """Univariate score (Lagrange multiplier) tests of each cross-group equality constraint.

    Returns ``(entries_a, entries_b, statistic)``: parameter-table entry pairs (reference group,
    other group) whose equality is tested and the chi-square (1 df) statistic for releasing it.
    """
    n = sum(s.n for s in groups)
    vals_free = entry_values(table, theta, table.free)
    n_own = table.n_own
    phi = np.zeros(n_own)
    m = table.own >= 0
    phi[table.own[m]] = vals_free[m]
    # constraint pairs: entries sharing a free index with an entry of another group
    pairs = []
    for idx in np.unique(table.free[table.free >= 0]):
        ent = np.flatnonzero(table.free == idx)
        if len(ent) > 1:
            pairs.extend((ent[0], e) for e in ent[1:])
    if not pairs:
        return np.array([], int), np.array([], int), np.array([])
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    _, grad = objective(phi, table, groups, index=table.own)
    info = information(phi, table, groups, index=table.own)
    score = -0.5 * n * grad  # d loglik / d phi
    big_info = n * info
    r = np.zeros((len(pairs), n_own))
    r[np.arange(len(pairs)), table.own[a]] = 1.0
    r[np.arange(len(pairs)), table.own[b]] = -1.0
    k = len(pairs)
    bordered = np.block([[big_info, r.T], [r, np.zeros((k, k))]])
    try:
        w = np.linalg.inv(bordered)
    except np.linalg.LinAlgError:
        w = np.linalg.pinv(bordered)
    # Releasing constraint i: the constrained covariance under the other constraints is the inverse
    # of the bordered matrix without row/column n_own + i, a rank-one downdate of w. Since the score
    # is orthogonal to the fully constrained covariance, the statistic reduces to one term.
    cross = score @ w[:n_own, n_own:]
    stat = -(cross**2) / np.diag(w)[n_own:]
    return a, b, stat
