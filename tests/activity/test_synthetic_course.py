"""The built-in effect of forum participation on belonging is recovered from the logs themselves.

A seeded synthetic course (synthetic_course.py) writes a roster, a Moodle log, eight Zoom reports and a
survey whose belonging scores follow ``40 + 0.5 * forum posts + section + residual``. The command line
builds participation features from the logs alone; joined to the survey by the keyed pseudonym, they
reproduce the true posts and minutes of every student who can be told apart, and the participation
model's interval covers the true effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_course import FORUM_EFFECT, make_course

import belonging as bl
from belonging import _columns as C
from belonging.cli import main


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from belonging.store.keys import keygen

    folder = tmp_path_factory.mktemp("course")
    truth = make_course(folder)
    key = keygen(folder / "institution.key")
    argv = ["participation", "build", "--roster", str(folder / "roster.csv"), "--moodle", str(folder / "moodle_log.csv"),
            "--zoom", *[str(folder / f"zoom_week{w}.csv") for w in range(1, 9)], "--key", str(key),
            "-o", str(folder / "participation.parquet"), "--quiet"]
    assert main(argv) == 0
    return folder, truth, key


def test_features_reproduce_the_true_participation(course):
    folder, truth, key = course
    survey = pd.DataFrame({"student_id": truth["student_id"]})
    joined = bl.join_activity(survey, folder / "participation.parquet", key=key)
    # the two students called Jose Nunez / José Núñez cannot be told apart in the log: missing
    ambiguous = joined["log_forum_posts"].isna()
    assert ambiguous.sum() == 2
    ok = ~ambiguous.to_numpy()
    np.testing.assert_array_equal(joined["log_forum_posts"].to_numpy()[ok], truth["forum_posts"].to_numpy()[ok])
    np.testing.assert_allclose(joined["log_live_minutes"].to_numpy(), truth["live_minutes"].to_numpy(), atol=1e-9)
    # sessions also count BigBlueButton joins in the Moodle log, which for the two cannot be known
    assert joined["log_live_sessions"].isna().sum() == 2
    assert (joined["log_live_sessions"].dropna() <= 8).all()


def test_forum_effect_is_recovered_with_section_clusters(course):
    folder, truth, key = course
    survey = pd.read_csv(folder / "survey.csv")
    joined = bl.join_activity(survey, folder / "participation.parquet", key=key, link_column="student_id")
    table = bl.participation(joined, outcome="belonging", measures=["log_forum_posts", "log_live_minutes"],
                             cluster="section")
    rows = joined[["belonging", "log_forum_posts", "log_live_minutes", "section"]].dropna()
    scale = rows["belonging"].std(ddof=1) / rows["log_forum_posts"].std(ddof=1)
    forum = table.set_index(C.MEASURE).loc["log_forum_posts"]
    low, high = forum[C.CI_LOW] * scale, forum[C.CI_HIGH] * scale
    assert low < FORUM_EFFECT < high  # the 95% interval covers the true 0.5 points per post
    assert 0.3 < forum[C.BETA] * scale < 0.7
    live = table.set_index(C.MEASURE).loc["log_live_minutes"]
    assert live[C.CI_LOW] < 0 < live[C.CI_HIGH]  # no effect built in, none found
    assert forum[C.SE_METHOD].startswith("CR1") or "cluster" in forum[C.SE_METHOD].lower()


def test_relate_command_on_the_survey(course, capsys):
    folder, _, key = course
    out = folder / "relations.json"
    code = main(["participation", "relate", str(folder / "survey.csv"), "--outcome", "belonging",
                 "--activity", str(folder / "participation.parquet"), "--key", str(key),
                 "--cluster", "section", "--features", "forum_posts,live_minutes,active_days",
                 "--format", "json", "-o", str(out)])
    assert code == 0
    import json

    payload = json.loads(out.read_text())
    measures = [r["measure"] for r in payload["participation"]]
    assert measures == ["log_forum_posts", "log_live_minutes", "log_active_days"]
    forum = payload["participation"][0]
    joined = bl.join_activity(pd.read_csv(folder / "survey.csv"), folder / "participation.parquet", key=key)
    assert payload["linked"] == int(joined["log_live_minutes"].notna().sum())
    assert forum["n"] == int(joined["log_forum_posts"].notna().sum())
    assert forum["ci_low"] > 0
    err = capsys.readouterr().err
    assert "response(s) linked to participation records" in err
    text = out.read_text()
    for ident in ("C1000", "uni.example", "Pérez"):
        assert ident not in text


def test_compare_takes_activity_and_relates_measured_participation(course, capsys):
    folder, _, key = course
    out = folder / "compare.json"
    code = main(["compare", str(folder / "survey.csv"), "--outcome", "belonging", "--by", "section",
                 "--activity", str(folder / "participation.parquet"), "--key", str(key), "--cluster", "section",
                 "--model", "ols", "--format", "json", "-o", str(out)])
    assert code == 0
    import json

    payload = json.loads(out.read_text())
    rows = {r["measure"]: r for r in payload["participation"]}
    # one model with one feature per mechanism; the course's logs show no chat, feedback or staff
    # messages, so those features (all zero) are left out rather than making the model degenerate
    assert list(rows) == ["log_forum_posts", "log_live_minutes"]
    assert rows["log_forum_posts"]["ci_low"] > 0
    assert rows["log_live_minutes"]["ci_low"] < 0 < rows["log_live_minutes"]["ci_high"]
    text = out.read_text() + capsys.readouterr().err
    for ident in ("C1000", "uni.example", "Pérez", "student_id"):
        assert ident not in text
