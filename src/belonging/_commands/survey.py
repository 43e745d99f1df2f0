"""`belonging survey build`: instruments -> a survey the platform imports, plus the mapping its export needs."""

from __future__ import annotations

import argparse
import sys

HELP = "build an importable survey (Qualtrics, LimeSurvey, REDCap, HTML/PDF) and the mapping its export needs"
BUILD_HELP = (
    "Write the platform's import file (Qualtrics .qsf, LimeSurvey .lss, REDCap data dictionary .csv, or a "
    "printable HTML and PDF questionnaire with a data-entry sheet) for one or more instruments, and "
    "OUT.map.toml: the --map file that the survey's export needs (its columns, attention checks, "
    "randomised blocks). Statements are the items with their wording, answers the scale's labels in "
    "published order with the instrument's codes; nothing is mandatory. Instruments whose wording is "
    "not shipped or not confirmed (see `belonging instruments show`) need --allow-unconfirmed, and the "
    "survey then starts with a notice to check and remove before fielding. Files are written atomically "
    "(all or none), never over a folder or an input file; their paths are printed on stdout, a summary on stderr."
)


def register(sub) -> None:
    p = sub.add_parser("survey", help=HELP, description=HELP + ".")
    ssub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    b = ssub.add_parser("build", help="build a survey file and its mapping", description=BUILD_HELP,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("instruments", nargs="+", metavar="ID|PATH", help="built-in instrument ids or TOML definitions, one block each")
    b.add_argument("--platform", required=True, choices=("qualtrics", "limesurvey", "redcap", "html"),
                   help="survey platform to build for (html: paper or plain web, HTML and PDF)")
    b.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="path of the import file, with or without its suffix (course or course.qsf -> course.qsf, course.map.toml)")
    b.add_argument("--title", help="survey title (default: Course experience survey)")
    b.add_argument("--participation", action="store_true",
                   help="add the demographic and participation block (cohort, mode, learning path, forum/chat/live-video/"
                   "breakout/feedback use), in the columns compare and participation take")
    b.add_argument("--cohorts", metavar="NAME,...", help="cohorts to choose from (with --participation; default: asked as text)")
    b.add_argument("--attention-checks", type=int, default=0, metavar="N",
                   help="instructed-response statements spread over the instrument blocks; the quality check flags a wrong answer")
    b.add_argument("--randomise", action="store_true",
                   help="each instrument's statements in random order per respondent (Qualtrics, LimeSurvey); recorded in the mapping")
    b.add_argument("--consent", metavar="FILE", help="UTF-8 text file shown first (information and consent; blank lines separate paragraphs)")
    b.add_argument("--allow-unconfirmed", action="store_true",
                   help="build instruments whose wording is not shipped or not confirmed; the survey carries a notice")
    b.add_argument("--language", default="en", metavar="CODE", help="ISO 639-1 language code of the survey (default: en)")
    b.set_defaults(func=run_build)


def run_build(args) -> int:
    from pathlib import Path

    from belonging._commands._common import split_list
    from belonging.errors import UsageError
    from belonging.survey import build_survey

    if args.cohorts and not args.participation:
        msg = "--cohorts needs --participation: the cohort question is part of the participation block"
        raise UsageError(msg)
    if args.attention_checks < 0:
        msg = f"--attention-checks must be 0 or more; got {args.attention_checks}"
        raise UsageError(msg)
    built = build_survey(
        args.instruments, platform=args.platform, title=args.title, participation=args.participation,
        cohorts=split_list(args.cohorts) or None, attention_checks=args.attention_checks, randomise=args.randomise,
        consent=Path(args.consent) if args.consent else None, allow_unconfirmed=args.allow_unconfirmed,
        language=args.language,
    )
    paths = built.write(args.output)
    sys.stdout.write("".join(f"{p}\n" for p in paths))
    print(built.summary(), file=sys.stderr)
    return 0
