"""Undo a response's gzip or deflate in bounded steps, so a compression bomb never inflates."""

from __future__ import annotations

import zlib
from typing import Any

from bot.errors import FetchError, FetchRejected


class BoundedDecoder:
    """Undo gzip or deflate in bounded steps; refuse output past ``max_bytes`` (gzip bombs)."""

    def __init__(self, url: str, encoding: str, max_bytes: int) -> None:
        self.url = url
        self.max_bytes = max_bytes
        self.out = bytearray()
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchRejected(url, f"unsupported content encoding: {encoding}")
        self.zlib: Any = None
        if codings:
            # 47: gzip or zlib header, detected; raw deflate is tried if that fails.
            self.zlib = zlib.decompressobj(47 if codings[0] != "deflate" else 15)
            self.raw_deflate_ok = codings[0] == "deflate"

    def feed(self, data: bytes) -> None:
        if self.zlib is None:
            self._append(data)
            return
        while data:
            room = self.max_bytes - len(self.out) + 1
            try:
                piece = self.zlib.decompress(data, room)
            except zlib.error as exc:
                if self.raw_deflate_ok and not self.out:
                    self.zlib, self.raw_deflate_ok = zlib.decompressobj(-15), False
                    continue
                raise FetchError(self.url, f"broken compressed body: {exc}") from exc
            self._append(piece)
            data = self.zlib.unconsumed_tail

    def _append(self, data: bytes) -> None:
        self.out += data
        if len(self.out) > self.max_bytes:
            raise FetchRejected(
                self.url, f"too large: more than {self.max_bytes} bytes once decompressed"
            )

    def finish(self) -> bytes:
        if self.zlib is not None:
            self._append(self.zlib.flush())
            # A stream cut short after some text is kept (browsers show it too); one that
            # never produced anything is broken.
            if not self.zlib.eof and not self.out:
                raise FetchError(self.url, "broken compressed body: it ends before any content")
        return bytes(self.out)
