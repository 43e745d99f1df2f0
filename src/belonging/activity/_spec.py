"""The systems' descriptions (systems.toml), loaded once, read-only."""

from __future__ import annotations

import functools
import tomllib
from importlib.resources import files
from types import MappingProxyType

from belonging.errors import UsageError, suggest

__all__ = ["SYSTEMS", "months", "roster_spec", "system"]

#: The systems `read_activity` reads, in the order the command line lists them.
SYSTEMS = ("moodle", "canvas", "zoom", "teams")


def _freeze(value):
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


@functools.cache
def _data() -> MappingProxyType:
    text = files("belonging.activity").joinpath("systems.toml").read_text(encoding="utf-8")
    return _freeze(tomllib.loads(text))


def system(name: str) -> MappingProxyType:
    """The description of system `name` (one of :data:`SYSTEMS`)."""
    key = str(name).strip().lower()
    if key not in SYSTEMS:
        msg = f"unknown system {name!r}{suggest(key, SYSTEMS)}; choose one of: {', '.join(SYSTEMS)}"
        raise UsageError(msg)
    return _data()[key]


def months() -> tuple:
    """``((language, ((words of January), ..., (words of December))), ...)``, hashable."""
    return tuple((lang, tuple(tuple(w) for w in names)) for lang, names in _data()["months"].items())


def roster_spec() -> MappingProxyType:
    """Header spellings of roster columns and the role values that mean a student."""
    return _data()["roster"]["columns"]
