"""Provenance manifests: what went into a result, so that it can be reproduced and trusted."""

from __future__ import annotations

import datetime as _dt
import platform as _platform
from importlib import metadata

__all__ = ["manifest"]

_PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def manifest(*, responses=None, instrument=None, parameters: dict | None = None, seed: int | None = None, now=None) -> dict:
    """Return a JSON-ready provenance record.

    Parameters
    ----------
    responses : Responses, optional
        Adds the input file, its SHA-256, platform, encoding and rows dropped at ingest.
    instrument : Instrument, optional
        Adds the instrument id, version and citation.
    parameters : dict, optional
        The options the result was computed with.
    seed : int, optional
        The random seed used (``None`` when nothing was random).
    now : datetime, optional
        The time stamp to record (default: the current UTC time).

    Returns
    -------
    dict
        Keys ``belonging_version``, ``created_at`` (ISO 8601, UTC), ``python``, ``packages``,
        ``input`` (or None), ``instrument`` (or None), ``parameters``, ``seed``.
    """
    from belonging import __version__

    when = now or _dt.datetime.now(_dt.UTC)
    record = {
        "belonging_version": __version__,
        "created_at": when.astimezone(_dt.UTC).isoformat(timespec="seconds"),
        "python": _platform.python_version(),
        "packages": {name: _version(name) for name in _PACKAGES},
        "input": responses.provenance.to_dict() if responses is not None else None,
        "instrument": None,
        "parameters": dict(parameters or {}),
        "seed": seed,
    }
    if instrument is not None:
        record["instrument"] = {
            "id": instrument.id,
            "version": instrument.version,
            "citation": instrument.citation,
            "path": instrument.path,
        }
    return record
