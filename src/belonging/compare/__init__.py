"""Compare belonging across cohorts and participation modes.

:func:`compare` returns a :class:`CompareResult` with descriptives, omnibus tests, pairwise
comparisons with effect sizes, adjusted models (OLS or mixed), design-based estimates and change
between waves; :func:`participation` relates belonging to participation measures.
"""

from belonging.compare.core import compare, favourable_midpoint
from belonging.compare.participation import participation
from belonging.compare.result import CompareResult

__all__ = ["CompareResult", "compare", "favourable_midpoint", "participation"]
