"""Rewrite (spin) detection: recall of spun copies of real articles at a low false-positive rate.

Positives: real articles (ECB+ documents and PolNeAR texts) paired with a spun version made
by ``benchmarks/rewrite.py`` (synonyms, clause moves, sentence swaps and drops, mangled
quotes, and sentences spliced in from another article on the same event).
Negatives: independent reports of one event, i.e. pairs of different ECB+ documents in the
same sub-topic. Pairs that share long verbatim wording (8-word shingle containment >= 0.3,
the same wire story run twice) are copies, not independent reports, and are left out.

    python benchmarks/bench_rewrites.py [--shared ../shared] [--docs 150] [--negatives 2000] [--no-assert]

Prints recall at FPR <= 1 %, the recall/FPR curve and pairs/s; exits non-zero when recall
at FPR <= 1 % is below --min-recall, or the verdict's own FPR is above 1 %.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from newstrace.paraphrase import align_sentences, encode_sentences, paraphrase_verdict
from rewrite import rewrite

DEFAULT_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
_WORD = re.compile(r"\w+")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def shingle_containment(a: str, b: str, size: int = 8) -> float:
    """The larger share of either text's word 8-grams found in the other."""
    def shingles(text: str) -> set[tuple[str, ...]]:
        words = [w.lower() for w in _WORD.findall(text)]
        return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}

    x, y = shingles(a), shingles(b)
    return len(x & y) / max(min(len(x), len(y)), 1)


def build_pairs(shared: Path, n_docs: int, n_negatives: int, seed: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]], int]:
    """(positive pairs, negative pairs, number of near-copy pairs left out of the negatives)."""
    rng = random.Random(seed)
    ecb = [d for d in read_jsonl(shared / "datasets" / "ecbplus" / "docs.jsonl") if d["n_sentences"] >= 5]
    polnear = read_jsonl(shared / "datasets" / "polnear" / "dev.jsonl")
    by_subtopic: dict[str, list[dict]] = {}
    for doc in ecb:
        by_subtopic.setdefault(doc["subtopic"], []).append(doc)

    sources = rng.sample(ecb, min(n_docs // 2, len(ecb))) + rng.sample(polnear, min(n_docs - n_docs // 2, len(polnear)))
    positives = []
    for i, doc in enumerate(sources):
        siblings = [d for d in by_subtopic.get(doc.get("subtopic", ""), []) if d["id"] != doc["id"]]
        inserts = [s for s in rng.choice(siblings)["text"].split("\n") if s.strip()][:3] if siblings else []
        positives.append((doc["text"], rewrite(doc["text"], seed=seed + i, inserts=inserts)))

    candidates = [pair for docs in by_subtopic.values() for pair in itertools.combinations(docs, 2)]
    rng.shuffle(candidates)
    negatives, copies = [], 0
    for x, y in candidates:
        if len(negatives) >= n_negatives:
            break
        if shingle_containment(x["text"], y["text"]) >= 0.3:
            copies += 1
            continue
        negatives.append((x["text"], y["text"]))
    return positives, negatives, copies


def verdict_scores(pairs: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Scores and verdicts of every pair, the encoding time and the alignment time."""
    texts = sorted({t for pair in pairs for t in pair})
    position = {t: i for i, t in enumerate(texts)}
    started = time.perf_counter()
    vectors = encode_sentences(texts)
    encoded = time.perf_counter()
    verdicts = [
        paraphrase_verdict(align_sentences(a, b, vecs_a=vectors[position[a]], vecs_b=vectors[position[b]]))
        for a, b in pairs
    ]
    aligned = time.perf_counter()
    return (np.array([v.score for v in verdicts]), np.array([v.is_paraphrase for v in verdicts]),
            encoded - started, aligned - encoded)


def recall_at_fpr(pos: np.ndarray, neg: np.ndarray, fpr: float) -> tuple[float, float]:
    """Best recall with at most ``fpr`` of negatives scoring above the threshold, and that threshold."""
    allowed = int(np.floor(fpr * len(neg)))
    ranked = np.sort(neg)[::-1]
    threshold = float(np.nextafter(ranked[allowed], np.inf)) if allowed < len(ranked) else float(ranked.min())
    return float((pos >= threshold).mean()), threshold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the ../shared folder")
    parser.add_argument("--docs", type=int, default=150, help="articles to spin (half ECB+, half PolNeAR)")
    parser.add_argument("--negatives", type=int, default=2000, help="independent same-event ECB+ pairs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-recall", type=float, default=0.9, help="target recall at FPR <= 1%%")
    parser.add_argument("--no-assert", action="store_true", help="exit 0 even when a target is missed")
    args = parser.parse_args()

    positives, negatives, copies = build_pairs(args.shared, args.docs, args.negatives, args.seed)
    print(f"pairs: {len(positives)} rewrites, {len(negatives)} independent same-event pairs "
          f"({copies} near-copy pairs left out)")
    pos_scores, pos_verdicts, pos_enc, pos_align = verdict_scores(positives)
    neg_scores, neg_verdicts, neg_enc, neg_align = verdict_scores(negatives)
    n_pairs = len(positives) + len(negatives)
    print(f"speed: alignment+verdict {n_pairs / (pos_align + neg_align):.0f} pairs/s; "
          f"with sentence encoding {n_pairs / (pos_align + neg_align + pos_enc + neg_enc):.1f} pairs/s "
          "(noisy: shared machine)")

    print("recall at FPR <=   threshold")
    for fpr in (0.0, 0.005, 0.01, 0.02, 0.05, 0.10):
        recall, threshold = recall_at_fpr(pos_scores, neg_scores, fpr)
        print(f"  {fpr:6.1%}  recall {recall:.3f}  (score >= {threshold:.3f})")
    recall_1, _ = recall_at_fpr(pos_scores, neg_scores, 0.01)
    verdict_recall, verdict_fpr = float(pos_verdicts.mean()), float(neg_verdicts.mean())
    print(f"recall at FPR <= 1%: {recall_1:.3f}")
    print(f"paraphrase_verdict as is: recall {verdict_recall:.3f}, FPR {verdict_fpr:.4f}")
    missed = recall_1 < args.min_recall or verdict_fpr > 0.01
    if missed and not args.no_assert:
        print(f"FAIL: recall at 1% FPR below {args.min_recall} or verdict FPR above 1%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
