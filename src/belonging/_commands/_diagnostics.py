"""How the analysis commands show a result's warnings (standard library at import time).

Every result of reliability, efa, cfa, invariance and compare carries ``warnings``
(:mod:`belonging.diagnostics`). The commands put them in their JSON output as records
(``{"code", "message", "where"}``) and print each as one line on stderr:
``warning: <message> [<code>; <where>]``, so a number that cannot be trusted never reaches a
file or a pipe without a word about it.
"""

from __future__ import annotations

import sys

__all__ = ["print_warnings", "require_responses", "with_warnings"]


def with_warnings(extra: dict, warnings, args) -> dict:
    """`extra` plus ``"warnings"`` as records when the output is JSON (other formats print them on stderr only)."""
    if getattr(args, "format", None) != "json":
        return extra
    from belonging.diagnostics import to_records

    return {**extra, "warnings": to_records(warnings)}


def print_warnings(warnings) -> None:
    """One ``warning: ...`` line on stderr per warning."""
    from belonging.diagnostics import describe

    for w in warnings:
        print(f"warning: {describe(w)}", file=sys.stderr)


def require_responses(responses, quality) -> None:
    """Stop with one line when the quality check left nothing to analyse, quoting its first problem.

    (A non-integer value on a Likert item, for example, is excluded as ``out_of_range``; the line then
    says that the value is not a whole number and how to declare the item continuous.)
    """
    if len(responses.data):
        return
    from belonging import _columns as C
    from belonging.errors import DataValidationError

    issues = quality.issues
    first = f"; the first problem: {issues[C.MESSAGE].iloc[0]}" if len(issues) else ""
    msg = (f"{quality.source}: no response is left to analyse: the quality check excluded all {quality.n_rows} "
           f"(see `belonging validate`){first}")
    raise DataValidationError(msg)
