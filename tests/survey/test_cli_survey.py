"""`belonging survey build`: files written atomically, paths on stdout, summary on stderr, one-line errors."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from belonging.cli import main


def test_build_writes_the_file_and_its_map(tmp_path, capsys):
    consent = tmp_path / "consent.txt"
    consent.write_text("Taking part is voluntary.", encoding="utf-8")
    code = main(["survey", "build", "ccs", "coi", "--platform", "qualtrics", "-o", str(tmp_path / "course.qsf"),
                 "--allow-unconfirmed", "--participation", "--cohorts", "PSY-25F,CS-26S", "--attention-checks", "2",
                 "--randomise", "--consent", str(consent), "--title", "Spring survey"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.splitlines() == [str(tmp_path / "course.qsf"), str(tmp_path / "course.map.toml")]
    assert err.splitlines()[0] == "Qualtrics survey 'Spring survey': 2 instruments (ccs, coi), 54 items, 2 attention checks"
    assert "notice for the research team" in err
    mapping = tomllib.loads((tmp_path / "course.map.toml").read_text(encoding="utf-8"))
    assert mapping["survey"]["platform"] == "qualtrics" and mapping["survey"]["file"] == "course.qsf"
    assert mapping["survey"]["randomised"] == ["ccs", "coi"]
    assert mapping["survey"]["values"]["cohort"] == {"1": "PSY-25F", "2": "CS-26S"}
    assert len(mapping["attention_checks"]) == 2 and len(mapping["columns"]) == 54


@pytest.mark.parametrize(("argv", "message"), [
    (["ccs", "--platform", "redcap"], "error: instrument 'ccs' (Classroom Community Scale): its wording is not shipped"),
    (["coi", "--platform", "redcap", "--allow-unconfirmed", "--cohorts", "A,B"], "error: --cohorts needs --participation"),
    (["coi", "--platform", "redcap", "--allow-unconfirmed", "--attention-checks", "-1"], "error: --attention-checks must be 0 or more"),
    (["ccs", "--platform", "redcap", "--allow-unconfirmed", "--attention-checks", "500"],
     "error: 500 attention checks (attention_checks, --attention-checks) put 500 among the 20 statements of 'ccs'; "
     "at most 10 fit there (one per two statements), 10 in this survey; ask for fewer"),
    (["coi", "--platform", "redcap", "--allow-unconfirmed", "--consent", "nope.txt"], "consent file does not exist"),
    (["nope", "--platform", "redcap"], "error: unknown instrument 'nope'"),
    (["coi", "--platform", "surveymonkey"], "error: argument --platform: invalid choice: 'surveymonkey'"),
])
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code = main(["survey", "build", *argv, "-o", str(tmp_path / "out")])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_missing_output_folder_writes_nothing(tmp_path, capsys):
    code = main(["survey", "build", "coi", "--platform", "html", "--allow-unconfirmed", "-o", str(tmp_path / "no" / "form")])
    _, err = capsys.readouterr()
    assert code == 2 and "does not exist" in err
    assert list(tmp_path.iterdir()) == []


def test_help_names_the_platforms(capsys):
    assert main(["survey", "build", "--help"]) == 0
    out = capsys.readouterr().out
    assert "{qualtrics,limesurvey,redcap,html}" in out and "--allow-unconfirmed" in out


def test_a_folder_among_the_targets_writes_nothing(tmp_path, capsys):
    (tmp_path / "x.html").mkdir()
    code = main(["survey", "build", "ccs", "--platform", "html", "-o", str(tmp_path / "x"), "--allow-unconfirmed"])
    err = capsys.readouterr().err
    assert code == 2 and "x.html: is a folder; nothing was written" in err and ".part" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.html"]  # no x.map.toml, x.pdf, x.entry.csv


@pytest.mark.parametrize("output", [".", "{folder}"])
def test_output_that_is_a_folder_is_a_usage_error(tmp_path, capsys, monkeypatch, output):
    monkeypatch.chdir(tmp_path)
    output = output.replace("{folder}", str(tmp_path))
    code = main(["survey", "build", "coi", "--platform", "qualtrics", "--allow-unconfirmed", "-o", output])
    err = capsys.readouterr().err
    assert code == 2 and "is a folder; give the import file's path in it" in err and "unexpected" not in err
    assert list(tmp_path.iterdir()) == []


def test_inputs_are_never_overwritten(tmp_path, capsys):
    consent = tmp_path / "info.html"
    consent.write_text("Taking part is voluntary.", encoding="utf-8")
    code = main(["survey", "build", "coi", "--platform", "html", "--allow-unconfirmed", "--consent", str(consent),
                 "-o", str(tmp_path / "info")])
    err = capsys.readouterr().err
    assert code == 2 and "info.html: is a file the survey is built from" in err
    assert consent.read_text(encoding="utf-8") == "Taking part is voluntary."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["info.html"]
    definition = tmp_path / "coi.map.toml"  # an instrument definition where the map would go
    definition.write_bytes(resources.files("belonging.instruments").joinpath("definitions/coi.toml").read_bytes())
    before = definition.read_bytes()
    code = main(["survey", "build", str(definition), "--platform", "redcap", "--allow-unconfirmed", "-o", str(tmp_path / "coi")])
    assert code == 2 and "coi.map.toml: is a file the survey is built from" in capsys.readouterr().err
    assert definition.read_bytes() == before and not (tmp_path / "coi.csv").exists()


def test_all_or_none_when_a_rename_fails_late(tmp_path):
    from belonging._io import atomic_write_files

    (tmp_path / "a.txt").write_bytes(b"earlier")
    (tmp_path / "b.txt").mkdir()  # the second rename fails
    with pytest.raises(OSError) as caught:
        atomic_write_files({tmp_path / "a.txt": b"new", tmp_path / "c.txt": b"new", tmp_path / "b.txt": b"new"})
    assert caught.value.filename == str(tmp_path / "b.txt")
    assert (tmp_path / "a.txt").read_bytes() == b"earlier"  # put back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no c.txt, no temporary files


@pytest.mark.parametrize("platform", ["qualtrics", "limesurvey", "redcap", "html"])
def test_a_title_with_delete_gives_a_map_toml_can_read(tmp_path, capsys, platform):
    title = "T\x7fitle \x85 ok"  # DEL, which TOML forbids raw, and a C1 control
    code = main(["survey", "build", "coi", "--platform", platform, "--allow-unconfirmed", "--title", title,
                 "--participation", "--cohorts", "A\x7f,B", "-o", str(tmp_path / "s")])
    assert code == 0, capsys.readouterr().err
    mapping = tomllib.loads((tmp_path / "s.map.toml").read_text(encoding="utf-8"))
    assert mapping["survey"]["title"] == title
    assert mapping["survey"]["values"]["cohort"] == {"1": "A\x7f", "2": "B"}


@pytest.mark.parametrize(("argv", "message"), [
    (["--platform", "redcap", "--participation", "--cohorts", "A|B,C"],
     "error: REDCap: the answer 'A|B' of 'cohort' holds '|', which separates REDCap choices"),
    (["--platform", "limesurvey", "--title", "T\x01itle"], "error: `title` holds the character U+0001 at position 2"),
    (["--platform", "html", "--participation", "--cohorts", "A,B\udcff"], "error: `cohorts` holds the character U+DCFF"),
])
def test_text_a_format_cannot_hold_is_a_usage_error(tmp_path, capsys, argv, message):
    code = main(["survey", "build", "coi", "--allow-unconfirmed", *argv, "-o", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(message) and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []
