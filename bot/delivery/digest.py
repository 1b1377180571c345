"""When a chat's daily digest is done until the next one (pure).

A digest chat's deliveries are held until its digest time, then claimed and sent as one
message. The digest of the latest digest time is done once nothing of the chat waits any more
(it went out, or there was nothing to send), while the chat is neither held nor muted and the
bot's token works: then ``digest_sent_at`` moves to that time, and the chat is held again until
the next one. While anything still waits (a retry, a send that failed over a rejected token), the
digest stays open and the next round sends the rest.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace

from bot.delivery.holds import ChatPrefs, last_digest_time


def completed_digests(
    prefs: Iterable[ChatPrefs],
    *,
    now: float,
    held: Collection[int],
    waiting: Mapping[int, int],
    token_rejected: bool,
) -> list[ChatPrefs]:
    """The preferences to save for each chat whose digest is done (``waiting``: deliveries
    still waiting per chat; a chat missing from it counts as having some)."""
    if token_rejected:
        return []
    done = []
    for p in prefs:
        last = last_digest_time(p, now)
        if (
            last is not None
            and p.chat_id not in held
            and (p.muted_until is None or p.muted_until <= now)
            and waiting.get(p.chat_id, 1) == 0
        ):
            done.append(replace(p, digest_sent_at=last))
    return done
