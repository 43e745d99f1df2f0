"""Item 11 of issue 22: progress on stderr when not on a terminal, silent with --quiet."""

from __future__ import annotations

import io
import signal

import numpy as np
import pandas as pd
import pytest

import belonging as bl
import belonging._commands._run as run
from belonging._commands._run import heartbeat, progress_bar
from belonging.cli import main

PSSM = bl.load_instrument("pssm")


@pytest.fixture
def survey(tmp_path):
    rng = np.random.default_rng(4)
    rows = 3000
    df = pd.DataFrame(rng.integers(1, 6, size=(rows, 18)), columns=list(PSSM.item_ids))
    df.insert(0, "response_id", [f"R{r}" for r in range(rows)])
    path = tmp_path / "survey.csv"
    df.to_csv(path, index=False)
    return path


def _slow(monkeypatch):
    """Make the score command take about half a second longer, spent in Python between library calls."""
    import time

    import belonging._commands.score as cmd

    real = cmd._summary

    def slow(*args, **kwargs):
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            pass
        return real(*args, **kwargs)

    monkeypatch.setattr(cmd, "_summary", slow)


def test_long_runs_print_a_plain_line_every_few_seconds(survey, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run, "PROGRESS_SECONDS", 0.1)
    _slow(monkeypatch)
    assert main(["score", str(survey), "--instrument", "pssm", "-o", str(tmp_path / "s.csv")]) == 0
    err = capsys.readouterr().err
    beats = [line for line in err.splitlines() if line.startswith("belonging score: still working, ")]
    assert len(beats) >= 3, err
    assert "\r" not in err and "\x1b" not in err
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert main(["score", str(survey), "--instrument", "pssm", "-o", str(tmp_path / "s.csv"), "--quiet"]) == 0
    assert "still working" not in capsys.readouterr().err


def test_short_runs_print_nothing_and_report_keeps_its_own_progress(survey, tmp_path, capsys, monkeypatch):
    assert main(["score", str(survey), "--instrument", "pssm", "-o", str(tmp_path / "s.csv")]) == 0
    assert "still working" not in capsys.readouterr().err  # well under five seconds
    from belonging.cli import build_parser

    assert "report" in run.OWN_PROGRESS
    for command in ("score", "validate", "reliability", "efa", "cfa", "invariance", "compare", "inspect", "report"):
        help_text = build_parser()._subparsers._group_actions[0].choices[command].format_help()
        assert "--quiet" in help_text, command


def test_heartbeat_leaves_an_alarm_someone_else_set_alone():
    previous = signal.signal(signal.SIGALRM, lambda *a: None)
    try:
        out = io.StringIO()
        with heartbeat("score", every=0.01, stream=out):
            pass
        assert signal.getsignal(signal.SIGALRM) is not signal.SIG_DFL  # not replaced, not reset
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_progress_bar_is_plain_lines_off_a_terminal_and_tqdm_on_one():
    log = io.StringIO()
    bar = progress_bar(120, desc="cohort reports", unit="cohort", stream=log, every=3600)
    for _ in range(120):
        bar.update()
    bar.close()
    assert log.getvalue().endswith("cohort reports: 120/120 cohort(s) (100%), 0 s\n") and log.getvalue().count("\n") == 1

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    from tqdm import tqdm

    tty = progress_bar(3, desc="cohort reports", unit="cohort", stream=Terminal())
    assert isinstance(tty, tqdm)
    tty.close()
    assert progress_bar(3, desc="x", quiet=True) is None
