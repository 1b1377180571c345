"""Recognise a byline paragraph ("By Jane Doe", "Por Sofía Carvajal", "Von …") and its name."""

from __future__ import annotations

import re

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚŁŃŇŐŒŘŚŠŢŤŮŰŸŹŻŽ"
_CAP = rf"[{_UPPER}][\w'’.-]*"
_PARTICLE = r"(?:de|da|del|della|di|van|von|der|den|la|le|du|dos|das|ten|ter|y|e|bin|al)"
_NAME = rf"{_CAP}(?: (?:{_CAP}|{_PARTICLE}(?= (?:{_PARTICLE} )*{_CAP})))*"
_AGENCY = rf"[{_UPPER}]{{2,}}"
_LEAD = (
    r"(?i:by|written by|reporting by|words by|por|escrito por|von|text:?|texto:?|par|di|door|"
    r"przez|autor:?|autora:?|auteur:?|author:?|redacci[oó]n:?|autore:?)"
)
_AND = r"(?:and|y|und|et|e|en|i|&)"
_ROLE = (
    rf"(?:{_CAP}(?: (?:{_CAP}|in|de|en|for|of|the|and|y|und|et|e))*"
    r"|(?i:staff writer|correspondent|reporter|\w+ correspondent|redactora?|redakteur\w*"
    r"|journaliste|giornalista|jornalista|dziennikar\w+))"
)
_BYLINE = re.compile(
    rf"^{_LEAD}:?\s+(?P<name>(?:{_NAME}|{_AGENCY})(?:\s*{_AND}\s*(?:{_NAME}|{_AGENCY}))*)"
    rf"(?:\s*[,|–—/-]\s*{_ROLE}(?:\s*[,|–—/-]\s*{_ROLE})*)?\s*[.]?$"
)
_MAX_WORDS = 14


def byline_author(paragraph: str) -> str | None:
    """The author's name when ``paragraph`` is a byline, else None."""
    text = paragraph.strip()
    if not text or len(text.split()) > _MAX_WORDS:
        return None
    match = _BYLINE.match(text)
    if not match:
        return None
    name = match.group("name").strip(" .,")
    if len(name.split()) < 2 and not re.fullmatch(_AGENCY, name):
        return None
    return name


_PERSON = re.compile(rf"^{_NAME}$")


def is_person_name(text: str) -> bool:
    """Whether ``text`` alone looks like a person's name: two to five capitalised words."""
    words = text.split()
    return 2 <= len(words) <= 5 and bool(_PERSON.match(text))
