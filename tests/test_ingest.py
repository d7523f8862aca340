"""Loading article files of every format, and skipping bad inputs with one clear reason."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest

from newstrace.ingest.readers import IngestError, iter_articles, load, load_many
from newstrace.model import InputError, article_id, content_id

BODY = (
    "A cargo ship ran aground outside the harbour at dawn on Friday, the port authority said.\n\n"
    "Tugs were trying to free the vessel before the evening tide, a spokeswoman added."
)
HTML = f"""<!doctype html><html><head><title>Ship runs aground</title>
<meta property="og:site_name" content="Harbour Herald"></head>
<body><nav>Home | World | Sport</nav><article><h1>Ship runs aground</h1>
<p>{BODY.split(chr(10))[0]}</p><p>{BODY.split(chr(10))[-1]}</p></article>
<footer>Contact us</footer></body></html>"""


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if path.suffix == ".gz":
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


FIRST_PARAGRAPH = BODY.split("\n\n")[0]


def record(**fields: object) -> str:
    return json.dumps({"id": "r1", "text": BODY, **fields})


def test_plain_text_file(tmp_path: Path) -> None:
    article = load(write(tmp_path / "ship.txt", f"date 2024-05-10 By Ana Ruiz, AP\n\n{BODY}"))
    assert article.text == BODY
    assert article.key == f"path:{tmp_path / 'ship.txt'}"
    assert article.id == article_id(BODY, article.key) != content_id(BODY)
    assert (article.date, article.byline, article.outlet) == ("2024-05-10", "Ana Ruiz", "AP")
    assert article.credits == ["AP"]
    assert article.path == str(tmp_path / "ship.txt")


def test_html_file_goes_through_the_extractor(tmp_path: Path) -> None:
    article = load(write(tmp_path / "ship.html", HTML))
    assert article.text == BODY
    assert article.title == "Ship runs aground"
    assert article.outlet == "Harbour Herald"
    assert "Contact us" not in article.text and "Sport" not in article.text


def test_escaped_script_text_in_html_survives_as_plain_text(tmp_path: Path) -> None:
    page = HTML.replace(
        "</article>",
        "<p>The hackers posted &lt;script&gt;steal()&lt;/script&gt; on the port's site.</p>"
        "<script>document.title = 'x';</script></article>",
    )
    article = load(write(tmp_path / "hack.htm", page))
    assert "<script>steal()</script>" in article.text
    assert "document.title" not in article.text


def test_json_file_with_one_record(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ship.json",
        record(title="Ship runs aground", url="https://example.org/ship", author=["Ana Ruiz"],
               published="May 10, 2024", outlet="Harbour Herald", section="world"),
    )
    article = load(path)
    assert (article.external_id, article.title, article.url) == (
        "r1", "Ship runs aground", "https://example.org/ship")
    assert article.byline == "Ana Ruiz"
    assert (article.date, article.outlet) == ("2024-05-10", "Harbour Herald")
    assert article.meta == {"section": "world"}


def test_json_record_with_html(tmp_path: Path) -> None:
    path = write(tmp_path / "ship.json", json.dumps({"id": "h1", "html": HTML}))
    assert load(path).text == BODY


@pytest.mark.parametrize("text", [
    # a CMS export or a feed's content:encoded: paragraphs as elements, source lines wrapped anyhow
    "<p>A cargo ship ran aground outside the harbour at dawn on Friday, the port\n   authority said.</p>\n"
    "<p>Tugs were trying to free the vessel before the evening tide, a spokeswoman added.</p>"
    "<script>track();</script>",
    "<div><p>A cargo ship ran aground outside the harbour at dawn on <b>Friday</b>, the port authority "
    "said.<br></p><p>Tugs were trying to free the vessel before the evening tide, a "
    "<a href='/people/spokeswoman'>spokeswoman</a> added.</p></div>",
    # a plain text with a link left in, and one whose feed escaped it
    BODY.replace("the port authority", "the <a href=\"https://port.example\">port authority</a>")
        .replace("a spokeswoman", "a <em>spokeswoman</em>"),
    BODY.replace("A cargo", "A&#32;cargo").replace("tide,", "tide&amp;#44;"),
])
def test_a_record_s_text_given_as_html_or_escaped_is_read_as_plain_text(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "feed.jsonl", json.dumps({"id": "f1", "text": text}))
    assert load_many([path]).articles[0].text == BODY


def test_escaped_quotation_marks_are_quotation_marks(tmp_path: Path) -> None:
    """A feed that escapes its quotation marks (&#8220; &quot;) still quotes: the quotation is
    found, and no entity reaches the stored text."""
    escaped = "The mayor said: &#8220;The bridge stays shut&#8221; &amp; asked for patience. &quot;Sorry,&quot; he added."
    path = write(tmp_path / "escaped.txt", escaped)
    assert load(path).text == "The mayor said: “The bridge stays shut” & asked for patience. \"Sorry,\" he added."


def test_records_under_other_field_names_are_read(tmp_path: Path) -> None:
    """news-please's records (maintext, date_publish, source_domain, authors), NewsAPI's
    (source object, publishedAt, content), a CMS's content and headline, and a body given as
    a list of paragraphs."""
    records = [
        {"id": "np", "maintext": BODY, "title": "Ship runs aground", "date_publish": "2023-09-13 08:00:00",
         "source_domain": "harbourherald.example", "authors": ["Ann Lee", "Bo Chan"], "language": "en"},
        {"id": "cms", "Content": BODY, "Headline": "Ship runs aground", "published_at": 1694592000},
        {"id": "list", "text": BODY.split("\n\n"), "content": ""},
        {"id": "empty", "text": "", "body": BODY},
        {"id": "newsapi", "source": {"id": None, "name": "Harbour Herald"}, "author": "Ann Lee",
         "title": "Ship runs aground", "publishedAt": "2023-09-13T08:00:00Z", "content": BODY},
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(json.dumps(r) for r in records))
    np_, cms, listed, empty, newsapi = load_many([path]).articles
    assert [a.text for a in (np_, cms, listed, empty, newsapi)] == [BODY] * 5
    assert (newsapi.outlet, newsapi.date, newsapi.byline) == ("Harbour Herald", "2023-09-13T08:00:00+00:00", "Ann Lee")
    assert (np_.date, np_.outlet, np_.byline, np_.title) == (
        "2023-09-13T08:00:00", "harbourherald.example", "Ann Lee, Bo Chan", "Ship runs aground")
    assert "maintext" not in np_.meta and np_.meta["language"] == "en"
    assert (cms.title, cms.date) == ("Ship runs aground", "2023-09-13T08:00:00+00:00")


@pytest.mark.parametrize(("dates", "in_table", "alone"), [
    # a spreadsheet's export, the day first as 13/09 shows: its 09/12 is 9 December
    (["13/09/2023 14:05", "09/12/2023", "2023/09/14"],
     ["2023-09-13T14:05:00", "2023-12-09", "2023-09-14"], ["2023-09-13T14:05:00", None, "2023-09-14"]),
    # the month first as 09/13 shows: its 09/12 is 12 September
    (["09/13/2023 2:05 PM", "09/12/2023", "9/14/23"],
     ["2023-09-13T14:05:00", "2023-09-12", "2023-09-14"], ["2023-09-13T14:05:00", None, "2023-09-14"]),
    # nothing tells: an ambiguous date is left unread, not guessed; dots are day-first
    (["09/12/2023", "05/05/2023", "12.09.2023"],
     [None, "2023-05-05", "2023-09-12"], [None, "2023-05-05", "2023-09-12"]),
    # both ways in one file: only what reads one way is read
    (["13/09/2023", "09/14/2023", "09/12/2023"],
     ["2023-09-13", "2023-09-14", None], ["2023-09-13", "2023-09-14", None]),
])
def test_numeric_dates_are_read_as_their_table_writes_them(
        tmp_path: Path, dates: list[str], in_table: list[str | None], alone: list[str | None]) -> None:
    """Spreadsheet exports write dates with numbers alone; a record by itself (a JSON Lines
    line) is read when it can be read one way only."""
    rows = "".join(f'{n},{date},"{BODY} Report {n}."\n' for n, date in enumerate(dates))
    table = write(tmp_path / "export.csv", "id,date,text\n" + rows)
    assert [a.date for a in load_many([table]).articles] == in_table
    lines = "\n".join(json.dumps({"id": n, "date": date, "text": f"{BODY} Report {n}."})
                      for n, date in enumerate(dates))
    assert [a.date for a in load_many([write(tmp_path / "feed.jsonl", lines)]).articles] == alone


def test_a_record_s_site_is_its_outlet_and_a_source_address_its_url(tmp_path: Path) -> None:
    """trafilatura's JSON output names a page's address ``source`` and its site
    ``hostname``/``source-hostname``; a crawl's record gives its address alone: the outlet is
    then the host, as for a web page, so that an outlet's recurring text is learnt."""
    records = [
        {"title": "Ship runs aground", "author": "Ann Lee", "hostname": "harbourherald.example",
         "date": "2023-09-13", "raw_text": BODY, "text": BODY, "source": "https://harbourherald.example/news/ship-aground",
         "source-hostname": "Harbour Herald", "pagetype": "article"},
        {"source": "https://www.portgazette.example/2023/09/13/ship", "text": BODY + " More soon."},
        {"url": "https://www.portgazette.example/2023/09/14/tugs", "text": BODY + " Tugs came."},
        {"url": "https://www.portgazette.example/x", "source": "Reuters", "text": BODY + " Later."},
        # GDELT's article list: its domain, and the time it was seen in ISO 8601's basic format
        {"url": "https://tidewater.example/a", "domain": "tidewater.example", "seendate": "20230913T140500Z",
         "text": BODY + " Again."},
    ]
    path = write(tmp_path / "crawl.jsonl", "\n".join(json.dumps(r) for r in records))
    found = [(a.outlet, a.url) for a in load_many([path]).articles]
    assert found == [("harbourherald.example", "https://harbourherald.example/news/ship-aground"),
                     ("portgazette.example", "https://www.portgazette.example/2023/09/13/ship"),
                     ("portgazette.example", "https://www.portgazette.example/2023/09/14/tugs"),
                     ("Reuters", "https://www.portgazette.example/x"),
                     ("tidewater.example", "https://tidewater.example/a")]
    articles = load_many([path]).articles
    assert articles[-1].date == "2023-09-13T14:05:00+00:00"
    assert articles[0].meta == {"pagetype": "article", "source": "https://harbourherald.example/news/ship-aground",
                                "source-hostname": "Harbour Herald", "line": 1}  # not the text again


def test_records_of_news_apis_and_search_index_dumps_are_read(tmp_path: Path) -> None:
    """An Elasticsearch export (the article under ``_source``), the Guardian API (under
    ``fields``, beside ``webTitle`` and ``webUrl``), Event Registry (authors and source
    as objects) and the New York Times API (headline and byline as objects, the lead
    paragraph its only text)."""
    records = [
        {"_index": "news", "_id": "es-1", "_source": {"title": "Ship runs aground", "content": BODY,
                                                      "published_at": "2023-09-13T08:00:00Z"}},
        {"id": "world/2023/sep/13/ship", "webTitle": "Ship runs aground", "webUrl": "https://g.example/ship",
         "webPublicationDate": "2023-09-13T09:00:00Z", "fields": {"byline": "Ann Lee", "bodyText": BODY + " Two."}},
        {"uri": "7772612374", "url": "https://er.example/ship", "title": "Ship runs aground", "body": BODY + " Three.",
         "dateTime": "2023-09-13T10:00:00Z", "source": {"uri": "er.example", "title": "Harbour Herald"},
         "authors": [{"uri": "ann_lee@er.example", "name": "Ann Lee", "type": "author"},
                     {"uri": "bo_chan@er.example", "name": "Bo Chan", "type": "author"}]},
    ]
    records.append({"_id": "nyt://article/1234", "web_url": "https://www.nytimes.com/2023/09/13/ship.html",
                    "abstract": "A cargo ship ran aground.", "lead_paragraph": FIRST_PARAGRAPH,
                    "headline": {"main": "Ship Runs Aground", "print_headline": "Ship Aground"},
                    "pub_date": "2023-09-13T08:05:00+0000", "byline": {"original": "By Ann Lee"},
                    "source": "The New York Times"})
    path = write(tmp_path / "api.jsonl", "\n".join(json.dumps(r) for r in records))
    es, guardian, er, nyt = load_many([path]).articles
    assert (es.external_id, es.title, es.text, es.date) == ("es-1", "Ship runs aground", BODY, "2023-09-13T08:00:00+00:00")
    assert (guardian.external_id, guardian.url, guardian.byline, guardian.date, guardian.outlet) == (
        "world/2023/sep/13/ship", "https://g.example/ship", "Ann Lee", "2023-09-13T09:00:00+00:00", "g.example")
    assert guardian.text.endswith("Two.") and er.text.endswith("Three.")
    assert (er.outlet, er.byline, er.date) == ("Harbour Herald", "Ann Lee, Bo Chan", "2023-09-13T10:00:00+00:00")
    assert (nyt.external_id, nyt.title, nyt.text, nyt.url, nyt.outlet, nyt.byline, nyt.meta["abstract"]) == (
        "nyt://article/1234", "Ship Runs Aground", FIRST_PARAGRAPH, "https://www.nytimes.com/2023/09/13/ship.html",
        "The New York Times", "By Ann Lee", "A cargo ship ran aground.")


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Harbour Herald</title>
<item><title>Ship runs aground</title><link>https://harbourherald.example/news/ship</link>
  <guid isPermaLink="false">hh-1001</guid><pubDate>Wed, 13 Sep 2023 08:00:00 GMT</pubDate>
  <dc:creator>Ann Lee</dc:creator><description>A ship ran aground.</description>
  <content:encoded><![CDATA[<p>{first}</p><p>{second}</p>]]></content:encoded></item>
<item><title>Ferry timetable approved</title><link>https://harbourherald.example/news/ferry</link>
  <pubDate>Tue, 12 Sep 2023 17:30:00 +0100</pubDate>
  <description>&lt;p&gt;The council approved a new ferry timetable, adding two evening crossings.&lt;/p&gt;</description></item>
<item><title>Harbour reopens</title></item>
</channel></rss>""".format(first=BODY.split("\n\n")[0], second=BODY.split("\n\n")[1])
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Port Watch</title>
<entry><title>Grounded ship</title><link rel="edit" href="https://portwatch.example/api/1"/>
  <link href="https://portwatch.example/grounded"/><id>tag:portwatch.example,2023:1</id>
  <published>2023-09-13T10:15:00+02:00</published><author><name>Bo Chan</name></author>
  <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>{first}</p><p>{second}</p></div></content>
</entry></feed>""".format(first=BODY.split("\n\n")[0], second=BODY.split("\n\n")[1])


def test_news_feeds_are_read_item_by_item(tmp_path: Path) -> None:
    """RSS and Atom feeds as feed readers save them: each item an article with its guid,
    link, date, author and the feed's title as outlet; the full content (HTML in CDATA or
    XHTML) before the summary, a summary (escaped HTML) when that is all, a title alone as a
    title-only article."""
    write(tmp_path / "feeds" / "herald.rss", RSS)
    write(tmp_path / "feeds" / "watch.atom.gz", ATOM)
    found = load_many([tmp_path / "feeds"])
    ship, ferry, reopens, watch = found.articles
    assert (ship.external_id, ship.url, ship.title, ship.date, ship.outlet, ship.byline, ship.text) == (
        "hh-1001", "https://harbourherald.example/news/ship", "Ship runs aground", "2023-09-13T08:00:00+00:00",
        "Harbour Herald", "Ann Lee", BODY)
    assert ferry.text == "The council approved a new ferry timetable, adding two evening crossings."
    assert (ferry.date, ferry.external_id) == ("2023-09-12T17:30:00+01:00", None)
    assert reopens.text == "Harbour reopens" and not found.skipped
    assert (watch.url, watch.outlet, watch.byline, watch.text, watch.date) == (
        "https://portwatch.example/grounded", "Port Watch", "Bo Chan", BODY, "2023-09-13T10:15:00+02:00")


@pytest.mark.parametrize(("data", "reason"), [
    ("<rss><channel><item><title>Cut off", "not well-formed XML"),
    ('<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>', "not an RSS or Atom feed"),
    ('<rss version="2.0"><channel><title>Empty</title></channel></rss>', "the feed has no items"),
    ("<nitf><head><title>Cut off</title></head><body>", "not well-formed XML"),
    ('<newsItem guid="p1"><contentSet><remoteContent href="x.jpg"/></contentSet></newsItem>',
     "no news item with a text in it"),
])
def test_a_broken_feed_or_news_agency_xml_is_one_clear_error(tmp_path: Path, data: str, reason: str) -> None:
    path = write(tmp_path / "news.xml", data)
    found = load_many([path])
    assert not found.articles and [str(skip.path) for skip in found.skipped] == [str(path)]
    assert reason in found.skipped[0].reason


def test_a_feed_s_entities_are_never_fetched_nor_expanded(tmp_path: Path) -> None:
    data = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
            "<rss><channel><item><title>&secret;</title><description>Harbour reopens.</description>"
            "</item></channel></rss>")
    (article,) = load_many([write(tmp_path / "news.rss", data)]).articles
    assert article.text == "Harbour reopens." and not article.title


FIRST, SECOND = BODY.split("\n\n")
NITF = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nitf SYSTEM "http://www.nitf.org/IPTC/NITF/3.3/specification/dtd/nitf-3-3.dtd">
<nitf change.date="June 10, 2005" change.time="19:30" version="-//IPTC//DTD NITF 3.3//EN">
  <head>
    <title>Ship Runs Aground</title>
    <meta content="13" name="publication_day_of_month"/><meta content="9" name="publication_month"/>
    <meta content="2023" name="publication_year"/><meta content="Metropolitan Desk" name="dsk"/>
    <docdata><doc-id id-string="1841017"/><doc.copyright holder="The Harbour Herald" year="2023"/>
      <identified-content><classifier class="indexing_service" type="descriptor">Shipping</classifier>
      <classifier class="indexing_service" type="descriptor">Accidents</classifier></identified-content>
    </docdata>
    <pubdata ex-ref="https://harbourherald.example/2023/09/13/ship.html" name="The Harbour Herald"
      date.publication="20230913T000000" unit-of-measure="word" item-length="30"/>
  </head>
  <body>
    <body.head><hedline><hl1>Ship Runs Aground Outside Harbour</hl1></hedline>
      <byline class="print_byline">By ANN LEE</byline><byline class="normalized_byline">Lee, Ann</byline>
      <abstract><p>Cargo ship aground; tugs at work.</p></abstract></body.head>
    <body.content>
      <block class="lead_paragraph"><p>{FIRST}</p></block>
      <block class="full_text"><p>{FIRST}</p>
        <media media-type="image"><media-caption>The ship at dawn.</media-caption></media>
        <p>{SECOND}</p></block>
    </body.content>
  </body>
</nitf>"""
NEWSML_G2 = f"""<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
  <header><sent>2023-09-13T09:00:00Z</sent></header>
  <itemSet>
    <newsItem guid="urn:newsml:wire.example:20230913:ship" version="2" standard="NewsML-G2">
      <itemMeta><itemClass qcode="ninat:text"/><provider literal="Wire Agency"/>
        <versionCreated>2023-09-13T08:40:00Z</versionCreated><firstCreated>2023-09-13T08:05:00Z</firstCreated></itemMeta>
      <contentMeta><headline>Ship runs aground</headline><by>Ann Lee</by><creditline>WA</creditline>
        <subject qcode="medtop:20000286"><name>maritime accident</name></subject><language tag="en"/></contentMeta>
      <contentSet><inlineXML contenttype="application/nitf+xml">
        <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.content>
          <p>{FIRST}</p><p>{SECOND}</p></body.content></body></nitf></inlineXML></contentSet>
    </newsItem>
    <newsItem guid="urn:newsml:wire.example:20230913:ferry" version="1" standard="NewsML-G2">
      <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:WA"/>
        <firstCreated>2023-09-12T17:30:00+01:00</firstCreated></itemMeta>
      <contentMeta><headline>Ferry timetable</headline></contentMeta>
      <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml">
        <head><title/></head><body><p>The council approved a new ferry timetable.</p>
        <p>Two evening crossings are added.</p></body></html></inlineXML></contentSet>
    </newsItem>
    <newsItem guid="urn:newsml:wire.example:20230913:photo" version="1" standard="NewsML-G2">
      <itemMeta><itemClass qcode="ninat:picture"/><provider literal="Wire Agency"/></itemMeta>
      <contentMeta><headline>The ship at dawn</headline></contentMeta>
      <contentSet><remoteContent href="https://wire.example/photo.jpg" contenttype="image/jpeg"/></contentSet>
    </newsItem>
  </itemSet>
</newsMessage>"""
RCV1 = f"""<?xml version="1.0" encoding="iso-8859-1" ?>
<newsitem itemid="2286" id="root" date="1996-08-20" xml:lang="en">
<title>PORTHAVEN: Ship runs aground.</title>
<headline>Ship runs aground outside harbour</headline>
<dateline>PORTHAVEN 1996-08-20</dateline>
<text><p>{FIRST}</p><p>{SECOND}</p></text>
<copyright>(c) Reuters Limited 1996</copyright>
<metadata><codes class="bip:topics:1.0"><code code="GDIS"/></codes>
<dc element="dc.publisher" value="Reuters Holdings Plc"/></metadata>
</newsitem>"""
NEWSML_1 = f"""<?xml version="1.0"?><NewsML><NewsItem>
<Identification><NewsIdentifier><ProviderId>wire.example</ProviderId><NewsItemId>42</NewsItemId>
<PublicIdentifier>urn:newsml:wire.example:20230913:42:1</PublicIdentifier></NewsIdentifier></Identification>
<NewsManagement><FirstCreated>20230913T080500+0000</FirstCreated></NewsManagement>
<NewsComponent><NewsLines><HeadLine>Ship runs aground</HeadLine><ByLine>By Ann Lee</ByLine></NewsLines>
<ContentItem><DataContent><nitf><body><body.content><p>{FIRST}</p><p>{SECOND}</p></body.content></body></nitf>
</DataContent></ContentItem></NewsComponent></NewsItem></NewsML>"""


def test_news_agency_xml_is_read_item_by_item(tmp_path: Path) -> None:
    """NITF as the New York Times Annotated Corpus holds it (the full text, not the lead
    paragraph repeated, captions and abstract left out, the printed byline), a NewsML-G2
    message of two text items and a picture, a NewsML 1 envelope and a Reuters Corpus (RCV1) file."""
    write(tmp_path / "wires" / "1841017.xml", NITF)
    write(tmp_path / "wires" / "message.newsml.gz", NEWSML_G2)
    write(tmp_path / "wires" / "2286newsML.xml", RCV1.encode("iso-8859-1"))
    write(tmp_path / "wires" / "wire42.xml", NEWSML_1)
    found = load_many([tmp_path / "wires"])
    assert not found.skipped
    nitf, rcv1, ship, ferry, envelope = sorted(found.articles, key=lambda a: (str(a.path), a.meta.get("line", 0)))
    assert (nitf.external_id, nitf.title, nitf.text, nitf.date, nitf.outlet, nitf.byline, nitf.url) == (
        "1841017", "Ship Runs Aground Outside Harbour", BODY, "2023-09-13", "The Harbour Herald", "ANN LEE",
        "https://harbourherald.example/2023/09/13/ship.html")
    assert nitf.meta["keywords"] == ["Shipping", "Accidents"]
    assert (ship.external_id, ship.title, ship.text, ship.date, ship.outlet, ship.byline) == (
        "urn:newsml:wire.example:20230913:ship", "Ship runs aground", BODY, "2023-09-13T08:05:00+00:00",
        "Wire Agency", "Ann Lee")
    assert (ship.meta["credit"], ship.meta["version"], ship.meta["keywords"]) == ("WA", "2", ["maritime accident"])
    assert (ferry.text, ferry.outlet, ferry.date) == (
        "The council approved a new ferry timetable.\n\nTwo evening crossings are added.", "WA",
        "2023-09-12T17:30:00+01:00")
    assert (rcv1.external_id, rcv1.title, rcv1.text, rcv1.date, rcv1.outlet) == (
        "2286", "Ship runs aground outside harbour", BODY, "1996-08-20", "Reuters Holdings Plc")
    assert (envelope.external_id, envelope.title, envelope.text, envelope.date, envelope.outlet, envelope.byline) == (
        "urn:newsml:wire.example:20230913:42:1", "Ship runs aground", BODY, "2023-09-13T08:05:00+00:00",
        "wire.example", "Ann Lee")


def test_news_agency_xml_entities_are_never_fetched_nor_expanded(tmp_path: Path) -> None:
    """No DTD is read and no external entity expanded; the character entities that NITF's DTD
    defines as HTML does ("&mdash;", "&eacute;") are those characters."""
    tail = ("<body><body.content><p>Tugs &mdash; three of them &mdash; came from Saint-&Eacute;tienne.</p>"
            "</body.content></body></nitf>")
    internal = ('<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
                "<nitf><head><title>&secret;Ship</title></head>" + tail)
    external = '<!DOCTYPE nitf SYSTEM "http://www.nitf.org/IPTC/NITF/3.3/nitf-3-3.dtd"><nitf>' + tail
    for number, data in enumerate((internal, external)):
        (article,) = load_many([write(tmp_path / f"item{number}.nitf", data)]).articles
        assert article.text == "Tugs — three of them — came from Saint-Étienne."
    assert load_many([tmp_path / "item0.nitf"]).articles[0].title == "Ship"

ACADEMIC_EXPORT = """                               1 of 2 DOCUMENTS


                              The Harbour Herald

                          September 13, 2023 Wednesday
                              Late Edition - Final

Ship runs aground outside the harbour

BYLINE: By Ann Lee

SECTION: News; Pg. 3

LENGTH: 48 words

DATELINE: PORTHAVEN


A cargo ship ran aground outside the harbour at dawn on Friday, the port authority said.

Tugs were trying to free the vessel before the evening tide, a spokeswoman added.

LOAD-DATE: September 14, 2023

LANGUAGE: ENGLISH

PUBLICATION-TYPE: Newspaper


                   Copyright 2023 Harbour Herald Ltd.


                               2 of 2 DOCUMENTS


                                 Port Gazette

                            September 14, 2023 Thursday

Council approves new ferry timetable

BYLINE: Bo Chan

LENGTH: 20 words


The council approved a new ferry timetable on Tuesday, adding two evening crossings from October.

URL: https://portgazette.example/ferry

LOAD-DATE: September 15, 2023

LANGUAGE: ENGLISH
"""
UNI_EXPORT = """Ship runs aground outside the harbour
The Harbour Herald
September 13, 2023 Wednesday
Late Edition - Final

Copyright 2023 Harbour Herald Ltd. All Rights Reserved
Section: News; Pg. 3
Length: 48 words
Byline: By Ann Lee
Body


A cargo ship ran aground outside the harbour at dawn on Friday, the port authority said.

Tugs were trying to free the vessel before the evening tide, a spokeswoman added.


Load-Date: September 14, 2023


End of Document
Council approves new ferry timetable
Port Gazette
September 14, 2023 Thursday

Copyright 2023 Port Gazette
Length: 20 words
Byline: Bo Chan
Body


The council approved a new ferry timetable on Tuesday, adding two evening crossings from October.


Load-Date: September 15, 2023


End of Document
"""


@pytest.mark.parametrize("export", [ACADEMIC_EXPORT, UNI_EXPORT], ids=["LexisNexis Academic", "Nexis Uni"])
def test_a_lexisnexis_text_export_is_read_document_by_document(tmp_path: Path, export: str) -> None:
    """A LexisNexis text export holds many articles, each with its outlet, date, title,
    byline and labelled metadata around the body: each document is an article."""
    path = write(tmp_path / "export.txt", export)
    ship, ferry = load_many([path]).articles
    assert (ship.title, ship.outlet, ship.date, ship.byline, ship.text) == (
        "Ship runs aground outside the harbour", "The Harbour Herald", "2023-09-13", "Ann Lee", BODY)
    assert (ferry.title, ferry.outlet, ferry.date, ferry.byline) == (
        "Council approves new ferry timetable", "Port Gazette", "2023-09-14", "Bo Chan")
    assert ferry.text == "The council approved a new ferry timetable on Tuesday, adding two evening crossings from October."
    assert ship.meta["section"] == "News; Pg. 3" and ship.meta["load-date"] == "September 14, 2023"
    assert [ship.meta["line"], ferry.meta["line"]] == [1, 2]  # named export.txt:1, export.txt:2
    with pytest.raises(IngestError, match="holds many articles"):
        load(path)


def test_a_lexisnexis_title_holding_a_date_stays_the_title(tmp_path: Path) -> None:
    export = UNI_EXPORT.replace("Ship runs aground outside the harbour", "Late surge on September 12, 2023 lifts stocks")
    ship, _ = load_many([write(tmp_path / "export.txt", export)]).articles
    assert (ship.title, ship.outlet, ship.date) == (
        "Late surge on September 12, 2023 lifts stocks", "The Harbour Herald", "2023-09-13")


FACTIVA_FIELDS = """HD Ship runs aground outside the harbour
BY By Ann Lee
WC 30 words
PD 13 September 2023
ET 08:05
SN The Harbour Herald
SC HARBH
LA English
CY (c) 2023 Harbour Herald. All rights reserved.
LP A cargo ship ran aground outside the harbour at dawn on Friday, the port authority said.
TD Tugs were trying to free the vessel before the evening tide, a spokeswoman added.
NS gdis : Disasters/Accidents
RE uk : United Kingdom
AN Document HARBH00020230913ej9d0005t

HD Council approves new ferry timetable
WC 14 words
PD 14 September 2023
SN Port Gazette
LA English
LP The council approved a new ferry timetable on Tuesday,
   adding two evening crossings from October.
AN Document PORTG00020230914ej9e000a1
"""
FACTIVA_ARTICLES = """Ship runs aground outside the harbour
By Ann Lee
30 words
13 September 2023
08:05
The Harbour Herald
HARBH
English
(c) 2023 Harbour Herald. All rights reserved.

A cargo ship ran aground outside the harbour at dawn on Friday, the port authority said.

Tugs were trying to free the vessel before the evening tide, a spokeswoman added.

Document HARBH00020230913ej9d0005t

Council approves new ferry timetable
14 words
14 September 2023
Port Gazette
PORTG
English

The council approved a new ferry timetable on Tuesday, adding two evening crossings from October.

Document PORTG00020230914ej9e000a1
"""


@pytest.mark.parametrize("export", [FACTIVA_FIELDS, FACTIVA_ARTICLES], ids=["labelled fields", "article"])
def test_a_factiva_export_is_read_document_by_document(tmp_path: Path, export: str) -> None:
    """A Factiva export ("Full Article/Report plus Indexing", or "Article"): each document an
    article with its Factiva id, headline, byline, date and time, source and body."""
    ship, ferry = load_many([write(tmp_path / "factiva.txt", export)]).articles
    assert (ship.external_id, ship.title, ship.outlet, ship.date, ship.byline, ship.text) == (
        "HARBH00020230913ej9d0005t", "Ship runs aground outside the harbour", "The Harbour Herald",
        "2023-09-13T08:05:00", "Ann Lee", BODY)
    assert (ferry.external_id, ferry.title, ferry.outlet, ferry.date) == (
        "PORTG00020230914ej9e000a1", "Council approves new ferry timetable", "Port Gazette", "2023-09-14")
    assert " ".join(ferry.text.split()) == ("The council approved a new ferry timetable on Tuesday, "
                                            "adding two evening crossings from October.")
    assert (ship.meta["source_code"], ship.meta["language"]) == ("HARBH", "English")

def test_a_json_lines_file_written_with_a_byte_order_mark_is_read_whole(tmp_path: Path) -> None:
    """Windows tools open a UTF-8 file with a byte order mark: its first record is read too,
    by the readers and by the slices dedup reads; a UTF-16 file is one clear error."""
    from newstrace.ingest.readers import plan_slices, read_slice

    lines = [record(id="a"), record(id="b", text="A different report about the ship.")]
    path = write(tmp_path / "bom.jsonl", "\ufeff" + "\n".join(lines))
    assert [a.external_id for a in load_many([path]).articles] == ["a", "b"]
    skipped: list = []
    sliced = [a.external_id for piece in plan_slices([path]) for a in read_slice(piece, on_skip=skipped.append)]
    assert sliced == ["a", "b"] and skipped == []
    utf16 = tmp_path / "utf16.jsonl"
    utf16.write_text("\n".join(lines), encoding="utf-16")
    result = load_many([utf16])
    assert result.articles == [] and [s.reason for s in result.skipped] == ["JSON Lines file is in UTF-16; save it as UTF-8"]


@pytest.mark.parametrize("name", ["a.txt.gz", "a.html.gz", "a.json.gz", "a.jsonl.gz"])
def test_gzipped_files(tmp_path: Path, name: str) -> None:
    content = {".txt": BODY, ".html": HTML, ".json": record(), ".jsonl": record()}
    path = write(tmp_path / name, content[Path(name[:-3]).suffix])
    [article] = load_many([path]).articles
    assert article.text == BODY


def test_jsonl_lines_become_articles_with_their_line_numbers(tmp_path: Path) -> None:
    lines = [record(id="a"), "", record(id="b", text="A different report about the ship.")]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines))
    result = load_many([path])
    assert [(a.external_id, a.meta["line"], a.path) for a in result.articles] == [
        ("a", 1, str(path)), ("b", 3, str(path))]
    assert result.skipped == []


def test_folders_are_read_recursively_in_order_without_hidden_files(tmp_path: Path) -> None:
    write(tmp_path / "b" / "two.txt", "Second story about the tide.")
    write(tmp_path / "a" / "one.txt", "First story about the ship.")
    write(tmp_path / ".cache" / "x.txt", "Hidden folder.")
    write(tmp_path / "a" / ".draft.txt", "Hidden file.")
    labels = [a.label for a in iter_articles([tmp_path])]
    assert labels == ["one.txt", "two.txt"]


def test_unknown_extensions_are_sniffed(tmp_path: Path) -> None:
    assert load(write(tmp_path / "page.dat", HTML)).title == "Ship runs aground"
    assert load(write(tmp_path / "notes.md", BODY)).text == BODY


def skipped(tmp_path: Path, name: str, data: str | bytes, **options: object) -> InputError:
    path = write(tmp_path / name, data)
    result = load_many([path], **options)
    assert result.articles == []
    [error] = result.skipped
    return error


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("empty.txt", b"", "empty file"),
        ("blank.html", b"  \n\n ", "empty file"),
        ("broken.html", b"<html><body><div><span></span></div>", "no article text"),
        ("menu.html", b"<html><body><nav><p>Home</p></nav><p>Subscribe</p></body></html>",
         "no article text found in the HTML (only"),
        ("broken.json", b'{"id": "x", "text": "unterminated', "malformed JSON"),
        ("list.json", b'["a", "b"]', "JSON value is a list of strs, not of article objects"),
        ("none.json", b'{"status": "ok", "totalResults": 0, "articles": []}', "JSON list holds no article"),
        ("notext.json", b'{"id": "x", "title": "  ", "text": ""}', "no text, html or title"),
    ],
)
def test_bad_inputs_are_skipped_with_a_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    error = skipped(tmp_path, name, data)
    assert error.path == str(tmp_path / name)
    assert reason in error.reason


def test_a_record_with_a_title_and_no_text_is_a_title_only_article(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.jsonl", "\n".join([
        json.dumps({"id": "t", "title": "Flynn offers to testify  in exchange for immunity.", "text": ""}),
        record(id="full")]))
    result = load_many([path])
    assert not result.skipped
    titled = result.articles[0]
    assert (titled.external_id, titled.title, titled.text) == (
        "t", "Flynn offers to testify in exchange for immunity.", "Flynn offers to testify in exchange for immunity.")


def test_latin1_text_is_decoded_by_charset_detection(tmp_path: Path) -> None:
    text = "Le café du port a rouvert vendredi, après la tempête qui a frappé la côte."
    article = load(write(tmp_path / "cafe.txt", text.encode("latin-1")))
    assert article.text == text
    assert article.meta["encoding"] == "cp1252"


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:  # sparse: 50 MB on paper, nothing on disk
        stream.truncate(50_000_000)
    started = time.perf_counter()
    [error] = load_many([path]).skipped
    assert time.perf_counter() - started < 1.0
    assert "over the 20,000,000-byte limit" in error.reason


def test_gzip_bomb_is_refused_at_the_limit(tmp_path: Path) -> None:
    error = skipped(tmp_path, "big.txt.gz", "word " * 100_000, max_bytes=10_000)
    assert "over the 10,000-byte limit" in error.reason


def test_truncated_gzip_is_skipped(tmp_path: Path) -> None:
    data = gzip.compress((BODY * 50).encode())
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(data[: len(data) // 2])
    [error] = load_many([path]).skipped
    assert "truncated or corrupt gzip" in error.reason


def test_bad_jsonl_lines_are_skipped_and_the_rest_loaded(tmp_path: Path) -> None:
    lines = [record(id="a"), "{not json", json.dumps({"id": "c"}), record(id="d", text="Tide.")]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines))
    result = load_many([path])
    assert [a.external_id for a in result.articles] == ["a", "d"]
    assert [(e.path, e.reason.split(" (")[0]) for e in result.skipped] == [
        (f"{path}:2", "malformed JSON"), (f"{path}:3", "record has no text, html or title")]


def test_duplicate_ids_with_other_content_are_skipped(tmp_path: Path) -> None:
    first = write(tmp_path / "a.jsonl", record(id="x"))
    write(tmp_path / "b.jsonl", "\n".join([record(id="x"), record(id="x", text="Other text.")]))
    result = load_many([tmp_path])
    assert len(result.articles) == 2  # the same content twice is not an error
    assert result.articles[0].id == result.articles[1].id
    [error] = result.skipped
    assert error.path == f"{tmp_path / 'b.jsonl'}:2"
    assert error.reason == f"duplicate id 'x' with other content (first seen in {first}:1)"


def test_each_record_and_file_is_its_own_publication(tmp_path: Path) -> None:
    """Identity: the record's id, else its URL, else the file (and line); the same text
    under two identities is two articles, the same record read again is one."""
    write(tmp_path / "feed.jsonl", "\n".join([
        record(id="wire-1"), record(id="blog-9"), json.dumps({"url": "https://example.org/a", "text": BODY}),
        json.dumps({"text": BODY}), record(id="wire-1")]))
    write(tmp_path / "one.txt", BODY)
    write(tmp_path / "two.txt", BODY)
    articles = load_many([tmp_path]).articles
    assert [a.key for a in articles] == [
        "id:wire-1", "id:blog-9", "url:https://example.org/a", f"path:{tmp_path / 'feed.jsonl'}:4",
        "id:wire-1", f"path:{tmp_path / 'one.txt'}", f"path:{tmp_path / 'two.txt'}"]
    assert len({a.id for a in articles}) == 6 and articles[0].id == articles[4].id
    assert {a.text for a in articles} == {BODY}
    assert load(tmp_path / "one.txt").id == articles[5].id  # read again: the same article


def test_an_edited_file_keeps_its_key_and_gets_a_new_id(tmp_path: Path) -> None:
    path = write(tmp_path / "ship.txt", BODY)
    before = load(path)
    write(path, BODY + " It was refloated on Friday.")
    after = load(path)
    assert after.key == before.key and after.id != before.id


def test_missing_path_is_reported(tmp_path: Path) -> None:
    errors: list[InputError] = []
    assert list(iter_articles([tmp_path / "nope.txt"], on_skip=errors.append)) == []
    assert errors[0].reason == "no such file or folder"


def test_load_raises_ingest_error_with_a_one_line_message(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.txt", "")
    with pytest.raises(IngestError) as raised:
        load(path)
    assert raised.value.path == str(path)
    assert str(raised.value) == f"{path}: empty file"


def test_seeds(seeds: Path) -> None:
    result = load_many([seeds])
    assert result.skipped == []
    a0, a1, a2, a3, a4 = result.articles
    assert (a0.date, a0.outlet) == ("2023-09-12", "CNN")
    assert a0.byline == "Helen Regan, Gawon Bae and Larry Register"
    assert "CNN" in a0.credits
    assert not a0.text.startswith("(CNN)") and "contributed reporting" not in a0.text
    assert a1.date == "2023-09-13"
    assert a1.title is not None and a1.title.startswith("Kim and Putin meet")
    assert any("Leave a Reply" in block for block in a1.boilerplate)
    assert "Leave a Reply" not in a1.text and a1.title not in a1.text
    assert a2.credits == ["AP"] and "(Source: Associated Press)" not in a2.text
    assert a3.credits == ["AFP"] and "(AFP)" not in a3.text
    assert a3.text.startswith("Russian President Vladimir Putin and North Korea")
    assert a4.credits == [] and "Required fields" not in a4.text
    assert all({"KCNA", "TASS"}.isdisjoint(a.credits) for a in result.articles)


def test_archives_of_article_files_are_read_file_by_file(tmp_path: Path) -> None:
    """A zip and a gzipped tar of article files, as news corpora ship them: each file read as
    it would be on its own (NITF, JSON Lines, a gzipped text), named ``ARCHIVE!/FILE``; what
    is no article is skipped with its reason, hidden files and macOS forks passed over."""
    import io
    import tarfile
    import zipfile

    with zipfile.ZipFile(tmp_path / "wires.zip", "w") as archive:
        archive.writestr("1996/1841017.xml", NITF)
        archive.writestr("1996/more.jsonl",
                         record(id="j1") + "\n" + record(id="j2", text="Tugs freed the ship.") + "\n")
        archive.writestr("1996/README.md", "# About this corpus")
        archive.writestr("1996/rows.csv", "id,text\nc1,A ship ran aground.\n")
        archive.writestr("__MACOSX/1996/._1841017.xml", b"\x00\x05\x16\x07")
        archive.writestr("1996/.DS_Store", b"\x00\x00\x00\x01Bud1")
    with tarfile.open(tmp_path / "texts.tar.gz", "w:gz") as archive:
        data = gzip.compress(BODY.encode("utf-8"))
        info = tarfile.TarInfo("day/ship.txt.gz")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    found = load_many([tmp_path])
    names = [Path(a.path).name for a in found.articles]
    assert names == ["ship.txt.gz", "1841017.xml", "more.jsonl", "more.jsonl"]
    texts, zipped = found.articles[0], found.articles[1]
    assert texts.path == f"{tmp_path / 'texts.tar.gz'}!/day/ship.txt.gz" and texts.text == BODY
    assert zipped.external_id == "1841017" and zipped.text == BODY
    assert [a.external_id for a in found.articles[2:]] == ["j1", "j2"]
    assert sorted((Path(s.path).name, s.reason.split(";")[0]) for s in found.skipped) == [
        ("README.md", "not an article format (.md)"),
        ("rows.csv", "a .csv file inside an archive is not read: unpack it to read it")]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("broken.zip", b"PK\x03\x04 cut off", "not a readable .zip archive"),
    ("broken.tgz", b"\x1f\x8b\x08\x00 cut off", "not a readable .tgz archive"),
    ("empty.zip", b"PK\x05\x06" + b"\x00" * 18, "the archive holds no article file"),
])
def test_a_broken_archive_is_one_clear_error(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = write(tmp_path / name, data)
    found = load_many([path])
    assert not found.articles and [str(skip.path) for skip in found.skipped] == [str(path)]
    assert reason in found.skipped[0].reason


JINA_PAGE = f"""Title: Ship runs aground outside the harbour

URL Source: https://harbourherald.example/news/ship

Published Time: 2023-09-13T08:05:00+00:00

Markdown Content:
# Ship runs aground outside the harbour

![Image 1: The ship at dawn](https://harbourherald.example/img/ship.jpg)

A cargo ship ran aground outside the [harbour](https://harbourherald.example/tags/harbour)
at dawn on Friday, the **port authority** said.

Tugs were trying to free the vessel before the evening tide, a [spokeswoman](/people/spokeswoman "Profile")
added.
"""


def test_markdown_as_llm_scrapers_write_it_is_read_as_plain_text(tmp_path: Path) -> None:
    """A page as Jina Reader writes it (its head's title, address and date, then Markdown) and
    a Firecrawl result (``markdown`` beside ``metadata``): links read as their words, images
    and emphasis marks left out, the heading taken as the title."""
    page = load(write(tmp_path / "ship.txt", JINA_PAGE))
    assert (page.title, page.url, page.date, page.text) == (
        "Ship runs aground outside the harbour", "https://harbourherald.example/news/ship",
        "2023-09-13T08:05:00+00:00", BODY)
    firecrawl = {"markdown": JINA_PAGE.split("Markdown Content:\n")[1],
                 "metadata": {"title": "Ship runs aground outside the harbour", "ogSiteName": "Harbour Herald",
                              "sourceURL": "https://harbourherald.example/news/ship",
                              "publishedTime": "2023-09-13T08:05:00Z"}}
    (scraped,) = load_many([write(tmp_path / "scraped.jsonl", json.dumps(firecrawl) + "\n")]).articles
    assert (scraped.text, scraped.url, scraped.outlet, scraped.date) == (
        BODY, "https://harbourherald.example/news/ship", "Harbour Herald", "2023-09-13T08:05:00+00:00")


def test_a_plain_text_with_a_stray_markdown_sign_stays_as_it_is(tmp_path: Path) -> None:
    text = ("The #1 seed fell in the first round [sic], the coach said.\n\n"
            "__init__ was the file's name. Tickets are on sale (see [the club's site](https://club.example/tickets)).")
    assert load(write(tmp_path / "brief.txt", text)).text == text


def test_markdown_pages_a_scraper_saved_are_read_from_a_folder_and_notes_are_not(tmp_path: Path) -> None:
    """Jina Reader's pages saved as ``.md`` files among notes: the pages (their head says so)
    are articles, a README is skipped with its reason."""
    write(tmp_path / "pages" / "ship.md", JINA_PAGE)
    write(tmp_path / "pages" / "README.md",
          "# Notes\n\nCollected with [a scraper](https://scraper.example) on **Friday**.")
    found = load_many([tmp_path / "pages"])
    assert [(a.title, a.text) for a in found.articles] == [("Ship runs aground outside the harbour", BODY)]
    assert [(Path(s.path).name, s.reason.split(";")[0]) for s in found.skipped] == [
        ("README.md", "not an article format (.md)")]


def test_one_news_item_in_an_xml_file_loads_as_one_article(tmp_path: Path) -> None:
    """``load`` (and ``newstrace compare``) take an XML file of one news item; a message of
    several is many articles."""
    assert load(write(tmp_path / "1841017.xml", NITF)).external_id == "1841017"
    with pytest.raises(IngestError, match="holds many articles"):
        load(write(tmp_path / "message.xml", NEWSML_G2))


LABELLED_BODY = ("Crews restored power to about 12,000 of the 40,000 homes cut off by the storm, the county said.\n\n"
                 "Update: schools stay closed on Wednesday.\n")


@pytest.mark.parametrize("head, expected", [
    ("Title: Storm cuts power in Halden\nDate: 2026-03-04\nSource: Northern Wire\n\n",
     {"title": "Storm cuts power in Halden", "date": "2026-03-04", "outlet": "Northern Wire"}),
    ("Headline: Storm cuts power in Halden\nPublished: March 4, 2026\nBy: Ann Lee\nBy: Tom Berg\n"
     "URL: https://wire.example/storm\nSection: Weather\n\n",
     {"title": "Storm cuts power in Halden", "date": "2026-03-04", "byline": "Ann Lee, Tom Berg",
      "url": "https://wire.example/storm", "outlet": "wire.example", "meta": {"section": "Weather"}}),
    ("Title: Storm cuts power in Halden\n\nSource: https://wire.example/storm\n\nPublished Time: 2026-03-04T14:05:00Z\n\n",
     {"title": "Storm cuts power in Halden", "date": "2026-03-04T14:05:00+00:00", "url": "https://wire.example/storm"}),
    ("Title: Storm cuts power in Halden\n\n", {"title": "Storm cuts power in Halden", "date": None}),
    ("Title: Storm cuts power in Halden\n", {"title": "Storm cuts power in Halden", "outlet": None}),
])
def test_a_text_file_opening_with_labelled_lines_is_read_as_a_record(tmp_path: Path, head: str, expected: dict) -> None:
    """A text file whose head labels its fields ("Title:", "Date:", "Source:", "By:", "URL:"),
    as plain-text exports and hand-made collections write them: the fields are the
    article's, the head is not in its text, the body is."""
    path = tmp_path / "storm.txt"
    path.write_text(head + LABELLED_BODY, encoding="utf-8")
    article = load(path)
    assert article.text == LABELLED_BODY.strip()
    for name, value in expected.items():
        if name == "meta":
            assert value.items() <= article.meta.items()
        else:
            assert getattr(article, name) == value, name
    assert article.key == (f"url:{expected['url']}" if "url" in expected else f"path:{path.resolve()}")


@pytest.mark.parametrize("text", [
    "Update: the county reopened Highway 14 at 5 p.m.\n\nCrews cleared the debris by the evening.\n",
    "Source: officials in Halden said on Tuesday that the storm had cut power to about forty thousand homes, "
    "and that crews from three utilities were on their way.\nDate: tomorrow\n\nMore follows.\n",
    "date 2026-03-04 By Ann Lee, Northern Wire\n\nCrews restored power to about 12,000 homes.\n",
])
def test_a_text_opening_with_prose_after_a_colon_keeps_its_text(tmp_path: Path, text: str) -> None:
    """A first line that only looks like a label (an update line, a sentence with a colon)
    is the article's own text, and the cleaner's "date ... By" head line is read as before."""
    path = tmp_path / "note.txt"
    path.write_text(text, encoding="utf-8")
    article = load(path)
    assert article.outlet is None or text.startswith("date") and article.outlet == "Northern Wire"
    if text.startswith("date"):
        assert article.date == "2026-03-04" and article.byline == "Ann Lee"
    else:
        assert article.text.splitlines()[0] in text.splitlines()[:2] and article.date is None


def test_a_json_list_of_articles_and_news_api_responses_are_read_article_by_article(tmp_path: Path) -> None:
    """A .json file holding a list of article objects, or a news API's response (NewsAPI's
    ``articles`` with its cut ``content``, the Guardian's ``response.results``, an
    Elasticsearch search's ``hits.hits``): each object an article named ``FILE:N`` by its
    place, a bad one skipped with its place; one article object is read as before."""
    body = "Crews restored power to about 12,000 of the 40,000 homes cut off by the storm, the county said."
    newsapi = {"status": "ok", "totalResults": 2, "articles": [
        {"source": {"id": "reuters", "name": "Reuters"}, "author": "Ann Lee", "title": "Storm cuts power",
         "url": "https://wire.example/storm", "publishedAt": "2026-03-04T14:05:00Z", "content": body + "… [+2345 chars]"},
        {"source": {"id": None, "name": "Coastline"}, "title": "Ice and snow", "url": "https://coast.example/ice",
         "publishedAt": "2026-03-05T08:00:00Z", "content": "Schools stay closed across the county on Wednesday."}]}
    guardian = {"response": {"status": "ok", "results": [
        {"id": "world/2026/mar/04/storm", "webTitle": "Storm in Halden", "webUrl": "https://guardian.example/storm",
         "webPublicationDate": "2026-03-04T15:00:00Z", "fields": {"bodyText": body, "byline": "Tom Berg"}}]}}
    search = {"took": 3, "hits": {"total": {"value": 1}, "hits": [
        {"_index": "news", "_id": "n-1", "_source": {"title": "Storm", "text": body, "date": "2026-03-04"}}]}}
    listed = [{"id": "a", "text": body}, "not an article", {"id": "b", "text": body + " More follows."}]
    for name, value in [("newsapi.json", newsapi), ("guardian.json", guardian), ("search.json", search), ("list.json", listed)]:
        (tmp_path / name).write_text(json.dumps(value), encoding="utf-8")
    result = load_many([tmp_path])
    found = {(Path(a.path).name, a.meta.get("line")): a for a in result.articles}
    assert sorted(found) == [("guardian.json", 1), ("list.json", 1), ("list.json", 3), ("newsapi.json", 1),
                             ("newsapi.json", 2), ("search.json", 1)]
    first = found[("newsapi.json", 1)]
    assert (first.text, first.outlet, first.date, first.byline, first.url) == (
        body, "Reuters", "2026-03-04T14:05:00+00:00", "Ann Lee", "https://wire.example/storm")
    assert (found[("guardian.json", 1)].title, found[("guardian.json", 1)].byline) == ("Storm in Halden", "Tom Berg")
    assert found[("search.json", 1)].external_id == "n-1" and found[("list.json", 3)].external_id == "b"
    assert [(e.path, e.reason) for e in result.skipped] == [
        (f"{tmp_path / 'list.json'}:2", "JSON value is a str, not an object")]
    with pytest.raises(IngestError, match="holds many articles"):
        load(tmp_path / "newsapi.json")
    (tmp_path / "one.json").write_text(json.dumps({"id": "x", "text": body, "results": [1, 2]}), encoding="utf-8")
    assert load(tmp_path / "one.json").external_id == "x"


def test_json_lines_in_a_json_file_are_read_line_by_line(tmp_path: Path) -> None:
    """A ``.json`` file written as JSON Lines (as many datasets name theirs) is read as JSON
    Lines, each line an article ``FILE:N``, a bad line skipped with its number; a JSON
    object written over several lines is still one article."""
    lines = [json.dumps({"id": "a", "text": "The council met on Monday to discuss the new bridge."}), "{broken",
             json.dumps({"id": "b", "text": "The bridge will open in May, the council said on Tuesday."})]
    (tmp_path / "train.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps({"id": "c", "text": "A single report of the vote."}, indent=2),
                                       encoding="utf-8")
    result = load_many([tmp_path])
    assert sorted((a.external_id, a.meta.get("line")) for a in result.articles) == [("a", 1), ("b", 3), ("c", None)]
    [error] = result.skipped
    assert error.path == f"{tmp_path / 'train.json'}:2" and "malformed JSON" in error.reason


def test_a_csv_written_with_semicolons_is_read_by_its_own_delimiter(tmp_path: Path) -> None:
    """A spreadsheet set to a European locale writes ``;`` between the columns of a .csv:
    its rows are read (a ``;`` inside a quoted text stays), as a comma-separated file's are."""
    text = "Crews restored power; the county said schools stay closed on Wednesday."
    (tmp_path / "semi.csv").write_text(f'id;title;text;date;outlet\n1;Storm;"{text}";04.03.2026;Reuters\n',
                                       encoding="utf-8")
    (tmp_path / "comma.csv").write_text(f'id,title,text\n2,"Storm; day two","{text}"\n', encoding="utf-8")
    result = load_many([tmp_path])
    found = {a.external_id: a for a in result.articles}
    assert not result.skipped and found["1"].text == found["2"].text == text
    assert (found["1"].title, found["1"].date, found["1"].outlet) == ("Storm", "2026-03-04", "Reuters")
    assert found["2"].title == "Storm; day two"


def test_a_record_with_a_summary_and_no_body_has_the_summary_as_its_text(tmp_path: Path) -> None:
    """News datasets and APIs without the body give a headline and its summary (HuffPost's
    ``short_description``, NewsAPI's ``description`` with no ``content``): the summary is the
    article's text, not the headline alone; a body, when there is one, comes first."""
    rows = [{"link": "https://news.example/a", "headline": "Storm cuts power to 40,000 homes",
             "short_description": "Crews from three utilities worked through the night in Halden County.",
             "authors": "Ann Lee", "date": "2026-03-04"},
            {"title": "Ice and snow", "description": "A short teaser.", "content": "The full report of the storm."},
            {"title": "Headline only", "description": "  "}]
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    first, second, third = load_many([path]).articles
    assert (first.title, first.text, first.byline) == (
        "Storm cuts power to 40,000 homes", "Crews from three utilities worked through the night in Halden County.",
        "Ann Lee")
    assert second.text == "The full report of the storm." and third.text == "Headline only"


@pytest.mark.parametrize(("written", "read"), [
    ("Wed Sep 13 14:05:00 +0000 2023", "2023-09-13T14:05:00+00:00"),  # the Twitter (X) API's
    ("13-Sep-2023", "2023-09-13"),  # spreadsheets' and databases' day-month-year
    ("Mi, 13.09.2023", "2023-09-13"),  # a day's name before numbers, in German
    ("Wed 09/13/2023", "2023-09-13"),
    ("Sept 2023", None),  # a month is no day
])
def test_a_record_date_in_the_spellings_of_apis_and_exports_is_read(tmp_path: Path, written: str,
                                                                   read: str | None) -> None:
    line = json.dumps({"id": "t", "date": written, "text": BODY})
    assert load_many([write(tmp_path / "posts.jsonl", line)]).articles[0].date == read
