"""Render the CLI reference (docs/cli.md) from the parser itself, so the two never drift apart.

Regenerate with ``python -m belonging._commands._docs > docs/cli.md``; a test compares the file with
this output.
"""

from __future__ import annotations

import argparse
import os

__all__ = ["render_cli_reference"]

INTRO = """# CLI reference

Every command of `belonging`, with its `--help` text. This file is generated from the argument parser
(`python -m belonging._commands._docs > docs/cli.md`) and a test keeps it in step with `--help`.

Exit codes: 0 success, 1 data error (bad input file, invalid values), 2 usage error (bad options,
unknown instrument). Errors are one line on stderr; `--debug` shows the traceback. Outputs are written
atomically and inputs are never modified.

Warnings: when a number cannot be fully trusted (a fit that did not converge, a Heywood case, a singular
matrix, an item without variance, an outcome constant within a group, ...), `reliability`, `efa`, `cfa`,
`invariance` and `compare` print one line per condition on stderr, `warning: <message> [<code>; <where>]`,
and their `--format json` output carries them as `"warnings": [{"code", "message", "where"}, ...]`
(codes: see `belonging.diagnostics.Code` and docs/methods.md).

Process settings of the command line (not of the Python API): BLAS starts on one thread unless
`OPENBLAS_NUM_THREADS`, `MKL_NUM_THREADS`, `OMP_NUM_THREADS` or `GOTO_NUM_THREADS` is set (the
library runs its own threads over blocks of rows); the cyclic garbage collector runs less often; and
once a command has written its outputs and flushed its streams, the process ends without tearing the
interpreter down (atexit handlers still run). See `belonging.cli` for why.
"""


def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:  # argparse keeps subparsers here; no public accessor exists
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _walk(parser, prefix):
    yield prefix, parser
    for name, sub in _subparsers(parser):
        yield from _walk(sub, f"{prefix} {name}")


def render_cli_reference() -> str:
    """Markdown with the ``--help`` text of `belonging` and of every command and sub-command."""
    from belonging.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = build_parser()
        parts = [INTRO]
        for prog, sub in _walk(parser, "belonging"):
            parts.append(f"## `{prog}`\n\n```text\n{sub.format_help().rstrip()}\n```\n")
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(parts)


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_cli_reference())
