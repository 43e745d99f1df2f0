"""Instruments as data: the model (:mod:`.model`) and the loader of TOML definitions (:mod:`.loader`)."""

from belonging.instruments.loader import list_instruments, load_instrument
from belonging.instruments.model import (
    AttentionCheck,
    Instrument,
    Item,
    ResponseScale,
    Scoring,
    Subscale,
)

__all__ = [
    "AttentionCheck",
    "Instrument",
    "Item",
    "ResponseScale",
    "Scoring",
    "Subscale",
    "list_instruments",
    "load_instrument",
]
