"""The `belonging` command line: a thin layer over the public API.

Each command lives in ``belonging._commands.<name>`` with ``register(subparsers)`` and ``run(args)``.
This module parses arguments and, in one place, maps library errors to one line on stderr and an
exit code: 0 success, 1 data error, 2 usage error. ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["COMMANDS", "build_parser", "entrypoint", "main"]

# Command modules, in the order `belonging --help` lists them.
COMMANDS = ("score", "validate", "instruments", "cfa", "invariance", "reliability", "efa", "report", "compare", "inspect")


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line and exit code 2."""

    def error(self, message: str):  # argparse's hook
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (command modules import only the standard library at top level)."""
    from belonging import __version__

    parser = _Parser(
        prog="belonging",
        description="Score, check and compare sense-of-belonging surveys from raw platform exports.",
    )
    parser.add_argument("--version", action="version", version=f"belonging {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"belonging._commands.{name}").register(sub)
    for command in sub.choices.values():
        _add_debug(command)
    return parser


def _add_debug(parser: argparse.ArgumentParser) -> None:
    """``--debug`` after the command too (``belonging score ... --debug``), for it and its subcommands.

    SUPPRESS as the default keeps a ``--debug`` given before the command from being reset.
    """
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show the full traceback on errors")
    for action in parser._actions:  # argparse keeps nested subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            for nested in action.choices.values():
                _add_debug(nested)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with `argv` (default ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # the one place where errors become exit codes
        return _handle(err, debug=args.debug)


def _handle(err: Exception, *, debug: bool) -> int:
    from belonging.errors import BelongingError

    if debug:
        import traceback

        traceback.print_exception(err)
    if isinstance(err, BelongingError):
        text = " ".join(str(err).split("\n"))
        print(f"error: {text}", file=sys.stderr)
        return err.exit_code
    if isinstance(err, BrokenPipeError):
        return 1
    if isinstance(err, MemoryError):
        print("error: out of memory; try a smaller input or more memory", file=sys.stderr)
        return 1
    if isinstance(err, OSError):
        print(f"error: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return 1
    if not debug:
        print(
            f"error: unexpected {type(err).__name__}: {err} (this is a bug in belonging; rerun with --debug and report it)",
            file=sys.stderr,
        )
    return 1


def entrypoint() -> None:
    """Console-script entry point."""
    sys.exit(main())
