"""Documentation stays true: the CLI reference equals --help."""

from pathlib import Path

from belonging._commands._docs import render_cli_reference

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_matches_help():
    expected = render_cli_reference()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run `python -m belonging._commands._docs > docs/cli.md`"


def test_cli_reference_lists_every_command():
    from belonging.cli import COMMANDS

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"## `belonging {name}" in text
