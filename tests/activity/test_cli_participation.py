"""`belonging participation build|relate`: outputs, privacy of every output file, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from logs_support import FIXTURES

from belonging.cli import main

LOGS = ["--moodle", str(FIXTURES / "moodle/bio101_en.csv"), "--canvas", str(FIXTURES / "canvas/bio101_access_report.csv"),
        "--zoom", str(FIXTURES / "zoom/bio101_week1.csv"), str(FIXTURES / "zoom/account_participants.csv"),
        "--teams", str(FIXTURES / "teams/bio101_attendance.csv")]

# Everything identifying that the inputs hold: roster and log names, addresses, student ids, logins,
# Moodle and Canvas user ids as they appear in the files, IP addresses.
ROSTER = pd.read_csv(FIXTURES / "roster.csv", dtype=str)
IDENTIFYING = sorted({*ROSTER["first_name"], *ROSTER["last_name"], *ROSTER["email"], *ROSTER["student_id"],
                      "Visitor Unknown", "Guest Visitor", "farah.personal@mail.example", "Test Student",
                      "user with id", "10.0.2.", "10.0.10.", "uni.example", "Zoe OConnor", "Jose Garcia"} - {""})


def _build(tmp_path, key_file, *extra):
    out = tmp_path / "participation.parquet"
    code = main(["participation", "build", "--roster", str(FIXTURES / "roster.csv"), *LOGS, "--key", str(key_file),
                 "--timezone", "Europe/Berlin", "--dayfirst", "moodle", "-o", str(out), *extra])
    return code, out


def _scan(data: bytes, text: str = "") -> list[str]:
    found = []
    for value in IDENTIFYING:
        for encoding in ("utf-8", "utf-16-le"):
            if value.encode(encoding) in data:
                found.append(value)
        if value in text:
            found.append(value)
    return found


def test_build_writes_features_and_counts_only(tmp_path, key_file, capsys):
    code, out = _build(tmp_path, key_file)
    assert code == 0
    table = pd.read_parquet(out)
    assert len(table) == 9 and table["student_key"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert list(table.columns[:3]) == ["student_key", "course", "section"]
    meta = json.loads(pq.read_schema(out).metadata[b"belonging.participation"])
    assert meta["key_column"] == "student_id" and len(meta["key_id"]) == 16
    assert [m["rows"] for m in meta["matching"]] == [26, 14, 11, 4, 7]
    err = capsys.readouterr().err
    assert "moodle #1 (BIO101): 26 row(s), 21 matched; not counted: unknown_name 1, ambiguous_name 1, no_identity 1, staff 2" in err
    assert "participation.parquet: 9 student-course row(s), 1 course(s)" in err
    # nothing identifying in the file (data, metadata, any encoding) or on the console
    assert _scan(out.read_bytes(), err) == []


def test_relate_and_its_outputs_hold_no_identifier(tmp_path, key_file, capsys):
    code, out = _build(tmp_path, key_file, "--quiet")
    assert code == 0
    rng = np.random.default_rng(5)
    survey = pd.DataFrame({"student_id": ROSTER["student_id"][:9], "email": ROSTER["email"][:9],
                           "section": ROSTER["section"][:9]})
    for i in range(1, 21):
        survey[f"ccs_{i:02d}"] = rng.integers(0, 5, len(survey))
    survey_path = tmp_path / "survey.csv"
    survey.to_csv(survey_path, index=False)
    outputs = []
    for fmt in ("json", "csv", "table"):
        target = tmp_path / f"relations.{fmt}"
        code = main(["participation", "relate", str(survey_path), "--instrument", "ccs", "--activity", str(out),
                     "--key", str(key_file), "--features", "forum_posts,live_minutes", "--format", fmt, "-o", str(target)])
        assert code == 0
        outputs.append(target)
    payload = json.loads(outputs[0].read_text())
    assert [r["measure"] for r in payload["participation"]] == ["log_forum_posts", "log_live_minutes"]
    assert payload["participation"][0]["n"] == 7  # nine responses; the two Josés' forum activity is unknown
    err = capsys.readouterr().err
    for path in outputs:
        assert _scan(path.read_bytes(), err) == []


@pytest.mark.parametrize(("argv", "code", "fragment"), [
    (["--roster", "missing.csv", *LOGS], 1, "missing.csv: no such file"),
    (["--roster", "{roster}", "--moodle", "{fixtures}/nothere.csv"], 1, "nothere.csv: no such file"),
    (["--roster", "{roster}", "--zoom", "{fixtures}/moodle/bio101_en.csv"], 1, "not a Zoom participants report"),
    (["--roster", "{roster}"], 2, "give at least one log"),
    (["--roster", "{roster}", "--moodle", "BIO999={fixtures}/moodle/bio101_en.csv"], 2, "course 'BIO999' is not on the roster"),
    # a missing file whose name holds '=' is a missing file, not course 'logs/week'
    (["--roster", "{roster}", "--moodle", "{tmp}/logs/week=1.csv"], 1, "logs/week=1.csv: no such file"),
    (["--roster", "{roster}", "--moodle", "BIO101=missing.csv"], 1, "BIO101=missing.csv: no such file"),
    (["--roster", "{roster}", "--moodle", "{fixtures}/moodle/bio101_en.csv", "--dayfirst", "moodel"], 2, "did you mean 'moodle'"),
    (["--roster", "{roster}", "--moodle", "{fixtures}/moodle/bio101_en.csv", "--key-column", "sid"], 2, "key column 'sid' is not in the roster"),
    (["--roster", "{roster}", "--moodle", "{fixtures}/moodle/bio101_en.csv", "--since", "someday"], 2, "--since must be a date"),
    (["--roster", "{roster}", "--moodle", "{fixtures}/moodle/bio101_en.csv", "--until", "someday"], 2, "--until must be a date"),
    (["--roster", "{roster}", "--moodle", "{fixtures}/moodle/bio101_en.csv", "--since", "2026-03-05", "--until",
      "2026-03-01"], 2, "--until 2026-03-01 must come after --since 2026-03-05"),
    (["--roster", "{roster}", "--moodle", "{fixtures}/moodle/bio101_en.csv", "--timezone", "Mars/Olympus"], 2,
     "--timezone: unknown time zone 'Mars/Olympus'; give an IANA name"),
    (["--roster", "{roster}", "--moodle", "{fixtures}/moodle/bio101_en.csv", "--timezone", "europe/berlin"], 2,
     "(did you mean 'Europe/Berlin'?)"),
    (["--roster", "{roster}", "--moodle", "{tmp}/truncated.xlsx"], 1, "truncated.xlsx: not a readable Moodle standard log workbook"),
    (["--roster", "{tmp}/truncated.xlsx", "--moodle", "{fixtures}/moodle/bio101_en.csv"], 1, "truncated.xlsx: not a readable roster workbook"),
])
def test_build_bad_input_is_one_line_and_no_file(tmp_path, key_file, capsys, argv, code, fragment):
    (tmp_path / "truncated.xlsx").write_bytes(b"PK\x03\x04garbage")  # a download cut short
    argv = [a.replace("{roster}", str(FIXTURES / "roster.csv")).replace("{fixtures}", str(FIXTURES))
            .replace("{tmp}", str(tmp_path)) for a in argv]
    out = tmp_path / "out.parquet"
    assert main(["participation", "build", *argv, "--key", str(key_file), "-o", str(out)]) == code
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize(("output", "fragment"), [("out.csv", "the participation file is Parquet"),
                                                  ("nofolder/out.parquet", "the folder"),
                                                  ("{roster}", "that is the --roster file")])
def test_build_bad_output(tmp_path, key_file, capsys, output, fragment):
    output = output.replace("{roster}", str(FIXTURES / "roster.csv"))
    target = output if output.startswith("/") else str(tmp_path / output)
    code = main(["participation", "build", "--roster", str(FIXTURES / "roster.csv"), "--moodle",
                 str(FIXTURES / "moodle/bio101_en.csv"), "--key", str(key_file), "-o", target])
    assert code == 2
    assert fragment in capsys.readouterr().err


def test_build_output_is_an_input(tmp_path, key_file, capsys):
    log = tmp_path / "log.parquet"
    log.write_bytes(b"")
    code = main(["participation", "build", "--roster", str(FIXTURES / "roster.csv"), "--moodle", str(log),
                 "--key", str(key_file), "-o", str(log)])
    assert code == 2
    assert "that is the --moodle file" in capsys.readouterr().err
    assert log.read_bytes() == b""


def test_missing_key_and_wrong_key(tmp_path, key_file, capsys):
    assert main(["participation", "build", "--roster", str(FIXTURES / "roster.csv"), *LOGS, "--key",
                 str(tmp_path / "no.key"), "-o", str(tmp_path / "p.parquet")]) == 2
    assert "no such key file" in capsys.readouterr().err
    code, out = _build(tmp_path, key_file, "--quiet")
    from belonging.store.keys import keygen

    other = keygen(tmp_path / "other.key")
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"student_id": ["S001", "S002", "S003"], "belonging": [3.0, 4.0, 5.0]}).to_csv(survey, index=False)
    base = ["participation", "relate", str(survey), "--outcome", "belonging", "--activity", str(out)]
    assert main([*base, "--key", str(other)]) == 2
    assert "made with another key file" in capsys.readouterr().err
    assert main(base) == 2
    assert "--activity needs --key" in capsys.readouterr().err
    assert main([*base, "--key", str(key_file), "--link-column", "email"]) == 2
    assert "no column 'email'" in capsys.readouterr().err
    not_parquet = tmp_path / "not.parquet"
    not_parquet.write_text("student_key\n")
    assert main(["participation", "relate", str(survey), "--outcome", "belonging", "--activity", str(not_parquet),
                 "--key", str(key_file)]) == 1
    assert "not a participation file" in capsys.readouterr().err


def test_error_messages_never_quote_a_person(tmp_path, key_file, capsys):
    """A file given as the wrong system, or without its header, is refused without echoing its cells."""
    headerless = tmp_path / "log.csv"
    headerless.write_text("Ana Pérez,ana.perez@uni.example,10.0.2.1\nBo Li,bo.li@uni.example,10.0.2.2\n")
    for system in ("--moodle", "--canvas", "--zoom", "--teams"):
        code = main(["participation", "build", "--roster", str(FIXTURES / "roster.csv"), system, str(headerless),
                     "--key", str(key_file), "-o", str(tmp_path / "p.parquet")])
        err = capsys.readouterr().err
        assert code == 1 and err.startswith("error: ")
        assert _scan(b"", err) == [], (system, err)


@pytest.mark.parametrize(("row", "fragment"), [
    # an unquoted comma in the name shifts the row: the e-mail address lands in Join Time
    ("Doe, Jane,jane.doe@private.example,03/10/2026 09:00:00 AM,03/10/2026 09:40:00 AM,40,No",
     "row 3, column 'Join Time': cannot read the time, a text of 24 characters (letters, other characters)"),
    # a name in the duration column
    ("Jane Doe,,03/10/2026 09:00:00 AM,03/10/2026 09:40:00 AM,Jane Doe,No",
     "row 3, column 'Duration (Minutes)': not a number but a text of 8 characters (letters, spaces)"),
])
def test_unreadable_cells_are_described_never_quoted(tmp_path, key_file, capsys, row, fragment):
    path = tmp_path / "z1.csv"
    path.write_text("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
                    "Ana Pérez,ana.perez@uni.example,03/10/2026 09:00:00 AM,03/10/2026 09:40:00 AM,40,No\n"
                    f"{row}\n")
    code = main(["participation", "build", "--roster", str(FIXTURES / "roster.csv"), "--zoom", str(path),
                 "--key", str(key_file), "-o", str(tmp_path / "p.parquet")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and fragment in err, err
    assert "Jane" not in err and "jane" not in err and "private.example" not in err
    assert not (tmp_path / "p.parquet").exists()


def test_a_window_says_the_canvas_report_is_left_out(tmp_path, key_file, capsys):
    code, out = _build(tmp_path, key_file, "--since", "2026-03-01", "--until", "2026-04-01")
    assert code == 0
    err = capsys.readouterr().err
    assert "canvas #1: a Canvas course access report counts views and participations per item over the whole course" in err
    assert "events counted from 2026-02-28 23:00 UTC up to 2026-03-31 22:00 UTC" in err  # Berlin's midnights
    meta = json.loads(pq.read_schema(out).metadata[b"belonging.participation"])
    assert meta["window"] == ["2026-02-28T23:00:00+00:00", "2026-03-31T22:00:00+00:00"]
    table = pd.read_parquet(out)
    assert _build(tmp_path, key_file)[0] == 0
    full = pd.read_parquet(out)
    # March holds every Moodle event: the window changes only what Canvas added (3 of Ana's posts)
    assert (full["forum_posts"] - table["forum_posts"]).max() == 3


def test_quiet_still_prints_warnings(tmp_path, key_file, capsys):
    empty = tmp_path / "log.csv"
    empty.write_text((FIXTURES / "moodle/bio101_en.csv").read_text(encoding="utf-8-sig").splitlines()[0] + "\n")
    code = main(["participation", "build", "--roster", str(FIXTURES / "roster.csv"), "--moodle", str(empty),
                 "--key", str(key_file), "-o", str(tmp_path / "p.parquet"), "--quiet", "--timezone", "UTC"])
    err = capsys.readouterr().err
    assert code == 0
    assert err == ("warning: data: log.csv: the Moodle standard log has its header but no rows: no events from it "
                   "(check that the download is complete)\n")
