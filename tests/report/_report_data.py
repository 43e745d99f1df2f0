"""Synthetic survey data for the report tests (seeded), with hostile cohort names and private columns."""

import numpy as np
import pandas as pd

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
TRAVERSAL = "../x"
SECRET_TEXT = "PRIVATE-COMMENT-7731"
# 0-based positions of the CCS items keyed in reverse (4, 5, 8, 9, 10, 12, 14, 17, 18, 20)
REVERSED = [3, 4, 7, 8, 9, 11, 13, 16, 17, 19]


def make_survey(sizes, *, seed=11, waves=("2024", "2025")):
    """CCS answers (0-4) for cohorts of the given sizes per wave, plus mode, first_gen, email, comments."""
    rng = np.random.default_rng(seed)
    parts = []
    for cohort, n in sizes.items():
        for w in waves:
            latent = rng.normal(0, 1, n)
            x = np.clip(np.rint(2 + latent[:, None] + rng.normal(0, 0.9, (n, 20))), 0, 4)
            x[:, REVERSED] = 4 - x[:, REVERSED]  # answers follow the instrument's keying
            df = pd.DataFrame(x, columns=[f"ccs_{i:02d}" for i in range(1, 21)])
            df.insert(0, "cohort", cohort)
            df.insert(1, "wave", w)
            df.insert(2, "mode", rng.choice(["online", "hybrid", "in_person"], n, p=[0.45, 0.45, 0.10]))
            df.insert(3, "first_gen", rng.choice(["yes", "no"], n))
            parts.append(df)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "response_id", [f"R_{i:05d}" for i in range(len(out))])
    out["email"] = [f"student{i}@example.org" for i in range(len(out))]
    out["comments"] = [f"{SECRET_TEXT} {i}" for i in range(len(out))]
    return out
