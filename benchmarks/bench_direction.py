"""Direction of derived pairs without dates: how often ``source`` names the wrong article.

With no dates a copy's direction can rest only on other signs (credits, republisher
boilerplate, reworded quotations). This script measures, on derived pairs whose original is
known, the share of pairs that get a ``source`` (coverage) and, of those, the share whose
``source`` is wrong (target: at most 5 %), per kind of copy:

* ``seeds``: the two derived seed pairs (001 from 000, 004 from 003), dates removed.
* ``excerpt``: the first half of a real article's paragraphs, republished with no byline.
* ``extended``: a real article with two paragraphs of commentary added, no byline.
* ``credited``: a republication that keeps the original's byline and credits (no sign:
  ``source`` should stay unknown).
* ``footer``: a republication with a blog's comment form and "Source link" footer.
* ``rewrite``: a spun rewrite (``benchmarks/rewrite.py``), quotations reworded.
* ``cited``: a spun rewrite whose own closing sentence cites the original's outlet's report
  ("X first reported the story", "according to X"; PolNeAR's publishers under the names
  texts give them), no byline or credit.
* ``sourced``: a republication closed by a line naming the original's outlet as its source or
  owner ("Source: X", "(via X)", "© 2016 X. All rights reserved.", "X contributed to this
  report"), read by ``clean_text`` as the readers read it (copyright lines are set aside);
  it keeps the original's byline and credits, so that only the line tells.
* ``attributed``: a republication closed by an attribution line naming the original's outlet
  ("Originally published on ...", "This article is republished from ..."), read by
  ``clean_text`` as the readers read it.
* ``siblings``: two republications of an original left out of the pair, one attributed,
  the other an excerpt keeping the original's byline and credits: neither is the other's
  source, so any ``source`` is wrong.
* ``polnear``: real derived pairs among PolNeAR's articles (found by ``find_copies``) whose
  metadata dates differ, judged with the dates removed; the earlier date is the gold source.

Then, in a collection (``newstrace.analyze`` over one JSON Lines file, with dates and
outlets): each of ``--collection`` originals published first, then its excerpt and its
extended copy by two other outlets on the next two days. ``dated copy``: a copy's pair with
its original (the original is the source); ``dated siblings``: the pair of the two copies,
which both took the original's text (any ``source`` is wrong: the later date is no sign
that one copied the other, see :func:`newstrace.relate.through_common_sources`).

The originals are real articles (PolNeAR with their publisher and author, ECB+ without
metadata); the copies are made here, so the constructed kinds check that each sign reads
right and that no sign is invented where none exists; ``polnear`` is the real-news check.

    python benchmarks/bench_direction.py [--originals 60] [--collection 30] [--no-assert]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import newstrace
from newstrace.ingest.clean import clean_text
from newstrace.model import REPUBLISHED_FROM, Article

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rewrite import rewrite  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
WRONG_MAX = 0.05
_FOOTER = ("\n\nSource link\n\nLeave a Reply\n\nYour email address will not be published. "
           "Required fields are marked *")
_CITATIONS = (
    "{} first reported the story.",
    "The details were first reported by {}.",
    "Officials confirmed the account after {} reported it.",
    "According to {}, the talks will resume next week.",
)
#: Lines of a republication naming where its text came from (the ``sourced`` kind).
_SOURCE_LINES = (
    "Source: {}",
    "(via {})",
    "© 2016 {}. All rights reserved.",
    "{} contributed to this report.",
)
#: PolNeAR's publishers as texts name them.
_DISPLAY_NAMES = {"nyt": "The New York Times", "wash-post": "The Washington Post", "huff-post": "HuffPost",
                  "usa-today": "USA Today", "politico": "Politico", "breitbart": "Breitbart",
                  "west-journal": "The Western Journal"}
_ATTRIBUTIONS = (
    "Originally published on {}.",
    "This article is republished from {} under a Creative Commons license. Read the original article.",
    "This story was originally published by {}.",
    "The post {title} appeared first on {}.",
    "Republished with permission from {}.",
)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def original_articles(shared: Path, count: int, seed: int) -> list[Article]:
    """Real articles with at least four paragraphs: PolNeAR (publisher, author) and ECB+."""
    rng = random.Random(seed)
    polnear = [r for split in ("train", "dev") for r in read_jsonl(shared / "datasets/polnear" / f"{split}.jsonl")]
    ecb = read_jsonl(shared / "datasets/ecbplus/docs.jsonl")
    rng.shuffle(polnear)
    rng.shuffle(ecb)
    out = []
    for r in polnear:
        if len(paragraphs(r["text"])) >= 4 and len(out) < count * 2 // 3:
            wire = r.get("wire") if r.get("wire") not in (None, "None", "NA") else None
            out.append(Article(id=r["id"], text=clean_text(r["text"]).text, outlet=r["publisher"],
                               byline=r.get("author"), credits=[wire.upper() if wire == "reuters" else wire] if wire else []))
    for r in ecb:
        if len(paragraphs(r["text"])) >= 4 and len(out) < count:
            out.append(Article(id=r["id"], text=r["text"]))
    return out


def derived_pairs(originals: list[Article], seed: int) -> list[tuple[str, Article, Article]]:
    """(kind, original, copy) for each constructed kind."""
    rng = random.Random(seed)
    pairs = []
    for n, original in enumerate(originals):
        paras = paragraphs(original.text)
        other = paragraphs(originals[(n + 1) % len(originals)].text)
        blog = f"blog-{n}"
        half = "\n\n".join(paras[: max(2, len(paras) // 2)])
        pairs.append(("excerpt", original, Article(id=f"{original.id}~excerpt", text=half, outlet=blog)))
        extended = original.text + "\n\n" + "\n\n".join(rng.sample(other, min(2, len(other))))
        pairs.append(("extended", original, Article(id=f"{original.id}~extended", text=extended, outlet=blog)))
        pairs.append(("credited", original, Article(id=f"{original.id}~credited", text=original.text + "\n\nUpdated.",
                                                     outlet=blog, byline=original.byline, credits=list(original.credits))))
        footer = clean_text(original.text + _FOOTER)
        pairs.append(("footer", original, Article(id=f"{original.id}~footer", text=footer.text, outlet=blog,
                                                   boilerplate=footer.boilerplate, byline=original.byline,
                                                   credits=list(original.credits))))
        spun = rewrite(original.text, seed=seed + n)
        pairs.append(("rewrite", original, Article(id=f"{original.id}~rewrite", text=spun, outlet=blog,
                                                    byline=original.byline, credits=list(original.credits))))
        if original.outlet:
            named = replace(original, outlet=_DISPLAY_NAMES.get(original.outlet, original.outlet))
            cited = spun + "\n\n" + rng.choice(_CITATIONS).format(named.outlet)
            pairs.append(("cited", named, Article(id=f"{original.id}~cited", text=cited, outlet=blog)))
            sourced = clean_text(original.text + "\n\n" + _SOURCE_LINES[n % len(_SOURCE_LINES)].format(named.outlet))
            pairs.append(("sourced", named, Article(id=f"{original.id}~sourced", text=sourced.text, outlet=blog,
                                                    boilerplate=sourced.boilerplate, byline=original.byline,
                                                    credits=list(original.credits))))  # only the line tells
            line = rng.choice(_ATTRIBUTIONS).format(original.outlet, title=paras[0][:60].rstrip())
            attributed = attributed_copy(original.text + "\n\n" + line, f"{original.id}~attributed", blog)
            pairs.append(("attributed", original, attributed))
            excerpt = Article(id=f"{original.id}~credited-excerpt", text=half, outlet=f"{blog}-b",
                              byline=original.byline, credits=list(original.credits))
            pairs.append(("siblings", attributed, excerpt))  # the original is neither
    return pairs


def attributed_copy(raw: str, article_id: str, outlet: str) -> Article:
    """A republication as the readers make it of ``raw``: cleaned, the attribution line in
    its boilerplate and the outlet it names in ``meta``."""
    cleaned = clean_text(raw)
    meta = {REPUBLISHED_FROM: cleaned.republished_from} if cleaned.republished_from else {}
    return Article(id=article_id, text=cleaned.text, outlet=outlet, boilerplate=cleaned.boilerplate,
                   credits=cleaned.credits, meta=meta)


def seed_pairs(shared: Path) -> list[tuple[str, Article, Article]]:
    seeds = {p.name[:3]: newstrace.load(p) for p in sorted((shared / "seeds").iterdir())}
    for article in seeds.values():
        article.date = None
    return [("seeds", seeds["000"], seeds["001"]), ("seeds", seeds["003"], seeds["004"])]


def polnear_pairs(shared: Path) -> list[tuple[str, Article, Article]]:
    """Real derived pairs among PolNeAR articles with different dates; gold: the earlier."""
    rows = {r["id"]: r for split in ("train", "dev") for r in read_jsonl(shared / "datasets/polnear" / f"{split}.jsonl")}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "polnear.jsonl"
        path.write_text("".join(json.dumps({"id": k, "text": r["text"]}) + "\n" for k, r in rows.items()))
        found = list(newstrace.find_copies([path], workers=1))
    pairs = []
    for pair in found:
        ra, rb = rows[pair.a], rows[pair.b]
        if ra["date"] == rb["date"]:
            continue
        first, later = (ra, rb) if ra["date"] < rb["date"] else (rb, ra)
        pairs.append(("polnear",) + tuple(  # type: ignore[arg-type]
            Article(id=r["id"], text=clean_text(r["text"]).text, outlet=r["publisher"], byline=r.get("author"))
            for r in (first, later)))
    return pairs


def collection_tally(originals: list[Article], seed: int) -> dict[str, list[int]]:
    """Pairs, derived, with source, wrong for ``dated copy`` and ``dated siblings`` (see the
    module docstring), from one ``analyze`` run."""
    rng = random.Random(seed)
    records, family = [], {}
    for n, original in enumerate(originals):
        paras = paragraphs(original.text)
        other = paragraphs(originals[(n + 1) % len(originals)].text)
        half = "\n\n".join(paras[: max(2, len(paras) // 2)])
        extended = original.text + "\n\n" + "\n\n".join(rng.sample(other, min(2, len(other))))
        for day, (key, text) in enumerate(((f"{n}-original", original.text), (f"{n}-excerpt", half),
                                           (f"{n}-extended", extended)), start=1):
            records.append({"id": key, "outlet": f"outlet-{n}-{day}", "date": f"2024-05-{day:02d}", "text": text})
            family[key] = n
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "collection.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        report = newstrace.analyze([path], db=Path(tmp) / "store.db")
    key_of = {a.id: a.external_id for a in report.articles}
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for n in range(len(originals)):
        for kind, pair in (("dated copy", (f"{n}-original", f"{n}-excerpt")), ("dated copy", (f"{n}-original", f"{n}-extended")),
                           ("dated siblings", (f"{n}-excerpt", f"{n}-extended"))):
            tally[kind][0] += 1
    for relation in report.relations:
        a, b = key_of[relation.a], key_of[relation.b]
        if not relation.derived or family[a] != family[b]:
            continue
        kind = "dated copy" if "original" in a + b else "dated siblings"
        row = tally[kind]
        row[1] += 1
        if relation.source is not None:
            row[2] += 1
            row[3] += kind == "dated siblings" or not key_of[relation.source].endswith("-original")
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--originals", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--collection", type=int, default=30, help="originals of the collection run (0: none)")
    parser.add_argument("--no-assert", action="store_true")
    args = parser.parse_args()

    originals = original_articles(args.shared, args.originals, args.seed)
    pairs = seed_pairs(args.shared) + derived_pairs(originals, args.seed)
    pairs += polnear_pairs(args.shared)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # pairs, derived, with source, wrong
    calibration: list[tuple[float, bool]] = []
    for n, (kind, original, copy) in enumerate(pairs):
        a, b = (original, copy) if n % 2 else (copy, original)  # the original on either side
        result = newstrace.compare(a, b)
        row = tally[kind]
        row[0] += 1
        if not result.derived:
            continue
        row[1] += 1
        if result.source is None:
            continue
        row[2] += 1
        named = a if result.source == "a" else b
        right = kind != "siblings" and named.id == original.id  # siblings: neither is the source
        row[3] += not right
        calibration.append((result.confidence, right))

    if args.collection:
        tally.update(collection_tally(originals[: args.collection], args.seed))
    print(f"{'kind':14} {'pairs':>6} {'derived':>8} {'with source':>12} {'wrong':>6} {'wrong share':>12}")
    totals = [0, 0, 0, 0]
    for kind, row in tally.items():
        totals = [t + x for t, x in zip(totals, row)]
        share = row[3] / row[2] if row[2] else 0.0
        print(f"{kind:14} {row[0]:6d} {row[1]:8d} {row[2]:12d} {row[3]:6d} {share:12.3f}")
    wrong = totals[3] / totals[2] if totals[2] else 0.0
    print(f"{'all':14} {totals[0]:6d} {totals[1]:8d} {totals[2]:12d} {totals[3]:6d} {wrong:12.3f}")
    for low, high in ((0.5, 0.8), (0.8, 0.9), (0.9, 1.0)):
        bucket = [ok for conf, ok in calibration if low <= conf < high or (high == 1.0 and conf == 1.0)]
        if bucket:
            print(f"confidence {low:.1f}-{high:.1f}: {len(bucket)} pairs, right {sum(bucket) / len(bucket):.3f}")
    if args.no_assert:
        return 0
    if wrong > WRONG_MAX:
        print(f"FAIL: wrong source on {wrong:.1%} of the pairs that get one (target <= {WRONG_MAX:.0%})")
        return 1
    print(f"OK: wrong source on {wrong:.1%} of the pairs that get one (target <= {WRONG_MAX:.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
