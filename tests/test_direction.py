"""Direction of derived pairs: only from signs a person can check, never from containment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import newstrace
from newstrace.ingest.clean import clean_text
from newstrace.model import Article

PARAGRAPHS = [
    "The harbour authority in Corran closed the eastern quay on Tuesday after a crane collapsed "
    "onto a moored cargo ship during loading operations in strong winds.",
    "Nobody was hurt, according to the authority, but the vessel's deck was badly damaged and "
    "two containers fell into the water near the ferry terminal.",
    "Engineers from the port operator began inspecting the remaining cranes on Wednesday morning "
    "and said the quay would stay closed for at least a week while repairs are planned.",
    "Local fishermen complained that the closure forces them to land their catch at a smaller "
    "harbour forty kilometres north, adding hours to every trip during the busy season.",
    "The regional transport minister promised an independent review of crane maintenance at "
    "all three of the province's commercial ports before the end of the year.",
]
FULL = "\n\n".join(PARAGRAPHS)
EXCERPT = "\n\n".join(PARAGRAPHS[:3])


def test_excerpt_without_signs_has_no_source() -> None:
    # The excerpt is wholly inside the original: containment asymmetry is no sign of direction.
    result = newstrace.compare(FULL, EXCERPT)
    assert result.derived
    assert result.source is None
    assert result.confidence == 0.0
    assert result.reasons == ["no sign of which came first"]


def test_extended_copy_without_signs_has_no_source() -> None:
    extended = FULL + "\n\nWhat a mess. Somebody should answer for this, and soon, before the next storm season."
    assert newstrace.compare(extended, FULL).source is None


def test_copy_that_credits_the_original_outlet_points_to_it() -> None:
    original = Article(id="wire", text=FULL, outlet="Associated Press")
    copy = Article(id="blog", text=EXCERPT, outlet="Harbour Blog", credits=["AP"])
    result = newstrace.compare(copy, original)
    assert result.source == "b"
    assert any("credits AP" in reason for reason in result.reasons)
    assert 0.8 <= result.confidence <= 0.99


@pytest.mark.parametrize("line", [
    "The Harbour Courier first reported the collapse on Tuesday.",
    "Nobody was hurt, according to the Harbour Courier.",
    "A crane operator told The Harbour Courier he had warned of the wind.",
    "The figures come from a statement from the Harbour Courier.",
    "Source: The Harbour Courier",
    "(via The Harbour Courier)",
    "h/t The Harbour Courier",
    "© 2024 The Harbour Courier. All rights reserved.",
    "Copyright 2024 The Harbour Courier. All rights reserved. This material may not be published or redistributed.",
    "The Harbour Courier contributed to this report.",
    "This article was produced by The Harbour Courier and is shared here with permission.",
])
def test_a_copy_that_cites_the_original_outlet_or_names_it_its_source_points_to_it(line: str) -> None:
    """An undated copy that says, in its own words, whose report it retells ("X reported",
    "according to X", "told X"), or names that outlet as its text's source or owner ("Source:
    X", "via X", a copyright or a "contributed to this report" line, which cleaning sets
    aside), was taken from X's article."""
    cleaned = clean_text(EXCERPT + "\n\n" + line)
    copy = Article(id="digest", text=cleaned.text, boilerplate=cleaned.boilerplate, outlet="News Digest")
    result = newstrace.compare(Article(id="courier", text=FULL, outlet="The Harbour Courier"), copy)
    assert result.derived
    assert result.source == "a"
    assert any("cites the report of The Harbour Courier" in reason for reason in result.reasons)


@pytest.mark.parametrize("line", [
    "Officials shared the figures via video link.",
    "Sources: the port operator, the harbour authority",
    "© 2024 News Digest. All rights reserved.",
])
def test_a_source_or_copyright_line_naming_no_outlet_of_the_pair_is_no_sign(line: str) -> None:
    cleaned = clean_text(EXCERPT + "\n\n" + line)
    copy = Article(id="digest", text=cleaned.text, boilerplate=cleaned.boilerplate, outlet="News Digest")
    assert newstrace.compare(Article(id="courier", text=FULL, outlet="The Harbour Courier"), copy).source is None


def test_an_outlet_whose_name_has_full_stops_is_found_where_a_text_cites_it() -> None:
    original = Article(id="news", text=FULL, outlet="U.S. Harbour News")
    copy = Article(id="digest", text=EXCERPT + "\n\nA crane operator told U.S. Harbour News he had warned of the wind.",
                   outlet="News Digest")
    assert newstrace.compare(original, copy).source == "a"


@pytest.mark.parametrize("mention", [
    'A fisherman said: "The Harbour Courier reported it first, as usual."',  # inside a quotation
    "The Harbour Courier sponsors the regatta.",  # named, not cited
])
def test_an_outlet_quoted_or_named_without_citing_its_report_is_no_sign(mention: str) -> None:
    original = Article(id="courier", text=FULL, outlet="The Harbour Courier")
    copy = Article(id="digest", text=EXCERPT + "\n\n" + mention, outlet="News Digest")
    assert newstrace.compare(original, copy).source is None


def test_a_republisher_keeping_the_wire_credit_is_no_source_of_one_that_dropped_it() -> None:
    """Two papers ran the wire's story, one with its credit, one without: the credit says
    where the first paper's text came from, not that the second took it from there. The
    wire's own page with the same credit still reads as the original."""
    kept = Article(id="paper", text=FULL, outlet="Springfield News", credits=["AP"])
    dropped = Article(id="blog", text=FULL, outlet="Shelbyville Blog")
    assert newstrace.compare(kept, dropped).source is None
    wire = Article(id="wire", text=FULL, outlet="Associated Press", credits=["AP"])
    assert newstrace.compare(wire, dropped).source == "a"
    unknown = Article(id="page", text=FULL, credits=["AP"])  # whose page? it may be the wire's
    assert newstrace.compare(unknown, dropped).source == "a"


def test_republisher_footer_points_to_the_other_article() -> None:
    footer = clean_text(FULL + "\n\nSource link\n\nLeave a Reply\n\nYour email address will not be published.")
    original = Article(id="paper", text=FULL)
    copy = Article(id="blog", text=footer.text, boilerplate=footer.boilerplate)
    result = newstrace.compare(original, copy)
    assert result.source == "a"
    assert any("republisher boilerplate" in reason for reason in result.reasons)


@pytest.mark.parametrize("note", [
    "Correction: An earlier version of this article misstated how long the quay would stay closed.",
    "Correction (March 6): The quay will stay closed for a week, not a month.",
    "UPDATE: The port operator said on Thursday that the quay would reopen on Monday.",
    "This story has been updated with the minister's promise of a review.",
])
def test_an_edition_carrying_a_correction_or_update_note_is_the_later_one(note: str) -> None:
    """An outlet corrects or updates its own article: of two undated editions, the one with
    the note is the later, and the note is quoted as the reason, in the text or where
    cleaning set it aside."""
    later = clean_text(FULL + "\n\n" + note)
    first = Article(id="first", text=FULL, outlet="Corran Herald")
    second = Article(id="second", text=later.text, boilerplate=later.boilerplate, outlet="Corran Herald")
    for a, b, source in ((first, second, "a"), (second, first, "b")):
        result = newstrace.compare(a, b)
        assert result.derived and result.source == source
        assert any("a note of a later edition" in reason and note[:20] in reason for reason in result.reasons)


def test_a_correction_note_is_no_sign_between_two_outlets_or_when_both_carry_one() -> None:
    """Another outlet's copy of an article holds none of its corrections: which came first
    is not told by a note only the outlet's own edition carries. Two corrected editions say
    nothing of each other either. A paragraph about corrections is no note."""
    note = "\n\nCorrection: An earlier version of this article misstated how long the quay would stay closed."
    corrected = Article(id="herald", text=FULL + note, outlet="Corran Herald")
    assert newstrace.compare(Article(id="blog", text=FULL, outlet="Harbour Blog"), corrected).source is None
    both = Article(id="again", text=FULL + note + "\n\nCorrection: The minister's name was misspelled.")
    assert newstrace.compare(both, corrected).source is None
    prose = Article(id="prose", text=FULL + "\n\nCorrections officers at the port jail said: nobody was held.")
    assert newstrace.compare(Article(id="plain", text=FULL), prose).source is None


def test_signs_add_up_and_disagreeing_signs_lower_confidence() -> None:
    dated = newstrace.compare(Article(id="x", text=FULL, date="2024-03-01"),
                              Article(id="y", text=EXCERPT, date="2024-03-02"))
    assert dated.source == "a" and dated.confidence >= 0.9
    # The earlier article carries a republisher footer: the two signs disagree.
    footer = clean_text(FULL + "\n\nSource link\n\nLeave a Reply")
    torn = newstrace.compare(Article(id="x", text=footer.text, boilerplate=footer.boilerplate, date="2024-03-01"),
                             Article(id="y", text=EXCERPT, date="2024-03-02"))
    assert torn.confidence < dated.confidence


def _records(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def test_a_copy_saying_where_it_was_first_published_points_to_that_outlet(tmp_path: Path) -> None:
    path = _records(tmp_path / "pages.jsonl",
                    {"id": "ls-1", "outlet": "Live Science", "text": FULL},
                    {"id": "yh-1", "outlet": "Yahoo News",
                     "text": EXCERPT + "\n\nOriginally published on Live Science."})
    report = newstrace.analyze([path], db=tmp_path / "store.db")
    copy = next(a for a in report.articles if a.external_id == "yh-1")
    assert copy.republished_from == "Live Science"
    assert copy.boilerplate == ["Originally published on Live Science."]
    assert "Live Science" not in copy.text
    [relation] = [r for r in report.relations if r.derived]
    original = next(a for a in report.articles if a.external_id == "ls-1")
    assert relation.source == original.id
    assert relation.comparison.reasons == ["yh-1 says it was first published by Live Science, the outlet of ls-1"]
    assert relation.comparison.confidence >= 0.85


def test_two_copies_of_a_missing_original_get_no_direction_from_an_attribution(tmp_path: Path) -> None:
    # One copy says it came from the wire (not in the collection); the other kept the wire's
    # credit. Neither was taken from the other, as far as anything in them says.
    path = _records(tmp_path / "pages.jsonl",
                    {"id": "blog", "outlet": "Harbour Blog",
                     "text": FULL + "\n\nThis story was originally published by The Associated Press."},
                    {"id": "paper", "outlet": "Corran Gazette", "byline": "By The Associated Press", "text": EXCERPT})
    report = newstrace.analyze([path], db=tmp_path / "store.db")
    [relation] = [r for r in report.relations if r.derived]
    assert relation.source is None
    assert relation.comparison.reasons == ["no sign of which came first"]
    [story] = report.stories  # one family: one independent report, whichever stands for it
    assert sorted(story.article_ids) == sorted(a.id for a in report.articles)
    assert len(story.independent_ids) == 1


@pytest.mark.parametrize("outlet, origin, points", [
    ("Live Science", "Live Science", True),
    ("livescience.com", "Live Science", True),  # a page's outlet read from its host
    ("The Conversation", "theconversation.com", True),
    ("AP", "The Associated Press", True),
    ("AP", "KAPTV", False),  # a name inside another word is not that outlet
    ("Space.com", "Live Science", False),
])
def test_an_attribution_points_only_to_the_outlet_it_names(outlet: str, origin: str, points: bool) -> None:
    original = Article(id="first", text=FULL, outlet=outlet)
    copy = Article(id="copy", text=EXCERPT, outlet="Harbour Blog", meta={"republished_from": origin})
    result = newstrace.compare(original, copy)
    assert result.derived
    assert (result.source == "a") is points
    assert result.source != "b"


def _page(site: str, canonical: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (f'<html><head><title>Crane collapse closes Corran quay</title><link rel="canonical" href="{canonical}">'
            f'<meta property="og:site_name" content="{site}"></head>'
            f"<body><article><h1>Crane collapse closes Corran quay</h1>{body}</article></body></html>")


def test_a_page_whose_canonical_link_names_another_site_points_to_that_site_s_page(tmp_path: Path) -> None:
    original_url, copy_url = "https://www.harbourwire.example/news/crane", "https://news.portal.example/crane-123"
    path = _records(tmp_path / "pages.jsonl",
                    {"id": "wire", "url": original_url, "html": _page("Harbour Wire", original_url, PARAGRAPHS)},
                    {"id": "portal", "url": copy_url, "html": _page("Portal News", original_url, PARAGRAPHS[:3])})
    report = newstrace.analyze([path], db=tmp_path / "store.db")
    by_name = {a.external_id: a for a in report.articles}
    assert by_name["portal"].meta["canonical_url"] == original_url
    assert by_name["portal"].republished_from == "harbourwire.example"
    assert "canonical_url" not in by_name["wire"].meta  # its canonical link is its own page
    [relation] = [r for r in report.relations if r.derived]
    assert relation.source == by_name["wire"].id
    assert relation.comparison.reasons == [
        "portal says it was first published by harbourwire.example, the outlet of wire"]



def test_a_saved_page_whose_canonical_link_names_another_site_points_there_too(tmp_path: Path) -> None:
    """Pages saved as files (no address given): the syndicated copy names its own address
    in ``og:url`` and the original's in its canonical link: its URL is its own, and it says
    it was first published by the original's site."""
    original_url, copy_url = "https://www.harbourwire.example/news/crane", "https://news.portal.example/crane-123"
    own = '<meta property="og:url" content="{}">'
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "wire.html").write_text(
        _page("Harbour Wire", original_url, PARAGRAPHS).replace("</head>", own.format(original_url) + "</head>"))
    (tmp_path / "pages" / "portal.html").write_text(
        _page("Portal News", original_url, PARAGRAPHS[:3]).replace("</head>", own.format(copy_url) + "</head>"))
    report = newstrace.analyze([tmp_path / "pages"], db=tmp_path / "store.db")
    by_name = {Path(a.path).stem: a for a in report.articles}
    assert (by_name["portal"].url, by_name["portal"].meta["canonical_url"]) == (copy_url, original_url)
    assert by_name["portal"].republished_from == "harbourwire.example"
    assert by_name["wire"].url == original_url and "canonical_url" not in by_name["wire"].meta
    [relation] = [r for r in report.relations if r.derived]
    assert relation.source == by_name["wire"].id


def test_real_syndicated_pages_say_where_they_were_first_published(shared: Path) -> None:
    """Two MSN pages of the extraction benchmark, saved as crawled: each republishes a report
    (CNN's, NBC News') and names it in its canonical link, its own address in ``og:url``."""
    pages = shared / "datasets" / "article-extraction-benchmark" / "html"
    if not pages.is_dir():
        pytest.skip("../shared/datasets/article-extraction-benchmark is absent")
    gold = {json.loads(line)["html"].split("/")[-1]: json.loads(line)["url"] for line in
            (pages.parent / "ground_truth.jsonl").open(encoding="utf-8")}
    for name, origin in (("9eef8162bbb67b0bd73792313b91b87dc9304f43f85f479e67e71c166417451e.html.gz", "cnn.com"),
                         ("abd9d6291b6bfae0c3ffad8ab7623b482c6da46face0271dc42af6324d8f0ce5.html.gz", "nbcnews.com")):
        article = newstrace.load(pages / name)
        assert article.url.lower() == gold[name].split("?")[0].lower()
        assert article.outlet == "MSN" and article.republished_from == origin
        assert origin in article.meta["canonical_url"]

@pytest.mark.parametrize("served, canonical", [
    ("https://amp.harbourwire.example/news/crane", "https://www.harbourwire.example/news/crane"),  # its AMP page
    ("https://news.harbourwire.co.uk/crane", "https://www.harbourwire.co.uk/news/crane"),
])
def test_a_canonical_link_within_the_page_s_own_site_names_no_other_origin(
        tmp_path: Path, served: str, canonical: str) -> None:
    path = _records(tmp_path / "page.jsonl",
                    {"id": "amp", "url": served, "html": _page("Harbour Wire", canonical, PARAGRAPHS)})
    [article] = newstrace.analyze([path], db=tmp_path / "store.db").articles
    assert article.republished_from is None and "canonical_url" not in article.meta


LOCAL = [
    "Corran's mayor said the council would ask the port to publish its crane inspection records "
    "and hold a public meeting at the town hall before the quay reopens next month.",
    "Shopkeepers on Harbour Street said the closure had already cut their trade by half, since the "
    "ferry passengers who usually stop for lunch now leave from the northern terminal.",
]


def test_two_republications_of_one_original_are_not_each_other_s_copies(tmp_path: Path) -> None:
    """Two papers republish the wire's report (each adds a paragraph of its own): their dates
    say which was printed first, not that one copied the other; both are the wire's copies.
    A blog that also took the first paper's own paragraph stays that paper's copy."""
    path = _records(tmp_path / "pages.jsonl",
                    {"id": "wire", "outlet": "Wire", "date": "2024-03-01", "text": FULL},
                    {"id": "paper-1", "outlet": "Gazette", "date": "2024-03-02",
                     "text": "\n\n".join(PARAGRAPHS[:4] + LOCAL[:1])},
                    {"id": "paper-2", "outlet": "Courier", "date": "2024-03-03",
                     "text": "\n\n".join(PARAGRAPHS[:4] + LOCAL[1:])},
                    {"id": "blog", "outlet": "Blog", "date": "2024-03-04",
                     "text": "\n\n".join(PARAGRAPHS[:3] + LOCAL[:1])})
    report = newstrace.analyze([path], db=tmp_path / "store.db")
    ids = {a.external_id: a.id for a in report.articles}
    source = {frozenset((r.a, r.b)): r for r in report.relations if r.derived}

    def pair(x: str, y: str):
        return source[frozenset((ids[x], ids[y]))]

    for copy in ("paper-1", "paper-2", "blog"):
        assert pair("wire", copy).source == ids["wire"]
    siblings = pair("paper-1", "paper-2")
    assert siblings.source is None and siblings.confidence == 0.0
    assert siblings.reasons == [
        "paper-2 and paper-1 both hold text of wire, the source of each: 100% of what paper-2 shares "
        "with paper-1 it shares with wire too, so which of them came first says nothing of one copying the other"]
    assert pair("paper-2", "blog").source is None
    assert pair("paper-1", "blog").source == ids["paper-1"]  # the blog took the paper's own paragraph too
    [story] = report.stories
    assert story.independent_ids == [ids["wire"]]
    reread = {frozenset((r.a, r.b)): r for r in newstrace.Store(tmp_path / "store.db").relations()}
    assert reread[frozenset((ids["paper-1"], ids["paper-2"]))].source is None  # stored as reported


@pytest.mark.parametrize("wire_date, blog_date", [
    ("2023-09-12T23:30:00-05:00", "2023-09-13T06:00:00Z"),  # 04:30 UTC, before 06:00 UTC
    ("Tue, 12 Sep 2023 14:03:00 GMT", "2023-09-12 18:45:00+00:00"),  # a feed's date and a CMS's
    (1694527380, "1694541780000"),  # Unix time in seconds and in milliseconds
])
def test_dates_in_any_form_and_offset_order_the_copies(tmp_path: Path, wire_date: object,
                                                       blog_date: object) -> None:
    path = _records(tmp_path / "feed.jsonl", {"id": "blog", "date": blog_date, "text": EXCERPT},
                    {"id": "wire", "date": wire_date, "text": FULL})
    report = newstrace.analyze([path], db=tmp_path / "store.db")
    wire, blog = (next(a for a in report.articles if a.external_id == key) for key in ("wire", "blog"))
    [relation] = [r for r in report.relations if r.derived]
    assert relation.source == wire.id, relation.comparison.reasons
    assert len(wire.date) > 10 and len(blog.date) > 10  # kept to the second, with the offset


def test_a_time_given_without_an_offset_is_compared_by_day_with_one_given_with_it(tmp_path: Path) -> None:
    """22:00 without an offset may be after 23:00+05:00: only the days are compared."""
    path = _records(tmp_path / "feed.jsonl", {"id": "wire", "date": "2023-09-12T22:00:00", "text": FULL},
                    {"id": "blog", "date": "2023-09-12T23:00:00+05:00", "text": EXCERPT})
    report = newstrace.analyze([path], db=tmp_path / "store.db")
    [relation] = [r for r in report.relations if r.derived]
    assert relation.source is None
