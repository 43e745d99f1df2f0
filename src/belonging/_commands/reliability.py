"""`belonging reliability`: alpha, omega and item analysis of an instrument's scales."""

from __future__ import annotations

import argparse

from belonging._commands._common import add_format_args, add_input_args, emit_frames
from belonging._commands._diagnostics import print_warnings, require_responses, with_warnings
from belonging._commands._screen import add_screen_args

HELP = "reliability (alpha with CI, omega) and item analysis per scale and subscale"


def register(sub) -> None:
    p = sub.add_parser(
        "reliability", help=HELP,
        description=HELP + ". Listwise deletion per scale; reverse-keyed items are recoded first.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_args(p)
    p.add_argument("--by", metavar="COL", help="repeat everything per group of this column")
    p.add_argument("--confidence", type=float, default=0.95, help="confidence level of the alpha CI (default 0.95)")
    p.add_argument("--ci-method", choices=("feldt", "bootstrap"), default="feldt", help="alpha CI method (default feldt)")
    p.add_argument("--n-boot", type=int, default=1000, metavar="N", help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=None, help="seed of the bootstrap")
    p.add_argument(
        "--table", choices=("scales", "items", "distribution"), default="scales",
        help="which table --format csv writes (default scales)",
    )
    add_screen_args(p)
    add_format_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from belonging._commands._common import load_input
    from belonging._commands._screen import screen
    from belonging.errors import UsageError
    from belonging.ingest.privacy import looks_identifying
    from belonging.psychometrics.reliability import reliability

    responses, instrument, mapping = load_input(args)
    if args.by and (args.by in getattr(responses, "identifiers", ()) or looks_identifying(args.by)):
        msg = f"--by: column {args.by!r} identifies a person; group by a cohort or mode column instead"
        raise UsageError(msg)
    responses, quality = screen(responses, instrument, mapping, args)
    require_responses(responses, quality)
    result = reliability(
        responses, instrument, by=args.by, confidence=args.confidence, ci_method=args.ci_method,
        n_boot=args.n_boot, seed=args.seed, mapping=mapping,
    )
    frames = {"scales": result.scales, "items": result.items}
    if args.format != "table" or args.table == "distribution":
        frames["distribution"] = result.distribution
    emit_frames(frames, args, extra=with_warnings({"convention": result.convention}, result.warnings, args),
                csv_frame=args.table)
    print_warnings(result.warnings)
    return 0
