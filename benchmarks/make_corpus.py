"""Build a large synthetic news corpus with planted near copies, from real article text.

Articles are made of real sentences from ``../shared/datasets`` (ECB+, PolNeAR, NeuS
AllSides, the article-extraction benchmark, MRPC, STS-B), grouped into paragraphs. Every
use of a sentence swaps three quarters of its content words (names and numbers included)
for others drawn from the same text, so unrelated articles do not share wording by
accident, while real function words, punctuation and sentence shapes stay. Planted among
them, each made from a different earlier article (its source):

* ``verbatim``: the same text again (another outlet, title and date);
* ``boilerplate``: the same body with a different header and footer;
* ``update``: a re-publication with paragraphs edited, one removed and one added;
* ``partial``: a new article that lifts two or three consecutive paragraphs (at most
  two fifths of the source).

With ``--reuse K`` sentences are used as they are, drawn from a pool of real sentences
sized so that each recurs in about K unrelated articles (the way common lines recur across
real news): then sharing one sentence is no sign of copying, and only the planted pairs
share runs of sentences.

Records are ``{"id", "title", "text", "date", "outlet"}``; the truth goes to a sidecar
``<out stem>.truth.jsonl`` as ``{"source", "copy", "kind"}``.

    python benchmarks/make_corpus.py --n 100000 --out benchmarks/data/corpus_100k.jsonl
    python benchmarks/make_corpus.py --n 20000 --reuse 10 --out benchmarks/data/reuse_20k.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / ".." / "shared" / "datasets"

CORE = re.compile(r"^(\W*)(\w.*?)(\W*)$")
#: A space after a sentence's end (maybe after a closing quote or bracket) before its next.
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][”\"’)]))\s+(?=[A-Z“\"‘(])")
#: Words kept in every use of a sentence (the grammatical skeleton).
FUNCTION_WORDS = frozenset(
    "the a an and or but of to in on at by for with from as is was were be been are has have "
    "had not that this these those it its he she they we you his her their our who which what "
    "when where will would can could should may might said says than then there into over "
    "after before about also more most such no yes all any some one two three new".split())
OUTLETS = [f"{place} {kind}" for place in ("Northfield", "Lakeside", "Harbor City", "Eastvale",
                                             "Ridgeway", "Millbrook", "Westport", "Stonebridge")
           for kind in ("Herald", "Courier", "Daily", "Post", "Tribune", "Observer")]
FOOTERS = [
    "Copyright {year} {outlet}. All rights reserved. This material may not be republished.",
    "Sign up for the {outlet} morning briefing to get the day's top stories in your inbox.",
    "Leave a comment below. Your email address will not be shown to other readers.",
    "Follow {outlet} on social media for live updates on this and other stories.",
    "Reporting by the {outlet} news desk; editing by the weekend team.",
]
HEADERS = ["By Staff Reporter | {outlet}", "{outlet} | Updated {date}",
           "Published {date} by the {outlet} wire desk", "EXCLUSIVE | {outlet}"]
KINDS = {"verbatim": 0.02, "boilerplate": 0.01, "update": 0.02, "partial": 0.01}


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def source_sentences(datasets: Path) -> list[str]:
    """Real news sentences from every text-bearing dataset, 6 to 60 words each."""
    texts: list[str] = []
    texts += [doc["text"] for doc in read_jsonl(datasets / "ecbplus" / "docs.jsonl")]
    for split in ("train", "dev"):
        texts += [doc["text"] for doc in read_jsonl(datasets / "polnear" / f"{split}.jsonl")]
    for split in ("train", "val"):
        for row in read_jsonl(datasets / "neus-allsides" / f"{split}.jsonl"):
            texts += [article["text"] for article in row["articles"]] + [row["reference"]["text"]]
    texts += [page["articleBody"] for page in
              read_jsonl(datasets / "article-extraction-benchmark" / "ground_truth.jsonl")]
    for row in read_jsonl(datasets / "mrpc" / "train.jsonl"):
        texts += [row["s1"], row["s2"]]
    for split in ("train", "dev"):
        for row in read_jsonl(datasets / "stsbenchmark" / f"{split}.jsonl"):
            if row["genre"] == "main-news":
                texts += [row["s1"], row["s2"]]
    sentences = []
    for text in texts:
        for line in text.splitlines():
            sentences += SENTENCE_END.split(line.strip())
    return list(dict.fromkeys(s for s in sentences if 6 <= len(s.split()) <= 60))


@dataclass
class Lexicon:
    """The sentences split into words, which of their words may be swapped, and the pool
    of content words to swap in."""

    words: list[list[str]]
    swappable: list[np.ndarray]
    content: np.ndarray

    @classmethod
    def of(cls, sentences: list[str]) -> Lexicon:
        words = [s.split() for s in sentences]
        swappable = [np.array([len(w) > 2 and w.lower() not in FUNCTION_WORDS
                               and CORE.match(w) is not None for w in ws]) for ws in words]
        content = [w.lower() for ws in words for w in ws
                   if w.isalpha() and len(w) > 2 and w.lower() not in FUNCTION_WORDS]
        return cls(words, swappable, np.array(content))


#: Words in a fresh article's body (drawn uniformly from this range).
ARTICLE_WORDS = (300, 700)


class Writer:
    """Makes articles, fresh or derived, from the lexicon with one random generator;
    with a ``pool`` (sentence numbers), sentences come from it unchanged."""

    def __init__(self, lexicon: Lexicon, rng: np.random.Generator,
                 pool: np.ndarray | None = None) -> None:
        self.lexicon = lexicon
        self.rng = rng
        self.pool = pool

    def sentence(self, swap: float = 0.75) -> str:
        """A random real sentence with about ``swap`` of its content words replaced
        (punctuation around a word is kept), or a pool sentence as it is."""
        if self.pool is not None:
            return " ".join(self.lexicon.words[int(self.pool[self.rng.integers(len(self.pool))])])
        index = int(self.rng.integers(len(self.lexicon.words)))
        words = list(self.lexicon.words[index])
        drawn = self.rng.random(len(words)) < swap
        chosen = np.flatnonzero(self.lexicon.swappable[index] & drawn)
        for position, new in zip(chosen, self.rng.choice(self.lexicon.content, len(chosen))):
            before, core, after = CORE.match(words[position]).groups()  # type: ignore[union-attr]
            words[position] = before + (new.capitalize() if core[0].isupper() else new) + after
        return " ".join(words)

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(int(self.rng.integers(2, 5))))

    def paragraphs(self, words: int) -> list[str]:
        """Fresh paragraphs adding up to about ``words`` words."""
        made: list[str] = []
        while sum(len(p.split()) for p in made) < words:
            made.append(self.paragraph())
        return made

    def edited(self, paragraph: str, share: float = 0.2) -> str:
        """The paragraph with ``share`` of its words replaced (an editor's changes)."""
        words = paragraph.split()
        for position in np.flatnonzero(self.rng.random(len(words)) < share):
            words[position] = str(self.rng.choice(self.lexicon.content))
        return " ".join(words)

    def outlet(self) -> str:
        return OUTLETS[int(self.rng.integers(len(OUTLETS)))]

    def date(self) -> str:
        day = np.datetime64("2023-01-01") + int(self.rng.integers(365))
        return str(day)

    def footer(self, outlet: str, date: str) -> str:
        return FOOTERS[int(self.rng.integers(len(FOOTERS)))].format(outlet=outlet, year=date[:4])

    def header(self, outlet: str, date: str) -> str:
        return HEADERS[int(self.rng.integers(len(HEADERS)))].format(outlet=outlet, date=date)


@dataclass
class Article:
    id: str
    title: str
    paragraphs: list[str]
    date: str
    outlet: str
    header: str | None = None
    footer: str | None = None

    def record(self) -> dict:
        parts = ([self.header] if self.header else []) + self.paragraphs
        parts += [self.footer] if self.footer else []
        return {"id": self.id, "title": self.title, "text": "\n\n".join(parts),
                "date": self.date, "outlet": self.outlet}


def fresh_article(writer: Writer, number: int) -> Article:
    outlet, date = writer.outlet(), writer.date()
    paragraphs = writer.paragraphs(int(writer.rng.integers(*ARTICLE_WORDS)))
    title = " ".join(writer.sentence().split()[:10]).rstrip(".,;:")
    footer = writer.footer(outlet, date) if writer.rng.random() < 0.3 else None
    return Article(f"a{number:07d}", title, paragraphs, date, outlet, footer=footer)


def derived_article(writer: Writer, source: Article, kind: str, number: int) -> Article:
    """An article made from ``source`` the way ``kind`` says."""
    rng = writer.rng
    outlet, date = writer.outlet(), writer.date()
    made = Article(f"a{number:07d}", source.title, list(source.paragraphs), date, outlet)
    if kind == "verbatim":
        made.footer = source.footer
    elif kind == "boilerplate":
        made.header, made.footer = writer.header(outlet, date), writer.footer(outlet, date)
    elif kind == "update":
        paragraphs = made.paragraphs
        for position in rng.choice(len(paragraphs), size=min(2, len(paragraphs)), replace=False):
            paragraphs[position] = writer.edited(paragraphs[position])
        if len(paragraphs) > 4:
            del paragraphs[int(rng.integers(1, len(paragraphs)))]
        paragraphs.insert(int(rng.integers(1, len(paragraphs) + 1)), writer.paragraph())
        made.title = source.title + " (updated)"
    elif kind == "partial":
        lifted = min(int(rng.integers(2, 4)), max(1, len(source.paragraphs) * 2 // 5))
        start = int(rng.integers(0, max(1, len(source.paragraphs) - lifted + 1)))
        made = fresh_article(writer, number)
        at = int(rng.integers(0, len(made.paragraphs) + 1))
        made.paragraphs[at:at] = source.paragraphs[start : start + lifted]
    return made


def reuse_pool(lexicon: Lexicon, n: int, reuse: int, rng: np.random.Generator) -> np.ndarray:
    """Sentence numbers for ``n`` articles in which each sentence recurs about ``reuse`` times."""
    words_per_sentence = float(np.mean([len(w) for w in lexicon.words]))
    uses = n * sum(ARTICLE_WORDS) / 2 / words_per_sentence
    size = min(len(lexicon.words), max(1, round(uses / reuse)))
    return rng.choice(len(lexicon.words), size=size, replace=False)


def build(n: int, seed: int, datasets: Path, reuse: int = 0) -> tuple[list[dict], list[dict]]:
    """``n`` article records and the truth about the planted pairs among them (sentences
    recurring about ``reuse`` times when given)."""
    rng = np.random.default_rng(seed)
    lexicon = Lexicon.of(source_sentences(datasets))
    writer = Writer(lexicon, rng, reuse_pool(lexicon, n, reuse, rng) if reuse else None)
    kinds = rng.choice(list(KINDS) + ["fresh"], size=n,
                       p=list(KINDS.values()) + [1 - sum(KINDS.values())])
    articles: list[Article] = []
    unused_sources: list[int] = []
    truth: list[dict] = []
    for number, kind in enumerate(kinds):
        if kind == "fresh" or len(unused_sources) < 50:
            articles.append(fresh_article(writer, number))
            unused_sources.append(number)
            continue
        # A recent article that no other planted one comes from: each family is one pair.
        source = unused_sources.pop(len(unused_sources) - 1 - int(rng.integers(50)))
        articles.append(derived_article(writer, articles[source], str(kind), number))
        truth.append({"source": articles[source].id, "copy": articles[-1].id, "kind": str(kind)})
    return [a.record() for a in articles], truth


def truth_path(corpus: Path) -> Path:
    return corpus.with_name(corpus.name.removesuffix(".jsonl") + ".truth.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles to write")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/data/corpus_100k.jsonl")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--reuse", type=int, default=0, metavar="K",
                        help="use real sentences unchanged, each in about K unrelated articles")
    args = parser.parse_args()
    records, truth = build(args.n, args.seed, args.datasets, args.reuse)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    with truth_path(args.out).open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(t) + "\n" for t in truth)
    counts = {kind: sum(t["kind"] == kind for t in truth) for kind in KINDS}
    print(f"wrote {len(records)} articles to {args.out}; planted pairs: {counts}")


if __name__ == "__main__":
    main()
