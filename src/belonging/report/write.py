"""Write a report run to a folder: ``index.html`` plus one HTML and PDF file per cohort.

Cohort reports are built and rendered in worker processes (``jobs``); every file is written into a
staging folder and the run's files are moved into the output folder together at the end (see
:mod:`belonging.report._outdir`: lock, staging, manifest, no stale files). Every file name made from
data is a sanitised slug that stays inside the folder.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from belonging import _columns as C
from belonging.errors import UsageError
from belonging.report.model import Metric, Table
from belonging.report.suppression import DEFAULT_MIN_CELL

__all__ = ["FORMATS", "WriteResult", "write_reports"]

logger = logging.getLogger(__name__)

FORMATS = ("html", "pdf")
SUMMARY_CSV = "cohorts.csv"
RELEASE_LOG = "release-log.json"

_WORKER_CTX = None  # set once per worker process by _init_worker (inherited by fork)


@dataclass(frozen=True)
class WriteResult:
    """What a run wrote and how long it took.

    Attributes
    ----------
    paths : tuple of Path
        Every file written (index first, then cohorts in order, then ``cohorts.csv`` and
        ``release-log.json``).
    cohorts : int
        Number of cohort reports.
    suppressed : int
        Cohorts below the threshold (notice only).
    seconds : dict
        Wall time of ``prepare`` and ``reports``, and the sums over cohorts of ``build``, ``charts``,
        ``html`` and ``pdf`` (worker time, which exceeds wall time when ``jobs > 1``) and of ``cpu``
        (CPU time of the cohort reports, in whichever process built them).

    Examples
    --------
    Two cohorts, both below ``min_cell``: each report is a notice only, and the overview shows no
    statistics.

    >>> import tempfile
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> rng = np.random.default_rng(2)
    >>> data = pd.DataFrame(rng.integers(0, 5, size=(14, 20)), columns=list(ccs.item_ids))
    >>> data["cohort"] = ["Archaeology 2025"] * 8 + ["Museum Studies 2026"] * 6
    >>> folder = tempfile.TemporaryDirectory()
    >>> result = bl.write_reports(data, ccs, folder.name, by="cohort", formats=("html",))
    >>> result.cohorts, result.suppressed
    (2, 2)
    >>> [p.name for p in result.paths]
    ['index.html', 'archaeology-2025-4fdfbdb9.html', 'museum-studies-2026-8f5ba9dc.html', 'cohorts.csv', 'release-log.json']
    >>> sorted(result.seconds)
    ['build', 'charts', 'cpu', 'html', 'pdf', 'prepare', 'reports']
    >>> folder.cleanup()
    """

    paths: tuple
    cohorts: int
    suppressed: int
    seconds: dict


def _target(out: Path, name: str) -> Path:
    """`out / name`, refusing anything that would leave `out` (defence in depth behind slugify)."""
    path = (out / name).resolve()
    if path.parent != out.resolve():
        msg = f"refusing to write {name!r} outside the output folder {str(out)!r}"
        raise UsageError(msg)
    return path


def _one(ctx, cohort, out: Path, formats) -> dict:
    from belonging._io import atomic_write_bytes, atomic_write_text
    from belonging.report._figures import CHART_SECONDS
    from belonging.report.build import cohort_report
    from belonging.report.html import render_html
    from belonging.report.pdf import render_pdf

    timings = []
    token = CHART_SECONDS.set(timings)
    cpu = time.process_time()
    try:
        t0 = time.perf_counter()
        report = cohort_report(ctx, cohort)
        t1 = time.perf_counter()
        names = []
        if "html" in formats:
            p = _target(out, f"{report.slug}.html")
            atomic_write_text(p, render_html(report))
            names.append(p.name)
        t2 = time.perf_counter()
        if "pdf" in formats:
            p = _target(out, f"{report.slug}.pdf")
            atomic_write_bytes(p, render_pdf(report))
            names.append(p.name)
        t3 = time.perf_counter()
    finally:
        CHART_SECONDS.reset(token)
    return {"cohort": cohort, "names": names, "suppressed": report.suppressed, "published": published_counts(report),
            "build": t1 - t0, "charts": sum(timings), "html": t2 - t1, "pdf": t3 - t2, "cpu": time.process_time() - cpu}


def published_counts(report) -> dict:
    """The counts a report shows: ``{table caption: {row label: {column: count}}}`` (withheld cells left out).

    Counts are the whole-number columns (format ``"d"``) of its tables and the "Responses" metric.
    """
    out = {}
    for section in report.sections:
        for node in section.children:
            if isinstance(node, Metric) and node.label == "Responses" and not node.suppressed:
                scored = node.detail.split(" scored")[0]
                out["Responses"] = {"": {"responses": node.value, **({"scored": scored} if scored.isdigit() else {})}}
            if not isinstance(node, Table):
                continue
            cols = [c for c in node.data.columns if node.formats.get(c) == "d"]
            if not cols:
                continue
            rows = {}
            for i in range(len(node.data)):
                label = " / ".join(str(v) for v in node.data.iloc[i].drop(labels=cols).tolist() if isinstance(v, str))
                cells = {c: node.cell_text(i, c) for c in cols if not node.is_suppressed(i, c)}
                if cells:
                    rows[label] = cells
            out[f"{section.title}: {node.caption}"] = rows
    return out


def _release_log(folder: Path, ctx, index, results) -> dict:
    """The release log: earlier releases into this folder (kept) plus this run's published counts."""
    prov = ctx.settings.provenance
    previous = []
    try:
        previous = list(json.loads((folder / RELEASE_LOG).read_text(encoding="utf-8")).get("releases", []))
    except (OSError, ValueError, AttributeError):
        previous = []
    entry = {
        "created_at": prov.get("created_at"),
        "input": {k: (prov.get("input") or {}).get(k) for k in ("path", "sha256")},
        "instrument": (prov.get("instrument") or {}).get("id"),
        "parameters": prov.get("parameters"),
        "reports": {"index": published_counts(index),
                    **{ctx.slugs[c]: r["published"] for c, r in sorted(results.items(), key=lambda kv: str(kv[0]))}},
    }
    return {"note": "What each run into this folder published (counts only); kept across runs so that a later run "
                    "can see what was already released. See docs/methods.md (Privacy) for what separate releases "
                    "cannot protect.", "releases": [*previous, entry]}


def _init_worker(ctx) -> None:
    import signal

    global _WORKER_CTX
    _WORKER_CTX = ctx
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides: it stops the workers on Ctrl-C


def _reduce_mapping(mapping):
    return _mapping, (dict(mapping),)


def _mapping(items) -> MappingProxyType:
    return MappingProxyType(items)


def _work(task) -> dict:
    cohort, out, formats = task
    return _one(_WORKER_CTX, cohort, out, formats)


def _cohort_files(ctx, out: Path, formats, jobs: int, on_progress) -> dict:
    """Build and write every cohort report into `out`, in `jobs` worker processes.

    Workers start from a fork server (a clean process that has run no Typst or BLAS thread, so
    forking it is safe) and receive the context once each. On any error or interrupt the pending
    work is cancelled and the workers are stopped before the exception goes on.
    """
    results = {}
    if jobs > 1 and len(ctx.cohorts) > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing.reduction import ForkingPickler

        # read-only mappings (settings, instrument) travel to the workers as dicts, wrapped again there
        ForkingPickler.register(MappingProxyType, _reduce_mapping)
        mp = multiprocessing.get_context("forkserver")
        mp.set_forkserver_preload(["belonging.report.write"])
        pool = mp.Pool(min(jobs, len(ctx.cohorts)), initializer=_init_worker, initargs=(ctx,))
        try:
            for res in pool.imap_unordered(_work, [(c, out, formats) for c in ctx.cohorts]):
                results[res["cohort"]] = res
                if on_progress is not None:
                    on_progress(res["cohort"])
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
        return results
    for c in ctx.cohorts:
        results[c] = _one(ctx, c, out, formats)
        if on_progress is not None:
            on_progress(c)
    return results


def write_reports(data, instrument, out_dir, *, by, compare_by=(), wave=None, wave_order=None, roster=None,
                  min_cell=DEFAULT_MIN_CELL, confidence=0.95, seed=None, mapping=None, policy=None,
                  exclude_flagged=False, formats=FORMATS, jobs: int = 1, on_progress=None, parameters=None,
                  now=None) -> WriteResult:
    """Build and write the institution overview and one report per cohort.

    Parameters
    ----------
    data, instrument, by, compare_by, wave, wave_order, roster, min_cell, confidence, seed, mapping, policy, exclude_flagged
        As :func:`belonging.report.build_report`.
    out_dir : path
        Folder to write into (created if needed): ``index.html``, ``<slug>.html`` and
        ``<slug>.pdf`` per cohort, ``cohorts.csv`` (the overview table, suppressed cells empty,
        formula-like cells neutralised), ``release-log.json`` (the counts every run into this folder
        published, earlier runs' entries kept) and ``manifest.json`` (the files of this run with
        their SHA-256). The run holds a lock on the folder (a second run into it is a
        :class:`~belonging.errors.UsageError`), writes into a staging folder beside it and moves the
        files in only when every one is written: an error or an interrupt leaves the folder as it
        was. Files an earlier run wrote that this run does not are removed (only files listed in
        the earlier manifest and unchanged since; never a file the tool did not write).
    formats : sequence of {"html", "pdf"}
        Which cohort files to write (``index.html`` is always written).
    jobs : int, default 1
        Worker processes for the cohort reports (1 runs in this process).
    on_progress : callable, optional
        Called with the cohort value after each cohort report is written (e.g. a progress bar).
    parameters : dict, optional
        Extra entries for the provenance record.

    Returns
    -------
    WriteResult

    Raises
    ------
    UsageError
        Unknown format, `jobs` below 1, the output folder in use by another run, or any error of
        :func:`build_report`.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> import pandas as pd
    >>> import belonging as bl
    >>> ccs = bl.load_instrument("ccs")
    >>> rng = np.random.default_rng(2)
    >>> trait = rng.normal(size=(60, 1))
    >>> data = pd.DataFrame(np.clip(np.round(2 + trait + rng.normal(size=(60, 20))), 0, 4), columns=list(ccs.item_ids))
    >>> data[list(ccs.reverse_items)] = 4 - data[list(ccs.reverse_items)]  # negatively worded items are answered reversed
    >>> data["cohort"] = ["Psychology 2025"] * 52 + ["Museum Studies 2026"] * 8
    >>> folder = tempfile.TemporaryDirectory()
    >>> result = bl.write_reports(data, ccs, folder.name, by="cohort", formats=("html",))
    >>> result.cohorts, result.suppressed
    (2, 1)
    >>> sorted(p.suffix for p in result.paths)
    ['.csv', '.html', '.html', '.html', '.json']
    >>> folder.cleanup()
    """
    from belonging._io import atomic_write_text, write_table
    from belonging._validation import check_choice
    from belonging.report._outdir import OutputFolder
    from belonging.report.build import index_report, prepare_context
    from belonging.report.html import render_html

    formats = tuple(dict.fromkeys(formats))
    for f in formats:
        check_choice(f, "formats", FORMATS)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        msg = f"`jobs` must be an integer >= 1; got {jobs!r}"
        raise UsageError(msg)
    out = Path(out_dir)
    with OutputFolder(out) as folder:
        stage = folder.staging
        t0 = time.perf_counter()
        params = {"formats": list(formats), **(parameters or {})}
        ctx = prepare_context(data, instrument, by=by, compare_by=compare_by, wave=wave, wave_order=wave_order,
                              roster=roster, min_cell=min_cell, confidence=confidence, seed=seed, mapping=mapping,
                              policy=policy, exclude_flagged=exclude_flagged, parameters=params, now=now)
        t1 = time.perf_counter()
        results = _cohort_files(ctx, stage, formats, jobs, on_progress)
        index = index_report(ctx, formats=formats)
        atomic_write_text(_target(stage, "index.html"), render_html(index))
        write_table(_summary_frame(index, by), _target(stage, SUMMARY_CSV))
        names = ["index.html"] + [n for c in ctx.cohorts for n in results[c]["names"]] + [SUMMARY_CSV]
        log = _release_log(folder.path, ctx, index, results)
        atomic_write_text(_target(stage, RELEASE_LOG), json.dumps(log, indent=1, ensure_ascii=False, default=str) + "\n")
        names.append(RELEASE_LOG)
        folder.commit(names, extra_manifest={"created_at": ctx.settings.provenance.get("created_at")})
        t2 = time.perf_counter()
    seconds = {"prepare": t1 - t0, "reports": t2 - t1}
    for key in ("build", "charts", "html", "pdf", "cpu"):
        seconds[key] = sum(r[key] for r in results.values())
    return WriteResult(paths=tuple(out / n for n in names), cohorts=len(ctx.cohorts),
                       suppressed=sum(bool(r["suppressed"]) for r in results.values()), seconds=seconds)


def _summary_frame(index, by):
    """The overview's cohort table as plain data: suppressed cells empty, plus a ``suppressed`` flag."""
    table = index.section("Cohorts").children[0]
    df = table.to_frame().drop(columns=[c for c in (C.PDF_LINK,) if c in table.data.columns])
    df[C.SUPPRESSED] = table.suppressed.drop(columns=[c for c in (C.PDF_LINK,) if c in table.suppressed.columns]).any(axis=1).to_numpy()
    return df.rename(columns={C.GROUP: by})
