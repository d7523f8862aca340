"""The REST API, ``/api/v1/``: the JSON twin of every page, and ``POST /api/v1/articles``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from newstrace.web.app import check_day
from newstrace.web.security import bearer_token, token_matches
from newstrace.web.views import article, compare, outlet, search, stories, story
from newstrace.web.views.common import Filters

router = APIRouter(prefix="/api/v1", tags=["api"])
#: Articles one ``POST /api/v1/articles`` may carry.
MAX_ARTICLES_PER_POST = 1000
#: Seconds ``?wait=`` may hold a post open for its job to finish.
MAX_WAIT_SECONDS = 300



# Parameter declarations are made anew for each use: FastAPI keeps a parameter's name in them.
def page_query() -> Any:
    return Query(1, ge=1, le=1_000_000, description="Page number, from 1.")


def per_page_query() -> Any:
    return Query(25, ge=1, le=200, description="Items per page.")


def outlet_query() -> Any:
    return Query(None, min_length=1, max_length=200, description="Only stories or articles of this outlet.")


def since_query() -> Any:
    return Query(None, description="Only from this day (YYYY-MM-DD).")


def until_query() -> Any:
    return Query(None, description="Only up to this day (YYYY-MM-DD).")


def article_id_query() -> Any:
    return Query(..., min_length=1, max_length=100, description="An article id.")


SPAN = r"^\d{1,9}-\d{1,9}$"


def filters(outlet_name: str | None, since: str | None, until: str | None, q: str | None = None) -> Filters:
    return Filters(outlet_name, check_day("since", since), check_day("until", until), (q or "").strip() or None)


def not_found(what: str, name: str) -> HTTPException:
    return HTTPException(404, f"not found: no {what} {name!r} in this store")


@router.get("/stories", summary="Stories, latest activity first")
def api_stories(request: Request, page: int = page_query(), per_page: int = per_page_query(),
                outlet: str | None = outlet_query(), since: str | None = since_query(),
                until: str | None = until_query(),
                q: str | None = Query(None, max_length=500, description="Only stories with these words.")
                ) -> dict[str, Any]:
    found = stories.build(request.app.state.store, page, per_page, filters(outlet, since, until, q))
    return stories.to_json(found)


@router.get("/stories/{story_id}", summary="A story: digest, provenance edges, articles")
def api_story(request: Request, story_id: str) -> dict[str, Any]:
    page = story.build(request.app.state.store, story_id)
    if page is None:
        raise not_found("story", story_id)
    return story.to_json(page)


@router.get("/articles/{article_id}", summary="An article: text, boilerplate, relations, story")
def api_article(request: Request, article_id: str,
                at: str | None = Query(None, pattern=SPAN, description="A span START-END of the text to mark.")
                ) -> dict[str, Any]:
    page = article.build(request.app.state.store, article_id, parse_span(at))
    if page is None:
        raise not_found("article", article_id)
    return article.to_json(page)


@router.get("/compare", summary="Two articles compared: passages, shares, differences")
def api_compare(request: Request, a: str = article_id_query(), b: str = article_id_query()) -> dict[str, Any]:
    page = compare.build(request.app.state.store, a, b)
    if page is None:
        raise not_found("article", a if request.app.state.store.article(a) is None else b)
    return compare.to_json(page)


@router.get("/outlets/{name:path}", summary="An outlet: its articles, how often source and copy")
def api_outlet(request: Request, name: str, page: int = page_query(),
               per_page: int = per_page_query()) -> dict[str, Any]:
    found = outlet.build(request.app.state.store, name, page, per_page)
    if found is None:
        raise not_found("outlet", name)
    return outlet.to_json(found)


@router.get("/search", summary="Full-text search over titles and texts, with facets")
def api_search(request: Request, q: str = Query(..., min_length=1, max_length=500), page: int = page_query(),
               per_page: int = per_page_query(), outlet: str | None = outlet_query(), since: str | None = since_query(),
               until: str | None = until_query()) -> dict[str, Any]:
    try:
        found = search.build(request.app.state.store, q, page, per_page, filters(outlet, since, until))
    except search.EmptyQuery as exc:
        raise HTTPException(422, str(exc)) from None
    return search.to_json(found)


#: One posted article: the JSON fields ``analyze`` reads (others are kept as metadata).
ARTICLE_RECORD = {
    "type": "object",
    "properties": {name: {"type": "string"} for name in
                   ("id", "url", "title", "text", "html", "date", "outlet", "byline", "author")},
    "description": "An article: text, html or (for a headline-only item) title required; id, url, date, outlet, "
                   "byline optional.",
}
_ARTICLES_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "oneOf": [ARTICLE_RECORD, {"type": "array", "items": ARTICLE_RECORD}]}}},
    }
}


@router.post("/articles", status_code=202, openapi_extra=_ARTICLES_BODY,
             summary="Add articles (token required); analysed in the background",
             responses={401: {"description": "No or wrong token"}, 413: {"description": "Body too large"}})
async def api_post_articles(request: Request, authorization: str | None = Header(None),
                            wait: float = Query(0, ge=0, le=MAX_WAIT_SECONDS,
                                                description="Seconds to wait for the analysis to finish.")
                            ) -> JSONResponse:
    require_token(request, bearer_token(authorization))
    records = article_records(await request.body())
    ingester = request.app.state.ingester
    job = await run_in_threadpool(ingester.submit_records, records)
    if wait:
        await run_in_threadpool(ingester.wait, job, wait)
    return JSONResponse(job.to_json(), status_code=200 if job.finished else 202)


@router.get("/jobs/{job_id}", summary="How far an added batch of articles got")
def api_job(request: Request, job_id: str) -> dict[str, Any]:
    job = request.app.state.ingester.job(job_id)
    if job is None:
        raise not_found("job", job_id)
    return job.to_json()


def require_token(request: Request, given: str | None) -> None:
    """Refuse a write without the configured token (403 when none is configured)."""
    expected = request.app.state.settings.token
    if expected is None:
        raise HTTPException(403, "writes are disabled: start the server with --token-file or $NEWSTRACE_TOKEN")
    if not token_matches(given, expected):
        how = "Authorization: Bearer TOKEN" if request.url.path.startswith("/api/") else "the form's Write token"
        raise HTTPException(401, f"a valid write token is required ({how})", headers={"WWW-Authenticate": "Bearer"})


def article_records(body: bytes) -> list[dict[str, Any]]:
    """The posted article records: one JSON object or a list, each with ``text``, ``html`` or
    ``title`` (a headline-only record is an article, as ``analyze`` reads it)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(422, "body: not JSON (give an article object or a list of them)") from None
    records = data if isinstance(data, list) else [data]
    if not records:
        raise HTTPException(422, "body: the list holds no article")
    if len(records) > MAX_ARTICLES_PER_POST:
        raise HTTPException(422, f"body: at most {MAX_ARTICLES_PER_POST} articles per request")
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            raise HTTPException(422, f"body[{number}]: an article is a JSON object")
        if not any(isinstance(record.get(key), str) and record[key].strip() for key in ("text", "html", "title")):
            raise HTTPException(422, f"body[{number}]: an article needs a non-empty text, html or title")
    return records


def parse_span(at: str | None) -> tuple[int, int] | None:
    if at is None:
        return None
    start, end = (int(part) for part in at.split("-"))
    if end < start:
        raise HTTPException(422, "at: give START-END with START <= END")
    return start, end
