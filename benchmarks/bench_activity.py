"""Whole-process timing of `belonging participation build` on a large Moodle log, against a bare read.

Writes (into a temporary folder, fixed seed) a Moodle standard log of `--rows` rows (default 300,000,
about 50 MB: 400 students, forum and course events over one month) and its roster, then runs as
separate processes, interleaved, after one warm-up each: (a) ``pandas.read_csv(LOG, dtype=str)`` and
(b) ``belonging participation build --roster R --moodle LOG --key K -o OUT.parquet``. Wall time,
CPU time and peak RSS per child (``os.wait4``), as bench_score.py measures them.

Run: python benchmarks/bench_activity.py [--rows 300000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench_score import measure, run_once

_EVENTS = (
    "The user with id '{u}' has viewed the discussion with id '{d}'.",
    "The user with id '{u}' has created the post with id '{p}' in the discussion with id '{d}' in the forum with course module id '5'.",
    "The user with id '{u}' viewed the 'forum' activity with course module id '5'.",
    "The user with id '{u}' has created the discussion with id '{d}' in the forum with course module id '5'.",
    "The user with id '{u}' viewed the course with id '3'.",
)


def write_log(folder: Path, rows: int) -> tuple[Path, Path]:
    """A Moodle log of `rows` rows and its roster (400 students) in `folder`."""
    import numpy as np

    rng = np.random.default_rng(1)
    names = [f"Student{i} Pérez" for i in range(400)]
    roster = folder / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"S{i},{n}\n" for i, n in enumerate(names)), encoding="utf-8")
    log = folder / "moodle.csv"
    user, kind, thread = rng.integers(0, 400, rows), rng.integers(0, 5, rows), rng.integers(1, 2000, rows)
    day, hour, minute = rng.integers(1, 29, rows), rng.integers(0, 24, rows), rng.integers(0, 60, rows)
    with log.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Time", "User full name", "Affected user", "Event context", "Component", "Event name",
                    "Description", "Origin", "IP address"])
        for i in range(rows):
            w.writerow([f"{day[i]}/03/26, {hour[i]:02d}:{minute[i]:02d}:00", names[user[i]], "-", "Forum: Q&A",
                        "Forum", "Event", _EVENTS[kind[i]].format(u=user[i], d=thread[i], p=i), "web",
                        f"10.0.{user[i] % 250}.{i % 250}"])
    return log, roster


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=300_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    exe = shutil.which("belonging")
    cmd = [exe] if exe else [sys.executable, "-m", "belonging"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        log, roster = write_log(folder, args.rows)
        key = folder / "k.key"
        _keygen(key)  # `belonging store keygen` arrives with the store branch
        print(f"log: {args.rows} rows, {log.stat().st_size / 1e6:.1f} MB; {os.cpu_count()} CPUs; "
              f"load {os.getloadavg()[0]:.1f}")
        read = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(log)!r}, dtype=str)"]
        build = [*cmd, "participation", "build", "--roster", str(roster), "--moodle", str(log), "--key", str(key),
                 "--dayfirst", "moodle", "-q", "-o", str(folder / "out.parquet")]
        run_once(read)
        run_once(build)
        rows = measure({"read": read, "build": build}, args.repeat)
    base, ours = rows["read"], rows["build"]
    print(f"ratio build / read: wall {ours['wall'] / base['wall']:.2f}x, CPU {ours['cpu'] / base['cpu']:.2f}x, "
          f"peak memory {ours['peak'] / base['peak']:.2f}x")
    return 0


def _keygen(path: Path) -> None:
    from belonging.store.keys import keygen

    keygen(path)


if __name__ == "__main__":
    raise SystemExit(main())
