"""One pass over an item matrix: complete-row moments per scale and answer counts per item.

Private helper of :mod:`belonging.psychometrics.reliability`. For integer answer codes in a modest
range (every Likert-type instrument) everything the reliability tables need comes out of one sweep
over the rows, in blocks that stay in the CPU cache:

* missing answers are replaced by the code ``lo - 1`` below the column's smallest answer, so the
  block has no NaN and each cell is an integer;
* answer counts: the codes of a few columns are packed into one integer key (mixed radix, one
  ``gemm`` with the radix matrix) and counted with one ``bincount`` per group of columns; the
  count of code ``lo - 1`` is the column's missing count;
* a row is complete for a scale when every digit of its keys that belongs to the scale is
  non-zero: one lookup per group of columns in a precomputed boolean table;
* ``[Y, 1]^T [Y, 1]`` (one BLAS product per block) gives the sums, cross-products and row count of
  all rows, from which the incomplete rows' own products are subtracted; when most rows of a
  block are incomplete (and there is one scale) those rows are zeroed instead, the ones column
  becoming the completeness mask. With integer codes every one of these sums is an exact integer
  in double precision (the sweep checks the bound ``2^53``), so the covariance
  ``(X^T X - s s^T / n) / (n - 1)`` is as accurate as the two-pass centred formula.

Non-integer values, infinities or very wide code ranges return ``None``: the caller then uses the
general two-pass path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Moments", "Sweep", "code_range", "sweep"]

# rows per block: 4096 x 19 doubles = 0.6 MB per buffer, inside a core's L2 cache; also keeps each
# BLAS call small enough that OpenBLAS stays on one thread (its threaded path for a (groups x 19) @
# (19 x 16384) product was 100x slower on a busy 2-CPU machine)
_BLOCK = 4096
_MAX_BINS = 8192  # bins of one bincount (a group of columns)
_EXACT = 2.0**53
_MAGIC = 2.0**52
_MAGIC_BITS = int(np.array(_MAGIC).view(np.int64))


@dataclass(frozen=True)
class Moments:
    """Complete rows of one scale: their count, item means and covariance (denominator n - 1)."""

    n: int
    mean: np.ndarray
    cov: np.ndarray


@dataclass(frozen=True)
class Sweep:
    """Result of :func:`sweep`: moments per scale, and per column its missing count and code counts."""

    moments: list[Moments]
    missing: np.ndarray
    values: list[np.ndarray]
    counts: list[np.ndarray]


def code_range(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column smallest and largest non-missing value (NaN for an all-missing column or no rows)."""
    if values.shape[0] == 0:
        empty = np.full(values.shape[1], np.nan)
        return empty, empty.copy()
    with np.errstate(invalid="ignore"):
        return np.fmin.reduce(values, axis=0), np.fmax.reduce(values, axis=0)


def sweep(values: np.ndarray, scales: list[list[int]], lo: np.ndarray, hi: np.ndarray, *,
          check_integers: bool = True) -> Sweep | None:
    """Moments of each scale's complete rows and answer counts of each column of `values`.

    Parameters
    ----------
    values : ndarray (n, p), float64
        Item codes, NaN for missing; best Fortran-ordered (a DataFrame's own block).
    scales : list of list of int
        Column positions of each scale.
    lo, hi : ndarray (p,)
        Column minima and maxima from :func:`code_range` (over these or more rows).
    check_integers : bool, default True
        Verify that every value is an integer (False when the dtype guarantees it).

    Returns
    -------
    Sweep or None
        None when the fast path does not apply (non-integer or infinite values, a code range
        wider than 8190, an all-missing column, or sums beyond exact double precision).
    """
    n, p = values.shape
    if n == 0 or p == 0 or not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        return None
    if check_integers and not (np.array_equal(lo, np.floor(lo)) and np.array_equal(hi, np.floor(hi))):
        return None
    base = lo - 1.0  # the code of a missing answer
    width = (hi - base + 1.0).astype(np.int64)  # codes base..hi
    big = float(np.max(np.maximum(np.abs(base), np.abs(hi))))
    if np.any(width > _MAX_BINS) or n * big * big * 4 >= _EXACT:
        return None
    groups = _radix_groups(width)
    # key = sum of digit * place + 2^52: every partial sum is an integer below 2^53, so exact, and
    # the key's bits are those of the integer 2^52 + key (read without a float-to-int conversion)
    radix = np.zeros((len(groups), p + 1))
    for g, cols in enumerate(groups):
        place = 1
        for j in cols:
            radix[g, j] = place
            radix[g, p] -= place * base[j]
            place *= int(width[j])
        radix[g, p] += _MAGIC
    sizes = [int(np.prod(width[cols])) for cols in groups]
    tallies = [np.zeros(size, dtype=np.int64) for size in sizes]
    # per scale and group of columns: which keys have an answer in every column of the scale
    tables = [[_complete_keys(cols, set(sc), width, size) for cols, size in zip(groups, sizes, strict=True)]
              for sc in scales]

    block = min(_BLOCK, n)
    y = np.empty((block, p + 1), order="F")  # codes with missing -> base, then a column of ones
    floor_buf = np.empty((block, p), order="F") if check_integers else None
    same = np.empty((block, p), dtype=bool, order="F") if check_integers else None
    ix = [np.ix_(list(sc) + [p], list(sc) + [p]) for sc in scales]
    sub_cols = [list(sc) + [p] for sc in scales]
    acc = [np.zeros((len(sc) + 1, len(sc) + 1)) for sc in scales]
    for r0 in range(0, n, block):
        f = values[r0:r0 + block]
        m = f.shape[0]
        ym = y[:m]
        yv = ym[:, :p]
        ym[:, p] = 1.0
        np.fmax(f, base, out=yv)
        if check_integers:
            np.floor(yv, out=floor_buf[:m])
            if not np.equal(floor_buf[:m], yv, out=same[:m]).all():
                return None
        keys = (radix @ ym.T).view(np.int64)  # (groups, m), rows contiguous
        keys -= _MAGIC_BITS
        for g in range(len(groups)):
            tallies[g] += np.bincount(keys[g], minlength=sizes[g])
        gram = None
        for s, table in enumerate(tables):
            ok = None
            for g, t in enumerate(table):
                if t is not None:
                    hit = t[keys[g]]
                    ok = hit if ok is None else np.logical_and(ok, hit, out=ok)
            n_bad = m - int(np.count_nonzero(ok))
            if n_bad * 8 <= m or len(scales) > 1:
                if gram is None:
                    gram = ym.T @ ym
                acc[s] += gram[ix[s]]
                if n_bad:
                    z = ym[~ok] if len(sub_cols[s]) == p + 1 else ym[~ok][:, sub_cols[s]]
                    acc[s] -= z.T @ z
            else:  # many incomplete rows, one scale: zero them (the ones column becomes the mask)
                np.multiply(ym, ok[:, None], out=ym)
                z = ym if len(sub_cols[s]) == p + 1 else ym[:, sub_cols[s]]
                acc[s] += z.T @ z

    missing = np.zeros(p, dtype=np.int64)
    out_values, out_counts = [None] * p, [None] * p
    for g, cols in enumerate(groups):
        table = tallies[g].reshape([int(width[j]) for j in reversed(cols)])
        for pos, j in enumerate(cols):
            axis = len(cols) - 1 - pos
            marginal = table.sum(axis=tuple(a for a in range(len(cols)) if a != axis))
            missing[j] = marginal[0]
            present = np.flatnonzero(marginal[1:])
            out_values[j] = lo[j] + present.astype("float64")
            out_counts[j] = marginal[1:][present]

    moments = []
    for s, cols in enumerate(scales):
        k = len(cols)
        a = acc[s]
        cnt = int(round(a[k, k]))
        if cnt == 0:
            moments.append(Moments(0, np.full(k, np.nan), np.full((k, k), np.nan)))
            continue
        sums = a[k, :k]
        mean = sums / cnt
        if cnt < 2:
            cov = np.full((k, k), np.nan)
        else:
            cov = (a[:k, :k] - np.outer(sums, sums) / cnt) / (cnt - 1)
        moments.append(Moments(cnt, mean, cov))
    return Sweep(moments, missing, out_values, out_counts)


def _complete_keys(cols, scale, width, size):
    """Boolean table over a group's keys: True where every column of `scale` in the group has an
    answer (digit > 0); None when the group has no column of the scale."""
    inside = [pos for pos, j in enumerate(cols) if j in scale]
    if not inside:
        return None
    key = np.arange(size)
    ok = np.ones(size, dtype=bool)
    place = 1
    for pos, j in enumerate(cols):
        if pos in inside:
            ok &= (key // place) % int(width[j]) != 0
        place *= int(width[j])
    return ok


def _radix_groups(width: np.ndarray) -> list[list[int]]:
    """Consecutive columns packed while the product of their widths stays within _MAX_BINS."""
    groups, cur, size = [], [], 1
    for j, w in enumerate(width):
        if cur and size * int(w) > _MAX_BINS:
            groups.append(cur)
            cur, size = [], 1
        cur.append(j)
        size *= int(w)
    if cur:
        groups.append(cur)
    return groups
