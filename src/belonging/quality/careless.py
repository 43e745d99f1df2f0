"""Careless-responding indices, vectorised over the whole response matrix.

Every function takes a 2-D float array (respondents x items, NaN for missing) and returns one value
per respondent. Definitions follow the R package careless (Yentes & Wilhelm); no Python loop runs
over respondents (loops over items, splits, factors or blocks of rows only).

Row-wise work runs in blocks of :data:`CHUNK_ROWS` rows (``chunk_rows=`` overrides it), so however
many respondents there are, the temporaries stay a few blocks of rows x items; the blocks run on up to
``workers`` threads (NumPy releases the GIL; BLAS is held to one thread meanwhile, so the threads do not
compete with its own). The results equal those computed on the whole matrix at once up to
floating-point summation order, and do not depend on the number of threads: sums over blocks are
added in block order.
"""

from __future__ import annotations

import numpy as np

from belonging import _parallel

__all__ = [
    "chi2_sf",
    "even_odd",
    "irv",
    "longstring",
    "mahalanobis",
    "pairwise_correlation",
    "pairwise_covariance",
    "pairwise_moments",
    "psychsyn",
]

#: Rows per block for row-wise work (about 2.4 MB per float64 temporary at 18 items: it stays in cache).
CHUNK_ROWS = 16_384

#: Most threads used for the blocks when ``workers`` is not given.
MAX_WORKERS = _parallel.MAX_WORKERS


def _blocks(n: int, chunk_rows: int | None):
    """Row slices of at most `chunk_rows` (default :data:`CHUNK_ROWS`) covering ``range(n)``."""
    return _parallel.row_blocks(n, CHUNK_ROWS if chunk_rows is None else int(chunk_rows))


_run_blocks = _parallel.run_blocks
_scratch = _parallel.scratch


def _matrix(x) -> np.ndarray:
    arr = np.asarray(x, dtype="float64")
    if arr.ndim != 2:
        msg = f"expected a 2-D matrix (respondents x items); got {arr.ndim} dimension(s)"
        raise ValueError(msg)
    return arr


def longstring(x, *, chunk_rows: int | None = None, workers: int | None = None):
    """Longest and average run of identical consecutive answers per respondent.

    Parameters
    ----------
    x : array-like, shape (n, k)
        Answers as codes; NaN for missing.
    chunk_rows, workers : int, optional
        Rows per block of work (default :data:`CHUNK_ROWS`) and threads sharing the blocks (default:
        up to :data:`MAX_WORKERS`, the CPUs available); the result does not depend on them.

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
    out = _sweep(x, longstring=True, chunk_rows=chunk_rows, workers=workers)
    return out["longstring"], out["longstring_avg"]


def _sweep(
    x, *, longstring: bool = False, irv: bool = False, moments: bool = False, codes: tuple[float, float] | None = None,
    chunk_rows: int | None = None, workers: int | None = None,
) -> dict:
    """One pass over the rows of `x` for several indices at once (each block read once, in cache).

    Returns a dict with ``longstring`` and ``longstring_avg`` (as :func:`longstring`), ``irv`` (the
    IRV over all items, as :func:`irv`) and ``moments`` (as :func:`pairwise_moments`), for those
    asked for. :func:`belonging.check_quality` uses it so the matrix is swept once, not once per index.

    `codes` ``(lo, hi)`` says that every answer is a whole number between `lo` and `hi` (as
    :func:`belonging.map_items` guarantees). When a block's sums of squares then stay below
    :math:`2^{24}`, the block is worked in float32 on the answers less `lo` (whole numbers from 0 to
    ``hi - lo``), where every product and sum is still an exact integer: the same sums at half the
    memory traffic and twice the BLAS speed. The IRV then comes from those exact sums as
    :math:`(c S_2 - S_1^2) / (c (c - 1))` (a straight line is exactly 0), and the moments are about
    `lo`. Either way the results agree with the float64 route to rounding (tests check 1e-12).
    """
    x = _matrix(x)
    n, k = x.shape
    blocks = _blocks(n, chunk_rows)
    rows_max = max((b.stop - b.start for b in blocks), default=0)
    exact = codes is not None and float(codes[1] - codes[0]) ** 2 * max(rows_max, k, 1) < 2**24
    out: dict = {}
    if longstring:
        longest = out["longstring"] = np.ones(n) if k else np.zeros(n)
        runs = np.full(n, float(min(k, 1)))
    if irv:
        sd = out["irv"] = np.empty(n)
    shift = (np.full(k, float(codes[0])) if exact else _first_block_means(x, blocks)) if moments else None

    def block(rows, scratch):
        xb = x[rows]
        nb = len(xb)
        if exact:  # whole numbers 0..hi-lo after the shift: float32 holds them and every sum below exactly
            src = _scratch(scratch, "x32", nb, k, np.float32)
            np.subtract(xb, codes[0], out=src, casting="same_kind")
        else:
            src = xb
        missing = _scratch(scratch, "missing", nb, k, bool)
        np.isnan(src, out=missing)
        if longstring and k >= 2:
            same = _scratch(scratch, "same", nb, k - 1, bool)
            np.equal(src[:, 1:], src[:, :-1], out=same)  # every neighbour pair at once; NaN compares unequal: a missing answer ends a run
            current = _scratch(scratch, "current", nb, 1, np.float32)[:, 0]  # run lengths <= k: exact in float32
            top = _scratch(scratch, "top", nb, 1, np.float32)[:, 0]
            current[:] = 1.0
            top[:] = 1.0
            for j in range(k - 1):
                np.multiply(current, same[:, j], out=current)  # 0 where the run ends ...
                current += 1.0  # ... so 1 there, one longer elsewhere
                np.maximum(top, current, out=top)
            longest[rows] = top
            runs[rows] = k - np.add.reduce(same.view(np.uint8), axis=1, dtype=np.uint8 if k < 256 else np.int64)  # 1 + breaks
        if not exact:
            if irv:
                sd[rows] = _block_sd(xb, missing, _scratch(scratch, "z", nb, k))
            return _block_moments(xb, missing, shift, _scratch(scratch, "a", nb, 3 * k)) if moments else None
        if not (irv or moments):
            return None
        a = _scratch(scratch, "a32", nb, 3 * k, np.float32)
        m, z = _answer_columns(src, missing, None, a)  # the shift is already in `src`
        zz = a[:, 2 * k:]
        if irv:  # row sums of exact integers below 2**24: exact in float32, whatever the order
            c, s1, s2 = (np.add.reduce(part, axis=1).astype(np.float64) for part in (m, z, zz))
            with np.errstate(invalid="ignore", divide="ignore"):
                var = (c * s2 - s1 * s1) / (c * (c - 1.0))  # exact integers over an exact integer
            var[c < 2] = np.nan
            sd[rows] = np.sqrt(var)
        if moments:
            return (a.T @ m).astype(np.float64), (z.T @ z).astype(np.float64)
        return None

    parts = _run_blocks(block, blocks, workers)
    if longstring:
        with np.errstate(invalid="ignore", divide="ignore"):
            out["longstring_avg"] = k / runs
    if moments:
        g, p_ij = np.zeros((3 * k, k)), np.zeros((k, k))
        for part in parts:  # in block order: the sums do not depend on the threads
            g += part[0]
            p_ij += part[1]
        n_ij, s_ij, q_ij = g[:k], g[k:2 * k], g[2 * k:]
        with np.errstate(invalid="ignore", divide="ignore"):
            count = np.diag(n_ij)
            mean = np.where(count > 0, shift + np.diag(s_ij) / count, 0.0)  # item means over the answers given
        out["moments"] = {"n": n_ij.copy(), "s": s_ij.copy(), "p": p_ij, "q": q_ij.copy(), "mean": mean}
    return out


def _block_sd(xb, missing, z) -> np.ndarray:
    """Standard deviation of each row of `xb` over its answers (two-pass, NaN below two answers)."""
    count = xb.shape[1] - missing.sum(axis=1)
    np.copyto(z, xb)
    np.copyto(z, 0.0, where=missing)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = z.sum(axis=1) / count
        z -= mean[:, None]
        np.copyto(z, 0.0, where=missing)  # missing answers contribute nothing
        var = np.einsum("ij,ij->i", z, z) / (count - 1)
    var[count < 2] = np.nan
    return np.sqrt(var)


def _first_block_means(x, blocks) -> np.ndarray:
    """Item means of the first block's answers (0 where none): the shift of :func:`pairwise_moments`."""
    with np.errstate(invalid="ignore", divide="ignore"):  # a first block with an item never answered
        first = x[blocks[0]] if blocks else x
        have = ~np.isnan(first)
        shift = np.where(have, first, 0.0).sum(axis=0) / have.sum(axis=0)
    return np.where(np.isfinite(shift), shift, 0.0)


def _answer_columns(xb, missing, shift, a):
    """Fill `a` with ``[answered, shifted, shifted^2]`` of one block of rows; return its first two parts.

    ``shift=None`` says `xb` is already shifted to values >= 0 (the float32 route): ``fmax`` then
    turns only the missing answers (NaN) to 0, one pass instead of a subtraction and a masked copy.
    """
    k = xb.shape[1]
    m, z, zz = a[:, :k], a[:, k:2 * k], a[:, 2 * k:]
    np.logical_not(missing, out=m)  # 1.0 where answered
    if shift is None:
        np.fmax(xb, 0.0, out=z)
    else:
        np.subtract(xb, shift, out=z)
        np.copyto(z, 0.0, where=missing)  # missing answers count 0 after the shift
    np.multiply(z, z, out=zz)
    return m, z


def _block_moments(xb, missing, shift, a):
    """``([answered, shifted, shifted^2]' answered, shifted' shifted)`` of one block of rows."""
    m, z = _answer_columns(xb, missing, shift, a)
    return a.T @ m, z.T @ z


def _row_sd(x: np.ndarray, chunk_rows: int | None = None, workers: int | None = None) -> np.ndarray:
    return _sweep(x, irv=True, chunk_rows=chunk_rows, workers=workers)["irv"]


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


def irv(x, *, splits: int | None = None, chunk_rows: int | None = None, workers: int | None = None):
    """Intra-individual response variability: the standard deviation of each respondent's answers.

    Parameters
    ----------
    x : array-like, shape (n, k)
    splits : int, optional
        Also return the IRV of `splits` consecutive blocks of items of (nearly) equal length.
    chunk_rows, workers : int, optional
        Rows per block of work (default :data:`CHUNK_ROWS`) and threads sharing the blocks (default:
        up to :data:`MAX_WORKERS`); the result does not depend on them.

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
    total = _row_sd(x, chunk_rows, workers)
    if not splits:
        return total
    bins = _cut_bins(x.shape[1], int(splits))
    out = np.empty((x.shape[0], 1 + int(splits)))
    out[:, 0] = total
    for b in range(int(splits)):
        out[:, 1 + b] = _row_sd(x[:, bins == b], chunk_rows, workers)
    return out


def pairwise_moments(x, *, chunk_rows: int | None = None, workers: int | None = None) -> dict:
    """Cross-products of the pairwise-complete item matrix, shared by the covariance and correlation.

    Returns a dict with ``n`` (pairs answered, k x k), ``s`` (sum of x_i where j is present), ``p``
    (sum of x_i x_j), ``q`` (sum of x_i^2 where j is present), all of the data shifted by a constant
    per item (the mean of the first block's answers, which keeps the sums well conditioned; the
    covariance and correlation do not depend on it), and ``mean``, the item means over all answers
    given. One pass over the data in blocks of `chunk_rows` rows; pass the result to
    :func:`pairwise_covariance`, :func:`pairwise_correlation` and :func:`mahalanobis` to share it.
    """
    return _sweep(x, moments=True, chunk_rows=chunk_rows, workers=workers)["moments"]


def pairwise_covariance(x, *, moments=None, chunk_rows: int | None = None):
    """Covariance matrix from pairwise-complete observations (R ``cov(x, use = "pairwise")``).

    Returns ``(cov, n_pairs)``; computed from cross-products of the masked matrix (no loop).
    `moments` from :func:`pairwise_moments` of the same `x` skips that pass.
    """
    mo = pairwise_moments(x, chunk_rows=chunk_rows) if moments is None else moments
    n_ij, s_ij, p_ij = mo["n"], mo["s"], mo["p"]
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (p_ij - s_ij * s_ij.T / n_ij) / (n_ij - 1.0)
    cov[n_ij < 2] = np.nan
    return cov, n_ij


def pairwise_correlation(x, *, moments=None, chunk_rows: int | None = None):
    """Correlation matrix from pairwise-complete observations (R ``cor(x, use = "pairwise")``).

    `moments` from :func:`pairwise_moments` of the same `x` skips the pass over the data.
    """
    mo = pairwise_moments(x, chunk_rows=chunk_rows) if moments is None else moments
    n_ij, s_ij, p_ij, q_ij = mo["n"], mo["s"], mo["p"], mo["q"]
    with np.errstate(invalid="ignore", divide="ignore"):
        cxy = p_ij - s_ij * s_ij.T / n_ij
        vx = q_ij - s_ij * s_ij / n_ij
        r = cxy / np.sqrt(vx * vx.T)
    r[n_ij < 2] = np.nan
    np.fill_diagonal(r, np.where(np.diag(n_ij) >= 2, 1.0, np.nan))
    return np.clip(r, -1.0, 1.0)


def mahalanobis(x, *, moments=None, chunk_rows: int | None = None, workers: int | None = None):
    """Squared Mahalanobis distance of each respondent from the item means.

    Parameters
    ----------
    x : array-like, shape (n, k)
    moments : dict, optional
        :func:`pairwise_moments` of the same `x`, when already computed.
    chunk_rows, workers : int, optional
        Rows per block of work (default :data:`CHUNK_ROWS`) and threads sharing the blocks (default:
        up to :data:`MAX_WORKERS`); the result does not depend on them.

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
    mo = pairwise_moments(x, chunk_rows=chunk_rows, workers=workers) if moments is None else moments
    cov, _ = pairwise_covariance(x, moments=mo)
    if not np.all(np.isfinite(cov)):
        msg = "the pairwise covariance matrix of the items has undefined entries"
        raise np.linalg.LinAlgError(msg)
    inv = np.linalg.inv(cov)
    mean = mo["mean"]
    d2 = np.empty(x.shape[0])
    k = x.shape[1]

    def block(rows, scratch):
        xb = x[rows]
        nb = len(xb)
        missing, z, zi = _scratch(scratch, "missing", nb, k, bool), _scratch(scratch, "z", nb, k), _scratch(scratch, "zi", nb, k)
        np.isnan(xb, out=missing)
        np.subtract(xb, mean, out=z)
        np.copyto(z, 0.0, where=missing)
        np.matmul(z, inv, out=zi)
        db = np.einsum("ij,ij->i", zi, z)
        db[missing.all(axis=1)] = np.nan
        d2[rows] = db

    _run_blocks(block, _blocks(x.shape[0], chunk_rows), workers)
    return d2


def chi2_sf(x, df: int):
    """Upper tail of the chi-square distribution, :math:`P(\\chi^2_{df} > x)`.

    For an even `df` = 2m this is the Poisson sum :math:`e^{-x/2} \\sum_{i<m} (x/2)^i / i!`
    (Abramowitz & Stegun 26.4.21), the sum by Horner's rule (positive terms: no cancellation) and the
    product as :math:`\\exp(\\log S - x/2)` so nothing overflows; one ``exp`` per value instead of one
    per term, and no import of ``scipy.special`` (a quarter of a second) for the usual even number of
    items. An odd `df` uses ``scipy.special.chdtrc``. Checked against ``scipy.stats.chi2.sf`` to
    1e-12 relative in the tests.
    """
    x = np.asarray(x, dtype="float64")
    df = int(df)
    if df < 1:
        msg = f"df must be a positive whole number; got {df}"
        raise ValueError(msg)
    if df % 2:
        from scipy.special import chdtrc

        return chdtrc(df, x)
    h = np.maximum(x, 0.0) / 2.0
    total = np.ones_like(h)  # 1 + h/1 (1 + h/2 (1 + ... (1 + h/(m-1))))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(df // 2 - 1, 0, -1):
            total *= h
            total /= i
            total += 1.0
        np.log(total, out=total)
        huge = np.isposinf(total) & np.isfinite(h)  # the sum overflowed (h of 1e7 at 100 items): in logs
        if huge.any():
            total[huge] = _log_poisson_sum(h[huge], df // 2)
        total -= h
        np.exp(total, out=total)
    total = np.where(h == 0.0, 1.0, np.where(np.isposinf(h), 0.0, total))
    return np.where(np.isnan(x), np.nan, np.minimum(total, 1.0))


def _log_poisson_sum(h: np.ndarray, m: int) -> np.ndarray:
    """:math:`\\log \\sum_{i<m} h^i / i!` for large `h`, each term in logs, scaled by the largest."""
    log_h = np.log(h)
    log_fact = np.cumsum(np.log(np.arange(1, m, dtype="float64")))
    terms = [np.zeros_like(h)] + [i * log_h - log_fact[i - 1] for i in range(1, m)]
    top = np.maximum.reduce(terms)
    return top + np.log(sum(np.exp(t - top) for t in terms))


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


def psychsyn(x, *, critval: float = 0.60, antonyms: bool = False, correlation=None, chunk_rows: int | None = None, workers: int | None = None):
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
    chunk_rows, workers : int, optional
        Rows per block of work (default :data:`CHUNK_ROWS`) and threads sharing the blocks (default:
        up to :data:`MAX_WORKERS`); the result does not depend on them.

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
    r = pairwise_correlation(x, moments=pairwise_moments(x, chunk_rows=chunk_rows, workers=workers)) if correlation is None else np.asarray(correlation, dtype="float64")
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
    score = np.empty(x.shape[0])
    count = np.empty(x.shape[0])

    def block(rows, scratch):
        score[rows], count[rows] = _pair_correlation(x[rows], w)

    _run_blocks(block, _blocks(x.shape[0], chunk_rows), workers)
    return score, np.rint(count).astype("int64"), pairs


def _pair_correlation(x, w):
    """Each row's correlation over the pairs (a, b) with ``w[a, b] = 1``, and its number of pairs."""
    have = ~np.isnan(x)
    m = have.astype("float64")
    z = np.where(have, x, 0.0)
    zz = z * z
    mw, zw, zzw = m @ w, z @ w, zz @ w  # (.)[i, b] = sum over pairs (a, b) of the first item
    n = np.einsum("ij,ij->i", mw, m)
    sa = np.einsum("ij,ij->i", zw, m)
    sb = np.einsum("ij,ij->i", mw, z)
    saa = np.einsum("ij,ij->i", zzw, m)
    sbb = np.einsum("ij,ij->i", mw, zz)
    sab = np.einsum("ij,ij->i", zw, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        vaa = saa - sa * sa / n
        vbb = sbb - sb * sb / n
        score = (sab - sa * sb / n) / np.sqrt(vaa * vbb)
    tiny = 1e-12 * np.maximum(saa, sbb)  # exact zero for integer codes; a guard for others
    score[(n < 3) | (vaa <= tiny) | (vbb <= tiny)] = np.nan
    return np.clip(score, -1.0, 1.0), n
