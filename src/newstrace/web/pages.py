"""The HTML pages: each renders the page model its ``/api/v1/`` twin gives as JSON."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from newstrace.web.api import (
    article_id_query,
    outlet_query,
    page_query,
    per_page_query,
    SPAN,
    since_query,
    until_query,
    filters,
    not_found,
    parse_span,
    require_token,
)
from newstrace.web.app import render
from newstrace.web.security import CSRF_COOKIE
from newstrace.web.views import article, compare, outlet, search, stories, story

router = APIRouter(include_in_schema=False)
GRAPH_CSS = resources.files("newstrace").joinpath("templates", "graph.css").read_text(encoding="utf-8")
#: Files one upload may carry.
MAX_UPLOAD_FILES = 20


@router.get("/", response_class=HTMLResponse)
def stories_page(request: Request, page: int = page_query(), per_page: int = per_page_query(),
                 outlet: str | None = outlet_query(), since: str | None = since_query(),
                 until: str | None = until_query(),
                 q: str | None = Query(None, max_length=500)) -> HTMLResponse:
    found = stories.build(request.app.state.store, page, per_page, filters(outlet, since, until, q))
    return render(request, "stories.html.j2", page=found)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> HTMLResponse:
    found = story.build(request.app.state.store, story_id)
    if found is None:
        raise not_found("story", story_id)
    return render(request, "story.html.j2", page=found)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str, at: str | None = Query(None, pattern=SPAN)) -> HTMLResponse:
    found = article.build(request.app.state.store, article_id, parse_span(at))
    if found is None:
        raise not_found("article", article_id)
    return render(request, "article.html.j2", page=found)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: str = article_id_query(), b: str = article_id_query()) -> HTMLResponse:
    found = compare.build(request.app.state.store, a, b)
    if found is None:
        raise not_found("article", a if request.app.state.store.article(a) is None else b)
    return render(request, "compare.html.j2", page=found)


@router.get("/outlets/{name:path}", response_class=HTMLResponse)
def outlet_page(request: Request, name: str, page: int = page_query(),
                per_page: int = per_page_query()) -> HTMLResponse:
    found = outlet.build(request.app.state.store, name, page, per_page)
    if found is None:
        raise not_found("outlet", name)
    return render(request, "outlet.html.j2", page=found)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = Query("", max_length=500), page: int = page_query(),
                per_page: int = per_page_query(),
                outlet: str | None = outlet_query(), since: str | None = since_query(),
                until: str | None = until_query()) -> HTMLResponse:
    if not q.strip():
        return render(request, "search.html.j2", page=None, q="")
    try:
        found = search.build(request.app.state.store, q, page, per_page, filters(outlet, since, until))
    except search.EmptyQuery as exc:
        raise HTTPException(422, str(exc)) from None
    return render(request, "search.html.j2", page=found, q=q)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> HTMLResponse:
    cookie = request.cookies.get(CSRF_COOKIE) or request.app.state.csrf.new_cookie()
    response = render(request, "upload.html.j2", csrf=request.app.state.csrf.form_token(cookie),
                      writable=request.app.state.settings.token is not None,
                      max_file=request.app.state.settings.max_file, max_files=MAX_UPLOAD_FILES)
    response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", path="/")
    return response


@router.post("/upload")
async def upload(request: Request) -> Response:
    """Files (and an article pasted as text) posted by the form, queued as one job."""
    settings = request.app.state.settings
    form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=20)
    if not request.app.state.csrf.valid(request.cookies.get(CSRF_COOKIE), _field(form, "csrf")):
        raise HTTPException(403, "the form expired or came from another site: reload the upload page")
    require_token(request, _field(form, "token"))
    files = []
    for upload in form.getlist("files"):
        if isinstance(upload, str) or not upload.filename:
            continue
        content = await upload.read(settings.max_file + 1)
        if len(content) > settings.max_file:
            raise HTTPException(413, f"{upload.filename}: a file may be at most {settings.max_file:,} bytes")
        files.append((upload.filename, content))
    records = _pasted_record(form)
    if not files and not records:
        raise HTTPException(422, "files: choose files to upload, or paste an article's text")
    ingester = request.app.state.ingester
    job = await run_in_threadpool(ingester.submit_files, files) if files else \
        await run_in_threadpool(ingester.submit_records, records)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    job = request.app.state.ingester.job(job_id)
    if job is None:
        raise not_found("job", job_id)
    return render(request, "job.html.j2", job=job)


@router.get("/static/graph.css")
def graph_stylesheet() -> Response:
    """The provenance graph's stylesheet, the one the HTML report inlines."""
    return Response(GRAPH_CSS, media_type="text/css", headers={"cache-control": "max-age=3600"})


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API's endpoints, read from its OpenAPI document."""
    document = request.app.openapi()
    endpoints = [(path, method.upper(), operation) for path, methods in document["paths"].items()
                 for method, operation in methods.items()]
    return render(request, "docs.html.j2", endpoints=endpoints, document=document)


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _pasted_record(form: Any) -> list[dict[str, str]]:
    """The article pasted into the form, as a record (none when its text is empty)."""
    text = (_field(form, "text") or "").strip()
    if not text:
        return []
    record = {"text": text}
    for name in ("title", "outlet", "url", "date"):
        value = (_field(form, name) or "").strip()
        if value:
            record[name] = value
    return [record]

