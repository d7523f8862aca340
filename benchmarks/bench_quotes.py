"""Quote extraction on PolNeAR against its hand-made attributions, with textacy as baseline.

Matching: a predicted quote matches a gold attribution when the token-overlap F1 of their
content words (lower-cased word tokens, quote marks ignored) is >= --match (default 0.5);
each gold and each prediction matches at most once (greedy, best overlap first).
"Direct" compares gold attributions with ``has_quote_mark`` to predicted quotes whose span
holds a quotation (newstrace: direct quotes and reported speech containing quote marks;
textacy: every direct quotation). "All" compares every gold attribution with every prediction.
Speaker accuracy, on matched pairs with a gold source: correct when the predicted speaker
(newstrace: its resolved name or the mention it was read from, as gold sources are mentions
such as "he") and the gold source text share a capitalised name word, or are the same words.
speaker_acc counts a match without a predicted speaker as wrong; speaker_acc_when_named only
scores matches where the system named a speaker (textacy always does).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = [ROOT / ".." / "shared" / "datasets" / "polnear" / f"{s}.jsonl" for s in ("train", "dev")]
_WORD = re.compile(r"\w+")
_QUOTE_MARK = re.compile(r"[\"“”]")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def overlap_f1(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    common = sum(min(a.count(w), b.count(w)) for w in set(a))
    return 0.0 if common == 0 else 2 * common / (len(a) + len(b))


def match(gold: list[dict], predicted: list[dict], threshold: float) -> list[tuple[dict, dict]]:
    pairs = sorted(((overlap_f1(g["words"], p["words"]), i, j) for i, g in enumerate(gold)
                    for j, p in enumerate(predicted)), reverse=True)
    used_g, used_p, matched = set(), set(), []
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in used_g and j not in used_p:
            used_g.add(i), used_p.add(j)
            matched.append((gold[i], predicted[j]))
    return matched


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    if not predicted or not gold:
        return False
    names_p = {w for w in predicted.split() if w[:1].isupper()}
    names_g = {w.strip(".,’'s") for w in gold.split() if w[:1].isupper()}
    return bool(names_p & names_g) or words(predicted) == words(gold)


def gold_attributions(row: dict) -> list[dict]:
    out = []
    for a in row["attributions"]:
        text = " ".join(c["text"] for c in a["content"])
        out.append({"words": words(text), "direct": a["has_quote_mark"],
                    "speaker": (a["source"] or {}).get("text")})
    return out


def newstrace_predictions(doc, quotes_from_doc) -> list[dict]:
    out = []
    for q in quotes_from_doc(doc):
        span = doc.text[max(0, q.start - 1): q.end + 1]
        mention = doc.text[q.speaker_start:q.speaker_end] if q.speaker_start is not None else None
        out.append({"words": words(q.text), "direct": q.direct or bool(_QUOTE_MARK.search(span)),
                    "speaker": q.speaker, "mention": mention})
    return out


def textacy_predictions(doc) -> list[dict]:
    from textacy.extract.triples import direct_quotations

    out = []
    try:
        triples = list(direct_quotations(doc))
    except (ValueError, IndexError):  # textacy gives up on unbalanced quote marks
        triples = []
    for speaker, _cue, content in triples:
        out.append({"words": words(" ".join(t.text for t in content)), "direct": True,
                    "speaker": " ".join(t.text for t in speaker)})
    return out


class Score:
    def __init__(self) -> None:
        self.gold = self.predicted = self.matched = self.with_source = self.speaker_ok = self.attributed = 0

    def add(self, gold: list[dict], predicted: list[dict], threshold: float) -> None:
        pairs = match(gold, predicted, threshold)
        self.gold += len(gold)
        self.predicted += len(predicted)
        self.matched += len(pairs)
        for g, p in pairs:
            if g["speaker"]:
                self.with_source += 1
                self.attributed += bool(p["speaker"])
                self.speaker_ok += same_speaker(p["speaker"], g["speaker"]) or same_speaker(p.get("mention"), g["speaker"])

    def line(self, name: str) -> str:
        p = self.matched / max(self.predicted, 1)
        r = self.matched / max(self.gold, 1)
        f = 2 * p * r / max(p + r, 1e-9)
        acc = self.speaker_ok / max(self.with_source, 1)
        given = self.speaker_ok / max(self.attributed, 1)
        return (f"{name:<20} P={p:.3f} R={r:.3f} F1={f:.3f} speaker_acc={acc:.3f} "
                f"speaker_acc_when_named={given:.3f} (gold={self.gold}, pred={self.predicted})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES, help="PolNeAR jsonl files")
    parser.add_argument("--limit", type=int, default=0, help="at most this many articles (0: all)")
    parser.add_argument("--match", type=float, default=0.5, help="content token-overlap F1 needed to match")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    from newstrace.quotation import load_nlp, quotes_from_doc

    rows = [json.loads(line) for f in args.files for line in f.open(encoding="utf-8")]
    rows = rows[: args.limit] if args.limit else rows
    nlp = load_nlp()
    scores = {k: Score() for k in ("newstrace direct", "textacy direct", "newstrace all", "textacy all")}
    parse_s = ours_s = theirs_s = 0.0
    started = time.perf_counter()
    docs = nlp.pipe((r["text"] for r in rows), batch_size=args.batch_size)
    for row in rows:
        t0 = time.perf_counter()
        doc = next(docs)
        t1 = time.perf_counter()
        ours = newstrace_predictions(doc, quotes_from_doc)
        t2 = time.perf_counter()
        theirs = textacy_predictions(doc)
        t3 = time.perf_counter()
        parse_s, ours_s, theirs_s = parse_s + t1 - t0, ours_s + t2 - t1, theirs_s + t3 - t2
        gold = gold_attributions(row)
        scores["newstrace direct"].add([g for g in gold if g["direct"]], [p for p in ours if p["direct"]], args.match)
        scores["textacy direct"].add([g for g in gold if g["direct"]], theirs, args.match)
        scores["newstrace all"].add(gold, ours, args.match)
        scores["textacy all"].add(gold, theirs, args.match)
    total = time.perf_counter() - started
    print(f"PolNeAR articles: {len(rows)}  match: content token-overlap F1 >= {args.match}")
    for name, score in scores.items():
        print(score.line(name))
    n = max(len(rows), 1)
    print(f"speed: spaCy parse {n / max(parse_s, 1e-9):.1f} articles/s; newstrace quotes on parsed docs "
          f"{n / max(ours_s, 1e-9):.1f} articles/s; textacy {n / max(theirs_s, 1e-9):.1f} articles/s; "
          f"newstrace end to end {n / max(parse_s + ours_s, 1e-9):.1f} articles/s (wall {total:.1f} s)")


if __name__ == "__main__":
    main()
