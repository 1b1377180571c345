"""The HTTP adapter: fetch one URL politely with httpx, within size, time and redirect limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bot.charset import decode_body
from bot.config import FetchSettings
from bot.errors import FetchError, FetchRejected

_ACCEPTED_TYPES = ("html", "xml", "rss", "atom", "json", "text/plain")


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful response: final URL after redirects, status, content type and text."""

    url: str
    status: int
    content_type: str
    text: str


class Fetcher:
    """One shared ``httpx.AsyncClient`` for every source."""

    def __init__(
        self, settings: FetchSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        kwargs: dict[str, Any] = {}
        if transport is not None:
            kwargs["transport"] = transport
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
            },
            timeout=httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s)),
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            **kwargs,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, url: str) -> Fetched:
        """Fetch ``url``; raise ``FetchError`` (network, HTTP status) or ``FetchRejected``."""
        try:
            async with self._client.stream("GET", url) as response:
                if response.status_code >= 400:
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                    raise FetchError(
                        url,
                        f"HTTP {response.status_code}",
                        status=response.status_code,
                        retry_after=retry_after,
                    )
                content_type = response.headers.get("Content-Type", "").lower()
                if content_type and not any(t in content_type for t in _ACCEPTED_TYPES):
                    raise FetchRejected(
                        url, f"not a page or feed: {content_type}", status=response.status_code
                    )
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.settings.max_bytes:
                    raise FetchRejected(
                        url, f"too large: {declared} bytes", status=response.status_code
                    )
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > self.settings.max_bytes:
                        raise FetchRejected(
                            url,
                            f"too large: more than {self.settings.max_bytes} bytes",
                            status=response.status_code,
                        )
                return Fetched(
                    url=str(response.url),
                    status=response.status_code,
                    content_type=content_type,
                    text=decode_body(bytes(body), response.charset_encoding),
                )
        except httpx.TooManyRedirects as exc:
            raise FetchError(url, f"too many redirects ({exc})") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
