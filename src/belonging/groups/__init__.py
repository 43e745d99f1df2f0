"""Group comparisons (the package behind :func:`belonging.compare`): compare belonging across cohorts and participation modes.

:func:`compare` returns a :class:`CompareResult` with descriptives, omnibus tests, pairwise
comparisons with effect sizes, adjusted models (OLS or mixed), design-based estimates and change
between waves; :func:`participation` relates belonging to participation measures.
"""

from belonging.groups.core import compare, favourable_midpoint
from belonging.groups.participation import participation
from belonging.groups.result import CompareResult

__all__ = ["CompareResult", "compare", "favourable_midpoint", "participation"]
