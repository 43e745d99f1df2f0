"""Whole-process timing of `belonging score` on a 1,000,000-response Qualtrics export.

The file (written once to benchmarks/data/qualtrics_1m.csv, gitignored) follows Qualtrics' layout:
three header rows (export tags, question text, ImportId JSON), the 17 system columns, and the 18 PSSM
items as a matrix ``Q1_1`` ... ``Q1_18`` in choice text ("Not at all true" ... "Completely true"),
with about 2 % of answers blank, 0.1 % survey previews and 3 % unfinished responses (fixed seed).
Writer: data/sample/exports.py (write_qualtrics).

Then runs, as separate processes and interleaved after one warm-up read:
(a) ``python -c "import pandas; pandas.read_csv(FILE)"`` (the bare read of the same file) and
(b) ``belonging score FILE --instrument pssm --map MAP -o OUT.csv`` (detection, three header rows,
previews dropped, times parsed to UTC, labels recoded, scores written), with wall time, CPU time and
peak RSS per child (see bench_score.py). With ``--stages`` it also times, inside one process,
``read_export`` against ``pandas.read_csv``, to show the reader's own share.
Target: (b) at most 2x the time of (a).

Run: python benchmarks/bench_ingest.py [--n 1000000] [--repeat 3] [--score-args "..."] [--stages]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_score import measure, run_once  # noqa: E402  (shared timing helpers)


def _exports():
    spec = importlib.util.spec_from_file_location("belonging_sample_exports", ROOT / "data" / "sample" / "exports.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def make_file(path: Path, n: int, seed: int = 20261128) -> Path:
    """Write the Qualtrics export of `n` synthetic PSSM responses and its --map file; return the map path."""
    import numpy as np
    import pandas as pd

    import belonging as bl

    ex = _exports()
    inst = bl.load_instrument("pssm")
    rng = np.random.default_rng(seed)
    items = list(inst.item_ids)
    codes = rng.integers(1, 6, size=(n, len(items))).astype("float64")
    codes[rng.random(codes.shape) < 0.02] = np.nan
    start = pd.Timestamp("2026-02-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 60 * 86400, n), unit="s")
    dur = rng.integers(120, 1800, n)
    finished = rng.random(n) >= 0.03
    frame = pd.DataFrame(codes, columns=items)
    frame.insert(0, "response_id", pd.Series(np.arange(n)).map("R_{:015d}".format))
    frame["started_at"] = start
    frame["submitted_at"] = start + pd.to_timedelta(dur, unit="s")
    frame["duration_s"] = dur
    frame["finished"] = finished
    frame["progress"] = np.where(finished, 100, 60)
    frame["status"] = np.where(rng.random(n) < 0.001, "preview", "")
    block = ex.Block(stem="How true is each statement of you at this school?", items=tuple(items),
                     statements=tuple(inst.item(i).label for i in items),
                     labels=dict(zip(inst.response_scale.codes(), inst.response_scale.labels)), code="Q1")
    path.parent.mkdir(parents=True, exist_ok=True)
    ex.write_qualtrics(ex.Survey(frame=frame, blocks=(block,)), path, values="text")
    map_path = path.with_suffix(".map.toml")
    map_path.write_text("[columns]\n" + "".join(f'"Q1_{j}" = "{it}"\n' for j, it in enumerate(items, start=1)), encoding="utf-8")
    return map_path


def stages(path: Path, map_path: Path) -> None:
    """In-process seconds of pandas.read_csv vs read_export, then map + score."""
    import pandas as pd

    import belonging as bl

    t = time.perf_counter()
    pd.read_csv(path)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    r = bl.read_export(path)
    t_export = time.perf_counter() - t
    t = time.perf_counter()
    bl.score(r, "pssm", mapping=map_path)
    t_score = time.perf_counter() - t
    print(f"in one process: pandas.read_csv {t_read:.2f} s; read_export {t_export:.2f} s ({t_export / t_read:.2f}x); "
          f"map + score (no quality check) {t_score:.2f} s; {len(r)} kept, dropped {dict(r.provenance.dropped)}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--file", type=Path, default=None, help="default: benchmarks/data/qualtrics_<n>.csv")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--score-args", default="", metavar="ARGS", help='extra arguments for belonging score, e.g. "--off irv,mahalanobis"')
    p.add_argument("--stages", action="store_true", help="also time read_export inside one process")
    args = p.parse_args(argv)
    path = args.file or HERE / "data" / f"qualtrics_{args.n // 1000}k.csv"
    map_path = path.with_suffix(".map.toml")
    if not path.exists() or not map_path.exists():
        t = time.perf_counter()
        map_path = make_file(path, args.n)
        print(f"wrote {path} in {time.perf_counter() - t:.1f} s")
    exe = shutil.which("belonging")
    score_cmd = [exe] if exe else [sys.executable, "-m", "belonging"]
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB); {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.csv"
        read = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
        score = [*score_cmd, "score", str(path), "--instrument", "pssm", "--map", str(map_path), "-o", str(out), *args.score_args.split()]
        run_once(read)
        rows = measure({"read": read, "score": score}, args.repeat)
    base, ours = rows["read"], rows["score"]
    print(f"ratio score / read: wall {ours['wall'] / base['wall']:.2f}x by median, {ours['wall_min'] / base['wall_min']:.2f}x by minimum "
          f"(target <= 2); CPU {ours['cpu'] / base['cpu']:.2f}x; peak memory {ours['peak'] / base['peak']:.2f}x")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other jobs inflate wall times")
    if args.stages:
        stages(path, map_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
