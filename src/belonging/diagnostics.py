"""The warnings vocabulary that every result carries.

A number that cannot be trusted says so: a fit that did not converge, a Heywood case, a singular
matrix, an item without variance, an outcome constant within every group, a group too small to test,
an estimate on the boundary of its space. Each such condition is a :class:`Diagnostic` with a
:class:`Code` from one vocabulary, a message a reader can act on, and where it arose (a model, a group,
an item). Results hold them in a ``warnings`` tuple; ``summary()``, the HTML view, the CLI's JSON and
its stderr lines, and reports show them.

Examples
--------
>>> from belonging.diagnostics import Code, Diagnostic, warnings_frame
>>> w = Diagnostic(Code.ZERO_VARIANCE, "item ccs_03 has no variance and was dropped", where="ccs_03")
>>> str(w)
'zero_variance: item ccs_03 has no variance and was dropped'
>>> print(warnings_frame([w])[["code", "where"]].to_string(index=False))
         code  where
zero_variance ccs_03
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Code", "Diagnostic", "as_diagnostics", "has_code", "warnings_frame"]


class Code(enum.StrEnum):
    """Why a number should be read with care (or not at all)."""

    NOT_CONVERGED = "not_converged"
    """An iterative fit stopped before its convergence criterion was met."""
    HEYWOOD = "heywood"
    """A variance estimate is negative, a standardized loading exceeds 1, or a uniqueness sits at its bound."""
    SINGULAR = "singular"
    """A matrix the statistic needs is singular (linearly dependent items or variables)."""
    ZERO_VARIANCE = "zero_variance"
    """An item or variable has no variance."""
    CONSTANT_OUTCOME = "constant_outcome"
    """The outcome is constant within every group: parametric tests are undefined."""
    SMALL_GROUP = "small_group"
    """A group is too small for the statistic (left out, or its estimate is unstable)."""
    BOUNDARY = "boundary"
    """An estimate lies on the boundary of its parameter space."""
    UNDETERMINED = "undetermined"
    """A verdict cannot be reached because a step it rests on cannot be trusted."""
    DATA = "data"
    """Something in the data that a reader should know (e.g. rows left out, a recode applied)."""


@dataclass(frozen=True)
class Diagnostic:
    """One condition that qualifies a result.

    Parameters
    ----------
    code : Code or str
        One of :class:`Code`.
    message : str
        One sentence a reader can act on.
    where : str, optional
        What it concerns: a model (``"configural"``), a group (``"mode=online"``), an item.
    """

    code: Code
    message: str
    where: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", Code(self.code))

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def to_dict(self) -> dict:
        """``{"code", "message", "where"}``, for JSON."""
        return {"code": str(self.code), "message": self.message, "where": self.where}


def as_diagnostics(items: Iterable[Diagnostic | str], *, code: Code = Code.DATA) -> tuple[Diagnostic, ...]:
    """A tuple of :class:`Diagnostic`; plain strings become diagnostics with `code`."""
    return tuple(w if isinstance(w, Diagnostic) else Diagnostic(code, str(w)) for w in items)


def has_code(warnings: Iterable[Diagnostic], code: Code | str) -> bool:
    """Whether any of `warnings` has `code`."""
    code = Code(code)
    return any(w.code == code for w in warnings)


def warnings_frame(warnings: Iterable[Diagnostic]):
    """A tidy table of `warnings`: columns ``code``, ``message``, ``where``."""
    import pandas as pd

    rows = [w.to_dict() for w in warnings]
    return pd.DataFrame(rows, columns=["code", "message", "where"])
