"""``newstrace serve``: the real server (Uvicorn on a free loopback port, in a thread) over
a real store made by ``newstrace.digest`` on the demo corpus and a hostile article, hit
with httpx like any client; end-to-end runs in Debian's Chromium driven by Playwright
against ``newstrace serve`` started as a subprocess (its write token from
``$NEWSTRACE_TOKEN``), with axe-core's accessibility check on every page type and a
screenshot of each saved under pytest's temporary folder (``screenshots0``)."""

from __future__ import annotations

import json
import re
import shutil
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

import newstrace
from newstrace.store import Store
from newstrace.web import create_app
from newstrace.web.follow import MAX_BYTES as MAX_PAGE_BYTES
from newstrace.web.security import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "test-token-4f1c2e"
MAX_BODY = 256 * 1024
MAX_FILE = 64 * 1024
HOSTILE = {
    "id": "hostile-1",
    "title": "<script>document.title='pwned'</script> Harbour <img src=x onerror=alert(1)> dispute \u202e",
    "url": "javascript:alert(2)",
    "outlet": "Evil <b>Outlet</b>",
    "date": "2025-02-20",
    "text": ("The harbour authority of Lowmarsh \ue001 <svg onload=alert(3)> said on Thursday that the dispute over "
             "mooring fees would go to arbitration. \u202eThe RTL override stays inert.\u202c "
             "<a href=\"javascript:alert(4)\" style=\"position:fixed;inset:0\">click</a> "
             + "W" * 3000 + " Fishermen said the fees had doubled in two years."),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The app served by Uvicorn on a free loopback port, in a thread."""

    def __init__(self, db: Path, **options: object) -> None:
        self.port = free_port()
        config = uvicorn.Config(create_app(db, **options), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


class ServeCommand:
    """``newstrace serve --db DB --port PORT`` as a subprocess, its write token from
    ``$NEWSTRACE_TOKEN`` (the command a user runs, with its defaults)."""

    def __init__(self, db: Path, log: Path, token: str, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.command = [sys.executable, "-m", "newstrace", "serve", "--db", str(db), "--port", str(self.port),
                        *options]
        self.env = {**os.environ, "NEWSTRACE_TOKEN": token}

    def __enter__(self) -> ServeCommand:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        try:
            while True:
                assert self.process.poll() is None, f"newstrace serve exited: {self.log.read_text()[-2000:]}"
                assert time.monotonic() < deadline, "newstrace serve did not start"
                try:
                    if httpx.get(self.url + "/api/v1/stories", timeout=5).status_code == 200:
                        return self
                except httpx.TransportError:
                    time.sleep(0.2)
        except AssertionError:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made by ``newstrace.digest`` on the demo corpus plus one hostile article."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in (ROOT / "examples" / "corran-flood").iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "hostile.json").write_text(json.dumps(HOSTILE), encoding="utf-8")
    path = tmp_path_factory.mktemp("store") / "web.db"
    newstrace.digest([folder], db=path)
    return path


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[Server]:
    with Server(db, token=TOKEN, max_body=MAX_BODY, max_file=MAX_FILE) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120, follow_redirects=False) as http:
        yield http


@pytest.fixture(scope="module")
def flood(client: httpx.Client) -> dict:
    """The flood story's JSON (the demo's five articles)."""
    stories = client.get("/api/v1/stories").json()["stories"]
    story_id = next(s["id"] for s in stories if "Corran" in s["title"])
    return client.get(f"/api/v1/stories/{story_id}").json()


def flood_digest(client: httpx.Client) -> dict | None:
    """The flood story's digest as the API gives it, read now."""
    stories = client.get("/api/v1/stories", params={"per_page": 200}).json()["stories"]
    story_id = next(s["id"] for s in stories if "Corran" in s["title"])
    return client.get(f"/api/v1/stories/{story_id}").json()["digest"]


def article_ids_by_label(client: httpx.Client) -> dict[str, str]:
    """Every story article's id by its label (the demo's file names)."""
    stories = client.get("/api/v1/stories", params={"per_page": 200}).json()["stories"]
    return {a["label"]: a["id"] for s in stories
            for a in client.get(f"/api/v1/stories/{s['id']}").json()["articles"]}


def main_html(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_story_list_latest_activity_first_with_counts_filters_and_paging(client: httpx.Client) -> None:
    data = client.get("/api/v1/stories").json()
    assert data["total"] == len(data["stories"]) >= 3 and data["page"] == 1
    flood = next(s for s in data["stories"] if "Corran" in s["title"])
    story = client.get(flood["href"].replace("/stories", "/api/v1/stories")).json()
    assert (flood["articles"], flood["independent"], flood["derived"]) == (
        len(story["articles"]), story["counts"]["independent"], story["counts"]["derived"])
    assert flood["articles"] >= 3 and len(flood["outlets"]) >= 3
    last_dates = [s["last_date"] for s in data["stories"] if s["last_date"]]
    assert last_dates == sorted(last_dates, reverse=True)  # latest activity first
    paged = client.get("/api/v1/stories", params={"per_page": 1, "page": 2}).json()
    assert paged["stories"] == data["stories"][1:2] and paged["pages"] == data["total"]
    only = client.get("/api/v1/stories", params={"outlet": "Meridian Press"}).json()
    assert [s["id"] for s in only["stories"]] == [flood["id"]]
    recent = client.get("/api/v1/stories", params={"since": "2025-03-05"}).json()["stories"]
    assert flood["id"] in [s["id"] for s in recent] and all(s["last_date"] >= "2025-03-05" for s in recent)
    assert client.get("/api/v1/stories", params={"until": "2025-01-01"}).json()["total"] == 0
    assert flood["id"] in [s["id"] for s in client.get("/api/v1/stories", params={"q": "Thornbury"}).json()["stories"]]
    assert client.get("/api/v1/stories", params={"q": "Zyxwvut"}).json()["total"] == 0
    page = main_html(client.get("/", params={"outlet": "Meridian Press"}))
    assert f'href="/stories/{flood["id"]}"' in page and "Thousands flee as Corran River floods Elmsford" in page
    assert "Independent reports" in page and '<option value="Meridian Press" selected>' in page


def test_story_page_digest_citations_claims_quotes_timeline_and_edges(client: httpx.Client, flood: dict) -> None:
    digest = flood["digest"]
    assert digest["summary"] and digest["claims"] and digest["quotes"]
    roles = [a["role"] for a in flood["articles"]]
    assert flood["counts"] == {"articles": len(roles), "independent": roles.count("independent"),
                               "derived": roles.count("derived")}
    numbers = {a["id"]: a["n"] for a in flood["articles"]}
    assert sorted(numbers.values()) == list(range(1, len(roles) + 1))
    for line in digest["summary"] + digest["claims"]:
        assert line["citations"] and all(c["n"] == numbers[c["article_id"]] for c in line["citations"])
    assert any("Thornbury" in (q.get("speaker") or "") for q in digest["quotes"])
    kinds = {edge["kind"] for edge in flood["edges"]}
    assert {"copy", "duplicate"} <= kinds
    for edge in flood["edges"]:
        assert edge["relation"]["reasons"] and edge["href"] == f"/compare?a={edge['source']}&b={edge['copy']}"
    page = main_html(client.get(flood["href"]))
    for heading in ("Summary", "Claims", "Quotes", "Provenance", "Articles"):
        assert f">{heading}</h2>" in page
    citation = digest["summary"][0]["citations"][0]
    assert f'href="{citation["href"]}"' in page.replace("&amp;", "&")
    assert "Ada Thornbury</span>" in page and "single source" in page
    for edge in flood["edges"]:
        assert f'href="{edge["href"]}"'.replace("&", "&amp;") in page


def test_story_page_draws_the_provenance_graph_as_linked_svg_without_script(client: httpx.Client,
                                                                            flood: dict) -> None:
    page = main_html(client.get(flood["href"]))
    figure = page.split('<figure class="graph">', 1)[1].split("</figure>", 1)[0]
    assert figure.lstrip().startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<script" not in page
    for article in flood["articles"]:  # every node opens its article
        assert f'<a href="/articles/{article["id"]}" class="node' in figure
    roots = [a["id"] for a in flood["articles"] if a["role"] == "independent"]
    assert figure.count('class="node root"') == len(roots) == flood["counts"]["independent"]
    for edge in flood["edges"]:  # every edge opens the comparison, says its kind and confidence
        relation = edge["relation"]
        label = f'{edge["kind"]} {relation["confidence"]:.2f}'
        link = f'<a href="{edge["href"]}" class="edge kind-{edge["kind"]}"'.replace("&", "&amp;")
        assert link in figure and f">{label}</text>" in figure
        assert unescape(relation["reasons"][0]) in unescape(figure.split(link, 1)[1].split("</a>", 1)[0])
    assert '<a href="#edges-h">the table below</a>' in figure  # the text equivalent
    css = client.get("/static/graph.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css") and ".edge" in css.text


def test_story_page_shows_where_independent_reports_conflict(tmp_path: Path) -> None:
    reports = {
        "north-a": ("Harbour Times", "Northland's army fired two cruise missiles into the northern sea on Tuesday, the "
                    "defence ministry said.\n\nThe missiles flew some 1,000 kilometres before falling into the water, "
                    "the ministry added."),
        "north-b": ("Coast Ledger", "Northland fired three cruise missiles into the northern sea on Tuesday, military "
                    "officials said.\n\nThe missiles travelled 620 miles before falling into the water, the officials "
                    "added.\n\nFishermen in the region were told to stay in port until the weekend.\n\n"
                    "The launch was first reported by the Harbour Times."),
    }
    for key, (outlet, text) in reports.items():
        record = {"id": key, "title": f"Missile launch reported by {outlet}", "outlet": outlet, "date": "2025-02-11",
                  "text": text}
        (tmp_path / f"{key}.json").write_text(json.dumps(record), encoding="utf-8")
    newstrace.digest([tmp_path], db=tmp_path / "conflict.db")
    with Server(tmp_path / "conflict.db") as running, httpx.Client(base_url=running.url) as http:
        [listed] = http.get("/api/v1/stories").json()["stories"]
        story = http.get(f"/api/v1/stories/{listed['id']}").json()
        [conflict] = story["digest"]["conflicts"]
        assert conflict["kind"] == "number"
        assert {v["value"]: v["n_independent"] for v in conflict["versions"]} == {
            "2 cruise missiles": 1, "3 cruise missiles": 1}
        page = main_html(http.get(listed["href"]))
    provenance = page.split('<h2 id="provenance-h">Provenance</h2>', 1)[1].split("</p>", 1)[0]
    assert "(cites the report of Harbour Times" in provenance and "“reported by the Harbour Times”" in provenance
    section = page.split('<h2 id="conflicts-h">Conflicts</h2>', 1)[1].split("</section>", 1)[0]
    for version in conflict["versions"]:
        citation = version["citations"][0]
        assert f"<strong>{version['value']}</strong>" in section
        assert f'href="{citation["href"]}"' in section  # each version cites the report that gives it


def test_quote_and_claim_citations_point_at_the_words_in_each_article(client: httpx.Client, flood: dict) -> None:
    texts: dict[str, str] = {}

    def cited(citation: dict) -> str:
        article_id = citation["article_id"]
        if article_id not in texts:
            texts[article_id] = client.get(f"/api/v1/articles/{article_id}").json()["text"]
        return texts[article_id][citation["start"]:citation["end"]]

    digest = flood["digest"]
    citations = [c for kind in ("summary", "claims", "quotes", "timeline") for line in digest[kind]
                 for c in line["citations"]]
    assert all(c["start"] is not None for c in citations)  # every citation found its passage
    for quote in digest["quotes"]:
        for citation in quote["citations"]:  # the quoted words themselves, as that article gives them
            words = cited(citation).rstrip(",.")
            assert len(words) > 20 and quote["text"].startswith(words)
    stone = next(line for line in digest["claims"] if line["text"].startswith("The Stone Bridge"))
    reworded = [cited(c) for c in stone["citations"] if not cited(c).startswith("The Stone Bridge")]
    assert reworded and all("Stone Bridge" in passage for passage in reworded)  # a reworded copy's own sentence


def test_a_citation_opens_the_article_at_the_cited_passage(client: httpx.Client, flood: dict) -> None:
    cited = [c for line in flood["digest"]["claims"] for c in line["citations"] if c["start"] is not None]
    assert len(cited) > 10
    for citation in cited[:5]:
        article = client.get(f"/api/v1/articles/{citation['article_id']}").json()
        passage = article["text"][citation["start"]:citation["end"]]
        page = main_html(client.get(citation["href"].split("#")[0]))
        assert citation["href"].endswith("#cited") and 'id="cited"' in page
        text = page.split('<article class="text"', 1)[1].split("</article>", 1)[0]
        marked = "".join(unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r"<mark>(.*?)</mark>", text, re.S))
        assert marked == passage


def test_article_page_marks_quotes_credits_and_boilerplate_and_lists_relations(client: httpx.Client,
                                                                                 flood: dict) -> None:
    meridian = next(a for a in flood["articles"] if a["outlet"] == "Meridian Press")
    data = client.get(f"/api/v1/articles/{meridian['id']}").json()
    assert data["boilerplate"] == ["Copyright 2025 Meridian Press. All rights reserved."]
    assert data["quotes"] and data["story"]["id"] == flood["id"]
    roles = {r["other"]: (r["relation"], r["role"]) for r in data["relations"]}
    assert ("copy", "source") in roles.values()
    page = main_html(client.get(f"/articles/{meridian['id']}"))
    assert '<span class="quote" title="quotation">&#34;We have never seen the river rise' in page
    assert "<s>Copyright 2025 Meridian Press. All rights reserved.</s>" in page
    assert f'href="/stories/{flood["id"]}"' in page and "/compare?a=" in page


def test_compare_page_aligns_passages_in_both_panes_with_shares_and_differences(client: httpx.Client,
                                                                                  flood: dict) -> None:
    copy = next(e for e in flood["edges"] if e["kind"] == "copy")
    data = client.get("/api/v1/compare", params={"a": copy["source"], "b": copy["copy"]}).json()
    assert data["stored"] and data["relation"]["relation"] == "copy" and data["passages"]
    assert 0.5 < data["a_in_b"] <= 1 and 0.5 < data["b_in_a"] <= 1 and data["words_in_common"] > 100
    assert any(d["kind"] in ("del", "ins") for d in data["differences"])
    page = main_html(client.get("/compare", params={"a": copy["source"], "b": copy["copy"]}))
    for passage in data["passages"]:
        n = passage["n"]
        assert f'id="ap{n}" href="#bp{n}"' in page and f'id="bp{n}" href="#ap{n}"' in page
    assert "Share of A in B" in page and "Words in common" in page
    assert "<del>" in page and "<ins>" in page and 'title="quotation"' in page
    ids = article_ids_by_label(client)
    pair = {"a": ids["03_valley_courier.json"], "b": ids["04_spun_copy.txt"]}
    data = client.get("/api/v1/compare", params=pair)
    assert data.json()["relation"]["relation"] == "paraphrase" and data.json()["stored"]
    page = main_html(client.get("/compare", params=pair))  # B's comment-form boilerplate, marked as removed
    assert "<summary>Boilerplate removed (1)</summary>" in page and "<li><s>Leave a Reply" in page


def test_compare_of_a_pair_without_a_stored_verdict_is_computed(client: httpx.Client, flood: dict) -> None:
    hostile = client.get("/api/v1/search", params={"q": "Lowmarsh"}).json()["hits"][0]["id"]
    data = client.get("/api/v1/compare", params={"a": flood["articles"][0]["id"], "b": hostile}).json()
    assert data["stored"] is False and data["relation"]["relation"] == "unrelated"


def test_outlet_page_counts_its_articles_as_sources_and_copies(client: httpx.Client) -> None:
    data = client.get("/api/v1/outlets/Meridian Press").json()
    assert data["total"] == 1 and data["as_source"] >= 1 and data["as_copy"] == 0
    page = main_html(client.get("/outlets/Meridian%20Press"))
    assert "Times a source" in page and f'href="/articles/{data["articles"][0]["id"]}"' in page


def test_search_with_facets_filters_and_literal_operators(client: httpx.Client) -> None:
    data = client.get("/api/v1/search", params={"q": "Corran"}).json()
    assert data["total"] == data["matches"] >= 4 and data["scope"] is None
    assert all(h["href"].startswith("/articles/") for h in data["hits"])
    assert "Corran" in data["hits"][0]["snippet"]
    outlets = {f["value"]: f["count"] for f in data["facets"]["outlet"]}
    assert outlets["Meridian Press"] == 1 and data["facets"]["month"][0]["value"] == "2025-03"
    narrowed = client.get("/api/v1/search", params={"q": "Corran", "outlet": "Meridian Press"}).json()
    assert narrowed["total"] == 1
    phrase = client.get("/api/v1/search", params={"q": '"flood wall"'}).json()
    assert phrase["total"] >= 1
    assert client.get("/api/v1/search", params={"q": 'Corran AND (OR NOT* "'}).status_code == 200
    page = main_html(client.get("/search", params={"q": "Corran"}))
    assert "<mark>Corran</mark>" in page and "/search?q=Corran&amp;outlet=Meridian+Press" in page


@pytest.mark.parametrize(("url", "status", "message"), [
    ("/api/v1/stories/no-such-story", 404, "no story 'no-such-story'"),
    ("/api/v1/articles/0000", 404, "no article '0000'"),
    ("/api/v1/outlets/Nobody", 404, "no outlet 'Nobody'"),
    ("/api/v1/compare?a=0000&b=1111", 404, "no article '0000'"),
    ("/api/v1/jobs/nope", 404, "no job"),
    ("/api/v1/nothing-here", 404, "not found"),
    ("/api/v1/stories?page=0", 422, "page:"),
    ("/api/v1/stories?per_page=abc", 422, "per_page:"),
    ("/api/v1/stories?since=2025-02-30", 422, "since: give a day as YYYY-MM-DD"),
    ("/api/v1/compare?a=x", 422, "b:"),
    ("/api/v1/search?q=%22%20%22", 422, "q: give at least one word"),
    ("/api/v1/articles/x?at=9-1", 422, "at:"),
])
def test_missing_ids_are_404_and_bad_parameters_422_with_a_short_message(
        client: httpx.Client, url: str, status: int, message: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status and message in error["message"] and len(error["message"]) < 120
    html = client.get(url.replace("/api/v1/stories?", "/?").replace("/api/v1", "", 1))
    assert html.status_code == status and "Traceback" not in html.text
    assert html.headers["content-type"].startswith("text/html") and "<h1>" in html.text


def test_an_unexpected_error_is_a_short_500_with_the_security_headers(db: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    with sqlite3.connect(db) as source, sqlite3.connect(broken) as target:
        source.backup(target)
    with sqlite3.connect(broken) as target:  # a story record this newstrace cannot read
        target.execute("INSERT INTO stories (id, data) VALUES ('story-broken', '{\"id\": 1}')")
    with Server(broken) as running, httpx.Client(base_url=running.url) as http:
        for url in ("/api/v1/stories/story-broken", "/stories/story-broken"):
            response = http.get(url)
            assert response.status_code == 500 and "Traceback" not in response.text
            assert "internal error" in response.text
            assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert http.get("/api/v1/stories").status_code == 200  # the server goes on


def test_security_headers_on_every_response(client: httpx.Client, flood: dict) -> None:
    responses = [client.get(url) for url in ("/", flood["href"], "/api/v1/stories", "/static/web.css",
                                             "/nope", "/api/v1/openapi.json", "/api/v1/docs", "/upload")]
    responses.append(client.post("/api/v1/articles", content=b"x" * (MAX_BODY + 1)))
    for response in responses:
        headers = response.headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "script-src" not in CONTENT_SECURITY_POLICY and "default-src 'none'" in CONTENT_SECURITY_POLICY
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def hostile_pages(client: httpx.Client, flood: dict) -> dict[str, str]:
    """Every page type showing the hostile article, by name."""
    hostile = client.get("/api/v1/search", params={"q": "Lowmarsh"}).json()["hits"][0]["id"]
    story = client.get(f"/api/v1/articles/{hostile}").json()["story"]
    return {"article": f"/articles/{hostile}", "cited": f"/articles/{hostile}?at=0-40#cited",
            "story": story["href"], "search": "/search?q=Lowmarsh", "stories": "/",
            "compare": f"/compare?a={hostile}&b={flood['articles'][0]['id']}",
            "compare-self": f"/compare?a={hostile}&b={hostile}", "outlet": "/outlets/Evil <b>Outlet</b>"}


def test_hostile_article_renders_inert_on_every_page(client: httpx.Client, flood: dict) -> None:
    hit = client.get("/api/v1/search", params={"q": "Lowmarsh"}).json()["hits"][0]
    article = client.get(f"/api/v1/articles/{hit['id']}").json()
    assert article["url"] is None  # a javascript: URL is never given as a link
    for url in hostile_pages(client, flood).values():
        page = main_html(client.get(url))
        assert "<script" not in page and "<img" not in page and "<svg" not in page and "<b>Outlet</b>" not in page
        assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", page, re.I)
        assert not re.search(r"<[^>]*\son\w+\s*=", page)  # no event-handler attribute in any tag
        assert page.count("<mark>") == page.count("</mark>")  # a search marker in the text never opens a mark
    page = client.get(f"/articles/{hit['id']}").text
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in page
    assert "&lt;svg onload=alert(3)&gt;" in page and "\u202e" in page and 'dir="auto"' in page


def test_writes_need_the_token_compared_in_full(client: httpx.Client) -> None:
    record = {"text": "A short note about nothing in particular, written for a token check."}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN[:-1]}"}):
        response = client.post("/api/v1/articles", json=record, headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["message"].endswith("(Authorization: Bearer TOKEN)")
    bad = client.post("/api/v1/articles", content=b"{not json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 422 and bad.json()["error"]["message"].startswith("body: not JSON")
    empty = client.post("/api/v1/articles", json=[{"outlet": "no text"}], headers={"Authorization": f"Bearer {TOKEN}"})
    assert empty.status_code == 422
    assert empty.json()["error"]["message"] == "body[0]: an article needs a non-empty text, html or title"


def test_a_read_only_server_refuses_writes(db: Path) -> None:
    with Server(db) as running, httpx.Client(base_url=running.url) as http:
        response = http.post("/api/v1/articles", json={"text": "x"}, headers={"Authorization": "Bearer x"})
        assert response.status_code == 403 and "writes are disabled" in response.json()["error"]["message"]
        assert "read-only" in http.get("/upload").text


def test_request_bodies_over_the_cap_are_413(client: httpx.Client) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    big = json.dumps({"text": "word " * MAX_BODY}).encode()
    response = client.post("/api/v1/articles", content=big, headers=headers)
    assert response.status_code == 413 and "at most" in response.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(MAX_BODY // 1024 + 2):
            yield b" " * 1024

    assert client.post("/api/v1/articles", content=chunks(), headers=headers).status_code == 413
    form = client.post("/upload", files={"files": ("big.txt", b"word " * (MAX_BODY // 5 + 1), "text/plain")})
    assert form.status_code == 413 and form.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in form.text and "<h1>413</h1>" in form.text and "at most 262,144 bytes" in form.text


def test_a_posted_article_is_analysed_and_appears(client: httpx.Client) -> None:
    record = {"id": "posted-1", "title": "Quarry workers strike at Penhallow",
              "outlet": "Penhallow Post", "date": "2025-03-09", "url": "https://post.example/strike",
              "text": ("PENHALLOW (Reuters) - Workers at the Penhallow granite quarry walked out on Sunday in a "
                       "dispute over night shifts, the union said. About 140 staff joined the strike, which is due "
                       "to last a week. \"We were given no choice,\" said union organiser Bryn Talfan.")}
    before = client.get("/api/v1/stories").json()["total"]
    response = client.post("/api/v1/articles", params={"wait": 240}, json=record,
                           headers={"Authorization": f"Bearer {TOKEN}"})
    job = response.json()
    assert response.status_code == 200 and job["state"] == "done", job
    # the job digests the story it made; every other story keeps its own (the run's scope)
    assert client.get("/api/v1/stories").json()["total"] == before + 1
    assert flood_digest(client) is not None
    assert job["articles_new"] == 1 and client.get(job["status"]).json()["state"] == "done"
    hits = client.get("/api/v1/search", params={"q": "Penhallow quarry"}).json()["hits"]
    assert [h["title"] for h in hits] == [record["title"]]
    stories = client.get("/api/v1/stories").json()["stories"]
    assert stories[0]["title"] == record["title"]  # the latest activity
    assert client.get(f"/api/v1/stories/{stories[0]['id']}").json()["digest"]["quotes"]
    assert '<option value="Penhallow Post">Penhallow Post (1)</option>' in main_html(client.get("/"))
    page = main_html(client.get(f"/articles/{hits[0]['id']}"))
    assert 'href="https://post.example/strike"' in page and "Bryn Talfan" in page
    assert client.get(f"/api/v1/articles/{hits[0]['id']}").json()["credits"] == ["Reuters"]
    assert "credit Reuters" in page and "<li><s>PENHALLOW (Reuters) -</s></li>" in page  # its dateline, marked
    assert "done" in main_html(client.get(job["href"]))
    batch = [{"title": f"Penhallow quarry talks, day {day}", "outlet": "Penhallow Post", "date": "2025-03-09",
              "text": f"Talks between the Penhallow quarry owners and the union entered day {day} on Monday, with "
                      f"no agreement on the night shifts, the conciliation service said."} for day in (1, 2)]
    listed = client.post("/api/v1/articles", params={"wait": 240}, json=batch,
                         headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert (listed["state"], listed["submitted"], listed["articles_new"]) == ("done", 2, 2)  # a list, one job


def test_the_upload_form_needs_its_csrf_token_and_the_write_token(client: httpx.Client) -> None:
    form = client.get("/upload")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text).group(1)
    assert form.cookies["newstrace_csrf"]  # kept by the client, as a browser would
    article = {"title": "Ferry timetable changes at Ostry", "outlet": "Ostry Gazette",
               "text": "The Ostry ferry will run two extra crossings on Saturdays from April, the operator said."}
    forged = client.post("/upload", data={**article, "token": TOKEN})  # no CSRF token in the form
    assert forged.status_code == 403 and "another site" in forged.text
    wrong = client.post("/upload", data={**article, "csrf": csrf, "token": "nope"})
    assert wrong.status_code == 401 and "a valid write token is required (the form&#39;s Write token)" in wrong.text
    big = {"files": ("big.txt", b"word " * (MAX_FILE // 5 + 1), "text/plain")}
    too_big = client.post("/upload", data={"csrf": csrf, "token": TOKEN}, files=big)
    assert too_big.status_code == 413 and "big.txt: a file may be at most" in too_big.text
    files = {"files": ("ostry.txt", article["text"].encode(), "text/plain")}
    posted = client.post("/upload", data={"csrf": csrf, "token": TOKEN}, files=files)
    assert posted.status_code == 303 and posted.headers["location"].startswith("/jobs/")
    job_id = posted.headers["location"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 240
    while client.get(f"/api/v1/jobs/{job_id}").json()["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert client.get(f"/api/v1/jobs/{job_id}").json()["articles_new"] == 1
    assert client.get("/api/v1/search", params={"q": "Ostry ferry"}).json()["total"] == 1


def test_articles_an_analyze_run_writes_appear_without_a_restart(client: httpx.Client, db: Path,
                                                                 tmp_path: Path) -> None:
    (tmp_path / "new.json").write_text(json.dumps({
        "id": "later-1", "title": "Glacier retreat measured at Vandrafjell", "outlet": "North Ledger",
        "date": "2025-03-11", "text": "Surveyors found the Vandrafjell glacier had retreated 40 metres since "
                                      "last spring, the survey office said on Tuesday."}), encoding="utf-8")
    assert client.get("/api/v1/search", params={"q": "Vandrafjell"}).json()["total"] == 0
    newstrace.digest([tmp_path], db=db)
    assert client.get("/api/v1/search", params={"q": "Vandrafjell"}).json()["total"] == 1
    assert client.get("/api/v1/stories").json()["stories"][0]["title"].startswith("Glacier retreat")


def test_openapi_document_and_docs_page(client: httpx.Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/stories", "/api/v1/stories/{story_id}", "/api/v1/articles/{article_id}",
                 "/api/v1/compare", "/api/v1/search", "/api/v1/articles", "/api/v1/outlets/{name}"):
        assert path in document["paths"]
    assert "post" in document["paths"]["/api/v1/articles"]
    page = main_html(client.get("/api/v1/docs"))
    assert "<code>POST /api/v1/articles</code>" in page and 'href="/api/v1/openapi.json"' in page


def test_a_version_3_store_is_upgraded_with_its_search_and_story_index(db: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    with sqlite3.connect(db) as source, sqlite3.connect(old) as target:
        source.backup(target)
    with sqlite3.connect(old) as target:
        for table in ("articles_fts", "story_index", "story_articles"):
            target.execute(f"DROP TABLE {table}")
        target.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    with Store(old) as store:
        assert store.search('"Corran"').total >= 4
        stories, total = store.stories_by_activity(10)
        assert total == len(store.stories()) and stories[0].last_date
        assert store.story_of(store.article_ids()[0]) is not None


def test_the_write_token_comes_from_the_token_file_else_the_environment(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from newstrace.web import token_from

    monkeypatch.setenv("NEWSTRACE_TOKEN", " from-the-environment \n")
    assert token_from(None) == "from-the-environment"
    token_file = tmp_path / "token"
    token_file.write_text("from-the-file\nsecond line ignored\n", encoding="utf-8")
    assert token_from(token_file) == "from-the-file"
    token_file.write_text("\n", encoding="utf-8")
    assert token_from(token_file) is None  # an empty file: read-only, never an empty token
    monkeypatch.delenv("NEWSTRACE_TOKEN")
    assert token_from(None) is None


def test_serve_command_refuses_a_missing_store(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newstrace.cli import app

    result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no store at" in result.output


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: axe-core impacts that fail a page (the issue's bar: no serious violation).
AXE_FAILING = ("serious", "critical")


@dataclass
class Tab:
    """A browser page with the console errors, uncaught exceptions and dialogs it produced."""

    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser: Any) -> Tab:
        tab = cls(browser.new_page(viewport={"width": 1280, "height": 900}))
        tab.page.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
        tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
        tab.page.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
        return tab

    def focused(self) -> dict[str, str]:
        """The focused element: its tag, text, href and computed outline style."""
        return self.page.evaluate("""() => { const el = document.activeElement;
            return {tag: el.tagName, text: el.textContent.trim(), href: el.getAttribute("href") || "",
                    outline: getComputedStyle(el).outlineStyle}; }""")

    def tab_to(self, wanted: Callable[[dict[str, str]], bool], presses: int = 400) -> dict[str, str]:
        """Press Tab until the focused element is ``wanted`` (at most ``presses`` times)."""
        for _ in range(presses):
            self.page.keyboard.press("Tab")
            focused = self.focused()
            if wanted(focused):
                return focused
        raise AssertionError(f"Tab never reached the element; last focused: {focused}")


def axe_problems(page: Any) -> list[str]:
    """The serious and critical axe-core violations on ``page`` (axe-core as bundled by the
    axe-playwright-python package, injected by Playwright: nothing is fetched)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    assert results["testEngine"]["name"] == "axe-core"
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[node['html'][:120] for node in v['nodes'][:3]]}"
            for v in results["violations"] if v["impact"] in AXE_FAILING]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (skips with the reason where either is missing)."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    install = "pip install -e '.[test]'"
    sync_api = pytest.importorskip("playwright.sync_api", reason=f"playwright is not installed ({install})")
    pytest.importorskip("axe_playwright_python", reason=f"axe-playwright-python is not installed ({install})")
    with sync_api.sync_playwright() as playwright:
        running = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield running
        running.close()


@pytest.fixture(scope="module")
def served(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeCommand]:
    """``newstrace serve`` as a subprocess over the same store (beside the in-process server,
    which the route tests use; both read it while either's analyses write it)."""
    with ServeCommand(db, tmp_path_factory.mktemp("serve") / "serve.log", TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests save a screenshot of each page type: pytest's temporary
    folder (``/tmp/pytest-of-$USER/pytest-current/screenshots0``, kept for three runs)."""
    return tmp_path_factory.mktemp("screenshots")


def test_axe_finds_no_serious_violation_on_any_page_type_in_chromium(browser: Any, served: ServeCommand,
                                                                      flood: dict, screenshots: Path) -> None:
    """Every page type but the upload's job page, which the upload test checks once its job is done."""
    tab = Tab.open(browser)
    tab.page.set_content('<html><body><img src="data:,"><a href="#"></a></body></html>')
    assert any(problem.startswith("image-alt (critical)") for problem in axe_problems(tab.page))  # the check bites
    citation = flood["digest"]["claims"][0]["citations"][0]
    pages = {"stories": "/", "story": flood["href"], "article": citation["href"],
             "compare": flood["edges"][0]["href"], "outlet": "/outlets/Meridian Press",
             "search": "/search?q=Corran", "upload": "/upload", "api-docs": "/api/v1/docs"}
    for name, url in pages.items():
        tab.page.goto(served.url + url)
        assert axe_problems(tab.page) == [], url
        tab.page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    assert tab.errors == [] and tab.dialogs == []
    response = tab.page.goto(served.url + "/articles/no-such-article")
    assert response.status == 404 and axe_problems(tab.page) == []
    tab.page.screenshot(path=str(screenshots / "error.png"))
    assert all("404" in error for error in tab.errors)  # the browser reports the 404 itself; nothing else
    assert {path.name for path in screenshots.glob("*.png")} >= {f"{name}.png" for name in [*pages, "error"]}


def test_keyboard_only_a_story_a_citation_and_the_drawn_graph_in_chromium(browser: Any, served: ServeCommand,
                                                                          screenshots: Path) -> None:
    tab = Tab.open(browser)
    page = tab.page
    page.goto(served.url + "/")
    page.keyboard.press("Tab")
    assert tab.focused()["text"] == "Skip to content"
    page.keyboard.press("Enter")
    page.wait_for_url("**#main", timeout=10_000)
    story = tab.tab_to(lambda el: el["text"] == "Thousands flee as Corran River floods Elmsford")
    assert story["outline"] != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url("**/stories/**")
    cite = tab.tab_to(lambda el: el["href"].endswith("#cited"))
    assert cite["outline"] != "none"
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/**#cited")
    mark = page.locator("article.text mark")
    assert mark.count() == 1 and mark.is_visible() and len(mark.inner_text()) > 20
    page.go_back()
    page.locator("figure.graph").wait_for()
    edge = tab.tab_to(lambda el: el["href"].startswith("/compare") and el["tag"].lower() == "a"
                      and el["text"].startswith(("copy", "duplicate", "partial", "paraphrase")))
    assert edge["outline"] != "none"  # an edge of the drawn graph, reached and shown by keyboard
    page.keyboard.press("Enter")
    page.wait_for_url("**/compare?**")
    assert page.locator(".pane").count() == 2 and page.locator("a.badge").count() >= 2
    styles = page.evaluate("""() => [...document.querySelectorAll(".pane span.passage")].map(el =>
        [el.classList.contains("quote"), getComputedStyle(el).fontStyle])""")
    assert {quote for quote, _ in styles} == {True, False}  # quotations inside aligned passages
    assert all((style == "italic") == quote for quote, style in styles)  # told apart by more than colour
    tab.tab_to(lambda el: el["href"] == "#bp1")
    page.keyboard.press("Enter")
    page.wait_for_url("**#bp1", timeout=10_000)
    page.screenshot(path=str(screenshots / "compare-keyboard.png"))
    assert tab.errors == [] and tab.dialogs == []


def test_an_article_uploaded_in_chromium_is_analysed_and_found(browser: Any, served: ServeCommand,
                                                               screenshots: Path) -> None:
    tab = Tab.open(browser)
    page = tab.page
    page.goto(served.url + "/upload")
    page.get_by_label("Write token").fill(TOKEN)
    page.get_by_label("Title").fill("Lifeboat crew rescue kayakers off Carn Dhu")
    page.get_by_label("Outlet").fill("Carn Dhu Chronicle")
    page.get_by_label("Date").fill("2025-03-08")
    page.get_by_label("Text").fill("The Carn Dhu lifeboat crew rescued two kayakers on Wednesday after their boats "
                                   "capsized in strong winds, the coastguard said. Both were taken to hospital.")
    page.get_by_role("button", name="Add and analyse").press("Enter")
    page.wait_for_url("**/jobs/**")
    page.get_by_text("done", exact=True).wait_for(timeout=240_000)  # the page refreshes itself until then
    assert axe_problems(page) == []
    page.screenshot(path=str(screenshots / "job.png"))
    page.get_by_role("link", name="Back to the stories.").click()
    assert page.get_by_role("link", name="Lifeboat crew rescue kayakers off Carn Dhu").is_visible()
    page.get_by_label("Search articles").fill("kayakers lifeboat")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=**")
    page.get_by_role("link", name="Lifeboat crew rescue kayakers off Carn Dhu").click()
    page.wait_for_url("**/articles/**")
    assert "Carn Dhu Chronicle" in page.locator("main").inner_text()
    assert tab.errors == [] and tab.dialogs == []


#: What a page would show if hostile content had come alive: scripts, images and SVG made
#: from it, event handlers, ``javascript:`` links, a fixed overlay, a page wider than the window.
ALIVE = """() => {
    const all = [...document.querySelectorAll("*")];
    return {
        scripts: document.scripts.length,
        images: document.images.length,
        svg: [...document.querySelectorAll("svg")].filter(el => !el.closest("figure.graph")).length,
        handlers: all.filter(el => [...el.attributes].some(a => a.name.startsWith("on"))).map(el => el.tagName),
        javascript: [...document.querySelectorAll("[href], [src], [action]")].filter(el =>
            /^\\s*javascript:/i.test(el.getAttribute("href") || el.getAttribute("src") || el.getAttribute("action"))
        ).length,
        fixed: all.filter(el => getComputedStyle(el).position === "fixed").map(el => el.tagName),
        inlineStyles: all.filter(el => el.hasAttribute("style")).length,
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        pwned: document.title === "pwned",
        reversed: [...document.querySelectorAll("main *")].flatMap(el => [...el.childNodes]).filter(node =>
            node.nodeType === Node.TEXT_NODE && node.data.includes("hostile.json")).filter(node => {
            const at = node.data.indexOf("hostile.json"), range = document.createRange();
            const left = k => { range.setStart(node, at + k); range.setEnd(node, at + k + 1);
                                return range.getBoundingClientRect().left; };
            return left(0) > left(11);  // the title's open RTL override turned the label after it
        }).length,
    };
}"""
INERT = {"scripts": 0, "images": 0, "svg": 0, "handlers": [], "javascript": 0, "fixed": [], "inlineStyles": 0,
         "overflow": 0, "pwned": False, "reversed": 0}


def test_hostile_content_stays_inert_on_every_page_in_chromium(browser: Any, served: ServeCommand,
                                                                client: httpx.Client, flood: dict,
                                                                screenshots: Path) -> None:
    """Script tags, event handlers, ``javascript:`` URLs, SVG, an inline-style overlay, an
    RTL override and a 3,000-letter word in the hostile article: on every page type that
    shows it, nothing runs, nothing is drawn from it, no page is wider than the window."""
    tab = Tab.open(browser)
    page = tab.page
    for name, url in hostile_pages(client, flood).items():
        page.goto(served.url + url)
        assert page.evaluate(ALIVE) == INERT, url
        assert "<script>document.title='pwned'</script>" in page.locator("main").inner_text(), url  # as text
        page.screenshot(path=str(screenshots / f"hostile-{name}.png"), full_page=True)
    for url in ("/search?q=Lowmarsh", "/outlets/Evil <b>Outlet</b>"):  # and reached by following links
        page.goto(served.url + url)
        page.locator("main a[href^='/articles/']").first.click()
        page.wait_for_url("**/articles/**")
        assert page.title().startswith("<script>document.title='pwned'")  # shown as text, never run
        assert "<svg onload=alert(3)>" in page.locator("article.text").inner_text()
        assert "\u202e" in page.locator("article.text").inner_text()
    assert tab.errors == [] and tab.dialogs == []


def test_the_search_index_follows_added_replaced_and_removed_articles(tmp_path: Path) -> None:
    from newstrace.model import Article

    with Store(tmp_path / "s.db") as store:
        first = Article.from_text("The Wexmoor dam opened its spillway.", key="id:one", title="Wexmoor dam")
        store.add_articles([first])
        assert [h.id for h in store.search('"Wexmoor"').hits] == [first.id]
        edited = Article.from_text("The Quillon dam opened its spillway.", key="id:one", title="Quillon dam")
        store.add_articles([edited])  # a new version replaces the first
        assert store.search('"Wexmoor"').total == 0 and [h.id for h in store.search('"Quillon"').hits] == [edited.id]
        store.remove_articles([edited.id])
        assert store.search('"Quillon"').total == 0 and store.search('"dam"').total == 0


def test_a_search_matching_more_than_its_scope_ranks_and_counts_the_latest(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from newstrace import store as store_module
    from newstrace.model import Article

    monkeypatch.setattr(store_module, "SEARCH_SCOPE", 3)
    with Store(tmp_path / "s.db") as store:
        store.add_articles([Article.from_text(f"Report {n} on the Ashgrove ferry.", outlet=f"Outlet {n % 2}",
                                              date=f"2025-0{1 + n}-01") for n in range(5)])
        result = store.search('"Ashgrove"')
        assert (result.matches, result.scope, result.total) == (5, 3, 3)
        assert [month for month, _ in result.months] == ["2025-05", "2025-04", "2025-03"]
        assert dict(result.outlets) == {"Outlet 0": 2, "Outlet 1": 1}


PAGE = """<!doctype html><html><head><title>{title}</title>
<meta property="og:title" content="{title}"><meta property="article:published_time" content="2025-04-0{day}T08:00:00Z">
</head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"""


def article_page(title: str, day: int, topic: str) -> bytes:
    sentences = [f"The {topic} council met on Monday to discuss the plan for the coming year, officials said.",
                 f"Residents asked the {topic} council to publish the full budget before the vote in May.",
                 f"A spokesperson said the {topic} project would create about {day * 40} jobs over two years.",
                 f"Opponents of the {topic} plan gathered outside the town hall with banners and leaflets."]
    paragraphs = "".join(f"<p>{sentence} {sentence}</p>" for sentence in sentences)
    return PAGE.format(title=title, day=day, paragraphs=paragraphs).encode()


class FeedSite:
    """A loopback web site with a feed, pages, a robots.txt, a page that fails once and a
    feed of one page too large to read; it notes when each request came."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        site = self
        self.requests: list[str] = []
        self.times: list[float] = []
        self.fail_once = {"/flaky.html"}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                site.requests.append(self.path)
                site.times.append(time.monotonic())
                status, body, kind = site.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except ConnectionError:  # a client that stopped reading (the size cap)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str) -> tuple[int, bytes, str]:
        if path == "/robots.txt":
            return 200, b"User-agent: *\nDisallow: /private/\n", "text/plain"
        if path == "/feed.xml":
            items = "".join(f"<item><title>{title}</title><link>{link}</link></item>" for title, link in (
                ("Orchard council plan", f"{self.url}/orchard.html"), ("Ferry plan", f"{self.url}/flaky.html"),
                ("Private plan", f"{self.url}/private/secret.html"), ("Bad link", "javascript:alert(1)")))
            channel = f"<channel><title>Loopback Gazette</title>{items}</channel>"
            feed = f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>"
            return 200, feed.encode(), "application/rss+xml"
        if path == "/huge.xml":
            item = f"<item><title>Huge page</title><link>{self.url}/huge.html</link></item>"
            return 200, f"<rss version='2.0'><channel><title>Huge</title>{item}</channel></rss>".encode(), "text/xml"
        if path == "/huge.html":  # past the follower's size cap
            words = b"word " * (MAX_PAGE_BYTES // 5 + 1000)
            return 200, b"<html><body><p>" + words + b"</p></body></html>", "text/html"
        if path in self.fail_once:
            self.fail_once.discard(path)
            return 500, b"busy", "text/plain"
        pages = {"/orchard.html": ("Orchard council plan", 1, "orchard"), "/flaky.html": ("Ferry plan", 2, "ferry"),
                 "/private/secret.html": ("Private plan", 3, "secret")}
        if path in pages:
            return 200, article_page(*pages[path]), "text/html; charset=utf-8"
        return 404, b"not found", "text/plain"

    def close(self) -> None:
        self.server.shutdown()


def test_follow_fetches_new_pages_honours_robots_and_retries_failures(tmp_path: Path) -> None:
    from newstrace.web.follow import Follower

    site = FeedSite()
    try:
        db = tmp_path / "follow.db"
        follower = Follower(db, [site.url + "/feed.xml", site.url + "/missing.xml"], host_interval=0)
        first = follower.poll()
        assert first.fetched == [site.url + "/orchard.html"] and first.articles_new == 1
        assert first.disallowed == [site.url + "/private/secret.html"]
        assert set(first.failed) == {site.url + "/missing.xml", site.url + "/flaky.html"}
        second = follower.poll()  # the failed page is tried again; nothing is fetched twice
        assert second.fetched == [site.url + "/flaky.html"] and second.articles_new == 1
        assert site.requests.count("/orchard.html") == 1 and "/private/secret.html" not in site.requests
        with Store(db) as store:
            stored = {a.url: a for a in store.articles()}
        assert set(stored) == {site.url + "/orchard.html", site.url + "/flaky.html"}
        assert stored[site.url + "/orchard.html"].outlet == "Loopback Gazette"
        assert "orchard council met on Monday" in stored[site.url + "/orchard.html"].text
        assert Follower(db, [site.url + "/feed.xml"], host_interval=0).poll().fetched == []  # after a restart
    finally:
        site.close()


def test_follow_command_polls_once_politely_and_skips_a_page_over_the_size_cap(tmp_path: Path) -> None:
    """``newstrace follow FEEDS.txt --db FILE --once`` as a user runs it: one request a second
    per host (its default), a page past the size cap logged as failed, the others stored."""
    site = FeedSite()
    try:
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"# loopback feeds\n{site.url}/huge.xml\n\n{site.url}/feed.xml\n", encoding="utf-8")
        db = tmp_path / "follow.db"
        done = subprocess.run([sys.executable, "-m", "newstrace", "follow", str(feeds), "--db", str(db), "--once"],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"page {site.url}/huge.html failed: TooLarge" in done.stderr
        assert f"page {site.url}/flaky.html failed: HTTP 500" in done.stderr
        assert "1 fetched, 1 new articles, 2 failed, 1 disallowed by robots.txt" in done.stderr
        gaps = [later - earlier for earlier, later in zip(site.times, site.times[1:])]
        assert len(gaps) >= 5 and min(gaps) >= 0.9  # one host: a second between two requests
        with Store(db) as store:
            assert [a.url for a in store.articles()] == [site.url + "/orchard.html"]
    finally:
        site.close()


def test_serve_with_follow_adds_the_feeds_pages_while_serving(tmp_path: Path) -> None:
    site = FeedSite()
    try:
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(site.url + "/feed.xml\n", encoding="utf-8")
        db = tmp_path / "served.db"
        with Store(db):  # an empty store to serve
            pass
        with ServeCommand(db, tmp_path / "serve.log", TOKEN, "--follow", str(feeds), "--every", "1h") as running:
            deadline = time.monotonic() + 300
            while httpx.get(running.url + "/api/v1/search", params={"q": "orchard"}).json()["total"] == 0:
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-2000:]
                time.sleep(1)
            page = httpx.get(running.url + "/").text
            rebound = httpx.get(running.url + "/api/v1/stories", headers={"Host": f"rebound.example:{running.port}"})
            named = httpx.get(running.url + "/api/v1/stories", headers={"Host": f"localhost:{running.port}"})
        assert "Orchard council plan" in page and "Loopback Gazette" in page
        assert rebound.status_code == 400 and named.status_code == 200  # bound to 127.0.0.1: DNS rebinding refused
        assert rebound.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    finally:
        site.close()
