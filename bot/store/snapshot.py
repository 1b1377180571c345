"""A throwaway copy of the SQLite database, for a run that must leave the real one untouched."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine.url import make_url

from bot.errors import StorageError


@contextmanager
def snapshot(url: str) -> Iterator[str]:
    """The URL of a temporary copy of the database at ``url`` (empty when it does not exist
    yet), deleted on exit. The real file is only read."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise StorageError(f"invalid database URL: {exc}") from exc
    if parsed.get_backend_name() != "sqlite":
        raise StorageError(
            f"a dry run copies the database and works on SQLite only, not {parsed.drivername}"
        )
    with tempfile.TemporaryDirectory(prefix="newsbot-dry-run-") as tmp:
        copy = Path(tmp) / "snapshot.db"
        real = parsed.database
        if real and real != ":memory:" and Path(real).is_file():
            try:
                # Only read; not mode=ro, which cannot remove the -wal/-shm files it makes.
                source = sqlite3.connect(f"{Path(real).resolve().as_uri()}?mode=rw", uri=True)
                with closing(source), closing(sqlite3.connect(copy)) as target:
                    source.backup(target)
            except sqlite3.Error as exc:
                raise StorageError(f"cannot read database {real}: {exc}") from exc
        yield f"sqlite:///{copy}"
