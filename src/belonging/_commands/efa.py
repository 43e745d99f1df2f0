"""`belonging efa`: exploratory factor analysis of an instrument's items, with parallel analysis."""

from __future__ import annotations

import argparse

from belonging._commands._common import add_format_args, add_input_args, emit_frames
from belonging._commands._diagnostics import print_warnings, require_responses, with_warnings
from belonging._commands._screen import add_screen_args

HELP = "exploratory factor analysis (ML or minres, oblimin) with parallel analysis"


def register(sub) -> None:
    p = sub.add_parser(
        "efa", help=HELP,
        description=HELP + ". Items are mapped and reverse-keyed items recoded first; listwise complete rows.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_args(p)
    p.add_argument("--factors", type=int, default=None, metavar="M", help="number of factors (default: parallel analysis)")
    p.add_argument("--method", choices=("ml", "minres"), default="ml", help="extraction (default ml)")
    p.add_argument("--rotation", choices=("oblimin", "none"), default="oblimin", help="rotation (default oblimin)")
    p.add_argument("--n-iter", type=int, default=100, metavar="N", help="parallel-analysis simulations (default 100)")
    p.add_argument("--seed", type=int, default=None, help="seed of the parallel analysis")
    p.add_argument(
        "--table", choices=("loadings", "communalities", "phi", "parallel"), default="loadings",
        help="which table --format csv writes (default loadings)",
    )
    add_screen_args(p)
    add_format_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from belonging._commands._common import load_input
    from belonging._commands._screen import screen
    from belonging.mapping import item_frame
    from belonging.psychometrics.efa import efa, parallel_analysis
    from belonging.scoring import reverse_items

    responses, instrument, mapping = load_input(args)
    responses, quality = screen(responses, instrument, mapping, args)
    require_responses(responses, quality)
    items = reverse_items(item_frame(responses, instrument, mapping=mapping), instrument)
    cols = list(instrument.item_ids)
    parallel = parallel_analysis(items, items=cols, n_iter=args.n_iter, seed=args.seed)
    n_factors = args.factors if args.factors is not None else max(1, parallel.n_components)
    result = efa(items, items=cols, n_factors=n_factors, method=args.method, rotation=args.rotation)
    frames = {
        "loadings": result.loadings, "communalities": result.communalities, "phi": result.phi,
        "parallel": parallel.table,
    }
    extra = {
        "n": result.n, "n_factors": result.n_factors, "method": result.method, "rotation": result.rotation,
        "converged": result.converged, "parallel_n_components": parallel.n_components,
        "parallel_n_factors": parallel.n_factors, "convention": result.convention + " " + parallel.convention,
    }
    warnings = (*parallel.warnings, *[w for w in result.warnings if w not in parallel.warnings])
    emit_frames(frames, args, extra=with_warnings(extra, warnings, args), csv_frame=args.table)
    print_warnings(warnings)
    return 0
