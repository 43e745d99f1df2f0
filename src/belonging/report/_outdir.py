"""The output folder of a report run: one run at a time, written whole or not at all, no stale files.

* **Lock.** A run holds an exclusive ``flock`` on ``.<folder>.lock`` beside the folder; a second run
  into the same folder stops at once with a clear error. The lock goes with the process (also when it
  is killed), and the lock file is removed on release.
* **Staging.** Every file is first written into a hidden staging folder beside the output folder (same
  file system); an error or an interrupt removes it and leaves the output folder as it was.
* **Commit.** At the end the staged files are moved into the output folder (``os.replace``, one
  rename each) with SIGINT and SIGTERM held back until the moves are done, then files the previous
  run wrote and this one did not are removed: only those named in the previous manifest whose
  content is still what the tool wrote (SHA-256), never a file the tool did not write.
* **Manifest.** ``manifest.json`` lists the run's files with their SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from belonging.errors import UsageError

__all__ = ["MANIFEST", "OutputFolder", "deferred_signals"]

MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def deferred_signals(signals=(signal.SIGINT, signal.SIGTERM)):
    """Hold `signals` back for the duration of the block, then deliver any that arrived.

    Only in the main thread (elsewhere Python cannot set handlers; the block then runs as is).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived = []
    old = {s: signal.signal(s, lambda signum, frame: arrived.append(signum)) for s in signals}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        for s in dict.fromkeys(arrived):
            signal.raise_signal(s)


class OutputFolder:
    """Lock, stage and commit the files of one run into `path` (a context manager).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from belonging.report._outdir import OutputFolder
    >>> root = Path(tempfile.mkdtemp())
    >>> with OutputFolder(root / "out") as out:
    ...     _ = (out.staging / "a.html").write_text("first")
    ...     out.commit(["a.html"])
    >>> with OutputFolder(root / "out") as out:  # a rerun that writes b.html only
    ...     _ = (out.staging / "b.html").write_text("second")
    ...     out.commit(["b.html"])
    >>> sorted(p.name for p in (root / "out").iterdir())  # a.html was the tool's, so it goes
    ['b.html', 'manifest.json']
    """

    def __init__(self, path):
        self.path = Path(path)
        self.staging: Path | None = None
        self._lock_fd = None
        self._lock_path = self.path.parent / f".{self.path.name}.lock"
        self.removed: list[str] = []

    def __enter__(self) -> OutputFolder:
        if self.path.exists() and not self.path.is_dir():
            msg = f"-o {str(self.path)!r} is a file; give a folder for the reports"
            raise UsageError(msg)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".staging", dir=self.path.parent))
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._unlock()

    def _lock(self) -> None:
        import fcntl

        while True:
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                msg = (f"another `belonging report` run is writing into {str(self.path)!r} (lock "
                       f"{self._lock_path.name}); wait for it to finish or choose another -o folder")
                raise UsageError(msg) from None
            try:  # the file may have been removed by a run that released it just now: lock the new one
                same = os.path.samestat(os.fstat(fd), os.stat(self._lock_path))
            except FileNotFoundError:
                same = False
            if same:
                self._lock_fd = fd
                return
            os.close(fd)

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._lock_path)
        os.close(self._lock_fd)
        self._lock_fd = None

    def previous_manifest(self) -> dict:
        """``{name: sha256}`` of the files the previous run wrote (empty without a readable manifest)."""
        try:
            data = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
            return {str(f["name"]): str(f["sha256"]) for f in data.get("files", [])}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def commit(self, names, *, extra_manifest=None) -> None:
        """Move the staged files `names` into the folder, drop the previous run's leftovers, write the manifest."""
        names = list(dict.fromkeys(names))
        files = [{"name": n, "sha256": _sha256(self.staging / n)} for n in names]
        manifest = {"tool": "belonging report", **(extra_manifest or {}), "files": files}
        (self.staging / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        previous = self.previous_manifest()
        with deferred_signals():
            self.path.mkdir(parents=True, exist_ok=True)
            for n in names:
                os.replace(self.staging / n, self.path / n)
            for name, digest in previous.items():
                target = self.path / name
                if name in names or name == MANIFEST or Path(name).name != name:
                    continue
                with contextlib.suppress(OSError):
                    if target.is_file() and _sha256(target) == digest:
                        target.unlink()
                        self.removed.append(name)
            os.replace(self.staging / MANIFEST, self.path / MANIFEST)
