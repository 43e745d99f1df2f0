"""Constants shared by the participation-log tests (a uniquely named module: test folders share no
``conftest`` module name)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "activity"
KEY = bytes(range(32))
