"""What a site's robots.txt allows us (RFC 9309), parsed by protego; pure, no fetching.

How an answer maps to rules follows the RFC: a 2xx body is parsed; 4xx means no rules (allow
all); 5xx or an unreachable host means "disallow all" until we manage to read it again. An
unreachable robots.txt keeps its real cause (``unreachable``) so it is reported as what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

ROBOTS_MAX_BYTES = 500_000
ROBOTS_TTL_S = 6 * 3600.0
ROBOTS_ERROR_TTL_S = 600.0

Verdict = Literal["rules", "allow-all", "disallow-all"]


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """One host's robots.txt as we understood it."""

    verdict: Verdict
    parser: Protego | None = None
    reason: str = ""

    @classmethod
    def from_response(cls, status: int | None, text: str = "") -> RobotsRules:
        """Rules from an HTTP status (None: unreachable) and body."""
        if status is None or status >= 500:
            return cls.unreachable(f"HTTP {status}" if status else "no answer")
        if status >= 400:
            return cls("allow-all", reason=f"no robots.txt (HTTP {status})")
        return cls("rules", Protego.parse(text))

    @classmethod
    def unreachable(cls, cause: str) -> RobotsRules:
        """No usable answer (5xx, refused, timed out): assume "disallow all" for a while."""
        return cls("disallow-all", reason=cause)

    @property
    def is_unreachable(self) -> bool:
        return self.verdict == "disallow-all"

    @property
    def ttl_s(self) -> float:
        return ROBOTS_ERROR_TTL_S if self.verdict == "disallow-all" else ROBOTS_TTL_S

    def allows(self, url: str, user_agent: str) -> bool:
        if self.verdict != "rules" or self.parser is None:
            return self.verdict == "allow-all"
        return bool(self.parser.can_fetch(url, product_token(user_agent)))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(product_token(user_agent))
        return float(delay) if delay is not None else None


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def product_token(user_agent: str) -> str:
    """``newsbot/0.1 (+https://…)`` → ``newsbot``: the name robots.txt groups are written for."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"
