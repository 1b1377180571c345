"""Telegram's HTML parse mode, as the fake Bot API applies it to ``parse_mode=HTML`` texts.

:func:`parse_html` turns a message into its visible text and entities (offsets in UTF-16 code
units) or raises :class:`EntityParseError` with Telegram's wording; :func:`strip_text` trims
the text as Telegram does before counting it against :data:`MAX_TEXT_LENGTH`.

It is stricter than Telegram in one documented way: a ``&`` that does not start one of the
entities Telegram supports (``&lt; &gt; &amp; &quot;`` and numeric ones) is a parse error,
because the Bot API documentation says every such ``&`` must be escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_TEXT_LENGTH = 4096
"""Telegram's limit on a message text, in characters after entity parsing."""


class EntityParseError(ValueError):
    """Not valid Telegram HTML; ``str()`` is the detail after "can't parse entities: "."""


_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,10})|([a-zA-Z]{1,10}));")
_SPACE = " \t\n\r\f\v"


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _decode_entity(raw: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity starting at ``raw[pos] == "&"``: (character, end) or None if not one."""
    m = _ENTITY_RE.match(raw, pos)
    if not m:
        return None
    hex_code, dec_code, name = m.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            return None
        return _NAMED_ENTITIES[name], m.end()
    code = int(hex_code, 16) if hex_code is not None else int(dec_code)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


@dataclass(slots=True)
class _OpenTag:
    name: str
    offset: int  # in UTF-16 units of the visible text
    argument: str
    attrs: dict[str, str]


def _byte_offset(raw: str, pos: int) -> int:
    return len(raw[:pos].encode("utf-8"))


def parse_html(raw: str, *, strict_entities: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (visible text, entities) or raise :class:`EntityParseError`.

    Follows tdlib's ``parse_html``: supported tags only, attributes quoted or bare, closing
    tags must match the innermost open tag, all tags closed by the end. Error details use
    tdlib's wording with UTF-8 byte offsets. Entity offsets and lengths are UTF-16 units.
    """
    out: list[str] = []
    units = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == "&":
            decoded = _decode_entity(raw, i)
            if decoded is not None:
                out.append(decoded[0])
                units += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_entities:
                raise EntityParseError(
                    f"Unsupported HTML entity at byte offset {_byte_offset(raw, i)}"
                )
        if ch != "<":
            out.append(ch)
            units += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        i += 1
        if i < n and raw[i] == "/":
            i += 1
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(raw, begin)}"
                )
            name_start = i
            while i < n and raw[i] not in _SPACE and raw[i] != ">":
                i += 1
            end_name = raw[name_start:i].lower()
            while i < n and raw[i] in _SPACE:
                i += 1
            if i >= n or raw[i] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(raw, begin)}"
                )
            i += 1
            tag = stack.pop()
            if end_name and end_name != tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(raw, begin)}, "
                    f'expected "</{tag.name}>", found "</{end_name}>"'
                )
            length = units - tag.offset
            if length > 0:
                entity = _entity_for(tag, length)
                if entity is not None:
                    entities.append(entity)
            continue
        name_start = i
        while i < n and raw[i] not in _SPACE and raw[i] != ">":
            i += 1
        name = raw[name_start:i].lower()
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}")
        if name not in _TAG_ENTITY:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(raw, begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while i < n and raw[i] in _SPACE:
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                )
            if raw[i] == ">":
                i += 1
                break
            attr_start = i
            while i < n and raw[i] not in _SPACE and raw[i] not in "=>":
                i += 1
            attr_name = raw[attr_start:i].lower()
            if not attr_name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{_byte_offset(raw, begin)}"
                )
            while i < n and raw[i] in _SPACE:
                i += 1
            if i < n and raw[i] != "=":
                attrs[attr_name] = ""  # an attribute without value, like <blockquote expandable>
                continue
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                )
            i += 1
            while i < n and raw[i] in _SPACE:
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                )
            value: list[str] = []
            if raw[i] in "'\"":
                quote = raw[i]
                i += 1
                while i < n and raw[i] != quote:
                    if raw[i] == "&":
                        decoded = _decode_entity(raw, i)
                        if decoded is not None:
                            value.append(decoded[0])
                            i = decoded[1]
                            continue
                        if strict_entities:
                            raise EntityParseError(
                                f"Unsupported HTML entity at byte offset {_byte_offset(raw, i)}"
                            )
                    value.append(raw[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                    )
                i += 1
            else:
                while i < n and (raw[i].isalnum() or raw[i] in ".-_"):
                    value.append(raw[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(raw, begin)}"
                    )
            attrs[attr_name] = "".join(value)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(raw, begin)}'
            )
        argument = attrs.get("href", "") if name == "a" else attrs.get("class", "")
        stack.append(_OpenTag(name, units, argument, attrs))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _entity_for(tag: _OpenTag, length: int) -> dict[str, Any] | None:
    kind = _TAG_ENTITY[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        if not tag.argument:
            return None  # Telegram keeps the text and drops a link without href
        entity["url"] = tag.argument
    elif kind == "pre" and tag.argument.startswith("language-"):
        entity["language"] = tag.argument.removeprefix("language-")
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    return entity


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram does, shifting and clipping the entities."""
    stripped = text.strip()
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    out = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, size)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return stripped, out
