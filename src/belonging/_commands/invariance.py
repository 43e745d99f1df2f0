"""`belonging invariance`: configural, metric, scalar and strict invariance of an instrument across groups."""

from __future__ import annotations

import argparse

from belonging._commands._common import add_format_args, add_input_args, emit_frames
from belonging._commands._diagnostics import print_warnings, with_warnings
from belonging._commands._screen import add_screen_args

HELP = "test measurement invariance of the instrument across groups (multi-group CFA)"


def register(sub) -> None:
    p = sub.add_parser(
        "invariance", help=HELP,
        description=HELP + ": configural, metric (equal loadings), scalar (+ intercepts) and strict (+ residuals) "
        "models, compared by chi-square difference and changes in CFI/RMSEA (Cheung & Rensvold 2002; Chen 2007).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_args(p)
    p.add_argument("--by", metavar="COL", required=True, help="column defining the groups to compare")
    p.add_argument("--std-lv", action="store_true", help="fix factor variances to 1 instead of first loadings")
    add_screen_args(p)
    add_format_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from belonging._commands.cfa import _note, group_frame
    from belonging.psychometrics.invariance import invariance

    frame, instrument, responses = group_frame(args)
    result = invariance(frame, instrument, group=args.by, std_lv=args.std_lv)
    frames = {"models": result.models, "tests": result.tests, "partial_hints": result.partial_hints}
    extra = with_warnings({"verdict": result.verdict, "level": result.level}, result.warnings, args)
    emit_frames(frames, args, extra=extra, csv_frame="models")
    _note(result.fits["configural"], responses)
    print_warnings(result.warnings)
    return 0
