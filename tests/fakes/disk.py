"""A misbehaving disk for one ``newsbot`` process: read-only or full, for real, even for root.

``chmod`` does not stop root, and the tests run as root in CI. So the process gets a private
mount namespace (``unshare -m``; ``unshare -rm`` for a normal user) where its database folder
is a read-only bind mount, or a small tmpfs that the test fills to the last byte. The kernel
then answers ``EROFS`` or ``ENOSPC`` to SQLite as it would on a real full or read-only disk.

The namespace lives as long as the process; the test reaches its tmpfs through
``/proc/<pid>/root`` (see :func:`inside`), e.g. to fill or free it mid-run.
"""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest


def _unshare() -> list[str]:
    return ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]


def private_mounts_work() -> bool:
    """Whether this machine lets a process mount a tmpfs in its own namespace."""
    if shutil.which("unshare") is None:
        return False
    probe = [*_unshare(), "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


needs_private_mounts = pytest.mark.skipif(
    not private_mounts_work(),
    reason="needs `unshare -m` with mount rights (root, or user namespaces enabled)",
)


def with_mounts(setup: list[str], argv: list[str]) -> list[str]:
    """``argv`` run in a private mount namespace after the shell commands ``setup``; the
    process keeps the pid (exec), so it can be signalled and its ``/proc/<pid>/root`` read."""
    script = " && ".join([*setup, 'exec "$@"'])
    return [*_unshare(), "sh", "-c", script, "sh", *argv]


def read_only(path: Path) -> str:
    """A setup step: ``path`` (a file or a folder) becomes read-only, for root too."""
    quoted = shlex.quote(str(path))
    return f"mount --bind {quoted} {quoted} && mount -o remount,bind,ro {quoted}"


def small_disk(folder: Path, size_kib: int, *, seed_from: Path | None = None) -> str:
    """A setup step: ``folder`` becomes a tmpfs of ``size_kib`` KiB (with ``seed_from``'s files
    copied in)."""
    quoted = shlex.quote(str(folder))
    step = f"mount -t tmpfs -o size={size_kib}k tmpfs {quoted}"
    if seed_from is not None:
        step += f" && cp -a {shlex.quote(str(seed_from))}/. {quoted}/"
    return step


def inside(pid: int, path: Path) -> Path:
    """``path`` as the process ``pid`` sees it (through its mount namespace)."""
    return Path(f"/proc/{pid}/root") / path.relative_to("/")


def fill(folder: Path) -> Path:
    """Write a file into ``folder`` until the disk is full; return it (delete it to free)."""
    filler = folder / "filler"
    block = b"\0" * 65536
    with filler.open("wb", buffering=0) as out:
        while True:
            try:
                out.write(block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                if len(block) == 1:
                    return filler
                block = block[: len(block) // 2]
