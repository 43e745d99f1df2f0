"""Careless-responding indices, vectorised over the whole response matrix.

Every function takes a 2-D float array (respondents x items, NaN for missing) and returns one value
per respondent. Definitions follow the R package careless (Yentes & Wilhelm); no Python loop runs
over respondents (loops over items, splits or factors only).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "even_odd",
    "irv",
    "longstring",
    "mahalanobis",
    "pairwise_correlation",
    "pairwise_covariance",
    "pairwise_moments",
    "psychsyn",
]


def _matrix(x) -> np.ndarray:
    arr = np.asarray(x, dtype="float64")
    if arr.ndim != 2:
        msg = f"expected a 2-D matrix (respondents x items); got {arr.ndim} dimension(s)"
        raise ValueError(msg)
    return arr


def longstring(x):
    """Longest and average run of identical consecutive answers per respondent.

    Parameters
    ----------
    x : array-like, shape (n, k)
        Answers as codes; NaN for missing.

    Returns
    -------
    longest : numpy.ndarray of float, shape (n,)
        Length of the longest run of identical consecutive answers.
    average : numpy.ndarray of float, shape (n,)
        Mean run length, :math:`k / \\text{number of runs}`.

    Notes
    -----
    A run is a maximal stretch of equal consecutive values (R's ``rle``); a missing answer ends a
    run and forms a run of length one, as in ``careless::longstring(x, avg = TRUE)`` (columns
    ``longstr`` and ``avgstr``). Validated against a base-R ``rle`` implementation of that
    definition (tests/reference/careless), exactly.
    """
    x = _matrix(x)
    n, k = x.shape
    longest = np.ones(n) if k else np.zeros(n)
    current = np.ones(n)
    runs = np.full(n, float(min(k, 1)))
    for j in range(1, k):
        same = x[:, j] == x[:, j - 1]  # NaN compares unequal: a missing answer ends a run
        current = np.where(same, current + 1.0, 1.0)
        np.maximum(longest, current, out=longest)
        runs += ~same
    with np.errstate(invalid="ignore", divide="ignore"):
        average = k / runs
    return longest, average


def _row_sd(x: np.ndarray) -> np.ndarray:
    have = ~np.isnan(x)
    count = have.sum(axis=1)
    z = np.where(have, x, 0.0)  # the one n x k temporary: centred in place below
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = z.sum(axis=1) / count
        z -= mean[:, None]
        np.multiply(z, have, out=z)  # missing answers contribute nothing
        var = np.einsum("ij,ij->i", z, z) / (count - 1)
    var[count < 2] = np.nan
    return np.sqrt(var)


def _cut_bins(k: int, splits: int) -> np.ndarray:
    """Bin (0-based) of each item position 1..k under R's ``cut(seq_len(k), splits, labels=FALSE)``."""
    pos = np.arange(1, k + 1, dtype="float64")
    lo, hi = 1.0, float(k)
    breaks = np.linspace(lo, hi, splits + 1)
    dx = hi - lo
    breaks[0], breaks[-1] = lo - dx / 1000, hi + dx / 1000
    if dx == 0:  # a single item: R widens the range by 0.1%
        breaks[0], breaks[-1] = lo - abs(lo) / 1000, hi + abs(hi) / 1000
    # intervals are right-closed, (b_j, b_{j+1}]
    return np.searchsorted(breaks, pos, side="left") - 1


def irv(x, *, splits: int | None = None):
    """Intra-individual response variability: the standard deviation of each respondent's answers.

    Parameters
    ----------
    x : array-like, shape (n, k)
    splits : int, optional
        Also return the IRV of `splits` consecutive blocks of items of (nearly) equal length.

    Returns
    -------
    numpy.ndarray, shape (n,) or (n, 1 + splits)
        Column 0 is the IRV over all items; columns 1.. the IRV of each block when `splits` is given.
        NaN where fewer than two answers are available.

    Notes
    -----
    :math:`\\mathrm{IRV}_i = \\sqrt{\\sum_{j \\in A_i}(x_{ij} - \\bar{x}_i)^2 / (|A_i| - 1)}` over
    the answered items :math:`A_i` (Dunn et al., 2018), as ``careless::irv(x, na.rm = TRUE)``;
    blocks as ``careless::irv(split = TRUE, num.split = splits)``, i.e. items binned by
    ``cut(seq_along(items), splits)``. Validated against base R ``sd`` (tests/reference/careless)
    to 1e-12.
    """
    x = _matrix(x)
    total = _row_sd(x)
    if not splits:
        return total
    bins = _cut_bins(x.shape[1], int(splits))
    out = np.empty((x.shape[0], 1 + int(splits)))
    out[:, 0] = total
    for b in range(int(splits)):
        out[:, 1 + b] = _row_sd(x[:, bins == b])
    return out


def pairwise_moments(x) -> dict:
    """Cross-products of the pairwise-complete item matrix, shared by the covariance and correlation.

    Returns a dict with ``n`` (pairs answered, k x k), ``s`` (sum of x_i where j is present), ``p``
    (sum of x_i x_j), ``q`` (sum of x_i^2 where j is present), all of the data shifted by the item
    means (which keeps the sums well conditioned). One pass over the data; pass the result to
    :func:`pairwise_covariance`, :func:`pairwise_correlation` and :func:`mahalanobis` to share it.
    """
    x = _matrix(x)
    have = ~np.isnan(x)
    m = have.astype("float64")
    z = np.where(have, x, 0.0)
    count = m.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.where(count > 0, z.sum(axis=0) / count, 0.0)  # item means over the answers given
    z -= shift
    np.multiply(z, m, out=z)  # missing answers stay 0 after the shift
    moments = {"n": m.T @ m, "s": z.T @ m, "p": z.T @ z, "mean": shift}
    np.multiply(z, z, out=z)
    moments["q"] = z.T @ m
    return moments


def pairwise_covariance(x, *, moments=None):
    """Covariance matrix from pairwise-complete observations (R ``cov(x, use = "pairwise")``).

    Returns ``(cov, n_pairs)``; computed from cross-products of the masked matrix (no loop).
    `moments` from :func:`pairwise_moments` of the same `x` skips that pass.
    """
    mo = pairwise_moments(x) if moments is None else moments
    n_ij, s_ij, p_ij = mo["n"], mo["s"], mo["p"]
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (p_ij - s_ij * s_ij.T / n_ij) / (n_ij - 1.0)
    cov[n_ij < 2] = np.nan
    return cov, n_ij


def pairwise_correlation(x, *, moments=None):
    """Correlation matrix from pairwise-complete observations (R ``cor(x, use = "pairwise")``).

    `moments` from :func:`pairwise_moments` of the same `x` skips the pass over the data.
    """
    mo = pairwise_moments(x) if moments is None else moments
    n_ij, s_ij, p_ij, q_ij = mo["n"], mo["s"], mo["p"], mo["q"]
    with np.errstate(invalid="ignore", divide="ignore"):
        cxy = p_ij - s_ij * s_ij.T / n_ij
        vx = q_ij - s_ij * s_ij / n_ij
        r = cxy / np.sqrt(vx * vx.T)
    r[n_ij < 2] = np.nan
    np.fill_diagonal(r, np.where(np.diag(n_ij) >= 2, 1.0, np.nan))
    return np.clip(r, -1.0, 1.0)


def mahalanobis(x, *, moments=None):
    """Squared Mahalanobis distance of each respondent from the item means.

    Parameters
    ----------
    x : array-like, shape (n, k)

    Returns
    -------
    numpy.ndarray, shape (n,)
        :math:`D^2_i`; NaN for a respondent with no answers.

    Raises
    ------
    numpy.linalg.LinAlgError
        The pairwise covariance matrix is singular or undefined.

    Notes
    -----
    :math:`D^2_i = (x_i - \\bar{x})^\\top S^{-1} (x_i - \\bar{x})` with :math:`\\bar{x}` the item
    means over available answers and :math:`S` the pairwise-complete covariance matrix; missing
    answers contribute nothing (their centred value counts as 0). This is ``psych::outlier(x,
    na.rm = TRUE)``, which ``careless::mahad`` calls. Validated against psych::outlier 2.2.9
    (tests/reference/careless) to 1e-9 relative.
    """
    x = _matrix(x)
    have = ~np.isnan(x)
    cov, _ = pairwise_covariance(x, moments=moments)
    if not np.all(np.isfinite(cov)):
        msg = "the pairwise covariance matrix of the items has undefined entries"
        raise np.linalg.LinAlgError(msg)
    inv = np.linalg.inv(cov)
    if moments is not None:
        mean = moments["mean"]
    else:
        count = have.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, np.where(have, x, 0.0).sum(axis=0) / count, 0.0)
    z = x - mean
    np.copyto(z, 0.0, where=~have)
    d2 = np.einsum("ij,ij->i", z @ inv, z)
    del z
    d2[~have.any(axis=1)] = np.nan
    return d2


def _row_corr(a: np.ndarray, b: np.ndarray, *, min_pairs: int = 2):
    """Pearson correlation of a[i, :] with b[i, :] for each row over pairwise-complete columns."""
    ok = ~(np.isnan(a) | np.isnan(b))
    n = ok.sum(axis=1).astype("float64")
    az = np.where(ok, a, 0.0)
    bz = np.where(ok, b, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ma = az.sum(axis=1) / n
        mb = bz.sum(axis=1) / n
        da = np.where(ok, a - ma[:, None], 0.0)
        db = np.where(ok, b - mb[:, None], 0.0)
        sab = (da * db).sum(axis=1)
        saa = (da * da).sum(axis=1)
        sbb = (db * db).sum(axis=1)
        r = sab / np.sqrt(saa * sbb)
    r[(n < min_pairs) | (saa <= 0) | (sbb <= 0)] = np.nan
    return np.clip(r, -1.0, 1.0), n


def even_odd(x, factors):
    """Even-odd consistency per respondent (higher = less consistent).

    Parameters
    ----------
    x : array-like, shape (n, k)
        Answers with reverse-keyed items already recoded, columns grouped by factor.
    factors : sequence of int
        Number of items of each factor, in column order (at least two factors).

    Returns
    -------
    numpy.ndarray, shape (n,)
        :math:`-r_{SB}`; NaN where fewer than two factors have both halves answered or a half has no
        variance across factors.

    Raises
    ------
    ValueError
        Fewer than two factors, or factor lengths that exceed the number of columns.

    Notes
    -----
    Within each factor the items at even positions (2nd, 4th, ...) and at odd positions are averaged
    over the answered ones; the correlation :math:`r` of the even and odd means across factors
    (pairwise complete) is stepped up with Spearman-Brown, :math:`r_{SB} = 2r / (1 + r)`, bounded
    below at -1, and negated so that higher means more careless (``careless::evenodd`` >= 1.2.0;
    Johnson, 2005). Validated against a base-R implementation of that definition
    (tests/reference/careless) to 1e-12.
    """
    x = _matrix(x)
    factors = [int(f) for f in factors]
    if len(factors) < 2:
        msg = "even-odd consistency needs at least two factors (subscales)"
        raise ValueError(msg)
    if sum(factors) > x.shape[1]:
        msg = f"the factors have {sum(factors)} items but the matrix has {x.shape[1]} columns"
        raise ValueError(msg)
    n = x.shape[0]
    even = np.empty((n, len(factors)))
    odd = np.empty((n, len(factors)))
    start = 0
    for f, size in enumerate(factors):
        block = x[:, start:start + size]
        start += size
        for out, cols in ((even, block[:, 1::2]), (odd, block[:, 0::2])):
            have = ~np.isnan(cols)
            cnt = have.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[:, f] = np.where(have, cols, 0.0).sum(axis=1) / cnt
    r, _ = _row_corr(even, odd)
    with np.errstate(invalid="ignore", divide="ignore"):
        sb = 2.0 * r / (1.0 + r)
    sb = np.where(r == -1.0, -1.0, sb)
    sb = np.where(sb < -1.0, -1.0, sb)
    return -sb


def psychsyn(x, *, critval: float = 0.60, antonyms: bool = False, correlation=None):
    """Psychometric synonym (or antonym) score per respondent.

    Parameters
    ----------
    x : array-like, shape (n, k)
    critval : float, default 0.60
        Item pairs whose sample correlation exceeds `critval` (antonyms: is below ``-critval``) are
        synonyms (antonyms).
    antonyms : bool, default False
    correlation : numpy.ndarray, optional
        The item correlation matrix of `x` from :func:`pairwise_correlation`, when already computed.

    Returns
    -------
    score : numpy.ndarray, shape (n,)
        Within-person correlation across the item pairs; NaN with fewer than three complete pairs
        or no variance.
    n_pairs : numpy.ndarray of int, shape (n,)
        Number of pairs the respondent answered both items of.
    pairs : numpy.ndarray of int, shape (P, 2)
        Column indices of the pairs found.

    Notes
    -----
    Pairs come from the pairwise-complete item correlation matrix over all respondents; each
    respondent's score is the Pearson correlation between the first and second items of the pairs
    (Meade & Craig, 2012), computed for all respondents at once with masked matrix sums. It is
    ``careless::psychsyn(x, critval, anto, resample_na = FALSE)``: careless's default
    ``resample_na = TRUE`` instead reshuffles pairs at random when the correlation is undefined,
    which we do not do (results stay deterministic). Validated against a base-R implementation
    (tests/reference/careless) to 1e-12.
    """
    x = _matrix(x)
    crit = abs(float(critval))
    r = pairwise_correlation(x) if correlation is None else np.asarray(correlation, dtype="float64")
    lower = np.tril(np.ones_like(r, dtype=bool), k=-1)
    hit = lower & ((r < -crit) if antonyms else (r > crit))
    rows, cols = np.nonzero(hit)
    pairs = np.column_stack([rows, cols]).astype("int64")
    if len(pairs) == 0:
        return np.full(x.shape[0], np.nan), np.zeros(x.shape[0], dtype="int64"), pairs
    # Sums over each respondent's complete pairs through the k x k pair matrix W (W[a, b] = 1 for a
    # pair (a, b)): memory stays n x k however many pairs there are.
    w = np.zeros(r.shape)
    w[rows, cols] = 1.0
    have = ~np.isnan(x)
    m = have.astype("float64")
    z = np.where(have, x, 0.0)
    mw, zw, zzw = m @ w, z @ w, (z * z) @ w  # (.)[i, b] = sum over pairs (a, b) of the first item
    n = np.einsum("ij,ij->i", mw, m)
    sa = np.einsum("ij,ij->i", zw, m)
    sb = np.einsum("ij,ij->i", mw, z)
    saa = np.einsum("ij,ij->i", zzw, m)
    sbb = np.einsum("ij,ij->i", mw, z * z)
    sab = np.einsum("ij,ij->i", zw, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        vaa = saa - sa * sa / n
        vbb = sbb - sb * sb / n
        score = (sab - sa * sb / n) / np.sqrt(vaa * vbb)
    tiny = 1e-12 * np.maximum(saa, sbb)  # exact zero for integer codes; a guard for others
    score[(n < 3) | (vaa <= tiny) | (vbb <= tiny)] = np.nan
    return np.clip(score, -1.0, 1.0), np.rint(n).astype("int64"), pairs
