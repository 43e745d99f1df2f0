"""The data of the report section "How participation relates to belonging": small cells suppressed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from belonging import _columns as C
from belonging.activity import SECTION_TITLE, participation_section
from belonging.errors import UsageError
from belonging.groups import participation


def _rows(n, seed=2):
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame({"log_forum_posts": rng.poisson(3, n).astype(float),
                         "log_chat_messages": np.zeros(n),
                         "section": rng.choice(["A", "B", "C"], n)})
    rows["belonging"] = 40 + 0.6 * rows["log_forum_posts"] + rng.normal(0, 3, n)
    return rows


def test_section_statistics_equal_the_participation_model_and_small_cells_are_blank():
    rows = _rows(80)
    rows["log_live_minutes"] = np.where(np.arange(80) < 9, np.random.default_rng(3).gamma(2, 20, 80), np.nan)
    table = participation_section(rows, outcome="belonging", cluster="section")
    assert SECTION_TITLE == "How participation relates to belonging"
    assert table[C.LABEL].tolist() == ["forum_posts", "chat_messages", "live_minutes"]
    assert table[C.N].tolist()[:2] == [80, 80]
    assert np.isnan(table[C.N].iloc[2])  # 9 responses: the count is withheld too, "n suppressed"
    assert table[C.SUPPRESSED].tolist() == [False, False, True]
    direct = participation(rows, outcome="belonging", measures=["log_forum_posts"], cluster="section").iloc[0]
    forum = table.iloc[0]
    for col in (C.BETA, C.CI_LOW, C.CI_HIGH, C.PARTIAL_R):
        assert forum[col] == pytest.approx(direct[col], rel=1e-12)
    # a constant feature cannot be estimated: blank, not an error
    assert table.iloc[1][[C.BETA, C.CI_LOW, C.PARTIAL_R]].isna().all()
    assert table.iloc[2][[C.BETA, C.CI_LOW, C.CI_HIGH, C.PARTIAL_R, C.P_VALUE]].isna().all()


def test_a_small_unit_is_blank_throughout():
    table = participation_section(_rows(9), outcome="belonging", features=["log_forum_posts"], min_cell=10)
    assert table[C.SUPPRESSED].tolist() == [True]
    assert table.iloc[0][[C.N, C.BETA, C.CI_LOW, C.CI_HIGH, C.PARTIAL_R]].isna().all()
    assert participation_section(_rows(9), outcome="belonging", features=["log_forum_posts"],
                                 min_cell=5)[C.SUPPRESSED].tolist() == [False]
    with pytest.raises(UsageError, match="`min_cell` must be a whole number"):
        participation_section(_rows(9), outcome="belonging", min_cell=0)
