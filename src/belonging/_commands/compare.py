"""`belonging compare`: compare scores across cohorts or participation modes."""

from __future__ import annotations

import argparse
import sys

from belonging._commands._common import add_format_args, add_input_args, split_list
from belonging._commands.participation import add_activity_args, attach_activity, model_measures
from belonging._commands.validate import add_policy_args, policy_from_args

HELP = "compare scores across groups: descriptives, tests, effect sizes with CIs, adjusted models"

_TABLES = ("descriptives", "overall", "omnibus", "pairwise", "model", "adjusted", "weighted_pairwise",
           "sample_descriptives", "participation", "waves", "wave_descriptives", "wave_model")


def register(sub) -> None:
    p = sub.add_parser(
        "compare", help=HELP,
        description=(
            HELP + ". INPUT is a survey export (scored on the fly with --instrument; the outcome is the "
            "instrument total unless --outcome names a subscale column) or a scores table (--outcome "
            "names the score column). Every comparison reports an effect size with its CI and n."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_args(p, instrument_required=False)
    p.add_argument("--outcome", metavar="COL", help="score column to compare (default: the instrument total)")
    p.add_argument("--by", required=True, metavar="COL", help="grouping column (cohort, participation mode ...)")
    p.add_argument("--covariates", metavar="A,B", help="adjust the model for these columns")
    p.add_argument(
        "--cluster", metavar="COL",
        help="nesting unit (e.g. course section): PSUs with --weights, cluster-robust SEs for OLS, "
             "random intercepts for --model mixed",
    )
    p.add_argument("--weights", metavar="COL", help="sampling weights: design-based descriptives (Taylor linearisation)")
    p.add_argument("--strata", metavar="COL", help="design strata (with --weights)")
    p.add_argument("--wave", metavar="COL", help="survey wave: change per group and a group-by-wave mixed model")
    p.add_argument("--wave-order", metavar="A,B,...", help="order of the waves (default: sorted values)")
    p.add_argument(
        "--panel-id", metavar="COL",
        help="column that identifies a respondent across waves, to pair responses (default: response_id); "
             "used only for pairing, never written",
    )
    p.add_argument("--participation", metavar="A,B", help="participation measures to relate to the outcome")
    add_activity_args(p)
    p.add_argument("--model", choices=("auto", "ols", "mixed", "none"), default="auto",
                   help="adjusted model (default auto: mixed with --cluster, OLS with --covariates)")
    p.add_argument("--confidence", type=float, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--correction", choices=("holm", "bh", "bonferroni", "none"), default="holm",
                   help="p-value adjustment over pairs (default holm; bh = Benjamini-Hochberg)")
    p.add_argument("--posthoc", choices=("games-howell", "tukey"), default="games-howell",
                   help="simultaneous pairwise procedure (default games-howell)")
    p.add_argument("--midpoint", type=float, metavar="X",
                   help="scale midpoint for %% favourable (default: from the instrument)")
    inv = p.add_mutually_exclusive_group()
    inv.add_argument("--invariance-level", choices=("none", "configural", "metric", "scalar", "strict"),
                     help="highest invariance level supported for this grouping (from `belonging invariance`); "
                          "below scalar adds a warning")
    inv.add_argument("--check-invariance", action="store_true",
                     help="with --instrument: test measurement invariance across --by on the same responses first "
                          "(as `belonging invariance`); below scalar adds a warning")
    add_policy_args(p)
    p.add_argument("--exclude-flagged", action="store_true",
                   help="with --instrument: also leave out responses the quality check flags (excluded ones always are)")
    p.add_argument("--table", choices=_TABLES, default="descriptives",
                   help="which table --format csv writes (default descriptives)")
    add_format_args(p)
    p.set_defaults(func=run)


class _Level:
    """The invariance level the user states for the grouping (``--invariance-level``)."""

    def __init__(self, level: str, group: str):
        self.level = level
        self.group = group


def _fit_invariance(responses, instrument, mapping, scored, outcome, by):
    """`belonging.invariance` across `by` on the responses that have a score (``--check-invariance``)."""
    from belonging import _columns as C
    from belonging.mapping import item_frame
    from belonging.psychometrics.invariance import invariance

    items = item_frame(responses, instrument, mapping=mapping).reset_index(drop=True)
    if C.SOURCE_ROW in scored.columns:  # the scores also hold the records set aside at ingest: not items
        scored = scored[scored[C.SOURCE_ROW].isin(responses.data[C.SOURCE_ROW]).to_numpy()]
    used = scored[outcome].notna().to_numpy()
    items[by] = scored[by].to_numpy()
    result = invariance(items.loc[used].reset_index(drop=True), instrument, group=by)
    print(f"invariance across {by}: highest level supported {result.level} (see `belonging invariance` for the models)",
          file=sys.stderr)
    return result


def run(args) -> int:
    from belonging._commands._common import emit_frames, load_input
    from belonging.errors import UsageError, suggest
    from belonging.groups import compare
    from belonging.ingest.privacy import looks_identifying

    if not args.instrument and not args.outcome:
        msg = "give --instrument (to score INPUT) or --outcome (the score column of a scores table)"
        raise UsageError(msg)
    if args.exclude_flagged and not args.instrument:
        msg = "--exclude-flagged needs --instrument: quality checks run on the item answers"
        raise UsageError(msg)
    if args.check_invariance and not args.instrument:
        msg = "--check-invariance needs --instrument: the invariance models are fitted to the item answers"
        raise UsageError(msg)
    if looks_identifying(args.by):
        msg = f"--by: column {args.by!r} identifies a person; group by a cohort or mode column instead"
        raise UsageError(msg)
    covariates = split_list(args.covariates)
    measures = split_list(args.participation)
    responses, instrument, mapping = load_input(args)
    responses, measured = attach_activity(responses, args)
    measures = measures or model_measures(responses, measured)
    if args.by in getattr(responses, "identifiers", ()):
        msg = f"--by: column {args.by!r} identifies a person; group by a cohort or mode column instead"
        raise UsageError(msg)
    if instrument is not None:
        from belonging.scoring import score

        needed = [args.by, *covariates, *measures, args.cluster, args.weights, args.strata, args.wave]
        keep = list(dict.fromkeys(c for c in needed if c))
        blocked = [c for c in keep if c in getattr(responses, "identifiers", ()) or looks_identifying(c)]
        if blocked:
            msg = f"column {blocked[0]!r} identifies a person and cannot be a grouping, covariate or design column"
            raise UsageError(msg)
        panel = args.panel_id if args.panel_id and args.panel_id != "response_id" else None
        if panel:
            keep.append(panel)  # the panel key only pairs waves; compare() never outputs it
        from belonging.quality import check_quality

        quality = check_quality(responses, instrument, mapping=mapping, policy=policy_from_args(args))
        data = score(responses, instrument, mapping=mapping, keep=keep, quality=quality,
                     exclude_flagged=args.exclude_flagged, keep_identifiers=bool(panel))
        outcome = args.outcome or instrument.id
        if outcome not in data.columns:
            options = [c for c in data.columns if c.startswith(instrument.id)]
            msg = (f"--outcome: {outcome!r} is not a score of {instrument.id}{suggest(outcome, options)}; "
                   f"choose one of: {', '.join(options)}")
            raise UsageError(msg)
    else:
        data = responses.data
        outcome = args.outcome
    if args.wave and args.wave_order:
        data = _order_waves(data, args.wave, split_list(args.wave_order))
    level = _Level(args.invariance_level, args.by) if args.invariance_level else None
    if args.check_invariance:
        level = _fit_invariance(responses, instrument, mapping, data, outcome, args.by)
    result = compare(
        data, outcome=outcome, by=args.by, covariates=covariates, cluster=args.cluster, weights=args.weights,
        strata=args.strata, wave=args.wave, model=args.model, confidence=args.confidence,
        correction=args.correction, posthoc=args.posthoc, midpoint=args.midpoint,
        instrument=instrument if args.midpoint is None else None,
        invariance=level,
        participation=measures, id_column=args.panel_id or "response_id",
    )
    frames = result.tables()
    if args.format == "table":
        frames.pop("sample_descriptives", None)
    if args.format == "csv" and args.table not in frames:
        msg = f"--table {args.table}: that table was not computed (available: {', '.join(frames)})"
        raise UsageError(msg)
    extra = {"icc": result.icc, "variance": dict(result.variance), "wave_variance": dict(result.wave_variance),
             "warnings": list(result.warnings), "notes": list(result.notes)}
    if args.format == "table":
        extra = {k: v for k, v in extra.items() if v not in (None, [], {})}
    emit_frames(frames, args, extra=extra, csv_frame=args.table)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0



def _order_waves(data, wave, order):
    import pandas as pd

    from belonging.errors import UsageError

    if wave not in data.columns:
        return data  # compare() reports the unknown column
    values = data[wave].astype(str).where(data[wave].notna())
    unknown = sorted(set(values.dropna()) - set(order))
    if unknown:
        msg = f"--wave-order: wave {unknown[0]!r} of column {wave!r} is not listed; list every wave, e.g. --wave-order {','.join(order + unknown)}"
        raise UsageError(msg)
    out = data.copy()
    out[wave] = pd.Categorical(values, categories=order, ordered=True)
    return out
