"""`belonging report`: an institution overview and a privacy-safe report per cohort (HTML and PDF)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

from belonging._commands._common import add_input_args, load_input, split_list
from belonging._commands._screen import add_screen_args

HELP = "write an institution overview and a privacy-safe report per cohort (HTML, PDF)"


def register(sub) -> None:
    p = sub.add_parser(
        "report", help=HELP,
        description=HELP + ". Statistics from fewer than --min-cell respondents are suppressed, with "
        "complementary suppression; reports hold no identifiers and no free text. Charts are SVG with a text "
        "alternative and their table; PDFs are tagged (PDF/UA-1). The run locks DIR, writes into a staging folder "
        "and moves its files in at the end, so Ctrl-C (exit 130), SIGTERM (exit 143) or an error leaves DIR as it "
        "was; DIR/manifest.json lists the files written, and files of an earlier run that this run does not "
        "rewrite are removed (only those the tool wrote and nobody changed since).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_args(p)
    p.add_argument("--by", required=True, metavar="COL", help="cohort column: one report per value")
    p.add_argument("--compare-by", metavar="COL,...", help="columns to compare groups by within each cohort (e.g. mode,first_gen)")
    p.add_argument("--wave", metavar="COL", help="wave column: report the latest wave and compare with the previous one")
    p.add_argument("--wave-order", metavar="W1,W2,...", help="waves earliest first (default: numbers sorted, else first appearance)")
    p.add_argument("--roster", metavar="ROSTER.csv", help="CSV with the --by column and 'enrolled' (adds response rates)")
    p.add_argument("--min-cell", type=int, default=10, metavar="N", help="suppress statistics from fewer than N respondents (default: 10)")
    p.add_argument("--confidence", type=float, default=0.95, metavar="C", help="confidence level of intervals (default: 0.95)")
    p.add_argument("--format", default="html,pdf", metavar="html,pdf", help="cohort report formats (default: html,pdf)")
    p.add_argument("--seed", type=int, default=None, help="random seed, recorded in the provenance")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes for cohort reports (default: the number of CPUs)")
    add_screen_args(p)
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress or summary on stderr (progress is a bar on a terminal, else a line every few seconds)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder (created if needed)")
    p.set_defaults(func=run)


class _Terminated(BaseException):
    """SIGTERM during a run (a BaseException, so that no ``except Exception`` on the way swallows it)."""


def _on_sigterm(signum, frame):
    raise _Terminated


def run(args) -> int:
    from belonging._commands._guard import check_paths
    from belonging._commands._run import progress_bar
    from belonging._commands.validate import policy_from_args
    from belonging.errors import UsageError
    from belonging.report import write_reports

    check_paths(args, folders={"output": ("index.html", "cohorts.csv", "*.html", "*.pdf", "manifest.json",
                                          "release-log.json")})  # files a run writes there
    formats = split_list(args.format)
    if not formats or any(f not in ("html", "pdf") for f in formats):
        msg = f"--format must list html and/or pdf, e.g. html,pdf; got {args.format!r}"
        raise UsageError(msg)
    if args.jobs is None:
        args.jobs = os.cpu_count() or 1
    if args.jobs < 1:
        msg = f"--jobs must be at least 1; got {args.jobs}"
        raise UsageError(msg)
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        msg = f"-o {args.output!r} is a file; give a folder for the reports"
        raise UsageError(msg)
    start = time.monotonic()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if threading.current_thread() is threading.main_thread() else None
    progress = None
    try:
        responses, instrument, mapping = load_input(args)
        n = responses.data[args.by].nunique(dropna=False) if args.by in responses.data.columns else None
        progress = progress_bar(n, desc="cohort reports", unit="cohort", quiet=args.quiet)
        result = write_reports(
            responses, instrument, args.output, by=args.by, compare_by=split_list(args.compare_by),
            wave=args.wave, wave_order=split_list(args.wave_order) or None, roster=args.roster,
            min_cell=args.min_cell, confidence=args.confidence, seed=args.seed, mapping=mapping,
            policy=policy_from_args(args), exclude_flagged=args.exclude_flagged,
            formats=formats, jobs=args.jobs, on_progress=(lambda _c: progress.update()) if progress is not None else None,
        )
    except _Terminated:
        print("error: terminated; the output folder is as it was before the run", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("error: interrupted; the output folder is as it was before the run", file=sys.stderr)
        return 130
    finally:
        if progress is not None:
            progress.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if not args.quiet:
        print(
            f"{args.output}: index.html and {result.cohorts} cohort report(s) ({', '.join(formats)}); "
            f"{result.suppressed} below --min-cell {args.min_cell} (notice only); {time.monotonic() - start:.1f} s",
            file=sys.stderr,
        )
    return 0
