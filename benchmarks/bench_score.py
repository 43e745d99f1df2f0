"""Whole-process timing of `belonging score` against a bare `pandas.read_csv` of the same file.

Runs, as separate processes, (a) ``python -c "import pandas; pandas.read_csv(FILE)"`` and
(b) ``belonging score FILE --instrument pssm -o OUT.csv``, each `--repeat` times, interleaved, after
one warm-up run of each (so the file is in the page cache for both, and belonging's modules are
compiled to bytecode once, as ``pip install`` leaves an installed package; the children run with
Python's default bytecode cache even where ``PYTHONDONTWRITEBYTECODE`` is set). Wall time from a monotonic clock around
the child; peak memory and CPU time from that child's own rusage (``os.wait4``: maximum resident set
size, user + system time). Prints median and range of wall time, CPU time, peak RSS and the ratios.
Target: score <= 2x the read's time and <= 1.5x its peak memory.

Run: python benchmarks/make_large.py && python benchmarks/bench_score.py [FILE] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "pssm_1m.csv"


# Children run as a user's Python would: bytecode cached (an environment may switch that off).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(argv: list[str]) -> tuple[float, float, float]:
    """Run `argv`; return (wall seconds, peak RSS in MB, CPU seconds user + system).

    CPU time is reported beside wall time because it is less sensitive to other jobs on a shared
    machine (waiting for a core does not count). Raises if the command fails."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        msg = f"{' '.join(argv)} failed ({proc.returncode}): {err.strip()}"
        raise RuntimeError(msg)
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime  # ru_maxrss: KiB on Linux


def measure(commands: dict[str, list[str]], repeat: int) -> dict[str, dict]:
    """Run every command `repeat` times, interleaved (A B A B ...) so that load from other
    processes on the machine hits both alike. Returns wall min/median/max and peak RSS per name."""
    walls = {name: [] for name in commands}
    peaks = {name: [] for name in commands}
    cpus = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            wall, peak, cpu = run_once(argv)
            walls[name].append(wall)
            peaks[name].append(peak)
            cpus[name].append(cpu)
    rows = {}
    for name in commands:
        w = walls[name]
        rows[name] = {
            "wall": statistics.median(w), "wall_min": min(w), "wall_max": max(w), "peak": max(peaks[name]),
            "cpu": statistics.median(cpus[name]),
        }
        print(
            f"{name:<10} wall median {rows[name]['wall']:6.2f} s (min {min(w):.2f}, max {max(w):.2f})   "
            f"CPU median {rows[name]['cpu']:6.2f} s   peak RSS {rows[name]['peak']:6.0f} MB"
        )
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--instrument", default="pssm")
    p.add_argument("--score-args", default="", metavar="ARGS", help="extra arguments for belonging score, e.g. \"--off irv,mahalanobis\"")
    args = p.parse_args(argv)
    if not args.file.exists():
        print(f"{args.file}: not found; run python benchmarks/make_large.py first", file=sys.stderr)
        return 1
    exe = shutil.which("belonging")
    score_cmd = [exe] if exe else [sys.executable, "-m", "belonging"]
    size = args.file.stat().st_size / 1e6
    print(f"file: {args.file} ({size:.1f} MB); {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.csv"
        read = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(args.file)!r})"]
        score = [*score_cmd, "score", str(args.file), "--instrument", args.instrument, "-o", str(out), *args.score_args.split()]
        run_once(read)  # warm the page cache
        run_once(score)  # and compile belonging's modules once
        rows = measure({"read": read, "score": score}, args.repeat)
        startup = measure({"startup": [*score_cmd, "--help"]}, 1)["startup"]
    base, ours = rows["read"], rows["score"]
    print(f"(read = pandas.read_csv bare read; score = belonging score --instrument {args.instrument}; "
          f"CLI start-up alone {startup['wall']:.2f} s)")
    t_ratio = ours["wall"] / base["wall"]
    t_min_ratio = ours["wall_min"] / base["wall_min"]
    m_ratio = ours["peak"] / base["peak"]
    c_ratio = ours["cpu"] / base["cpu"]
    print(f"ratio score / read: wall time {t_ratio:.2f}x by median, {t_min_ratio:.2f}x by minimum (target <= 2); "
          f"CPU time {c_ratio:.2f}x; peak memory {m_ratio:.2f}x (target <= 1.5)")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other jobs inflate wall times")
    ok = t_ratio <= 2.0 and m_ratio <= 1.5
    print("target met" if ok else "target MISSED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
