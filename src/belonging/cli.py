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
COMMANDS = ("score", "validate", "instruments", "cfa", "invariance", "reliability", "efa", "report", "compare", "inspect",
            "survey", "participation")


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
    from belonging._commands._run import add_quiet

    for command in sub.choices.values():
        _add_debug(command)
        add_quiet(command)
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
    """Run the CLI with `argv` (default ``sys.argv[1:]``) and return the exit code.

    What it prints is terminal-safe (:func:`belonging._safetext.terminal_safe_streams`).
    """
    from belonging._safetext import terminal_safe_streams

    with terminal_safe_streams():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        from belonging._commands._guard import check_command
        from belonging._commands._run import progress_lines

        check_command(args)  # outputs never clobber inputs; a seed is drawn for a random run
        with progress_lines(args):
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
    if isinstance(err, OSError):  # outputs raise OutputError; this is anything else the system refused
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
    if not debug:
        print(
            f"error: unexpected {type(err).__name__}: {err} (this is a bug in belonging; rerun with --debug and report it)",
            file=sys.stderr,
        )
    return 1


def entrypoint() -> None:
    """Console-script entry point (also ``python -m belonging``): run :func:`main`, then end the process."""
    _blas_on_one_thread()
    _fewer_collections()
    _end_process(main())


def _fewer_collections() -> None:
    """Run Python's cyclic garbage collector less often in a command-line process (as mypy does).

    Importing pandas, pyarrow and numpy creates hundreds of thousands of objects, none of them
    garbage, and each 700 allocations the collector walks the young ones (and now and then all of
    them): about 0.05 s of a scoring run, holding the GIL while the parse threads wait. Arrays are
    freed by reference counting either way (peak memory measured the same with the collector off);
    the young generation is still collected every 100,000 allocations, so cyclic garbage from long
    commands (figures in a report) is still reclaimed. Only the young generation's threshold changes
    (the others keep their meaning, which differs between Python versions).
    """
    import gc

    young, *older = gc.get_threshold()
    if young < 100_000:
        gc.set_threshold(100_000, *older)  # the older generations' settings as they were


# Thread settings of the BLAS libraries numpy may be built with; a user's own setting is left alone.
_BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS")


def _blas_on_one_thread() -> None:
    """Start BLAS with one thread in this process, unless the user set a thread count.

    The library runs its own threads over row blocks (:mod:`belonging._parallel`) and holds BLAS to one
    thread while they run. Outside those blocks BLAS still starts its worker threads, and OpenBLAS's
    spin, waiting for work, for about a tenth of a second after numpy is imported and after each
    threaded call (CPU taken from the parse and the block threads, measured in benchmarks/README.md).
    The command line's matrices are n x k products (done in row blocks) and k x k algebra, where one
    BLAS thread loses nothing. Set before numpy is first imported (only then does it count);
    ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, ``OMP_NUM_THREADS`` or ``GOTO_NUM_THREADS`` set by
    the user win.
    """
    import os

    if "numpy" in sys.modules or any(v in os.environ for v in _BLAS_THREAD_VARIABLES):
        return
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"


def _end_process(code: int) -> None:
    """Exit with `code` without tearing the interpreter down, when nothing is left running.

    After a command has written its outputs (atomically) there is nothing left to do but free memory:
    Python's finalisation clears every module and object one by one, which takes a tenth of a second
    after a large input, while the operating system reclaims a process's memory at once. So, as mypy
    does, the process ends with ``os._exit`` once standard output and error are flushed and the
    handlers registered with :mod:`atexit` have run (coverage, logging, temporary folders cleaned up
    by ``weakref.finalize``). Where another non-daemon thread is still alive, or when standard output
    cannot be flushed (a closed pipe), the normal ``sys.exit`` runs instead. :func:`main` itself never
    ends the process (tests and other callers use it).
    """
    import atexit
    import os
    import threading

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive() and not t.daemon]
    if run_exit_handlers is None or others or not _flushed():  # e.g. a closed pipe: the normal exit reports it
        sys.exit(code)
    run_exit_handlers()
    if not _flushed():
        code = code or 120  # Python's own exit status when flushing standard streams fails at exit
    os._exit(code)


def _flushed() -> bool:
    """Flush standard output and error; False if one could not be flushed (a stream that is None,
    as when the process started with that descriptor closed, counts as flushed)."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True
