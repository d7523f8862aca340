"""Precision on real pages from many sites: stories that are not one event, copies that are not copies.

The 181 pages of ``../shared/datasets/article-extraction-benchmark`` are web pages as crawled,
from about 150 sites, mostly news of one week of November 2019 plus older blog and company
pages. Few of them report the same event, and none was copied from another. That makes them
a test of what the labelled event sets cannot show, because every article there has
companions: whether newstrace puts unrelated articles of one topic ("deals", "sports
round-up", "Hong Kong") into one story and counts them as independent reports of it, and
whether site furniture that extraction left in (newsletter promos, "About us" paragraphs)
makes two pages of one site a ``partial`` copy.

Labels: ``benchmarks/gold/extraction_pages_events.json`` (which pages report one event, and
which are on one topic, where merging or splitting are both defensible). Printed:

* derived relations (each one an error: none of the pages was copied from another);
* story pairs: how many pairs of pages share a story that report different events (false
  merges), and how many pairs of one event are split; pair precision and recall;
* stories whose independent-report count is higher than the number of events in them (a
  fact-checker would read "5 independent reports" where there is one, or none).

    python benchmarks/bench_real_pages.py                 # analyse the pages (in memory)
    python benchmarks/bench_real_pages.py --report r.json # score a saved JSON report

To score another revision, put its ``src`` first: ``PYTHONPATH=/tmp/base/src python ...``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT.parent / "shared" / "datasets" / "article-extraction-benchmark" / "html"
GOLD = ROOT / "benchmarks" / "gold" / "extraction_pages_events.json"


def page_name(path: str) -> str:
    """A page's label in the gold file: the first 8 characters of its file name."""
    return Path(path).name[:8]


def analysed_report(report_path: Path | None) -> dict:
    """The JSON report of the pages: read from ``report_path``, or made now."""
    if report_path is not None:
        return json.loads(report_path.read_text(encoding="utf-8"))
    import newstrace
    from newstrace.report import to_dict

    started = time.perf_counter()
    report = newstrace.analyze([PAGES])
    print(f"analysed {len(report.articles)} pages in {time.perf_counter() - started:.1f} s")
    return to_dict(report)


def gold_pairs(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for group in groups for pair in itertools.combinations(group, 2)}


def score(report: dict, gold: dict) -> dict:
    """Derived relations, story pair counts and inflated stories against the labels."""
    name = {a["id"]: page_name(a["path"]) for a in report["articles"]}
    title = {a["id"]: (a.get("title") or "")[:70] for a in report["articles"]}
    same, related = gold_pairs(gold["same_event"]), gold_pairs(gold["related"])
    derived = [r for r in report["relations"] if r["relation"] in ("duplicate", "copy", "paraphrase", "partial")]
    together = {frozenset((name[x], name[y])) for s in report["stories"]
                for x, y in itertools.combinations(s["article_ids"], 2)}
    false_merges = together - same - related
    found = together & same
    event_of = {page: n for n, group in enumerate(gold["same_event"]) for page in group}
    inflated = []
    for story in report["stories"]:
        pages = [name[i] for i in story["article_ids"]]
        events = len({event_of.get(p, p) for p in pages})
        if len(story["independent_ids"]) > 1 and len(pages) > 1:
            unrelated = [p for p in pages if not any(frozenset((p, q)) in same | related for q in pages if q != p)]
            if unrelated:
                inflated.append((len(story["independent_ids"]), events, [title[i] for i in story["article_ids"]]))
    return {
        "pages": len(report["articles"]), "derived": derived, "name": name, "title": title,
        "together": len(together), "false_merges": sorted(tuple(sorted(p)) for p in false_merges),
        "same_pairs": len(same), "same_found": len(found),
        "precision": len(found) / (len(found) + len(false_merges)) if found or false_merges else 1.0,
        "recall": len(found) / len(same) if same else 1.0,
        "inflated": inflated,
    }


def print_score(result: dict) -> None:
    print(f"\n{result['pages']} pages")
    print(f"derived relations (all errors): {len(result['derived'])}")
    for r in result["derived"]:
        first = (r["passages"][0].get("a_text", "") if r["passages"] else "")[:80]
        print(f"  {r['relation']:<10} {result['title'][r['a']][:40]!r} ~ {result['title'][r['b']][:40]!r}: {first!r}")
    print(f"story pairs: {result['together']} pairs of pages share a story; "
          f"{len(result['false_merges'])} of them report different events (false merges)")
    print(f"same-event pairs together: {result['same_found']} of {result['same_pairs']}; "
          f"pair precision {result['precision']:.3f}, recall {result['recall']:.3f} (topic pairs not counted)")
    print(f"stories counting independent reports of unrelated pages: {len(result['inflated'])}")
    for independent, events, titles in result["inflated"]:
        print(f"  {independent} independent reports, {events} events: {' | '.join(t[:38] for t in titles[:5])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--report", type=Path, help="score this JSON report instead of analysing the pages")
    args = parser.parse_args()
    if args.report is None and not PAGES.is_dir():
        sys.exit(f"skipped: {PAGES} is absent (the pages come from ../shared/datasets)")
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    print_score(score(analysed_report(args.report), gold))


if __name__ == "__main__":
    main()
