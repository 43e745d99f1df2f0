"""The warnings vocabulary that every result carries.

A number that cannot be trusted says so: a fit that did not converge, a Heywood case, a singular
matrix, an item without variance, an outcome constant within every group, a group too small to test,
an estimate on the boundary of its space. Each such condition is a :class:`Diagnostic` with a
:class:`Code` from one vocabulary, a message a reader can act on, and where it arose (a model, a group,
an item). Results hold them in a ``warnings`` tuple; ``summary()``, the HTML view, the CLI's JSON and
its stderr lines, and reports show them.

How a result uses it (the contract every result object follows):

- ``result.warnings`` is a tuple of :class:`Diagnostic`, empty when nothing qualifies the numbers.
- ``summary()`` starts with one :func:`summary_lines` line per warning; ``_repr_html_()`` puts
  :func:`warnings_html` first.
- The CLI writes ``"warnings": to_records(result.warnings)`` into its JSON and prints each warning as
  ``warning: <message> [<code>; <where>]`` (:func:`describe`) on stderr.
- A statistic that cannot be computed is NaN, and a warning says why; a number is never returned
  together with a ``not_converged`` or ``singular`` condition without a warning.

``where`` says what a warning concerns as ``key=value`` pairs (:func:`locate`):
``"model=metric, group=online"``, ``"scale=ccs, item=ccs_03"``.

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

from belonging import _columns as C

__all__ = [
    "Code",
    "Diagnostic",
    "as_diagnostics",
    "describe",
    "has_code",
    "locate",
    "summary_lines",
    "to_records",
    "warnings_frame",
    "warnings_html",
]


class Code(enum.StrEnum):
    """Why a number should be read with care (or not at all).

    Examples
    --------
    >>> from belonging.diagnostics import Code
    >>> Code("heywood") is Code.HEYWOOD, str(Code.NOT_CONVERGED)
    (True, 'not_converged')
    """

    NOT_CONVERGED = "not_converged"
    """An iterative fit stopped before its convergence criterion was met."""
    HEYWOOD = "heywood"
    """A variance estimate is negative, a standardized loading exceeds 1, or a uniqueness sits at its bound."""
    SINGULAR = "singular"
    """A matrix the statistic needs is singular (linearly dependent items or variables)."""
    ZERO_VARIANCE = "zero_variance"
    """An item or variable has no variance."""
    CONSTANT_OUTCOME = "constant_outcome"
    """The outcome is constant within a group (or within every group): tests built on within-group
    variance are undefined there."""
    SMALL_GROUP = "small_group"
    """A group is too small for the statistic (left out, or its estimate is unstable)."""
    BOUNDARY = "boundary"
    """An estimate lies on the boundary of its parameter space (e.g. a variance component of 0)."""
    UNDETERMINED = "undetermined"
    """A verdict cannot be reached because a step it rests on cannot be trusted."""
    NONINVARIANT = "noninvariant"
    """The measurement invariance a comparison needs (scalar, for means) is not supported."""
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
        One sentence a reader can act on; it names what it concerns in words, so it reads on its own.
    where : str, optional
        What it concerns, for machines: ``key=value`` pairs joined by ``", "`` (see :func:`locate`),
        such as ``"model=configural"``, ``"group=online"`` or ``"scale=ccs, item=ccs_03"``.

    Examples
    --------
    >>> from belonging.diagnostics import Diagnostic
    >>> d = Diagnostic("heywood", "residual variance of q1 is negative (-0.12)", where="item=q1")
    >>> d.code, d.to_dict()["code"]
    (<Code.HEYWOOD: 'heywood'>, 'heywood')
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
        return {C.CODE: str(self.code), C.MESSAGE: self.message, C.WHERE: self.where}


def locate(**parts) -> str | None:
    """The ``where`` of a :class:`Diagnostic`: ``key=value`` pairs in the order given, None values left out.

    Examples
    --------
    >>> from belonging.diagnostics import locate
    >>> locate(model="metric", group="online")
    'model=metric, group=online'
    >>> locate(group=None, scale="ccs") , locate(group=None) is None
    ('scale=ccs', True)
    """
    text = ", ".join(f"{k}={v}" for k, v in parts.items() if v is not None)
    return text or None


def as_diagnostics(items: Iterable[Diagnostic | str], *, code: Code = Code.DATA) -> tuple[Diagnostic, ...]:
    """A tuple of :class:`Diagnostic`; plain strings become diagnostics with `code`.

    Examples
    --------
    >>> from belonging.diagnostics import as_diagnostics
    >>> [str(d) for d in as_diagnostics(["3 rows left out"])]
    ['data: 3 rows left out']
    """
    return tuple(w if isinstance(w, Diagnostic) else Diagnostic(code, str(w)) for w in items)


def has_code(warnings: Iterable[Diagnostic], code: Code | str) -> bool:
    """Whether any of `warnings` has `code`.

    Examples
    --------
    >>> from belonging.diagnostics import Diagnostic, has_code
    >>> has_code([Diagnostic("singular", "items a and b are copies")], "singular")
    True
    """
    code = Code(code)
    return any(w.code == code for w in warnings)


def describe(warning: Diagnostic) -> str:
    """One line for people: the message, then the code and where in brackets.

    Examples
    --------
    >>> from belonging.diagnostics import Diagnostic, describe
    >>> describe(Diagnostic("not_converged", "the metric model did not converge", where="model=metric"))
    'the metric model did not converge [not_converged; model=metric]'
    """
    tag = str(warning.code) if warning.where is None else f"{warning.code}; {warning.where}"
    return f"{warning.message} [{tag}]"


def summary_lines(warnings: Iterable[Diagnostic]) -> list[str]:
    """The lines a ``summary()`` starts with: ``WARNING: <message> [<code>; <where>]``.

    Examples
    --------
    >>> from belonging.diagnostics import Diagnostic, summary_lines
    >>> summary_lines([Diagnostic("zero_variance", "item q3 has no variance and was dropped", "item=q3")])
    ['WARNING: item q3 has no variance and was dropped [zero_variance; item=q3]']
    """
    return [f"WARNING: {describe(w)}" for w in warnings]


def warnings_html(warnings: Iterable[Diagnostic]) -> str:
    """The warnings as HTML alert boxes (empty text when there are none).

    Each warning is a ``div`` with ``role="alert"``, class ``belonging-warning`` and a
    ``data-code`` attribute; text is escaped.

    Examples
    --------
    >>> from belonging.diagnostics import Diagnostic, warnings_html
    >>> html = warnings_html([Diagnostic("singular", "a & b are copies")])
    >>> 'role="alert"' in html, "a &amp; b" in html, warnings_html([])
    (True, True, '')
    """
    from html import escape

    parts = []
    for w in warnings:
        where = f" <small>({escape(w.where)})</small>" if w.where else ""
        parts.append(
            f'<div class="belonging-warning" role="alert" data-code="{escape(str(w.code))}" '
            'style="border:2px solid #D55E00;padding:0.5em;margin:0.5em 0">'
            f"<strong>Warning ({escape(str(w.code))}):</strong> {escape(w.message)}{where}</div>"
        )
    return "\n".join(parts)


def to_records(warnings: Iterable[Diagnostic]) -> list[dict]:
    """``[{"code", "message", "where"}, ...]``, for JSON.

    Examples
    --------
    >>> from belonging.diagnostics import Diagnostic, to_records
    >>> to_records([Diagnostic("boundary", "tau2 = 0", "model=mixed")])
    [{'code': 'boundary', 'message': 'tau2 = 0', 'where': 'model=mixed'}]
    """
    return [w.to_dict() for w in warnings]


def warnings_frame(warnings: Iterable[Diagnostic]):
    """A tidy table of `warnings`: columns ``code``, ``message``, ``where``.

    Examples
    --------
    >>> from belonging.diagnostics import warnings_frame
    >>> warnings_frame([]).columns.tolist()
    ['code', 'message', 'where']
    """
    import pandas as pd

    return pd.DataFrame(to_records(warnings), columns=[C.CODE, C.MESSAGE, C.WHERE])
