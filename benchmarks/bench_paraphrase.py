"""MRPC sentence-pair paraphrase benchmark: newstrace's pair verdict vs a MiniLM-cosine threshold.

Both are tuned on the same data (MRPC train): the baseline's threshold is the one with the
best F1; newstrace's weights were fitted on it (``--fit`` refits them with 5-fold
cross-validation and prints the constants to paste into ``newstrace/match/paraphrase.py``).

    python benchmarks/bench_paraphrase.py [--data ../shared/datasets/mrpc/train.jsonl] [--limit N] [--cache FILE] [--fit] [--no-assert]

Exits non-zero when newstrace's F1 does not beat the baseline's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from newstrace.encode.runtime import default_encoder
from newstrace.match.paraphrase import PAIR_THRESHOLD, PAIR_WEIGHTS, sentence_pair_features, sentence_pair_verdict

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "mrpc" / "train.jsonl"
FEATURES = [name for name in PAIR_WEIGHTS if name != "bias"]


def load_pairs(path: Path, limit: int | None) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return rows[:limit] if limit else rows


def cosines(rows: list[dict], cache: Path | None = None) -> np.ndarray:
    """Cosine of each pair, from one batched encoder call over the distinct sentences
    (through the sentence-vector ``cache`` file of bench_rewrites.py when given)."""
    sentences = sorted({r["s1"] for r in rows} | {r["s2"] for r in rows})
    position = {s: i for i, s in enumerate(sentences)}
    if cache is None:
        vectors = default_encoder().encode(sentences)
    else:
        from bench_rewrites import CachedEncoder

        encoder = CachedEncoder(cache)
        vectors = encoder.encode(sentences)
        encoder.save()
    first = vectors[[position[r["s1"]] for r in rows]]
    second = vectors[[position[r["s2"]] for r in rows]]
    return (first * second).sum(axis=1)


def scores(labels: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Accuracy and F1 (positive = paraphrase)."""
    tp = float((predicted & labels).sum())
    precision = tp / max(predicted.sum(), 1)
    recall = tp / max(labels.sum(), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return float((predicted == labels).mean()), f1


def best_threshold(labels: np.ndarray, values: np.ndarray) -> float:
    """The threshold on ``values`` that maximises F1."""
    candidates = np.unique(np.round(values, 3))
    return float(max(candidates, key=lambda t: scores(labels, values >= t)[1]))


def fit(matrix: np.ndarray, labels: np.ndarray, cos: np.ndarray) -> None:
    """Cross-validated logistic model and baseline; prints figures and the weights to paste."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    model_pred = np.zeros(len(labels), dtype=bool)
    base_pred = np.zeros(len(labels), dtype=bool)
    for train, test in folds.split(matrix, labels):
        model = LogisticRegression(C=10.0, max_iter=2000).fit(matrix[train], labels[train])
        threshold = best_threshold(labels[train], model.predict_proba(matrix[train])[:, 1])
        model_pred[test] = model.predict_proba(matrix[test])[:, 1] >= threshold
        base_pred[test] = cos[test] >= best_threshold(labels[train], cos[train])
    print("5-fold CV (threshold tuned on each training fold):")
    print("  baseline cosine  acc %.4f  F1 %.4f" % scores(labels, base_pred))
    print("  newstrace        acc %.4f  F1 %.4f" % scores(labels, model_pred))
    model = LogisticRegression(C=10.0, max_iter=2000).fit(matrix, labels)
    threshold = best_threshold(labels, model.predict_proba(matrix)[:, 1])
    weights = {"bias": float(model.intercept_[0]), **dict(zip(FEATURES, map(float, model.coef_[0])))}
    print("PAIR_WEIGHTS = {")
    for name, value in weights.items():
        print(f'    "{name}": {value:.4f},')
    print("}")
    print(f"PAIR_THRESHOLD = {threshold:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="MRPC jsonl (s1, s2, label)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N pairs")
    parser.add_argument("--cache", type=Path, default=None, help="sentence-vector cache (.npz) to read and extend")
    parser.add_argument("--fit", action="store_true", help="refit the pair model with 5-fold CV and print it")
    parser.add_argument("--no-assert", action="store_true", help="exit 0 even when the target is missed")
    args = parser.parse_args()

    rows = load_pairs(args.data, args.limit)
    labels = np.array([r["label"] == 1 for r in rows])
    started = time.perf_counter()
    cos = cosines(rows, args.cache)
    encoded = time.perf_counter()
    verdicts = [sentence_pair_verdict(r["s1"], r["s2"], c) for r, c in zip(rows, cos)]
    judged = time.perf_counter()
    print(f"MRPC pairs: {len(rows)} ({labels.mean():.1%} paraphrases); "
          f"encoding {len(rows) / (encoded - started):.0f} pairs/s, verdicts {len(rows) / (judged - encoded):.0f} pairs/s")

    threshold = best_threshold(labels, cos)
    base_acc, base_f1 = scores(labels, cos >= threshold)
    ours_acc, ours_f1 = scores(labels, np.array([v.is_paraphrase for v in verdicts]))
    print(f"baseline MiniLM cosine >= {threshold:.3f} (tuned for F1 here): acc {base_acc:.4f}  F1 {base_f1:.4f}")
    print(f"newstrace pair verdict (p >= {PAIR_THRESHOLD}):             acc {ours_acc:.4f}  F1 {ours_f1:.4f}")
    if args.fit:
        fit(np.array([[v.features[name] for name in FEATURES] for v in verdicts]), labels, cos)
    if ours_f1 <= base_f1 and not args.no_assert:
        print("FAIL: newstrace F1 does not beat the cosine baseline", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
