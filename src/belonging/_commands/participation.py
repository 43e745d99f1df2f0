"""`belonging participation build|relate`: measured participation from platform and meeting logs."""

from __future__ import annotations

import argparse
import sys

from belonging._commands._common import add_format_args, add_input_args, split_list
from belonging._commands.validate import add_policy_args

HELP = "measure participation from learning-platform and meeting logs, and relate it to belonging"

__all__ = ["add_activity_args", "attach_activity", "model_measures", "register"]

_BUILD = """\
Read learning-platform logs (Moodle standard log, Canvas course access report) and meeting reports
(Zoom participants report, Microsoft Teams attendance report), match every row to the roster and
write participation features per student and course, keyed by the keyed pseudonym of the waves store
(HMAC-SHA-256 with --key). Names, e-mail addresses, user ids and IP addresses are used only to match
a row to the roster; nothing identifying is written. Rows that match no student are counted by reason
(guest, unknown_email, unknown_name, ambiguous_name, no_identity, staff) on stderr and in the file's
metadata, never listed. Give a file as COURSE=PATH to say which roster course it belongs to."""


def add_activity_args(p: argparse.ArgumentParser) -> None:
    """``--activity`` and the options that link survey responses to a participation file."""
    g = p.add_argument_group("measured participation (from `belonging participation build`)")
    g.add_argument("--activity", metavar="PARTICIPATION.parquet",
                   help="join measured participation features (log_forum_posts, log_live_minutes, ...) on the keyed pseudonym")
    g.add_argument("--key", metavar="KEYFILE", help="the key file the participation file was built with (needed with --activity)")
    g.add_argument("--link-column", metavar="COL",
                   help="survey column with the identifier the roster key was made from (default: the roster's key "
                        "column name, e.g. student_id); pseudonymised when read, never written")
    g.add_argument("--activity-course", metavar="COL",
                   help="survey column naming the course, when students have records in several courses")


def attach_activity(responses, args):
    """`responses` with the measured features of ``--activity`` joined, and the names of those features.

    Returns ``(responses, features)``; unchanged and ``[]`` without ``--activity``. Prints how many
    responses were linked on stderr (a count, nothing else).
    """
    if not getattr(args, "activity", None):
        return responses, []
    import dataclasses

    from belonging.activity import join_activity
    from belonging.errors import UsageError
    from belonging.ingest.responses import ColumnInfo

    if not args.key:
        msg = "--activity needs --key KEYFILE: the key the participation file was built with"
        raise UsageError(msg)
    data = getattr(responses, "data", responses)
    joined = join_activity(data, args.activity, key=args.key, link_column=args.link_column,
                           course_column=args.activity_course)
    features = [c for c in joined.columns if c not in data.columns and joined[c].notna().any()]
    linked = int(joined[features].notna().any(axis=1).sum()) if features else 0
    print(f"{args.activity}: {linked} of {len(joined)} response(s) linked to participation records", file=sys.stderr)
    if not hasattr(responses, "data"):
        return joined, features
    added = tuple(ColumnInfo(name=c) for c in joined.columns if c not in data.columns)
    return dataclasses.replace(responses, data=joined, columns=tuple(responses.columns) + added), features


def model_measures(data, features) -> list[str]:
    """The joined features to enter together in one model (compare's participation table): one per
    mechanism (:data:`belonging.activity.MODEL_FEATURES`), each with at least two distinct values."""
    from belonging.activity import MODEL_FEATURES

    frame = getattr(data, "data", data)
    wanted = [f"log_{f}" for f in MODEL_FEATURES]
    return [f for f in wanted if f in features and frame[f].nunique(dropna=True) > 1]


def register(sub) -> None:
    p = sub.add_parser("participation", help=HELP, description=HELP + ".")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    b = psub.add_parser("build", help="participation features per student and course from logs (Parquet)",
                        description=_BUILD, formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("--roster", required=True, metavar="ROSTER.csv",
                   help="students (and staff, with a role column): key identifier, e-mail, name, course, section")
    for name, what in (("moodle", "Moodle standard log (CSV or Excel download)"),
                       ("canvas", "Canvas course access report (CSV)"),
                       ("zoom", "Zoom participants report (CSV)"),
                       ("teams", "Microsoft Teams attendance report (CSV, UTF-16 or UTF-8)")):
        b.add_argument(f"--{name}", nargs="+", action="extend", metavar="[COURSE=]FILE", help=what)
    b.add_argument("--key", required=True, metavar="KEYFILE", help="the institution's key file (`belonging store keygen`)")
    b.add_argument("--key-column", metavar="COL",
                   help="roster column the pseudonym is made from (default: student id, else e-mail); the survey "
                        "must hold the same identifier")
    b.add_argument("--timezone", metavar="TZ",
                   help="IANA time zone of times written without an offset (Moodle, Zoom, Teams), and of days "
                        "(default: UTC, with a warning when such a file is read)")
    b.add_argument("--dayfirst", metavar="SYSTEM,...",
                   help="for these systems, read 01/02/26 as 1 February when a file's dates fit both orders "
                        "(default: Moodle day first, Zoom and Teams month first, with a warning)")
    b.add_argument("--monthfirst", metavar="SYSTEM,...",
                   help="for these systems, read 01/02/26 as 2 January when a file's dates fit both orders")
    b.add_argument("--fuzzy", action="store_true",
                   help="also match names close to exactly one roster name (reported as a count)")
    b.add_argument("--since", metavar="DATE", help="count only events from this date or time on (a Canvas access "
                   "report, which has no time per view, is then left out, with a warning)")
    b.add_argument("--until", metavar="DATE", help="count only events before this date or time")
    b.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr (warnings are still printed)")
    b.add_argument("-o", "--output", required=True, metavar="OUT.parquet", help="participation file to write (atomic)")
    b.set_defaults(func=run_build)

    r = psub.add_parser("relate", help="relate belonging to each measured participation feature",
                        description="Join a participation file to survey responses on the keyed pseudonym and fit "
                                    "belonging against each measured feature (standardized coefficient, robust CI, "
                                    "partial r and n; cluster-robust by --cluster).")
    add_input_args(r, instrument_required=False)
    r.add_argument("--outcome", metavar="COL", help="score column (default: the instrument total)")
    r.add_argument("--features", metavar="A,B", help="features to relate (default: every measured feature)")
    r.add_argument("--covariates", metavar="A,B", help="adjust every model for these columns")
    r.add_argument("--cluster", metavar="COL", help="nesting unit (course section): cluster-robust standard errors")
    r.add_argument("--confidence", type=float, default=0.95, help="confidence level (default 0.95)")
    add_activity_args(r)
    add_policy_args(r)
    add_format_args(r)
    r.set_defaults(func=run_relate)


def _check_build_paths(args) -> None:
    from pathlib import Path

    from belonging.errors import UsageError

    if Path(args.output).suffix.lower() != ".parquet":
        msg = f"-o {args.output}: the participation file is Parquet; name it ....parquet"
        raise UsageError(msg)
    # an output that is an input is refused for every command by belonging._commands._guard.check_paths


def _day_order(args) -> dict:
    """``--dayfirst``/``--monthfirst`` as ``{system: True/False}``."""
    from belonging.activity import SYSTEMS
    from belonging.errors import UsageError, suggest

    order = {}
    for option, value in (("--dayfirst", True), ("--monthfirst", False)):
        for name in split_list(getattr(args, option[2:])):
            if name.lower() not in SYSTEMS:
                msg = f"{option}: unknown system {name!r}{suggest(name.lower(), SYSTEMS)}; choose from {', '.join(SYSTEMS)}"
                raise UsageError(msg)
            if name.lower() in order:
                msg = f"{name}: given to both --dayfirst and --monthfirst; choose one"
                raise UsageError(msg)
            order[name.lower()] = value
    return order


def _window(args) -> tuple:
    """``--since`` and ``--until`` checked before any file is read (errors name the option)."""
    import pandas as pd

    from belonging.errors import UsageError

    out = []
    for option, value in (("--since", args.since), ("--until", args.until)):
        if value is None:
            out.append(None)
            continue
        try:
            ok = pd.Timestamp(value) is not pd.NaT
        except (ValueError, TypeError):
            ok = False
        if not ok:
            msg = f"{option} must be a date or time such as 2026-03-01 or 2026-03-01T09:00; got {value!r}"
            raise UsageError(msg)
        out.append(value)
    if None not in out and pd.Timestamp(out[1]) <= pd.Timestamp(out[0]):
        msg = f"--until {out[1]} must come after --since {out[0]}"
        raise UsageError(msg)
    return tuple(out)


def run_build(args) -> int:
    from belonging.activity import participation_features, read_activity, write_participation
    from belonging.errors import UsageError

    _check_build_paths(args)
    files = [(name, f) for name in ("moodle", "canvas", "zoom", "teams") for f in getattr(args, name) or []]
    if not files:
        msg = "give at least one log: --moodle, --canvas, --zoom or --teams FILE"
        raise UsageError(msg)
    from belonging.activity.log import check_timezone

    if args.timezone is not None:
        check_timezone(args.timezone, "--timezone")
    window = _window(args)
    log = read_activity(files, roster=args.roster, key=args.key, key_column=args.key_column,
                        timezone=args.timezone, dayfirst=_day_order(args), fuzzy=args.fuzzy)
    if any(t is not None for t in window):
        log = log.between(*window)
    table = participation_features(log)
    write_participation(table, args.output, log=log)
    if not args.quiet:
        print(log.summary(), file=sys.stderr)
        print(f"{args.output}: {len(table)} student-course row(s), {table['course'].nunique()} course(s)",
              file=sys.stderr)
    else:  # --quiet leaves out the summary, never a warning
        for w in log.warnings:
            print(f"warning: {w}", file=sys.stderr)
    return 0


def run_relate(args) -> int:
    from belonging._commands._common import emit_frames, load_input
    from belonging._commands.validate import policy_from_args
    from belonging.activity import relate_participation
    from belonging.errors import UsageError

    if not args.activity:
        msg = "give --activity PARTICIPATION.parquet (from `belonging participation build`) and --key"
        raise UsageError(msg)
    if not args.instrument and not args.outcome:
        msg = "give --instrument (to score INPUT) or --outcome (the score column of a scores table)"
        raise UsageError(msg)
    responses, instrument, mapping = load_input(args)
    responses, features = attach_activity(responses, args)
    wanted = split_list(args.features)
    if wanted:
        features = [f if f in features else f"log_{f}" for f in wanted]
    covariates = split_list(args.covariates)
    if instrument is not None:
        from belonging.quality import check_quality
        from belonging.scoring import score

        keep = list(dict.fromkeys([*features, *covariates, *([args.cluster] if args.cluster else [])]))
        quality = check_quality(responses, instrument, mapping=mapping, policy=policy_from_args(args))
        data = score(responses, instrument, mapping=mapping, keep=keep, quality=quality)
        outcome = args.outcome or instrument.id
    else:
        data, outcome = responses.data, args.outcome
    rel = relate_participation(data, outcome=outcome, features=features, covariates=covariates,
                               cluster=args.cluster, confidence=args.confidence)
    emit_frames({"participation": rel.table}, args, extra={"linked": rel.linked, "warnings": [str(w) for w in rel.warnings]})
    for w in rel.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0
