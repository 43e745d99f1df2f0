"""`belonging score`: score an export on an instrument and write one row per response."""

from __future__ import annotations

import argparse
import sys

from belonging._commands._common import add_input_args, load_input, split_list
from belonging._commands.validate import add_policy_args, policy_from_args

HELP = "score responses on an instrument (one row per response)"


def register(sub) -> None:
    p = sub.add_parser(
        "score", help=HELP, description=HELP + ". Summary on stderr; identifying columns never reach the output unless asked.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_args(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="OUT.csv, .tsv, .parquet or .xlsx; '-' writes CSV to stdout. The file carries its provenance (input "
                   "SHA-256, versions, instrument, options): Parquet metadata, XLSX document properties, or beside a CSV "
                   "or TSV a sidecar OUT.provenance.json")
    p.add_argument("--keep", metavar="COL,...", help="extra columns to copy to the output (e.g. grouping columns)")
    p.add_argument("--keep-identifiers", action="store_true", help="allow --keep (and --id-column) to name columns that identify a person")
    add_policy_args(p)
    p.add_argument(
        "--exclude-flagged", action="store_true",
        help="also leave responses the quality check flags unscored (sensitivity analysis; default: flagged responses are scored)",
    )
    p.add_argument(
        "--strict", action="store_true",
        help="stop at an answer outside the scale or an unknown label: one error line naming file, row, column and value, "
        "exit 1 and no output (default: such responses are excluded by the quality policy and named on stderr)",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from belonging._commands._run import run_provenance
    from belonging._io import table_format, write_table
    from belonging.mapping import map_items
    from belonging.quality import check_quality
    from belonging.scoring import score

    table_format(args.output)  # a usage error before any work
    policy = policy_from_args(args)
    responses, instrument, mapping = load_input(args, ids_in_output=True)
    mapped = map_items(responses, instrument, mapping=mapping)  # once, for the quality check and the scores
    if args.strict:
        mapped.raise_if_invalid()  # before anything is written
    quality = check_quality(responses, instrument, mapping=mapping, policy=policy, mapped=mapped)
    scores = score(
        responses, instrument, mapping=mapping, keep=split_list(args.keep), keep_identifiers=args.keep_identifiers,
        quality=quality, exclude_flagged=args.exclude_flagged, mapped=mapped,
    )
    write_table(scores, args.output, provenance=run_provenance(args, responses, instrument))
    _summary(scores, instrument, responses, args.exclude_flagged)
    for note in mapped.notes:  # e.g. answer codes recoded through value labels or [codes]
        print(f"  mapping: {note}", file=sys.stderr)
    _quality_summary(scores, quality, args.exclude_flagged)
    return 0


def _quality_summary(scores, quality, exclude_flagged) -> None:
    """Status counts of the scored rows, reconciled with the quality report (rows set aside at ingest)."""
    from belonging import _columns as C

    summary = quality.summary  # counted as the report was built: no pass over a million status strings here
    counts = {n: int(c) for k, n, c in zip(summary[C.KIND], summary[C.NAME], summary[C.COUNT]) if k == C.STATUS}
    at_ingest = int(summary.loc[(summary[C.KIND] == C.REASON) & (summary[C.NAME] == "preview"), C.COUNT].sum())
    lines = [
        "  quality: " + ", ".join(f"{s} {counts[s]}" for s in (C.KEPT, C.FLAGGED, C.EXCLUDED))
        + (f" (of which {at_ingest} set aside at ingest)" if at_ingest else "")
        + ("; flagged responses left unscored (--exclude-flagged)" if exclude_flagged else "; flagged responses are scored"),
    ]
    reasons = quality.summary[(quality.summary[C.KIND] == C.REASON) & (quality.summary[C.COUNT] > 0)]
    if len(reasons):
        lines.append("  reasons: " + ", ".join(f"{n} {c} ({a})" for n, c, a in zip(reasons[C.NAME], reasons[C.COUNT], reasons[C.ACTION])))
    cells = quality.issues
    if len(cells):
        shown = 3
        for message in cells[C.MESSAGE].head(shown):
            lines.append(f"  {message}")
        if len(cells) > shown:
            lines.append(f"  ... and {len(cells) - shown} more cell(s) with a problem")
    lines.append("  see `belonging validate` for every row, reason and threshold")
    print("\n".join(lines), file=sys.stderr)


def _summary(scores, instrument, responses, exclude_flagged=False) -> None:
    """Records read and written, how many got a score, and why the others did not (counted per cause)."""
    from belonging import _columns as C

    n_in = responses.n_records
    total = scores[instrument.id]
    has = total.notna().to_numpy()
    scored = int(has.sum())
    lines = [f"{responses.provenance.path}: {n_in} record(s) read, {len(scores)} row(s) written, {scored} scored on {instrument.id}"]
    dropped = dict(responses.provenance.dropped)
    if dropped:
        lines.append("  dropped at ingest: " + ", ".join(f"{k} {v}" for k, v in dropped.items())
                     + " (written as excluded rows without a score)")
    if scored < len(scores):
        causes = []
        if C.STATUS in scores.columns:
            status = scores[C.STATUS][~has]  # the rows without a score only (few): compared in their own storage
            set_aside = len(scores) - len(responses.data)
            excluded = int((status == C.EXCLUDED).sum()) - set_aside
            flagged = int((status == C.FLAGGED).sum()) if exclude_flagged else 0
            too_few = len(scores) - scored - set_aside - excluded - flagged
            causes += [f"{set_aside} set aside at ingest"] if set_aside else []
            causes += [f"{excluded} excluded by the quality policy"] if excluded else []
            causes += [f"{flagged} flagged (--exclude-flagged)"] if flagged else []
        else:
            too_few = len(scores) - scored
        if too_few:
            causes.append(f"{too_few} with fewer than {instrument.scoring.min_answered:.0%} of items answered")
        lines.append(f"  {len(scores) - scored} without a total score: " + ", ".join(causes))
    if scored:
        values = total.to_numpy(dtype="float64")[has]
        sd = f"{values.std(ddof=1):.3f}" if scored > 1 else "nan"
        lines.append(f"  {instrument.id}: mean {values.mean():.3f}, sd {sd}")
    print("\n".join(lines), file=sys.stderr)
