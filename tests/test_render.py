"""Alert rendering: escaping, Telegram's length limit, grouping, and acceptance by the fake API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from telegram import Bot

from bot.delivery.render import (
    MESSAGE_LIMIT,
    SNIPPET_CHARS,
    TITLE_CHARS,
    render_console,
    render_html,
    render_messages,
    render_plain,
    trim,
    utf16_units,
)
from bot.model import Alert
from tests.fakes.telegram_api import MAX_TEXT_LENGTH, FakeTelegram, parse_html, strip_text

PUBLISHED = datetime(2024, 3, 13, 11, 42, tzinfo=UTC)

SNIPPET = (
    "Strasbourg — The European Parliament adopted the Artificial Intelligence Act on "
    "Wednesday, with 523 votes in favour, 46 against and 49 abstentions."
)


def alert(
    *,
    title: str = "Parliament adopts the AI Act",
    url: str = "https://news.example/eu/ai-act-vote?ref=rss&lang=en",
    topic: str = "EU AI Act",
    source: str = "example-news",
    reason: str = "matched Artificial Intelligence Act, AI Act (title)",
    snippet: str = SNIPPET,
    hits: tuple[str, ...] = ("Artificial Intelligence Act",),
    published: datetime | None = PUBLISHED,
) -> Alert:
    marks = []
    for hit in hits:
        start = snippet.index(hit)
        marks.append((start, start + len(hit)))
    return Alert(
        topic_id="eu-ai-act",
        topic_name=topic,
        url=url,
        title=title,
        source_id=source,
        published=published,
        reason=reason,
        snippet=snippet,
        marks=tuple(marks),
    )


def telegram_view(message: str) -> tuple[str, list[dict[str, object]]]:
    """What Telegram makes of an HTML message: visible text and entities (or a parse error)."""
    text, entities = strip_text(*parse_html(message))
    assert len(text) <= MAX_TEXT_LENGTH
    return text, entities


def entity_texts(text: str, entities: list[dict[str, object]], kind: str) -> list[str]:
    """The visible text covered by each entity of one type (offsets in UTF-16 units)."""
    units = text.encode("utf-16-le")
    out = []
    for e in entities:
        if e["type"] == kind:
            start, length = int(str(e["offset"])), int(str(e["length"]))
            out.append(units[2 * start : 2 * (start + length)].decode("utf-16-le"))
    return out


HOSTILE = [
    '<script>alert("x")</script>',
    "Tom & Jerry &amp; &lt;friends&gt; &#0; &unknown;",
    "</b></a><b><i>unbalanced",
    "Quotes \" and ' and `backticks`",
    "<a href='javascript:alert(1)'>click</a>",
    "Zero\x00width\u200bjoin\x1fcontrol\ud800lone surrogate",
]


# -- escaping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_page_text_is_escaped_everywhere(hostile: str) -> None:
    """Page text in title, topic, source, reason and snippet is shown, never interpreted."""
    a = alert(
        title=hostile,
        topic=hostile,
        source=hostile,
        reason=f"matched {hostile}",
        snippet=f"Before {hostile} after",
        hits=(),
    )
    [message] = render_messages([a])
    message.encode("utf-8")  # sendable: no lone surrogates
    text, entities = telegram_view(message)
    visible = " ".join(hostile.split()) if hostile.isprintable() else None
    if visible is not None:
        assert text.count(visible) >= 4
    kinds = sorted({str(e["type"]) for e in entities})
    assert kinds == ["bold", "italic", "text_link"]


def test_url_with_quotes_and_ampersands_survives_in_href() -> None:
    """The href is escaped with quote=True and Telegram decodes it back to the same URL."""
    url = "https://news.example/a?q=\"x\"&b=<1>&c='y'"
    [message] = render_messages([alert(url=url)])
    assert '"x"' not in message and "&amp;b=" in message
    text, entities = telegram_view(message)
    [link] = [e for e in entities if e["type"] == "text_link"]
    assert link["url"] == url
    assert entity_texts(text, entities, "text_link") == ["Parliament adopts the AI Act"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "not a url", "ftp://x/y", ""])
def test_only_http_urls_become_links(url: str) -> None:
    """A URL that is not http(s) is shown as text, never made a link."""
    [message] = render_messages([alert(url=url)])
    _, entities = telegram_view(message)
    assert all(e["type"] != "text_link" for e in entities)


def test_hits_are_bold_at_their_spans() -> None:
    """Each mark of the snippet is one bold entity over exactly the hit text."""
    a = alert(hits=("European Parliament", "Artificial Intelligence Act"))
    text, entities = telegram_view(render_html([a]))
    bold = entity_texts(text, entities, "bold")
    assert bold == ["EU AI Act", "European Parliament", "Artificial Intelligence Act"]


def test_layout_of_one_alert() -> None:
    """Topic, linked title, source and time, reason, snippet: one per line."""
    text, entities = telegram_view(render_html([alert()]))
    assert text.splitlines() == [
        "EU AI Act",
        "Parliament adopts the AI Act",
        "example-news · 2024-03-13 11:42 UTC",
        "matched Artificial Intelligence Act, AI Act (title)",
        " ".join(SNIPPET.split()),
    ]
    assert entity_texts(text, entities, "italic") == [
        "matched Artificial Intelligence Act, AI Act (title)"
    ]


def test_published_time_in_the_given_zone() -> None:
    """Times are shown in the chat's zone; naive times are UTC; a missing time is left out."""
    cet = timezone(timedelta(hours=1), "CET")
    text, _ = telegram_view(render_html([alert()], tz=cet))
    assert "example-news · 2024-03-13 12:42 CET" in text
    naive = alert(published=datetime(2024, 3, 13, 11, 42))
    assert "2024-03-13 11:42 UTC" in telegram_view(render_html([naive]))[0]
    undated = telegram_view(render_html([alert(published=None)]))[0]
    assert "\nexample-news\n" in undated


# -- limits -----------------------------------------------------------------------------------

SCRIPTS = {
    "latin": "Die Abstimmung über das Gesetz & die Folgen für Unternehmen. ",
    "cyrillic": "Європейський парламент ухвалив закон про штучний інтелект. ",
    "cjk": "欧洲议会通过了人工智能法案，这是世界上第一部全面的人工智能法律。",
    "arabic": "وافق البرلمان الأوروبي على قانون الذكاء الاصطناعي. ",
    "emoji": "🇪🇺🤖 👨‍👩‍👧‍👦 👍🏽 AI 🚀 ",
    "astral": "𝔄𝔦 𝔄𝔠𝔱 𝒱𝑜𝓉𝑒 𐍈𐌰𐌹 ",
    "combining": "e\u0301te\u0301 cafe\u0301 n\u0303 ",
    "entities": "<&>\"' &amp; ",
}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_huge_snippets_are_trimmed_within_limits(script: str) -> None:
    """A 200 kB snippet in any script gives one short message, trimmed with … and accepted."""
    piece = SCRIPTS[script]
    snippet = piece * (200_000 // len(piece))
    hit_at = len(snippet) // 2
    a = Alert(
        topic_id="t",
        topic_name=piece * 50,
        url="https://news.example/x",
        title=piece * 500,
        source_id="src",
        published=PUBLISHED,
        reason="matched " + piece * 100,
        snippet=snippet,
        marks=((hit_at, hit_at + len(piece)),),
    )
    for message in render_messages([a]):
        message.encode("utf-8")
        text, entities = telegram_view(message)
        assert utf16_units(text) <= MESSAGE_LIMIT
        lines = text.splitlines()
        assert lines[1].endswith("…") and utf16_units(lines[1]) <= TITLE_CHARS
        assert lines[-1].startswith("…") and lines[-1].endswith("…")
        assert utf16_units(lines[-1]) <= SNIPPET_CHARS
        assert entity_texts(text, entities, "bold")[1:], "the hit far into the snippet is shown"
    plain = render_plain([a])
    assert all(utf16_units(m) <= MESSAGE_LIMIT for m in plain)


def test_trim_never_splits_a_cluster_or_an_astral_character() -> None:
    """Trimming keeps ZWJ sequences, skin tones and combining marks whole."""
    family = "👨‍👩‍👧‍👦"
    for units in range(1, 30):
        out = trim(family * 5, units)
        assert utf16_units(out) <= units
        assert out.removesuffix("…").replace(family, "") == ""
    assert trim("cafe\u0301" * 3, 6) in ("cafe\u0301…", "…")
    assert trim("short", 10) == "short"


def test_ampersands_at_the_cut_never_break_an_entity() -> None:
    """A title of & and < cut at every length still parses: cuts happen before escaping."""
    for n in range(TITLE_CHARS - 5, TITLE_CHARS + 5):
        [message] = render_messages([alert(title="&<" * n)])
        text, _ = telegram_view(message)
        assert text.splitlines()[1].rstrip("…").replace("&<", "") in ("", "&")


# -- grouping and splitting -------------------------------------------------------------------


def test_several_alerts_share_one_message() -> None:
    """Short alerts for one chat are grouped in one message, in order."""
    alerts = [alert(title=f"Story {i}") for i in range(3)]
    [message] = render_messages(alerts)
    text, _ = telegram_view(message)
    assert [line for line in text.splitlines() if line.startswith("Story")] == [
        "Story 0",
        "Story 1",
        "Story 2",
    ]
    assert render_html(alerts) == message


def test_too_many_alerts_split_into_several_messages() -> None:
    """Every alert appears exactly once, in order, across messages that each fit."""
    long_snippet = "Wörter und Sätze 🤖 " * 200
    alerts = [alert(title=f"Story {i:02d}", snippet=long_snippet, hits=()) for i in range(40)]
    messages = render_messages(alerts)
    assert len(messages) > 1
    titles = []
    for message in messages:
        text, _ = telegram_view(message)
        assert utf16_units(text) <= MESSAGE_LIMIT
        titles += [line for line in text.splitlines() if line.startswith("Story")]
    assert titles == [f"Story {i:02d}" for i in range(40)]
    with pytest.raises(ValueError, match="need"):
        render_html(alerts)


@pytest.mark.parametrize("limit", [300, 700, 1500, 4096])
def test_every_message_respects_a_lower_limit(limit: int) -> None:
    """The limit is a parameter; messages never exceed it, in HTML or plain text."""
    alerts = [alert(title=f"Story {i} " + "x" * i * 7, snippet=SNIPPET * 5) for i in range(25)]
    for message in render_messages(alerts, limit=limit):
        assert utf16_units(telegram_view(message)[0]) <= limit
    for message in render_plain(alerts, limit=limit):
        assert utf16_units(message) <= limit


def test_no_alerts_no_messages() -> None:
    """Nothing to say renders to no message at all."""
    assert render_messages([]) == [] and render_plain([]) == []


# -- plain text and console -------------------------------------------------------------------


def test_plain_text_is_unescaped_with_hits_in_brackets() -> None:
    """The plain fallback shows page text as is, the URL on its own line, hits in [ ]."""
    a = alert(title="Tom & <Jerry>")
    [message] = render_plain([a])
    lines = message.splitlines()
    assert lines[:3] == ["EU AI Act", "Tom & <Jerry>", a.url]
    assert "[Artificial Intelligence Act]" in lines[-1]


def test_console_rendering() -> None:
    """The demo prints topic, title, url, source, why and the snippet with [hits]."""
    out = render_console(alert())
    assert out.splitlines() == [
        "[EU AI Act] Parliament adopts the AI Act",
        "  https://news.example/eu/ai-act-vote?ref=rss&lang=en",
        "  example-news · 2024-03-13 11:42 UTC",
        "  why: matched Artificial Intelligence Act, AI Act (title)",
        "  "
        + " ".join(SNIPPET.split()).replace(
            "Artificial Intelligence Act", "[Artificial Intelligence Act]"
        ),
    ]


# -- round trip through the fake Bot API with the real Bot ------------------------------------


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as real_bot:
        yield real_bot


async def test_every_rendered_message_is_accepted_by_the_fake_api(
    fake: FakeTelegram, bot: Bot
) -> None:
    """All HTML and plain messages for hostile, huge, multi-script alerts are accepted."""
    alerts = [alert(title=h, snippet=f"{h} " * 50, hits=()) for h in HOSTILE]
    alerts += [
        alert(title=piece * 400, snippet=piece * 3000, hits=(piece,)) for piece in SCRIPTS.values()
    ]
    html_messages = render_messages(alerts)
    plain_messages = render_plain(alerts)
    for message in html_messages:
        await bot.send_message(5, message, parse_mode="HTML")
    for message in plain_messages:
        await bot.send_message(6, message)
    assert len(fake.sent_messages(5)) == len(html_messages) > 1
    assert len(fake.sent_messages(6)) == len(plain_messages)
    assert all(r.ok for r in fake.requests)
