"""Rewrite (spin) detection: recall of spun copies of real articles at a low false-positive rate.

Positives: real articles (ECB+ documents and PolNeAR dev texts) paired with a spun version
made by ``benchmarks/rewrite.py`` (synonyms, clause moves, sentence swaps and drops, mangled
quotes, and sentences spliced in from another article on the same event).
Negatives: independent reports of one event, i.e. pairs of different ECB+ documents in the
same sub-topic. Pairs that share wording outside quotations (5-word shingle containment
>= 0.15: the same wire story or press release, lightly edited) derive from a common written
source, so they are left out; the verdict's rate on them is printed apart.

Figures are given for the tuning split (ECB+ topics 1-20), the held-out split (ECB+ topics
21-35 and PolNeAR dev) and all pairs. Each distinct text is encoded once.

    python benchmarks/bench_rewrites.py [--shared ../shared] [--docs 200] [--negatives 0] [--no-assert]

Exits non-zero when, on all pairs, the verdict's own recall is below --min-recall or its FPR
above 1 %.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from newstrace.paraphrase import DOCUMENT_THRESHOLD, align_sentences, encode_sentences, paraphrase_verdict
from rewrite import rewrite

DEFAULT_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
_WORD = re.compile(r"\w+")
_QUOTED = re.compile(r"[\"“”][^\"“”]*[\"“”]")
#: Same-sub-topic pairs sharing this much wording outside quotations share a written source.
SHARED_SOURCE_CONTAINMENT = 0.15
#: ECB+ topics up to this one were used to tune the verdict; the rest are held out.
TUNE_TOPICS = 20
FPRS = (0.0, 0.005, 0.01, 0.02, 0.05)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def shingle_containment(a: str, b: str, size: int = 5) -> float:
    """The larger share of either text's word ``size``-grams, outside quotations, found in the other."""
    def shingles(text: str) -> set[tuple[str, ...]]:
        words = [w.lower() for w in _WORD.findall(_QUOTED.sub(" ", text))]
        return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}

    x, y = shingles(a), shingles(b)
    return len(x & y) / max(min(len(x), len(y)), 1)


@dataclass
class Pairs:
    """Text pairs with the split each belongs to (``tune`` or ``held-out``)."""

    texts: list[tuple[str, str]] = field(default_factory=list)
    splits: list[str] = field(default_factory=list)

    def add(self, a: str, b: str, split: str) -> None:
        self.texts.append((a, b))
        self.splits.append(split)


def ecb_split(doc: dict) -> str:
    return "tune" if doc["topic"] <= TUNE_TOPICS else "held-out"


def build_pairs(shared: Path, n_docs: int, n_negatives: int, seed: int) -> tuple[Pairs, Pairs, Pairs]:
    """Rewrite pairs, independent pairs, and same-sub-topic pairs sharing a written source."""
    rng = random.Random(seed)
    ecb = [d for d in read_jsonl(shared / "datasets" / "ecbplus" / "docs.jsonl") if d["n_sentences"] >= 5]
    polnear = read_jsonl(shared / "datasets" / "polnear" / "dev.jsonl")
    by_subtopic: dict[str, list[dict]] = {}
    for doc in ecb:
        by_subtopic.setdefault(doc["subtopic"], []).append(doc)

    positives = Pairs()
    sources = rng.sample(ecb, min(n_docs // 2, len(ecb))) + rng.sample(polnear, min(n_docs - n_docs // 2, len(polnear)))
    for i, doc in enumerate(sources):
        siblings = [d for d in by_subtopic.get(doc.get("subtopic", ""), []) if d["id"] != doc["id"]]
        inserts = [s for s in rng.choice(siblings)["text"].split("\n") if s.strip()][:3] if siblings else []
        split = ecb_split(doc) if "topic" in doc else "held-out"
        positives.add(doc["text"], rewrite(doc["text"], seed=seed + i, inserts=inserts), split)

    candidates = [pair for docs in by_subtopic.values() for pair in itertools.combinations(docs, 2)]
    rng.shuffle(candidates)
    negatives, shared_source = Pairs(), Pairs()
    for x, y in candidates[: n_negatives or None]:
        target = shared_source if shingle_containment(x["text"], y["text"]) >= SHARED_SOURCE_CONTAINMENT else negatives
        target.add(x["text"], y["text"], ecb_split(x))
    return positives, negatives, shared_source


def encode_all(groups: Sequence[Pairs]) -> dict[str, np.ndarray]:
    """Sentence vectors of every distinct text, from one batched encoder call."""
    texts = sorted({t for pairs in groups for pair in pairs.texts for t in pair})
    return dict(zip(texts, encode_sentences(texts)))


def verdicts(pairs: Pairs, vectors: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Score and verdict of every pair."""
    results = [
        paraphrase_verdict(align_sentences(a, b, vecs_a=vectors[a], vecs_b=vectors[b])) for a, b in pairs.texts
    ]
    return np.array([v.score for v in results]), np.array([v.is_paraphrase for v in results], dtype=bool)


def recall_at_fpr(pos: np.ndarray, neg: np.ndarray, fpr: float) -> tuple[float, float]:
    """Best recall with at most ``fpr`` of negatives scoring at or above the threshold, and that threshold."""
    allowed = int(np.floor(fpr * len(neg)))
    ranked = np.sort(neg)[::-1]
    threshold = float(np.nextafter(ranked[allowed], np.inf)) if allowed < len(ranked) else float(ranked.min())
    return float((pos >= threshold).mean()), threshold


def report_split(name: str, pos: tuple[np.ndarray, np.ndarray], neg: tuple[np.ndarray, np.ndarray]) -> tuple[float, float]:
    """Print the recall/FPR figures of one split; return the verdict's own recall and FPR."""
    (pos_scores, pos_verdicts), (neg_scores, neg_verdicts) = pos, neg
    print(f"{name}: {len(pos_scores)} rewrites, {len(neg_scores)} independent pairs")
    if not len(pos_scores) or not len(neg_scores):
        return float("nan"), float("nan")
    curve = "  ".join(f"{fpr:.1%}: {recall_at_fpr(pos_scores, neg_scores, fpr)[0]:.3f}" for fpr in FPRS)
    print(f"  recall at FPR <= {curve}")
    recall, fpr = float(pos_verdicts.mean()), float(neg_verdicts.mean())
    print(f"  recall at FPR <= 1%: {recall_at_fpr(pos_scores, neg_scores, 0.01)[0]:.3f}; "
          f"verdict (score >= {DOCUMENT_THRESHOLD}): recall {recall:.3f}, FPR {fpr:.4f} "
          f"({int(neg_verdicts.sum())} false positives)")
    return recall, fpr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the ../shared folder")
    parser.add_argument("--docs", type=int, default=200, help="articles to spin (half ECB+, half PolNeAR dev)")
    parser.add_argument("--negatives", type=int, default=0,
                        help="same-sub-topic ECB+ pairs to consider (0: all, about 3,600)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-recall", type=float, default=0.9, help="target recall of the verdict")
    parser.add_argument("--no-assert", action="store_true", help="exit 0 even when a target is missed")
    args = parser.parse_args()

    started = time.perf_counter()
    positives, negatives, shared_source = build_pairs(args.shared, args.docs, args.negatives, args.seed)
    vectors = encode_all([positives, negatives, shared_source])
    encoded = time.perf_counter()
    results = {name: verdicts(pairs, vectors) for name, pairs in
               (("pos", positives), ("neg", negatives), ("shared", shared_source))}
    judged = time.perf_counter()
    n_pairs = len(positives.texts) + len(negatives.texts) + len(shared_source.texts)
    print(f"{len(vectors)} texts encoded in {encoded - started:.0f} s; {n_pairs} pairs aligned and judged "
          f"in {judged - encoded:.0f} s ({n_pairs / (judged - encoded):.0f} pairs/s; noisy: shared machine)")

    for split in ("tune", "held-out", "all"):
        pos_mask = np.array([split in ("all", s) for s in positives.splits], dtype=bool)
        neg_mask = np.array([split in ("all", s) for s in negatives.splits], dtype=bool)
        recall, fpr = report_split(split, tuple(x[pos_mask] for x in results["pos"]),
                                   tuple(x[neg_mask] for x in results["neg"]))
    shared_verdicts = results["shared"][1]
    print(f"same-sub-topic pairs sharing a written source (left out): {len(shared_verdicts)}, "
          f"{shared_verdicts.mean() if len(shared_verdicts) else 0:.1%} judged paraphrases")
    if (recall < args.min_recall or fpr > 0.01) and not args.no_assert:
        print(f"FAIL: verdict recall below {args.min_recall} or FPR above 1% (all pairs)", file=sys.stderr)
        return 1
    return 0

if __name__ == "__main__":
    sys.exit(main())
