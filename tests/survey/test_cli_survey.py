"""`belonging survey build`: files written atomically, paths on stdout, summary on stderr, one-line errors."""

from __future__ import annotations

import tomllib

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
