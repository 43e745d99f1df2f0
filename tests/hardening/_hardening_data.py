"""Survey data for the hardening tests: PSSM answers of one simulated trait (seeded)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import belonging as bl

PSSM = bl.load_instrument("pssm")


def pssm_survey(rows: int = 40, seed: int = 1) -> pd.DataFrame:
    """`rows` responses: ``response_id``, the 18 PSSM items (1-5, one trait plus noise), ``cohort`` A/B."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=(rows, 1))
    answers = np.clip(np.round(3 + trait + rng.normal(scale=0.8, size=(rows, 18))), 1, 5).astype(int)
    df = pd.DataFrame(answers, columns=list(PSSM.item_ids))
    df.insert(0, "response_id", [f"R{r:03d}" for r in range(rows)])
    df["cohort"] = np.where(np.arange(rows) % 2 == 0, "A", "B")
    return df
