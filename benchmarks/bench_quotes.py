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
scores matches where the system named a speaker (textacy always does). Each system is scored
on the quotes IT matched, so the "both matched" line also scores the two systems on the gold
quotes that both matched (like for like).

The run exits with status 1 unless newstrace beats textacy on direct-quote F1 and on
speaker_acc (--no-assert only prints). Full PolNeAR train+dev (924 articles) takes about
10 minutes on 2 busy cores, nearly all of it spaCy's parse.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
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
    """Matches and speaker agreement of one system against gold attributions."""

    def __init__(self) -> None:
        self.gold = self.predicted = self.matched = self.with_source = self.speaker_ok = self.attributed = 0

    def add(self, gold: list[dict], predicted: list[dict], threshold: float) -> dict[int, bool]:
        """Score one article; returns, per matched gold attribution with a source, whether the speaker is right."""
        pairs = match(gold, predicted, threshold)
        self.gold += len(gold)
        self.predicted += len(predicted)
        self.matched += len(pairs)
        right: dict[int, bool] = {}
        for g, p in pairs:
            if g["speaker"]:
                ok = same_speaker(p["speaker"], g["speaker"]) or same_speaker(p.get("mention"), g["speaker"])
                self.with_source += 1
                self.attributed += bool(p["speaker"])
                self.speaker_ok += ok
                right[id(g)] = ok
        return right

    @property
    def f1(self) -> float:
        p, r = self.matched / max(self.predicted, 1), self.matched / max(self.gold, 1)
        return 2 * p * r / max(p + r, 1e-9)

    @property
    def speaker_acc(self) -> float:
        return self.speaker_ok / max(self.with_source, 1)

    def line(self, name: str) -> str:
        p = self.matched / max(self.predicted, 1)
        r = self.matched / max(self.gold, 1)
        given = self.speaker_ok / max(self.attributed, 1)
        return (f"{name:<20} P={p:.3f} R={r:.3f} F1={self.f1:.3f} speaker_acc={self.speaker_acc:.3f} "
                f"speaker_acc_when_named={given:.3f} (gold={self.gold}, pred={self.predicted}, "
                f"matched with a gold source={self.with_source})")


class BothMatched:
    """Speaker accuracy of both systems on the gold quotes that both matched."""

    def __init__(self) -> None:
        self.n = self.ours = self.theirs = 0

    def add(self, ours: dict[int, bool], theirs: dict[int, bool]) -> None:
        for key in ours.keys() & theirs.keys():
            self.n += 1
            self.ours += ours[key]
            self.theirs += theirs[key]

    def line(self, name: str) -> str:
        n = max(self.n, 1)
        return f"{name:<20} newstrace speaker_acc={self.ours / n:.3f}  textacy speaker_acc={self.theirs / n:.3f} (n={self.n})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES, help="PolNeAR jsonl files")
    parser.add_argument("--limit", type=int, default=0, help="at most this many articles (0: all)")
    parser.add_argument("--match", type=float, default=0.5, help="content token-overlap F1 needed to match")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--n-process", type=int, default=2, help="spaCy worker processes for the parse")
    parser.add_argument("--no-assert", action="store_true", help="print only; do not fail when textacy wins")
    args = parser.parse_args()

    from newstrace.quotation import load_nlp, quotes_from_doc

    rows = [json.loads(line) for f in args.files for line in f.open(encoding="utf-8")]
    rows = rows[: args.limit] if args.limit else rows
    nlp = load_nlp()
    scores = {k: Score() for k in ("newstrace direct", "textacy direct", "newstrace all", "textacy all")}
    both = {"both matched direct": BothMatched(), "both matched all": BothMatched()}
    ours_s = theirs_s = 0.0
    started = time.perf_counter()
    docs = nlp.pipe((r["text"] for r in rows), batch_size=args.batch_size, n_process=args.n_process)
    for row, doc in zip(rows, docs):
        t0 = time.perf_counter()
        ours = newstrace_predictions(doc, quotes_from_doc)
        t1 = time.perf_counter()
        theirs = textacy_predictions(doc)
        ours_s, theirs_s = ours_s + t1 - t0, theirs_s + time.perf_counter() - t1
        gold = gold_attributions(row)
        gold_direct = [g for g in gold if g["direct"]]
        both["both matched direct"].add(
            scores["newstrace direct"].add(gold_direct, [p for p in ours if p["direct"]], args.match),
            scores["textacy direct"].add(gold_direct, theirs, args.match))
        both["both matched all"].add(scores["newstrace all"].add(gold, ours, args.match),
                                     scores["textacy all"].add(gold, theirs, args.match))
    total = time.perf_counter() - started
    print(f"PolNeAR articles: {len(rows)}  match: content token-overlap F1 >= {args.match}")
    for name, score in scores.items():
        print(score.line(name))
    for name, view in both.items():
        print(view.line(name))
    n = max(len(rows), 1)
    parse_s = total - ours_s - theirs_s
    print(f"speed: wall {total:.1f} s for {n} articles ({n / total:.2f} articles/s): spaCy parse with "
          f"n_process={args.n_process} ~{parse_s:.1f} s (wall not spent in the two extractors), newstrace quotes "
          f"on parsed docs {ours_s:.1f} s ({n / max(ours_s, 1e-9):.1f} articles/s), textacy {theirs_s:.1f} s")
    ours, theirs = scores["newstrace direct"], scores["textacy direct"]
    wins = ours.f1 > theirs.f1 and ours.speaker_acc > theirs.speaker_acc
    print(f"newstrace {'beats' if wins else 'does NOT beat'} textacy on direct quotes: F1 {ours.f1:.3f} vs "
          f"{theirs.f1:.3f}, speaker_acc {ours.speaker_acc:.3f} vs {theirs.speaker_acc:.3f}")
    if not wins and not args.no_assert:
        sys.exit(1)


if __name__ == "__main__":
    main()
