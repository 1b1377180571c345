"""The web app (Starlette): ``/healthz``, ``/metrics`` and the maintainer workbench pages.

Security: an access token (when configured) is asked once on /login and kept as a session
cookie derived from it (never the token itself, which no page shows); every state-changing
request is a POST carrying the page's CSRF token and, when the browser sends one, a same-origin
``Origin``; the Host header must name this server (no DNS rebinding); templates escape every
piece of page text and a Content-Security-Policy allows only our own script and style files.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot.web.context import WebContext

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "newsbot_session"
OPEN_PATHS = ("/healthz", "/login", "/static/")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

# autoescape on for every template: page text is never markup
templates = Jinja2Templates(
    env=jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True)
)

Handler = Callable[[Request], Awaitable[Response]]


def session_value(token: str) -> str:
    """The session cookie for holders of ``token``: derived from it, never the token."""
    return hmac.new(token.encode(), b"newsbot web session", hashlib.sha256).hexdigest()


class Guard(BaseHTTPMiddleware):
    """Access token, CSRF and Origin checks, and the security headers of every answer."""

    def __init__(self, app: Any, ctx: WebContext, csrf: str) -> None:
        super().__init__(app)
        self.ctx = ctx
        self.csrf = csrf

    def _authorized(self, request: Request) -> bool:
        token = self.ctx.config().web.token
        if token is None or request.url.path.startswith(OPEN_PATHS):
            return True
        cookie = request.cookies.get(SESSION_COOKIE, "")
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(cookie, session_value(token)) or (
            bool(bearer) and hmac.compare_digest(bearer, token)
        )

    async def dispatch(self, request: Request, call_next: Any) -> Response:
        response: Response
        if not self._authorized(request):
            if request.method == "GET" and request.url.path != "/metrics":
                response = RedirectResponse("/login", status_code=303)
            else:
                response = PlainTextResponse("access token required", status_code=401)
        elif request.method == "POST" and not await self._csrf_ok(request):
            response = PlainTextResponse("cross-site request refused", status_code=403)
        else:
            response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"  # no-referrer makes Origin "null"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    async def _csrf_ok(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
            return False
        sent = (await form_of(request)).get("csrf")
        return isinstance(sent, str) and hmac.compare_digest(sent, self.csrf)


async def form_of(request: Request) -> FormData:
    """The request's form, read once: the guard reads it for the CSRF token and the handler
    after it (a request body can be received only once)."""
    cached = request.scope.get("newsbot.form")
    if cached is None:
        cached = request.scope["newsbot.form"] = await request.form()
    form: FormData = cached
    return form


def render(request: Request, name: str, status_code: int = 200, **values: Any) -> Response:
    """A page from ``templates/``, with what every page needs (CSRF token, mode, nav)."""
    ctx: WebContext = request.app.state.ctx
    values.update(
        csrf=request.app.state.csrf,
        read_only=ctx.read_only,
        signed_in=ctx.config().web.token is not None,
        path=request.url.path,
    )
    response: Response = templates.TemplateResponse(request, name, values, status_code=status_code)
    return response


async def login(request: Request) -> Response:
    ctx: WebContext = request.app.state.ctx
    token = ctx.config().web.token
    if token is None:
        return RedirectResponse("/", status_code=303)
    if request.method == "GET":
        return render(request, "login.html")
    sent = (await form_of(request)).get("token")
    if not (isinstance(sent, str) and hmac.compare_digest(sent.strip(), token)):
        return render(request, "login.html", status_code=401, wrong=True)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_value(token),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def home(request: Request) -> Response:
    return RedirectResponse("/sources", status_code=303)


def allowed_hosts(listen: str | None) -> list[str]:
    """Host names a browser may use for this server (anything else is DNS rebinding)."""
    from bot.config.load import split_listen

    hosts = ["127.0.0.1", "localhost", "::1", "[::1]"]
    if listen:
        host, _ = split_listen(listen)
        if host in ("0.0.0.0", "::"):
            return ["*"]  # any interface: the token guards it (required off loopback)
        hosts.append(host)
    return hosts


def make_app(ctx: WebContext) -> Starlette:
    """The web app over ``ctx``; ``newsbot run`` and ``newsbot web`` serve it with uvicorn."""
    from bot.web import pages

    csrf = secrets.token_urlsafe(32)
    extra = os.environ.get("NEWSBOT_WEB_HOSTS", "")
    hosts = allowed_hosts(ctx.config().web.listen) + [h for h in extra.split(",") if h]
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", pages.healthz),
            Route("/metrics", pages.metrics_page),
            Route("/login", login, methods=["GET", "POST"]),
            Route("/sources", pages.sources),
            Route("/inspect", pages.inspect),
            Route("/rules", pages.rules),
            Route("/rules/check", pages.rules_check, methods=["POST"]),
            Route("/rules/save", pages.rules_save, methods=["POST"]),
            Route("/deliveries", pages.deliveries),
            Route("/deliveries/{delivery_id:int}/retry", pages.retry, methods=["POST"]),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
            Middleware(Guard, ctx=ctx, csrf=csrf),
        ],
    )
    app.state.ctx = ctx
    app.state.csrf = csrf
    return app
