"""Keep the bot token out of text that leaves the process: logs, errors, the database, chats.

The token is ``<bot id>:<secret>``; the secret alone is what must never show, in whatever form
a library, proxy or API server echoes it: plain, percent-encoded in a URL, or in another case
(python-telegram-bot lower-cases a ``BadRequest`` description after its first letter).
"""

from __future__ import annotations

import re
from urllib.parse import quote

REDACTED = "<token>"
MIN_SECRET = 6


def secret_forms(token: str | None) -> tuple[str, ...]:
    """The strings to hide for ``token``, longest first (the whole token before its secret)."""
    if not token:
        return ()
    secret = token.split(":", 1)[1] if ":" in token else token
    forms = {token, quote(token, safe=""), quote(token), secret, quote(secret, safe="")}
    # A form this short is no secret (no real token is), and hiding it would garble every line.
    return tuple(sorted((f for f in forms if len(f) >= MIN_SECRET), key=len, reverse=True))


def redact(text: str, token: str | None) -> str:
    """``text`` with every form of ``token`` replaced by ``<token>``, in any case."""
    forms = secret_forms(token)
    if not forms:
        return text
    pattern = "|".join(re.escape(form) for form in forms)
    return re.sub(pattern, REDACTED, text, flags=re.IGNORECASE)
