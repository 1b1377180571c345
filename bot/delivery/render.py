"""Turn alerts into the text subscribers read: Telegram HTML, plain-text fallback, console.

Pure: alerts in, strings out. Every piece of page text is escaped; the hits (``Alert.marks``,
character spans of ``Alert.snippet``) are shown in bold, or in [brackets] where there is no
markup. Telegram refuses a message longer than 4096 characters after entity parsing; we count
the visible text in UTF-16 code units (what Telegram counts entity offsets in, and never fewer
than characters), so a rendered message is always accepted. Long titles and snippets are
trimmed with "…" before escaping, so a cut never falls inside a tag or an entity. Several
alerts for one chat share a message while they fit, and go on in the next message when not.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlsplit

from bot.model import Alert

MESSAGE_LIMIT = 4096
"""Telegram's limit on a message text, counted here in UTF-16 code units of visible text."""

TOPIC_CHARS = 100
TITLE_CHARS = 300
SOURCE_CHARS = 100
REASON_CHARS = 300
SNIPPET_CHARS = 600

ELLIPSIS = "…"
_SEPARATOR = "\n\n"
_WHITESPACE = re.compile(r"\s+")


def utf16_units(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (astral characters count two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def visible_length(message_html: str) -> int:
    """UTF-16 length of what Telegram shows for HTML we rendered (tags dropped, entities decoded).

    Only valid for our own output, where every ``<`` starts a tag.
    """
    return utf16_units(html.unescape(re.sub(r"<[^>]*>", "", message_html)))


# -- text cleaning and trimming ---------------------------------------------------------------


# Bidi controls (embeddings, overrides, isolates, marks) reorder what a reader sees, and
# zero-width characters hide text: page text must not carry them into a message. The zero-width
# joiners (ZWNJ, ZWJ) are kept between two visible characters, where scripts (Persian, Indic)
# and emoji sequences need them.
_INVISIBLE = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u180e\ufeff"
)
_JOINERS = frozenset("\u200c\u200d")


def _clean_char(ch: str) -> str:
    """Lone surrogates become U+FFFD (they cannot be sent); control characters become spaces;
    bidi controls and zero-width characters are dropped."""
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if ch in _INVISIBLE:
        return ""
    if ch in "\n\t" or unicodedata.category(ch) != "Cc":
        return ch
    return " "


def _visible(ch: str) -> bool:
    return bool(ch) and not ch.isspace() and ch not in _INVISIBLE and ch not in _JOINERS


def _clean_at(text: str, i: int) -> str:
    """``_clean_char`` of ``text[i]``; a joiner survives only between two visible characters."""
    ch = text[i]
    if ch in _JOINERS:
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        return ch if _visible(before) and _visible(after) else ""
    return _clean_char(ch)


def neutralize(text: str) -> str:
    """Page text made safe to show: no bidi controls, no stray zero-width characters, no
    control characters (newlines and tabs are kept)."""
    return "".join(_clean_at(text, i) for i in range(len(text)))


def _one_line(text: str) -> str:
    """Page text for a one-line field: cleaned, whitespace collapsed, stripped."""
    return _WHITESPACE.sub(" ", neutralize(text)).strip()


def _cut_index(text: str, max_units: int) -> int:
    """Largest index such that ``text[:index]`` fits ``max_units``, not splitting a cluster."""
    units = 0
    index = 0
    for index, ch in enumerate(text):  # noqa: B007 - index is used after the loop
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > max_units:
            break
    else:
        return len(text)
    # do not separate a base character from what joins or modifies it
    while index > 0 and (
        unicodedata.combining(text[index])
        or text[index] in "\u200d\ufe0e\ufe0f"
        or text[index - 1] == "\u200d"
        or 0x1F3FB <= ord(text[index]) <= 0x1F3FF
    ):
        index -= 1
    return index


def trim(text: str, max_units: int) -> str:
    """``text`` if it fits ``max_units`` UTF-16 units, else cut (at a word if near) plus "…"."""
    if utf16_units(text) <= max_units:
        return text
    if max_units <= 0:
        return ""
    cut = _cut_index(text, max_units - 1)
    space = text.rfind(" ", 0, cut + 1)
    if space > 0 and cut - space < 20:
        cut = space
    return text[:cut].rstrip() + ELLIPSIS


@dataclass(frozen=True, slots=True)
class _Run:
    """A stretch of snippet text, marked as a hit or not."""

    text: str
    hit: bool


def _snippet_runs(alert: Alert, max_units: int) -> list[_Run]:
    """The snippet, whitespace collapsed, windowed around the first hit and trimmed, as runs."""
    chars: list[tuple[str, bool]] = []
    flags = [False] * len(alert.snippet)
    pos = 0
    for start, end in sorted(alert.marks):
        start, end = max(start, pos, 0), min(end, len(alert.snippet))
        for i in range(start, end):
            flags[i] = True
        pos = max(pos, end)
    for i, hit in enumerate(flags):
        ch = _clean_at(alert.snippet, i)
        if not ch:
            continue
        if ch.isspace():
            if chars and chars[-1][0] == " ":
                chars[-1] = (" ", chars[-1][1] and hit)
                continue
            ch = " "
        chars.append((ch, hit))
    while chars and chars[0][0] == " ":
        chars.pop(0)
    while chars and chars[-1][0] == " ":
        chars.pop()

    text = "".join(ch for ch, _ in chars)
    lead = ""
    if utf16_units(text) > max_units:
        first_hit = next((i for i, (_, hit) in enumerate(chars) if hit), 0)
        start = max(0, first_hit - max_units // 3)
        if start > 0:
            space = text.find(" ", start, first_hit)
            start = space + 1 if space != -1 else start
            while start < len(chars) and unicodedata.combining(chars[start][0]):
                start += 1
            chars = chars[start:]
            lead = ELLIPSIS
            text = "".join(ch for ch, _ in chars)
        trimmed = trim(text, max_units - len(lead))
        if trimmed != text:
            kept = len(trimmed) - len(ELLIPSIS)
            chars = [*chars[:kept], (ELLIPSIS, False)]
    runs: list[_Run] = [_Run(lead, False)] if lead else []
    for ch, hit in chars:
        if runs and runs[-1].hit == hit:
            runs[-1] = _Run(runs[-1].text + ch, hit)
        else:
            runs.append(_Run(ch, hit))
    return runs


def _when(published: datetime | None, tz: tzinfo) -> str:
    if published is None:
        return ""
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    local = published.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")


def _linkable(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and url.isprintable()


@dataclass(frozen=True, slots=True)
class _Fields:
    """An alert's fields, cleaned and trimmed to their caps."""

    topic: str
    title: str
    url: str
    source: str
    when: str
    reason: str
    snippet: list[_Run]


def _fields(alert: Alert, tz: tzinfo, snippet_units: int) -> _Fields:
    return _Fields(
        topic=trim(_one_line(alert.topic_name), TOPIC_CHARS),
        title=trim(_one_line(alert.title) or _one_line(alert.url), TITLE_CHARS),
        url=_one_line(alert.url),
        source=trim(_one_line(alert.source_id), SOURCE_CHARS),
        when=_when(alert.published, tz),
        reason=trim(_one_line(alert.reason), REASON_CHARS),
        snippet=_snippet_runs(alert, snippet_units),
    )


# -- Telegram HTML ----------------------------------------------------------------------------


def _block_html(f: _Fields) -> str:
    e = html.escape
    lines = [f"<b>{e(f.topic)}</b>"] if f.topic else []
    if _linkable(f.url):
        lines.append(f'<a href="{e(f.url, quote=True)}">{e(f.title)}</a>')
    else:
        lines.append(e(f.title))
        if f.url and f.url != f.title:
            lines.append(e(trim(f.url, TITLE_CHARS)))
    lines.append(e(" · ".join(part for part in (f.source, f.when) if part)))
    if f.reason:
        lines.append(f"<i>{e(f.reason)}</i>")
    snippet = "".join(f"<b>{e(r.text)}</b>" if r.hit else e(r.text) for r in f.snippet)
    if snippet:
        lines.append(snippet)
    return "\n".join(line for line in lines if line)


def _block_plain(f: _Fields) -> str:
    lines = [f.topic, f.title]
    if f.url and f.url != f.title:
        lines.append(trim(f.url, MESSAGE_LIMIT // 2))
    lines.append(" · ".join(part for part in (f.source, f.when) if part))
    lines.append(f.reason)
    lines.append("".join(f"[{r.text}]" if r.hit else r.text for r in f.snippet))
    return "\n".join(line for line in lines if line)


def _pack_indices(blocks: list[str], length: Callable[[str], int], limit: int) -> list[list[int]]:
    """Greedily group consecutive blocks into messages within ``limit`` visible units."""
    groups: list[list[int]] = []
    current = ""
    for index, block in enumerate(blocks):
        joined = f"{current}{_SEPARATOR}{block}" if current else block
        if current and length(joined) <= limit:
            groups[-1].append(index)
            current = joined
        else:
            groups.append([index])
            current = block
    return groups


def _pack(blocks: list[str], length: Callable[[str], int], limit: int) -> list[str]:
    """Greedily join blocks into messages that stay within ``limit`` visible units."""
    return [
        _SEPARATOR.join(blocks[i] for i in group) for group in _pack_indices(blocks, length, limit)
    ]


def _blocks(alerts: Sequence[Alert], tz: tzinfo, limit: int, plain: bool) -> list[str]:
    block_of = _block_plain if plain else _block_html
    length = utf16_units if plain else visible_length
    blocks = []
    for alert in alerts:
        snippet_units = SNIPPET_CHARS
        block = block_of(_fields(alert, tz, snippet_units))
        # The caps keep a block far below 4096 units; shrink the snippet if a caller lowers it.
        while length(block) > limit and snippet_units > 0:
            snippet_units = max(0, snippet_units - max(length(block) - limit, 16))
            block = block_of(_fields(alert, tz, snippet_units))
        if length(block) > limit:
            block = trim(block, limit) if plain else _html_fallback(alert, limit)
        blocks.append(block)
    return blocks


def _render(alerts: Sequence[Alert], tz: tzinfo, limit: int, plain: bool) -> list[str]:
    length = utf16_units if plain else visible_length
    return _pack(_blocks(alerts, tz, limit, plain), length, limit)


def message_groups(
    alerts: Sequence[Alert], *, tz: tzinfo = UTC, limit: int = MESSAGE_LIMIT, most: int = 10
) -> list[tuple[int, ...]]:
    """Which alerts share each HTML message: consecutive index groups of at most ``most``.

    ``render_messages`` of one group's alerts is exactly one message.
    """
    blocks = _blocks(alerts, tz, limit, plain=False)
    out: list[tuple[int, ...]] = []
    for group in _pack_indices(blocks, visible_length, limit):
        out += [tuple(group[i : i + most]) for i in range(0, len(group), most)]
    return out


def _html_fallback(alert: Alert, limit: int) -> str:
    """Only for absurdly small limits: the title alone, trimmed, as escaped text."""
    return html.escape(trim(_one_line(alert.title) or _one_line(alert.url), limit))


def render_messages(
    alerts: Sequence[Alert], *, tz: tzinfo = UTC, limit: int = MESSAGE_LIMIT
) -> list[str]:
    """The alerts as Telegram HTML messages, in order, several to a message while they fit.

    Each message's visible text is at most ``limit`` UTF-16 units.
    """
    return _render(alerts, tz, limit, plain=False)


def render_html(alerts: Sequence[Alert], *, tz: tzinfo = UTC) -> str:
    """The alerts as one Telegram HTML message.

    Raises ValueError when they do not fit one message: use :func:`render_messages` then.
    """
    messages = render_messages(alerts, tz=tz)
    if len(messages) != 1:
        raise ValueError(f"{len(alerts)} alerts need {len(messages)} messages")
    return messages[0]


def render_plain(
    alerts: Sequence[Alert], *, tz: tzinfo = UTC, limit: int = MESSAGE_LIMIT
) -> list[str]:
    """The same messages as plain text, for when Telegram refuses the HTML; hits in [brackets]."""
    return _render(alerts, tz, limit, plain=True)


def render_console(alert: Alert, *, tz: tzinfo = UTC) -> str:
    """What ``newsbot demo`` prints for an alert: topic, title, url, source, why, snippet."""
    f = _fields(alert, tz, SNIPPET_CHARS)
    lines = [
        f"[{f.topic}] {f.title}",
        f"  {f.url}",
        "  " + " · ".join(part for part in (f.source, f.when) if part),
        f"  why: {f.reason}",
    ]
    snippet = "".join(f"[{r.text}]" if r.hit else r.text for r in f.snippet)
    if snippet:
        lines.append(f"  {snippet}")
    return "\n".join(line for line in lines if line.strip())
