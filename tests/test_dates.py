"""Dates, titles and outlets of web pages, read through ``load()`` from small pages written
the way real sites write them (US and day-first sites, ISO, weekdays, meta tags, JSON-LD,
URLs), and on the real pages of the extraction benchmark."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from newstrace.ingest.readers import load
from newstrace.ingest.pagemeta import clean_outlet, clean_title, month_first, page_meta, read_date

BODY = (
    "<p>A tram derailed in Velden on Sunday morning after a points failure near the central station, "
    "the city's transport operator said in a statement.</p>"
    "<p>Nobody was hurt, but services on two lines were suspended for most of the day while engineers "
    "inspected the track and moved the damaged carriage to a depot.</p>"
    "<p>The operator said it would publish a report on the cause within a month.</p>"
)


def page(tmp_path: Path, head: str = "", top: str = "", lang: str | None = None, name: str = "page.html",
         mtime: dt.date | None = None) -> Path:
    """A news page with ``head`` in its head and ``top`` above the story."""
    lang_attr = f' lang="{lang}"' if lang else ""
    path = tmp_path / name
    path.write_text(f"<!DOCTYPE html><html{lang_attr}><head>{head}</head><body><article>{top}"
                    f"<h1>Tram derails in Velden</h1>{BODY}</article></body></html>", encoding="utf-8")
    if mtime is not None:
        stamp = dt.datetime.combine(mtime, dt.time(12)).timestamp()
        os.utime(path, (stamp, stamp))
    return path


# --- dates ----------------------------------------------------------------------------------


def test_a_us_page_reads_an_ambiguous_date_month_first(tmp_path: Path) -> None:
    path = page(tmp_path, lang="en-US", top="<p>Article Launched: 01/06/2008 03:15:25 AM PST</p>")
    article = load(path)
    assert article.date == "2008-01-06" and article.meta["date_source"] == "text"


def test_a_british_page_reads_it_day_first(tmp_path: Path) -> None:
    path = page(tmp_path, lang="en-GB", top="<p>Published: 01/06/2008 10:15</p>")
    assert load(path).date == "2008-06-01"


def test_plain_english_goes_by_the_host() -> None:
    assert month_first("en", "https://www.ledger-enquirer.com/news/story.html")
    assert not month_first("en", "https://www.independent.ie/news/story.html")
    assert not month_first("fr", "https://www.lemonde.com/x") and month_first("en-us", None)


def test_a_date_that_reads_one_way_only_is_read_that_way(tmp_path: Path) -> None:
    path = page(tmp_path, lang="en-US", top="<p>Posted: 15/01/2008</p>")
    assert load(path).date == "2008-01-15"


def test_a_date_written_year_first_with_slashes_is_read(tmp_path: Path) -> None:
    path = page(tmp_path, lang="en-GB", top="<p>Posted: 2008/01/06 10:15</p>")
    assert load(path).date == "2008-01-06"


def test_the_weekday_settles_an_ambiguous_date(tmp_path: Path) -> None:
    # 1 August 2008 was a Friday, 8 January 2008 a Tuesday: the weekday wins over en-GB.
    path = page(tmp_path, lang="en-GB", top="<p>Published: Tuesday, 01/08/2008</p>")
    assert load(path).date == "2008-01-08"


def test_meta_published_time_comes_before_the_visible_text(tmp_path: Path) -> None:
    head = '<meta property="article:published_time" content="2008-01-07T23:40:00-08:00">'
    path = page(tmp_path, head=head, lang="en-GB", top="<p>Posted 01/06/2008</p>")
    assert load(path).date == "2008-01-07"  # the calendar day it was written for, not UTC's


def test_json_ld_date_published(tmp_path: Path) -> None:
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "Tram derails"},
        {"@type": "NewsArticle", "headline": "Tram derails in Velden", "datePublished": "2019-11-19T08:00:00Z",
         "publisher": {"@type": "Organization", "name": "Velden Post"}},
    ]}
    path = page(tmp_path, head=f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    article = load(path)
    assert article.date == "2019-11-19" and article.outlet == "Velden Post"
    assert article.meta["date_source"] == "json-ld"


def test_time_element(tmp_path: Path) -> None:
    path = page(tmp_path, top='<time datetime="2021-03-04T09:00">4 March</time>')
    assert load(path).date == "2021-03-04"


def test_the_pages_own_url_dates_it_but_never_an_image_path(tmp_path: Path) -> None:
    image = '<img src="https://www.example.com/images/2004/11/30/photo.jpg" alt="">'
    assert load(page(tmp_path, top=image, name="a.html")).date is None
    canonical = '<link rel="canonical" href="https://www.example.com/news/2008/01/06/tram-derails/">'
    assert load(page(tmp_path, head=canonical, top=image, name="b.html")).date == "2008-01-06"


def test_a_weekday_alone_is_no_date_but_a_full_one_is() -> None:
    assert read_date("Tuesday") is None
    assert read_date("Tuesday 15th of January 2008") == dt.date(2008, 1, 15)
    assert read_date("January 6, 2008") == dt.date(2008, 1, 6) == read_date("6 January 2008")
    assert read_date("2008-01-06T03:15:25Z") == dt.date(2008, 1, 6)
    assert read_date("01/06/2008") == dt.date(2008, 1, 6) and read_date("01.06.2008", mdy=False) == dt.date(2008, 6, 1)


def test_a_date_after_the_crawl_or_before_1990_is_rejected(tmp_path: Path) -> None:
    future = '<meta property="article:published_time" content="2008-03-01T10:00:00Z">'
    path = page(tmp_path, head=future, lang="en-US", top="<p>Posted 01/06/2008</p>", mtime=dt.date(2008, 2, 1),
                name="saved.html")
    assert load(path).date == "2008-01-06"  # saved on 1 February 2008: March is a misreading
    ancient = '<meta name="date" content="1970-01-01">'
    assert load(page(tmp_path, head=ancient, name="epoch.html")).date is None


# --- titles and outlets ----------------------------------------------------------------------


def test_a_title_of_separators_gives_way_to_the_headline(tmp_path: Path) -> None:
    path = page(tmp_path, head="<title>|  |  |  |</title>")
    assert load(path).title == "Tram derails in Velden"


def test_titles_that_are_a_date_home_or_the_site_are_refused() -> None:
    assert clean_title("|  |  |  |") is None
    assert clean_title("home") is None and clean_title("Home") is None
    assert clean_title("Tuesday 15th of January 2008") is None
    assert clean_title("Ledger-Enquirer.com", ["Ledger-Enquirer.com"]) is None
    assert clean_title("Tram derails in Velden | Velden Post", ["Velden Post"]) == "Tram derails in Velden"
    assert clean_title("Velden Post - Tram derails in Velden", ["Velden Post"]) == "Tram derails in Velden"
    assert clean_title("Brexit: May loses vote - BBC News", ["BBC News"]) == "Brexit: May loses vote"


def test_og_title_is_cleaned_of_the_site_name(tmp_path: Path) -> None:
    head = ('<meta property="og:title" content="Tram derails in Velden | The Velden Post">'
            '<meta property="og:site_name" content="The Velden Post">')
    article = load(page(tmp_path, head=head))
    assert article.title == "Tram derails in Velden" and article.outlet == "The Velden Post"


def test_an_outlet_is_never_a_copyright_line(tmp_path: Path) -> None:
    head = ('<meta property="og:site_name" content="© 2004 Independent News &amp; Media">'
            '<link rel="canonical" href="https://www.independent.ie/world-news/tram-derails-123.html">')
    assert load(page(tmp_path, head=head)).outlet == "independent.ie"
    assert clean_outlet("© 2004 Independent News & Media") is None
    assert clean_outlet("Copyright 2008 The Herald. All rights reserved") is None
    assert clean_outlet("Ledger-Enquirer.com | 01/07/2008") == "Ledger-Enquirer.com"


def test_page_meta_names_where_the_date_was_read() -> None:
    html = '<html lang="en-US"><body><h1>Tram derails</h1><p>By Ann Lee - Jan 6, 2008</p></body></html>'
    meta = page_meta(html)
    assert (meta.date, meta.date_source, meta.title) == ("2008-01-06", "text", "Tram derails")


# --- real pages ------------------------------------------------------------------------------

EXTRACTION = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "article-extraction-benchmark"


@pytest.mark.skipif(not (EXTRACTION / "ground_truth.jsonl").exists(),
                    reason="../shared/datasets/article-extraction-benchmark is absent")
def test_real_pages_dated_in_their_url_are_dated_right_and_titled() -> None:
    from newstrace.ingest.pagemeta import url_date

    pages = [json.loads(line) for line in (EXTRACTION / "ground_truth.jsonl").open(encoding="utf-8")]
    dated = [p for p in pages if url_date(p["url"])][:12]
    assert len(dated) >= 10
    for gold in dated:
        article = load(EXTRACTION / gold["html"])
        assert article.date is not None, gold["url"]
        assert abs(dt.date.fromisoformat(article.date) - url_date(gold["url"])) <= dt.timedelta(days=1), gold["url"]
        assert article.title and any(c.isalpha() for c in article.title) and read_date(article.title) is None
        assert article.outlet and "©" not in article.outlet


def test_a_copyright_line_is_neither_outlet_nor_author(tmp_path: Path) -> None:
    head = '<meta name="author" content="© 2004 Independent News &amp; Media">'
    article = load(page(tmp_path, head=head))
    assert article.byline is None and (article.outlet is None or "©" not in article.outlet)
