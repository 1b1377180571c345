"""The optional parts of newsbot and the pip extra each needs, said in one line when missing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.errors import ConfigError


@contextmanager
def needs_extra(extra: str, purpose: str) -> Iterator[None]:
    """Turn a missing optional library inside the block into a ConfigError naming the extra.

    ``newsbot web`` and ``web.listen`` need ``newsbot[web]``; ``newsbot worker`` needs
    ``newsbot[postgres]``. Without them the command exits 2 with one line, not a traceback.
    """
    try:
        yield
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] == "bot":
            raise  # our own module missing is a bug, not an installation choice
        raise ConfigError(
            f"{purpose} needs the {extra!r} extra, which is not installed (no module "
            f"{exc.name!r}): pip install 'newsbot[{extra}]'"
        ) from None
