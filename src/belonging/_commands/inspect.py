"""`belonging inspect`: what the reader sees in an export, and a proposed item mapping."""

from __future__ import annotations

import argparse

from belonging._commands._common import add_format_args, add_input_args, emit_frames

HELP = "show an export's platform, row counts and columns; propose a column-to-item mapping"


def register(sub) -> None:
    p = sub.add_parser(
        "inspect", help=HELP,
        description=(
            HELP + ". Prints the detected platform, records kept and set aside (previews, tests) and"
            " incomplete, and each column with its question text and whether it identifies a person."
            " With --instrument, proposes which column holds each item, with a confidence per item;"
            " --write-map saves the proposal as a --map file to review."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_args(p, instrument=True, instrument_required=False)
    p.add_argument("--write-map", metavar="MAP.toml", help="save the proposed mapping (needs --instrument); written atomically")
    add_format_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from belonging._commands._common import load_input
    from belonging.errors import UsageError
    from belonging.ingest.propose import describe_columns, propose_mapping, row_counts

    if args.write_map and not args.instrument:
        msg = "--write-map needs --instrument: the mapping is proposed for one instrument's items"
        raise UsageError(msg)
    responses, instrument, _ = load_input(args)
    prov = responses.provenance
    extra = {"file": prov.path, "platform": prov.platform, "format": prov.format, "encoding": prov.encoding}
    extra.update(row_counts(responses))
    if prov.notes:
        extra["notes"] = "; ".join(prov.notes)
    frames = {"columns": describe_columns(responses)}
    if instrument is not None:
        proposal = propose_mapping(responses, instrument)
        frames["mapping"] = proposal.to_frame()
        extra["mapping_summary"] = proposal.summary()
        if args.write_map:
            from belonging._io import atomic_write_text

            atomic_write_text(args.write_map, proposal.mapping.to_toml())
            extra["map_written"] = args.write_map
    emit_frames(frames, args, extra=extra, csv_frame="mapping" if instrument is not None else "columns")
    return 0
