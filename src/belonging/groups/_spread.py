"""Which groups the tests of :func:`belonging.compare` can use, and what their spread allows.

A group with fewer than two responses is left out of the tests (``small_group``). A group whose
outcome is constant has no within-group variance, so every statistic that divides by it is
undefined there (``constant_outcome``): Welch's ANOVA, and Welch's t, Games-Howell and Hedges' g for
a pair of two such groups. When the outcome is constant within *every* group no mean-based test is
defined at all, as R's ``t.test`` stops with "data are essentially constant": with ``tests="all"``
that is a :class:`~belonging.errors.DataValidationError`, while ``tests="rank"`` still gives the
rank-based tests (Kruskal-Wallis, Mann-Whitney), which are defined as long as the values are not all
tied. When they are (one value overall), no test is defined and either choice raises.
"""

from __future__ import annotations

import numpy as np

from belonging.diagnostics import Code, Diagnostic, locate
from belonging.errors import DataValidationError

__all__ = ["testable_groups"]


def testable_groups(y: np.ndarray, codes: np.ndarray, levels: list, *, outcome: str, by: str, tests: str):
    """The responses the tests use and the warnings about them.

    Returns ``(y, codes, levels, warnings)``: the outcome and group codes of the groups with at least
    two responses (codes renumbered 0..k-1), their labels, and a list of :class:`Diagnostic`.

    Raises
    ------
    DataValidationError
        Fewer than two groups with two responses; the outcome constant within every group while
        ``tests="all"``; one value overall.

    Examples
    --------
    >>> import numpy as np
    >>> from belonging.groups._spread import testable_groups
    >>> y = np.array([3.0, 3.0, 3.0, 4.0, 4.0, 4.0])
    >>> codes = np.array([0, 0, 0, 1, 1, 1])
    >>> _, _, _, warnings = testable_groups(y, codes, ["a", "b"], outcome="score", by="mode", tests="rank")
    >>> [w.code for w in warnings]
    [<Code.CONSTANT_OUTCOME: 'constant_outcome'>]
    >>> testable_groups(y, codes, ["a", "b"], outcome="score", by="mode", tests="all")
    Traceback (most recent call last):
    ...
    belonging.errors.DataValidationError: `outcome`: 'score' is constant within every group of 'mode' (a: 3, b: 4), ...
    """
    warnings = []
    n_per = np.bincount(codes, minlength=len(levels))
    for j in np.flatnonzero(n_per < 2):
        warnings.append(Diagnostic(
            Code.SMALL_GROUP,
            f"group {levels[j]!r} of {by!r} has fewer than 2 responses and is left out of the tests",
            where=locate(group=levels[j])))
    keep = n_per >= 2
    if keep.sum() < 2:
        msg = f"`by`: need at least two groups of {by!r} with two or more responses; found {int(keep.sum())}"
        raise DataValidationError(msg)
    tmask = keep[codes]
    tcodes = (np.cumsum(keep) - 1)[codes[tmask]]
    tlevels = [lv for lv, k in zip(levels, keep) if k]
    ty = y[tmask]
    lo = np.full(len(tlevels), np.inf)
    hi = np.full(len(tlevels), -np.inf)
    np.minimum.at(lo, tcodes, ty)
    np.maximum.at(hi, tcodes, ty)
    flat = lo == hi
    if flat.all():
        _every_group_constant(lo, tlevels, outcome=outcome, by=by, tests=tests)
        warnings.append(Diagnostic(
            Code.CONSTANT_OUTCOME,
            f"{outcome!r} is constant within every group of {by!r} ({_values(lo, tlevels)}): the mean-based "
            "tests, intervals and effect sizes are undefined and were not computed (R's t.test: 'data are "
            "essentially constant'); only the rank-based tests are reported",
            where=locate(outcome=outcome)))
    else:
        for j in np.flatnonzero(flat):
            warnings.append(Diagnostic(
                Code.CONSTANT_OUTCOME,
                f"{outcome!r} is constant within group {tlevels[j]!r} (every value {lo[j]:g}): Welch's ANOVA is "
                "undefined (missing), and so are Welch's t, Games-Howell and Hedges' g for a pair of two such "
                "groups; the other tests are computed",
                where=locate(group=tlevels[j])))
    return ty, tcodes, tlevels, warnings


def _values(values, levels) -> str:
    return ", ".join(f"{lv}: {v:g}" for lv, v in zip(levels, values))


def _every_group_constant(values, levels, *, outcome, by, tests) -> None:
    """Raise unless rank tests were asked for and are defined (the constants differ)."""
    if np.ptp(values) == 0:
        msg = (f"`outcome`: {outcome!r} has the same value ({values[0]:g}) in every response of every group of "
               f"{by!r}; no test can compare the groups (neither mean-based nor rank-based)")
        raise DataValidationError(msg)
    if tests == "all":
        msg = (f"`outcome`: {outcome!r} is constant within every group of {by!r} ({_values(values, levels)}), so the "
               "mean-based tests (Welch, ANOVA, t intervals, Games-Howell or Tukey, Hedges' g, models) are undefined, "
               "as R's t.test says 'data are essentially constant'; pass tests='rank' (CLI: --tests rank) for the "
               "rank-based tests (Kruskal-Wallis, Mann-Whitney), which are defined here")
        raise DataValidationError(msg)
