"""A synthetic course with a known effect of forum participation on belonging (seeded).

    python tests/activity/synthetic_course.py OUT_FOLDER   # writes the files below

Writes what an institution would hold for one online course of eight weeks: ``roster.csv`` (students in
sections, the teacher), ``moodle_log.csv`` (Moodle standard log, English, day-first dates without
zero-padded days, newest first), ``zoom_week1.csv`` ... (one Zoom participants report per weekly
seminar, with the meeting preamble, rejoins, renamed and guest participants) and ``survey.csv`` (one
response per responding student: ``student_id``, ``section`` and a belonging score). People and
addresses are invented.

The generating model, on the belonging score:

    belonging = 40 + FORUM_EFFECT * forum posts + section effect (SD 1.5) + residual (SD 4)

Live minutes in the seminars have no effect (null). Forum posts are Poisson with a mean that varies
by student; each post is a new discussion (one in four) or a reply to another student's discussion.
``make_course`` returns the truth per student (``forum_posts``, ``live_minutes``) beside the files.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261201
FORUM_EFFECT = 0.5
FIRST = ["Ana", "Bo", "Chiara", "Dmitri", "Émile", "Farah", "Grace", "Hugo", "Ines", "Jonas", "Kofi", "Lena",
         "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tomás", "Uma", "Vera", "Wen", "Yusuf"]
LAST = ["Pérez", "Li", "Rossi", "Ivanov", "Durand", "Haddad", "Okafor", "Müller", "Silva", "Berg", "Mensah",
        "Novak", "García", "Kowalski", "Nakamura", "Singh", "Dubois", "Costa", "Larsen", "Núñez", "Ahmed"]
START = pd.Timestamp("2026-03-02 08:00")


def _roster(rng, n_students: int, n_sections: int) -> pd.DataFrame:
    pairs = [(f, s) for f in FIRST for s in LAST]
    chosen = rng.choice(len(pairs), size=n_students, replace=False)
    first, last = zip(*(pairs[i] for i in chosen))
    roster = pd.DataFrame({
        "student_id": [f"C{1000 + i}" for i in range(n_students)],
        "first_name": first, "last_name": last,
        "email": [f"{f.lower()}.{s.lower()}.{i}@uni.example" for i, (f, s) in enumerate(zip(first, last))],
        "section": [f"SEC-{k + 1}" for k in rng.integers(0, n_sections, n_students)],
        "role": "student",
    })
    # two students share a name once accents are ignored: a name-only log cannot tell them apart
    roster.loc[1, ["first_name", "last_name"]] = ["Jose", "Nunez"]
    roster.loc[2, ["first_name", "last_name"]] = ["José", "Núñez"]
    teacher = pd.DataFrame([{"student_id": "T900", "first_name": "Hana", "last_name": "Kim",
                             "email": "hana.kim@uni.example", "section": "", "role": "teacher"}])
    return pd.concat([roster, teacher], ignore_index=True)


def _moodle_time(t: pd.Timestamp) -> str:
    return f"{t.day}/{t.month:02d}/{t.year % 100:02d}, {t:%H:%M:%S}"


def _forum_rows(rng, students: pd.DataFrame, posts: np.ndarray) -> list:
    """Discussions and replies: (time, name, kind, discussion, post) for every post of every student."""
    rows, threads, post_id = [], [], 5000
    order = rng.permutation(np.repeat(np.arange(len(students)), posts))
    times = np.sort(rng.uniform(0, 56 * 24 * 60, len(order)))
    for who, minute in zip(order, times):
        t = START + pd.Timedelta(minutes=float(minute))
        name = students["name"].iloc[who]
        others = [d for d, author in threads if author != who]
        post_id += 1
        if not others or rng.random() < 0.25:
            threads.append((post_id, who))
            rows.append((t, name, "discussion", post_id, post_id))
        else:
            rows.append((t, name, "reply", others[rng.integers(len(others))], post_id))
    return rows


def _write_moodle(path: Path, rng, students: pd.DataFrame, posts: np.ndarray) -> None:
    lines = []
    uid = {n: 100 + i for i, n in enumerate(students["name"])}
    for t, name, kind, thread, post in _forum_rows(rng, students, posts):
        if kind == "discussion":
            desc = (f"The user with id '{uid[name]}' has created the discussion with id '{thread}' in the forum "
                    "with course module id '31'.")
            lines.append((t, name, "Forum", "Discussion created", desc))
        else:
            desc = (f"The user with id '{uid[name]}' has created the post with id '{post}' in the discussion with "
                    f"id '{thread}' in the forum with course module id '31'.")
            lines.append((t, name, "Forum", "Post created", desc))
    for name in students["name"]:  # course and forum views: noise that is not posting
        for minute in rng.uniform(0, 56 * 24 * 60, rng.poisson(12)):
            t = START + pd.Timedelta(minutes=float(minute))
            lines.append((t, name, "System", "Course viewed", f"The user with id '{uid[name]}' viewed the course with id '7'."))
    for minute in rng.uniform(0, 56 * 24 * 60, 40):  # the teacher, and a visitor who is not enrolled
        t = START + pd.Timedelta(minutes=float(minute))
        lines.append((t, "Hana Kim", "Forum", "Post created", "The user with id '2' has created the post with id '1' in "
                      "the discussion with id '1' in the forum with course module id '31'."))
    lines.append((START, "Visiting Scholar", "System", "Course viewed", "The user with id '999' viewed the course with id '7'."))
    lines.sort(key=lambda r: r[0], reverse=True)
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["Time", "User full name", "Affected user", "Event context", "Component", "Event name",
                    "Description", "Origin", "IP address"])
        for t, name, component, event, desc in lines:
            context = "Forum: Discussion board" if component == "Forum" else "Course: Online Biology"
            w.writerow([_moodle_time(t), name, "-", context, component, event, desc, "web", "192.0.2.15"])


def _zoom_time(t: pd.Timestamp) -> str:
    return t.strftime("%m/%d/%Y %I:%M:%S %p")


def _write_zoom(folder: Path, rng, students: pd.DataFrame) -> np.ndarray:
    """Eight weekly seminars; returns each student's true minutes (joins counted once)."""
    minutes = np.zeros(len(students))
    attend = rng.uniform(0.3, 0.95, len(students))
    for week in range(8):
        start = START + pd.Timedelta(days=7 * week + 1, hours=1)
        rows = [("Hana Kim", "hana.kim@uni.example", start, start + pd.Timedelta(minutes=60), "No")]
        for i, s in students.iterrows():
            if rng.random() > attend[i]:
                continue
            join = start + pd.Timedelta(minutes=int(rng.integers(0, 10)))
            stay = int(rng.integers(20, 50))
            leave = join + pd.Timedelta(minutes=stay)
            shown = f"{s['first_name'][:3]} ({s['name']})" if rng.random() < 0.2 else s["name"]
            rows.append((shown, s["email"], join, leave, "No"))
            minutes[i] += stay
            if rng.random() < 0.15:  # dropped and rejoined
                back = leave + pd.Timedelta(minutes=2)
                rows.append((shown, s["email"], back, back + pd.Timedelta(minutes=5), "No"))
                minutes[i] += 5
        rows.append(("Parent listening in", "", start + pd.Timedelta(minutes=5), start + pd.Timedelta(minutes=15), "Yes"))
        with (folder / f"zoom_week{week + 1}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["Meeting ID", "Topic", "Start Time", "End Time", "User Email", "Duration (Minutes)", "Participants"])
            w.writerow(["843 2200 1177", "Online Biology seminar", _zoom_time(start),
                        _zoom_time(start + pd.Timedelta(minutes=60)), "hana.kim@uni.example", 60, len(rows)])
            w.writerow([])
            w.writerow(["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)", "Guest"])
            for name, email, join, leave, guest in rows:
                span = int(round((leave - join).total_seconds() / 60))
                w.writerow([name, email, _zoom_time(join), _zoom_time(leave), span, guest])
    return minutes


def make_course(folder, *, seed: int = SEED, n_students: int = 400, n_sections: int = 10) -> pd.DataFrame:
    """Write the course's files into `folder`; return the truth per student (roster order)."""
    folder = Path(folder)
    rng = np.random.default_rng(seed)
    roster = _roster(rng, n_students, n_sections)
    roster.to_csv(folder / "roster.csv", index=False)
    students = roster[roster["role"] == "student"].reset_index(drop=True)
    students = students.assign(name=students["first_name"] + " " + students["last_name"])
    propensity = rng.gamma(2.0, 2.0, len(students))
    posts = rng.poisson(propensity)
    _write_moodle(folder / "moodle_log.csv", rng, students, posts)
    minutes = _write_zoom(folder, rng, students)
    sections = sorted(students["section"].unique())
    section_effect = dict(zip(sections, rng.normal(0, 1.5, len(sections))))
    belonging = 40 + FORUM_EFFECT * posts + students["section"].map(section_effect) + rng.normal(0, 4, len(students))
    responded = rng.random(len(students)) < 0.85
    survey = pd.DataFrame({"response_id": [f"R{i:04d}" for i in range(int(responded.sum()))],
                           "student_id": students["student_id"][responded].to_numpy(),
                           "section": students["section"][responded].to_numpy(),
                           "belonging": np.round(belonging[responded].to_numpy(), 2)})
    survey.to_csv(folder / "survey.csv", index=False)
    return pd.DataFrame({"student_id": students["student_id"], "forum_posts": posts.astype(float),
                         "live_minutes": minutes, "belonging": belonging})


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    truth = make_course(out)
    truth.to_csv(out / "truth.csv", index=False)
