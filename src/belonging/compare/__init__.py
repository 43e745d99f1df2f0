"""Compare belonging across cohorts and participation modes.

:func:`compare` returns a :class:`CompareResult` with descriptives, omnibus tests, pairwise
comparisons with effect sizes, adjusted models (OLS or mixed), design-based estimates and change
between waves; :func:`participation` relates belonging to participation measures.
"""

import sys
import types

from belonging.compare.core import compare, favourable_midpoint
from belonging.compare.participation import participation
from belonging.compare.result import CompareResult

__all__ = ["CompareResult", "compare", "favourable_midpoint", "participation"]


class _CallableModule(types.ModuleType):
    """This package shares its name with the public function :func:`compare`.

    Importing ``belonging.compare.<anything>`` sets the attribute ``belonging.compare`` to this
    package, shadowing the function that ``belonging.__init__`` exports lazily. Calling the package
    calls the function, so ``belonging.compare(data, ...)`` works whatever was imported first.
    """

    def __call__(self, *args, **kwargs):
        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
