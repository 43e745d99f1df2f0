"""Write a large PSSM export for the scoring benchmark: 1,000,000 responses x 18 items.

Columns: ``response_id`` (``R0000001`` ...), ``pssm_01`` ... ``pssm_18`` as codes 1-5 (items 3, 6, 9,
12 and 16 answered in reverse, as the instrument keys them), about 2% of answers blank. One-factor
graded answers from a fixed seed, so every run writes the same bytes.

Run: python benchmarks/make_large.py [--rows 1000000] [--out benchmarks/data/pssm_1m.csv]
(benchmarks/data/ is gitignored.)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ITEMS = [f"pssm_{j:02d}" for j in range(1, 19)]
REVERSE = [2, 5, 8, 11, 15]  # zero-based positions of items 3, 6, 9, 12, 16
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "pssm_1m.csv"


def make(rows: int, seed: int = 20261128):
    """Return a pyarrow Table with the response ids and item codes (nulls for missing answers)."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(rows).astype(np.float32)
    columns = {"response_id": pa.array(np.char.add("R", np.char.zfill(np.arange(1, rows + 1).astype(str), 7)))}
    thresholds = np.array([-1.6, -0.7, 0.2, 1.2], dtype=np.float32)
    for j, item in enumerate(ITEMS):  # a loop over 18 items, each step vectorised over all rows
        latent = 0.8 * theta + 0.6 * rng.standard_normal(rows).astype(np.float32)
        codes = 1 + (latent[:, None] > thresholds[None, :]).sum(axis=1).astype(np.int8)
        if j in REVERSE:
            codes = 6 - codes
        missing = rng.random(rows) < 0.02
        columns[item] = pa.array(codes, mask=missing, type=pa.int8())
    return pa.table(columns)


def main(argv=None) -> int:
    import pyarrow.csv as pacsv

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)
    t = time.perf_counter()
    table = make(args.rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(args.out.suffix + ".part")
    pacsv.write_csv(table, tmp, write_options=pacsv.WriteOptions(quoting_style="none"))
    tmp.replace(args.out)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out}: {args.rows:,} rows x {len(ITEMS)} items, {size:.1f} MB in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
