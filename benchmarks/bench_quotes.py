"""Direct quotes and their speakers on PolNeAR, against its hand-made attributions, with
textacy 0.13 ``direct_quotations`` scored the same way in the same run.

Protocol (issue 9):

* Gold: every attribution whose content text holds quotation marks (straight or curly
  double quotes, or two apostrophes typed for one: ``''…''``, as 119 NYT articles set them;
  ``--double-marks-only`` for the gold of the sessions before 52, which left those out). The gold quote is the words inside the marks (a mark left open runs to
  the end of the content), with the attribution's source span.
* Predictions: direct quotations only (newstrace: ``Quote.direct``; textacy: every triple).
* Match: shared word tokens divided by the longer of the two >= 0.5 (``--match``), greedily
  one-to-one, best overlap first, within one article.
* Speaker right: the predicted speaker (newstrace: the resolved name; textacy: the speaker
  tokens) shares a word, other than articles, prepositions and a possessive ``s``, with the
  gold source span (case-insensitive). Two figures for newstrace, both printed: "strict"
  scores the resolved name only ("Mike Pence" for a gold "the governor" counts as wrong);
  "name or mention" also credits the mention as the article words it beside the resolved
  name ("the governor"; ``Quote.speaker_mention``), since issue 9 asks for both and PolNeAR
  annotates the words as written. The targets hold for both; textacy's speaker is its
  words as written.

Printed per split and for all files together: precision, recall, F1; speaker accuracy over
all matched quotes with a gold source and over those whose gold source is not a bare pronoun
("named"); and both systems' speaker accuracy on the gold quotes that BOTH matched.

Targets (on all files): content F1 >= 0.85, named-source speaker accuracy >= 0.93 and
newstrace's named-source speaker accuracy above textacy's on the quotes both matched, each
speaker target met on both readings (strict and name or mention); the run exits with status
1 when one is missed (``--no-assert`` only prints). The spaCy parse
is most of the time (about 15 minutes for train+dev on 2 busy cores); ``--cache DIR`` keeps
the parsed documents (spaCy ``DocBin``) so later runs only extract and score.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "datasets" / "polnear"
DEFAULT_FILES = [DATA / f"{split}.jsonl" for split in ("train", "dev")]
TARGET_F1 = 0.85
TARGET_NAMED = 0.93

_WORD = re.compile(r"\w+")
_MARK = re.compile(r"[\"“”]|''")
#: The protocol before session 52: two apostrophes typed for a double quote (NYT's ''…'') not a mark.
_MARK_DOUBLE_ONLY = re.compile(r"[\"“”]")
IGNORED = frozenset(
    """a an the s of in on at by for with from to as into onto about over under after before
    since during through between among against without within via per than upon toward towards
    across along around behind beyond near off out up down""".split()
)
PRONOUNS = frozenset(
    "i me my we us our you your he him his she her hers it its they them their this that who which "
    "these those one someone".split()
)


def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())


def inside_marks(text: str, marks: re.Pattern = _MARK) -> str:
    """The words of ``text`` inside double quotation marks; an open mark runs to the end."""
    pieces, open_at = [], None
    for mark in marks.finditer(text):
        char, pos = mark.group(), mark.start()
        if open_at is None and char == "”":
            if not pieces:  # the quote opened before this content span
                pieces.append(text[:pos])
        elif open_at is None:
            open_at = pos + len(char)
        elif char == "“":
            open_at = pos + 1
        else:
            pieces.append(text[open_at:pos])
            open_at = None
    if open_at is not None:
        pieces.append(text[open_at:])
    return " ".join(pieces)


def overlap(a: list[str], b: list[str]) -> float:
    """Shared word tokens (with multiplicity) divided by the longer of the two."""
    if not a or not b:
        return 0.0
    common = sum(min(a.count(w), b.count(w)) for w in set(a))
    return common / max(len(a), len(b))


def speaker_right(predicted: str | None, gold: str | None) -> bool:
    if not predicted or not gold:
        return False
    return bool((set(words(predicted)) - IGNORED) & (set(words(gold)) - IGNORED))


def is_bare_pronoun(source: str | None) -> bool:
    tokens = words(source)
    return len(tokens) == 1 and tokens[0] in PRONOUNS


@dataclass
class Gold:
    words: list[str]
    source: str | None
    text: str
    start: int = 0  #: where the attribution's content starts in the article


@dataclass
class Predicted:
    words: list[str]
    speaker: str | None
    text: str
    mention: str | None = None


def gold_quotes(row: dict, marks: re.Pattern = _MARK) -> list[Gold]:
    found = []
    for attribution in row["attributions"]:
        content = " ".join(c["text"] for c in attribution["content"])
        if not marks.search(content):
            continue
        quoted = inside_marks(content, marks)
        if words(quoted):
            start = min(span[0] for c in attribution["content"] for span in c["spans"])
            found.append(Gold(words(quoted), (attribution.get("source") or {}).get("text"), quoted, start))
    return found


def newstrace_quotes(doc) -> list[Predicted]:
    from newstrace.digests.quotation import quotes_from_doc

    return [Predicted(words(q.text), q.speaker, q.text, q.speaker_mention) for q in quotes_from_doc(doc) if q.direct]


def textacy_quotes(doc) -> list[Predicted]:
    from textacy.extract.triples import direct_quotations

    try:
        triples = list(direct_quotations(doc))
    except (ValueError, IndexError):  # textacy gives up on unbalanced quote marks
        triples = []
    out = []
    for speaker, _cue, content in triples:
        text = " ".join(t.text for t in content)
        out.append(Predicted(words(text), " ".join(t.text for t in speaker), text))
    return out


def match(gold: list[Gold], predicted: list[Predicted], threshold: float) -> dict[int, int]:
    """Greedy one-to-one matching, best overlap first: gold index -> predicted index."""
    pairs = sorted(((overlap(g.words, p.words), i, j) for i, g in enumerate(gold)
                    for j, p in enumerate(predicted)), reverse=True)
    matched: dict[int, int] = {}
    used: set[int] = set()
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in matched and j not in used:
            matched[i] = j
            used.add(j)
    return matched


@dataclass
class Score:
    """One system's counts on one set of articles."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    sourced: int = 0
    sourced_ok: int = 0
    named: int = 0
    named_ok: int = 0
    sourced_either_ok: int = 0  #: right by the resolved name or by the mention as written
    named_either_ok: int = 0

    def add(self, gold: list[Gold], predicted: list[Predicted], pairs: dict[int, int]
            ) -> dict[int, tuple[bool, bool]]:
        """Counts one article; returns, per matched gold quote with a source, whether the speaker
        is right strictly and by name or mention."""
        self.gold += len(gold)
        self.predicted += len(predicted)
        self.matched += len(pairs)
        right = {}
        for i, j in pairs.items():
            if not gold[i].source:
                continue
            ok = speaker_right(predicted[j].speaker, gold[i].source)
            either = ok or speaker_right(predicted[j].mention, gold[i].source)
            right[i] = (ok, either)
            self.sourced += 1
            self.sourced_ok += ok
            self.sourced_either_ok += either
            if not is_bare_pronoun(gold[i].source):
                self.named += 1
                self.named_ok += ok
                self.named_either_ok += either
        return right

    @property
    def precision(self) -> float:
        return self.matched / max(self.predicted, 1)

    @property
    def recall(self) -> float:
        return self.matched / max(self.gold, 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / max(p + r, 1e-9)

    @property
    def named_accuracy(self) -> float:
        """Strict: the resolved name only."""
        return self.named_ok / max(self.named, 1)

    @property
    def named_either_accuracy(self) -> float:
        """The resolved name or the mention as written (the target figure)."""
        return self.named_either_ok / max(self.named, 1)

    def line(self, name: str) -> str:
        return (f"  {name:<10} P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f}  speaker (strict): "
                f"all={self.sourced_ok / max(self.sourced, 1):.3f} (n={self.sourced}) "
                f"named={self.named_accuracy:.3f} (n={self.named})  [gold={self.gold} predicted={self.predicted} "
                f"matched={self.matched}]")

    def mention_line(self, name: str) -> str:
        return (f"  {name:<10} speaker by resolved name or mention as written: "
                f"all={self.sourced_either_ok / max(self.sourced, 1):.3f} "
                f"named={self.named_either_ok / max(self.named, 1):.3f}")


@dataclass
class Both:
    """Both systems' speaker accuracy on the gold quotes both matched (newstrace strict and by
    name or mention; textacy by its words as written)."""

    n: int = 0
    ours: int = 0
    ours_either: int = 0
    theirs: int = 0
    named: int = 0
    ours_named: int = 0
    ours_either_named: int = 0
    theirs_named: int = 0

    def add(self, gold: list[Gold], ours: dict[int, tuple[bool, bool]], theirs: dict[int, tuple[bool, bool]]) -> None:
        for i in ours.keys() & theirs.keys():
            self.n += 1
            self.ours += ours[i][0]
            self.ours_either += ours[i][1]
            self.theirs += theirs[i][0]
            if not is_bare_pronoun(gold[i].source):
                self.named += 1
                self.ours_named += ours[i][0]
                self.ours_either_named += ours[i][1]
                self.theirs_named += theirs[i][0]

    def line(self) -> str:
        n, named = max(self.n, 1), max(self.named, 1)
        return (f"  both matched: all n={self.n} newstrace strict={self.ours / n:.3f} name-or-mention="
                f"{self.ours_either / n:.3f} textacy={self.theirs / n:.3f}; named n={self.named} newstrace "
                f"strict={self.ours_named / named:.3f} name-or-mention={self.ours_either_named / named:.3f} "
                f"textacy={self.theirs_named / named:.3f}")


@dataclass
class Tally:
    ours: Score = field(default_factory=Score)
    theirs: Score = field(default_factory=Score)
    both: Both = field(default_factory=Both)

    def print(self, title: str) -> None:
        print(title)
        print(self.ours.line("newstrace"))
        print(self.ours.mention_line("newstrace"))
        print(self.theirs.line("textacy"))
        print(self.both.line())


def parsed_docs(nlp, path: Path, rows: list[dict], cache: Path | None, n_process: int):
    """The parsed articles of one file, from the cache when it holds them."""
    from spacy.tokens import DocBin

    pipeline = f"{nlp.meta['name']}-{nlp.meta['version']}-{len(nlp.pipe_names)}"
    stored = cache / f"{path.stem}-{pipeline}-{len(rows)}.spacy" if cache else None
    if stored is not None and stored.exists():
        return list(DocBin().from_disk(stored).get_docs(nlp.vocab))
    docs = list(nlp.pipe((r["text"] for r in rows), batch_size=16, n_process=n_process))
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(stored)
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES, help="PolNeAR jsonl files")
    parser.add_argument("--limit", type=int, default=0, help="at most this many articles per file (0: all)")
    parser.add_argument("--match", type=float, default=0.5, help="shared words / longer quote needed to match")
    parser.add_argument("--n-process", type=int, default=2, help="spaCy worker processes for the parse")
    parser.add_argument("--cache", type=Path, help="folder keeping the parsed documents between runs")
    parser.add_argument("--errors", type=Path, help="write newstrace's wrong named-source speakers (strict; JSON Lines with context) here")
    parser.add_argument("--double-marks-only", action="store_true",
                        help="the gold of sessions before 52: quotes typed with two apostrophes (''…'', 119 NYT "
                             "articles) are not gold quotations")
    parser.add_argument("--no-assert", action="store_true", help="print only; do not fail when a target is missed")
    args = parser.parse_args()

    import spacy
    import textacy

    from newstrace.digests.nlp import load_nlp

    nlp = load_nlp()
    print(f"spaCy {spacy.__version__} with {nlp.meta['name']} {nlp.meta['version']} ({', '.join(nlp.pipe_names)}); "
          f"textacy {textacy.__version__}")
    total, errors = Tally(), []
    started = time.perf_counter()
    extract_s = {"newstrace": 0.0, "textacy": 0.0}
    for path in args.files:
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        rows = rows[: args.limit] if args.limit else rows
        tally = Tally()
        for row, doc in zip(rows, parsed_docs(nlp, path, rows, args.cache, args.n_process)):
            gold = gold_quotes(row, _MARK_DOUBLE_ONLY if args.double_marks_only else _MARK)
            t0 = time.perf_counter()
            ours = newstrace_quotes(doc)
            t1 = time.perf_counter()
            theirs = textacy_quotes(doc)
            extract_s["newstrace"] += t1 - t0
            extract_s["textacy"] += time.perf_counter() - t1
            ours_pairs, theirs_pairs = match(gold, ours, args.match), match(gold, theirs, args.match)
            for t in (tally, total):
                ours_right = t.ours.add(gold, ours, ours_pairs)
                t.both.add(gold, ours_right, t.theirs.add(gold, theirs, theirs_pairs))
            errors += [{"id": row["id"], "quote": gold[i].text[:120], "gold": gold[i].source,
                        "predicted": ours[j].speaker, "mention": ours[j].mention,
                        "mention_right": speaker_right(ours[j].mention, gold[i].source),
                        "context": row["text"][max(0, gold[i].start - 300) : gold[i].start + 200]}
                       for i, j in ours_pairs.items() if gold[i].source and not is_bare_pronoun(gold[i].source)
                       and not speaker_right(ours[j].speaker, gold[i].source)]
        tally.print(f"{path.stem}: {len(rows)} articles")
    total.print(f"all ({', '.join(p.stem for p in args.files)})")
    print(f"time: {time.perf_counter() - started:.1f} s wall, {time.process_time():.1f} s CPU (this process); extraction on parsed docs: newstrace "
          f"{extract_s['newstrace']:.1f} s, textacy {extract_s['textacy']:.1f} s")
    if args.errors:
        args.errors.write_text("".join(json.dumps(e) + "\n" for e in errors), encoding="utf-8")

    ours, both = total.ours, total.both
    missed = []
    if ours.f1 < TARGET_F1:
        missed.append(f"F1 {ours.f1:.3f} < {TARGET_F1}")
    for reading, accuracy, on_both in (("strict", ours.named_accuracy, both.ours_named),
                                       ("name or mention", ours.named_either_accuracy, both.ours_either_named)):
        if accuracy < TARGET_NAMED:
            missed.append(f"named-source speaker accuracy ({reading}) {accuracy:.3f} < {TARGET_NAMED}")
        if on_both <= both.theirs_named:
            missed.append(f"not above textacy on named sources of the quotes both matched ({reading})")
    print(f"named-source speaker accuracy (target {TARGET_NAMED}): strict resolved name {ours.named_accuracy:.3f}, "
          f"name or mention {ours.named_either_accuracy:.3f}")
    print("targets met" if not missed else "targets missed: " + "; ".join(missed))
    if missed and not args.no_assert:
        sys.exit(1)


if __name__ == "__main__":
    main()
