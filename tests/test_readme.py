"""The README stays true: two Quickstart commands, the sample mapping it names, the instruments table."""

import re
import shlex
from pathlib import Path

import belonging as bl

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def _quickstart_commands() -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", _section("Quickstart"), flags=re.S)


def test_quickstart_has_exactly_two_commands():
    commands = _quickstart_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert commands[1] == "pip install -e '.[dev]' && python -m pytest"


def test_ci_runs_the_second_command_literally():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _quickstart_commands()[1] in ci


def test_main_command_produces_the_report_from_the_qualtrics_sample():
    install, main = _quickstart_commands()[0].split(" && ")
    assert install == "pip install ."
    argv = shlex.split(main)
    assert argv[:3] == ["belonging", "report", "data/sample/qualtrics_export.csv"]
    from belonging.cli import build_parser

    args = build_parser().parse_args(argv[1:])
    assert args.func.__module__ == "belonging._commands.report"
    for path in (args.input, args.map):
        assert (ROOT / path).is_file(), path


def test_sample_mapping_is_what_inspect_proposes():
    """The shipped map is the reviewed output of `belonging inspect --write-map`: regenerate if the export changes."""
    responses = bl.read_export(ROOT / "data/sample/qualtrics_export.csv")
    inst = bl.load_instrument("ccs")
    proposal = bl.propose_mapping(responses, inst)
    shipped = bl.load_mapping(ROOT / "data/sample/qualtrics_ccs_map.toml")
    assert dict(shipped.columns) == dict(proposal.mapping.columns)
    assert len(shipped.columns) == len(inst.items)
    assert proposal.to_frame()["match_confidence"].min() == 1.0


def test_instruments_table_matches_the_registry():
    rows = re.findall(r"^\| `([a-z_]+)` \| [^|]+ \| (\d+) \|", _section("Instruments"), flags=re.M)
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(bl.list_instruments()["id"])
    for ident, n_items in rows:
        assert len(bl.load_instrument(ident).items) == int(n_items), ident
