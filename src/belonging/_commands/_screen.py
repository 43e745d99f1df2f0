"""Quality screening shared by the analysis commands (standard library at import time).

`score` and `compare` apply the quality policy through :func:`belonging.score`; the commands that
analyse item answers directly (reliability, efa, cfa, invariance, report) use this module so every
analysis sees the same rows: responses the policy excludes are always left out, and flagged ones too
with ``--exclude-flagged`` (the sensitivity analysis).
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_screen_args", "screen"]


def add_screen_args(p: argparse.ArgumentParser) -> None:
    """``--policy``, the per-run policy overrides and ``--exclude-flagged``."""
    from belonging._commands.validate import add_policy_args

    add_policy_args(p)
    p.add_argument(
        "--exclude-flagged", action="store_true",
        help="also leave out responses the quality check flags (sensitivity analysis; excluded responses always are)",
    )


def screen(responses, instrument, mapping, args, *, quiet: bool = False):
    """`responses` without the rows the quality policy of `args` leaves out; a one-line note on stderr.

    Returns ``(responses, quality)``: a :class:`belonging.Responses` holding only the rows analysed
    (same columns, metadata and provenance) and the full :class:`belonging.QualityReport`.
    """
    import dataclasses

    import numpy as np

    from belonging import _columns as C
    from belonging._commands.validate import policy_from_args
    from belonging.quality import check_quality
    from belonging.scoring import _status_for

    quality = check_quality(responses, instrument, mapping=mapping, policy=policy_from_args(args))
    status = _status_for(responses.data, quality)
    drop = status == C.EXCLUDED
    if args.exclude_flagged:
        drop |= status == C.FLAGGED
    n_drop = int(np.count_nonzero(drop))
    if not quiet:
        left = "excluded" + (" or flagged (--exclude-flagged)" if args.exclude_flagged else "")
        print(
            f"{responses.provenance.path}: {len(status) - n_drop} of {len(status)} response(s) analysed; "
            f"{n_drop} {left} by the quality check (see `belonging validate`)",
            file=sys.stderr,
        )
    if n_drop:
        kept = responses.data.loc[~drop].reset_index(drop=True)
        responses = dataclasses.replace(responses, data=kept)
    return responses, quality
