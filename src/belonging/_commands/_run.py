"""What every command run has besides its result: a provenance record, and progress on stderr.

- :func:`run_provenance`: the record score files carry (input hash, versions, instrument, the options
  of the run, the seed), built on :func:`belonging.provenance.manifest`.
- :func:`heartbeat`: a plain line on stderr every few seconds while a command works (``belonging
  score: still working, 10 s``), on a terminal or not, silent with ``--quiet``. It needs no
  cooperation from the command: an interval timer (``SIGALRM``) prints from the main thread, so no
  thread is started. ``belonging.cli`` runs every command but ``report`` inside one.
- :func:`progress_bar`: progress over a known number of steps (cohort reports): a tqdm bar on a
  terminal; elsewhere (a log file, CI) a plain line every few seconds and one at the end, never
  carriage returns; None with ``quiet``.

Standard library only at import time.
"""

from __future__ import annotations

import contextlib
import sys
import time

__all__ = ["OWN_PROGRESS", "PROGRESS_SECONDS", "add_quiet", "heartbeat", "progress_bar", "progress_lines", "run_provenance"]

# Seconds between progress lines.
PROGRESS_SECONDS = 5.0
# Commands that show their own progress; the others get a heartbeat line.
OWN_PROGRESS = ("report",)


def add_quiet(parser) -> None:
    """``--quiet`` (and ``-q`` where free) for a command that has none of its own: no progress lines."""
    if "--quiet" in parser._option_string_actions:  # argparse's table of option strings
        return
    flags = ["--quiet"] + (["-q"] if "-q" not in parser._option_string_actions else [])
    parser.add_argument(*flags, action="store_true", help="no progress lines on stderr (errors and warnings still are)")


def progress_lines(args):
    """The :func:`heartbeat` of a command run: off with ``--quiet`` and for :data:`OWN_PROGRESS` commands."""
    quiet = getattr(args, "quiet", False) or getattr(args, "command", None) in OWN_PROGRESS
    return heartbeat(str(getattr(args, "command", "")), quiet=quiet)


def _options(args) -> dict:
    """The parsed options of a run as JSON-ready values (functions and ``None`` left out)."""
    out = {}
    for key, value in sorted(vars(args).items()):
        if value is None or callable(value):
            continue
        out[key] = value if isinstance(value, bool | int | float | str) else [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return out


def run_provenance(args, responses=None, instrument=None) -> dict:
    """The provenance record of a command run: :func:`belonging.provenance.manifest` with the run's options.

    ``parameters`` holds the command and every option given (paths as typed); ``seed`` the seed used
    when the command has one.

    Examples
    --------
    >>> import argparse
    >>> from belonging._commands._run import run_provenance
    >>> record = run_provenance(argparse.Namespace(command="score", input="export.csv", keep="cohort", seed=None, func=print))
    >>> record["parameters"], record["seed"]
    ({'command': 'score', 'input': 'export.csv', 'keep': 'cohort'}, None)
    >>> sorted(record)
    ['belonging_version', 'created_at', 'input', 'instrument', 'packages', 'parameters', 'python', 'seed']
    """
    from belonging.provenance import manifest

    return manifest(responses=responses, instrument=instrument, parameters=_options(args), seed=getattr(args, "seed", None))


@contextlib.contextmanager
def heartbeat(command: str, *, quiet: bool = False, every: float | None = None, stream=None):
    """Print ``belonging <command>: still working, <n> s`` on stderr every `every` seconds inside the block.

    Nothing is printed by runs shorter than `every`, nor with `quiet`. Uses an interval timer
    (``SIGALRM``, restarting interrupted system calls) whose handler writes from the main thread
    between Python steps, so a long call into a library prints when it returns. Where there is no
    interval timer (Windows) or when not on the main thread, or when the process already uses
    ``SIGALRM``, nothing happens.

    Examples
    --------
    >>> import io, time
    >>> from belonging._commands._run import heartbeat
    >>> out = io.StringIO()
    >>> with heartbeat("score", every=0.05, stream=out):
    ...     deadline = time.monotonic() + 0.2
    ...     while time.monotonic() < deadline:
    ...         pass
    >>> out.getvalue().splitlines()[0]
    'belonging score: still working, 0 s'
    >>> with heartbeat("score", quiet=True, every=0.05, stream=out):
    ...     pass
    """
    import signal
    import threading

    every = PROGRESS_SECONDS if every is None else every
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if quiet or not usable or signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None) or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return
    start = time.monotonic()

    def beat(_signum, _frame):
        out = stream if stream is not None else sys.stderr
        try:
            out.write(f"belonging {command}: still working, {time.monotonic() - start:.0f} s\n")
            out.flush()
        except (RuntimeError, OSError, ValueError):  # a write already in progress, or a closed stream: skip a beat
            pass

    previous = signal.signal(signal.SIGALRM, beat)
    signal.siginterrupt(signal.SIGALRM, False)
    signal.setitimer(signal.ITIMER_REAL, every, every)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Lines:
    """Progress as plain lines: one when `every` seconds have passed since the last, and one at the end."""

    def __init__(self, total, desc: str, unit: str, stream, every: float) -> None:
        self.total, self.desc, self.unit, self.stream, self.every = total, desc, unit, stream, every
        self.n, self.shown = 0, -1
        self.start = self.last = time.monotonic()

    def _line(self) -> None:
        of = f"/{self.total}" if self.total else ""
        share = f" ({100 * self.n / self.total:.0f}%)" if self.total else ""
        self.stream.write(f"{self.desc}: {self.n}{of} {self.unit}(s){share}, {time.monotonic() - self.start:.0f} s\n")
        self.stream.flush()
        self.shown = self.n

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._line()

    def close(self) -> None:
        if self.shown != self.n:
            self._line()


def progress_bar(total, *, desc: str, unit: str = "item", quiet: bool = False, stream=None, every: float | None = None):
    """A progress display with ``update(n=1)`` and ``close()``: tqdm on a terminal, plain lines elsewhere.

    Parameters
    ----------
    total : int or None
        Number of steps, if known.
    desc, unit : str
        What is counted (``"cohort reports"``, ``"cohort"``).
    quiet : bool, default False
        Show nothing: returns None.
    stream : text stream, optional
        Default standard error.
    every : float, optional
        Seconds between plain lines when `stream` is not a terminal (default :data:`PROGRESS_SECONDS`).

    Examples
    --------
    >>> import io
    >>> from belonging._commands._run import progress_bar
    >>> log = io.StringIO()  # not a terminal: plain lines, no carriage returns
    >>> bar = progress_bar(3, desc="cohort reports", unit="cohort", stream=log, every=0)
    >>> for _ in range(3):
    ...     bar.update()
    >>> bar.close()
    >>> print(log.getvalue(), end="")
    cohort reports: 1/3 cohort(s) (33%), 0 s
    cohort reports: 2/3 cohort(s) (67%), 0 s
    cohort reports: 3/3 cohort(s) (100%), 0 s
    >>> progress_bar(3, desc="x", quiet=True) is None
    True
    """
    if quiet:
        return None
    out = stream if stream is not None else sys.stderr
    try:
        tty = bool(out.isatty())
    except (AttributeError, ValueError, OSError):
        tty = False
    if tty:
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit=unit, file=out)
    return _Lines(total, desc, unit, out, PROGRESS_SECONDS if every is None else every)
