"""The storage backends the store contract suite (``tests/test_store_contract.py``) runs on.

``BACKENDS`` maps a backend's name (the test id) to a factory: a context manager that takes a
scratch folder and yields the URL of a fresh, empty database, and removes it afterwards. A
backend that needs a server or a system binary skips (or, under ``NEWSBOT_REQUIRE_SHARED=1``,
fails) inside its factory, the way ``tests.conftest.shared()`` does for data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path


@contextmanager
def sqlite_database(folder: Path) -> Iterator[str]:
    """A new SQLite file in the scratch folder (removed with it)."""
    yield f"sqlite:///{folder / 'contract.db'}"


@contextmanager
def postgres_database(folder: Path) -> Iterator[str]:
    """A new database on the session's PostgreSQL server (tests/postgres.py starts it)."""
    from tests.postgres import fresh_postgres_url

    yield fresh_postgres_url()


BACKENDS: dict[str, Callable[[Path], AbstractContextManager[str]]] = {
    "sqlite": sqlite_database,
    "postgresql": postgres_database,
}
