"""The web application: ``create_app`` builds it over one store, ``serve`` runs it.

Routes are thin: each page is built by a ``newstrace.web.views`` module from the store
(through the report view layer) and either rendered by a template (HTML) or given as
JSON by its twin under ``/api/v1/``. Errors are one short message, never a traceback."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Sequence

from fastapi import FastAPI, HTTPException, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

import newstrace
from newstrace.report.view import describe, shorten
from newstrace.store import Store
from newstrace.web.ingest import Ingester
from newstrace.web.security import BodyLimit, Csrf, SecurityHeaders
from newstrace.web.views.common import safe_url
from newstrace.web.views.search import snippet_html

#: The largest request body accepted, in bytes (an upload of several files, or a JSON batch).
DEFAULT_MAX_BODY = 20 * 1024 * 1024
#: The largest single uploaded file, in bytes.
DEFAULT_MAX_FILE = 5 * 1024 * 1024
TOKEN_ENV = "NEWSTRACE_TOKEN"
#: Addresses that mean "this machine only"; a server bound to one answers only requests
#: naming one of them as their ``Host`` (a page whose DNS name was rebound to 127.0.0.1 is refused).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
log = logging.getLogger("newstrace.web")


@dataclass
class Settings:
    """What a running app was started with."""

    db: Path
    token: str | None = None  #: the write token; ``None``: the app is read-only
    max_body: int = DEFAULT_MAX_BODY
    max_file: int = DEFAULT_MAX_FILE


def templates() -> Environment:
    """The page templates, autoescaped, with the helpers they share (and the report's
    templates, for the provenance graph both draw)."""
    loader = ChoiceLoader([PackageLoader("newstrace.web", "templates"), PackageLoader("newstrace", "templates")])
    env = Environment(loader=loader, autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(safe_url=safe_url, describe=describe, shorten=shorten, snippet_html=snippet_html,
                       version=newstrace.__version__)
    env.filters.update(pct=lambda value: f"{100 * (value or 0):.0f}%", day=lambda value: (value or "")[:10])
    return env


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page rendered from ``template`` with ``context`` (and the request)."""
    html = request.app.state.templates.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


def create_app(db: str | Path, *, token: str | None = None, max_body: int = DEFAULT_MAX_BODY,
               max_file: int = DEFAULT_MAX_FILE, hosts: Sequence[str] | None = None) -> FastAPI:
    """The web app over the store at ``db`` (opened read-only for pages; writes go through
    background ``digest`` runs, only with ``token``); with ``hosts``, a request whose ``Host``
    header names another is answered 400."""
    from newstrace.web import api, pages

    settings = Settings(Path(db), token or None, max_body, max_file)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.store.close()

    app = FastAPI(title="newstrace", version=newstrace.__version__, lifespan=lifespan,
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,
                  description="Stories, provenance, independent reports and digests of a newstrace store.")
    app.state.settings = settings
    app.state.store = Store(settings.db)
    app.state.templates = templates()
    app.state.csrf = Csrf()
    app.state.ingester = Ingester(settings.db)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(ServerErrors)  # inside the others, so a 500 gets the security headers too
    if hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(hosts), www_redirect=False)
    app.add_middleware(BodyLimit, max_bytes=max_body)
    app.add_middleware(SecurityHeaders)
    return app


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error as JSON on the API, as a page elsewhere."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"status": status, "message": message}}, status, headers=headers)
    response = render(request, "error.html.j2", status, status_code=status, message=message)
    response.headers.update(headers or {})
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", None)
    if status == 404 and (not isinstance(detail, str) or detail == "Not Found"):
        message = "not found: no such page"
    else:
        message = detail if isinstance(detail, str) else "error"
    return error_response(request, status, message, getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
    return error_response(request, 422, f"{where}: {first.get('msg', 'invalid value')}")


class ServerErrors:
    """ASGI middleware: an unexpected error is logged with its traceback and answered 500
    with one line (JSON on the API, a page elsewhere)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("error serving %s", scope.get("path"))
            if started:
                raise
            request = Request(scope, receive)
            await error_response(request, 500, "internal error: the server log has the details")(scope, receive, send)


def check_day(name: str, value: str | None) -> str | None:
    """``value`` when it is an ISO day (``YYYY-MM-DD``), else a 422."""
    if value in (None, ""):
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name}: give a day as YYYY-MM-DD") from None
    return value


def token_from(token_file: str | Path | None) -> str | None:
    """The write token: the first line of ``token_file``, else ``$NEWSTRACE_TOKEN``, else none."""
    if token_file is not None:
        token = Path(token_file).read_text(encoding="utf-8").strip().splitlines()
        return token[0].strip() if token and token[0].strip() else None
    return os.environ.get(TOKEN_ENV, "").strip() or None


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` for :func:`serve`, so that a port in use, a port the
    user may not open or an unknown host is an :class:`OSError` before anything is served."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Uvicorn binds
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          follower: tuple[Any, float] | None = None, sock: socket.socket | None = None) -> None:
    """Run the app with Uvicorn until interrupted, on ``sock`` (default: :func:`bind` of
    ``host:port``); with ``follower``, a :class:`~newstrace.web.follow.Follower` and its
    interval, polling feeds beside it. Bound to a loopback address, it answers only requests
    addressed to this machine by name."""
    import threading

    import uvicorn

    sock = sock if sock is not None else bind(host, port)
    app = create_app(db, token=token, hosts=LOOPBACK_HOSTS if host in LOOPBACK_HOSTS else None)
    if follower is not None:
        threading.Thread(target=follower[0].run, args=(follower[1],), name="newstrace-follow", daemon=True).start()
    config = uvicorn.Config(app, host=host, port=port, server_header=False, log_level="info")
    uvicorn.Server(config).run(sockets=[sock])
