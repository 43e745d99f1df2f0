"""Item 1 (and the symbolic-link part of item 9) of issue 22: no command writes over a file it reads.

One check (``belonging._commands._guard.check_paths``) runs for every command; these tests reach it
through ``belonging.cli.main`` the way a user does, through plain paths, ``..``, symbolic and hard
links, and through the report's output folder.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import belonging as bl
from belonging._commands._guard import COLUMN_OPTIONS, INPUT_OPTIONS, OUTPUT_OPTIONS, check_paths
from belonging.cli import build_parser, main
from belonging.errors import UsageError

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"
PSSM = bl.load_instrument("pssm")


def _survey(path: Path, rows: int = 12) -> Path:
    df = pd.DataFrame({i: [(r * (j + 1)) % 5 + 1 for r in range(rows)] for j, i in enumerate(PSSM.item_ids)})
    df.insert(0, "response_id", [f"R{r}" for r in range(rows)])
    df["cohort"] = ["A", "B"] * (rows // 2)
    df.to_csv(path, index=False)
    return path


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file() and not p.is_symlink()}


# Every command that reads INPUT and writes -o: the output is the input itself.
COMMANDS = {
    "score": ["--instrument", "pssm"],
    "validate": ["--instrument", "pssm"],
    "reliability": ["--instrument", "pssm"],
    "efa": ["--instrument", "pssm"],
    "cfa": ["--instrument", "pssm"],
    "invariance": ["--instrument", "pssm", "--by", "cohort"],
    "compare": ["--instrument", "pssm", "--by", "cohort"],
    "inspect": [],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("how", ["plain", "dotdot", "symlink", "hardlink"])
def test_no_command_writes_over_its_input(tmp_path, capsys, command, how):
    src = _survey(tmp_path / "survey.csv")
    (tmp_path / "sub").mkdir()
    out = {
        "plain": str(src),
        "dotdot": str(tmp_path / "sub" / ".." / "survey.csv"),
        "symlink": str(tmp_path / "link.csv"),
        "hardlink": str(tmp_path / "hard.csv"),
    }[how]
    if how == "symlink":
        os.symlink(src, out)
    elif how == "hardlink":
        os.link(src, out)
    before = _snapshot(tmp_path)
    code = main([command, str(src), *COMMANDS[command], "-o", out])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "that is the input file; inputs are never modified" in err, err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["validate", "{src}", "--instrument", "pssm", "--issues", "{src}"], "--issues {src}: that is the input file"),
        (["validate", "{src}", "--instrument", "pssm", "-o", "{tmp}/q.csv", "--issues", "{tmp}/q.csv"],
         "-o {tmp}/q.csv and --issues {tmp}/q.csv are the same file"),
        (["score", "{src}", "--instrument", "pssm", "--policy", "{tmp}/policy.toml", "-o", "{tmp}/./policy.toml"],
         "-o {tmp}/./policy.toml: that is the --policy file {tmp}/policy.toml"),
        (["score", "{src}", "--instrument", "{tmp}/inst.toml", "-o", "{tmp}/inst.toml"],
         "-o {tmp}/inst.toml: that is the --instrument file"),
    ],
)
def test_other_inputs_and_outputs_are_guarded(tmp_path, capsys, argv, fragment):
    src = _survey(tmp_path / "survey.csv")
    (tmp_path / "policy.toml").write_text("[actions]\n")
    shutil.copy(Path(bl.__file__).parent / "instruments" / "definitions" / "pssm.toml", tmp_path / "inst.toml")
    before = _snapshot(tmp_path)
    fill = {"{src}": str(src), "{tmp}": str(tmp_path)}
    argv = [re.sub("|".join(map(re.escape, fill)), lambda m: fill[m.group(0)], a) for a in argv]
    fragment = re.sub("|".join(map(re.escape, fill)), lambda m: fill[m.group(0)], fragment)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1, err
    assert _snapshot(tmp_path) == before


def test_inspect_never_overwrites_the_reviewed_mapping(tmp_path, capsys):
    """`inspect --map M --write-map M` would drop the reviewed mapping's comments and [labels]."""
    reviewed = tmp_path / "map.toml"
    shutil.copy(FIX / "maps" / "qualtrics.toml", reviewed)
    reviewed.write_text("# reviewed by hand\n" + reviewed.read_text())
    before = reviewed.read_bytes()
    argv = ["inspect", str(FIX / "qualtrics_text.csv"), "--instrument", "ccs", "--map", str(reviewed)]
    for target in (str(reviewed), str(tmp_path / "x" / ".." / "map.toml")):
        (tmp_path / "x").mkdir(exist_ok=True)
        assert main([*argv, "--write-map", target]) == 2
        assert "that is the --map file" in capsys.readouterr().err
    os.symlink(reviewed, tmp_path / "alias.toml")
    assert main([*argv, "--write-map", str(tmp_path / "alias.toml")]) == 2
    capsys.readouterr()
    assert reviewed.read_bytes() == before
    assert main([*argv, "--write-map", str(tmp_path / "new.toml")]) == 0  # elsewhere: written
    assert (tmp_path / "new.toml").read_text().startswith("#") or (tmp_path / "new.toml").stat().st_size > 0


@pytest.mark.parametrize(
    ("place", "extra"),
    [("input", []), ("roster", ["--roster"]), ("cohort_html", [])],
)
def test_report_refuses_an_input_inside_its_folder_under_an_output_name(tmp_path, capsys, place, extra):
    out = tmp_path / "reports"
    out.mkdir()
    src = _survey(tmp_path / "survey.csv")
    if place == "input":
        src = _survey(out / "cohorts.csv")
        argv = ["report", str(src)]
    elif place == "roster":
        roster = out / "cohorts.csv"
        pd.DataFrame({"cohort": ["A", "B"], "enrolled": [20, 20]}).to_csv(roster, index=False)
        argv = ["report", str(src), "--roster", str(roster)]
    else:
        src = _survey(out / "a-1234.html")  # the name of a cohort report
        argv = ["report", str(src)]
    before = _snapshot(tmp_path)
    code = main([*argv, "--instrument", "pssm", "--by", "cohort", "--format", "html", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "lies in the output folder under the name of a file this command writes there" in err and err.count("\n") == 1
    assert _snapshot(tmp_path) == before


def test_report_folder_check_through_links_and_other_names(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    data = out / "survey.csv"  # an input in the folder under a name the report never writes: fine
    data.write_text("x\n")
    check_paths(argparse.Namespace(input=str(data), output=str(out)), folders={"output": ("index.html", "cohorts.csv", "*.html", "*.pdf")})
    os.symlink(out, tmp_path / "alias")  # the same folder through a link
    (out / "index.html").write_text("mine")
    with pytest.raises(UsageError, match="lies in the output folder"):
        check_paths(argparse.Namespace(input=str(out / "index.html"), output=str(tmp_path / "alias")),
                    folders={"output": ("index.html",)})


def test_symbolic_link_loops_are_one_clear_line(tmp_path, capsys):
    loop = tmp_path / "loop.csv"
    os.symlink(loop, loop)
    assert main(["score", str(loop), "--instrument", "pssm", "-o", str(tmp_path / "s.csv")]) == 1
    err = capsys.readouterr().err
    assert err == f"error: INPUT {loop}: a symbolic link loop (the link leads back to itself); give the file itself\n"
    src = _survey(tmp_path / "survey.csv")
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(loop)]) == 2
    err = capsys.readouterr().err
    assert "a symbolic link loop" in err and "bug" not in err and err.count("\n") == 1
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    os.symlink(b, a)
    os.symlink(a, b)
    assert main(["score", str(src), "--instrument", "pssm", "--map", str(a), "-o", str(tmp_path / "s.csv")]) == 1
    assert "--map" in capsys.readouterr().err
    assert not (tmp_path / "s.csv").exists()


def _actions(parser, prefix="belonging"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{prefix} {name}")
        else:
            yield prefix, action


# Options that name columns but never let their values reach an output or a message.
NOT_PASSED_THROUGH = {
    "outcome",  # the numeric score column of a scores table
    "panel_id",  # pairs a respondent's waves; compare never writes it (documented in --help)
    "wave_order",  # values of the --wave column (checked with it), not a column
    "link_column",  # the identifier the roster key was made from: pseudonymised when read, never written
    "key_column",  # the roster column the keyed pseudonym is made from (identifying by design, never written)
}


def test_every_file_and_column_option_is_known_to_the_guard():
    """A new command's file options are checked only if the guard knows their names: this test fails
    (naming the option) when a command adds a file or column option the guard does not list."""
    files = re.compile(r"\.(toml|csv|json|duckdb|key|parquet|xlsx|txt)$|^(INPUT|OUT|DIR|PATH|KEY)|FILE|\|PATH$")
    columns = re.compile(r"^(COL|A,B)")
    unknown = []
    for prog, action in _actions(build_parser()):
        metavar = action.metavar if isinstance(action.metavar, str) else ""
        if files.search(metavar) and action.dest not in INPUT_OPTIONS | OUTPUT_OPTIONS:
            unknown.append(f"{prog} {action.dest} ({metavar})")
        if columns.search(metavar) and action.dest not in COLUMN_OPTIONS and action.dest not in NOT_PASSED_THROUGH:
            unknown.append(f"{prog} {action.dest} ({metavar})")
    assert not unknown, "add these to belonging._commands._guard: " + ", ".join(unknown)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["participation", "build", "--roster", "{tmp}/roster.csv", "--moodle", "BIO101={tmp}/log.csv", "--key", "{tmp}/k.key",
          "-o", "{tmp}/log.csv"], "that is the --moodle file"),
        (["participation", "build", "--roster", "{tmp}/roster.csv", "--zoom", "{tmp}/log.csv", "--key", "{tmp}/k.key",
          "-o", "{tmp}/k.key"], "that is the --key file"),
        (["survey", "build", "ccs", "--platform", "html", "--consent", "{tmp}/consent.txt", "-o", "{tmp}/consent.txt"],
         "that is the --consent file"),
        (["survey", "build", "{tmp}/inst.toml", "--platform", "html", "-o", "{tmp}/inst.toml"], "that is the ID|PATH file"),
    ],
)
def test_the_newer_commands_inputs_are_guarded_too(tmp_path, capsys, argv, fragment):
    for name in ("roster.csv", "log.csv", "k.key", "consent.txt"):
        (tmp_path / name).write_text("x\n")
    shutil.copy(Path(bl.__file__).parent / "instruments" / "definitions" / "ccs.toml", tmp_path / "inst.toml")
    before = _snapshot(tmp_path)
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1, err
    assert _snapshot(tmp_path) == before
