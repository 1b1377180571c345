"""The request handlers: each reads the bot through the same functions the CLI uses
(``bot.extract``, ``RuleSet.explain``, ``parse_config`` and the topics' tests, ``source_rows``)
and renders a template."""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import replace
from typing import Any, cast

from lxml import html as lxml_html
from lxml.html import HtmlElement
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from bot import extract, metrics
from bot.errors import FetchError, StorageError
from bot.model import Article
from bot.redact import redact
from bot.rules import format_explanation
from bot.rules.explain import format_score
from bot.sources.canonical import host_of
from bot.store.workbench import (
    failed_deliveries,
    items_by_day,
    kept_article,
    kept_articles,
    retry_delivery,
)
from bot.web.app import form_of, render
from bot.web.context import WebContext, health_problems
from bot.web.layout import hit_pattern, lay_out, mark, safe_href
from bot.web.rules import Verdict, judge, write_atomically

STATES = ("pending", "sending", "sent", "failed")


def _ctx(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


async def healthz(request: Request) -> Response:
    problems = await health_problems(_ctx(request))
    if problems:
        return PlainTextResponse("unhealthy\n" + "\n".join(problems) + "\n", status_code=503)
    return PlainTextResponse("ok\n")


def _refresh_gauges(ctx: WebContext) -> None:
    """Outbox depth and sources by condition, read from the database at scrape time."""
    counts = ctx.store.delivery_counts()
    for state in STATES:
        metrics.OUTBOX.labels(state).set(counts.get(state, 0))  # type: ignore[call-overload]
    rows = ctx.source_rows(ctx.config(), ctx.store, ctx.clock())
    for condition in ("new", "ok", "failing", "walled", "stale"):
        metrics.SOURCES.labels(condition).set(sum(1 for r in rows if r["condition"] == condition))


async def metrics_page(request: Request) -> Response:
    ctx = _ctx(request)
    with contextlib.suppress(StorageError):  # counters are still worth it; /healthz says why
        await asyncio.to_thread(_refresh_gauges, ctx)
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


async def sources(request: Request) -> Response:
    ctx = _ctx(request)
    now = ctx.clock()

    def read() -> list[dict[str, Any]]:
        rows = ctx.source_rows(ctx.config(), ctx.store, now)
        for row in rows:
            row["days"] = items_by_day(ctx.store.db, row["id"], now=now)
            row["href"] = safe_href(row["url"])
        return rows

    return render(request, "sources.html", rows=await asyncio.to_thread(read))


def _page_text(html: str) -> str:
    """The page's visible text (scripts and styles left out), to place removed pieces."""
    try:
        tree = lxml_html.document_fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    for element in list(tree.iter("script", "style", "noscript", "template")):
        cast(HtmlElement, element).drop_tree()
    return " ".join(str(t) for t in tree.itertext())


async def inspect(request: Request) -> Response:
    ctx = _ctx(request)
    url = request.query_params.get("url", "").strip()
    kept_id = request.query_params.get("kept", "")
    recent = await asyncio.to_thread(
        kept_articles, ctx.store.db, since=ctx.clock() - ctx.config().web.keep_text_s, limit=50
    )
    values: dict[str, Any] = {"recent": recent, "url": url, "safe_href": safe_href}
    article: Article | None = None
    page_text: str | None = None
    source_id: str | None = None
    if url:
        if safe_href(url) is None:
            values["error"] = "give an http:// or https:// URL"
        else:
            try:
                fetched = await ctx.fetcher.get(url)
            except FetchError as exc:
                values["error"] = f"could not fetch the page: {exc}"
            else:
                article = await asyncio.to_thread(extract, fetched.text, fetched.url)
                page_text = await asyncio.to_thread(_page_text, fetched.text)
    elif kept_id.isdigit():
        kept = await asyncio.to_thread(kept_article, ctx.store.db, int(kept_id))
        if kept is None:
            values["error"] = f"no kept article {kept_id} (older ones are pruned)"
        else:
            article, source_id, values["kept"] = kept.article, kept.source_id, kept
    if article is not None:
        values.update(_explained(ctx, article, source_id, page_text))
    return render(request, "inspect.html", **values)


def _explained(
    ctx: WebContext, article: Article, source_id: str | None, page_text: str | None
) -> dict[str, Any]:
    host = host_of(article.url) if article.url else None
    explanations = ctx.config().rules.explain(article, source_id=source_id, source_host=host)
    hits = [h for e in explanations for h in e.hits]
    return {
        "article": article,
        "article_href": safe_href(article.url),
        "blocks": lay_out(article, hits, page_text),
        "title_segments": mark(article.title or "(no title)", hit_pattern(hits)),
        "explanations": explanations,
        "plain": {e.topic_id: format_explanation(e) for e in explanations},
        "format_score": format_score,
        "removed_kinds": sorted({r.kind for r in article.removed}),
    }


def _days(value: object) -> int:
    try:
        return max(1, min(90, int(str(value))))
    except ValueError:
        return 7


HIDDEN_TOKEN = "<web.token: hidden here, kept on save>"


def _shown(ctx: WebContext, text: str) -> str:
    """Config text as a page may show it: the web access token replaced by a placeholder."""
    token = ctx.config().web.token
    return text.replace(token, HIDDEN_TOKEN) if token else text


async def _edited(request: Request) -> tuple[str, int]:
    """The edited config from the form, the token put back in place of its placeholder."""
    form = await form_of(request)
    text, token = str(form.get("text", "")), _ctx(request).config().web.token
    return (text.replace(HIDDEN_TOKEN, token) if token else text), _days(form.get("days", "7"))


def _judged(ctx: WebContext, text: str, days: int) -> Verdict:
    verdict = judge(ctx, text, days)
    token = ctx.config().web.token
    return replace(verdict, errors=tuple(redact(e, token) for e in verdict.errors))


async def rules(request: Request) -> Response:
    ctx = _ctx(request)
    path = ctx.config_path
    text = await asyncio.to_thread(path.read_text, "utf-8") if path else ""
    days = _days(request.query_params.get("days", "7"))
    verdict = await asyncio.to_thread(_judged, ctx, text, days)
    return render(
        request, "rules.html", text=_shown(ctx, text), verdict=verdict, file=str(path or "")
    )


async def rules_check(request: Request) -> Response:
    ctx = _ctx(request)
    text, days = await _edited(request)
    verdict = await asyncio.to_thread(_judged, ctx, text, days)
    if request.headers.get("x-newsbot-fragment"):
        return render(request, "rules_verdict.html", verdict=verdict)
    return render(
        request,
        "rules.html",
        text=_shown(ctx, text),
        verdict=verdict,
        file=str(ctx.config_path or ""),
    )


async def rules_save(request: Request) -> Response:
    ctx = _ctx(request)
    text, days = await _edited(request)
    verdict = await asyncio.to_thread(_judged, ctx, text, days)
    file = str(ctx.config_path or "")
    if ctx.bot is None or ctx.config_path is None:
        saved = "refused: newsbot web runs without the bot (read-only); nothing was written"
    elif not verdict.ok:
        saved = "refused: the config fails validation or its tests; the old rules stay in force"
    else:
        await asyncio.to_thread(write_atomically, ctx.config_path, text)
        saved = "saved; " + await ctx.bot.reload()
    status = 200 if saved.startswith("saved") else 409
    return render(
        request,
        "rules.html",
        status_code=status,
        text=_shown(ctx, text),
        verdict=verdict,
        file=file,
        saved=saved,
    )


async def deliveries(request: Request) -> Response:
    ctx = _ctx(request)
    counts = await asyncio.to_thread(ctx.store.delivery_counts)
    failed = await asyncio.to_thread(failed_deliveries, ctx.store.db)
    return render(
        request,
        "deliveries.html",
        counts=[(state, counts.get(state, 0)) for state in STATES],  # type: ignore[call-overload]
        failed=failed,
        retried=request.query_params.get("retried"),
        safe_href=safe_href,
    )


async def retry(request: Request) -> Response:
    ctx = _ctx(request)
    if ctx.read_only:
        return PlainTextResponse("read-only: newsbot web runs without the bot", status_code=409)
    delivery_id = int(request.path_params["delivery_id"])
    done = await asyncio.to_thread(retry_delivery, ctx.store.db, delivery_id, now=ctx.clock())
    return RedirectResponse(f"/deliveries?retried={delivery_id if done else 0}", status_code=303)
