"""A deterministic article "spinner", to make rewrites of real articles for benchmarking.

It does what content spinners do: swaps words for synonyms (from a small built-in table),
moves clauses ("X, officials said." -> "Officials said X."), reorders sentences within a
paragraph, drops sentences, turns direct quotations into reworded indirect speech, and can
splice in sentences from another article on the same event (:func:`rewrite`).

:func:`human_rewrite` restructures harder, as an editor rewriting a story does: it moves a
paragraph, merges and splits sentences, moves leading and trailing phrases, turns easy
active sentences passive, with ``summary`` drops 30-50 % of the sentences, and with
``heavy`` also drops articles, auxiliaries and adverbs and adds fillers, so that the
rewrite keeps no more of its source's word n-grams than a human rewrite does.
:func:`excerpt` keeps the first paragraphs or a selection of them, word for word.

    python benchmarks/rewrite.py [--kind spun|human|summary|excerpt|selection] "Police said ..."
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass
from typing import Sequence

from newstrace.text.sentences import sentence_texts

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


_LEADING_PHRASE = re.compile(r"^(?P<phrase>(?:On|In|At|By|During|Earlier|Later|Last|This) [^,]{2,40}), (?P<rest>.+)\.$")
_TRAILING_TIME = re.compile(
    r"^(?P<rest>.+?) (?P<phrase>(?:on|in|at|during|last|this) (?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|"
    r"December|\d{4}|week|month|year|morning|afternoon|evening|night)[^,.]{0,20})\.$")
_ACTIVE = re.compile(
    r"^(?P<subject>(?:The|A|An) [a-z]+(?: [a-z]+)?) (?P<verb>[a-z]+ed) (?P<object>(?:the|a|an|his|her|their|its|"
    r"two|three|four|several|\d+) [^,;]{3,60})\.$")
_FUNCTION_WORDS = frozenset("The A An It He She They This That These Those There We His Her Their Its".split())
_SPLIT_AT = re.compile(r"(?:, and |; |, but |, which )")
PHRASES: dict[str, str] = {
    "in order to": "to", "as well as": "and", "a number of": "several", "more than": "over",
    "at least": "no fewer than", "according to": "as reported by", "due to": "because of",
    "in addition": "moreover", "on Monday": "Monday", "on Tuesday": "Tuesday", "on Wednesday": "Wednesday",
    "on Thursday": "Thursday", "on Friday": "Friday", "on Saturday": "Saturday", "on Sunday": "Sunday",
    "is expected to": "should", "will be": "is set to be", "has been": "was", "have been": "were",
}


def move_phrases(sentence: str) -> str:
    """Move a leading phrase ("On Monday, X.") to the end, or a trailing time phrase to the front."""
    match = _LEADING_PHRASE.match(sentence)
    if match:
        return f"{match['rest'][0].upper()}{match['rest'][1:]} {_lower_first(match['phrase'])}."
    match = _TRAILING_TIME.match(sentence)
    if match and len(match["rest"].split()) >= 4:
        return f"{match['phrase'][0].upper()}{match['phrase'][1:]}, {_lower_first(match['rest'])}."
    return sentence


def to_passive(sentence: str) -> str:
    """"The police arrested two men." -> "Two men were arrested by the police." (easy cases only)."""
    match = _ACTIVE.match(sentence)
    if not match:
        return sentence
    obj = match["object"]
    plural = obj.split()[0] in {"two", "three", "four", "several"} or obj.split()[0].isdigit() or obj.endswith("s")
    return f"{obj[0].upper()}{obj[1:]} {'were' if plural else 'was'} {match['verb']} by {_lower_first(match['subject'])}."


def swap_phrases(sentence: str) -> str:
    for old, new in PHRASES.items():
        sentence = sentence.replace(old, new)
    return sentence


def merge_sentences(first: str, second: str) -> str:
    """Two sentences joined into one ("A. B." -> "A, and b.")."""
    word, _, rest = second.partition(" ")
    if word in _FUNCTION_WORDS:
        second = f"{word.lower()} {rest}"
    return f"{first.rstrip(' .')}, and {second}"


def split_sentence(sentence: str) -> list[str]:
    """A long sentence cut in two at its first ", and" / ";" / ", but" / ", which"."""
    match = _SPLIT_AT.search(sentence)
    if not match or len(sentence.split()) < 16 or match.start() < 30:
        return [sentence]
    head, tail = sentence[: match.start()], sentence[match.end():]
    lead = {", and ": "", "; ": "", ", but ": "But ", ", which ": "This "}[match.group()]
    tail = lead + tail if lead else tail[0].upper() + tail[1:]
    return [head.rstrip() + ".", tail]


_DROPPABLE = frozenset("the a an that also very just which has have had been will would there then now still "
                       "even really only currently already".split())
_FILLERS = ("reportedly", "meanwhile", "notably", "in fact", "so far", "by then", "at the time")
_LOOSE_WORD = re.compile(r"\b[a-z]+\b")


def loosen(sentence: str, rng: random.Random, rate: float) -> str:
    """Word-level rewording that breaks shared n-grams: drops articles, auxiliaries and
    adverbs at ``rate`` and slips a filler word in after a comma."""
    sentence = _LOOSE_WORD.sub(lambda m: "" if m.group() in _DROPPABLE and rng.random() < rate else m.group(),
                               sentence)
    sentence = re.sub(r"\s{2,}", " ", sentence).strip()
    comma = sentence.find(", ")
    if comma > 0 and rng.random() < rate:
        sentence = f"{sentence[: comma + 2]}{rng.choice(_FILLERS)}, {sentence[comma + 2 :]}"
    return sentence


def human_rewrite(text: str, *, seed: int = 0, summary: bool = False, heavy: bool = False,
                  inserts: Sequence[str] = ()) -> str:
    """An editor-style rewrite of ``text`` (see the module docstring); ``summary`` drops
    30-50 % of the sentences, keeping the first; ``heavy`` rewords more words (:func:`loosen`)."""
    rng = random.Random(seed)
    paragraphs = _paragraphs(text)
    if len(paragraphs) > 3:  # move one later paragraph up or down by one
        i = rng.randrange(1, len(paragraphs) - 1)
        paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    drop = rng.uniform(0.3, 0.5) if summary else 0.0
    sentences_total = sum(len(p) for p in paragraphs)
    dropped = set(rng.sample(range(1, sentences_total), int(drop * sentences_total))) if sentences_total > 1 else set()
    out: list[str] = []
    foreign = list(inserts)
    position = 0
    for paragraph in paragraphs:
        kept = [s for k, s in enumerate(paragraph, position) if k not in dropped]
        position += len(paragraph)
        if not kept:
            continue
        restyled: list[str] = []
        for sentence in kept:
            sentence = mangle_quotes(sentence, rng) if rng.random() < 0.8 else sentence
            for change in (reshuffle_clauses, move_phrases, to_passive):
                if rng.random() < 0.6:
                    sentence = change(sentence)
            sentence = swap_phrases(swap_synonyms(sentence, rng, 1.0 if heavy else 0.8))
            sentence = loosen(sentence, rng, 0.6) if heavy else sentence
            restyled += split_sentence(sentence) if rng.random() < 0.5 else [sentence]
        merged: list[str] = []
        for sentence in restyled:
            if merged and rng.random() < 0.25 and len(merged[-1].split()) + len(sentence.split()) < 45:
                merged[-1] = merge_sentences(merged[-1], sentence)
            else:
                merged.append(sentence)
        out.append(" ".join(merged))
        if foreign and rng.random() < 0.2:
            out.append(foreign.pop(0))
    return "\n\n".join(out)


def excerpt(text: str, *, seed: int = 0, selection: bool = False) -> str:
    """The first 30-60 % of ``text``'s paragraphs word for word, or with ``selection`` a
    random 40-70 % of them (in order)."""
    rng = random.Random(seed)
    paragraphs = [" ".join(p) for p in _paragraphs(text)]
    if len(paragraphs) < 2:
        return text
    if selection:
        keep = sorted(rng.sample(range(len(paragraphs)), max(1, round(rng.uniform(0.4, 0.7) * len(paragraphs)))))
        return "\n\n".join(paragraphs[i] for i in keep)
    return "\n\n".join(paragraphs[: max(1, round(rng.uniform(0.3, 0.6) * len(paragraphs)))])


KINDS = ("spun", "human", "heavy", "summary", "excerpt", "selection")


def derive(text: str, kind: str, *, seed: int = 0, inserts: Sequence[str] = ()) -> str:
    """A text derived from ``text`` in the way ``kind`` (one of :data:`KINDS`) names."""
    if kind == "spun":
        return rewrite(text, seed=seed, inserts=inserts)
    if kind in ("human", "heavy", "summary"):
        return human_rewrite(text, seed=seed, summary=kind == "summary", heavy=kind == "heavy", inserts=inserts)
    if kind in ("excerpt", "selection"):
        return excerpt(text, seed=seed, selection=kind == "selection")
    raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("text", help="text to rewrite")
    parser.add_argument("--kind", choices=KINDS, default="spun")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(derive(args.text, args.kind, seed=args.seed))


if __name__ == "__main__":
    main()
