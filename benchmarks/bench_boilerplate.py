"""Boilerplate on real news: PolNeAR train + dev (924 US political articles, 7 outlets) as one
collection, analysed twice: as plain text files with no metadata, and as JSON Lines with
``outlet`` and ``date``.

Prints the derived pairs (relation, direction, a short excerpt of the shared text) and the
boilerplate found (document frequency, outlets, text), then checks that no derived pair
rests only on boilerplate: with every listed boilerplate passage cut out of both texts, a
lexical pair must still share wording (``classify_overlap``), and a rewrite must still have
passages outside boilerplate. Exits non-zero when one does not (``--no-assert`` to only
print), or when HuffPost's editor's note on Trump (appended to many of its articles) is not
listed.

    python benchmarks/bench_boilerplate.py [--datasets ../shared/datasets]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import newstrace
from newstrace.match.align import lexical_overlap
from newstrace.model import LEXICAL_RELATIONS, Report
from newstrace.match.nearcopy import classify_overlap

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / ".." / "shared" / "datasets"
NOTE = "Editor’s note: Donald Trump regularly incites political violence"


def polnear(datasets: Path) -> list[dict]:
    """PolNeAR train and dev articles, in file order."""
    rows = []
    for split in ("train", "dev"):
        with (datasets / "polnear" / f"{split}.jsonl").open(encoding="utf-8") as lines:
            rows += [json.loads(line) for line in lines]
    return rows


def write_inputs(rows: list[dict], folder: Path) -> tuple[Path, Path]:
    """The articles as plain text files (no metadata) and as one JSON Lines file with
    ``outlet`` and ``date``."""
    plain = folder / "plain"
    plain.mkdir()
    for number, row in enumerate(rows):
        (plain / f"{number:04d}.txt").write_text(row["text"], encoding="utf-8")
    records = folder / "polnear.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for number, row in enumerate(rows):
            out.write(json.dumps({"id": f"polnear-{number:04d}", "outlet": row["publisher"],
                                  "date": row.get("date"), "title": row.get("title"),
                                  "text": row["text"]}, ensure_ascii=False) + "\n")
    return plain, records


def without(text: str, passages: list[str]) -> str:
    """``text`` with every boilerplate passage cut out."""
    for passage in passages:
        text = text.replace(passage, " ")
    return text


def rests_on_boilerplate(report: Report) -> list[str]:
    """The derived pairs whose shared text is only boilerplate, one line each."""
    texts = {a.id: a.text for a in report.articles}
    cut = [p.text for p in report.boilerplate]
    failures = []
    for relation in report.relations:
        if not relation.derived:
            continue
        a, b = without(texts[relation.a], cut), without(texts[relation.b], cut)
        if relation.relation in LEXICAL_RELATIONS:
            holds = classify_overlap(lexical_overlap(a, b)) is not None
        else:  # a rewrite: some aligned passage must lie outside boilerplate
            holds = any(texts[relation.a][p.a_start : p.a_end] not in " ".join(cut)
                        for p in relation.passages)
        if not holds:
            failures.append(f"{relation.relation} {relation.a} {relation.b}")
    return failures


def show(name: str, report: Report, seconds: float) -> None:
    labels = {a.id: a.label for a in report.articles}
    outlets = {a.id: a.outlet or "?" for a in report.articles}
    texts = {a.id: a.text for a in report.articles}
    derived = [r for r in report.relations if r.derived]
    print(f"\n== {name}: {len(report.articles)} articles, {len(derived)} derived pairs, "
          f"{len(report.boilerplate)} boilerplate passages ({seconds:.0f} s)")
    for r in derived:
        excerpt = ""
        if r.passages:
            p = max(r.passages, key=lambda p: p.a_end - p.a_start)
            excerpt = " ".join(texts[r.a][p.a_start : p.a_end].split())[:110]
        source = labels.get(r.source, "?") if r.source else "undirected"
        print(f"  {r.relation:10s} {labels[r.a]} ({outlets[r.a]}) ~ {labels[r.b]} ({outlets[r.b]}) "
              f"source {source} score {r.score:.2f} | {excerpt}")
    for p in report.boilerplate:
        where = ", ".join(f"{o} {n}" for o, n in sorted(p.outlets.items(), key=lambda x: -x[1]))
        print(f"  DF {p.document_frequency:3d} [{where or 'outlets unknown'}] "
              f"{' '.join(p.text.split())[:120]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--no-assert", action="store_true", help="print only, never fail")
    args = parser.parse_args()
    rows = polnear(args.datasets)
    missed = []
    with tempfile.TemporaryDirectory() as folder:
        plain, records = write_inputs(rows, Path(folder))
        for name, inputs in (("plain text, no metadata", plain), ("JSONL with outlet and date", records)):
            started = time.perf_counter()
            report = newstrace.analyze([inputs])
            show(name, report, time.perf_counter() - started)
            missed += [f"{name}: {line} shares only boilerplate" for line in rests_on_boilerplate(report)]
            if not any(" ".join(p.text.split()).startswith(NOTE) for p in report.boilerplate):
                missed.append(f"{name}: HuffPost's editor's note is not listed as boilerplate")
    for line in missed:
        print(f"TARGET MISSED: {line}")
    if missed and not args.no_assert:
        sys.exit(1)


if __name__ == "__main__":
    main()
