"""Recognise a byline paragraph ("By Jane Doe", "Por Sofía Carvajal", "Von …") and its name,
a byline printed as a label and a name in separate elements of the markup, and the author's
bio that ends an article ("Jane Doe is a health writer who…")."""

from __future__ import annotations

import re
from typing import cast

from lxml import etree
from lxml.html import HtmlElement

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚŁŃŇŐŒŘŚŠŢŤŮŰŸŹŻŽİŞĞА-ЯЁІЇЄҐΑ-ΩΆ-Ώ"
_CAP = rf"[{_UPPER}][\w'’.-]*"
_PARTICLE = r"(?:de|da|del|della|di|van|von|der|den|la|le|du|dos|das|ten|ter|y|e|bin|al)"
_NAME = rf"{_CAP}(?: (?:{_CAP}|{_PARTICLE}(?= (?:{_PARTICLE} )*{_CAP})))*"
_AGENCY = rf"[{_UPPER}]{{2,}}"
# Byline labels news sites print before the name, per language (EU languages, uk, ru, tr):
# words meaning "by", "written by", "text", "author". The first set reads as a byline with
# or without a colon; the second ("Haber", "Texte", "Tekst") only with a colon or a dash,
# since those words also open ordinary lines. A label a photo credit shares ("Text and
# photos:") counts too.
_PHOTO = (
    r"(?:photos?|fotos?|fotograf[ií]as?|fotografie|fotografia|zdjęcia|bilder|billeder|kuvat"
    r"|képek|φωτογραφίες|фото|fotoğraflar?)"
)
_LABEL_ANY = (
    r"(?:by|written by|reporting by|reported by|words by|text by|story by|text|author|von"
    r"|geschrieben von|autor|par|écrit par|auteur|por|escrito por|texto|autora|redacci[oó]n"
    r"|di|scritto da|a cura di|autore|door|geschreven door|przez|napisał|napisała|napsal"
    r"|napsala|napísal|napísala|av|skriven av|skrevet af|af|författare|kirjoittaja|toimittaja"
    r"|szerző|írta|scris de|συντάκτης|γράφει|του|της|автор|авторка|пише|пишет|piše|kirjutas"
    r"|yazar)"
)
_LABEL_COLON = (
    r"(?:texte|autrice|testo|reportagem|reportaje|tekst|autorin|autorka|teksti|szöveg"
    r"|autorul|κείμενο|текст|autorica|avtor|avtorica|besedilo|autors|teksts|autorius"
    r"|tekstas|forfatter|haber|yazan|muhabir|metin)"
)
_AND_PHOTO = rf"(?:\s+(?:and|y|e|et|und|en|i|och|og|ja|és|și|και|и|і|ve|&)\s+{_PHOTO})?"
_COLON = r"(?:\s*[:：]|\s+[–—-])"
_LEAD = rf"(?i:{_LABEL_ANY}{_AND_PHOTO}{_COLON}?|{_LABEL_COLON}{_AND_PHOTO}{_COLON})"
_AND = r"(?:and|y|und|et|e|en|i|&)"
_ROLE = (
    rf"(?:{_CAP}(?: (?:{_CAP}|in|de|en|for|of|the|and|y|und|et|e))*"
    r"|(?i:staff writer|correspondent|reporter|\w+ correspondent|redactora?|redakteur\w*"
    r"|journaliste|giornalista|jornalista|dziennikar\w+))"
)
# What may follow the name after a separator: a role, a date, time or reading time (any
# short run holding a digit), or a second credit ("Photos: Juan Pérez").
_TAIL_PART = (
    rf"(?:{_ROLE}|[^|·•\d]{{0,30}}\d[^|·•]{{0,30}}|(?:{_LEAD}|(?i:{_PHOTO}){_COLON})\s*{_NAME})"
)
_SEP = r"\s*[,|·•–—/-]\s*"
_BYLINE = re.compile(
    rf"^{_LEAD}\s+"
    rf"(?P<name>(?:{_NAME}|{_AGENCY})(?:\s*{_AND}\s*(?:{_NAME}|{_AGENCY}))*)"
    rf"(?:{_SEP}{_TAIL_PART})*\s*[.]?$"
)
_MAX_WORDS = 14
# Scripts without capitals: a lead word and a colon, then a short name ("作者：王晓明",
# "بقلم: ليلى حسن"), or Korean's name followed by 기자 ("reporter").
_CASELESS = re.compile(
    r"^(?:(?:بقلم|كتب|作者|文|記者|撰文|编辑|글|기자)\s*[:：]\s*"
    r"(?P<name>[^\s\d:：,.]{1,12}(?: [^\s\d:：,.]{1,12}){0,2})"
    r"|(?P<ko>[가-힣]{2,4}) 기자)\s*$"
)


def byline_author(paragraph: str) -> str | None:
    """The author's name when ``paragraph`` is a byline, else None."""
    text = paragraph.strip()
    if not text or len(text.split()) > _MAX_WORDS:
        return None
    caseless = _CASELESS.match(text)
    if caseless:
        return caseless.group("name") or caseless.group("ko")
    match = _BYLINE.match(text)
    if not match:
        return None
    name = match.group("name").strip(" .,")
    if len(name.split()) < 2 and not re.fullmatch(_AGENCY, name):
        return None
    return name


# A byline label printed alone, its name in the next block ("By" / "Jane Doe").
_LONE_LABEL = re.compile(rf"^(?:{_LEAD}|(?:بقلم|كتب|作者|文|記者|撰文|编辑|글)\s*[:：]?)$")


def is_byline_label(text: str) -> bool:
    """Whether ``text`` is only a byline label ("By", "Written by", "Автор:", "作者：")."""
    text = text.strip()
    return len(text) <= _MAX_LABEL and bool(_LONE_LABEL.match(text))


_MAX_LABEL = 30


def split_byline_author(label: str, name: str) -> str | None:
    """The author when ``label`` is a byline label alone ("By", "Автор:") and ``name``, the
    block after it, completes the byline (label and name printed as two blocks)."""
    if not is_byline_label(label):
        return None
    return byline_author(f"{label.strip()} {name.strip()}")


# A credit in the markup: a lone label ("By", "Autor:", "Di") in an element or text of its
# own, the name in the next text of the page (a link, a <strong>, a <span> after a <br>).
# Extraction may drop either part (a lone word, a link line), so the pair is read from the
# markup before it. Only short text nodes can be a label: XPath filters them in C.
_SHORT_TEXTS = etree.XPath(
    f"//body//text()[string-length(.) <= {_MAX_LABEL}][normalize-space(.)]", smart_strings=True
)
# The label's text and the next one: from its element when it is the element's text, from
# the element it follows when it is a tail.
_TEXT_AFTER = {
    True: etree.XPath(
        "(descendant::text() | following::text())[normalize-space(.)][position() <= 2]"
    ),
    False: etree.XPath("following::text()[normalize-space(.)][position() <= 2]"),
}
# A label among these is a menu's or a form's ("Sort by" / "Most read"), not a credit.
_NOT_CREDIT = frozenset({"nav", "aside", "script", "style", "select", "option", "button", "form"})
_MAX_CREDITS = 5
_BLOCKS = frozenset({"p", "div", "br", "li", "td", "section", "header", "h1", "h2", "h3", "h4"})


def markup_credit(tree: HtmlElement) -> str | None:
    """The author named by a byline whose label and name are separate elements or texts in
    the markup ("<span>By</span><br><a>Jane Doe</a>", "<p>Автор:</p><p><b>Ім'я</b></p>")."""
    texts = cast(list[etree._ElementUnicodeResult], _SHORT_TEXTS(tree))
    labels = (t for t in texts if is_byline_label(t))
    for n, text in enumerate(labels):
        if n == _MAX_CREDITS:
            break
        owner = cast(HtmlElement | None, text.getparent())
        if owner is None or any(e.tag in _NOT_CREDIT for e in owner.iterancestors()):
            continue
        # Text after an inline element that holds text ends a sentence ("… written <b>by</b>").
        if text.is_tail and owner.tag not in _BLOCKS and owner.text_content().strip():
            continue
        after = cast(list[etree._ElementUnicodeResult], _TEXT_AFTER[bool(text.is_text)](owner))
        if len(after) == 2 and len(after[1]) <= _MAX_NAME:
            author = split_byline_author(text, _whole_name(after[1], owner))
            if author:
                return author
    return None


_INLINE = frozenset({"a", "b", "strong", "span", "em", "i", "font", "small"})


def _whole_name(text: etree._ElementUnicodeResult, label: HtmlElement) -> str:
    """The name that ``text`` starts: the text of the inline elements around it ("<a><b>Jane</b>
    Doe</a>"), short of any that holds the label too."""
    element = cast(HtmlElement | None, text.getparent())
    if element is None or not text.is_text:
        return " ".join(text.split())
    while element.tag in _INLINE:
        parent = cast(HtmlElement | None, element.getparent())
        if parent is None or parent.tag not in _INLINE or label in parent.iter():
            break
        if len(parent.text_content()) > _MAX_NAME:
            break
        element = parent
    whole = " ".join(element.text_content().split()) if element.tag in _INLINE else ""
    return whole if whole and len(whole) <= _MAX_NAME else " ".join(text.split())


_MAX_NAME = 80
_PERSON = re.compile(rf"^{_NAME}$")


def is_person_name(text: str) -> bool:
    """Whether ``text`` alone looks like a person's name: two to five capitalised words."""
    words = text.split()
    return 2 <= len(words) <= 5 and bool(_PERSON.match(text))


# The first name of a credit such as "Jane Doe, Health Editor" or "Jane Doe and Ann Roe".
_CREDIT_SPLIT = re.compile(r"[,(|;]| and | - | – ")
# A bio sits in the last blocks, after the article; a block this long is article prose.
_BIO_REACH = 3
_BIO_MAX_WORDS = 120


def author_bio_start(blocks: list[str], author: str | None) -> int | None:
    """Where the author's bio starts among the last ``blocks``: a block that opens with the
    author's full name ("Jane Doe is…", "Jane Doe's book…", or the name alone as a heading)."""
    if not author:
        return None
    name = _CREDIT_SPLIT.split(author, maxsplit=1)[0].strip()
    if len(name.split()) < 2:
        return None
    for i in range(max(1, len(blocks) - _BIO_REACH), len(blocks)):
        block = blocks[i]
        opens = block.startswith(name) and _AFTER_NAME.match(block, len(name))
        if opens and len(block.split()) <= _BIO_MAX_WORDS:
            return i
    return None


# What may follow the name that opens a bio (a name compiled per page cost more than the
# rest of the labelling): a possessive, a space, a comma or the end.
_AFTER_NAME = re.compile(r"(?:['’]s)?(?:[\s,]|$)")
