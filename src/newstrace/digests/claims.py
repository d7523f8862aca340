"""Claims: the factual sentences of a story's articles, grouped when they state the same thing.

Two sentences of different articles state the same claim when :func:`newstrace.same_claim`
says so, when they share a direct quotation, or when they are close in meaning and state a
number about the same thing of the same named subject (``fired two missiles`` and ``fired
three missiles``: one claim, whose numbers then conflict) or the same figure of the same thing
with a word in common around it (``added 916,000 jobs in March``); groups are average-linkage
clusters in which most pairs do. A group is confirmed by as many **independent reports** as it has families
(a root and the articles derived from it) that state it, and cites for each family an
article whose own text states it. Groups whose numbers, dates, times, places or speakers
disagree across independent reports are conflicts; unit conversions and approximations agree,
and a report that gives several figures of one kind takes no part in that kind's conflict.
A toll is one figure however it is counted (*Twelve people died*, *the number killed rose
to 14*: `deaths`), and a named person's ages are figures compared with that person's only
(*Kerr, 34* and *35-year-old Kerr* conflict). Ordinals (*the 23rd Democrat*) are figures
compared with ranks of the same thing; two sentences that count one thing under different
harms (*killed two*, *injured two*), or that quote different words beginning alike
(:func:`quotes_diverge`), are never one claim.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from newstrace.digests.facts import MONTHS, PLACE_LABELS, ArticleFacts, Entity, Measure, TimeRef, same_quantity
from newstrace.model import Conflict, ConflictVersion
from newstrace.digests.quotation import Quote
from newstrace.text.quotes import quote_spans
from newstrace.text.sentences import is_claim_sentence

#: Mean pair score a group must keep (average linkage); a pair scores its embedding cosine
#: when it states the same claim, else 0.
SAME_CLAIM = 0.4
#: Pairs below this embedding cosine are never the same claim (the pair test is not run).
MIN_COSINE = 0.5
QUOTE_OVERLAP = 0.6
QUOTE_PAIRS = 0.5  #: share of the shorter quote's word pairs the other must hold too
MIN_QUOTE_WORDS = 3  #: fewer words are a phrase anyone may use, not one speaker's quotation
MIN_WORDS = 6
CANNOT_LINK = 1e3  #: distance between two claims of one article
MAX_RATIO = 10.0  #: two sums or quantities further apart than this factor are of two things, not one in dispute
_BOILERPLATE = re.compile(
    r"all rights reserved|©|leave a reply|email address|required fields|contributed (to )?(this )?report"
    r"|developing story|more to come|sign up|subscribe|click here|follow us|newsletter|\(source:|cookies?\b"
    r"|^\W*published|read more|share this",
    re.I,
)
_WORD = re.compile(r"\w+")
_CENSORED = re.compile(r"\w*(?:-{2,}|\*{2,})\w*")
_SMALL_WORDS = frozenset("a an and as at by for from in of on or the to with vs".split())
_CONTEXT_WORDS = 5
_LABEL_MEASURE = re.compile(r"\d-[^\W\d_]")
_CLAUSE_BREAK = re.compile(r"[,;:.!?()—–]\s|[;:()—–]")
#: Words around a figure that say nothing of what it is about.
_FUNCTION_WORDS = _SMALL_WORDS | frozenset(
    "about almost nearly some more than less least over under around roughly just only up its their his her "
    "this that these those was were has have had been will would could said says per year years month months "
    "day days week weeks hours minutes million billion trillion thousand percent cent dollars".split())
_PLACE_PREPOSITION = re.compile(r"\b(in|at|near|from|to|outside|inside)\s+(the\s+)?$", re.I)
_ORDINAL = re.compile(r"\b(\d{1,4})(?:st|nd|rd|th)\b", re.I)
#: Words between an ordinal and what it ranks (*the 24th straight month*, *the 3rd-largest bank*).
_RANK_MODIFIERS = frozenset("straight consecutive successive annual overall ranked place".split())
#: What a toll counts when it does not say who: a count of these (or a bare number) under a harm is that harm's toll.
_TOLL_NOUNS = frozenset({None, *"people person persons individual victim casualty fatality death body life".split()})
_TOLLS = {"death": "deaths", "injury": "injured", "missing": "missing", "arrest": "arrests"}
#: Verbs that tell a toll changed: the date beside them is the change's.
_TOLL_CHANGES = frozenset("rose risen rises climbed climbs increased increases jumped jumps grew reached reaches "
                          "hit hits revised updated".split())
_AUXILIARIES = frozenset("were was are is have has had been being".split())
_PARTITIVE = re.compile(r"\s+of\b", re.I)
_TOLL_SUBJECT = re.compile(r"\btoll\b|\bnumber of\b")
#: Words of harm a figure counts, by the outcome they tell: *killed two people* and *injured
#: two people* are two facts.
_OUTCOMES = {word: outcome for outcome, words in {
    "death": "kill killed kills killing dead die died dies dying death deaths fatalities fatality perished lives",
    "injury": "injure injured injures injuring injury injuries wounded wounding wound wounds hurt hospitalised "
              "hospitalized",
    "missing": "missing",
    "arrest": "arrest arrested arrests arresting detain detained",
}.items() for word in words.split()}


@dataclass
class Statement:
    """One factual sentence of one article, with the facts it states."""

    id: str
    article_id: str
    text: str
    start: int
    end: int
    entities: list[Entity] = field(default_factory=list)
    numbers: list[Measure] = field(default_factory=list)
    times: list[TimeRef] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    position: float = 0.0  #: where in the article, 0 (top) to 1 (end)
    ranks: list[Rank] = field(default_factory=list)  #: ordinals: *the 23rd Democrat*
    ages: list[Age] = field(default_factory=list)  #: *Daniel Kerr, 34*, *35-year-old Daniel Kerr*

    @property
    def figures(self) -> list[Measure]:
        """Its numbers, ranks and ages: the values it can agree or conflict on."""
        return [*self.numbers, *self.ranks, *self.ages]


@dataclass
class Rank(Measure):
    """An ordinal and what it ranks (*the 23rd Democrat to join*): compared with ranks of the
    same thing only, never with counts."""

    @property
    def key(self) -> str:
        return f"rank of {self.counts_head}" if self.counts_head else "rank"


@dataclass
class Age(Measure):
    """A named person's age (*Daniel Kerr, 34*, *35-year-old Daniel Kerr*, *Tom Hale, aged
    19*, *Anna Berg (41)*): compared with ages of the same person only, and only equal ages
    agree."""

    person: str = ""

    @property
    def key(self) -> str:
        return f"age of {self.person}"


@dataclass
class ClaimGroup:
    """Claims from different articles that state the same thing."""

    id: str
    claims: list[Statement]
    independent_ids: list[str]
    text: str  #: the most central version

    @property
    def article_ids(self) -> list[str]:
        return sorted({c.article_id for c in self.claims})

    @property
    def n_independent(self) -> int:
        return len(self.independent_ids)


def article_claims(facts: ArticleFacts, text: str) -> list[Statement]:
    """The factual sentences of one article: not boilerplate, not questions, not fragments,
    and not sentences wholly inside a quotation (a speaker's words, listed as quotes: alone
    they would read as the outlet's own claim)."""
    claims = []
    quoted = quote_spans(text)
    for start, end in _sentence_spans(facts.sentences, text):
        sentence = text[start:end]
        if not is_factual(sentence) or any(qs <= start and end <= qe for qs, qe in quoted):
            continue
        within = facts.within(start, end)
        claims.append(Statement(
            id=f"{facts.article_id}:{start}", article_id=facts.article_id, text=sentence, start=start, end=end,
            entities=within.entities, numbers=within.numbers, times=within.times,
            quotes=[q for q in facts.quotes if q.start < end and start < q.end],
            position=start / max(len(text), 1), ranks=ranks(sentence, start, within.times),
            ages=ages(sentence, start, within.entities),
        ))
    return claims


def ranks(sentence: str, offset: int, times: list[TimeRef] = ()) -> list[Rank]:
    """The ordinals written in figures (*23rd*, *the 24th straight month*) with the word they
    rank; a day of a date (*March 23rd*, *the 23rd of March*) is none."""
    found = []
    for match in _ORDINAL.finditer(sentence):
        start, end = offset + match.start(), offset + match.end()
        if any(t.start <= start < t.end for t in times) or _names_a_day(sentence, match):
            continue
        ranked = _ranked_word(sentence[match.end() :])
        found.append(Rank(text=match.group(), start=start, end=end, value=float(match.group(1)),
                          counts=ranked, counts_head=ranked.lower() if ranked else None))
    return found


#: Ages as news writes them beside a name: *Kerr, 34,* or *Kerr (34)*, *35-year-old*, *aged 34*.
_AGE_AFTER_NAME = re.compile(r"(?:,\s+|\s+\()(\d{1,3})(?:\)|(?=\s*(?:[,;]|\.(?:\s|$)|$)))")
_YEARS_OLD = re.compile(r"\b(\d{1,3})-year-old\b")
_AGED = re.compile(r"\baged\s+(\d{1,3})\b")
#: What may stand between *N-year-old* and the name it describes: *the 36-year-old champion
#: Wladimir Klitschko*; or between a name and its age: *Lena Ford, a 68-year-old teacher*.
_ROLE_WORDS_BETWEEN = re.compile(r"(?:\s+[a-z][\w-]*){0,3}\s+")
_APPOSITION = re.compile(r",\s+(?:a|an|the)\s+")
#: Characters between *aged N* and the name it goes with (*The victim, aged 19, was named as Tom Hale*).
_AGE_REACH = 40


def ages(sentence: str, offset: int, entities: list[Entity]) -> list[Age]:
    """The ages of the named people of one sentence: a number right after a name, set off by
    commas or in brackets (*Daniel Kerr, 34,*); *N-year-old* before a name (a few role words
    between) or in apposition to one (*Lena Ford, a 68-year-old teacher*), not before a thing
    (*35-year-old regulations*); *aged N* with the nearest name within a few words."""
    people = [(p.start - offset, p.end - offset, p) for p in entities if p.label == "PERSON"]
    found = []
    for match in _AGE_AFTER_NAME.finditer(sentence):
        owner = next((p for start, end, p in people if end == match.start()), None)
        if owner is not None:
            found.append(_age(match, offset, owner))
    for match in _YEARS_OLD.finditer(sentence):
        owner = next((p for start, end, p in people if start > match.end()
                      and _ROLE_WORDS_BETWEEN.fullmatch(sentence, match.end(), start)), None)
        owner = owner or next((p for start, end, p in people if end < match.start()
                               and _APPOSITION.fullmatch(sentence, end, match.start())), None)
        if owner is not None:
            found.append(_age(match, offset, owner))
    for match in _AGED.finditer(sentence):
        near = [(start - match.end() if start >= match.end() else match.start() - end, p) for start, end, p in people]
        near = [(distance, p) for distance, p in near if 0 <= distance <= _AGE_REACH]
        if near:
            found.append(_age(match, offset, min(near, key=lambda item: item[0])[1]))
    return [age for age in found if 0 < age.value <= 120]


def _age(match: re.Match, offset: int, owner: Entity) -> Age:
    return Age(text=match.group(1), start=offset + match.start(1), end=offset + match.end(1),
               value=float(match.group(1)), counts="years old", person=owner.name)


def _names_a_day(sentence: str, match: re.Match) -> bool:
    before = _WORD.findall(sentence[: match.start()].lower())[-1:]
    after = _WORD.findall(sentence[match.end() :].lower())[:2]
    return bool(set(before) & MONTHS.keys()) or (after[:1] == ["of"] and bool(set(after[1:]) & MONTHS.keys()))


def _ranked_word(tail: str) -> str | None:
    """The word an ordinal ranks, as written: the first after it besides modifiers and
    superlatives; none when a function word comes first (*the 24th in its history*)."""
    for word in _WORD.findall(tail)[:3]:
        lower = word.lower()
        if lower in _RANK_MODIFIERS or (lower.endswith("est") and len(lower) > 4):
            continue
        return None if lower in _FUNCTION_WORDS or word.isdigit() else word
    return None


def is_factual(sentence: str) -> bool:
    """Whether a sentence can carry a claim: long enough, ending as a statement does (not a
    question, not a colon that introduces a list), with a lowercase word besides small ones
    (a heading or a list entry, *June 14 – Alpharetta, GA @ Ameris Bank Amphitheatre*, has
    none), and not boilerplate. It is a claim sentence first, by the rule the rewrite
    evidence uses (:func:`newstrace.text.sentences.is_claim_sentence`)."""
    stripped = sentence.strip().rstrip("\"'”’")
    words = _WORD.findall(sentence)
    return (
        is_claim_sentence(sentence)
        and len(words) >= MIN_WORDS
        and not stripped.endswith("?")
        and stripped[-1:] in {".", "!", ")"}
        and any(w[0].islower() and len(w) > 1 and w not in _SMALL_WORDS for w in words)
        and not _BOILERPLATE.search(sentence)
    )


def _sentence_spans(sentences: list[tuple[int, int]], text: str) -> Iterable[tuple[int, int]]:
    """Sentences, cut again at line breaks and trimmed of whitespace."""
    for start, end in sentences:
        for line in re.finditer(r"[^\n]+", text[start:end]):
            s, e = start + line.start(), start + line.end()
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                yield s, e


# --- grouping ---------------------------------------------------------------------------


def group_claims(claims: list[Statement], roots: dict[str, str], *, encoder=None,
                 threshold: float = SAME_CLAIM) -> list[ClaimGroup]:
    """Group claims of different articles that say the same thing (at most one per article).

    Clusters are merged (average linkage) while the mean pair score reaches ``threshold``: a
    pair scores its embedding cosine when it states the same claim (see :func:`pair_scores`),
    else 0, so the closest statements join first.
    """
    if not claims:
        return []
    if encoder is None:
        from newstrace.encode.runtime import default_encoder

        encoder = default_encoder()
    vectors = encoder.encode([c.text for c in claims])
    scores = pair_scores(claims, vectors)
    clusters = _merge_pairs(claims, scores, threshold)
    groups = [_group(f"g{n}", [claims[i] for i in members], vectors[members], roots)
              for n, members in enumerate(clusters)]
    return sorted(groups, key=lambda g: (-g.n_independent, -len(g.claims), min(c.position for c in g.claims)))


def pair_scores(claims: list[Statement], vectors: np.ndarray) -> np.ndarray:
    """The cosine of pairs that state the same claim, 0 for others, -1 for two claims of one article."""
    from newstrace.match.paraphrase import same_claim

    cosines = vectors @ vectors.T
    articles = np.array([c.article_id for c in claims])
    different = articles[:, None] != articles[None, :]
    scores = np.zeros_like(cosines)
    for i, j in np.argwhere(np.triu((cosines >= MIN_COSINE) & different, k=1)):
        a, b = claims[i], claims[j]
        same = not tells_other_harm(a, b) and not quotes_diverge(a.text, b.text) and (
            shares_quote(a.quotes, b.quotes) or shares_counted_fact(a, b) or shares_figure(a, b)
            or same_claim(a.text, b.text, vectors=vectors[[i, j]]).same)
        scores[i, j] = scores[j, i] = cosines[i, j] if same else 0.0
    scores[~different] = -1.0
    return scores


def shares_counted_fact(a: Statement, b: Statement) -> bool:
    """Whether two claims count or measure the same thing (whatever the value) about a shared
    name; a hyphenated measure that names a kind of thing (*the 16-inch MacBook Pro*) counts
    nothing, and a count of another harm (*killed* and *injured*) is another thing. A unit
    tells what kind of value, not what it measures: two sums or lengths are of one thing when
    they agree or share a word around them (not *66 miles above the Earth* and *20 miles
    outside the town*); sums or quantities more than ten times apart are of two things, counts
    compare whatever their ratio (:func:`_same_order`)."""
    if not {e.name for e in a.entities} & {e.name for e in b.entities}:
        return False
    counted_b = [(y, key) for y, key in _keyed_figures(b) if not _LABEL_MEASURE.search(y.text)]
    return any(key_x == key_y and not _other_outcomes((x, a), (y, b)) and _same_order(x, y)
               and (not x.dimension or same_quantity(x, y) or _comparable((x, a), (y, b)))
               for x, key_x in _keyed_figures(a) if not _LABEL_MEASURE.search(x.text) for y, key_y in counted_b)


def _keyed_figures(claim: Statement) -> list[tuple[Measure, str]]:
    """A claim's figures of what happened (:func:`_event_figures`) that say what they are
    about, each with its :func:`fact_key`, computed once."""
    return [(m, key) for m in _event_figures(claim) if (key := fact_key(m, claim))]


def _event_figures(claim: Statement) -> list[Measure]:
    """A claim's figures but the ages of its people: an age says who, not what happened
    (*Kerr, 34, was arrested* and *Kerr, 34, appeared in court* are two claims)."""
    return [*claim.numbers, *claim.ranks]


def shares_figure(a: Statement, b: Statement) -> bool:
    """Whether two claims give the same figure for the same thing, told with a word in common
    around it besides the words it is part of (*employers added 916,000 jobs in March* and *the
    economy added 916,000 new jobs in March*; not *backs $2,000 checks* and *voted to pass $2,000
    checks*): reports word one fact differently, but its figure stays."""
    figures_b = [(y, key) for y, key in _keyed_figures(b) if not _labels_a_name(y, b)]
    return any(key_x == key_y and same_quantity(x, y) and _comparable((x, a), (y, b))
               and _figure_context(x, a, beyond_phrase=True) & _figure_context(y, b, beyond_phrase=True)
               for x, key_x in _keyed_figures(a) if not _labels_a_name(x, a) for y, key_y in figures_b)


def fact_key(measure: Measure, claim: Statement) -> str | None:
    """What a figure is about: its unit's dimension or the thing it counts (:attr:`Measure.key`),
    except a toll: people counted without saying who (*people*, *victims*, or a bare number:
    *the death toll rose to 14*) under one harm are that harm's toll (``"deaths"``,
    ``"injured"``, …), so *killing 12 people*, *Twelve people died* and *the number of people
    killed rose to 14* are one figure, whose values conflict. A share of a toll (*two of the
    injured*, *five of them*) counts something else."""
    if isinstance(measure, (Rank, Age)) or measure.dimension or measure.counts_head not in _TOLL_NOUNS:
        return measure.key
    if _PARTITIVE.match(claim.text, max(measure.end - claim.start, 0)):
        return measure.key
    if measure.counts_head is None:  # a bare number: only a harm right beside it tells what it counts
        outcome = _adjacent_harm(measure, claim) or _toll_subject(measure, claim)
    else:
        outcome = _outcome(measure, claim)
    return _TOLLS[outcome] if outcome else measure.key


def _adjacent_harm(figure: Figure, claim: Statement) -> str | None:
    """The harm named right before a bare number or right after it (*injuring 31*, *left 14
    dead*, *14 were killed*); *a boy aged 14 was killed* counts no harm."""
    before, after = _clause_words(figure, claim)
    after = list(itertools.dropwhile(lambda w: w in _AUXILIARIES, after))
    return next((_OUTCOMES[w] for w in (before[-1:] + after[:1]) if w in _OUTCOMES), None)


def _toll_subject(figure: Figure, claim: Statement) -> str | None:
    """The harm a bare number is the level of (*the number of people killed in the fire rose to
    14*, *the toll stands at 14*): the last word of harm in its clause before it, when that
    clause speaks of a toll or a number of."""
    head = _CLAUSE_BREAK.split(claim.text[: max(figure.start - claim.start, 0)])[-1].lower()
    if not _TOLL_SUBJECT.search(head):
        return None
    harms = [_OUTCOMES[w] for w in _WORD.findall(head) if w in _OUTCOMES]
    return harms[-1] if harms else None


def tells_other_harm(a: Statement, b: Statement) -> bool:
    """Whether two claims count one thing under different harms (*killed two people*, *injured
    two people*) and under none in common: two facts, whatever else they share. Tolls of one
    harm far apart are not two facts by their size alone: an early and a later toll, or an
    official's and a hospital's, of one attack is what a reader must see in dispute."""
    pairs = [((x, a), (y, b)) for x in _event_figures(a) for y in _event_figures(b) if x.key and x.key == y.key]
    return any(_other_outcomes(*p) for p in pairs) and not any(_same_outcome(*p) for p in pairs)


def _other_outcomes(a: tuple[Figure, Statement], b: tuple[Figure, Statement]) -> bool:
    outcome_a, outcome_b = _outcome(*a), _outcome(*b)
    return bool(outcome_a and outcome_b and outcome_a != outcome_b)


def _same_outcome(a: tuple[Figure, Statement], b: tuple[Figure, Statement]) -> bool:
    outcome = _outcome(*a)
    return outcome is not None and outcome == _outcome(*b)


def _outcome(figure: Figure, claim: Statement) -> str | None:
    """The harm a figure counts: the word of harm nearest to it in its clause, within a few
    words (*left two dead and five injured*: two dead)."""
    before, after = _clause_words(figure, claim)
    nearest = [(n, _OUTCOMES[w]) for n, w in enumerate(reversed(before)) if w in _OUTCOMES]
    nearest += [(n, _OUTCOMES[w]) for n, w in enumerate(after) if w in _OUTCOMES]
    return min(nearest)[1] if nearest else None


def _labels_a_name(measure: Measure, claim: Statement) -> bool:
    """Whether a bare number is part of a name (*Skyrunner 2*, *Flight 370*): a count names
    the thing it counts after it (*two cruise missiles*)."""
    if measure.dimension or not measure.counts:
        return False
    after = _WORD.findall(claim.text[max(measure.end - claim.start, 0) :].lower())[:_CONTEXT_WORDS]
    return measure.counts.split()[-1].lower() not in after


def shares_quote(a: list[Quote], b: list[Quote]) -> bool:
    """Whether two lists hold the same direct quotation (most of the shorter's words, of at
    least :data:`MIN_QUOTE_WORDS`) by the rule that makes quotes one (:func:`_same_quote`:
    loose words in common, *allegations … poor mental health*, are not)."""
    return any(quote_overlap(x.text, y.text) >= QUOTE_OVERLAP and _same_quote(x.text, y.text)
               for x in a if x.direct for y in b if y.direct)


def quotes_diverge(a: str, b: str) -> bool:
    """Whether two sentences quote different words that begin or end alike: a quotation of
    one shares a run of at least :data:`MIN_QUOTE_WORDS` words with one of the other, then
    each says something else in at least as many words (*"I could not ... vote either yes or
    no"* and *"I could not ... vote against it because ..."*), and no quotation of one is the
    other's words, in part or whole. Two such sentences report two statements, however alike
    their wording; a quotation one outlet gives in part, or with a word changed, still agrees.
    The quotation marks are read from the text (a headline's quotation has no speaker)."""
    relations = {_quote_relation(x, y) for x in _quoted_words(a) for y in _quoted_words(b)}
    return "diverge" in relations and "same" not in relations


def _quoted_words(text: str) -> list[list[str]]:
    words = (_WORD.findall(text[start:end].lower()) for start, end in quote_spans(text))
    return [w for w in words if len(w) >= MIN_QUOTE_WORDS]


def _quote_relation(a: list[str], b: list[str]) -> str | None:
    """``"same"`` when two quotations share a run of words and no more than a few words of
    either stand where the other has other words (a quotation given in part, or with a word
    changed, or two overlapping pieces of one statement), ``"diverge"`` when both have at
    least :data:`MIN_QUOTE_WORDS` words of their own in one place, before, between or after
    the runs they share (runs of two words or more; a lone *the* in common anchors nothing),
    else None."""
    runs = [m for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size >= 2]
    if not any(m.size >= MIN_QUOTE_WORDS for m in runs):
        return None
    end_a = end_b = 0
    for m in [*runs, difflib.Match(len(a), len(b), 0)]:
        if min(m.a - end_a, m.b - end_b) >= MIN_QUOTE_WORDS:
            return "diverge"
        end_a, end_b = m.a + m.size, m.b + m.size
    return "same"


def quote_overlap(a: str, b: str) -> float:
    """Share of the shorter quote's words found in the other; 0 for quotes under 3 words."""
    words_a, words_b = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    shorter = min(len(words_a), len(words_b))
    return len(words_a & words_b) / shorter if shorter >= MIN_QUOTE_WORDS else 0.0


def _merge_pairs(claims: list[Statement], scores: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage clusters whose mean pair score reaches ``threshold``; two claims of one
    article (score -1) make a merge impossible."""
    if len(claims) == 1:
        return [[0]]
    distances = np.where(scores < 0, CANNOT_LINK, 1.0 - np.clip(scores, 0.0, 1.0))
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    clusters: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        clusters[int(label)].append(index)
    return list(clusters.values())


def _group(group_id: str, claims: list[Statement], vectors: np.ndarray, roots: dict[str, str]) -> ClaimGroup:
    central = int(np.argmax((vectors @ vectors.T).sum(axis=1)))
    ordered = sorted(claims, key=lambda c: (c.article_id, c.start))
    return ClaimGroup(id=group_id, claims=ordered,
                      independent_ids=family_citations((c.article_id for c in ordered), roots),
                      text=claims[central].text)


def family_citations(article_ids: Iterable[str | None], roots: dict[str, str]) -> list[str]:
    """One article per independent family among ``article_ids`` (the articles that state
    something): the family's root when it is one of them, else the first member that is, so
    every citation can be followed to the words."""
    stating = {a for a in article_ids if a is not None}
    by_family: dict[str, list[str]] = defaultdict(list)
    for article_id in sorted(stating):
        by_family[roots.get(article_id, article_id)].append(article_id)
    return sorted(root if root in stating else members[0] for root, members in by_family.items())


# --- conflicts --------------------------------------------------------------------------


def find_conflicts(groups: list[ClaimGroup], roots: dict[str, str], *,
                   places_together: set[frozenset[str]] | None = None) -> list[Conflict]:
    """Points on which independent reports of the same claim disagree.

    ``places_together`` holds pairs of place names some article mentions together: such
    places are taken as compatible (a city and its region), not as a conflict.
    """
    conflicts: list[Conflict] = []
    for group in groups:
        if group.n_independent < 2:
            continue
        by_root: dict[str, list[Statement]] = defaultdict(list)
        for claim in group.claims:
            by_root[roots.get(claim.article_id, claim.article_id)].append(claim)
        for conflict in (*_number_conflicts(by_root), *_time_conflicts(by_root),
                         *_place_conflicts(by_root, places_together or set())):
            conflict.claim_id = group.id
            conflicts.append(conflict)
    return conflicts


def _number_conflicts(by_root: dict[str, list[Statement]]) -> list[Conflict]:
    keyed: dict[str, dict[str, list[tuple[Measure, Statement]]]] = defaultdict(lambda: defaultdict(list))
    for root, claims in by_root.items():
        for claim in claims:
            for measure in claim.figures:
                key = fact_key(measure, claim)
                if key:
                    keyed[key][root].append((measure, claim))
    conflicts = []
    for key, per_root in keyed.items():
        same = _same_age if key.startswith("age of ") else same_quantity
        single = _single_valued(per_root, same)
        if _values_disagree(single, same):
            toll = key in _TOLLS.values()  # a toll's values are shown as the toll (*12 deaths*), however counted
            conflicts.append(_conflict("number", key, single,
                                       lambda m: f"{'~' if m.approx else ''}{m.value:g} {key}" if toll
                                       else _measure_value(m)))
    return conflicts


def _same_age(a: Measure, b: Measure) -> bool:
    return a.value == b.value  # 34 and 35 are two ages, however close


Figure = Measure | TimeRef
Agree = Callable[[Figure, Figure], bool]  #: whether two values of one kind agree


def _values_disagree(per_root: dict[str, list[tuple[Figure, Statement]]], same: Agree) -> bool:
    """Whether two reports give values of one kind (figures, dates, times) that differ
    (``same`` tells two values that agree) and are about the same thing."""
    roots = list(per_root)
    for n, r1 in enumerate(roots):
        for r2 in roots[n + 1 :]:
            pairs = [(x, y) for x in per_root[r1] for y in per_root[r2]]
            if not any(same(x[0], y[0]) for x, y in pairs) and any(_comparable(x, y) for x, y in pairs):
                return True
    return False


def _comparable(a: tuple[Figure, Statement], b: tuple[Figure, Statement]) -> bool:
    """Whether two values are about the same thing: a word in common around them besides
    the unit or the thing counted (*first time in 25 years* and *50 years since the band's
    formation* are two facts; so are *22 launch titles* and *10 extra titles*, and *planned
    to impose Dec. 15 on another $160 billion* and *goods imposed on Sept. 1*), neither a
    hyphenated measure that names a kind of thing (*the 16-inch MacBook Pro*), and no other
    harm counted (*two killed*, *five injured*); ranks of one named thing always are."""
    if isinstance(a[0], Age) and isinstance(b[0], Age):
        return a[0].key == b[0].key  # ages of one person
    if _LABEL_MEASURE.search(a[0].text) or _LABEL_MEASURE.search(b[0].text) or _other_outcomes(a, b):
        return False
    if isinstance(a[0], Rank) and isinstance(b[0], Rank) and a[0].counts_head and a[0].key == b[0].key:
        return True  # ranks of one named thing (*the 23rd Democrat*, *the 24th Democrat*)
    if isinstance(a[0], Measure) and isinstance(b[0], Measure) and _is_toll(a) and fact_key(*a) == fact_key(*b):
        return True  # tolls of one harm (*Twelve people died*, *the number killed rose to 14*)
    return _same_order(a[0], b[0]) and bool(_figure_context(*a) & _figure_context(*b))


def _is_toll(item: tuple[Measure, Statement]) -> bool:
    return fact_key(*item) in _TOLLS.values()



def _same_order(a: Figure, b: Figure) -> bool:
    """Whether two sums or quantities (values with a unit) are within :data:`MAX_RATIO` of each
    other (or one is nil): *$3.5 billion in revenue in the quarter* and *$70.5 billion in
    revenue this year* measure two things. Counts always compare, whatever their ratio: the
    police's and the organisers' crowd, a first and a later death toll, differ by more than
    ten times and are the disputes a digest exists to show."""
    if not isinstance(a, Measure) or not isinstance(b, Measure) or not (a.dimension and b.dimension):
        return True
    x, y = (abs(m.value if m.base_value is None else m.base_value) for m in (a, b))
    return min(x, y) == 0 or max(x, y) <= MAX_RATIO * min(x, y)


def _figure_context(figure: Figure, claim: Statement, *, beyond_phrase: bool = False) -> set[str]:
    """The content words within a few words either side of a value and in its clause (up to
    a comma or other break), its own words aside; ``beyond_phrase``: the words right after it
    up to a function word aside too (*$2,000 stimulus checks*: what the value is of)."""
    before, after = _clause_words(figure, claim)
    own = set(_WORD.findall(f"{figure.text} {getattr(figure, 'counts', None) or ''}".lower()))
    if beyond_phrase:
        phrase = next((n for n, w in enumerate(after) if w in _FUNCTION_WORDS), len(after))
        own |= set(after[:phrase])
    return {w for w in before + after if len(w) > 2 and not w.isdigit() and w not in own | _FUNCTION_WORDS}


def _clause_words(figure: Figure, claim: Statement) -> tuple[list[str], list[str]]:
    """The words within a few words before and after a value, in its clause (up to a comma or
    other break)."""
    tail = _CLAUSE_BREAK.split(claim.text[max(figure.end - claim.start, 0) :])[0]
    before = [w.group().lower() for w in _words_before(figure, claim)]
    return before, _WORD.findall(tail.lower())[:_CONTEXT_WORDS]


def _words_before(figure: Figure, claim: Statement) -> list[re.Match[str]]:
    """The last few words before a value in its clause, matched in the claim's text."""
    head = claim.text[: max(figure.start - claim.start, 0)]
    start = max((m.end() for m in _CLAUSE_BREAK.finditer(head)), default=0)
    return list(_WORD.finditer(head, start))[-_CONTEXT_WORDS:]


def _single_valued(per_root: dict[str, list[tuple[Figure, Statement]]],
                   same: Agree) -> dict[str, list[tuple[Figure, Statement]]]:
    """The reports that give one value of a kind: one that gives several (*$6.5 billion …
    a $3 billion buyout … $1 billion for his shares*, a tariff imposed on Sept. 1 and a
    deadline of Dec. 15) states different things, and which of them another report's value
    answers cannot be told."""
    return {root: items for root, items in per_root.items() if all(same(items[0][0], v) for v, _ in items[1:])}


def _time_conflicts(by_root: dict[str, list[Statement]]) -> list[Conflict]:
    conflicts = []
    for kind, attribute in (("date", "date"), ("time", "time")):
        per_root: dict[str, list[tuple[TimeRef, Statement]]] = defaultdict(list)
        for root, claims in by_root.items():
            for claim in claims:
                per_root[root] += [(t, claim) for t in claim.times
                                   if getattr(t, attribute) and (kind == "time" or t.precision == "day")
                                   and not dates_a_toll_change(t, claim)]
        def same(a: TimeRef, b: TimeRef, attribute: str = attribute) -> bool:
            return getattr(a, attribute) == getattr(b, attribute)

        single = _single_valued(per_root, same)
        if _values_disagree(single, same):
            conflicts.append(_conflict(kind, kind, single, lambda t: getattr(t, attribute)))
    return conflicts


def dates_a_toll_change(time: TimeRef, claim: Statement) -> bool:
    """Whether a date is the day a toll changed, not the day of what it counts: a verb of change
    before it in its clause with the toll after that verb (*the number of people killed rose to
    14 on Friday*, *the toll rose on Friday to 14*), or the date opening its clause before such
    a verb (*On Friday the toll rose to 14*). Not the day of the event a toll's sentence names
    (*nine people died when an earthquake hit the coast on Wednesday*, *killed by the
    earthquake on Thursday night rose to 11*)."""
    tolls = [m for m in claim.figures if _is_toll((m, claim))]
    if not tolls:
        return False
    before = _words_before(time, claim)
    if all(w.group().lower() in _FUNCTION_WORDS for w in before):
        return bool(_TOLL_CHANGES.intersection(_clause_words(time, claim)[1]))
    changes = [claim.start + w.start() for w in before if w.group().lower() in _TOLL_CHANGES]
    return bool(changes) and any(m.start > changes[-1] for m in tolls)


def _place_conflicts(by_root: dict[str, list[Statement]], together: set[frozenset[str]]) -> list[Conflict]:
    per_root: dict[str, list[tuple[Entity, Statement]]] = defaultdict(list)
    for root, claims in by_root.items():
        for claim in claims:
            per_root[root] += [(e, claim) for e in claim.entities if e.label in PLACE_LABELS
                               and _PLACE_PREPOSITION.search(claim.text[: e.start - claim.start])]

    def compatible(a: Entity, b: Entity) -> bool:
        return same_place(a.name, b.name) or frozenset({a.name, b.name}) in together

    if len(per_root) > 1 and not _all_agree(per_root, compatible):
        return [_conflict("place", "place", per_root, lambda e: e.name)]
    return []


def same_place(a: str, b: str) -> bool:
    """Whether two place names can name one place: the same name, or one the other's
    initials, dotted or not ("U.S." or "US" and "United States", "UK" and "United Kingdom"),
    or one a place the other names as within it ("New York's Westchester County" or
    "Westchester County, New York" and "New York")."""
    a, b = a.replace(".", ""), b.replace(".", "")
    return a == b or a == _initials(b) or b == _initials(a) or _within(a, b) or _within(b, a)


def _within(place: str, region: str) -> bool:
    """Whether ``place`` is written as a place of ``region``: ``REGION's PLACE`` or ``PLACE, REGION``."""
    return place.startswith((region + "'s ", region + "’s ")) or place.endswith(", " + region)


def _all_agree(per_root: dict[str, list], agree) -> bool:
    """Every two roots that state the point share at least one agreeing value."""
    roots = [r for r, items in per_root.items() if items]
    return all(
        any(agree(x, y) for x, _ in per_root[r1] for y, _ in per_root[r2])
        for n, r1 in enumerate(roots) for r2 in roots[n + 1 :]
    )


def _conflict(kind: str, topic: str, per_root: dict[str, list], value_of) -> Conflict:
    versions: dict[str, ConflictVersion] = {}
    for _, items in sorted(per_root.items()):
        for item, claim in items:
            value = value_of(item)
            version = versions.setdefault(value, ConflictVersion(value, claim.text, [], []))
            version.article_ids = sorted({*version.article_ids, claim.article_id})
    roots = {claim.article_id: root for root, items in per_root.items() for _, claim in items}
    for version in versions.values():
        version.independent_ids = family_citations(version.article_ids, roots)
    return Conflict(kind=kind, topic=topic, claim_id=None, versions=list(versions.values()))


def _measure_value(m: Measure) -> str:
    if isinstance(m, Rank):
        return f"{m.text} {m.counts or ''}".strip()
    number = f"{m.value:g}"
    label = m.unit or m.counts or ""
    return f"{'~' if m.approx else ''}{number} {label}".strip()


# --- quotations -------------------------------------------------------------------------


@dataclass
class QuoteGroup:
    """The same direct quotation as it appears in several articles."""

    text: str
    quotes: list[Quote]
    independent_ids: list[str]
    speaker: str | None
    cue: str | None
    speaker_kind: str | None = None  #: "person", "organisation" or "anonymous"


def group_quotes(quotes: Iterable[Quote], roots: dict[str, str]) -> list[QuoteGroup]:
    """Direct quotes grouped across articles by shared wording, most widely reported first. A
    quote joins a group when it is the same words as any quote there: one outlet quotes two
    sentences apart that another quotes in one stretch."""
    buckets: list[list[Quote]] = []
    for quote in (q for q in quotes if q.direct):
        bucket = next((b for b in buckets if any(_same_quote(q.text, quote.text) for q in b)), None)
        if bucket is None:
            buckets.append([quote])
        else:
            bucket.append(quote)
    groups = [_quote_group(bucket, roots) for bucket in buckets]
    return sorted(groups, key=lambda g: (-len(g.independent_ids), -len(g.quotes)))


def _same_quote(a: str, b: str) -> bool:
    """Whether two quotations are the same words: most of the shorter's words are in the other,
    and at least half of its consecutive word pairs (shared loose words such as *he was in
    the* do not make a quote; a spelling, *prioritising*, does not break one)."""
    return _quote_words(a) == _quote_words(b) or (
        quote_overlap(a, b) >= QUOTE_OVERLAP and _bigram_overlap(a, b) >= QUOTE_PAIRS)


def _bigram_overlap(a: str, b: str) -> float:
    """Share of the shorter quote's consecutive word pairs found in the other."""
    pairs_a, pairs_b = _word_pairs(a), _word_pairs(b)
    shorter = min(len(pairs_a), len(pairs_b))
    return len(pairs_a & pairs_b) / shorter if shorter else 0.0


def _word_pairs(text: str) -> set[tuple[str, str]]:
    words = _quote_words(text)
    return set(zip(words, words[1:]))


def _quote_words(text: str) -> list[str]:
    """A quote's words without articles ("a clear manifestation" = "clear manifestation") and
    without a word an outlet censors (*f---ing*, *s***): its spelling, not the speaker's words."""
    return [w for w in _WORD.findall(_CENSORED.sub(" ", text.lower())) if w not in {"a", "an", "the"}]


def _quote_group(quotes: list[Quote], roots: dict[str, str]) -> QuoteGroup:
    speaker = group_speaker(quotes)
    cue = next((q.cue for q in quotes if q.speaker == speaker and q.cue), None)
    kind = next((q.speaker_kind for q in quotes if q.speaker == speaker and q.speaker_kind), None)
    text = max((q.text for q in quotes), key=len)
    independent = family_citations((q.article_id for q in quotes), roots)
    return QuoteGroup(text=text, quotes=quotes, independent_ids=independent, speaker=speaker, cue=cue,
                      speaker_kind=kind)


def group_speaker(quotes: list[Quote]) -> str | None:
    """The speaker most occurrences of a quotation name; on a tie a person's name before a
    description (*Fiona Hill*, not the headline's *Ukraine witness*), then the longer name."""
    speakers = Counter(q.speaker for q in quotes if q.speaker)
    named = {q.speaker for q in quotes if q.speaker and q.speaker_kind == "person" and _is_proper_name(q.speaker)}
    return max(speakers, key=lambda s: (speakers[s], s in named, len(s.split()))) if speakers else None


def same_person(a: str, b: str) -> bool:
    """Whether two speaker names can be one person ("Putin" and "Vladimir Putin", "AOC" and
    "Alexandria Ocasio-Cortez")."""
    words_a, words_b = set(a.lower().split()), set(b.lower().split())
    return words_a <= words_b or words_b <= words_a or a == _initials(b) or b == _initials(a)


def _initials(name: str) -> str:
    """The capitals a name of several words is shortened to: "Alexandria Ocasio-Cortez" -> "AOC"."""
    capitals = [part[0] for part in re.split(r"[\s-]+", name) if part[:1].isupper()]
    return "".join(capitals) if len(capitals) > 1 else ""


def speaker_conflicts(groups: list[QuoteGroup], roots: dict[str, str]) -> list[Conflict]:
    """Quotes that independent reports attribute to different people. A phrase of under
    :data:`MIN_QUOTE_WORDS` words besides articles (*"hateful messages"*, *"a set up"*) is
    no one's own utterance (critics repeat it, others say it too): who said it is no conflict.
    Only named people are compared: *Police said* and *Constable Tim Fanning said* of one quote
    are the body and its spokesman, not two accounts."""
    conflicts = []
    for group in groups:
        if len(_quote_words(group.text)) < MIN_QUOTE_WORDS:
            continue
        per_root: dict[str, list[tuple[str, Statement | Quote]]] = defaultdict(list)
        for quote in group.quotes:
            if quote.speaker and quote.speaker_kind in {None, "person"} and _is_proper_name(quote.speaker):
                per_root[roots.get(quote.article_id, quote.article_id)].append((quote.speaker, quote))
        if len(per_root) > 1 and not _all_agree(per_root, same_person):
            conflict = _conflict("speaker", group.text[:80], per_root, lambda speaker: speaker)
            conflicts.append(conflict)
    return conflicts


def _is_proper_name(name: str) -> bool:
    return all(word[:1].isupper() for word in name.split())
