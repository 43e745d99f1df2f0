"""Item 4 of issue 22: identifiers found by content on every option that lets a column through, and
never echoed in a message or written to an output."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _hardening_data import pssm_survey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import belonging as bl
from belonging.cli import main
from belonging.ingest import privacy
from belonging.ingest.privacy import (
    identifier_like,
    identifying_content,
    looks_identifying,
    redact_values,
)

PSSM = bl.load_instrument("pssm")


@pytest.mark.parametrize(
    ("cells", "kind"),
    [
        (["ann@example.org", "b.o+tag@uni.ac.uk", "cy@mail.example.com"], "e-mail addresses"),
        (["+44 20 7946 0958", "(555) 123-4567", "0044 161 496 0000", "555.765.4321"], "phone numbers"),
        (["192.0.2.1", "198.51.100.23", "2001:db8::1", "203.0.113.255"], "IP addresses"),
        (["51.50740, -0.12780", "48.8566, 2.3522", "(40.7128, -74.0060)"], "coordinates"),
        (["123-45-6789", "987-65-4321", "AB 12 34 56 C"], "national id numbers"),
        (["S1234567", "S2345678", "AB-123456", "S3456789"], "student or person id numbers"),
        ([f"{20230000 + 7 * i}" for i in range(30)], "student or person id numbers"),
        ([f"{n} {m}" for n, m in zip(["Ann", "Bob", "Cy", "Dee", "Eve"] * 5, [f"Smith{i}" for i in range(25)])],
         "near-unique text (names, user names or free-text answers)"),
        (["I felt very alone in the first weeks of the online course, but the forum helped a lot."] * 3,
         "near-unique text (names, user names or free-text answers)"),
    ],
)
def test_identifying_content_finds_each_kind(cells, kind):
    assert identifying_content(pd.Series(cells)) == kind
    assert identifying_content(pd.Series(cells + [None, "", "  "] * 2)) == kind  # empty cells do not count


@pytest.mark.parametrize(
    "cells",
    [
        ["online_sync", "online_async", "hybrid", "in_person"] * 10,
        ["Psychology 2025", "Museum Studies 2026", "Law 2025"] * 10,
        ["2026-03-01", "2026-03-02", "01/04/2026", "2026-04-15"] * 5,  # dates are not phone numbers
        ["Strongly agree", "Agree", "Neutral", "Disagree"] * 8,  # response labels
        ["1", "2", "3", "4", "5"] * 8,
        [f"{x:.2f}" for x in np.linspace(2.0, 4.0, 50)],  # a GPA covariate
        [f"SEC-{i % 12:03d}" for i in range(60)],  # course sections (clusters)
        [f"{18 + i % 40}" for i in range(60)],  # ages
        ["1-5", "2-3", "10-12"] * 4,  # ranges
        [f"2026-03-04 10:{i // 60:02d}:{i % 60:02d}" for i in range(90)],  # time stamps: unique, but no person
        pd.date_range("2026-03-04", periods=50, freq="min", tz="UTC").to_series().reset_index(drop=True),
    ],
)
def test_identifying_content_leaves_groupings_and_answers_alone(cells):
    assert identifying_content(pd.Series(cells)) is None
    assert identifying_content(pd.Series(cells), unique_ok=True) is None


def test_pseudonymous_ids_pass_as_ids_but_not_as_groups():
    ids = pd.Series([f"R_{i:015x}" for i in range(200)])
    assert identifying_content(ids, unique_ok=True) is None  # --id-column: platform-style pseudonyms are fine
    assert identifying_content(ids) is not None  # a near-unique column is no grouping and no safe --keep
    assert identifying_content(pd.Series([f"a{i}@x.org" for i in range(50)]), unique_ok=True) == "e-mail addresses"
    numbers = pd.Series(np.arange(10_000_000, 10_000_500))  # student numbers stored as numbers
    assert identifying_content(numbers) == "student or person id numbers"
    assert identifying_content(numbers, unique_ok=True) == "student or person id numbers"  # as --id-column too
    assert identifying_content(pd.Series([f"S{i:07d}" for i in range(50)]), unique_ok=True) is not None
    assert identifying_content(pd.Series([str(i) for i in range(1, 200)]), unique_ok=True) is None  # row numbers
    assert identifying_content(pd.Series(np.linspace(0, 1, 500))) is None
    assert identifying_content(pd.Series([True, False] * 5)) is None


def test_content_sample_is_bounded_and_spans_the_column(monkeypatch):
    """A million-row column: at most 5,000 cells judged, spread over the whole column, so identifiers that
    only appear in the second half of a sorted file are found; the same answer on every run."""
    n = 1_000_000
    cells = np.full(n, "hybrid", dtype=object)
    cells[n // 2:] = [f"user{i}@example.org" for i in range(n - n // 2)]
    seen = []
    real = privacy._text_kind
    monkeypatch.setattr(privacy, "_text_kind", lambda counts, **kw: seen.append(int(counts.sum())) or real(counts, **kw))
    s = pd.Series(cells, dtype="string")
    assert identifying_content(s) == "e-mail addresses"
    assert identifying_content(s) == "e-mail addresses"
    assert seen == [5000, 5000]
    sparse = pd.Series([None] * n, dtype="string")
    sparse.iloc[::997] = [f"+49 151 {i:07d}" for i in range(len(sparse.iloc[::997]))]
    assert identifying_content(sparse) == "phone numbers"


@pytest.mark.parametrize("name", ["contact", "sid", "gps", "mail", "tel", "remarks_free", "Contact Details", "e-mail", "student no"])
def test_short_names_people_type_are_identifying_by_name(name):
    assert looks_identifying(name) or privacy.looks_free_text(name)


def test_identifier_like_values_are_redacted_and_others_kept():
    values = pd.Series(["9", "ann@example.org", "often", "+1 555 123 4567", "10.0.0.1", "12345678", "Agree"])
    assert identifier_like(values).notna().tolist() == [False, True, False, True, True, True, False]
    assert redact_values(values).tolist() == [
        "9", "(an e-mail address, not shown)", "often", "(a phone number, not shown)", "(an IP address, not shown)",
        "(an id number, not shown)", "Agree",
    ]


# --- the command line ------------------------------------------------------------------------------

def _survey(path: Path, rows: int = 40, seed: int = 1, secret=None, name="reach", typed=None) -> pd.DataFrame:
    df = pssm_survey(rows, seed)
    df["section"] = [f"SEC-{r % 4}" for r in range(rows)]
    df["age"] = 18 + np.arange(rows) % 30
    if secret is not None:
        df[name] = secret
    if typed is not None:  # an identifier typed as an answer
        df[PSSM.item_ids[3]] = df[PSSM.item_ids[3]].astype(object)
        df.loc[5, PSSM.item_ids[3]] = typed
    df.to_csv(path, index=False)
    return df


def _emails(rows):
    return [f"student{r}@uni.example.edu" for r in range(rows)]


# Each option that lets a column through, with the rest of a working command line.
OPTIONS = [
    ("score", ["--keep", "{col}", "-o", "{out}/s.csv"]),
    ("score", ["--keep", "cohort,{col}", "-o", "{out}/s.csv"]),
    ("score", ["--id-column", "{col}", "-o", "{out}/s.csv"]),
    ("validate", ["--id-column", "{col}", "-o", "{out}/q.csv"]),
    ("reliability", ["--by", "{col}", "-o", "{out}/r.json", "--format", "json"]),
    ("cfa", ["--by", "{col}", "-o", "{out}/c.json", "--format", "json"]),
    ("invariance", ["--by", "{col}", "-o", "{out}/i.json", "--format", "json"]),
    ("compare", ["--by", "{col}", "-o", "{out}/c.json", "--format", "json"]),
    ("compare", ["--by", "cohort", "--covariates", "age,{col}", "-o", "{out}/c.json", "--format", "json"]),
    ("compare", ["--by", "cohort", "--cluster", "{col}", "-o", "{out}/c.json", "--format", "json"]),
    ("compare", ["--by", "cohort", "--wave", "{col}", "-o", "{out}/c.json", "--format", "json"]),
    ("report", ["--by", "{col}", "--format", "html", "-o", "{out}/rep"]),
    ("report", ["--by", "cohort", "--compare-by", "{col}", "--format", "html", "-o", "{out}/rep"]),
    ("report", ["--by", "cohort", "--wave", "{col}", "--format", "html", "-o", "{out}/rep"]),
]


def _run(tmp_path, command, extra, col, capsys):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    argv = [command, str(tmp_path / "survey.csv"), "--instrument", "pssm"]
    argv += [a.replace("{col}", col).replace("{out}", str(out)) for a in extra]
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.err, captured.out, out


@pytest.mark.parametrize(("command", "extra"), OPTIONS, ids=[f"{c}{' '.join(e[:2])}" for c, e in OPTIONS])
def test_every_option_refuses_a_column_of_emails_whatever_its_name(tmp_path, capsys, command, extra):
    _survey(tmp_path / "survey.csv", secret=_emails(40))
    code, err, out, folder = _run(tmp_path, command, extra, "reach", capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and "column 'reach' identifies a person: its cells hold e-mail addresses" in err, err
    assert "@" not in err + out
    assert not [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", ["contact", "sid", "gps", "mail", "tel", "remarks_free"])
def test_the_issues_column_names_are_refused(tmp_path, capsys, name):
    _survey(tmp_path / "survey.csv", secret=_emails(40), name=name)
    code, err, _, _ = _run(tmp_path, "score", ["--keep", "{col}", "-o", "{out}/s.csv"], name, capsys)
    assert code == 2 and f"column {name!r} identifies a person" in err


def test_keep_identifiers_lets_them_through_on_purpose(tmp_path, capsys):
    _survey(tmp_path / "survey.csv", secret=_emails(40))
    code, err, _, folder = _run(tmp_path, "score", ["--keep", "{col}", "--keep-identifiers", "-o", "{out}/s.csv"], "reach", capsys)
    assert code == 0, err
    assert pd.read_csv(folder / "s.csv")["reach"].tolist() == _emails(40)
    code, err, _, _ = _run(tmp_path, "score", ["--id-column", "{col}", "--keep-identifiers", "-o", "{out}/s.csv"], "reach", capsys)
    assert code == 0 and pd.read_csv(folder / "s.csv")["response_id"].tolist() == _emails(40)


def test_a_typed_identifier_is_reported_by_row_and_column_only(tmp_path, capsys):
    _survey(tmp_path / "survey.csv", typed="ann.smith@example.org")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["validate", str(tmp_path / "survey.csv"), "--instrument", "pssm", "-o", str(out / "q.csv"),
                 "--issues", str(out / "issues.csv")]) == 1
    err = capsys.readouterr().err
    assert main(["score", str(tmp_path / "survey.csv"), "--instrument", "pssm", "--strict", "-o", str(out / "s.csv")]) == 1
    strict = capsys.readouterr().err
    assert "row 6, column 'pssm_04': unknown label '(an e-mail address, not shown)'" in strict, strict
    issues = pd.read_csv(out / "issues.csv")
    assert issues["value"].tolist() == ["(an e-mail address, not shown)"]
    for text in (err, strict, *(p.read_text() for p in out.iterdir())):
        assert "ann.smith" not in text


# --- property: no value of a column detected as identifying reaches an output file or a message ---

_KIND_VALUES = {
    "email": lambda d, r: f"{d}{r}@{d[:3] or 'x'}mail.example.org",
    "phone": lambda d, r: f"+44 7{r % 10}{len(d) % 10} {100000 + r * 37 % 900000}",
    "ip": lambda d, r: f"10.{len(d) * 7 % 256}.{r % 256}.{(r * 13 + 1) % 256}",
    "coordinates": lambda d, r: f"{40 + r / 1000:.5f}, {-3 - len(d) / 100 - r / 7919:.5f}",
    "ssn": lambda d, r: f"{100 + r % 800:03d}-{10 + len(d) % 80:02d}-{1000 + r * 7 % 9000:04d}",
    "student": lambda d, r: f"S{2_000_000 + r * 97 + len(d)}",
    "digits": lambda d, r: f"{30_000_000 + r * 1013 + len(d)}",
}
_NAMES = ["reach", "x1", "where", "ref2", "info", "detail", "origin"]
# Runs that name the column in an option (refused), and runs that do not (they write their outputs,
# which must hold nothing of the identifying column, nor the identifier typed as an answer).
_PLAIN = [
    ("score", ["--keep", "cohort", "-o", "{out}/s.csv"]),
    ("score", ["-o", "{out}/s.xlsx"]),
    ("validate", ["-o", "{out}/q.csv", "--issues", "{out}/i.csv"]),
    ("reliability", ["--by", "cohort", "-o", "{out}/r.json", "--format", "json"]),
    ("compare", ["--by", "cohort", "--covariates", "age", "-o", "{out}/c.json", "--format", "json"]),
    ("inspect", ["-o", "{out}/i.json", "--format", "json"]),
    ("report", ["--by", "cohort", "--format", "html", "--min-cell", "5", "-o", "{out}/rep"]),
]
_RUNS = [(c, e) for c, e in OPTIONS if c != "report"] + [OPTIONS[-3]] + _PLAIN


def _text(path: Path) -> str:
    """A written file's text (an XLSX workbook's cells and properties)."""
    if path.suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(path) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_bytes().decode("utf-8", "replace")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(sorted(_KIND_VALUES)),
    word=st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8),
    name=st.sampled_from(_NAMES),
    run=st.sampled_from(_RUNS),
    rows=st.integers(24, 60),
    seed=st.integers(0, 2**16),
)
def test_no_identifying_value_reaches_an_output_or_a_message(capsys, kind, word, name, run, rows, seed):
    secret = [_KIND_VALUES[kind](word, r) for r in range(rows)]
    assert identifying_content(pd.Series(secret)) is not None  # the premise: detected by content
    typed = _KIND_VALUES["email"](word, 999)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        _survey(tmp / "survey.csv", rows=rows, seed=seed, secret=secret, name=name, typed=typed)
        command, extra = run
        code, err, out, written = _run(tmp, command, extra, name, capsys)
        texts = [err, out] + [_text(p) for p in written.rglob("*") if p.is_file()]
        assert code in (0, 1, 2), err
        if run in _PLAIN:
            assert code in (0, 1) and any(written.rglob("*")), err
        for text in texts:
            assert typed not in text
            leaked = [v for v in secret if v in text]
            assert not leaked, (command, extra, leaked[:3])


def test_an_identifier_typed_into_an_attention_check_is_not_echoed():
    from belonging.quality import AttentionRule, Policy

    df = pssm_survey(12)
    df["Q12"] = ["4"] * 11 + ["ann.smith@example.org"]
    report = bl.check_quality(df, PSSM, policy=Policy(attention_checks=(AttentionRule(column="Q12", expected=(4.0,)),)))
    issues = report.issues[report.issues["reason"] == "attention_check"]
    assert issues["value"].tolist() == ["(an e-mail address, not shown)"]
    assert issues["message"].str.contains("row 12, column 'Q12': attention check answered").all()
    assert "ann.smith" not in report.summary_text() + issues.to_string()
