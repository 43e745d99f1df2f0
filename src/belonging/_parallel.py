"""Row blocks shared among threads: the one place the library runs its own threads over data.

NumPy releases the GIL inside its loops, so blocks of a few thousand rows processed on two or more
threads use the CPUs a process has; results are gathered per block and combined in block order, so
they never depend on the number of threads. While the threads run, BLAS is held to one thread
(``threadpoolctl``): its own worker threads would otherwise spin against ours.
"""

from __future__ import annotations

import contextlib
import os
import threading

#: Most threads used for row blocks when a caller does not say.
MAX_WORKERS = 4


def worker_count(workers: int | None, tasks: int) -> int:
    """Threads to use for `tasks` pieces of work: `workers` (default ``min(MAX_WORKERS, cpu_count)``), at most one per task."""
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1)
    return max(1, min(int(workers), tasks))


def row_blocks(n: int, size: int) -> list[slice]:
    """Row slices of at most `size` rows covering ``range(n)``."""
    if size < 1:
        msg = f"chunk_rows must be a positive number of rows; got {size!r}"
        raise ValueError(msg)
    return [slice(a, min(a + size, n)) for a in range(0, n, size)]


def run_blocks(fn, blocks, workers: int | None = None) -> list:
    """``[fn(rows, scratch) for rows in blocks]``, the blocks shared among up to `workers` threads.

    `scratch` is a dict private to the thread, for buffers reused from block to block (see
    :func:`scratch`). `workers` defaults to ``min(MAX_WORKERS, os.cpu_count())``; one worker (or one
    block) runs on the calling thread.
    """
    workers = worker_count(workers, len(blocks))
    results: list = [None] * len(blocks)

    def work(first: int) -> None:
        mine: dict = {}
        for i in range(first, len(blocks), workers):
            results[i] = fn(blocks[i], mine)

    if workers == 1:
        work(0)
        return results
    from concurrent.futures import ThreadPoolExecutor

    with _single_threaded_blas(), ThreadPoolExecutor(workers, thread_name_prefix="belonging-blocks") as pool:
        for future in [pool.submit(work, first) for first in range(workers)]:
            future.result()
    return results


# BLAS's thread count is a setting of the whole process: callers on several threads share one limit,
# set by the first to enter and restored by the last to leave (a bare threadpool_limits per call would
# let an inner restore undo an outer one, leaving BLAS on one thread for good).
_blas_lock = threading.Lock()
_blas_users = 0
_blas_limit = None


@contextlib.contextmanager
def _single_threaded_blas():
    """BLAS on one thread while the block threads run; the caller's setting comes back afterwards."""
    global _blas_users, _blas_limit
    with _blas_lock:
        if _blas_users == 0:
            from threadpoolctl import threadpool_limits

            _blas_limit = threadpool_limits(limits=1, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limit.restore_original_limits()
                _blas_limit = None


def scratch(buffers: dict, name: str, rows: int, cols: int, dtype="float64", order="F"):
    """The first `rows` rows of a buffer kept in `buffers` under `name` (allocated once per thread)."""
    import numpy as np

    buf = buffers.get(name)
    if buf is None or buf.shape[0] < rows or buf.shape[1] != cols or buf.dtype != np.dtype(dtype):
        buf = buffers[name] = np.empty((rows, cols), dtype=dtype, order=order)
    return buf[:rows]


#: Columns are filled on threads from this many rows (fewer: one thread is quicker than starting more).
COLUMN_THREADS_FROM = 1 << 16


def run_columns(fn, args, *, rows: int, workers: int | None = None) -> list:
    """``[fn(*a) for a in args]`` (one call per column), on up to `workers` threads for long columns.

    Results come back in the order of `args`. Each call must write only its own output.
    """
    workers = worker_count(workers, len(args))
    if workers == 1 or rows < COLUMN_THREADS_FROM:
        return [fn(*a) for a in args]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers, thread_name_prefix="belonging-columns") as pool:
        return list(pool.map(lambda a: fn(*a), args))
