"""map_items factorises large text columns two at a time and fills numeric columns on threads; the result is the one-at-a-time result."""

from __future__ import annotations

import numpy as np
import pandas as pd

import belonging as bl
from belonging import mapping as mapping_module


def test_threaded_recoding_equals_serial_recoding(monkeypatch):
    ccs = bl.load_instrument("ccs")
    rng = np.random.default_rng(11)
    n = 500
    choices = ["Agree", "Strongly disagree", " neutral ", "9", "", "NA", "Totally", "2", None]
    data = {}
    for j, item in enumerate(ccs.item_ids):
        if j % 5 == 1:
            data[item] = rng.integers(0, 6, n).astype("float64")  # numeric, some out of range
        elif j % 5 == 3:
            data[item] = pd.Series(rng.choice(choices, n), dtype=object)
        else:
            data[item] = pd.Series(rng.choice(choices, n), dtype="str")
    frame = pd.DataFrame(data)
    from belonging import _parallel

    monkeypatch.setattr(mapping_module, "_THREADS_FROM", 10**9)
    monkeypatch.setattr(_parallel, "COLUMN_THREADS_FROM", 10**9)
    serial = bl.map_items(frame, ccs)
    monkeypatch.setattr(mapping_module, "_THREADS_FROM", 0)
    monkeypatch.setattr(_parallel, "COLUMN_THREADS_FROM", 0)  # numeric columns filled on threads too
    threaded = bl.map_items(frame, ccs)
    pd.testing.assert_frame_equal(threaded.items, serial.items, check_exact=True)
    pd.testing.assert_frame_equal(threaded.issues, serial.issues, check_exact=True)
    assert len(serial.issues) > 0 and serial.items.notna().any().all()
