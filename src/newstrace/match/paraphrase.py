"""Paraphrase detection: is one text a rewrite (or "spin") of the other?

A rewrite follows its source through its length: sentence by sentence, in order, keeping
its details, each sentence reworded more or less. Independent reports of one event share
names, numbers, quotations and now and then a sentence's structure, but not that
following. So two texts are aligned sentence to sentence (a monotone dynamic programme
over MiniLM sentence similarities that allows 2-1 / 1-2 merges and dropped or added
sentences), and a logistic model over length-aware evidence decides: how much of each
text follows the other, above all claim by claim (each aligned sentence pair weighted by
the probability that it states the same fact, pairs whose numbers differ left out), whether
close matches keep their order, how many sentences restate the other's claims, and the
wording kept outside quotations (word 3-grams both ways). Evidence must grow with length:
fewer than ``MIN_FOLLOWED_SENTENCES`` followed sentences never make a paraphrase, and the
model weighs the share of each text restated, not one close sentence.

Whether two single sentences state the same fact (:func:`same_claim`) is a separate
question, judged by a logistic model over the embedding similarity and lexical / number /
name agreement fitted on MRPC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Sequence

import numpy as np

from newstrace.match.align import Boilerplate, Overlap, TextProfile, lexical_overlap, profiles, shingle_overlap
from newstrace.encode.runtime import DIM, Encoder, default_encoder
from newstrace.model import Passage
from newstrace.text.sentences import Span, is_claim_sentence, split_sentences
from newstrace.text.quotes import quoted_stretches
from newstrace.text.names import names, numbers
from newstrace.text.words import STOPWORDS, WORD

#: Sentence pairs below this similarity are never aligned.
MIN_PAIR_SIMILARITY = 0.55
#: Similarity at which aligning a pair gains nothing; above it, aligning pays off.
ALIGN_THRESHOLD = 0.45
#: An aligned pair this similar but lexically this different is a reworded sentence.
REWORDED_SIMILARITY = 0.7
REWORDED_MAX_OVERLAP = 0.5
#: Sentences with a match at least this similar in the other text should be aligned, in order.
ORDER_SIMILARITY = 0.6


@dataclass(frozen=True)
class AlignedPair:
    """Sentences ``a_first..a_last`` of A match sentences ``b_first..b_last`` of B (inclusive)."""

    a_first: int
    a_last: int
    b_first: int
    b_last: int
    similarity: float


@dataclass
class SentenceAlignment:
    """A monotone sentence alignment of texts ``a`` and ``b``, with pair-level features."""

    a: str
    b: str
    a_sentences: list[Span]
    b_sentences: list[Span]
    pairs: list[AlignedPair]
    features: dict[str, float] = field(default_factory=dict)
    #: cosine similarity of the two whole texts (mean of their sentence vectors)
    text_similarity: float = 0.0
    #: per sentence of ``a`` and of ``b``: no evidence of following (:func:`unevidenced_sentences`)
    masked: tuple[np.ndarray, np.ndarray] | None = None

    @cached_property
    def claim_sentences(self) -> tuple[np.ndarray, np.ndarray]:
        """Which sentences of ``a`` and of ``b`` are claims: prose, not headings or list
        entries (:func:`is_claim_sentence`)."""
        return (np.array([is_claim_sentence(s.text(self.a)) for s in self.a_sentences], dtype=bool),
                np.array([is_claim_sentence(s.text(self.b)) for s in self.b_sentences], dtype=bool))

    @cached_property
    def no_evidence(self) -> np.ndarray:
        """Which aligned pairs are no evidence of following (:func:`_no_evidence`), computed once."""
        return _no_evidence(self)

    @property
    def passages(self) -> list[Passage]:
        """Aligned pairs as passages (``kind="paraphrase"``) with offsets into both texts."""
        return [
            Passage(
                a_start=self.a_sentences[p.a_first].start,
                a_end=self.a_sentences[p.a_last].end,
                b_start=self.b_sentences[p.b_first].start,
                b_end=self.b_sentences[p.b_last].end,
                similarity=round(p.similarity, 4),
                kind="paraphrase",
            )
            for p in self.pairs
        ]


@dataclass
class ParaphraseVerdict:
    """Whether the pair is a paraphrase (rewrite / spin), a score in [0, 1], and why."""

    is_paraphrase: bool
    score: float
    features: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- encoding


def sentence_texts(texts: Sequence[str]) -> list[list[str]]:
    """Each text's sentences, as :func:`align_sentences` splits them (one list per text)."""
    return [[span.text(text) for span in split_sentences(text)] for text in texts]


def regroup(flat: np.ndarray, groups: Sequence[Sequence[object]]) -> list[np.ndarray]:
    """Rows of ``flat`` (one per item of ``groups``, in order) cut back into one array per group."""
    bounds = np.cumsum([0] + [len(group) for group in groups])
    return [flat[start:end] for start, end in zip(bounds[:-1], bounds[1:])]


def encode_sentences(texts: Sequence[str], encoder: Encoder | None = None) -> list[np.ndarray]:
    """Sentence vectors of every text, from one batched encoder call (one array per text)."""
    encoder = encoder or default_encoder()
    sentences = sentence_texts(texts)
    return regroup(encoder.encode([s for group in sentences for s in group]), sentences)


def _text_vector(vectors: np.ndarray) -> np.ndarray:
    total = vectors.sum(axis=0) if len(vectors) else np.zeros(DIM, dtype=np.float32)
    return total / max(float(np.linalg.norm(total)), 1e-12)


def _merged(vectors: np.ndarray) -> np.ndarray:
    """Vectors of each two adjacent sentences taken together (normalised sum)."""
    pairs = vectors[:-1] + vectors[1:]
    return pairs / np.maximum(np.linalg.norm(pairs, axis=1, keepdims=True), 1e-12)


# ---------------------------------------------------------------- alignment


def _gain(similarity: np.ndarray, weight: float) -> np.ndarray:
    gain = (similarity - ALIGN_THRESHOLD) * weight
    return np.where(similarity >= MIN_PAIR_SIMILARITY, gain, -np.inf)


def _monotone_pairs(va: np.ndarray, vb: np.ndarray) -> list[AlignedPair]:
    """The best-scoring monotone alignment (1-1, 2-1, 1-2 steps, free skips)."""
    n, m = len(va), len(vb)
    if not n or not m:
        return []
    sim = va @ vb.T
    sim21 = _merged(va) @ vb.T if n > 1 else np.zeros((0, m))
    sim12 = va @ _merged(vb).T if m > 1 else np.zeros((n, 0))
    moves = [  # (a step, b step, similarity of the block ending at (i, j), weight)
        (1, 1, sim, 1.0),
        (2, 1, sim21, 1.5),
        (1, 2, sim12, 1.5),
    ]
    gains = [(da, db, _gain(s, w), s) for da, db, s, w in moves]
    score = np.zeros((n + 1, m + 1))
    back = np.zeros((n + 1, m + 1, 2), dtype=np.int8)  # (da, db) of the best move into a cell
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best, step = score[i - 1, j], (1, 0)
            if score[i, j - 1] > best:
                best, step = score[i, j - 1], (0, 1)
            for da, db, gain, _ in gains:
                if i >= da and j >= db:
                    candidate = score[i - da, j - db] + gain[i - da, j - db]
                    if candidate > best:
                        best, step = candidate, (da, db)
            score[i, j] = best
            back[i, j] = step
    similarity = {(da, db): s for da, db, _, s in gains}
    pairs: list[AlignedPair] = []
    i, j = n, m
    while i > 0 and j > 0:
        da, db = (int(x) for x in back[i, j])
        if da and db:
            block = float(similarity[(da, db)][i - da, j - db])
            pairs.append(AlignedPair(i - da, i - 1, j - db, j - 1, block))
        i, j = i - da, j - db
    return pairs[::-1]


def align_sentences(
    a: str,
    b: str,
    *,
    encoder: Encoder | None = None,
    vecs_a: np.ndarray | None = None,
    vecs_b: np.ndarray | None = None,
    profiled: tuple[TextProfile, TextProfile] | None = None,
) -> SentenceAlignment:
    """Align the sentences of ``a`` and ``b`` in order and measure how closely ``b`` follows ``a``.

    ``vecs_a`` / ``vecs_b`` are the texts' sentence vectors (from :func:`encode_sentences`);
    those not given are computed with ``encoder`` (default: the shared MiniLM encoder).
    ``profiled``: the two texts' profiles with their recurring boilerplate marked, whose
    sentences are then no evidence of following (:func:`unevidenced_sentences`).
    """
    spans_a, spans_b = split_sentences(a), split_sentences(b)
    if vecs_a is None or vecs_b is None:
        missing = [text for text, vecs in ((a, vecs_a), (b, vecs_b)) if vecs is None]
        computed = iter(encode_sentences(missing, encoder))
        vecs_a = next(computed) if vecs_a is None else vecs_a
        vecs_b = next(computed) if vecs_b is None else vecs_b
    if len(vecs_a) != len(spans_a) or len(vecs_b) != len(spans_b):
        raise ValueError("sentence vectors do not match the texts' sentences")
    alignment = SentenceAlignment(
        a, b, spans_a, spans_b, _monotone_pairs(vecs_a, vecs_b),
        text_similarity=float(_text_vector(vecs_a) @ _text_vector(vecs_b)),
        masked=None if profiled is None else (unevidenced_sentences(spans_a, profiled[0]),
                                              unevidenced_sentences(spans_b, profiled[1])),
    )
    alignment.features = _alignment_features(alignment, vecs_a @ vecs_b.T if len(vecs_a) and len(vecs_b) else None)
    return alignment


def unevidenced_sentences(spans: Sequence[Span], profile: TextProfile) -> np.ndarray:
    """Per sentence: whether most of its words lie in recurring boilerplate (an outlet's
    editor's note, a statement every report of an event pastes): restating it is no
    evidence of rewriting, as sharing it is none of copying."""
    recurring = profile.boilerplate
    if recurring is None or not recurring.any() or not spans:
        return np.zeros(len(spans), dtype=bool)
    sentence = np.searchsorted(np.array([s.start for s in spans]), profile.starts, side="right") - 1
    inside = sentence >= 0
    words = np.bincount(sentence[inside], minlength=len(spans))
    masked = np.bincount(sentence[inside], weights=recurring[inside], minlength=len(spans))
    return (words > 0) & (masked * 2 > words)


# ---------------------------------------------------------------- lexical features


def content_words(text: str) -> set[str]:
    """Lower-cased words of ``text`` that are not stop words."""
    return {w for w in (m.lower() for m in WORD.findall(text)) if w not in STOPWORDS}


def _jaccard(x: set[str], y: set[str]) -> float:
    return len(x & y) / len(x | y) if x or y else 1.0


def _normalised_words(text: str) -> str:
    return " ".join(m.lower() for m in WORD.findall(text))


def _longest_run(flags: Sequence[bool], pairs: Sequence[AlignedPair]) -> int:
    """Longest stretch of flagged pairs that are adjacent (at most one sentence apart) on both sides."""
    best = run = 0
    previous: AlignedPair | None = None
    for flag, pair in zip(flags, pairs):
        adjacent = previous is not None and pair.a_first - previous.a_last <= 2 and pair.b_first - previous.b_last <= 2
        run = (run + 1 if adjacent else 1) if flag else 0
        best = max(best, run)
        previous = pair if flag else None
    return best


def _quote_counts(source: str, target: str) -> tuple[int, int]:
    """Quotes of ``source`` kept verbatim in ``target``, and those missing (reworded or unquoted)."""
    target_words = _normalised_words(target)
    kept = mangled = 0
    for quote in quoted_stretches(source, min_words=3):
        if _normalised_words(quote) in target_words:
            kept += 1
        else:
            mangled += 1
    return kept, mangled


def _pair_texts(al: SentenceAlignment) -> list[tuple[str, str]]:
    """The text of each aligned pair in ``a`` and in ``b``."""
    return [
        (al.a[al.a_sentences[p.a_first].start : al.a_sentences[p.a_last].end],
         al.b[al.b_sentences[p.b_first].start : al.b_sentences[p.b_last].end])
        for p in al.pairs
    ]


def _in_order_share(al: SentenceAlignment, sim: np.ndarray | None) -> float:
    """Share of the sentences with a close match (>= ORDER_SIMILARITY) anywhere in the other
    text that the monotone alignment keeps: near 1 when one text follows the other, lower
    when close matches are scattered out of order, as between independent reports."""
    if sim is None:
        return 0.0
    matched_a = sim.max(axis=1) >= ORDER_SIMILARITY
    matched_b = sim.max(axis=0) >= ORDER_SIMILARITY
    aligned_a = np.zeros(len(matched_a), dtype=bool)
    aligned_b = np.zeros(len(matched_b), dtype=bool)
    for p in al.pairs:
        aligned_a[p.a_first : p.a_last + 1] = True
        aligned_b[p.b_first : p.b_last + 1] = True
    matched = int(matched_a.sum() + matched_b.sum())
    kept = int((matched_a & aligned_a).sum() + (matched_b & aligned_b).sum())
    return kept / matched if matched else 0.0


def _alignment_features(al: SentenceAlignment, sim: np.ndarray | None) -> dict[str, float]:
    n_a, n_b, pairs = len(al.a_sentences), len(al.b_sentences), al.pairs
    chars_a = sum(s.end - s.start for s in al.a_sentences) or 1
    chars_b = sum(s.end - s.start for s in al.b_sentences) or 1
    covered_a = sum(al.a_sentences[p.a_last].end - al.a_sentences[p.a_first].start for p in pairs)
    covered_b = sum(al.b_sentences[p.b_last].end - al.b_sentences[p.b_first].start for p in pairs)
    texts = _pair_texts(al)
    overlap = [_jaccard(content_words(x), content_words(y)) for x, y in texts]
    reworded = [p.similarity >= REWORDED_SIMILARITY and o < REWORDED_MAX_OVERLAP for p, o in zip(pairs, overlap)]
    number_pairs = [(numbers(x), numbers(y)) for x, y in texts]
    name_pairs = [(names(x), names(y)) for x, y in texts]
    kept_ab, mangled_ab = _quote_counts("\n".join(x for x, _ in texts), "\n".join(y for _, y in texts))
    kept_ba, mangled_ba = _quote_counts("\n".join(y for _, y in texts), "\n".join(x for x, _ in texts))
    return {
        "sentences_a": float(n_a),
        "sentences_b": float(n_b),
        "aligned_pairs": float(len(pairs)),
        "coverage_a": covered_a / chars_a,
        "coverage_b": covered_b / chars_b,
        "mean_similarity": float(np.mean([p.similarity for p in pairs])) if pairs else 0.0,
        "order_consistency": _in_order_share(al, sim),
        "longest_run": float(_longest_run([True] * len(pairs), pairs)),
        "lexical_overlap": float(np.mean(overlap)) if overlap else 0.0,
        "reworded_share": float(np.mean(reworded)) if reworded else 0.0,
        "reworded_run": float(_longest_run(reworded, pairs)),
        "number_agreement": _mean_agreement(number_pairs),
        "name_agreement": _mean_agreement(name_pairs),
        "quotes_kept": float(kept_ab + kept_ba),
        "quotes_mangled": float(mangled_ab + mangled_ba),
        "text_similarity": al.text_similarity,
    }


def _mean_agreement(sets: Sequence[tuple[set[str], set[str]]]) -> float:
    scores = [_jaccard(x, y) for x, y in sets if x or y]
    return float(np.mean(scores)) if scores else 1.0


# ---------------------------------------------------------------- verdicts


#: An aligned pair's weight rises linearly from 0 at FOLLOW_LOW similarity to 1 at FOLLOW_HIGH.
FOLLOW_LOW = 0.55
FOLLOW_HIGH = 0.8
#: An aligned pair weighing at least this is a followed sentence.
FOLLOWED_WEIGHT = 0.5
#: A paraphrase follows at least this many sentences of each text: one or two similar
#: sentences are what independent reports of one event share.
MIN_FOLLOWED_SENTENCES = 3
#: A paraphrase restates at least this share of one text claim by claim (``claim_a`` or
#: ``claim_b`` of :func:`_claim_following`): a rewrite covers most of its source, or a
#: summary most of itself, while two long reports (live blogs of one campaign, 300
#: sentences each) pile up dozens of chance restatements that are a few per cent of either.
#: On the tuning split of bench_rewrites.py every rewrite found restates 0.49 or more.
MIN_CLAIM_SHARE = 0.4
#: Word n-grams (outside quotations) counted as kept wording.
KEPT_NGRAM = 3

#: Logistic weights of the rewrite model over :func:`rewrite_features` (``bias`` the
#: intercept), fitted on the tuning split of ``benchmarks/bench_rewrites.py --fit``: texts
#: derived from ECB+ topics 1-20 and texts of reworded MRPC sentence pairs against
#: independent same-event reports (ECB+ topics 1-20, NeuS-AllSides train). Weights are kept
#: non-negative (each input is evidence of rewriting). Most weight goes to the claim-by-claim
#: following (:func:`_claim_following`) and the wording kept; the fit gave the cosine-only
#: following of the larger side and the count of followed sentences none.
REWRITE_WEIGHTS: dict[str, float] = {
    "bias": -11.5567,
    "follow_min": 1.1425,
    "follow_max": 0.0,
    "order_consistency": 0.4744,
    "followed_log": 0.0,
    "kept_min": 1.9705,
    "kept_max": 6.3873,
    "shared_log": 1.3246,
    "passage_log": 0.0529,
    "claim_min": 4.5547,
    "claim_max": 2.6702,
    "claims_log": 1.8502,
}
#: Probability from which a pair is a paraphrase: 0.5 % of the independent pairs of the
#: tuning split that reach the model score above it.
REWRITE_THRESHOLD = 0.7288


def _pair_weights(al: SentenceAlignment) -> np.ndarray:
    """Weight of each aligned pair as evidence of following: soft in the similarity, and 0 for
    pairs whose numbers all differ (independent reports of different counts, dates, scores)
    and for pairs of headings or list entries (:func:`_no_evidence`)."""
    similarity = np.array([p.similarity for p in al.pairs], dtype=np.float64)
    weights = np.clip((similarity - FOLLOW_LOW) / (FOLLOW_HIGH - FOLLOW_LOW), 0.0, 1.0)
    return np.where(al.no_evidence, 0.0, weights)


def _no_evidence(al: SentenceAlignment) -> np.ndarray:
    """Whether each aligned pair is no evidence of following: its numbers all differ
    (independent reports of different counts, dates, scores), one side holds no claim
    (a heading matched with a heading, a list entry with a list entry), or one side is
    recurring boilerplate (:attr:`SentenceAlignment.masked`)."""
    claims_a, claims_b = al.claim_sentences
    if al.masked is not None:
        claims_a, claims_b = claims_a & ~al.masked[0], claims_b & ~al.masked[1]
    return np.array([bool(nx and ny and not nx & ny)
                     or not (claims_a[p.a_first: p.a_last + 1].any() and claims_b[p.b_first: p.b_last + 1].any())
                     for p, (nx, ny) in zip(al.pairs, ((numbers(x), numbers(y)) for x, y in _pair_texts(al)))],
                    dtype=bool)


def _pair_extents(al: SentenceAlignment) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each text's length in the characters of its claim sentences (all its sentences when it
    has none: :attr:`SentenceAlignment.claim_sentences`), and per aligned pair its length
    in characters and in sentences on each side (for shares of ``a`` and of ``b``)."""
    chars_a, chars_b = (_claim_chars(spans, claims) for spans, claims in
                        zip((al.a_sentences, al.b_sentences), al.claim_sentences))
    length_a = np.array([al.a_sentences[p.a_last].end - al.a_sentences[p.a_first].start for p in al.pairs])
    length_b = np.array([al.b_sentences[p.b_last].end - al.b_sentences[p.b_first].start for p in al.pairs])
    span_a = np.array([p.a_last - p.a_first + 1 for p in al.pairs], dtype=np.int64)
    span_b = np.array([p.b_last - p.b_first + 1 for p in al.pairs], dtype=np.int64)
    return chars_a, chars_b, length_a, length_b, span_a, span_b


def _claim_chars(spans: Sequence[Span], claims: np.ndarray) -> int:
    lengths = np.array([s.end - s.start for s in spans], dtype=np.int64)
    return int(lengths[claims].sum() if claims.any() else lengths.sum()) or 1


def _following(al: SentenceAlignment) -> dict[str, float]:
    """Weighted shares of ``a`` and of ``b`` (in characters) that follow the other text, and
    the number of followed sentences on the side with fewer."""
    weights = _pair_weights(al)
    chars_a, chars_b, length_a, length_b, span_a, span_b = _pair_extents(al)
    followed = weights >= FOLLOWED_WEIGHT
    return {
        "follow_a": float(weights @ length_a) / chars_a,
        "follow_b": float(weights @ length_b) / chars_b,
        "followed_sentences": float(min(span_a[followed].sum(), span_b[followed].sum())) if len(followed) else 0.0,
    }


def _claim_following(al: SentenceAlignment) -> dict[str, float]:
    """How much of ``a`` and of ``b`` restates the other claim by claim: each aligned pair
    weighted by the sentence-pair model's probability that it states the same fact
    (:func:`sentence_pair_verdict`, 0 for pairs that are no evidence: :func:`_no_evidence`), as shares of
    each text (in characters), and the number of sentences, on the side with fewer, in
    pairs judged the same claim. A rewrite restates most of its source's claims in order;
    independent reports share a few (the event, a figure), which is why this evidence must
    grow with length."""
    if not al.pairs:
        return {"claim_a": 0.0, "claim_b": 0.0, "claims": 0.0}
    texts = _pair_texts(al)
    probability = np.array([sentence_pair_verdict(x, y, p.similarity).score for (x, y), p in zip(texts, al.pairs)])
    probability = np.where(al.no_evidence, 0.0, probability)
    chars_a, chars_b, length_a, length_b, span_a, span_b = _pair_extents(al)
    same = probability >= PAIR_THRESHOLD
    return {
        "claim_a": float(probability @ length_a) / chars_a,
        "claim_b": float(probability @ length_b) / chars_b,
        "claims": float(min(span_a[same].sum(), span_b[same].sum())),
    }


def kept_wording(a: str, b: str, overlap: Overlap | None = None, *,
                 boilerplate: Boilerplate | None = None,
                 profiled: tuple[TextProfile, TextProfile] | None = None) -> dict[str, float]:
    """Wording kept outside quotations (and outside the sentences ``boilerplate`` flags as
    recurring: an outlet's editor's note is no evidence of rewriting): the shares of ``a``'s
    and ``b``'s word 3-grams found in the other, how many are shared, and the longest shared
    passage (in words, from the 5-gram ``overlap`` of :func:`newstrace.match.align.lexical_overlap`,
    computed if not given). ``profiled``: the texts' :func:`kept_profiles`, if at hand."""
    pa, pb = profiled if profiled is not None else kept_profiles(a, b, boilerplate=boilerplate)
    shared, _, kept_a, kept_b = shingle_overlap(pa.shingles, pb.shingles)
    overlap = overlap if overlap is not None else lexical_overlap(a, b, boilerplate=boilerplate)
    return {
        "kept_a": kept_a,
        "kept_b": kept_b,
        "kept_shared": float(shared),
        "longest_passage": float(max(overlap.passage_words, default=0)),
    }


def kept_profiles(a: str, b: str, *, boilerplate: Boilerplate | None = None) -> tuple[TextProfile, TextProfile]:
    """The two texts' word ``KEPT_NGRAM``-gram profiles, quotations and ``boilerplate`` marked."""
    pa, pb = profiles([a, b], KEPT_NGRAM, boilerplate=boilerplate)
    return pa, pb


def rewrite_features(features: dict[str, float]) -> dict[str, float]:
    """The rewrite model's inputs, symmetric in the two texts, from the alignment, following
    and kept-wording features."""
    return {
        "follow_min": min(features["follow_a"], features["follow_b"]),
        "follow_max": max(features["follow_a"], features["follow_b"]),
        "order_consistency": features["order_consistency"],
        "followed_log": math.log1p(features["followed_sentences"]),
        "kept_min": min(features["kept_a"], features["kept_b"]),
        "kept_max": max(features["kept_a"], features["kept_b"]),
        "shared_log": math.log1p(features["kept_shared"]),
        "passage_log": math.log1p(features["longest_passage"]),
        "claim_min": min(features["claim_a"], features["claim_b"]),
        "claim_max": max(features["claim_a"], features["claim_b"]),
        "claims_log": math.log1p(features["claims"]),
    }


def rewrite_probability(inputs: dict[str, float]) -> float:
    """The rewrite model's probability for :func:`rewrite_features` ``inputs``."""
    logit = REWRITE_WEIGHTS["bias"] + sum(REWRITE_WEIGHTS[name] * value for name, value in inputs.items())
    return 1.0 / (1.0 + math.exp(-logit))


def is_rewrite(features: dict[str, float], probability: float) -> bool:
    """The paraphrase decision on a pair's features and rewrite-model ``probability``: at
    least ``MIN_FOLLOWED_SENTENCES`` followed sentences, ``MIN_CLAIM_SHARE`` of one text
    restated, and the model's verdict. (A second
    route, close cosine following through five sentences whatever the model said, was
    dropped with the claim-by-claim evidence: on the tuning split it then added one rewrite
    and two independent pairs.)"""
    return (features["followed_sentences"] >= MIN_FOLLOWED_SENTENCES
            and max(features["claim_a"], features["claim_b"]) >= MIN_CLAIM_SHARE
            and probability >= REWRITE_THRESHOLD)


def paraphrase_verdict(alignment: SentenceAlignment, kept: dict[str, float] | None = None) -> ParaphraseVerdict:
    """Is one text of the alignment a rewrite of the other?

    The rewrite model (:data:`REWRITE_WEIGHTS`) weighs how much of both texts follows the
    other (aligned pairs weighted by similarity, pairs with conflicting numbers left out),
    whether close matches keep their order, how many sentences are followed and the
    wording kept (``kept``: :func:`kept_wording`, computed if not given), and above all how
    much of each text restates the other claim by claim (:func:`_claim_following`). A pair
    following fewer than ``MIN_FOLLOWED_SENTENCES`` sentences is never a paraphrase, however
    alike (:func:`is_rewrite`).
    """
    features = dict(alignment.features)
    features.update(_following(alignment))
    features.update(_claim_following(alignment))
    features.update(kept if kept is not None else kept_wording(alignment.a, alignment.b))
    inputs = rewrite_features(features)
    features.update(inputs)
    score = rewrite_probability(inputs)
    return ParaphraseVerdict(is_rewrite(features, score), round(score, 4), features)


#: Logistic weights of the sentence-pair model, fitted on MRPC train
#: (``python benchmarks/bench_paraphrase.py --fit``); keys are the features of
#: :func:`sentence_pair_features`, ``bias`` the intercept.
PAIR_WEIGHTS: dict[str, float] = {
    "bias": -7.6040,
    "cosine": 4.8297,
    "word_overlap": 3.2010,
    "bigram_overlap": -0.2865,
    "number_agreement": 0.1969,
    "number_conflict": -0.6867,
    "name_agreement": -0.3027,
    "length_ratio": 3.9205,
}
#: Probability above which a sentence pair is a paraphrase (tuned for F1 on MRPC train).
PAIR_THRESHOLD = 0.395


def _bigrams(text: str) -> set[tuple[str, str]]:
    words = [w.lower() for w in WORD.findall(text)]
    return set(zip(words, words[1:]))


def sentence_pair_features(a: str, b: str, cosine: float) -> dict[str, float]:
    """Features of a short pair: embedding cosine and lexical / number / name agreement."""
    words_a, words_b = content_words(a), content_words(b)
    numbers_a, numbers_b = numbers(a), numbers(b)
    length_a, length_b = len(WORD.findall(a)), len(WORD.findall(b))
    return {
        "cosine": float(cosine),
        "word_overlap": _jaccard(words_a, words_b),
        "bigram_overlap": _jaccard(_bigrams(a), _bigrams(b)),
        "number_agreement": _jaccard(numbers_a, numbers_b),
        "number_conflict": float(bool(numbers_a and numbers_b and numbers_a != numbers_b)),
        "name_agreement": _jaccard(names(a), names(b)),
        "length_ratio": min(length_a, length_b) / max(length_a, length_b, 1),
    }


def sentence_pair_verdict(a: str, b: str, cosine: float) -> ParaphraseVerdict:
    """Verdict on two short texts whose embedding cosine similarity is ``cosine``."""
    features = sentence_pair_features(a, b, cosine)
    logit = PAIR_WEIGHTS["bias"] + sum(PAIR_WEIGHTS[name] * value for name, value in features.items())
    score = 1.0 / (1.0 + math.exp(-logit))
    return ParaphraseVerdict(score >= PAIR_THRESHOLD, round(score, 4), features)


@dataclass(frozen=True)
class ClaimMatch:
    """Whether two sentences state the same claim, and the score behind it (0 to 1)."""

    same: bool
    score: float


def same_claim(
    a: str, b: str, *, encoder: Encoder | None = None, vectors: np.ndarray | None = None
) -> ClaimMatch:
    """Whether two sentences state the same fact, in whatever words: corroboration, not
    copying (two outlets may state one fact independently). The test the digest's claim
    grouping uses.

    ``vectors`` are the two sentences' embeddings, shape ``(2, 384)``, if already computed.
    """
    verdict = compare_sentences(a, b, encoder=encoder, vectors=vectors)
    return ClaimMatch(verdict.is_paraphrase, verdict.score)


def compare_sentences(
    a: str, b: str, *, encoder: Encoder | None = None, vectors: np.ndarray | None = None
) -> ParaphraseVerdict:
    """Whether two sentences (or other short texts) say the same thing.

    ``vectors`` are the two texts' embeddings, shape ``(2, 384)``, if already computed.
    """
    if vectors is None:
        vectors = (encoder or default_encoder()).encode([a, b])
    return sentence_pair_verdict(a, b, float(vectors[0] @ vectors[1]))
