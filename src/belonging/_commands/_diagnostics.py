"""How the analysis commands show a result's warnings (standard library at import time).

Every result of reliability, efa, cfa, invariance and compare carries ``warnings``
(:mod:`belonging.diagnostics`). The commands put them in their JSON output as records
(``{"code", "message", "where"}``) and print each as one line on stderr:
``warning: <message> [<code>; <where>]``, so a number that cannot be trusted never reaches a
file or a pipe without a word about it.
"""

from __future__ import annotations

import sys

__all__ = ["print_warnings", "with_warnings"]


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
