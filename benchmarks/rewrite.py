"""A deterministic article "spinner", to make rewrites of real articles for benchmarking.

It does what content spinners do: swaps words for synonyms (from a small built-in table),
moves clauses ("X, officials said." -> "Officials said X."), reorders sentences within a
paragraph, drops sentences, turns direct quotations into reworded indirect speech, and can
splice in sentences from another article on the same event.

    python benchmarks/rewrite.py "Police said the fire, which started on Monday, killed two people."
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass
from typing import Sequence

from newstrace.sentences import sentence_texts

SYNONYMS: dict[str, list[str]] = {
    "said": ["stated", "noted", "added", "explained"],
    "says": ["states", "notes", "explains"],
    "told": ["informed", "explained to"],
    "announced": ["revealed", "declared", "made public"],
    "reported": ["stated", "disclosed", "indicated"],
    "killed": ["left dead", "claimed the lives of"],
    "died": ["passed away", "lost their lives"],
    "police": ["authorities", "law enforcement", "officers"],
    "officials": ["authorities", "representatives"],
    "people": ["individuals", "persons", "residents"],
    "big": ["large", "major"],
    "large": ["big", "sizeable", "major"],
    "major": ["significant", "key", "big"],
    "small": ["minor", "little"],
    "important": ["significant", "crucial", "key"],
    "help": ["assist", "aid", "support"],
    "helped": ["assisted", "aided", "supported"],
    "began": ["started", "commenced"],
    "start": ["begin", "launch"],
    "started": ["began", "launched"],
    "ended": ["concluded", "finished"],
    "meeting": ["talks", "summit", "gathering"],
    "talks": ["discussions", "negotiations"],
    "leader": ["head", "chief"],
    "country": ["nation", "state"],
    "government": ["administration", "authorities"],
    "attack": ["assault", "strike"],
    "fire": ["blaze", "flames"],
    "car": ["vehicle", "automobile"],
    "house": ["home", "residence"],
    "home": ["house", "residence"],
    "city": ["town", "metropolis"],
    "area": ["region", "zone"],
    "arrested": ["detained", "taken into custody", "apprehended"],
    "charged": ["accused", "indicted"],
    "hospital": ["medical center", "infirmary"],
    "injured": ["hurt", "wounded"],
    "quickly": ["rapidly", "swiftly"],
    "also": ["additionally", "likewise"],
    "however": ["nevertheless", "yet"],
    "about": ["around", "roughly", "approximately"],
    "many": ["numerous", "several", "a lot of"],
    "very": ["extremely", "highly"],
    "new": ["fresh", "recent"],
    "first": ["initial", "earliest"],
    "last": ["previous", "final"],
    "week": ["seven days"],
    "showed": ["revealed", "demonstrated", "indicated"],
    "show": ["reveal", "demonstrate"],
    "warned": ["cautioned", "alerted"],
    "wanted": ["sought", "desired"],
    "want": ["seek", "desire"],
    "tried": ["attempted", "sought"],
    "try": ["attempt", "seek"],
    "need": ["require"],
    "needs": ["requires"],
    "used": ["utilized", "employed"],
    "use": ["utilize", "employ"],
    "found": ["discovered", "located"],
    "find": ["discover", "locate"],
    "get": ["obtain", "receive"],
    "got": ["obtained", "received"],
    "gave": ["provided", "handed"],
    "give": ["provide", "offer"],
    "made": ["created", "produced"],
    "make": ["create", "produce"],
    "buy": ["purchase", "acquire"],
    "bought": ["purchased", "acquired"],
    "company": ["firm", "business", "corporation"],
    "deal": ["agreement", "pact"],
    "agreement": ["deal", "accord"],
    "win": ["victory", "triumph"],
    "won": ["secured", "claimed"],
    "lost": ["was defeated in", "suffered a loss in"],
    "earlier": ["previously", "before"],
    "later": ["afterwards", "subsequently"],
    "now": ["currently", "presently"],
    "near": ["close to", "next to"],
    "because": ["since", "as"],
    "but": ["however", "yet"],
    "expected": ["anticipated", "predicted"],
    "likely": ["probably", "expected"],
    "recent": ["latest", "new"],
    "trip": ["journey", "visit"],
    "visit": ["trip", "tour"],
    "weapons": ["arms", "armaments"],
    "military": ["armed forces", "army"],
    "rules": ["regulations", "guidelines"],
    "law": ["legislation", "statute"],
    "vote": ["ballot", "poll"],
    "campaign": ["drive", "effort"],
    "candidate": ["contender", "hopeful"],
    "support": ["backing", "endorsement"],
    "rehab": ["rehabilitation", "treatment"],
    "film": ["movie", "picture"],
    "actress": ["star", "performer"],
    "actor": ["star", "performer"],
    "earthquake": ["quake", "tremor"],
    "shooting": ["gun attack", "gunfire incident"],
    "suspect": ["alleged perpetrator", "accused"],
    "victim": ["casualty"],
    "victims": ["casualties"],
}

_CONNECTIVES = ("after ", "while ", "because ", "when ", "as ", "since ", "although ", "according to ")
_ATTRIBUTION = re.compile(r"^(?P<body>.+?),\s+(?P<who>[^,]{3,60}?)\s+(?P<verb>said|says|reported|told \w+)\.$")
_QUOTE = re.compile(r"[\"“]([^\"“”]{10,}?)[\"”]")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass
class RewriteOptions:
    """How hard to spin: probabilities per word / sentence."""

    synonym_rate: float = 0.6
    clause_rate: float = 0.5
    swap_rate: float = 0.2
    drop_rate: float = 0.15
    quote_rate: float = 0.8


def swap_synonyms(sentence: str, rng: random.Random, rate: float) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group()
        choices = SYNONYMS.get(word.lower())
        if not choices or rng.random() >= rate:
            return word
        new = rng.choice(choices)
        return new[0].upper() + new[1:] if word[0].isupper() else new

    return _WORD.sub(replace, sentence)


def reshuffle_clauses(sentence: str) -> str:
    """Move a trailing attribution to the front, or a trailing subordinate clause to the front."""
    match = _ATTRIBUTION.match(sentence)
    if match:
        who = match["who"]
        return f"{who[0].upper()}{who[1:]} {match['verb']} that {_lower_first(match['body'])}."
    for connective in _CONNECTIVES:
        cut = sentence.find(", " + connective)
        if 0 < cut and sentence.endswith("."):
            clause = sentence[cut + 2 : -1]
            return f"{clause[0].upper()}{clause[1:]}, {_lower_first(sentence[:cut])}."
    return sentence


def mangle_quotes(sentence: str, rng: random.Random) -> str:
    """Turn direct quotations into reworded, unquoted reported speech."""
    def reword(match: re.Match[str]) -> str:
        quote = match.group(1).strip(" ,.")
        return "that " + swap_synonyms(quote, rng, 1.0) if len(quote.split()) >= 4 else match.group()

    return _QUOTE.sub(reword, sentence)


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    keep = first.isupper() or (first[:1].isupper() and any(c.isupper() for c in first[1:]))
    return text if keep or not text else text[0].lower() + text[1:]


def _paragraphs(text: str) -> list[list[str]]:
    """Paragraphs as lists of sentences; one-sentence lines are grouped three at a time."""
    blocks = [sentence_texts(block) for block in re.split(r"\n\s*\n", text) if block.strip()]
    if len(blocks) == 1 and len(blocks[0]) > 3:
        return [blocks[0][i : i + 3] for i in range(0, len(blocks[0]), 3)]
    return blocks


def rewrite(text: str, *, seed: int = 0, options: RewriteOptions | None = None,
            inserts: Sequence[str] = ()) -> str:
    """A spun version of ``text``; ``inserts`` are foreign sentences spliced in between paragraphs."""
    options = options or RewriteOptions()
    rng = random.Random(seed)
    foreign = list(inserts)
    out: list[str] = []
    for paragraph in _paragraphs(text):
        sentences = [s for s in paragraph if rng.random() >= options.drop_rate] or paragraph[:1]
        for i in range(len(sentences) - 1):
            if rng.random() < options.swap_rate:
                sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
        spun = []
        for sentence in sentences:
            if rng.random() < options.quote_rate:
                sentence = mangle_quotes(sentence, rng)
            if rng.random() < options.clause_rate:
                sentence = reshuffle_clauses(sentence)
            spun.append(swap_synonyms(sentence, rng, options.synonym_rate))
        out.append(" ".join(spun))
        if foreign and rng.random() < 0.3:
            out.append(foreign.pop(0))
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("text", help="text to spin")
    parser.add_argument("--seed", type=int, default=0)
    print(rewrite(parser.parse_args().text, seed=parser.parse_args().seed))


if __name__ == "__main__":
    main()
