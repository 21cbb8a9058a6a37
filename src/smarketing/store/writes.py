"""Serialised, all-or-nothing writes to a database file: the live file is never opened for writing.

A write (an import, a demo build) copies the database to a temporary file beside it, changes the copy,
checkpoints and closes it, then renames it over the live file (an atomic step on POSIX file systems).
Readers (the app's sessions, the CLI, notebooks) keep reading the file they opened and never meet DuckDB's
single-writer lock; a process killed at any point leaves the old file or the new one, never half of
either. Writers queue on an advisory lock file (`<db>.lock`), which the system releases if a writer dies;
its leftover temporary copy is removed by the next writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from smarketing.labels import t

TMP_MARK = ".writing-"
LOCK_TIMEOUT = 600.0  # seconds a writer waits for another one


def lock_path(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


class WriteBusy(TimeoutError):
    """Another write to the same file did not finish in time."""


def _holder(text: bytes) -> str:
    """Who holds a write lock, in words: the process its file names ("process 4242"), else another process."""
    found = re.fullmatch(r"process (\d+)", text.decode("ascii", "replace").strip())
    return t("imp_process").format(pid=found.group(1)) if found else t("imp_another_process")


@contextlib.contextmanager
def write_lock(target: str | os.PathLike, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the file's write lock, waiting up to `timeout` seconds for another writer to finish (WriteBusy
    after that, naming the writer's process, so a hung import cannot block every later one unseen)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(target), "a+b") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    raise WriteBusy(t("imp_write_busy").format(file=target.name, holder=_holder(fh.read(64)),
                                                               seconds=f"{timeout:g}")) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"process {os.getpid()}".encode())
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _leftovers(target: Path) -> list[Path]:
    return list(target.parent.glob(f"{target.name}{TMP_MARK}*"))


@contextlib.contextmanager
def replacing(target: str | os.PathLike, fresh: bool = False) -> Iterator[Path]:
    """Yield the path of a private copy of `target` (empty if `fresh` or no file yet); when the block ends
    without an exception, the copy replaces `target` atomically, else it is deleted and `target` is untouched.

    The caller must have closed every connection to the copy before the block ends. A symbolic link is
    followed (the file it points to is replaced); the file keeps its permissions (0600 for a new file:
    it holds personal data)."""
    target = Path(target).resolve()
    with write_lock(target):
        for stale in _leftovers(target):  # a writer killed mid-way (we hold the lock: none is running)
            stale.unlink(missing_ok=True)
        work = target.with_name(f"{target.name}{TMP_MARK}{uuid.uuid4().hex}")
        wal = Path(f"{target}.wal")
        try:
            if target.exists() and not fresh:
                shutil.copyfile(target, work)
                if wal.exists():  # a file last written by another program: let DuckDB replay its log on the copy
                    shutil.copyfile(wal, Path(f"{work}.wal"))
            yield work
            _fsync(work)
            os.chmod(work, target.stat().st_mode & 0o777 if target.exists() else 0o600)
            os.replace(work, target)
            wal.unlink(missing_ok=True)
            _fsync(target.parent)
        finally:
            work.unlink(missing_ok=True)
            Path(f"{work}.wal").unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def version(path: str | os.PathLike) -> str:
    """Identity of the file now at `path` (changes whenever a write has replaced it): inode, size, mtime."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "missing"
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
