"""`belonging validate`: check response quality and write one row per input row.

Exit code 0 when no response is excluded, 1 when any is (flags alone do not fail), so the command
can gate a pipeline.
"""

from __future__ import annotations

import argparse
import sys

from belonging._commands._common import add_input_args, split_list

HELP = "check response quality: status and reasons for every input row"


def add_policy_args(p: argparse.ArgumentParser) -> None:
    """``--policy`` plus per-run overrides (shared with `belonging score`)."""
    p.add_argument("--policy", metavar="POLICY.toml", help="actions and thresholds (default: conservative built-in policy)")
    p.add_argument("--exclude", metavar="REASON,...", help="reasons that exclude a response (override the policy)")
    p.add_argument("--flag", metavar="REASON,...", help="reasons that only flag a response (override the policy)")
    p.add_argument("--off", metavar="REASON,...", help="reasons not to check (override the policy)")
    p.add_argument(
        "--threshold", action="append", default=[], metavar="NAME=VALUE",
        help="override a policy threshold, e.g. speeder_fraction=0.25 (repeatable)",
    )


def policy_from_args(args):
    """The policy of `args`: the --policy file (or defaults) with --exclude/--flag/--off/--threshold applied."""
    from belonging.errors import UsageError
    from belonging.quality import Policy, load_policy

    policy = load_policy(args.policy) if getattr(args, "policy", None) else Policy()
    actions = {}
    for action in ("exclude", "flag", "off"):
        for reason in split_list(getattr(args, action, None)):
            actions[reason] = action
    thresholds = {}
    for item in getattr(args, "threshold", None) or []:
        name, sep, value = item.partition("=")
        try:
            thresholds[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            msg = f"--threshold {item!r}: expected NAME=NUMBER, e.g. speeder_fraction=0.25"
            raise UsageError(msg) from None
    if actions:
        policy = policy.with_actions(**actions)
    if thresholds:
        policy = policy.with_thresholds(**thresholds)
    return policy


def register(sub) -> None:
    p = sub.add_parser(
        "validate", help=HELP,
        description=(
            HELP + ". Prints counts by status and reason with every threshold on stderr, writes one row per "
            "input row (including previews set aside at ingest) to -o, and exits 1 when any response is "
            "excluded (0 otherwise; flags alone do not fail)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_args(p)
    add_policy_args(p)
    p.add_argument("-o", "--output", metavar="OUT",
                   help="per-row report: .csv, .tsv, .parquet, .xlsx or .json; '-' for CSV on stdout (files carry their "
                   "provenance as `score -o` does)")
    p.add_argument("--issues", metavar="OUT", help="also write the cell-level issues table here")
    p.add_argument("--keep-identifiers", action="store_true",
                   help="allow --id-column to name a column that identifies a person (its values become response_id)")
    p.set_defaults(func=run)


def run(args) -> int:
    from belonging._commands._common import load_input
    from belonging._commands._run import run_provenance
    from belonging._io import table_format, write_table
    from belonging.quality import check_quality

    for out in (args.output, args.issues):
        if out:
            table_format(out)  # a usage error before any work
    policy = policy_from_args(args)
    responses, instrument, mapping = load_input(args, ids_in_output=True)
    report = check_quality(responses, instrument, mapping=mapping, policy=policy)
    record = run_provenance(args, responses, instrument)
    if args.output:
        write_table(report.rows, args.output, provenance=record)
    if args.issues:
        write_table(report.issues, args.issues, provenance=record)
    print(report.summary_text(), file=sys.stderr)
    return 1 if report.any_excluded else 0
