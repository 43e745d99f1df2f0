"""`belonging score` and `belonging instruments`: outputs, exit codes and one-line errors."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import belonging as bl
from belonging.cli import main

PSSM = bl.load_instrument("pssm")


def write_survey(path, rows=3, changes=None):
    df = pd.DataFrame({i: [(r % 5) + 1 for r in range(rows)] for i in PSSM.item_ids})
    df.insert(0, "response_id", [f"R{r}" for r in range(rows)])
    df["cohort"] = ["A"] * rows
    df["email"] = [f"s{r}@example.org" for r in range(rows)]
    for (row, col), value in (changes or {}).items():
        df[col] = df[col].astype(object)
        df.loc[row, col] = value
    df.to_csv(path, index=False)
    return df


def test_score_writes_csv_and_summary(tmp_path, capsys):
    src = tmp_path / "survey.csv"
    write_survey(src)
    out = tmp_path / "scores.csv"
    assert main(["score", str(src), "--instrument", "pssm", "--keep", "cohort", "-o", str(out)]) == 0
    scores = pd.read_csv(out)
    assert list(scores.columns) == ["response_id", "pssm", "pssm_n_answered", "status", "source_row", "cohort"]
    assert scores["source_row"].tolist() == [1, 2, 3]
    assert scores["response_id"].tolist() == ["R0", "R1", "R2"]
    err = capsys.readouterr().err
    assert "3 record(s) read" in err and "3 scored on pssm" in err


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx", ".tsv"])
def test_score_output_formats(tmp_path, suffix):
    src = tmp_path / "survey.csv"
    write_survey(src)
    out = tmp_path / f"scores{suffix}"
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(out)]) == 0
    reader = {".parquet": pd.read_parquet, ".xlsx": pd.read_excel, ".tsv": lambda p: pd.read_csv(p, sep="\t")}[suffix]
    assert len(reader(out)) == 3


def test_score_to_stdout(tmp_path, capsys):
    src = tmp_path / "survey.csv"
    write_survey(src)
    assert main(["score", str(src), "--instrument", "pssm", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "response_id,pssm,pssm_n_answered,status,source_row"
    assert "example.org" not in out


@pytest.mark.parametrize(
    ("setup", "argv_extra", "code", "fragment"),
    [
        ("missing", [], 1, "no such file"),
        ("empty", [], 1, "the file is empty"),
        ("header", [], 1, "header but no responses"),
        ("binary", [], 1, "binary file"),
        ("noitems", [], 1, "no item columns of instrument 'pssm' found"),
        ("ok", ["--instrument", "psm"], 2, "unknown instrument 'psm' (did you mean 'pssm'?)"),
        ("ok", ["--keep", "email"], 2, "identifies a person"),
        ("ok", ["--keep", "cohrt"], 2, "column 'cohrt' is not in the data (did you mean 'cohort'?)"),
        ("ok", ["-o", "{tmp}/out.docx"], 2, "unknown output format '.docx'"),
        ("ok", ["--map", "{tmp}/nomap.toml"], 1, "mapping file does not exist"),
        ("range", ["--strict"], 1, "row 2, column 'pssm_04': value '7' is outside the scale 1-5"),
        ("label", ["--strict"], 1, "row 3, column 'pssm_10': unknown label 'often'"),
    ],
)
def test_score_bad_input_one_line_no_output(tmp_path, capsys, setup, argv_extra, code, fragment):
    src = tmp_path / "survey.csv"
    if setup == "empty":
        src.write_text("")
    elif setup == "header":
        src.write_text("response_id,pssm_01\n")
    elif setup == "binary":
        src.write_bytes(b"\x00\x01\x02garbage\x00" * 50)
    elif setup == "noitems":
        pd.DataFrame({"a": [1], "b": [2]}).to_csv(src, index=False)
    elif setup == "range":
        write_survey(src, changes={(1, "pssm_04"): 7})
    elif setup == "label":
        write_survey(src, changes={(2, "pssm_10"): "often"})
    elif setup == "ok":
        write_survey(src)
    out = tmp_path / "scores.csv"
    argv = ["score", str(src), "--instrument", "pssm", "-o", str(out)]
    extra = [a.replace("{tmp}", str(tmp_path)) for a in argv_extra]
    if "--instrument" in extra:
        argv = argv[:2] + argv[4:]
    if "-o" in extra:
        argv = argv[:-2]
    assert main(argv + extra) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert fragment in err
    assert "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_debug_shows_traceback(tmp_path, capsys):
    assert main(["--debug", "score", str(tmp_path / "nope.csv"), "--instrument", "pssm", "-o", "-"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_input_file_is_not_modified(tmp_path):
    src = tmp_path / "survey.csv"
    write_survey(src)
    before = src.read_bytes()
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(tmp_path / "o.csv")]) == 0
    assert src.read_bytes() == before


def test_usage_errors_exit_2(capsys):
    assert main(["score"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_instruments_list_and_show(capsys):
    assert main(["instruments", "list"]) == 0
    out = capsys.readouterr().out
    for iid in ("pssm", "ccs", "gbs", "ubq", "coi", "pisa_belong", "cohesion"):
        assert iid in out
    assert main(["instruments", "show", "ccs"]) == 0
    out = capsys.readouterr().out
    assert "ccs_04           R" in out
    assert "UNCONFIRMED" in out
    assert "citation: Rovai" in out
    assert "scoring: sum of items (prorated when items are missing)" in out  # ccs is sum-scored


def test_show_does_not_overstate_a_users_definition(tmp_path, capsys):
    """A user's TOML without sources or unconfirmed notes is not presented as fully cited."""
    path = tmp_path / "mine.toml"
    path.write_text(
        'id = "mine"\nname = "Mine"\nversion = "1"\ncitation = "none"\nconstruct = "belonging"\n'
        '[response_scale]\nmin = 1\nmax = 3\nlabels = ["a", "b", "c"]\n[scoring]\nmethod = "mean"\nmin_answered = 0.5\n'
        '[[items]]\nid = "m1"\n[[items]]\nid = "m2"\n'
    )
    assert main(["instruments", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "names no sources" in out and "every fact is cited" not in out
    assert "scoring: mean of the answered items" in out and "prorated" not in out


def test_help_starts_without_heavy_imports():
    code = (
        "import sys, contextlib, io\n"
        "from belonging.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
        "heavy = [m for m in ('pandas', 'numpy', 'matplotlib', 'statsmodels', 'scipy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_python_dash_m(tmp_path):
    result = subprocess.run([sys.executable, "-m", "belonging", "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("belonging ")


def test_summary_names_row_column_and_value_of_excluded_cells(tmp_path, capsys):
    items = [f"pssm_{i:02d}" for i in range(1, 19)]
    frame = pd.DataFrame([[3] * 18] * 6, columns=items)
    frame.loc[1, "pssm_04"] = 9
    frame.loc[4, "pssm_02"] = 0
    path = tmp_path / "answers.csv"
    frame.to_csv(path, index=False)
    assert main(["score", str(path), "--instrument", "pssm", "-o", str(tmp_path / "s.csv")]) == 0
    err = capsys.readouterr().err
    assert "row 2, column 'pssm_04': value '9' is outside the scale 1-5" in err
    assert "row 5, column 'pssm_02': value '0' is outside the scale 1-5" in err
    scores = pd.read_csv(tmp_path / "s.csv")
    assert scores["pssm"].isna().tolist() == [False, True, False, False, True, False]
    assert scores["status"].tolist().count("excluded") == 2


def test_summary_accounts_for_every_record(tmp_path, capsys):
    """Previews set aside at ingest are rows of the output (excluded, no score) and the summary says why
    each unscored row has no score."""
    fix = Path(__file__).parent / "fixtures" / "platforms"
    out = tmp_path / "s.csv"
    argv = ["score", str(fix / "qualtrics_text.csv"), "--instrument", "ccs", "--map", str(fix / "maps" / "qualtrics.toml"), "-o", str(out)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    scores = pd.read_csv(out)
    assert f"{len(scores)} record(s) read, {len(scores)} row(s) written" in err
    assert "2 set aside at ingest, 1 with fewer than 80% of items answered" in err
    assert scores["source_row"].tolist() == list(range(1, len(scores) + 1))


@pytest.mark.parametrize("command", ["score", "validate"])
def test_identifying_id_column_needs_keep_identifiers(tmp_path, capsys, command):
    """--id-column would put a student number into every output row as response_id: refused unless asked."""
    src = tmp_path / "survey.csv"
    df = write_survey(src)
    df.insert(0, "student_id", [f"S{i:05d}" for i in range(len(df))])
    df.to_csv(src, index=False)
    out = tmp_path / "out.csv"
    argv = [command, str(src), "--instrument", "pssm", "--id-column", "student_id", "-o", str(out)]
    assert main(argv) == 2
    assert "--id-column: column 'student_id' identifies a person" in capsys.readouterr().err
    assert not out.exists()
    assert main([*argv, "--keep-identifiers"]) in (0, 1)  # validate exits 1 when it excludes a response
    assert pd.read_csv(out)["response_id"].str.startswith("S0").all()


def test_output_onto_the_input_is_refused(tmp_path, capsys):
    src = tmp_path / "survey.csv"
    write_survey(src)
    before = src.read_bytes()
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(src)]) == 2
    assert "that is the input file" in capsys.readouterr().err
    assert src.read_bytes() == before


def test_debug_after_the_command_shows_the_traceback(tmp_path, capsys):
    assert main(["score", str(tmp_path / "missing.csv"), "--instrument", "pssm", "-o", str(tmp_path / "o.csv"), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err
    assert main(["--debug", "instruments", "show", "nope"]) == 2  # before the command, as before
    assert "Traceback" in capsys.readouterr().err
    assert main(["instruments", "show", "nope", "--debug"]) == 2  # after a nested subcommand
    assert "Traceback" in capsys.readouterr().err


def test_stdout_and_file_outputs_are_the_same_csv(tmp_path):
    """`-o -` writes exactly the bytes `-o FILE.csv` writes (numbers formatted alike: 32, not 32.0)."""
    src = tmp_path / "survey.csv"
    write_survey(src)
    out = tmp_path / "s.csv"
    assert main(["score", str(src), "--instrument", "pssm", "-o", str(out)]) == 0
    cmd = [sys.executable, "-m", "belonging", "score", str(src), "--instrument", "pssm", "-o", "-"]
    piped = subprocess.run(cmd, capture_output=True, check=True).stdout
    assert piped == out.read_bytes()


@pytest.mark.parametrize(("argv", "code"), [(["instruments", "list"], 0), (["score", "no-such-file.csv", "--instrument", "pssm", "-o", "x.csv"], 1), (["score"], 2)])
def test_console_entry_point_ends_the_process_cleanly(tmp_path, argv, code):
    """The console entry point ends without interpreter teardown, yet with the command's exit code,
    every byte of standard output and error, and the atexit handlers run (coverage, temporary folders);
    while a non-daemon thread is still working it exits normally, waiting for that thread."""
    marker = tmp_path / "thread-done"
    script = (
        "import atexit, sys, threading, time\n"
        "atexit.register(lambda: print('atexit handler ran', flush=True))\n"
        f"sys.argv = ['belonging', *{argv!r}]\n"
        "from belonging.cli import entrypoint\n"
        "entrypoint()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == code
    assert done.stdout.endswith("atexit handler ran\n")
    if code == 0:
        assert "pssm" in done.stdout  # the command's own output, flushed before the end
    else:
        assert done.stderr.startswith("error:")
    worker = (
        "import sys, threading, time\n"
        f"threading.Thread(target=lambda: (time.sleep(0.3), open({str(marker)!r}, 'w').close())).start()\n"
        "sys.argv = ['belonging', 'instruments', 'list']\n"
        "from belonging.cli import entrypoint\n"
        "entrypoint()\n"
    )
    done = subprocess.run([sys.executable, "-c", worker], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and marker.exists()


def test_console_entry_point_starts_blas_on_one_thread_unless_told():
    """The entry point sets OpenBLAS/MKL to one thread before numpy loads (the library threads row blocks
    itself); a thread count the user set is left alone; once numpy is loaded nothing is changed."""
    import os

    probe = (
        "import json, os, sys\n"
        "from belonging.cli import _blas_on_one_thread\n"
        "_blas_on_one_thread()\n"
        "import numpy\n"
        "from threadpoolctl import threadpool_info\n"
        "blas = [p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas']\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('OMP_NUM_THREADS'), json.dumps(blas))\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=clean).stdout.split(maxsplit=2)
    assert out[:2] == ["1", "None"]
    import json

    threads = json.loads(out[2])
    assert threads and all(n == 1 for n in threads)  # numpy's BLAS found, on one thread
    told = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env={**clean, "OMP_NUM_THREADS": "2"}).stdout.split(maxsplit=2)
    assert told[:2] == ["None", "2"]
    late = "import numpy, os\nfrom belonging.cli import _blas_on_one_thread\n_blas_on_one_thread()\nprint(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
    assert subprocess.run([sys.executable, "-c", late], capture_output=True, text=True, check=True, env=clean).stdout.strip() == "None"


def test_console_entry_point_collects_garbage_less_often():
    """The entry point raises the collector's thresholds (fewer passes over the imported libraries'
    objects) and keeps a caller's higher setting; cyclic garbage is still collected."""
    import gc
    import weakref

    from belonging.cli import _fewer_collections

    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        _fewer_collections()
        assert gc.get_threshold() == (100_000, 10, 10)
        gc.set_threshold(500_000, 5, 5)
        _fewer_collections()
        assert gc.get_threshold() == (500_000, 5, 5)

        class Node:
            pass

        gc.set_threshold(700, 10, 10)
        _fewer_collections()
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the collector can free it
        gone = weakref.ref(a)
        del a, b
        assert gone() is not None  # not yet collected ...
        kept = [Node() for _ in range(150_000)]  # ... until enough live allocations call a young-generation pass
        assert gone() is None
        del kept
    finally:
        gc.set_threshold(*saved)


def test_console_entry_point_with_standard_output_closed(tmp_path):
    """Started with standard output closed (cron, daemons: Python's sys.stdout is then None), a command
    that writes to a file ends as before: exit 0, the file written, no traceback."""
    import os

    src = tmp_path / "survey.csv"
    write_survey(src)
    out = tmp_path / "scores.csv"
    done = subprocess.run(
        [sys.executable, "-m", "belonging", "score", str(src), "--instrument", "pssm", "-o", str(out)],
        capture_output=False, stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "scored on pssm" in done.stderr
    assert out.read_text().startswith("response_id,")
    usage = subprocess.run([sys.executable, "-m", "belonging"], stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1))
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
