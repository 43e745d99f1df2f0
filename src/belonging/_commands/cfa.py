"""`belonging cfa`: confirmatory factor analysis of an instrument's structure (ML, optionally by group)."""

from __future__ import annotations

import argparse
import sys

from belonging._commands._common import add_format_args, add_input_args, emit_frames, load_input
from belonging._commands._diagnostics import print_warnings, require_responses, with_warnings
from belonging._commands._screen import add_screen_args, screen

HELP = "fit the instrument's factor structure by ML confirmatory factor analysis (CFA)"


def register(sub) -> None:
    p = sub.add_parser(
        "cfa", help=HELP,
        description=HELP + ". Subscales are correlated factors (one factor without subscales); reverse-keyed items are "
        "recoded first; rows with a missing item are left out (listwise). Validated against lavaan.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_args(p)
    p.add_argument("--by", metavar="COL", help="fit one configural model across the groups of this column")
    p.add_argument("--std-lv", action="store_true", help="fix factor variances to 1 instead of first loadings")
    add_screen_args(p)
    add_format_args(p)
    p.set_defaults(func=run)


def group_frame(args):
    """Item frame of INPUT (plus the --by column) and the instrument; shared with `invariance`."""
    from belonging._validation import check_columns
    from belonging.errors import UsageError
    from belonging.mapping import item_frame, resolve_columns

    responses, instrument, mapping = load_input(args)
    by = getattr(args, "by", None)
    if by:
        check_columns(responses.data, [by], "--by")
        if by in responses.identifiers:
            msg = f"--by column {by!r} identifies a person; group by a non-identifying column (e.g. mode or cohort)"
            raise UsageError(msg)
        resolved = resolve_columns(responses.data.columns, instrument, mapping, source=responses.provenance.path)
        if by in resolved or by in resolved.values():
            msg = f"--by column {by!r} is an item of instrument {instrument.id!r}; choose a grouping column"
            raise UsageError(msg)
    responses, quality = screen(responses, instrument, mapping, args)
    require_responses(responses, quality)
    items = item_frame(responses, instrument, mapping=mapping)
    if by:
        items = items.assign(**{by: responses.data[by].to_numpy()})
    return items, instrument, responses


def _note(result, responses) -> None:
    groups = ", ".join(f"{g} {n}" for g, n in result.n_per_group.items())
    print(
        f"{responses.provenance.path}: {result.fit['n']} complete response(s) used ({groups}); "
        f"{result.n_excluded} left out (missing items or group)",
        file=sys.stderr,
    )


def run(args) -> int:
    from belonging.psychometrics.cfa import cfa

    frame, instrument, responses = group_frame(args)
    result = cfa(frame, instrument, group=args.by, std_lv=args.std_lv)
    if args.format == "json":
        extra = {
            "fit": result.fit, "model": result.model, "groups": list(result.groups),
            "n_excluded": result.n_excluded, "converged": result.converged, "start": result.start,
        }
        emit_frames({"estimates": result.estimates}, args, extra=with_warnings(extra, result.warnings, args))
    else:
        emit_frames({"fit": result.fit_frame(), "estimates": result.estimates}, args, csv_frame="estimates")
    _note(result, responses)
    print_warnings(result.warnings)
    return 0
