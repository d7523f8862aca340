"""Publication dates, titles and outlets read from real web pages.

Runs ``newstrace.ingest.readers.load()`` on the pages of the Zyte article-extraction benchmark
(``../shared/datasets/article-extraction-benchmark``, 181 pages as crawled in 2019) and
checks what it reads about each page:

* **dates**: a gold date is derived from the page's own explicit statements, where they are
  unambiguous: the date in the page's URL (``/2019/11/19/``, ``/20191119``) when it has one
  (and no metadata timestamp is more than a day away from it), else the calendar day of the
  ``<meta>`` ``article:published_time`` / ``datePublished`` and JSON-LD ``datePublished``
  values when they all agree; pages with neither, or whose sources disagree, get no gold date
  and are counted apart. Each page is read twice: as crawled, and *stripped* (every
  ``<meta>``, JSON-LD block, ``<time>`` and ``<link>`` removed, no URL), which leaves only the
  visible text and so tests the fallbacks. Printed: error rate (a wrong date), missing rate,
  beside trafilatura's own date (its defaults, as newstrace used before) and htmldate's
  ``find_date`` defaults on the same pages.
* **titles and outlets**: how many titles are only separators or punctuation, only a date, the
  site's name or a word like "home", and how many outlets are a copyright line or a date,
  beside trafilatura's title and sitename.

Note the gold dates come from the same metadata newstrace reads first, so the "as crawled"
figure checks the reading order and the rejection rules rather than date finding; the
"stripped" figure is the one that measures finding a date in text.

    python benchmarks/bench_dates.py [--data DIR] [--limit N] [--show K] [--no-assert]

Exits non-zero when the as-crawled error rate is over ``--max-error`` (default 0.03), or any
title or outlet is junk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura
from htmldate import find_date
from lxml import html as lxml_html

from newstrace.ingest.readers import IngestError, load
from newstrace.ingest.pagemeta import url_date

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
GOLD_META = ("article:published_time", "datepublished")
JUNK_TITLE = re.compile(r"^[\W_]*$")
DATE_ONLY = re.compile(
    r"^\W*(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*\W+)?(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?(?: of)? [a-z]+ \d{4}|[a-z]+ \d{1,2}(?:st|nd|rd|th)?,? \d{4})\W*$",
    re.IGNORECASE,
)
GENERIC = {"home", "homepage", "index", "untitled", "news", "welcome"}


# --- gold dates -------------------------------------------------------------------------------


def _day(value: str) -> dt.date | None:
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def explicit_dates(tree: lxml_html.HtmlElement) -> list[dt.date]:
    """The calendar days the page's publication metadata states."""
    days = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in GOLD_META and meta.get("content"):
            days.append(_day(meta.get("content")))
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            for found in re.findall(r'"datePublished"\s*:\s*"([^"]+)"', script.text):
                days.append(_day(found))
    return [day for day in days if day]


def gold_date(tree: lxml_html.HtmlElement, url: str) -> tuple[dt.date | None, str]:
    """The page's unambiguous own date and where it was read ("url", "meta"), or a reason."""
    stated = explicit_dates(tree)
    in_url = url_date(url)
    if in_url is not None:
        if all(abs((day - in_url).days) <= 1 for day in stated):
            return in_url, "url"
        return None, "url and metadata disagree"
    if not stated:
        return None, "no explicit date"
    if len(set(stated)) > 1:
        return None, "metadata disagree"
    return stated[0], "meta"


def strip_metadata(html: bytes) -> bytes:
    """The page without its metadata: no ``<meta>`` (but the charset), JSON-LD, ``<time>``
    or ``<link>``."""
    tree = lxml_html.document_fromstring(html)
    metas = [m for m in tree.iter("meta") if m.get("charset") is None and (m.get("http-equiv") or "").lower() != "content-type"]
    for element in metas + list(tree.iter("link", "time")) + [
        s for s in tree.iter("script") if (s.get("type") or "").lower() == "application/ld+json"
    ]:
        element.drop_tree()
    return lxml_html.tostring(tree, encoding="utf-8")


# --- scoring ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """Dates read against gold: right, wrong, missing."""

    name: str
    right: int = 0
    wrong: int = 0
    far: int = 0  #: wrong by more than a day (not a time-zone difference)
    missing: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, got: str | None, gold: dt.date, page: str) -> None:
        day = _day(got) if got else None
        if day is None:
            self.missing += 1
        elif day == gold:
            self.right += 1
        else:
            self.wrong += 1
            self.far += abs((day - gold).days) > 1
            self.examples.append(f"{page}: read {day}, gold {gold}")

    def line(self) -> str:
        total = self.right + self.wrong + self.missing
        return (f"{self.name:<34} {total:>4} pages  error rate {self.wrong / total:6.1%} "
                f"(over a day off {self.far / total:6.1%})  missing {self.missing / total:6.1%}  "
                f"right {self.right / total:6.1%}")

    @property
    def error_rate(self) -> float:
        total = self.right + self.wrong + self.missing
        return self.wrong / total if total else 0.0


def junk_title(title: str | None, site: str | None, host: str) -> str | None:
    """Why a title is junk, or ``None``."""
    if not title:
        return None  # no title is honest; judged apart
    key = re.sub(r"\W+", "", title.casefold())
    if JUNK_TITLE.match(title):
        return "separators only"
    if DATE_ONLY.match(title):
        return "a date"
    if key in GENERIC:
        return "generic"
    if key and (key == re.sub(r"\W+", "", (site or "").casefold()) or key == re.sub(r"\W+", "", host.split(".")[0])):
        return "the site name"
    return None


def junk_outlet(outlet: str | None) -> str | None:
    if not outlet:
        return None
    if re.search(r"©|copyright|all rights reserved", outlet, re.IGNORECASE):
        return "a copyright line"
    if re.search(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}", outlet):
        return "holds a date"
    if JUNK_TITLE.match(outlet):
        return "separators only"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED / "datasets" / "article-extraction-benchmark")
    parser.add_argument("--limit", type=int, default=None, help="Read only the first N pages.")
    parser.add_argument("--show", type=int, default=5, help="Print up to K wrong dates per reader.")
    parser.add_argument("--max-error", type=float, default=0.03, help="Target: as-crawled error rate.")
    parser.add_argument("--no-assert", action="store_true", help="Only print the figures.")
    args = parser.parse_args()
    if not (args.data / "ground_truth.jsonl").exists():
        print(f"no benchmark data at {args.data}", file=sys.stderr)
        return 2
    with (args.data / "ground_truth.jsonl").open(encoding="utf-8") as stream:
        pages = [json.loads(line) for line in stream][: args.limit]

    tallies = {name: Tally(name) for name in (
        "newstrace, as crawled", "newstrace, metadata stripped",
        "trafilatura defaults, as crawled", "htmldate defaults, as crawled",
        "trafilatura defaults, stripped", "htmldate defaults, stripped")}
    no_gold: dict[str, int] = {}
    gold_sources: dict[str, int] = {}
    junk = {"newstrace titles": [], "trafilatura titles": [], "newstrace outlets": [], "trafilatura outlets": []}
    untitled = {"newstrace": 0, "trafilatura": 0}
    seconds = {"newstrace": 0.0, "trafilatura": 0.0}
    tmp = Path(sys.argv[0]).resolve().parent / ".bench_dates_tmp.html"
    try:
        for page in pages:
            path = args.data / page["html"]
            raw = gzip.decompress(path.read_bytes())
            tree = lxml_html.document_fromstring(raw)
            host = re.sub(r"^www\.", "", page["url"].split("/")[2])
            started = time.perf_counter()
            try:
                article = load(path)
            except IngestError:
                article = None
            seconds["newstrace"] += time.perf_counter() - started
            started = time.perf_counter()
            document = trafilatura.bare_extraction(raw.decode("utf-8", "replace"), with_metadata=True)
            seconds["trafilatura"] += time.perf_counter() - started
            for name, title, site in (("newstrace", article and article.title, article and article.outlet),
                                      ("trafilatura", document and document.title, document and document.sitename)):
                reason = junk_title(title, site, host)
                untitled[name] += not title
                if reason:
                    junk[f"{name} titles"].append(f"{page['id'][:10]} {host}: {title!r} ({reason})")
                reason = junk_outlet(site)
                if reason:
                    junk[f"{name} outlets"].append(f"{page['id'][:10]} {host}: {site!r} ({reason})")

            gold, source = gold_date(tree, page["url"])
            if gold is None:
                no_gold[source] = no_gold.get(source, 0) + 1
                continue
            gold_sources[source] = gold_sources.get(source, 0) + 1
            label = f"{page['id'][:10]} {host}"
            tallies["newstrace, as crawled"].add(article.date if article else None, gold, label)
            tallies["trafilatura defaults, as crawled"].add(document.date if document else None, gold, label)
            tallies["htmldate defaults, as crawled"].add(find_date(raw), gold, label)
            stripped = strip_metadata(raw)
            tmp.write_bytes(stripped)
            try:
                tallies["newstrace, metadata stripped"].add(load(tmp).date, gold, label)
            except IngestError:
                tallies["newstrace, metadata stripped"].add(None, gold, label)
            document = trafilatura.bare_extraction(stripped.decode("utf-8", "replace"), with_metadata=True)
            tallies["trafilatura defaults, stripped"].add(document.date if document else None, gold, label)
            tallies["htmldate defaults, stripped"].add(find_date(stripped), gold, label)
    finally:
        tmp.unlink(missing_ok=True)

    print(f"{len(pages)} pages; gold dates for {sum(gold_sources.values())} "
          f"({', '.join(f'{n} from {s}' for s, n in gold_sources.items())}); "
          f"none for {sum(no_gold.values())} ({', '.join(f'{n} {s}' for s, n in no_gold.items())})")
    for tally in tallies.values():
        print(tally.line())
    for tally in tallies.values():
        for example in tally.examples[: args.show]:
            print(f"  wrong ({tally.name}): {example}")
    print(f"\ntitles and outlets on all {len(pages)} pages:")
    for name, found in junk.items():
        print(f"  {name}: {len(found)} junk" + (f" ({untitled[name.split()[0]]} pages without a title)"
                                                 if name.endswith("titles") else ""))
        for line in found[: args.show]:
            print(f"    {line}")
    print(f"\nseconds per page: newstrace load() {seconds['newstrace'] / len(pages):.3f}, "
          f"trafilatura bare_extraction alone {seconds['trafilatura'] / len(pages):.3f}")

    failed = []
    if tallies["newstrace, as crawled"].error_rate > args.max_error:
        failed.append(f"as-crawled date error rate over {args.max_error:.0%}")
    if junk["newstrace titles"] or junk["newstrace outlets"]:
        failed.append("junk titles or outlets")
    if failed and not args.no_assert:
        print("target missed: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
