"""The report renderers, over reports built by hand from invented articles."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from newstrace.model import (
    Article, Claim, Comparison, Conflict, ConflictVersion, Derivation, Digest, DigestQuote, InputError, Passage,
    QuoteOccurrence, Relation, Report, Story, SummaryLine, TimelineEntry, Wording,
)
from newstrace.report import (
    FORMATS,
    render_html,
    render_json,
    render_comparison,
    render_markdown,
    render_text,
    to_dict,
    write_report,
)
from newstrace.report.html import highlight_segments
from newstrace.report.view import AlignedPassage

HERALD = (
    "A crane barge struck the Lindell harbour bridge on Monday night, closing it to traffic.\n\n"
    "Engineers will inspect the main span on Tuesday, the port authority said.\n\n"
    "\"We will not reopen until we are certain it is safe,\" harbour master Ines Varga said.\n\n"
    "Commuters were told to use the ferry service, which added four extra crossings."
)
BLOG = (
    "A crane barge struck the Lindell harbour bridge on Monday night, closing it to traffic.\n\n"
    "Engineers will inspect the main span on Wednesday, the port authority said.\n\n"
    "Commuters were told to use the ferry service, which added four extra crossings.\n\n"
    "Leave a comment below and share this post!"
)
POST = (
    "Lindell's harbour bridge stayed shut on Tuesday after a barge carrying a crane hit one of its piers.\n\n"
    "Divers found a crack in the concrete, according to the city's chief engineer.\n\n"
    "Repairs could take three weeks, she added."
)
SPUN = (
    "The harbour crossing in Lindell remained closed Tuesday once a crane-laden barge collided with a pier.\n\n"
    "According to the chief engineer of the city, divers discovered a fissure in the concrete.\n\n"
    "She said fixing it might need three weeks."
)
FAIR = "The Lindell autumn fair opened on Saturday with a record number of stalls."


def _passage(a: str, b: str, a_part: str, b_part: str, similarity: float, kind: str) -> Passage:
    a_start, b_start = a.index(a_part), b.index(b_part)
    return Passage(a_start, a_start + len(a_part), b_start, b_start + len(b_part), similarity, kind)


def _sentences(text: str) -> list[str]:
    return text.split("\n\n")


def sample_report() -> Report:
    """Two stories: a wire-like original copied by a blog, and a report spun by a rewriter."""
    herald = Article(id="herald", text=HERALD, title="Barge hits harbour bridge", date="2024-10-07",
                     outlet="Coastal Herald", path="in/herald.html")
    blog = Article(id="blog", text=BLOG, title="Barge hits harbour bridge", date="2024-10-08",
                   outlet="Bay Blog", path="in/blog.html")
    post = Article(id="post", text=POST, title="Bridge shut after barge strike", date="2024-10-08",
                   outlet="Northern Post", path="in/post.html")
    spun = Article(id="spun", text=SPUN, title="Harbour crossing remains closed", date="2024-10-09",
                   outlet="SpinNews", path="in/spun.html")
    fair = Article(id="fair", text=FAIR, title="Fair opens", date="2024-10-05", outlet="Coastal Herald")
    h, b = _sentences(HERALD), _sentences(BLOG)
    copy = Relation.of(
        a="blog", b="herald", relation="copy", source="herald", score=0.81, jaccard=0.62,
        containment_a=0.8, containment_b=0.7, confidence=0.9,
        reasons=["the blog was published a day later", "the blog adds a comment footer"],
        signals={"date_gap_days": 1.0, "shingle_overlap": 0.62},
        passages=[  # unsorted on purpose, offsets into a = blog
            _passage(BLOG, HERALD, b[2], h[3], 1.0, "verbatim"),
            _passage(BLOG, HERALD, b[0], h[0], 1.0, "verbatim"),
            _passage(BLOG, HERALD, b[1], h[1], 0.93, "edited"),
        ],
    )
    spin = Relation.of(
        a="post", b="spun", relation="paraphrase", source="post", score=0.88, jaccard=0.04,
        containment_a=0.05, containment_b=0.05, confidence=0.75, reasons=["every sentence reworded in order"],
        passages=[_passage(POST, SPUN, p, s, sim, "paraphrase")
                  for p, s, sim in zip(_sentences(POST), _sentences(SPUN), (0.91, 0.89, 0.84))],
    )
    same = Relation.of(a="herald", b="post", relation="same_story", source=None, score=0.58, jaccard=0.03)
    bridge = Story(
        id="s1", title="Barge strike closes Lindell harbour bridge",
        article_ids=["herald", "blog", "post", "spun"], independent_ids=["herald", "post"],
        derived=[Derivation("blog", "herald", "herald", "copy"), Derivation("spun", "post", "post", "paraphrase")],
        outlets=["Coastal Herald", "Bay Blog", "Northern Post", "SpinNews"],
        first_date="2024-10-07", last_date="2024-10-09",
        digest=Digest(
            headline="Lindell harbour bridge closed after barge strike",
            summary=[SummaryLine("A crane barge hit the bridge on Monday night.", ["herald", "post"],
                                 ["herald", "post"])],
            timeline=[TimelineEntry("2024-10-07", "day", None, "Barge strikes the bridge.", ["herald"])],
            quotes=[DigestQuote("We will not reopen until we are certain it is safe", "Ines Varga", "person",
                                "said", ["herald"], ["herald"])],
            claims=[
                Claim("c1", "The bridge is closed.", ["herald", "blog", "post"], ["herald", "post"], 2, False),
                Claim("c2", "Divers found a crack.", ["post", "spun"], ["post"], 1, True),
            ],
            single_source=["c2"],
            conflicts=[Conflict("date", "inspection day", None, [
                ConflictVersion("Tuesday", "Engineers will inspect on Tuesday.", ["herald"], ["herald"]),
                ConflictVersion("Wednesday", "Engineers will inspect on Wednesday.", ["blog"], ["herald"]),
            ])],
        ),
    )
    fair_story = Story(id="s2", title="Autumn fair opens", article_ids=["fair"], independent_ids=["fair"],
                       outlets=["Coastal Herald"], first_date="2024-10-05", last_date="2024-10-05")
    return Report(
        articles=[herald, blog, post, spun, fair],
        relations=[copy, spin, same],
        stories=[bridge, fair_story],
        skipped=[InputError("in/empty.html", "no article text found")],
        stats={"articles": 5, "seconds": 0.4},
    )


HOSTILE = "Officials said <script>document.title='pwned'</script> the road [bold]reopened[/bold] at noon."


def hostile_report() -> Report:
    """A derived article whose title, outlet and text carry markup."""
    report = sample_report()
    mirror = Article(id="mirror", text=HOSTILE + "\n\n" + BLOG, title="<b>Breaking</b> [red]news[/red]",
                     date="2024-10-10", outlet="Mirror <i>Site</i>", path="in/mirror.html")
    report.articles.append(mirror)
    start = len(HOSTILE) + 2
    report.relations.append(Relation.of(
        a="blog", b="mirror", relation="duplicate", source="blog", score=0.97, confidence=0.6,
        reasons=["copied <em>verbatim</em> [bold]twice[/bold]"],
        passages=[Passage(0, len(BLOG), start, start + len(BLOG), 1.0), Passage(0, 20, 0, 60, 0.3, "edited")],
    ))
    bridge = report.stories[0]
    bridge.article_ids.append("mirror")
    bridge.derived.append(Derivation("mirror", "herald", "blog", "duplicate"))
    return report


def _text_output(report: Report) -> str:
    console = Console(file=StringIO(), width=160, no_color=True)
    render_text(report, console)
    return console.file.getvalue()


class MarkCollector(HTMLParser):
    """Collects highlighted text per passage number and side (``source``/``copy``) of the
    first derivation block, skipping the number badges."""

    def __init__(self, block_id: str) -> None:
        super().__init__()
        self.block_id, self.in_block, self.side = block_id, False, None
        self.marks: dict[tuple[str, int], str] = {}
        self._open: list[str] = []
        self._passages: tuple[int, ...] = ()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "article":
            self.in_block = attributes.get("id") == self.block_id
        classes = (attributes.get("class") or "").split()
        if self.in_block and tag == "div" and "text" in classes:
            self.side = "source" if "source" in classes else "copy"
        if tag == "mark":
            self._passages = tuple(int(n) for n in (attributes.get("data-passages") or "").split())
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self._open.pop()
        if tag == "mark":
            self._passages = ()

    def handle_data(self, data: str) -> None:
        if self.in_block and self.side and self._passages and self._open[-1] == "mark":
            for number in self._passages:
                key = (self.side, number)
                self.marks[key] = self.marks.get(key, "") + data


def test_json_round_trips_with_documented_keys() -> None:
    report = sample_report()
    data = json.loads(render_json(report))
    assert data == to_dict(report)
    assert list(data) == ["newstrace", "schema", "articles", "relations", "stories", "skipped", "stats",
                          "boilerplate"]
    assert data["schema"] == 1
    assert data["articles"][0]["text"] == HERALD and data["articles"][0]["label"] == "herald.html"
    relation = data["relations"][0]
    assert list(relation) == ["a", "b", "relation", "source", "score", "jaccard", "containment_a",
                              "containment_b", "confidence", "reasons", "signals", "passages"]
    for passage in relation["passages"]:
        assert list(passage) == ["a_start", "a_end", "b_start", "b_end", "similarity", "kind", "a_text", "b_text"]
        assert passage["a_text"] == BLOG[passage["a_start"] : passage["a_end"]]
        assert passage["b_text"] == HERALD[passage["b_start"] : passage["b_end"]]
    story = data["stories"][0]
    assert story["derived"][0] == {"article_id": "blog", "root_id": "herald", "parent_id": "herald", "relation": "copy"}
    assert story["digest"]["single_source"] == ["c2"]
    assert data["skipped"] == [{"path": "in/empty.html", "reason": "no article text found"}]


def test_every_json_key_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "report-format.md").read_text(encoding="utf-8")

    def keys(value: object, parent: str = "") -> set[str]:
        if isinstance(value, dict):
            free_form = parent in {"signals", "stats", "meta"}
            return {k for k in value if not free_form} | {n for k, v in value.items() for n in keys(v, k)}
        if isinstance(value, list):
            return {n for item in value for n in keys(item, parent)}
        return set()

    undocumented = {key for key in keys(to_dict(sample_report())) if f"`{key}`" not in doc}
    assert not undocumented


def test_json_accepts_numpy_numbers_in_signals_and_stats() -> None:
    import numpy as np

    report = sample_report()
    report.relations[0].signals["cosine"] = np.float32(0.5)
    report.stats["sizes"] = np.array([1, 2])
    data = json.loads(render_json(report))
    assert data["relations"][0]["signals"]["cosine"] == 0.5
    assert data["stats"]["sizes"] == [1, 2]


def test_json_text_is_what_the_standard_library_writes() -> None:
    """The JSON report is written by orjson (a tenth of the time): the text of
    ``json.dumps(..., indent=2, ensure_ascii=False)``, non-ASCII text, integer keys and
    floats included (a float in exponent form the same value: ``1e-7``, not ``1e-07``);
    sets, named tuples and integers past 64 bits as ``json`` writes them."""
    from collections import namedtuple

    report = sample_report()
    report.articles[0].title = "Café “Lindell” — ÿ 北 😀"
    report.stats.update(by_size={3: "three", 10: "ten"}, share=0.1 + 0.2, none=None)
    assert render_json(report) == json.dumps(to_dict(report), indent=2, ensure_ascii=False)
    report.stats["tiny"] = 1e-7
    assert json.loads(render_json(report)) == json.loads(json.dumps(to_dict(report)))
    report.stats.update(outlets={"Bay Blog", "Coastal Herald"}, span=namedtuple("Span", "start end")(4, 2))
    data = json.loads(render_json(report))
    assert data["stats"]["outlets"] == ["Bay Blog", "Coastal Herald"] and data["stats"]["span"] == [4, 2]
    report.stats["checksum"] = 2**70
    assert json.loads(render_json(report))["stats"]["checksum"] == 2**70


def test_write_report_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    report = sample_report()
    for name in ("r.json", "r.md", "r.html", "r.txt"):
        write_report(report, tmp_path / name)
    assert json.loads((tmp_path / "r.json").read_text())["schema"] == 1
    assert (tmp_path / "r.md").read_text().startswith("# newstrace report")
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert "Provenance" in (tmp_path / "r.txt").read_text()
    write_report(report, tmp_path / "forced.out", format="json")
    assert json.loads((tmp_path / "forced.out").read_text())["schema"] == 1
    with pytest.raises(ValueError, match="unknown report format"):
        write_report(report, tmp_path / "r.pdf", format="pdf")  # type: ignore[arg-type]
    for fmt in FORMATS:  # every advertised format is written, each its own rendering
        write_report(report, tmp_path / f"any.{fmt}.out", format=fmt)
    written = {(tmp_path / f"any.{fmt}.out").read_text() for fmt in FORMATS}
    assert len(written) == len(FORMATS) and written == {(tmp_path / name).read_text()
                                                        for name in ("r.txt", "r.json", "r.md", "r.html")}


def test_text_shows_roots_derivations_evidence_and_digest() -> None:
    out = _text_output(sample_report())
    assert "5 articles · 2 stories · 3 independent reports · 2 derived copies · 1 skipped input" in out
    assert "independent  herald.html" in out and "independent  post.html" in out
    assert "copy of herald.html → blog.html" in out
    assert "paraphrase of post.html → spun.html" in out
    # containment is oriented: 80% of the blog's (the copy's) shingles are in the herald
    assert "copy in source 80% · source in copy 70%" in out
    assert "why: the blog adds a comment footer" in out
    assert "same_story" in out and "single source" in out and "Ines Varga" in out
    assert "in/empty.html" in out


def test_text_prints_article_markup_literally() -> None:
    out = _text_output(hostile_report())
    assert "Mirror <i>Site</i>" in out
    assert "copied <em>verbatim</em> [bold]twice[/bold]" in out


def test_comparison_names_the_original_and_quotes_the_passages() -> None:
    herald, blog = sample_report().articles[:2]
    comparison = Comparison(
        relation="copy", source="b", score=0.81, jaccard=0.62, containment_a=0.8, containment_b=0.7,
        passages=[_passage(BLOG, HERALD, _sentences(BLOG)[2], _sentences(HERALD)[3], 1.0, "verbatim")],
        confidence=0.9, reasons=["[b]later[/b] by a day"],
    )
    console = Console(file=StringIO(), width=160, no_color=True)
    render_comparison(comparison, blog, herald, console)
    out = console.file.getvalue()
    assert "blog.html vs herald.html: copy  herald.html → blog.html (direction confidence 0.90)" in out
    assert "blog.html in herald.html 80%" in out
    assert "herald.html  Coastal Herald · 2024-10-07" in out and "blog.html  Bay Blog · 2024-10-08" in out
    assert "why: [b]later[/b] by a day" in out
    assert "Commuters were told to use the ferry service" in out


def test_markdown_lists_stories_evidence_and_escapes_content() -> None:
    out = render_markdown(hostile_report())
    assert "## Story 1: Barge strike closes Lindell harbour bridge" in out
    assert "#### Copy: herald.html → blog.html" in out
    assert "| 2 | edited | 0.93 |" in out
    assert "| herald.html | same_story | post.html | 0.58 |" in out
    assert "<i>" not in out and "<em>" not in out and "<script>" not in out
    assert "Mirror &lt;i&gt;Site&lt;/i&gt;" in out
    assert "Divers found a crack. | 1 ⚠ single source" in out


def test_html_highlights_each_passage_at_its_offsets_on_both_sides() -> None:
    report = sample_report()
    collector = MarkCollector("s1-r1-d1")
    collector.feed(render_html(report))
    relation = report.relations[0]  # a = blog (the copy), b = herald (the source)
    for number, passage in enumerate(sorted(relation.passages, key=lambda p: p.b_start), start=1):
        assert collector.marks[("source", number)] == HERALD[passage.b_start : passage.b_end]
        assert collector.marks[("copy", number)] == BLOG[passage.a_start : passage.a_end]


def test_highlight_segments_survive_overlapping_unsorted_and_out_of_range_spans() -> None:
    text = "0123456789"
    passages = [
        AlignedPassage(1, 6, 50, 0, 0, 0.5, "edited", "", ""),  # runs past the end
        AlignedPassage(2, 2, 8, 0, 0, 1.0, "verbatim", "", ""),
        AlignedPassage(3, 4, 4, 0, 0, 1.0, "verbatim", "", ""),  # empty
    ]
    segments = highlight_segments(text, passages, "source")
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.numbers, s.starts) for s in segments] == [
        ("01", (), ()), ("2345", (2,), (2,)), ("67", (1, 2), (1,)), ("89", (1,), ()),
    ]
    assert "passage 1" in segments[2].title and "passage 2" in segments[2].title


def test_html_escapes_hostile_article_content() -> None:
    page = render_html(hostile_report())
    assert "<script>document.title" not in page
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in page
    assert "<b>Breaking</b>" not in page and "&lt;b&gt;Breaking&lt;/b&gt;" in page
    assert "<i>Site</i>" not in page and "<em>verbatim</em>" not in page
    assert "Content-Security-Policy" in page


def test_html_is_self_contained_and_shows_the_story_view() -> None:
    page = render_html(sample_report())
    assert "<link" not in page and "src=" not in page and "@import" not in page
    assert "https://" not in page and page.count("http://") == 1  # the SVG namespace
    assert "Independent reports</dt><dd>3</dd>" in page
    assert "Skipped inputs</dt><dd>1</dd>" in page
    assert "Reworded sentences, aligned" in page  # the paraphrase table
    assert "Divers discovered" not in page and "divers discovered a fissure" in page
    assert "same story" in page and "single source" in page and "Where accounts differ" in page


def test_provenance_graph_puts_roots_left_and_copies_right_of_their_parent() -> None:
    from newstrace.report.html import provenance_graph
    from newstrace.report.view import build_view

    view = build_view(hostile_report())
    graph = provenance_graph(view.stories[0], 1, view)
    x = {node.label: node.x for node in graph.nodes}
    roots = {node.label for node in graph.nodes if node.root}
    assert roots == {"herald.html", "post.html"}
    assert x["herald.html"] == x["post.html"] < x["blog.html"] == x["spun.html"] < x["mirror.html"]
    assert sorted(edge.kind for edge in graph.edges) == ["copy", "duplicate", "paraphrase"]
    assert all(node.x + graph.node_w <= graph.width and node.y + graph.node_h <= graph.height for node in graph.nodes)


def test_digest_citations_carry_the_article_id_and_the_cited_passage() -> None:
    from newstrace.report.view import build_view

    report = sample_report()
    digest = report.stories[0].digest
    said = HERALD.index("We will not reopen")
    digest.quotes[0].occurrences = [QuoteOccurrence("herald", said, said + 50, "Ines Varga")]
    worded = POST.index("Divers found")
    digest.claims[1].versions = [Wording("post", _sentences(POST)[1], worded, worded + len(_sentences(POST)[1]))]
    lines = build_view(report).stories[0].digest
    quote = lines.quotes[0].sources[0]
    assert (quote.article_id, HERALD[quote.start:quote.end]) == ("herald", digest.quotes[0].text)
    post, spun = lines.claims[1].sources
    assert POST[post.start:post.end] == _sentences(POST)[1]  # the claim's wording in that article
    assert spun.article_id == "spun" and spun.start is None  # reworded past recognition: no passage
    summary = {s.article_id: (s.start, s.end) for s in lines.summary[0].sources}
    start, end = summary["herald"]  # no wording recorded: the sentence sharing most words
    assert HERALD[start:end] == _sentences(HERALD)[0]
    assert lines.claims[1].labels == ["post.html", "spun.html"]
    page = render_html(report)
    # each citation opens the cited article's section, its passage in the tooltip
    chip = f'<a class="chip" href="#s1-r2" title="post.html, characters {post.start}–{post.end}: “Divers found'
    assert chip in page
    assert '<a class="chip" href="#s1-r2-d1" title="spun.html">spun.html</a>' in page


def test_every_node_and_edge_of_the_drawn_graph_is_a_link_named_with_its_evidence() -> None:
    from newstrace.report.html import provenance_graph
    from newstrace.report.view import build_view

    view = build_view(sample_report())
    graph = provenance_graph(view.stories[0], 1, view)
    assert [(e.kind, e.label, e.href) for e in graph.edges] == [("copy", "copy 0.90", "#s1-r1-d1"),
                                                                 ("paraphrase", "paraphrase 0.75", "#s1-r2-d1")]
    assert "the blog adds a comment footer" in graph.edges[0].title
    page = render_html(sample_report())
    assert '<a href="#s1-r1-d1" class="edge kind-copy" aria-label="copy: herald.html → blog.html' in page
    assert '<a href="#s1-r1" class="node root" aria-label="herald.html' in page
    linked = provenance_graph(view.stories[0], 1, view, node_href=lambda a: f"/articles/{a.id}",
                              edge_href=lambda d: f"/compare?a={d.parent.id}&b={d.article.id}")
    assert {n.href for n in linked.nodes} == {f"/articles/{i}" for i in ("herald", "blog", "post", "spun")}
    assert [e.href for e in linked.edges] == ["/compare?a=herald&b=blog", "/compare?a=post&b=spun"]


def test_renderers_tolerate_missing_relations_and_articles() -> None:
    report = sample_report()
    report.relations = []
    report.stories[0].article_ids.append("ghost")
    report.stories[0].derived.append(Derivation("ghost", "herald", "herald", "partial"))
    report.stories[0].digest = Digest(
        headline="", summary=[SummaryLine("One line only.", ["ghost"], ["ghost"])],
        claims=[Claim("c1", "A claim.", ["ghost"], ["ghost"], 1, True)], single_source=["c1"])
    assert "No relation was recorded" in render_html(report)
    assert "No relation was recorded" in render_markdown(report)
    assert "partial of herald.html → ghost" in _text_output(report)
    assert json.loads(render_json(report))["relations"] == []


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_a_real_browser_renders_the_page_and_runs_no_article_script(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(hostile_report()), encoding="utf-8")
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=90, check=True).stdout
    assert "<title>newstrace report</title>" in dom  # the article's script did not retitle the page
    assert "pwned</title>" not in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom  # shown as text
    assert "<b>Breaking</b>" not in dom
    assert dom.count('<mark class="hl') >= 8
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in dom
    assert 'class="node root"' in dom


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_axe_finds_no_serious_violation_in_the_html_report(tmp_path: Path) -> None:
    install = "pip install -e '.[test]'"
    sync_api = pytest.importorskip("playwright.sync_api", reason=f"playwright is not installed ({install})")
    axe = pytest.importorskip("axe_playwright_python.sync_playwright",
                              reason=f"axe-playwright-python is not installed ({install})")
    path = tmp_path / "report.html"
    path.write_text(render_html(sample_report()), encoding="utf-8")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(path.as_uri())
        violations = axe.Axe().run(page).response["violations"]
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")] == []
    assert errors == []


def credited_report() -> Report:
    """The sample, with the herald's report credited to AP and the post's unknown outlet."""
    report = sample_report()
    herald, _, post = report.articles[:3]
    herald.credits = ["AP"]
    post.outlet, post.date, post.credits = None, None, ["AFP"]
    return report


def test_credits_and_outlets_stand_beside_each_article_in_every_format() -> None:
    report = credited_report()
    text = _text_output(report)
    assert "herald.html  Coastal Herald · 2024-10-07 · credit AP" in text
    assert "post.html  credit AFP" in text
    markdown = render_markdown(report)
    assert "**herald.html** (Coastal Herald · 2024-10-07 · credit AP)" in markdown
    assert "**post.html** (credit AFP)" in markdown
    page = render_html(report)
    assert "Coastal Herald · 2024-10-07 · credit AP" in page and "credit AFP" in page


def test_independent_reports_of_one_outlet_are_counted_with_their_outlets_in_every_format() -> None:
    """Two independent reports from one newsroom are two reports but one outlet's word: the
    story's line says so (an unknown outlet counts as its own)."""
    report = sample_report()
    assert "2 independent ·" in _text_output(report) and "outlets" not in story_line(_text_output(report))
    report.articles[2].outlet = "COASTAL HERALD"  # the post, under the herald's name as another source spells it
    assert "2 independent from 1 outlet" in _text_output(report)
    assert "2 independent from 1 outlet" in render_markdown(report)
    assert "2 independent from 1 outlet" in render_html(report)
    report.articles[0].outlet = report.articles[2].outlet = None
    assert "2 independent from" not in _text_output(report)


def test_an_independent_report_citing_another_s_report_says_so_in_every_format() -> None:
    """A report that retells another outlet's ("according to the Coastal Herald") shares no
    wording with it, so no relation joins them; the story says which report cites which,
    with the citing words."""
    report = sample_report()
    post = report.articles[2]
    assert "cites the report" not in _text_output(report)
    post.text += "\n\nThe barge was towed away on Tuesday, according to the Coastal Herald."
    text = _text_output(report)
    assert "1 of them cites another's report" in text
    assert 'cites the report of Coastal Herald (herald.html): "according to the Coastal Herald"' in text
    for rendered in (render_markdown(report), render_html(report)):
        [line] = [line for line in rendered.splitlines() if "cites the report of Coastal Herald" in line]
        assert "herald.html" in line and "according to the Coastal Herald" in line
    post.text = post.text.replace("according to the Coastal Herald", "the harbour master said")
    assert "cites the report" not in _text_output(report)


def story_line(text: str) -> str:
    """The facts line of the report's first story."""
    return next(line for line in text.splitlines() if "independent" in line and "derived" in line)


def test_where_a_republication_says_it_came_from_stands_beside_it_in_every_format() -> None:
    report = credited_report()
    report.articles[2].meta["republished_from"] = "Live Science"
    assert "post.html  credit AFP · republished from Live Science" in _text_output(report)
    assert "**post.html** (credit AFP · republished from Live Science)" in render_markdown(report)
    assert "credit AFP · republished from Live Science" in render_html(report)



def test_an_article_not_in_english_says_its_language_beside_it() -> None:
    report = credited_report()
    report.articles[2].meta["language"] = "es"
    assert "post.html  credit AFP · in es" in _text_output(report)
    assert "**post.html** (credit AFP · in es)" in render_markdown(report)


def test_markdown_never_prints_empty_parentheses() -> None:
    report = sample_report()
    post = report.articles[2]
    post.outlet = post.date = None
    markdown = render_markdown(report)
    assert "**post.html** —" in markdown and "()" not in markdown


def test_text_quotes_the_longest_passages_in_text_order_and_says_how_many_more() -> None:
    report = sample_report()
    copy = report.relations[0]
    start = BLOG.index("Commuters")
    copy.passages.append(Passage(start, start + 9, HERALD.index("Commuters"), HERALD.index("Commuters") + 9,
                                 1.0, "verbatim"))  # a fourth, the shortest
    text = _text_output(report)
    numbers = [int(line.split("#", 1)[1].split()[0]) for line in text.splitlines()
               if "verbatim 1.00" in line or "edited 0.93" in line]
    assert numbers[:3] == sorted(numbers[:3]) and len(numbers) >= 3
    assert "the 3 longest of 4 passages, in text order; 1 more in the HTML and JSON reports" in text
    assert "direction confidence 0.90" in text
    assert "passages, in text order" not in text.split("paraphrase of")[1]  # all 3 rewordings shown
