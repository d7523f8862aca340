"""Quotations and reported speech, with their speakers.

Direct quotes are found from the quotation marks (straight ``"``, curly ``“ ”``, and single
``‘ ’`` in headline-like lines). The speaker comes from the attribution: first the news
pattern right after the quote (``“…,” NAME said``, ``“…,” said NAME``, ``“…,” according to
NAME``, ``“…?” NAME pressed``), or the clause that ends in a colon before it (``NAME: “…”``,
``X responded: “…”``), else the dependency parse of spaCy's English pipeline (the subject of
the cue verb, or of a verb of speech or judgement that governs the quote, preferring one
that can speak rather than a date, a share, *it* or the writer's *I*; the agent of a passive
*asked by X*; the object of *according to*), else the layout (a ``NAME:`` transcript line,
``X reports:`` before the paragraph, or the source a continued quote inherits). The pipeline
starts a sentence at each new paragraph, so a time stamp or a headline is not read as the
subject of the next paragraph. Speakers are resolved to the fullest name the
article uses ("Putin", "Mr. Putin" -> "Vladimir Putin"); "he"/"she" to the nearest earlier
source or subject of that gender (titles, role nouns, the person's own pronouns, else the
first name); roles ("the minister") to the person recently given that description, else
the nearest person; a description that is plural or names no person (*the lawyers*, *the
poll*) stays as written. A description or title before a name and a headline's verb after
it are no part of it (*Fired VA boss Shulkin Says* -> Shulkin); a person named only as the
owner of who speaks is not the speaker (*Trump's campaign*, *Varga's lawyer*).
``speaker_mention`` keeps the words as written and ``speaker_kind`` says whether a person, an
organisation or an anonymous source (unnamed people, whatever place or body the words name)
speaks.

Only attributed speech is returned: quotes in a headline line, quoted titles and scare
quotes that nobody in the sentence says are left out. A quote interrupted by its
attribution (``“…,” he said, “…”`` or ``“…,” he said. “…”``), a quote that runs over several
paragraphs and an unattributed quote that carries on the previous one are returned as ONE
:class:`Quote` whose ``parts`` lists each quoted stretch; ``start``/``end`` span from the
first part to the last.
"""

from __future__ import annotations

import re
import weakref
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from newstrace.digests.nlp import load_nlp
from newstrace.engine.parallel import one_blas_thread
from newstrace.model import Article
from newstrace.text.sentences import split_sentences
from newstrace.text.quotes import is_single_quoted, quote_spans, quoted_parts, transcript_turns

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

#: Lemmas of verbs that introduce speech, claims or beliefs.
CUE_VERBS = frozenset(
    "say tell add ask warn state note claim announce explain insist write report argue declare "
    "admit acknowledge confirm deny believe think urge predict recall reply respond "
    "continue stress emphasize emphasise remark observe assert allege testify quip acknowledge "
    "complain concede caution tweet post agree disagree promise vow estimate contend maintain "
    "reveal point answer shout yell chant joke boast brag demand mock scoff lament proclaim muse "
    "recount plead pledge quote cite conclude contend declare suggest exclaim retort counter "
    "snap scream whisper mutter sing text email e-mail message describe call label dub read "
    "speculate interject interrupt opine reiterate repeat clarify reason wonder cry confide disclose "
    "tease taunt grumble fume rant sigh laugh chuckle gush marvel chide scold rebut echo".split()
)
#: Cue verbs that name a thing rather than introduce words (*called the plan "a disgrace"*).
_NAMING_VERBS = frozenset("call label dub describe".split())
#: Naming verbs that never report a clause: what the parser hangs under them as one is a
#: relative clause or a demand (*the script called for an anthem that she belts*).
_LABELLING_VERBS = frozenset("call label dub".split())
#: Verbs through which a quoted phrase is someone's words (the cues and verbs of judgement).
_SPEECH_ACTS = CUE_VERBS | frozenset(
    "accuse praise slam blast criticize criticise attack condemn dismiss hail pound brand vow "
    "question encourage refer tout decry deride rail defend blame thank welcome characterize "
    "characterise portray promise threaten find denounce lambast castigate downplay".split())
_GOVERNING_STEPS = 5
_PRONOUNS = frozenset({"he", "she", "him", "her"})
_RELATIVES = frozenset({"who", "which", "that"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_HEADLINE_WORDS = 20
_SPLIT_GAP_CHARS = 80
_APPOSITION_TOKENS = 25
_DESCRIPTOR_DEPS = frozenset({"compound", "amod", "appos", "nmod", "poss"})


@dataclass
class Quote:
    """A quotation (``direct``) or reported speech, with who said it.

    ``text`` is the quoted words without the marks (parts joined by a space); ``speaker`` is
    the resolved name, ``speaker_start``/``speaker_end`` the mention it was read from.
    """

    text: str
    speaker: str | None
    cue: str | None
    start: int
    end: int
    speaker_start: int | None = None
    speaker_end: int | None = None
    direct: bool = True
    article_id: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    parts: list[tuple[int, int]] = field(default_factory=list)
    #: "person", "organisation" or "anonymous" (*officials said*, *a spokesperson said*)
    speaker_kind: str | None = None
    #: the speaker as the article words it where it attributes the quote ("he", "the governor")
    speaker_mention: str | None = None

    def to_dict(self) -> dict:
        return {
            "text": self.text, "speaker": self.speaker, "speaker_kind": self.speaker_kind,
            "speaker_mention": self.speaker_mention, "cue": self.cue, "start": self.start,
            "end": self.end, "speaker_start": self.speaker_start, "speaker_end": self.speaker_end,
            "direct": self.direct, "article_id": self.article_id, "parts": [list(p) for p in self.parts],
        }


#: What the extraction rules read from a parsed document again and again, computed once per
#: document: spaCy rebuilds ``doc.text`` and ``doc.ents`` from every token on each access. Only
#: plain values are kept (a Span would keep its document, and so its entry, alive for good).
_PER_DOC: weakref.WeakKeyDictionary[Doc, dict[str, object]] = weakref.WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per document."""
    memo = _PER_DOC.setdefault(doc, {})
    if "text" not in memo:
        memo["text"] = doc.text
    return memo["text"]


def _entity_bounds(doc: Doc) -> list[tuple[int, int, int]]:
    """(start, end, label id) of each entity of ``doc``, collected once per document."""
    memo = _PER_DOC.setdefault(doc, {})
    if "ents" not in memo:
        memo["ents"] = [(ent.start, ent.end, ent.label) for ent in doc.ents]
    return memo["ents"]


def doc_ents(doc: Doc) -> list[Span]:
    """``doc.ents``, from the collected entity boundaries."""
    from spacy.tokens import Span

    return [Span(doc, start, end, label=label) for start, end, label in _entity_bounds(doc)]


def span_ents(span: Span) -> list[Span]:
    """``span.ents`` (the entities wholly inside ``span``), from the collected entity boundaries."""
    from spacy.tokens import Span

    found = []
    for start, end, label in _entity_bounds(span.doc):
        if start >= span.start:
            if end > span.end:
                break
            found.append(Span(span.doc, start, end, label=label))
    return found


#: lemma hash -> whether the lemma is a cue verb (kept across documents).
_CUE_LEMMAS: dict[int, bool] = {}


def cue_candidates(doc: Doc) -> list[Token]:
    """The tokens that can be a cue (*according*, or a cue verb's lemma in any case), in text
    order, found once per document from its lemma and lower-case arrays: the cue rules
    (:func:`_is_cue`, :func:`_reported_clause`) reject every other token."""
    from spacy.attrs import LEMMA, LOWER

    memo = _PER_DOC.setdefault(doc, {})
    if "cues" not in memo:
        if not len(doc):
            return []
        arrays = doc.to_array([LEMMA, LOWER])
        strings = doc.vocab.strings
        lemmas, inverse = np.unique(arrays[:, 0], return_inverse=True)
        cue = np.array([_CUE_LEMMAS.setdefault(h, strings[h].lower() in CUE_VERBS) for h in lemmas.tolist()])
        according = arrays[:, 1] == strings["according"]
        memo["cues"] = np.flatnonzero(cue[inverse.reshape(-1)] | according).tolist()
    return [doc[i] for i in memo["cues"]]


def quotes(article_or_text: Article | str, *, nlp: Language | None = None) -> list[Quote]:
    """The direct and reported quotes of one article (or plain text), in text order."""
    article_id = article_or_text.id if isinstance(article_or_text, Article) else None
    text = article_or_text.text if isinstance(article_or_text, Article) else article_or_text
    with one_blas_thread():
        doc = (nlp or load_nlp())(text)
    return quotes_from_doc(doc, article_id=article_id)


def quotes_from_doc(doc: Doc, *, article_id: str | None = None, people: PersonIndex | None = None) -> list[Quote]:
    """Quotes of an already parsed document (use with ``nlp.pipe`` for batches).

    A quote without a cue verb nearby takes the subject of the verb it depends on
    (*called the plan "a disgrace"*), else the speaker of the attribution just before it in
    the same or the previous paragraph (a quote continued after ``“…,” she said.``).
    """
    people = people or PersonIndex(doc)
    sources = named_sources(doc, people)
    whole = doc_text(doc)
    direct = [q for q in _merge_split_quotes(whole, quotation_spans(whole))
              if q[0][0] >= _headline_end(whole) and not _is_title(whole, q) and not _is_given_name(doc, q)
              and not _names_a_thing(doc, q) and not _is_scare_word(doc, q)]
    starts = [t.idx for t in doc]
    items = [(parts, _find_cue(doc, parts), True) for parts in direct]
    items += [([(c.start_char, c.end_char)], cue, False) for cue, c in _reported_clauses(doc, direct)]
    found: list[Quote] = []
    for parts, cue, is_direct in sorted(items, key=lambda item: item[0][0][0]):
        quote = Quote(text=_joined_parts(whole, parts), speaker=None, cue=None, start=parts[0][0], end=parts[-1][1],
                      direct=is_direct, article_id=article_id, parts=list(parts))
        adjacent = _adjacent_attribution(doc, starts, parts) if is_direct else None
        if adjacent is not None and adjacent[0].tag_ == "VBG" and _owner_before_speech_verb(doc, parts) is not None:
            adjacent = None  # *blamed the media for Trump's claim that Obama “founded ISIS,” saying …*
        if adjacent is None and is_direct:
            adjacent = _introducing_name(doc, starts, parts[0][0]) or _colon_attribution(
                doc, starts, parts[0][0], cue_only=True)
        if adjacent is None and is_direct:
            adjacent = _according_to_in_sentence(doc, starts, parts, cue) or _signature_after(doc, parts)
        claimant = _owner_before_speech_verb(doc, parts, content_only=True) if is_direct and adjacent is None else None
        if adjacent is not None:
            _set_cue(quote, adjacent[0])
            _set_mention(quote, adjacent[1], people, sources)
        elif claimant is not None:  # *Councillors mocked the mayor's claim that the stadium “will pay …”*
            _set_speaker(quote, doc, claimant, people, sources)
        elif cue is not None:
            governing = _governing_subject(doc, parts) if is_direct and (
                not _governs(cue, doc, parts) or _nearer_speech_act(cue, doc, parts)) else None
            _set_cue(quote, cue if governing is None or not _can_speak(governing) else
                     governing.head.head if governing.head.dep_ == "agent" else governing.head)
            _set_speaker(quote, doc, governing if governing is not None and _can_speak(governing) else _subject(cue),
                         people, sources)
        elif is_direct:
            _set_speaker(quote, doc, _governing_subject(doc, parts), people, sources)
        if quote.speaker is None and is_direct:
            introduced = _colon_attribution(doc, starts, quote.start, cue_only=False)
            if introduced is not None:
                _set_cue(quote, introduced[0])
                _set_mention(quote, introduced[1], people, sources)
        if quote.speaker is None and is_direct and _opens_statement(whole, quote.start):
            _speaker_by_layout(quote, doc, starts, found, sources, people)
            if found and _continues_quote(found[-1], quote, whole):
                _extend(found[-1], quote, whole)
                continue
        if quote.speaker is not None and _named_within(quote):
            continue  # *the union's new demand: ‘Have him locked away’*: no one named in the words speaks them
        if quote.speaker is not None:
            found.append(quote)
    return _with_transcript_turns(found, whole, people, article_id)


def _with_transcript_turns(found: list[Quote], text: str, people: PersonIndex,
                           article_id: str | None) -> list[Quote]:
    """``found`` with the turns of a transcript pasted in ``text`` ("PIKE: I would build
    there ...", :func:`~newstrace.text.quotes.transcript_turns`) as direct quotes of their
    speakers, in text order. A label is read as a name ("PIKE" is the article's "Martin
    Pike"); a one-word label that names no one the article names ("MODERATOR") is no
    speaker, and a turn holding a quotation already found is left to it."""
    turns = []
    for (label_start, label_end), (start, end) in transcript_turns(text):
        label = re.sub(r"\s*\([^)]*\)\s*$", "", text[label_start:label_end])
        named = " ".join(word.capitalize() if word.isupper() else word for word in label.split())
        speaker = people.canonical(named)
        if (" " not in speaker and speaker not in people.names) or start >= end:
            continue
        if any(q.start < end and start < q.end for q in found):
            continue
        turns.append(Quote(text=text[start:end].strip(), speaker=speaker, cue=None, start=start, end=end,
                           speaker_start=label_start, speaker_end=label_end, article_id=article_id,
                           parts=[(start, end)], speaker_kind="person", speaker_mention=text[label_start:label_end]))
    return sorted(found + turns, key=lambda q: q.start) if turns else found


def _named_within(quote: Quote) -> bool:
    """Whether the speaker was read from the quoted words themselves (*the union's new demand:
    ‘Have him locked away’*: not *him*); a transcript's label that opens the quoted stretch (*PENCE: Well, …*)
    still names who speaks."""
    at = quote.speaker_start
    return at is not None and at > quote.parts[0][0] and _inside(at, quote.parts)


def _continues_quote(previous: Quote, quote: Quote, text: str) -> bool:
    """Whether a cue-less quote goes on with the previous direct quote: same speaker, nothing
    quoted in between (*“…,” Clinton said, referencing a PAC. “So they …”*), and the previous
    one a statement of its own, not a phrase quoted inside the writer's sentence (*with
    dialogue “actively developing,” Zakharova said.* then *“Our contacts …”* is a new quote)."""
    return (previous.direct and quote.speaker is not None and quote.speaker == previous.speaker
            and quote.speaker_start == previous.speaker_start and quote.cue is None
            and _opens_statement(text, previous.start))


def _extend(quote: Quote, more: Quote, text: str) -> None:
    quote.parts = quote.parts + more.parts
    quote.end = more.end
    quote.text = _joined_parts(text, quote.parts)


_SENTENCE_END = re.compile(r"[.!?][”\"’']?\s")


def _joined_parts(text: str, parts: list[tuple[int, int]]) -> str:
    """The words of a quotation given in parts, joined by a space. A part that ends with the
    comma an attribution follows and is itself a sentence (the next part opens a new sentence
    of the writer's, with a capital) ends with a full stop: *“We are facing a tragedy,” the
    prefect said. “Our thoughts are with the families.”* reads *We are facing a tragedy. Our
    thoughts …*; *“We will rebuild,” she said, “whatever it takes.”* keeps its comma."""
    pieces = [text[s:e] for s, e in parts]
    for n in range(len(pieces) - 1):
        between = text[parts[n][1] : parts[n + 1][0]]
        if (pieces[n].endswith(",") and pieces[n + 1][:1].isupper()
                and _SENTENCE_END.search(between + " ")):
            pieces[n] = pieces[n][:-1] + "."
    return " ".join(pieces)


_HEADLINE_WORDS_MAX = 25
_SMALL_WORDS = frozenset("a an and at by for from in of on or the to with vs".split())


def _headline_end(text: str) -> int:
    """Where a headline first line ends (0 when the text does not open with one): a short line
    whose words are mostly capitalised."""
    line = text.split("\n", 1)[0]
    return len(line) if _heading_like(line) else 0


def _heading_like(line: str) -> bool:
    """A short line whose words (besides small ones) are mostly capitalised."""
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", line) if w.lower() not in _SMALL_WORDS]
    if not words or len(line.split()) > _HEADLINE_WORDS_MAX:
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= 0.8 and len(words) >= 3


def _is_title(text: str, parts: list[tuple[int, int]]) -> bool:
    """A quoted title or name (*“The Apprentice,”*, *“Southern Strategy”*), not speech: a
    single short stretch of capitalised words with no attribution right after it, or one
    inside the writer's sentence (*After hitting “Takin’ It to the Streets,” the singer
    told the audience …*: the attribution that follows is of the next quote)."""
    if len(parts) == 1 and _names_a_work(text, parts[0]):
        return True
    if len(parts) > 1 or not _title_words(text, parts[0]):
        return False
    start, end = parts[0]
    return not _attributed_after(text, end) or not (_opens_statement(text, start) or _introduced_by_cue(text, start))


#: Works whose title follows them in quotation marks (*her new film “The Man Who Knew …”*).
_WORK_NOUNS = frozenset("film movie documentary book novel memoir biography song single album record show series "
                        "sitcom episode play musical opera podcast poem painting exhibition game".split())
_WORK_TITLE_WORDS = 12
_WORD_BEFORE = re.compile(r"(\w+)\W{0,3}$")


def _names_a_work(text: str, part: tuple[int, int]) -> bool:
    """A title however long, after the kind of work it names (*her new film “The Man Who Knew
    Too Much About Everything”*, *the album ‘Songs From the Big Chair’*): every word
    capitalised but the small ones, at most :data:`_WORK_TITLE_WORDS`."""
    before = _WORD_BEFORE.search(text, max(0, part[0] - 30), part[0])
    if before is None or before.group(1).lower() not in _WORK_NOUNS:
        return False
    quoted = text[part[0] : part[1]].rstrip(",.;:")
    words = [w for w in re.findall(r"[^\W_][\w’'-]*", quoted) if w.lower() not in _SMALL_WORDS]
    return 0 < len(words) <= _WORK_TITLE_WORDS and all(w[0].isupper() or w[0].isdigit() for w in words)


def _title_words(text: str, part: tuple[int, int]) -> bool:
    """Whether a quoted stretch reads as a title: at most 6 words besides small ones, all
    capitalised (or numbers), and not a one-word answer (*“Absolutely,”*)."""
    quoted = text[part[0] : part[1]].rstrip(",.;:")
    words = [w for w in re.findall(r"[^\W_][\w’'-]*", quoted) if w.lower() not in _SMALL_WORDS]
    if not words or len(words) > 6 or not all(w[0].isupper() or w[0].isdigit() for w in words):
        return False
    return not (len(words) == 1 and quoted.lower() in _OPENING_WORDS)


def _attributed_after(text: str, end: int) -> bool:
    """Whether a cue word follows the quote ending at ``end`` within a few words (*“…,” she said*)."""
    return bool(_CUE_AFTER.match(text, end, end + 60))


#: One-word quotes that are speech even when capitalised (*“Amazing,” responded Abedin*).
_OPENING_WORDS = frozenset("yes no okay ok absolutely never thanks wow".split())


def _opens_statement(text: str, start: int) -> bool:
    """Whether the quote opening at ``start`` begins its paragraph or a sentence (so it can be a
    statement of its own, not a phrase in someone else's sentence)."""
    before = text[text.rfind("\n", 0, start) + 1 : start].rstrip("“\"‘' ")
    return not before or before.endswith((".", "!", "?", "”", '"', ":"))


_TRANSCRIPT = re.compile(r"([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+)?):\s")


def _speaker_by_layout(quote: Quote, doc: Doc, starts: list[int], found: list[Quote], sources: list[Source],
                       people: PersonIndex) -> None:
    """A speaker for a quote that stands alone: the ``NAME:`` of a transcript line, the
    subject of a cue ending the paragraph before with a colon (*The Times reports:*), else
    the source of the attribution just before it (a continued quote)."""
    speaker = _TRANSCRIPT.match(quote.text)
    if speaker:
        quote.speaker = people.canonical(speaker.group(1).title())
        quote.speaker_kind, quote.speaker_mention = "person", speaker.group(1)
        quote.speaker_start, quote.speaker_end = quote.start, quote.start + len(speaker.group(1))
        return
    introduction = _colon_introduction(doc, starts, quote.start)
    if introduction is not None:
        _set_speaker(quote, doc, _subject(introduction), people, sources)
        if quote.speaker is not None:
            _set_cue(quote, introduction)
            return
    named = _name_before_colon(doc, starts, quote.start)
    if named is not None:
        _set_mention(quote, named, people, sources)
        return
    _inherit_speaker(quote, doc, found, sources)


_SPEAKING_ENTITIES = frozenset({"PERSON", "ORG", "NORP"})


def _colon_attribution(doc: Doc, starts: list[int], start: int, *, cue_only: bool) -> tuple[Token, Span] | None:
    """``X responded: “…”``, ``Clinton has since apologized: “…”``: the clause that ends with
    the colon before the quote; its main verb's subject speaks when the verb is one of saying
    or (unless ``cue_only``) the subject is a person or a he/she."""
    before = doc_text(doc)[:start].rstrip("“\"‘' \n")
    if not before.endswith(":"):
        return None
    colon = min(bisect_left(starts, len(before) - 1), len(doc) - 1)
    if doc[colon].text != ":":
        return None
    verbs: list[Token] = []
    quoted = False
    for token in reversed(doc[doc[colon].sent.start : colon]):
        quoted ^= token.text in {'"', "“", "”"}
        if "\n" in token.text:
            break
        if not quoted and token.pos_ in {"VERB", "AUX"} and token.dep_ not in {"amod", "aux", "auxpass"}:
            verbs.append(token)
    main_subject = _subject(min(verbs, key=lambda v: len(list(v.ancestors)))) if verbs else None
    owner = _statement_owner(main_subject) if main_subject is not None else None
    if owner is not None:  # *Clinton's response was: “…”*
        return main_subject.head, _speaker_mention(doc, owner)
    cues = [v for v in verbs if _is_cue_word(v) and v.dep_ != "relcl"]
    if cues and _someone_after(verbs[0], cues[0]):
        verb = verbs[0]  # *When Trump suggested …, Rubio fired back: “…”*
    elif cues:
        verb = cues[0]  # the nearest: *Cruz said as the heckler yelled: “…”*
    elif verbs and not cue_only:
        verb = min(verbs, key=lambda v: len(list(v.ancestors)))  # the main clause's verb
    else:
        return None
    subject = _subject(verb)
    if subject is None or not _can_speak(subject):
        return None
    speaks = _is_cue_word(verb) or subject.ent_type_ in {"PERSON", "ORG"} or subject.lower_ in _PRONOUNS
    return (verb, _speaker_mention(doc, subject)) if speaks else None


def _someone_after(verb: Token, cue: Token) -> bool:
    """Whether ``verb`` (nearest the colon, not a cue) governs ``cue`` and has a person or he/she
    for subject named after it: the cue is in a clause before (*When Trump suggested …, Rubio fired back:*)."""
    subject = _clause_subject(verb) if verb is not cue and verb.is_ancestor(cue) else None
    return (subject is not None and cue.i < subject.i
            and (subject.ent_type_ == "PERSON" or subject.lower_ in _PRONOUNS))


def _introducing_name(doc: Doc, starts: list[int], start: int) -> tuple[Token, Span] | None:
    """``… - NAME: “…”`` or ``… surprise pollster NAME: “…”``: a name before the colon that no
    verb of saying takes as its object (*X told CNN: “…”* is X's quote)."""
    named = _name_before_colon(doc, starts, start)
    if named is None:
        return None
    head = named.root.head
    after_dash = named.start > 0 and doc[named.start - 1].text in {"-", "—", "–"}
    if not after_dash and (head.lemma_.lower() in CUE_VERBS or named.root.dep_ == "pobj" or named.root.ent_type_ == "NORP"):
        return None
    colon = doc[named.end]
    return colon, named


def _name_before_colon(doc: Doc, starts: list[int], start: int) -> Span | None:
    """The name that introduces a quote with a colon and no verb of saying (*Republican
    pollster Daron Shaw: “…”*, *More from Jones: “…”*)."""
    before = doc_text(doc)[:start].rstrip("“\"‘' \n")
    if not before.endswith(":"):
        return None
    colon = min(bisect_left(starts, len(before) - 1), len(doc) - 1)
    if colon < 1 or doc[colon].text != ":":
        return None
    last = doc[colon - 1]
    owner = _statement_owner(last)
    if owner is not None:  # *From Bush's Facebook post: “…”*
        return _speaker_mention(doc, owner)
    if last.ent_type_ in _SPEAKING_ENTITIES and last.ent_iob_ != "O":
        begin = last.i
        while begin > 0 and doc[begin].ent_iob_ == "I":
            begin -= 1
        return doc[begin : last.i + 1]
    return None


def _colon_introduction(doc: Doc, starts: list[int], start: int) -> Token | None:
    """The cue verb of ``X said:`` / ``X reports:`` ending the paragraph before the quote."""
    text = doc_text(doc)
    before = text[:start].rstrip("“\"‘' \n")
    paragraph_start = text.rfind("\n", 0, start)
    if not before.endswith(":") or paragraph_start < 0:
        return None
    colon = bisect_left(starts, len(before) - 1)
    sentence = doc[min(colon, len(doc) - 1)].sent
    return next((t for t in reversed(sentence) if _is_cue(t)), None)


# --- direct quotation spans -------------------------------------------------------------


def quotation_spans(text: str) -> list[list[tuple[int, int]]]:
    """The quoted words of each quotation (:func:`newstrace.text.quotes.quote_spans`, marks
    excluded), one part per paragraph it runs over. Single-quoted stretches count only in
    short headline-like lines, or throughout a text that quotes in single marks (no double
    quotation mark anywhere, a single-quoted stretch of a sentence's length: *said: 'We will
    not give in to threats.'*, as many British, Irish and Indian papers set speech): in running
    text beside double quotes, a single quote is a scare quote or a quote inside a quote far
    more often than attributed speech."""
    found = []
    spans = quote_spans(text)
    single_style = _quotes_in_single_marks(text, spans)
    for span in spans:
        if _in_single_marks(text, span) and not single_style and not _in_short_line(text, span):
            continue
        if _SCARE_MARKER.search(text, max(0, span[0] - 20), span[0]):
            continue  # *the so-called “peace plan”*: a label the writer distances itself from
        parts = quoted_parts(text, span)
        if parts:
            found.append(parts)
    return found


#: Words that make the quoted phrase right after them a label, not anyone's speech.
_SCARE_MARKER = re.compile(r"\b(?:so[- ]called|self[- ](?:styled|proclaimed|described)|quote[- ]unquote)\s*$",
                           re.IGNORECASE)


#: Words of a single-quoted stretch that make it speech rather than a label (*'partners'*).
_SENTENCE_WORDS = 6


def _quotes_in_single_marks(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a text sets its quotations in single marks: it has no double-quoted stretch and
    one single-quoted stretch of :data:`_SENTENCE_WORDS` words or more."""
    if any(not _in_single_marks(text, span) for span in spans):
        return False
    return any(len(text[s:e].split()) >= _SENTENCE_WORDS for s, e in spans)


def _in_single_marks(text: str, span: tuple[int, int]) -> bool:
    """Whether a quotation opens with a single mark that is not half of two apostrophes typed
    for a double quote (*''We will,'' she said*, as NYT archives and LexisNexis exports set
    them: :func:`~newstrace.text.quotes.quote_spans` finds the inner pair)."""
    start, end = span
    doubled = start > 0 and text[start - 1] == "'" and end < len(text) and text[end] == "'"
    return is_single_quoted(text, span) and not doubled


def _in_short_line(text: str, span: tuple[int, int]) -> bool:
    line_start = text.rfind("\n", 0, span[0]) + 1
    line_end = text.find("\n", span[1])
    return len(text[line_start : line_end if line_end >= 0 else len(text)].split()) <= _HEADLINE_WORDS


def _merge_split_quotes(text: str, quotations: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """Join ``“…,” he said, “…”``: a quote ending in a comma, a short attribution, then more quote."""
    merged: list[list[tuple[int, int]]] = []
    for parts in quotations:
        if merged and _continues(text, merged[-1][-1], parts[0]) and not _introduced_by_cue(text, merged[-1][0][0]) and not _embedded_title(text, merged[-1]) and not (
                "." in text[merged[-1][-1][1] : parts[0][0]] and _attributed_after(text, parts[-1][1])):
            merged[-1] = merged[-1] + parts
        else:
            merged.append(parts)
    return merged


def _embedded_title(text: str, parts: list[tuple[int, int]]) -> bool:
    """A one-stretch quoted title inside the writer's sentence (*After hitting “Takin’ It to
    the Streets,” he told …*): never the first half of a quote split by its attribution."""
    start = parts[0][0]
    return (len(parts) == 1 and _title_words(text, parts[0])
            and not (_opens_statement(text, start) or _introduced_by_cue(text, start)))


def _introduced_by_cue(text: str, start: int) -> bool:
    """Whether the quote opening at ``start`` follows a cue and a comma or colon (*When someone
    shouted, “Cruz,” Beck joked, “Amen!”*: the words after the next attribution are another's)."""
    before = text[max(0, start - 40) : start].rstrip("“\"‘' ")
    if not before.endswith((",", ":")):
        return False
    words = before[:-1].split()
    return bool(words) and words[-1].lower() in _CUE_FORMS


def _continues(text: str, before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Whether the quote at ``after`` goes on with the one at ``before``: ``“…,” she said, “…”``
    or ``“…,” she said. “…”`` (one short attribution, then more quote in the same paragraph)."""
    gap = text[before[1] : after[0]]
    words = gap.strip("\"“”‘’' ")
    attribution = [s for s in split_sentences(words) if any(c.isalnum() for c in s.text(words))]
    return (
        text[before[1] - 1] == ","
        and len(gap) <= _SPLIT_GAP_CHARS
        and "\n" not in gap
        and len(attribution) == 1
        and not re.search(r"[!?]", gap)
        and not words.rstrip().endswith(":")  # “…,” but X said he responded: “…” opens a new quote
        # the attribution closes before the quote resumes: in *“…,” but the senator said it
        # would “create jobs.”* the second quote is the writer's sentence going on, and another's
        and words.rstrip().endswith((",", "."))
        and any(w.lower().strip(",:.") in _CUE_FORMS for w in gap.split())
    )


_CUE_FORMS: frozenset[str] = frozenset(
    f
    for verb in CUE_VERBS
    for f in (verb, verb + "s", verb + "ed", verb + "d", verb[:-1] + "ied" if verb.endswith("y") else verb)
) | {"said", "told", "says", "thought", "wrote"}
_CUE_AFTER = re.compile(r"[,.!?]?[”\"]?,?[ \t]+(?:[\w.’'-]+[ \t]+){0,5}?(?:" + "|".join(sorted(_CUE_FORMS)) + r")\b")


# --- people and speakers ----------------------------------------------------------------


class PersonIndex:
    """The people one document names: short mentions linked to full names, and their titles.

    >>> index = PersonIndex(load_nlp()("Russian President Vladimir Putin arrived. Putin spoke."))
    >>> index.canonical("Putin")
    'Vladimir Putin'
    """

    def __init__(self, doc: Doc) -> None:
        self.mentions: list[tuple[int, str]] = []  #: (token index, name) of every PERSON mention
        self.descriptors: list[tuple[int, str, frozenset[str]]] = []
        self.subjects: list[tuple[int, str]] = []  #: people named as the subject of a verb
        self.role_words: set[str] = set()  #: head nouns of the descriptions ("prince", "plaintiff")
        names = [(ent, _person_name(ent)) for ent in doc_ents(doc) if ent.label_ == "PERSON" and plausible_name(ent)]
        asides = aside_spans(doc_text(doc))
        self._full = full_names([name for _, name in names],
                                preferred=[name for ent, name in names if not within_spans(ent.start_char, asides)])
        self._keep_titled(doc, names)
        self.names = frozenset(self._full.values())  #: the full names
        names += _surname_mentions(doc, self._full)
        names.sort(key=lambda item: item[0].start)
        self.genders = _genders(doc, [(ent, self.canonical(name)) for ent, name in names])
        for ent, name in names:
            self.mentions.append((ent.start, self.canonical(name)))
            if ent.root.dep_ in _SUBJECT_DEPS or ent.root.head.dep_ in _SUBJECT_DEPS:
                self.subjects.append((ent.start, self.canonical(name)))
            words = _descriptor_words(ent)
            if words:
                self.descriptors.append((ent.start, self.canonical(name), words))
                self.role_words |= _descriptor_heads(ent)

    def _keep_titled(self, doc: Doc, names: list[tuple[Span, str]]) -> None:
        """Keep a name as written when a mention's title contradicts the first name of its
        longer form (*Mr. Obama* is not *Michelle Obama*)."""
        for ent, name in names:
            full = self._full.get(name, name)
            before = doc[ent.start - 1].lower_.rstrip(".") if ent.start > 0 else ""
            title = _TITLE_GENDER.get(before) or _TITLE_GENDER.get(ent[0].lower_.rstrip("."))
            if title and full != name and first_name_gender(full.split()[0]) not in (None, title):
                self._full[name] = name

    def surname_of(self, text: str) -> str | None:
        """The full name a one-word mention belongs to ("Varga" -> "Helena Varga"), if any."""
        word = clean_name(text).lower()
        if " " in word:
            return None
        owners = {n for n in self.names if " " in n and word in n.lower().split()}
        return owners.pop() if len(owners) == 1 else None

    def canonical(self, name: str) -> str:
        """The fullest form of ``name`` in the document (itself if none)."""
        name = clean_name(name)
        return self._full.get(name) or self.surname_of(name) or name

    def antecedent(self, token_index: int, sources: list[Source] = (), gender: str | None = None
                   ) -> tuple[int, str] | None:
        """The nearest person before ``token_index`` that "he"/"she" (``gender`` "m"/"f") can
        stand for: a named source or a person named as a subject, else any person named;
        people of the other gender (as far as the article tells) are passed over."""
        earlier = sorted([(i, n) for i, n in self.subjects if i < token_index]
                         + [(s.token, s.name) for s in sources if s.token < token_index], reverse=True)
        for candidates in (earlier, sorted((m for m in self.mentions if m[0] < token_index), reverse=True)):
            found = next((c for c in candidates if self.compatible(c[1], gender)), None)
            if found is not None:
                return found
        return None

    def compatible(self, name: str, gender: str | None) -> bool:
        return gender is None or self.genders.get(name) in (None, gender)

    def described_at(self, words: frozenset[str], token_index: int) -> tuple[int, str] | None:
        """Where and to whom a description containing ``words`` was last given before
        ``token_index`` (or anywhere, when it names one person only)."""
        matches = [(i, name) for i, name, desc in self.descriptors
                   if words <= desc and not (desc & _LESSER_OFFICES) - words]
        earlier = [m for m in matches if m[0] < token_index]
        if earlier:
            return earlier[-1]
        return matches[0] if len({name for _, name in matches}) == 1 else None


#: Words that make a title another office: *Vice President Varga* is not "the president", nor
#: *Deputy Minister Varga* "the minister".
_LESSER_OFFICES = frozenset("vice deputy assistant lieutenant".split())


def _surname_mentions(doc: Doc, full: dict[str, str]) -> list[tuple[Span, str]]:
    """Proper nouns outside PERSON entities that repeat the last word of a person's full name
    ("Reyes" after "Governor Tom Reyes"), which the entity recogniser often misses."""
    surnames: dict[str, str] = {}
    for name in dict.fromkeys(full.values()):  # in order of first mention: the same on every run
        if " " in name:
            surnames.setdefault(name.split()[-1], name)
    if not surnames:
        return []
    from spacy.attrs import ORTH

    orths = doc.to_array([ORTH]).reshape(-1)
    wanted = [doc.vocab.strings[name] for name in surnames]
    named = (doc[i] for i in np.flatnonzero(np.isin(orths, np.array(wanted, dtype=orths.dtype))).tolist())
    return [(doc[t.i : t.i + 1], surnames[t.text]) for t in named
            if t.pos_ in {"PROPN", "NOUN"} and t.ent_type_ != "PERSON"]


def _genders(doc: Doc, names: list[tuple[Span, str]]) -> dict[str, str]:
    """Each person's gender as far as the article tells, by a vote: a title (Mr., Ms.) or role
    noun (spokeswoman) beside a mention, the first he/she/his after a mention where the person
    is the subject, in the same sentence, and (twice, winning ties) what the first name clearly is."""
    marked: dict[str, list[str]] = {}  #: by a title or role noun
    followed: dict[str, list[str]] = {}  #: by a later pronoun (which may stand for someone else)
    for ent, name in names:
        before = doc[ent.start - 1].lower_.rstrip(".") if ent.start > 0 else ""
        described = [t.lemma_.lower() for t in doc[max(ent.sent.start, ent.start - 3) : ent.start]]
        title = _TITLE_GENDER.get(before) or next((ROLE_NOUNS[w] for w in described if ROLE_NOUNS.get(w)), None)
        if title:
            marked.setdefault(name, []).append(title)
        elif ent.root.dep_ in _SUBJECT_DEPS or ent.root.head.dep_ in _SUBJECT_DEPS:
            pronoun = next((t.lower_ for t in doc[ent.end : min(ent.sent.end, ent.end + 15)]
                            if t.lower_ in _GENDERED), None)
            if pronoun:
                followed.setdefault(name, []).append(_GENDERED[pronoun])
    told: dict[str, str] = {}
    for name in {name for _, name in names}:
        guess = first_name_gender(name.split()[0]) if " " in name else None
        votes = marked.get(name, []) + followed.get(name, []) + [guess] * _FIRST_NAME_VOTES * (guess is not None)
        if votes:
            told[name] = max(sorted(set(votes), key=lambda g: (g != guess, g)), key=votes.count)
    return told


#: What a clear first name weighs against the titles and pronouns around a person's mentions.
_FIRST_NAME_VOTES = 2


@lru_cache(maxsize=1)
def _name_detector():
    import gender_guesser.detector

    return gender_guesser.detector.Detector(case_sensitive=False)


def first_name_gender(first_name: str) -> str | None:
    """"m" or "f" for a first name that is clearly one or the other (gender-guesser's list), else None."""
    return {"male": "m", "female": "f"}.get(_name_detector().get_gender(first_name))


_TITLE_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "lady": "f"}
_GENDERED = {"he": "m", "his": "m", "himself": "m", "she": "f", "herself": "f"}


def _person_name(ent: Span) -> str:
    """A PERSON entity's name without a title or role the recogniser took into it (*Ms
    Commisso*, *Accuser Brittany Commisso*), nor a weekday it ran on into (*President Trump
    Sunday said*: Trump)."""
    return _WEEKDAY_AFTER.sub("", _without_title(_name_after_description(ent).text))


#: A weekday after a name, which the recogniser may take into it (*Trump Sunday*).
_WEEKDAY_AFTER = re.compile(r"(?<=\w)\s+(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day$")


def plausible_name(ent: Span) -> bool:
    """Whether a PERSON entity reads as a name, not a headline fragment the recogniser took for
    one ("OBAMA FOCUSED", "Obama Just Pulled Out", "@realDonaldTrump Twitter")."""
    words = [t for t in ent if t.is_alpha]
    shouting = len(words) >= 2 and all(t.is_upper for t in words)
    return not shouting and not any(
        "@" in t.text or (t.pos_ in {"VERB", "AUX", "ADV"} and not t.ent_iob_ == "B") for t in ent)


def clean_name(text: str) -> str:
    """A name without possessive ending, surrounding punctuation or doubled spaces."""
    text = re.sub(r"[’']s?$", "", text.strip())
    return " ".join(text.strip(" ,.;:-—–()\"“”").split())


def full_names(names: list[str], *, preferred: list[str] | None = None) -> dict[str, str]:
    """Map each name to the longest name whose words include all of its words, taken from
    ``preferred`` (the names the writer's own sentences use) when one there does; a name two
    people share (*Grayson*: *Alan Grayson* and *Dena Minning Grayson*) stays as it is."""
    pools = [list(dict.fromkeys(names if preferred is None else preferred)), list(dict.fromkeys(names))]
    full: dict[str, str] = {}
    for name in names:
        words = set(name.lower().split())
        for pool in pools:
            widest = _widest([c for c in pool if words <= set(c.lower().split())])
            if widest:
                full[name] = _without_role(widest[0]) if len(widest) == 1 else name
                break
        else:
            full[name] = name
    return full


def _without_role(name: str) -> str:
    """A name without the roles a headline's capitals put before it (*Accuser Brittany
    Commisso*, *Mayor Ada Thornbury*), while a first name and a surname stay."""
    words = name.split()
    while len(words) > 2 and words[0][:1].isupper() and words[0].lower() in ROLE_NOUNS:
        words = words[1:]
    return " ".join(words)


def _widest(candidates: list[str]) -> list[str]:
    """The candidates no other candidate contains (by words, titles aside), longest first."""
    sets = [set(_without_title(c).lower().split()) for c in candidates]
    widest = [c for c, s in zip(candidates, sets) if not any(s < other for other in sets)]
    unique = list({frozenset(_without_title(c).lower().split()): c for c in reversed(widest)}.values())[::-1]
    return sorted(unique, key=lambda c: -len(c.split()))


def aside_spans(text: str) -> list[tuple[int, int]]:
    """Where names are not the writer's own: quotations (*“… working Crooked Hillary Clinton”*)
    and heading-like lines (a headline, a video caption: *Senators Rip Maria Lopez*)."""
    spans = quote_spans(text)
    for line in re.finditer(r"[^\n]+", text):
        if _heading_like(line.group()):
            spans.append(line.span())
    return spans


def within_spans(at: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= at < end for start, end in spans)


def _descriptor_heads(ent: Span) -> frozenset[str]:
    """The nouns that describe a person mention: *Prince* Alwaleed, X, a *plaintiff* in the case."""
    root = ent.root
    heads = [c for c in root.children if c.dep_ in {"compound", "appos"} and not (ent.start <= c.i < ent.end)]
    if root.dep_ == "appos" and root.head.i < ent.start:
        heads.append(root.head)
    return frozenset(t.lemma_.lower() for t in heads if t.pos_ in {"NOUN", "PROPN"} and t.ent_type_ != "PERSON")


def _descriptor_words(ent: Span) -> frozenset[str]:
    """Title words around a person mention: "Russian President X", "X, the defence minister"."""
    root = ent.root
    tokens: list[Token] = []
    for child in root.children:
        if child.dep_ in _DESCRIPTOR_DEPS and not (ent.start <= child.i < ent.end):
            tokens.extend(child.subtree if child.dep_ == "appos" or child.i < ent.start else [child])
    if root.dep_ == "appos" and root.head.i < ent.start:
        tokens.extend(t for t in root.head.subtree if t.i < root.head.i + 1 and t.i < ent.start)
    return frozenset(t.lemma_.lower() for t in tokens if t.is_alpha and not t.is_stop and t.ent_type_ != "PERSON")


@dataclass(frozen=True)
class Source:
    """A person named as the subject of a cue verb: *Tikhonov … told AFP*, *said Ms Ruiz*."""

    token: int  #: index of the mention's first token
    start: int  #: character offsets of the mention
    end: int
    name: str


def named_sources(doc: Doc, people: PersonIndex) -> list[Source]:
    """Every person (not a pronoun, organisation or place) who speaks through a cue verb, in text order."""
    found: dict[int, Source] = {}
    for token in cue_candidates(doc):
        if not _is_cue(token) or token.lemma_.lower() in _NAMING_VERBS:  # *a term Rubio used to describe X*
            continue
        mention = _speaker_mention(doc, _subject(token))
        if len(mention) == 1 and mention[0].lower_ in _PRONOUNS:
            continue
        name = resolve_speaker(mention, people)
        if _names_a_person(mention, name, people):
            found[mention.start] = Source(mention.start, mention.start_char, mention.end_char, name)
    return [found[i] for i in sorted(found)]


def _names_a_person(mention: Span, name: str, people: PersonIndex) -> bool:
    """Whether a speaker mention names a person (not an organisation, a place or a pronoun)."""
    if name in people.names:
        return True
    return (any(t.pos_ == "PROPN" for t in mention) and mention.root.tag_ != "NNS"  # not *Job cuts*, *Trump supporters*
            and not any(t.ent_type_ in {"ORG", "GPE", "NORP", "FAC", "LOC"} for t in mention))


def _inherit_speaker(quote: Quote, doc: Doc, previous: list[Quote], sources: list[Source]) -> None:
    """Give a cue-less quote the speaker of the attribution just before it (a quote or a named
    source), when that one lies in the same paragraph or in the paragraph right before; reported
    speech in a relative clause (*a station during which callers asked …*) is an aside, not one."""
    text = doc_text(doc)
    attributions = [(q.end, q.cue == "according to", q.speaker, q.speaker_start, q.speaker_end, q.speaker_kind,
                     q.speaker_mention) for q in previous if q.speaker and not _aside(doc, q)]
    attributions += [(s.end, False, s.name, s.start, s.end, "person", text[s.start : s.end]) for s in sources]
    earlier = [a for a in attributions if a[0] <= quote.start]
    if not earlier:
        return
    end, according, *speaker = max(earlier, key=lambda a: a[0])
    if according and _another_person_between(doc, speaker[0], speaker[2], quote.start):
        return  # *According to the agency, there are … . Mayor Reeve has a message for them. “…”*
    if not any(line.strip() for line in text[end : quote.start].split("\n")[1:-1]):
        quote.speaker, quote.speaker_start, quote.speaker_end, quote.speaker_kind, quote.speaker_mention = speaker


def _another_person_between(doc: Doc, speaker: str, start: int | None, end: int) -> bool:
    """Whether a person other than ``speaker`` is named between an ``according to`` source (from
    ``start``) and a cue-less quote (to ``end``): the quote may be that person's, so the source's
    report is not taken to go on into it (the parser may not make the person a subject: *… in the
    U.S. President Trump has a message for them.* is read as one sentence)."""
    if start is None:
        return False
    span = doc.char_span(start, end, alignment_mode="contract")
    return span is not None and any(
        e.label_ == "PERSON" and e.root.text not in speaker for e in span.ents)


def _aside(doc: Doc, quote: Quote) -> bool:
    """Whether a reported-speech quote's cue sits in a relative clause."""
    if quote.direct or quote.cue_start is None:
        return False
    cue = doc.char_span(quote.cue_start, quote.cue_end, alignment_mode="expand")
    return cue is not None and cue.root.dep_ in {"relcl", "acl"}


def _inside(i: int, parts: list[tuple[int, int]]) -> bool:
    return any(s <= i < e for s, e in parts)


def _find_cue(doc: Doc, parts: list[tuple[int, int]]) -> Token | None:
    """The cue verb for a quote, outside it, in the sentences where the quote starts or ends or
    the one right after: one that governs the quoted words if any, else the nearest."""
    start, end = parts[0][0], parts[-1][1]
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    candidates = [
        t for sent in _neighbour_sentences(doc, span) for t in sent
        if _is_cue(t) and not _inside(t.idx, parts) and not _crosses_paragraph(doc_text(doc), t.idx, start, end)
    ]
    candidates = [t for t in candidates if not _reports_another_cue(t, candidates)] or candidates
    candidates = [t for t in candidates if not _says_something_else(t, span)]
    first = doc.char_span(*parts[0], alignment_mode="expand")
    candidates = [t for t in candidates if t.is_ancestor(first.root)] or candidates
    candidates = [t for t in candidates if _has_speaking_subject(t)] or candidates
    return min(candidates, key=lambda t: _distance(t.idx, start, end), default=None)


def _says_something_else(cue: Token, quote: Span) -> bool:
    """A cue in a sentence after the quote's that carries its own reported clause (*“….” Ohio
    Gov. John Kasich said he would have fired him*): it attributes that clause, not the quote."""
    after = cue.sent.start > quote[-1].sent.start and cue.i >= quote.end
    if after and cue.lower_ == "according":  # *… Kasich said he would have fired him, according to reports*
        return cue.head.pos_ in {"VERB", "AUX"} and cue.head.sent == cue.sent
    return after and any(c.dep_ == "ccomp" and not c.is_punct for c in cue.children)


def _has_speaking_subject(cue: Token) -> bool:
    """Whether a cue's subject can speak: a person, an organisation, a pronoun or a proper noun
    (*the areas … suggested* is a thing's cue; *a source said* may still be the speaker's)."""
    subject = _subject(cue)
    if subject is None or subject.lower_ in _WRITER_PRONOUNS or not _can_speak(subject):
        return False
    return (subject.pos_ in {"PROPN", "PRON"} or subject.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"}
            or subject.lemma_.lower() in ROLE_NOUNS or subject.lemma_.lower() in _ANONYMOUS_SOURCES)


#: The writer and the reader (*Trump said, and I quote, “…”*): another cue's subject is the speaker.
_WRITER_PRONOUNS = frozenset({"i", "we", "you"})

#: Bodies and documents that speak for unnamed people (*the committee said*, *a poll found*).
_SOURCE_BODIES = frozenset(
    "campaign committee group organization organisation agency ministry department government "
    "administration court report statement poll survey study crowd audience".split())
#: Common nouns that speak for unnamed people (*officials said*, *a source said*).
_ANONYMOUS_SOURCES = _SOURCE_BODIES | frozenset(
    "source official spokesperson spokesman spokeswoman analyst expert critic supporter aide "
    "resident witness voter protester observer insider investigator police researcher scientist "
    "economist lawyer attorney man woman person people someone somebody member student worker fan "
    "caller listener viewer pastor priest preacher rabbi imam bishop doctor nurse teacher farmer owner "
    "neighbor neighbour friend".split())


def _reports_another_cue(cue: Token, candidates: list[Token]) -> bool:
    """Whether ``cue`` only relays another cue's words: *state media reported [the leader said …]*
    or, as the parser may attach it, *the leader said […, state media reported]*."""
    relays = any(c.head is cue and c.dep_ == "ccomp" for c in candidates)
    trailing = cue.dep_ == "ccomp" and cue.head in candidates and _inside_trailing_attribution(cue) is not cue
    return relays or trailing


def _neighbour_sentences(doc: Doc, span: Span) -> list[Span]:
    """The sentences where the quote starts and ends, the next one, and the previous one when
    it runs into the quote (*… saying: “…”*)."""
    sentences = {span[0].sent.start: span[0].sent, span[-1].sent.start: span[-1].sent}
    first = span[0].sent.start
    if first > 0 and doc[first - 1].text not in {".", "!", "?", "”", '"'} and not doc[first - 1].is_space:
        sentences[doc[first - 1].sent.start] = doc[first - 1].sent
    after = span.end
    while after < len(doc) and (doc[after].is_punct or doc[after].is_space) and "\n" not in doc[after].text:
        after += 1
    if after < len(doc) and doc[after].sent.start not in sentences:
        sentences[doc[after].sent.start] = doc[after].sent
    return list(sentences.values())


def _crosses_paragraph(text: str, idx: int, start: int, end: int) -> bool:
    lo, hi = (idx, start) if idx < start else (end, idx)
    return "\n" in text[lo:hi]


def _distance(idx: int, start: int, end: int) -> int:
    return start - idx if idx < start else max(0, idx - end)


def _is_cue(token: Token) -> bool:
    if token.lower_ == "according":
        return _subject(token) is not None
    return (token.pos_ in {"VERB", "AUX"} and token.lemma_.lower() in CUE_VERBS and not _goes_on_doing(token)
            and not _wanted_of_another(token)
            and token.dep_ != "amod"  # *repeated warnings*: a participle describing a noun
            and not _names_nothing(token) and not _gives_a_name(token) and not _moves_to_a_thing(token)
            and _subject(token) is not None)


#: Cue verbs that also move a thing somewhere (*admitted to hospital*, *added to the list*).
_MOVING_CUES = frozenset({"admit", "add"})
#: Whom words are said to (*said to reporters*, *wrote to the board*), besides people and bodies.
_AUDIENCES = frozenset("reporter journalist press media crowd audience public nation country".split())


def _moves_to_a_thing(token: Token) -> bool:
    """*was admitted to hospital*, *added to the pile*: a cue verb that also moves things
    (:data:`_MOVING_CUES`) whose *to* leads to a thing, not to whom words are said, introduces
    no words (a quote nearby is another's, or nobody's). Other cues keep theirs (*responded to
    accusations*, *pointed to the case as a "…"*)."""
    if token.lemma_.lower() not in _MOVING_CUES:
        return False
    objects = [o for c in token.children if c.dep_ == "prep" and c.lower_ == "to"
               for o in c.children if o.dep_ == "pobj"]
    return any(not _addressee(o) for o in objects) and not any(
        c.dep_ in {"ccomp", "dobj"} and not c.is_punct for c in token.children)


def _addressee(token: Token) -> bool:
    """Whether words can be said or written to ``token``: a person, a body or a group of people."""
    lemma = token.lemma_.lower()
    return (token.pos_ in {"PRON", "PROPN"} or token.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"}
            or lemma in ROLE_NOUNS or lemma in _ANONYMOUS_SOURCES or lemma in _BODY_NOUNS
            or lemma in _PERSON_NOUNS or lemma in _AUDIENCES)


def _names_nothing(token: Token) -> bool:
    """*Fox executives were calling every 15 minutes*: a naming verb with no object names nothing."""
    return token.lemma_.lower() in _NAMING_VERBS and not any(
        c.dep_ in {"dobj", "oprd", "ccomp", "xcomp", "attr", "dative", "prep", "nsubjpass"} for c in token.children)


def _is_given_name(doc: Doc, parts: list[tuple[int, int]]) -> bool:
    """Whether the quoted words are what a passive naming verb calls something (see
    :func:`_gives_a_name`), so no cue nearby can make them anyone's words."""
    span = doc.char_span(parts[0][0], parts[-1][1], alignment_mode="expand")
    heads = [] if span is None else [t.head for t in span if not span.start <= t.head.i < span.end]
    return bool(heads) and _gives_a_name(heads[0])


#: Things that are given names the press quotes (*the state's "bathroom bill"*, *the fair's "corn poll"*).
_NAMED_THINGS = frozenset("bill act law poll survey program programme policy rule doctrine operation initiative "
                          "movement tour show podcast column clause ban caucus".split())
_NAME_WORDS = 4


def _names_a_thing(doc: Doc, parts: list[tuple[int, int]]) -> bool:
    """*known for writing the state's controversial “bathroom bill”*, *in the fair's popular
    “corn kernel poll”*: quoted nouns only (no word that judges or says anything), up to
    :data:`_NAME_WORDS`, ending in a kind of thing that gets names (:data:`_NAMED_THINGS`) that
    the writer's own determiner or owner (*the*, *its*, *the state's*, adjectives between) outside
    the quotation marks introduces, are the name
    of that thing, not anyone's words (*called it a “rigged poll”* keeps its adjective and its quote)."""
    if len(parts) != 1:
        return False
    span = doc.char_span(*parts[0], alignment_mode="contract")
    words = [t for t in span if not t.is_punct] if span is not None else []
    if not words or len(words) > _NAME_WORDS or any(t.pos_ not in {"NOUN", "PROPN"} for t in words):
        return False
    head = words[-1]
    if head.lemma_.lower() not in _NAMED_THINGS or any(
            t.head.i != head.i and not words[0].i <= t.head.i <= head.i for t in words[:-1]):
        return False
    before = [t for t in doc[max(0, words[0].i - _NAME_WORDS - 2) : words[0].i] if not t.is_punct]
    while before and before[-1].pos_ == "ADJ":  # *the state's controversial “…”*
        before.pop()
    return bool(before) and before[-1].tag_ in {"DT", "PRP$", "POS", "WP$"}


def _is_scare_word(doc: Doc, parts: list[tuple[int, int]]) -> bool:
    """*the government's “reforms”*, *the “independent” review*, *its “partners”*: one quoted
    word that the writer's own definite determiner or owner outside the marks introduces
    (adjectives between) is a word the writer holds at a distance, not anyone's speech, unless
    a verb of saying or judging governs it: *said the company was “devastated”*, *called it a
    “disgrace”* and *said he valued Trump's “loyalty”* keep their quotes."""
    if len(parts) != 1:
        return False
    span = doc.char_span(*parts[0], alignment_mode="contract")
    words = [t for t in span if not t.is_punct] if span is not None else []
    if len(words) != 1 or words[0].pos_ not in {"NOUN", "PROPN", "ADJ"}:
        return False
    if any(t.lemma_.lower() in _SPEECH_ACTS for t in words[0].ancestors):
        return False  # *said he appreciated Trump's “loyalty”*, *what he calls the “crooked” process*
    before = [t for t in doc[max(0, words[0].i - 4) : words[0].i] if not t.is_punct]
    while before and before[-1].pos_ == "ADJ":
        before.pop()
    return bool(before) and (before[-1].tag_ in {"PRP$", "POS", "WP$"} or before[-1].lower_ in _DEFINITE)


#: Determiners that point at a thing already known (*a “disgrace”* is what someone called it).
_DEFINITE = frozenset("the this that these those".split())


def _gives_a_name(token: Token) -> bool:
    """*HP is called “feather duvet lung”*, *the program was dubbed “Warp Speed”*: a naming
    verb (:data:`_NAMING_VERBS`) in the passive with no agent gives a thing its name; nobody is
    quoted (with an agent, *has been called “strategic ambiguity” by a professor*, the agent
    speaks)."""
    return (token.lemma_.lower() in _NAMING_VERBS and token.tag_ == "VBN"
            and any(c.dep_ in {"auxpass", "nsubjpass"} for c in token.children)
            and not any(t.lower_ == "by" for t in token.subtree))  # the agent, wherever the parser hung it


#: Verbs whose subject wants, lets or makes another do what follows (*wants McGahn to testify*).
_WISHING_VERBS = frozenset("want wish let allow permit urge invite encourage force compel order require "
                           "expect need push pressure press subpoena".split())


def _wanted_of_another(token: Token) -> bool:
    """*The committee wants McGahn to testify*, *the decision to let Shapiro write a column*: a
    cue verb in its base form that someone wants, lets or makes another do (:data:`_WISHING_VERBS`,
    the doer its own subject or the object of the wish) is no act of speech that took place; a
    quote nearby is another's. One's own wish (*wants to say*) keeps its speaker."""
    head = token.head
    if (token.tag_ not in {"VB", "VBP"} or token.dep_ not in {"ccomp", "xcomp"} or head.lemma_.lower() not in _WISHING_VERBS
            or any(c.dep_ == "mark" for c in token.children)):  # the parser may tag *let X write* VBP
        return False
    return any(c.dep_ in _SUBJECT_DEPS for c in token.children) or any(
        c.dep_ in {"dobj", "dative"} for c in head.children)


def _goes_on_doing(token: Token) -> bool:
    """*Rubio will continue to be …*: "continue" with a verb after it says nothing."""
    return token.lemma_.lower() == "continue" and any(c.dep_ == "xcomp" for c in token.children)


def _subject(cue: Token) -> Token | None:
    """Who speaks: the (passive) subject of the cue verb or of the verbs it depends on, the
    person set off before it (*Tikhonov, a professor in Oslo, told AFP*), else the nearest
    subject before it in its sentence (the parser left the verb without one)."""
    if cue.lower_ == "according":
        to = next((c for c in cue.children if c.lower_ == "to"), None)
        return next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    agent = _agent(cue) or _person_shown_saying(cue)
    if agent is not None:
        return agent
    found = _clause_subject_of(cue)
    carrier = _carrier(cue)
    if carrier is not None and (found is None or not _speakerish(found) or found.lower_ in _WRITER_PRONOUNS):
        return carrier
    return found


def _clause_subject_of(cue: Token) -> Token | None:
    """The subject of the cue verb or of the verbs it depends on (see :func:`_subject`)."""
    token, fallback = cue, None
    for _ in range(3):
        subject = _clause_subject(token) if token is cue or not _reported_clause_of_another(cue, token) else None
        if subject is not None and token is cue and not _can_speak(subject):
            return _person_within(subject) or subject  # Saturday at the convention Sen. X said
        if subject is not None and (token is cue or _speakerish(subject)):
            return subject if token is cue else _apposed_person(cue) or subject
        if subject is not None and fallback is None and _can_speak(subject):
            fallback = subject  # *Carson rejected the notion that the episode …, saying*: go on up
        if token.dep_ not in {"xcomp", "pcomp", "advcl", "conj", "prep", "ccomp"} or token.head is token:
            break
        token = token.head
    left = _subject_to_the_left(cue)
    if fallback is not None:  # a thing's clause took the cue: *The incident came when protesters …, shouting*
        return _apposed_person(cue) or (left if left is not None and _speakerish(left) else fallback)
    return _apposed_person(cue) or left


def _reported_clause_of_another(cue: Token, verb: Token) -> bool:
    """*Trump said that the U.S. will secure the border …, calling the move a “big step”*: a
    participle set off by a comma that the parser hung on a clause someone reports says what the
    reporter says (Trump calls), not the reported clause's subject (the U.S.). Only a clause after
    its verb of speech, itself no speech (*…, CNN reported* and *X said that “…,” Y added, saying*
    keep their own speakers)."""
    return (cue.tag_ == "VBG" and cue.i > 0 and cue.doc[cue.i - 1].text == "," and verb.dep_ == "ccomp"
            and verb.head.i < verb.i and verb.head.pos_ in {"VERB", "AUX"} and verb.head.lemma_.lower() in CUE_VERBS
            and verb.lemma_.lower() not in CUE_VERBS)


def _carrier(cue: Token) -> Token | None:
    """The noun a participle cue describes (*an ad ends with a voice over saying*, *with
    forecasters warning*), unless someone issues it (*Trump released a statement saying*, *responded
    with a statement saying*: Trump speaks)."""
    noun = cue.head
    if cue.tag_ != "VBG" or cue.dep_ != "acl" or noun.pos_ not in {"NOUN", "PROPN"} or not _can_speak(noun):
        return None
    if noun.dep_ == "pobj" and noun.head.lower_ == "with" and noun.lemma_.lower() not in _STATEMENT_NOUNS:
        return noun  # *…, with forecasters warning that …*: they speak, not the clause's subject
    verb = noun
    while verb.dep_ in {"dobj", "dative", "pobj", "prep", "conj", "appos"} and verb.head is not verb:
        verb = verb.head
    issuer = _clause_subject(verb) if verb.pos_ in {"VERB", "AUX"} else None
    return None if issuer is not None and _can_speak(issuer) else noun


def _person_shown_saying(cue: Token) -> Token | None:
    """*The magazine quoted a health official saying …*, *a video shows Ann Holm telling …*,
    *no different from Bush calling it …*: a participle right after a person (no comma between)
    whom a verb of showing (:data:`_SHOWING_VERBS`) or a preposition other than *to* or *for*
    takes, says what that person says, whoever quotes or shows them (*attacked Holm, saying …*
    is the attacker's, *emailed supporters saying …* the sender's)."""
    noun = cue.head
    if cue.tag_ != "VBG" or cue.dep_ != "acl" or noun.pos_ not in {"NOUN", "PROPN"} or not _a_person(noun):
        return None
    shown = (noun.dep_ == "dobj" and noun.head.lemma_.lower() in _SHOWING_VERBS
             or noun.dep_ == "pobj" and noun.head.lower_ not in {"to", "for"})
    before = cue.doc[cue.i - 1]  # *emailed supporters saying*, *wrote to voters saying*: the sender speaks
    return noun if shown and not before.is_punct and before in noun.subtree else None


#: Verbs that show someone (*quoted an official saying*, *a video shows a man shouting*).
_SHOWING_VERBS = frozenset("quote cite show hear see record film catch capture overhear depict feature watch".split())


def _a_person(noun: Token) -> bool:
    """A person or people, named or not (*Gao*, *a health official*, *the minister*), not a body."""
    lemma = noun.lemma_.lower()
    return noun.ent_type_ == "PERSON" or lemma in ROLE_NOUNS or lemma in _PERSON_NOUNS or (
        lemma in _ANONYMOUS_SOURCES and lemma not in _SOURCE_BODIES)


def _speakerish(token: Token) -> bool:
    """A subject that is clearly someone: a name, an organisation, a pronoun, a role or source noun."""
    return _can_speak(token) and (
        token.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"} or token.pos_ in {"PROPN", "PRON"}
        or token.lemma_.lower() in ROLE_NOUNS or token.lemma_.lower() in _ANONYMOUS_SOURCES)


def _person_within(phrase: Token) -> Token | None:
    """A person the parser hung inside a phrase taken for the subject (an apposition)."""
    return next((t for t in phrase.subtree if t.ent_type_ == "PERSON" and t.dep_ in {"appos", "conj"}), None)


def _clause_subject(verb: Token) -> Token | None:
    """The subject of ``verb``; of two (the parser's *Salem, New Hampshire, Trump went*, *The doctor
    in charge of a Velto Valley, Ore. burn center said*), one that can speak, a named person first,
    then a person or people noun (the doctor), else the nearer one first."""
    subjects = sorted((_object_if_preposition(c) for c in verb.children if c.dep_ in _SUBJECT_DEPS),
                      key=lambda c: abs(verb.i - c.i))
    if not subjects and verb.pos_ == "VERB":  # the parser may hang the name on the verb: *Beck joked*
        subjects = [c for c in verb.children if c.dep_ == "compound" and c.i < verb.i and c.pos_ == "PROPN"]
    if not subjects and verb.dep_ == "acl" and verb.tag_ in {"VBD", "VBZ"} and verb.head.i == verb.i - 1:
        subjects = [verb.head]  # or a finite verb on the noun before it: *a man yelled “…”*
    speakers = [c for c in subjects if _can_speak(c)]  # a person first: *said study co-author Ann Lee*
    speakers.sort(key=lambda c: (c.ent_type_ != "PERSON", not _a_person(c)))  # then people: *the doctor … center said*
    return speakers[0] if speakers else subjects[0] if subjects else None


def _object_if_preposition(subject: Token) -> Token:
    """A preposition the parser took for the subject (*Of Carson, Levine … said*) stands for its object."""
    if subject.pos_ != "ADP":
        return subject
    return next((c for c in subject.children if c.dep_ == "pobj"), subject)


def _agent(cue: Token) -> Token | None:
    """Who asks or says in the passive (*Rubio was asked by the moderator Gerard Baker*)."""
    by = next((c for c in cue.children if c.dep_ == "agent"), None)
    person = next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None
    return person if person is not None and _can_speak(person) else None


#: Entity types that never speak (*Saturday*, *72 percent*, *6:50 p.m.*).
_MUTE_ENTITIES = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL"})
#: Pronouns that do not stand for a speaker (*it's unrealistic to think*, *what's called*).
_MUTE_PRONOUNS = frozenset("it what that this which there some many all".split())
#: Subjects that are never a quote's source: *if you're asking whether*, *what is predicted
#: to*, and outside a quotation the writer's own *I* and *we* (see :func:`_no_source`).
_NO_SOURCE_PRONOUNS = _WRITER_PRONOUNS | {"what"}


def _no_source(subject: Token) -> bool:
    """Whether a cue's subject is no one's: one of ``_NO_SOURCE_PRONOUNS``, or the *it* of a
    passive (*it is alleged that*; an active *it said* is an organisation speaking)."""
    return subject.lower_ in _NO_SOURCE_PRONOUNS or (
        subject.lower_ == "it" and subject.dep_ in {"nsubjpass", "expl"})


def _can_speak(token: Token) -> bool:
    """Whether a subject can be the speaker: not a date, number or share, not *it* or *what*."""
    return token.ent_type_ not in _MUTE_ENTITIES and token.lower_ not in _MUTE_PRONOUNS


def _apposed_person(cue: Token) -> Token | None:
    """``NAME, <description without a verb>, said``: the parser often attaches NAME elsewhere."""
    doc = cue.doc
    if cue.tag_ not in {"VBD", "VBZ", "VBP"} or cue.i < 2 or doc[cue.i - 1].text != ",":
        return None
    for i in range(cue.i - 2, max(cue.sent.start, cue.i - _APPOSITION_TOKENS) - 1, -1):
        token = doc[i]
        if token.pos_ in {"VERB", "AUX"} or token.text in {'"', "“", "”", ";"}:
            return None
        if token.ent_type_ == "PERSON" and doc[i + 1].text == ",":
            return token
    return None


def _subject_to_the_left(cue: Token) -> Token | None:
    """The nearest nominal subject before ``cue`` in its sentence, outside quotation marks, that is
    clearly someone (else the nearest one that can speak)."""
    doc = cue.doc
    quoted = False
    found: list[Token] = []
    for token in reversed(doc[cue.sent.start : cue.i]):
        quoted ^= token.text in {'"', "“", "”"}
        if not quoted and token.dep_ in _SUBJECT_DEPS and token.pos_ in {"PROPN", "PRON", "NOUN"} and _can_speak(token):
            found.append(token)
    return next((t for t in found if _speakerish(t)), found[0] if found else None)


def _governs(cue: Token, doc: Doc, parts: list[tuple[int, int]]) -> bool:
    """Whether ``cue`` is an ancestor of the quote's first part (or the parse cannot tell)."""
    first = doc.char_span(*parts[0], alignment_mode="expand")
    return first is None or cue.is_ancestor(first.root)


def _nearer_speech_act(cue: Token, doc: Doc, parts: list[tuple[int, int]]) -> bool:
    """*Trump announced the deal, a move that was denounced by Palestinians as a “…”*: a verb of
    speech or judgement in the passive, with who speaks as its agent, between the quote and the
    cue governs the quote, and its agent speaks (any nearer verb of judgement would be too many:
    *said he found it “…”*, *said she would attack it as “…”* stay the cue's)."""
    first = doc.char_span(*parts[0], alignment_mode="expand")
    if first is None:
        return False
    for token in list(first.root.ancestors)[:_GOVERNING_STEPS]:
        if token is cue:
            return False
        if token.pos_ in {"VERB", "AUX"} and token.lemma_.lower() in _SPEECH_ACTS:
            return cue.is_ancestor(token) and (_agent(token) is not None or (
                _named_speaker_of(token) and not _has_own_subject(doc, parts)))
    return False


def _named_speaker_of(verb: Token) -> bool:
    """*Ireland announced it would pause “out of caution,” Reuters reported*: a verb of speech,
    in a tense (not *expects Obama to announce*), whose subject is a name (not *he* or *she*,
    who may be the cue's own speaker) speaks the quoted phrase it governs; the cue only
    reports it."""
    subject = _subject(verb)
    return (verb.lemma_.lower() in CUE_VERBS and verb.lemma_.lower() not in _NAMING_VERBS
            and verb.tag_ in {"VBD", "VBZ", "VBP"}
            and subject is not None and subject.ent_type_ in _SPEAKING_ENTITIES | {"GPE"})


def _has_own_subject(doc: Doc, parts: list[tuple[int, int]]) -> bool:
    """Whether the quoted words hold a clause of their own (a subject inside them): a whole
    statement, which the parse may hang under any verb nearby, not a phrase it quotes."""
    return any(t.dep_ in _SUBJECT_DEPS for start, end in parts
               for t in (doc.char_span(start, end, alignment_mode="expand") or ()))


def _governing_subject(doc: Doc, parts: list[tuple[int, int]]) -> Token | None:
    """The subject of the speech verb a quoted phrase depends on (*Carson called the system
    “rotten”*, *Trump tweeted that Machado was “disgusting”*); None when no verb of speech
    or judgement governs it (a title or a scare quote)."""
    span = doc.char_span(parts[0][0], parts[-1][1], alignment_mode="expand")
    if span is None:
        return None
    heads = [t.head for t in span if not (span.start <= t.head.i < span.end) and not t.is_punct]
    if not heads:
        return None
    chain = [heads[0], *heads[0].ancestors][:_GOVERNING_STEPS]
    verbs = [t for t in chain if t.pos_ in {"VERB", "AUX"} and t.lemma_.lower() in _SPEECH_ACTS
             and not _gives_a_name(t) and not _moves_to_a_thing(t)]
    subject = _owner_before_speech_verb(doc, parts)  # *Trump's claim that Obama “founded ISIS”*
    if subject is None:
        subjects = [s for s in map(_subject, verbs) if s is not None and not span.start <= s.i < span.end]
        subject = next((s for s in subjects if _can_speak(s)), subjects[0] if subjects else None)
    if subject is None:
        return None
    return None if _crosses_paragraph(doc_text(doc), subject.idx, span.start_char, span.end_char) else subject


#: Nouns for what someone said or wrote (*Trump's claim that …*, *Clinton's response was: “…”*).
_STATEMENT_NOUNS = frozenset(
    "comment remark claim statement assertion response reply answer post tweet message email e-mail "
    "letter word promise pledge vow demand description accusation charge warning suggestion argument "
    "explanation insistence quip joke boast admission declaration testimony retort".split())


def _statement_owner(noun: Token) -> Token | None:
    """Whose statement a noun of saying is: its possessor when that is someone (*Trump's claim*,
    *his remark*), else None."""
    if noun.pos_ != "NOUN" or noun.lemma_.lower() not in _STATEMENT_NOUNS:
        return None
    owner = next((c for c in noun.children if c.dep_ == "poss"), None)
    if owner is None or not _can_speak(owner):
        return None
    named = owner.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"} or owner.pos_ == "PROPN"
    return owner if named or owner.lower_ in {"his", "her"} else None


def _owner_before_speech_verb(doc: Doc, parts: list[tuple[int, int]], *, content_only: bool = False) -> Token | None:
    """Who owns the statement a quote is part of (*Trump's claim that Obama “founded ISIS”*):
    the possessor of the nearest noun of saying above the quote, unless a verb of speech comes
    first or the quote only qualifies the statement (*called X's remarks “…”*, *X's remarks as “…”*);
    with ``content_only``, only when the quote is in the clause that states its content (*claim that …*)."""
    span = doc.char_span(parts[0][0], parts[-1][1], alignment_mode="expand")
    attached = [t for t in span if not (span.start <= t.head.i < span.end) and not t.is_punct] if span else []
    if not attached:
        return None
    below = [attached[0], *attached[0].ancestors][:_GOVERNING_STEPS + 1]  # the quote's word, then its heads
    for k, token in enumerate(below[1:]):
        if token.pos_ in {"VERB", "AUX"} and token.lemma_.lower() in _SPEECH_ACTS:
            return None
        owner = _statement_owner(token)
        link = below[k]  # the word through which the quote hangs on ``token``
        if content_only and owner is not None and link.dep_ != "acl":
            return None
        if owner is not None and not span.start <= owner.i < span.end and not (k and link.lower_ == "as"):
            return None if _crosses_paragraph(doc_text(doc), owner.idx, span.start_char, span.end_char) else owner
    return None


def _set_cue(quote: Quote, cue: Token) -> None:
    if cue.is_punct:  # a colon after a name introduces the quote; there is no cue word
        return
    according = cue.lower_ == "according"
    quote.cue = "according to" if according else cue.text
    quote.cue_start, quote.cue_end = cue.idx, cue.idx + len(cue.text) + (3 if according else 0)


def _set_speaker(quote: Quote, doc: Doc, subject: Token | None, people: PersonIndex, sources: list[Source]) -> None:
    if subject is None or _inside(subject.idx, quote.parts) or _no_source(subject):
        return
    _set_mention(quote, _speaker_mention(doc, subject), people, sources)


def _set_mention(quote: Quote, mention: Span, people: PersonIndex, sources: list[Source]) -> None:
    mention = _without_spaces(mention)
    quote.speaker_start, quote.speaker_end = mention.start_char, mention.end_char
    quote.speaker_mention = mention.text
    group = _group_antecedent(mention, quote.parts)
    joined = _joined_names(group) if group is not None else None
    if group is not None:  # *they*, *it*: the body or people named just before speak
        mention = _without_spaces(joined or _speaker_mention(mention.doc, group))
    quote.speaker = clean_name(mention.text) if joined is not None else resolve_speaker(mention, people, sources)
    quote.speaker_kind = speaker_kind(mention, quote.speaker, people)


#: Nouns for a body that *it* can stand for: *the council voted … "…," it said*.
_BODY_NOUNS = _SOURCE_BODIES | frozenset("company firm party foundation council board union network".split())
#: Bodies that are what someone wrote, not who: never what *it* or *they* stands for.
_DOCUMENT_BODIES = frozenset("report statement poll survey study".split())
#: Nouns for a group that *they* can stand for although singular: *the couple said they*.
_COLLECTIVE_NOUNS = frozenset("couple family group pair panel committee coalition board".split())


def _group_antecedent(mention: Span, parts: list[tuple[int, int]]) -> Token | None:
    """What a speaker's *they* or *it* stands for: the nearest subject before it, in its own
    sentence or the one before, that is a group of people (plural, joined names, a collective
    noun) for *they*, an organisation for *it* (*The Archives apologised. "…," it said*).
    Without one the pronoun stays as written: a guess would name the wrong speaker."""
    if len(mention) != 1 or mention[0].lower_ not in {"they", "it"}:
        return None
    pronoun = mention[0]
    sentence = pronoun.sent
    first = mention.doc[sentence.start - 1].sent.start if sentence.start > 0 else sentence.start
    for token in reversed(mention.doc[first : pronoun.i]):
        if token.dep_ in _SUBJECT_DEPS and not _inside(token.idx, parts) and _stands_for(token, pronoun.lower_):
            return token
    return None


def _joined_names(subject: Token) -> Span | None:
    """The whole of a subject made of joined names (*Anna Berg and Tom Lind*), if it is one."""
    joined = [c for c in subject.children if c.dep_ == "conj"]
    if not joined or not all(t.ent_type_ == "PERSON" for t in (subject, *joined)):
        return None
    left = min(t.i for t in subject.subtree if t.dep_ not in {"punct", "cc"})
    return subject.doc[left : max(t.i for t in joined[-1].subtree) + 1]


def _stands_for(subject: Token, pronoun: str) -> bool:
    """Whether a subject can be what *they* (people: *senators*, *Democrats*, *the couple*,
    joined names) or *it* (an organisation: *the Archives*, *the council*) refers to; not a
    thing (*other changes*, *the statement*)."""
    if subject.pos_ not in {"NOUN", "PROPN"} or subject.ent_type_ in _MUTE_ENTITIES | {"PERSON"} and pronoun == "it":
        return False
    lemma = subject.lemma_.lower()
    if pronoun == "it":
        return subject.tag_ != "NNS" and (subject.ent_type_ == "ORG" or lemma in _BODY_NOUNS - _DOCUMENT_BODIES)
    people = subject.tag_ in {"NNS", "NNPS"} and (lemma in _PEOPLE_WORDS or subject.ent_type_ in {"NORP", "ORG"})
    return people or lemma in _COLLECTIVE_NOUNS or _joined_names(subject) is not None


def _without_spaces(mention: Span) -> Span:
    """The mention without leading or trailing whitespace tokens (a no-break space before *She*)."""
    start, end = mention.start, mention.end
    while start < end - 1 and mention.doc[start].is_space:
        start += 1
    while end > start + 1 and mention.doc[end - 1].is_space:
        end -= 1
    return mention.doc[start:end]


_ORGANISATION_LABELS = frozenset({"ORG", "NORP", "GPE", "FAC"})


def speaker_kind(mention: Span, speaker: str, people: PersonIndex) -> str:
    """What a speaker is: a ``person`` (named, or a pronoun or role resolved to one), an
    ``organisation`` (*the Kremlin*, *Verizon*), else ``anonymous`` (*officials*, *a spokesperson*)."""
    persons = [e for e in span_ents(mention) if e.label_ == "PERSON"]
    if persons and all(_possessor(e, mention) for e in persons):  # *Varga's translator*, *Varga's campaign*
        return "organisation" if mention.root.lemma_.lower() in _ORGANISATION_NOUNS else "anonymous"
    if speaker in people.names or persons or _role_named(mention) or _resolved_pronoun(mention, speaker):
        return "person"
    if _unnamed_role(mention, people) or _unnamed_people(mention):
        return "anonymous"
    if any(t.ent_type_ in _ORGANISATION_LABELS for t in mention) or _is_proper(mention):
        return "organisation"
    return "anonymous"


def _resolved_pronoun(mention: Span, speaker: str) -> bool:
    """*he* or *she* that stands for someone named before."""
    return len(mention) == 1 and mention[0].lower_ in _PRONOUNS and speaker != mention.text


def _role_named(mention: Span) -> bool:
    """A person's name given after their role (*Fired VA boss Shulkin*, *Secretary of
    Transport Lena Varga*), or a name the recogniser took for a person's (*Alles*)."""
    name = _name_after_description(mention)
    if name.start > mention.start:
        return any(_is_role(t) for t in mention.doc[mention.start : name.start])
    return all(t.ent_type_ == "PERSON" for t in mention)


def _unnamed_people(mention: Span) -> bool:
    """People described by a common noun, whatever place or body the words mention
    (*current and former U.S. defense officials*, *Georgia's secretary*, *a group of artists*)."""
    root = _members(mention.root, mention)
    if root.i != mention.root.i and root.pos_ == "NOUN" and root.is_lower:
        return True  # *a group of Mexican comedians*: people, whatever nation the words name
    return (root.pos_ in {"NOUN", "PROPN"} and (root.is_lower or root.is_upper)  # *one neo-bank CEO*
            and (root.lemma_.lower() in _PEOPLE_WORDS or root.lower_ in _PEOPLE_WORDS))


def _members(root: Token, mention: Span) -> Token:
    """Who a collective noun is made of, within the mention (*a group of Mexican comedians*:
    *comedians*), else the noun itself."""
    if root.lemma_.lower() not in _COLLECTIVE_NOUNS:
        return root
    of = next((c for c in root.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    noun = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    return noun if noun is not None and mention.start <= noun.i < mention.end else root


def _unnamed_role(mention: Span, people: PersonIndex) -> bool:
    """A person described by a role the article ties to no name (*the North Korean leader*,
    *the senator*): someone unnamed, not the organisation or country the words mention."""
    return mention[0].lower_ in {"the", "this", "that"} and _names_one_person(mention, people)


# --- attributions next to the quote ------------------------------------------------------

_MENTION_STOP_POS = frozenset({"VERB", "AUX", "ADP", "CCONJ", "SCONJ", "PUNCT", "SPACE", "PART"})
_ATTRIBUTION_TOKENS = 12
_OPEN_ENDINGS = (",", "!", "?", "—", "–", "-", "…", ":")


def _adjacent_attribution(doc: Doc, starts: list[int], parts: list[tuple[int, int]]) -> tuple[Token, Span] | None:
    """The cue and speaker mention of an attribution right after a quoted part, in the news
    pattern ``“…,” NAME said``, ``“…,” said NAME`` or ``“…,” according to NAME``. After a
    quote inside a sentence that already has a cue (*X said her visit was a “…,” state media
    reported*) only ``according to`` counts: the rest relays X's words."""
    for start, end in parts:
        found = _attribution_after(doc, bisect_left(starts, end), doc_text(doc)[start:end].rstrip(),
                                   opening=bisect_left(starts, parts[0][0]))
        if found is not None and (found[0].lower_ == "according" or not _cue_before(doc, starts, start)):
            return found
    return None


def _according_to_in_sentence(doc: Doc, starts: list[int], parts: list[tuple[int, int]],
                              cue: Token | None) -> tuple[Token, Span] | None:
    """``according to X`` outside the quote in its sentence, when no cue of that sentence
    attributes the quote (*according to Trump, the media would call him a “chicken”*)."""
    first = doc[min(bisect_left(starts, parts[0][0]), len(doc) - 1)]
    sentence = first.sent
    if cue is not None and cue.sent == sentence and cue.lower_ != "according" and not _addressed(cue):
        return None
    governing = _governing_subject(doc, parts)
    relays = governing is not None and governing.sent == sentence and _can_speak(governing) and not _addressed(
        governing.head)
    for token in sentence[:-2]:
        if token.lower_ == "according" and token.nbor().lower_ == "to" and not _inside(token.idx, parts):
            mention = _mention_from(doc, token.i + 2)
            if mention is not None and not _inside(mention.start_char, parts):
                # *two aides accused the party of “hate”, according to a report*: a report tells
                # who spoke, and the aides speak; *according to Trump, the media would call him …*
                return None if relays and _a_record(mention) else (token, mention)
    return None


def _a_record(mention: Span) -> bool:
    """Whether a mention is a report, an article or another record rather than who speaks."""
    return mention.root.lemma_.lower() in _DOCUMENTS | _RECORDS and not any(
        t.ent_type_ == "PERSON" for t in mention)


#: What relays others' words: *according to a report*, *according to the filing*.
_RECORDS = frozenset("report article story account filing document documents transcript records reports".split())


_SIGNATURE = re.compile(r"[ \t]*\n\s*[-—–]+[ \t]*([A-Z][\w.’'-]*(?:[ \t]+[A-Z][\w.’'-]*){0,3})\.?[ \t]*(?:\n|$)")


def _signature_after(doc: Doc, parts: list[tuple[int, int]]) -> tuple[Token, Span] | None:
    """A quote paragraph signed on the line after it: ``“…”`` then ``- Sanders.``"""
    end = parts[-1][1]
    text = doc_text(doc)
    closing = re.match(r"[^\w\n]*", text[end:]).end()
    signed = _SIGNATURE.match(text, end + closing)
    if signed is None or not _opens_statement(text, parts[0][0]):
        return None
    name = doc.char_span(*signed.span(1), alignment_mode="expand")
    if name is None or not any(t.pos_ == "PROPN" for t in name):
        return None
    return doc[name.start - 1], name


def _addressed(cue: Token) -> bool:
    """*His salespeople were told*: the passive subject of *tell*/*ask* is spoken to, not speaking."""
    return cue.lemma_.lower() in {"tell", "ask"} and any(c.dep_ == "nsubjpass" for c in cue.children)


def _cue_before(doc: Doc, starts: list[int], start: int) -> bool:
    """Whether a cue verb precedes the quote opening at ``start`` in its sentence."""
    i = min(bisect_left(starts, start), len(doc) - 1)
    return any(_is_cue_word(t) and t.dep_ != "relcl" for t in doc[doc[i].sent.start : i])  # not *Nothing X said*


def _attribution_after(doc: Doc, i: int, quoted: str, *, opening: int | None = None) -> tuple[Token, Span] | None:
    while i < len(doc) and (doc[i].text in {"”", '"', ",", "’"} or (doc[i].is_space and "\n" not in doc[i].text)):
        i += 1  # closing marks, a comma and spaces, the no-break space included
    if i >= len(doc) or "\n" in doc[i].text:
        return None
    first = doc[i]
    if first.lower_ == "according" and i + 2 < len(doc) and doc[i + 1].lower_ == "to":
        mention = _mention_from(doc, i + 2)
        return (first, mention) if mention is not None else None
    if _is_cue_word(first) and first.tag_ == "VBG":  # “…,” saying the city … : the clause's subject speaks
        subject = _subject(first)
        return (first, _speaker_mention(doc, subject)) if subject is not None and _can_speak(subject) else None
    if _is_cue_word(first):
        mention = _mention_from(doc, i + 1)
        return (first, mention) if mention is not None else None
    if not quoted.endswith(_OPEN_ENDINGS) and not quoted.endswith("."):
        return None
    if first.pos_ in {"CCONJ", "SCONJ"}:  # *“…,” but the senator said*: another's words follow
        return None
    aside = _relative_clause_tokens(doc, i)
    for j in range(i, min(len(doc), i + _ATTRIBUTION_TOKENS + len(aside))):
        token = doc[j]
        if j in aside:  # *one resident, who asked not to be named, told*: the aside says nothing
            continue
        if _is_cue_word(token):
            mention = doc[i:min([j, *aside])]
            while len(mention) and (mention[-1].pos_ in {"AUX", "PUNCT"} or mention[-1].lower_ in {"also", "then"}):
                mention = doc[i : mention.end - 1]
            ending_ok = quoted.endswith(_OPEN_ENDINGS) or j + 1 >= len(doc) or doc[j + 1].is_punct
            if len(mention) and ending_ok and any(t.pos_ in {"PROPN", "PRON", "NOUN"} for t in mention):
                subject = _clause_subject(token)
                left = min(t.i for t in subject.subtree) if subject is not None else i
                if mention.start < left <= subject.i < mention.end and _can_speak(subject):
                    mention = doc[left : mention.end]  # “…,” perhaps only 10%, he said
                return token, mention
            return None
        if _ends_with_verb(doc, i, j, quoted) and not _clause_before(doc, opening, i):  # “…?” Hannity pressed.
            end = j
            while end > i + 1 and doc[end - 1].pos_ in {"AUX", "PART"}:  # *the mayor has issued*
                end -= 1
            return token, doc[i:end]
        if (token.pos_ == "VERB" and not token.ent_type_) or "\n" in token.text or token.text in {'"', "“", "”", ";", ":"} or (
                token.text in {".", "!", "?"} and j > i):
            return None
    return None


def _relative_clause_tokens(doc: Doc, i: int) -> set[int]:
    """The tokens of relative clauses (with their commas) among the ``_ATTRIBUTION_TOKENS``
    from ``i``, in the sentence of token ``i``."""
    end = min(len(doc), i + _ATTRIBUTION_TOKENS, doc[i].sent.end)
    inside = {t.i for k in doc[i:end] if k.dep_ == "relcl" for t in k.subtree}
    return inside | {k + 1 for k in inside if k + 1 < len(doc) and doc[k + 1].text == ","} if inside else inside


def _clause_before(doc: Doc, opening: int | None, after: int) -> bool:
    """Whether the quote opening at token ``opening`` sits in a clause that begins before it: the
    nearest verb above it comes before it and has a subject (*after the speaker accused him of
    a “cover-up,” the president left*); a name and a verb after the quote are then the main
    clause, not an attribution (*Following “…,” the mayor has issued* stays one). So does a
    quote a colon introduces. The quote runs from ``opening`` to before ``after``; its own
    verbs do not count."""
    if opening is None or opening + 1 >= len(doc):
        return False
    before = opening
    while before > 0 and (doc[before - 1].text in {'"', "“", "‘", "'"} or doc[before - 1].is_space):
        before -= 1
    if before > 0 and doc[before - 1].text == ":":
        return True  # *his demand in Berlin: “…!” Conservatives still praise it*: introduced before
    token = doc[opening + 1] if doc[opening].is_punct else doc[opening]
    verb = next((t for t in token.ancestors if t.pos_ in {"VERB", "AUX"} and not opening <= t.i < after), None)
    return (verb is not None and verb.sent == doc[opening].sent and verb.i < opening
            and any(c.dep_ in _SUBJECT_DEPS for c in verb.children))


def _ends_with_verb(doc: Doc, i: int, j: int, quoted: str) -> bool:
    """``“…,” NAME VERB …``: a short name, the subject of the verb that follows it, after a quote
    left open with a comma, question or exclamation mark (*Hannity pressed*, *Bennett shot back
    with a laugh*, *Trump went on*), with no other quote in the rest of the sentence."""
    token = doc[j]
    if j == i or token.pos_ != "VERB" or token.ent_type_ or not quoted.endswith((",", "?", "!", "—", "–")):
        return False
    if token.dep_ != "ROOT" or doc[i].pos_ in {"CCONJ", "SCONJ", "ADV", "ADP"}:
        return False
    rest = doc[j + 1 : token.sent.end]
    if any(t.text in {'"', "“", "”"} for t in rest):
        return False
    name = doc[i:j]
    subject = _clause_subject(token)
    return (len(name) <= 4 and subject is not None and i <= subject.i < j
            and any(t.ent_type_ in {"PERSON", "ORG"} or t.pos_ == "PROPN" or t.lower_ in _PRONOUNS
                    or (t.pos_ == "NOUN" and t.text[:1].isupper()) for t in name))  # a name tagged as a noun


def _is_cue_word(token: Token) -> bool:
    return (token.pos_ in {"VERB", "AUX"} and token.lemma_.lower() in CUE_VERBS
            and token.lemma_.lower() not in _NAMING_VERBS and not _goes_on_doing(token))


def _mention_from(doc: Doc, k: int) -> Span | None:
    """The name or short noun phrase starting at token ``k`` (a whole entity when it starts one)."""
    if k >= len(doc):
        return None
    if doc[k].ent_iob_ == "B" and doc[k].ent_type_ not in _MUTE_ENTITIES:  # not the "one" of *one legal expert*
        end = k + 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        return doc[k:_person_after(doc, end) if doc[k].ent_type_ != "PERSON" else end]
    end = k
    while end < len(doc) and end - k < 8 and (doc[end].pos_ not in _MENTION_STOP_POS or doc[end].tag_ == "POS"
                                             or _joins_word(doc, end)):
        if doc[end].ent_iob_ == "B" and end > k:
            end += 1
            while end < len(doc) and doc[end].ent_iob_ == "I":
                end += 1
            break
        end += 1
    mention = doc[k:end]
    return mention if any(t.pos_ in {"PROPN", "PRON", "NOUN"} for t in mention) else None


def _person_after(doc: Doc, end: int) -> int:
    """Where a person's name that a place or organisation and a title lead into ends (*said
    U.S. Attorney Nealy Cox*, *Iranian Foreign Minister Javad Zarif*), else ``end``."""
    j = end
    while j < min(len(doc), end + 3) and doc[j].ent_type_ != "PERSON" and (
            doc[j].pos_ in {"PROPN", "NOUN", "ADJ"} or doc[j].tag_ == "POS"):
        j += 1
    if j >= len(doc) or doc[j].ent_type_ != "PERSON" or doc[j].ent_iob_ != "B":
        return end
    j += 1
    while j < len(doc) and doc[j].ent_iob_ == "I":
        j += 1
    return j


def _joins_word(doc: Doc, i: int) -> bool:
    """Whether token ``i`` is a hyphen inside a word (*study co-author*)."""
    return (doc[i].text == "-" and 0 < i < len(doc) - 1 and not doc[i - 1].whitespace_
            and not doc[i].whitespace_ and doc[i + 1].is_alpha)


def _speaker_mention(doc: Doc, subject: Token) -> Span:
    """The words naming the speaker: the entity containing the subject, a name in its noun
    phrase (people before organisations), else the noun phrase up to its head; a relative
    pronoun stands for the noun it follows."""
    following = doc[subject.i + 1] if subject.i + 1 < len(doc) else None
    if subject.lower_ in _RELATIVES | {"whom"} and following is not None and following.text[:1].isupper() and (
            following.ent_type_ == "PERSON" or (following.pos_ == "PROPN" and not following.ent_type_)):
        return _speaker_mention(doc, following)  # *Bannon, who Beck on Wednesday called “…”*
    if subject.lower_ in _RELATIVES and subject.head.dep_ == "relcl" and subject.head.head.i < subject.i:
        antecedent = subject.head.head
        return _speaker_mention(doc, _issuer(antecedent) or antecedent)  # *Trump released a video that said*
    issuer = _issuer(subject, by_agent_only=True)
    if issuer is not None:
        return _speaker_mention(doc, issuer)  # *an email sent out by Sanders warned*
    if subject.lower_ == "who":  # Sanders, meanwhile, who sits at zero, said: the parser left "who" the subject
        before = list(reversed(doc[subject.sent.start : subject.i]))
        named = next((t for t in before if t.ent_type_ in {"PERSON", "ORG"}), None) or next(
            (t for t in before if t.pos_ in {"PROPN", "NOUN"} and t.text[:1].isupper() and not t.ent_type_), None)
        if named is not None:
            return _speaker_mention(doc, named)
    if subject.dep_ == "appos" and subject.ent_type_ != "PERSON" and (subject.head.ent_type_ == "PERSON" or (
            subject.head.pos_ == "PROPN" and not subject.head.ent_type_ and not subject.ent_type_)):
        return _speaker_mention(doc, subject.head)  # Braynard, a native who writes
    if subject.ent_type_:
        start, end = subject.i, subject.i + 1
        while start > 0 and doc[start].ent_iob_ == "I":
            start -= 1
        while end < len(doc) and doc[end].ent_iob_ == "I" and not _joined_verb(doc[end]) and not (
                doc[end].pos_ in {"VERB", "AUX"} and doc[end].is_ancestor(subject)):  # *Varga slams Senate*
            end += 1
        return doc[start:end]
    # a title and its holder may come joined as a conjunct (*Vice President for news and talk Dave Gorab*)
    joined = {"compound", "appos", "conj"} if subject.lemma_.lower() in ROLE_NOUNS else {"compound", "appos"}
    # people of an organisation speak for themselves (*House leaders*, *the White House virus czar*);
    # a name apposed to them is still theirs, whatever the recogniser took it for
    people = subject.lemma_.lower() in _PEOPLE_WORDS
    named = [t for t in subject.children if t.dep_ in joined and (
        t.ent_type_ == "PERSON" or (t.ent_type_ == "ORG" and not (people and t.dep_ == "compound")))]
    if named:
        return _speaker_mention(doc, min(named, key=lambda t: t.ent_type_ != "PERSON"))
    left = min((t.i for t in subject.subtree if t.i <= subject.i and t.dep_ not in {"punct", "cc"}), default=subject.i)
    right = subject.i + 1
    if subject.lower_ in _QUANTIFIERS:  # *Many in the crowd said*
        group = next((c for c in subject.children if c.dep_ == "prep" and c.i == subject.i + 1), None)
        right = max((t.i for t in group.subtree), default=subject.i) + 1 if group is not None else right
    elif subject.lemma_.lower() in _COLLECTIVE_NOUNS:  # *A group of 40 state senators said*: who they are
        members = next((c for c in subject.children if c.dep_ == "prep" and c.i == subject.i + 1
                        and c.lower_ == "of"), None)
        noun = next((c for c in members.children if c.dep_ == "pobj"), None) if members is not None else None
        if noun is not None and noun.tag_ in {"NNS", "NNPS"}:
            right = noun.i + 1
    return doc[left:right]


def _joined_verb(token: Token) -> bool:
    """A verb the recogniser took into a name in a headline's capitals (*Director Alles Says …*)."""
    return token.pos_ in {"VERB", "AUX"} and token.lower_ in _CUE_FORMS


#: Things that carry someone's words: the one who issues them speaks through them.
_DOCUMENTS = frozenset(
    "statement release video ad advertisement commercial email e-mail letter memo mailer flyer "
    "post tweet message note op-ed column editorial warning announcement notice".split())


def _issuer(noun: Token, *, by_agent_only: bool = False) -> Token | None:
    """Who issues a document: the agent of the participle describing it (*an email sent out by
    Sanders*) or (unless ``by_agent_only``) the subject of the verb that has it as object (*Trump
    released a video*), when that is a person or an organisation."""
    if noun.pos_ != "NOUN" or noun.lemma_.lower() not in _DOCUMENTS:
        return None
    for participle in (c for c in noun.children if c.dep_ == "acl" and c.tag_ == "VBN"):
        agent = _agent(participle)
        if agent is not None:
            return agent
    if by_agent_only or noun.dep_ != "dobj":
        return None
    subject = _clause_subject(noun.head)
    named = subject is not None and (subject.ent_type_ in {"PERSON", "ORG"} or subject.pos_ == "PROPN")
    return subject if named else None


_QUANTIFIERS = frozenset("many some most several few all both one none each".split())


def resolve_speaker(mention: Span, people: PersonIndex, sources: list[Source] = ()) -> str:
    """A speaker mention as a name: the full name (a description before it left out: *Fired
    VA boss Shulkin*); for "he"/"she" the nearest earlier source or subject of that gender;
    for a role ("the governor") the person the article gives that description; else the words
    as written."""
    persons = [e for e in span_ents(mention) if e.label_ == "PERSON" and plausible_name(e)]
    # the name the mention is about (*Goddard planetary scientist Avi Mandell*), else the first
    person = next((e for e in persons if e.start <= mention.root.i < e.end), persons[0] if persons else None)
    if person is not None and _possessor(person, mention):  # *Varga's lawyer*, *the Varga campaign*: not Varga
        return _described_person(mention, people) or clean_name(mention.text)
    if person is not None:
        return people.canonical(_person_name(person))
    if len(mention) == 1 and mention[0].lower_ in _PRONOUNS | {"his"}:
        gender = "f" if mention[0].lower_ in {"she", "her"} else "m"
        found = people.antecedent(mention.start, sources, gender)
        return found[1] if found else mention.text
    name = _name_after_description(mention)
    if _is_proper(mention) or name != mention or _known_surname(mention, people):
        return people.canonical(_without_title(name.text))
    if mention[0].lower_ not in {"the", "this", "that"} or not _names_one_person(mention, people):
        return clean_name(mention.text)
    return _described_person(mention, people) or clean_name(mention.text)


def _possessor(person: Span, mention: Span) -> bool:
    """Whether a person is named only as the owner or a modifier of who speaks (*Varga's
    lawyer*, *Varga's campaign*, *the Varga medical adviser*); what they wrote or said speaks
    for them (*Varga's memoir*)."""
    root = mention.root
    owner = person.root.dep_ == "poss" or (person.root.dep_ in {"compound", "nmod"} and root.pos_ == "NOUN" and root.is_lower)
    return owner and not person.start <= root.i < person.end and root.lemma_.lower() not in _DOCUMENTS | _SAYINGS


def _known_surname(mention: Span, people: PersonIndex) -> bool:
    """A one-word mention the tagger took for a common noun that is the surname of one person
    the article names in full (*Trump* after *Donald Trump*)."""
    return len(mention) == 1 and mention[0].text[:1].isupper() and people.surname_of(mention.text) is not None


#: What a person says through, besides documents: *Axelrod's memoir*, *Clinton's answer*.
_SAYINGS = frozenset("memoir book brief commentary speech remarks interview testimony answer account words "
                     "research report article response comments comment".split())
_GROUP_LABELS = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC"})
#: Nouns for people that name no role: *Varga's doctor*, *her right-hand woman*.
_PERSON_NOUNS = frozenset("man woman girlfriend boyfriend doctor counsel friend partner relative colleague employee "
                          "staffer ally narrator translator interpreter".split())


def _name_after_description(mention: Span) -> Span:
    """The name a description leads to: the capitalised words after a description's last
    lowercase word (*Fired VA boss Shulkin* -> *Shulkin*), or from the first name after a role
    (*Secretary of Transport Lena Varga*, *Accuser Brittany Okafor* -> the name); else the mention."""
    name = _capitalised_tail(mention)
    if not len(name):
        return mention
    before = mention.doc[name.start - 1] if name.start > mention.start else None
    if before is not None and before.is_alpha and before.is_lower and before.pos_ == "NOUN" and _one_name(name, mention):
        return name
    return _name_after_role(mention, name)


def _one_name(name: Span, mention: Span) -> bool:
    """Whether capitalised words are the one name a mention is about: its head, singular, no
    organisation or place (*committee Democrats*, *district GOP* name a group)."""
    return (name.start <= mention.root.i < name.end and mention.root.tag_ not in {"NNS", "NNPS"}
            and not any(t.ent_type_ in _GROUP_LABELS for t in name) and not all(_is_role(t) for t in name))


def _capitalised_tail(mention: Span) -> Span:
    """The words at the end of a mention that all begin with a capital (a hyphen or a dot
    inside a name, *Ocasio-Cortez*, *W.*, kept)."""
    start = mention.end
    while start > mention.start and (mention.doc[start - 1].text[:1].isupper() or (
            mention.doc[start - 1].text in {"-", "."} and not mention.doc[start - 1].whitespace_)):
        start -= 1
    while start < mention.end and not mention.doc[start].text[:1].isupper():
        start += 1
    return mention.doc[start : mention.end]


def _name_after_role(mention: Span, name: Span) -> Span:
    """The name from its first name on, when a role or a verb a headline's capitals joined to
    it comes before (*Secretary of Transport Lena Varga*, *Telling Jeb Bush*)."""
    first = next((t for t in name if t.i < name.end - 1 and first_name_gender(t.text)), None)
    if first is None or not any(_is_role(t) or t.pos_ in {"VERB", "AUX"} for t in mention.doc[mention.start : first.i]):
        return mention
    return mention.doc[first.i : name.end]


def _is_role(token: Token) -> bool:
    return token.lower_ in ROLE_NOUNS or token.lemma_.lower() in ROLE_NOUNS or bool(_TITLE.match(token.text + " "))


def _described_person(mention: Span, people: PersonIndex) -> str | None:
    """The person a description ("the governor", "the former secretary of state") stands for,
    only when the article gives someone that description ("Gov. Chris Christie", "Hillary
    Clinton, the former secretary of state"): the latest such person before it (or the only
    one), while the passage is still about them: the description or their name came within
    ``_DESCRIPTION_REACH`` tokens. A role the article gives no one stays as written rather
    than going to whoever was named last (*the senator* is not the pundit quoted just before)."""
    words = frozenset(t.lemma_.lower() for t in mention if t.is_alpha and not t.is_stop)
    described = people.described_at(words, mention.start) if words else None
    if described is None and _qualified_role(mention):  # *the leftist president*: the president
        described = people.described_at(frozenset({mention.root.lemma_.lower()}), mention.start)
    if described is None:
        return None
    recent = [i for i, name in people.mentions if name == described[1] and i < mention.start]
    last_seen = max([described[0], *recent])
    return described[1] if mention.start - last_seen <= _DESCRIPTION_REACH else None


def _qualified_role(mention: Span) -> bool:
    """A role with only lowercase adjectives before it (*the leftist president*, *the embattled
    governor*): it describes whoever holds the role, however the writer qualifies them."""
    words = [t for t in mention if t.is_alpha and not t.is_stop and t.i != mention.root.i]
    return mention.root.lemma_.lower() in ROLE_NOUNS and bool(words) and all(
        t.pos_ == "ADJ" and t.is_lower and t.head.i == mention.root.i for t in words)


def _names_one_person(mention: Span, people: PersonIndex) -> bool:
    """Whether a description can stand for one person: a singular noun of a role (*the
    senator*) or one the article used to describe someone (*the prince*); not *the lawyers*,
    *the letter* or *the poll*."""
    root = mention.root
    if root.tag_ in {"NNS", "NNPS"} or any(t.lower_ in {"two", "three", "both"} for t in mention):
        return False
    return root.lemma_.lower() in ROLE_NOUNS or root.lemma_.lower() in people.role_words


#: A description ("the minister") given this many tokens back still names its person; beyond,
#: it stays as written (another minister may be meant by then).
_DESCRIPTION_REACH = 150


_TITLE = re.compile(r"^(?:(?:mr|mrs|ms|dr|prof|sen|rep|gov|gen|lt|col|capt|sgt|rev|president|senator|"
                    r"governor|representative)\.?\s+)+", re.I)


def _is_proper(mention: Span) -> bool:
    return any(t.pos_ == "PROPN" and t.text[:1].isupper() for t in mention)


def _without_title(text: str) -> str:
    """``Mr. Burton`` -> ``Burton``; ``Sen. Warren`` -> ``Warren``."""
    return _TITLE.sub("", clean_name(text)) or clean_name(text)


#: Nouns for people by their role, with the gender they imply (None: either).
ROLE_NOUNS: dict[str, str | None] = {
    **dict.fromkeys(
        "governor senator candidate president minister secretary spokesperson official mayor chair "
        "nominee lawmaker leader businessman billionaire host anchor director chief general judge lawyer "
        "attorney professor author executive ceo founder chairman premier chancellor ambassador "
        "representative congressman commissioner prosecutor sheriff officer analyst economist "
        "strategist adviser advisor aide manager coach star actor singer activist expert boss accuser "
        "witness whistleblower czar tsar speaker".split(), None),
    # ranks and trades a writer puts before a name (*Detective Sergeant Ann Cole*, *Producer Lia
    # Moss*) or makes the subject of a quote (*the forecaster said*)
    **dict.fromkeys(
        "producer detective sergeant inspector captain lieutenant colonel corporal constable "
        "superintendent commander admiral trooper deputy pastor reverend bishop rabbi imam priest "
        "nurse teacher coroner treasurer auditor councillor councilor editor reporter journalist "
        "columnist correspondent photographer filmmaker novelist researcher scientist physician "
        "surgeon paramedic firefighter investigator pilot referee goalkeeper midfielder quarterback "
        "skipper owner chef architect engineer historian epidemiologist meteorologist forecaster "
        "pollster commentator".split(), None),
    **dict.fromkeys("councilman alderman assemblyman".split(), "m"),
    **dict.fromkeys("councilwoman assemblywoman".split(), "f"),
    **dict.fromkeys("spokesman congressman chairman businessman actor husband father son king".split(), "m"),
    **dict.fromkeys("spokeswoman congresswoman chairwoman businesswoman actress wife mother daughter "
                    "queen first lady".split(), "f"),
}


#: Sources that are organisations, not people (*the campaign*, *the ministry*, *the poll*).
_ORGANISATION_NOUNS = _SOURCE_BODIES | frozenset("office team camp staff foundation company firm party".split())
_PEOPLE_WORDS = (frozenset(ROLE_NOUNS) | _PERSON_NOUNS | _ANONYMOUS_SOURCES) - _ORGANISATION_NOUNS


# --- reported speech --------------------------------------------------------------------


def _reported_clauses(doc: Doc, direct: list[list[tuple[int, int]]]) -> list[tuple[Token, Span]]:
    """``X said (that) …``: cue verbs with a clausal complement that is not mostly quoted."""
    found: list[tuple[Token, Span]] = []
    for cue in cue_candidates(doc):
        content = _reported_clause(cue)
        if content is None or any(_inside(cue.idx, parts) for parts in direct):
            continue
        start, end = content.start_char, content.end_char
        if any(_inside(start, parts) for parts in direct):
            continue  # *said in a statement, “We are … relieved” at the release*: it opens inside a quote
        quoted = sum(max(0, min(e, end) - max(s, start)) for parts in direct for s, e in parts)
        overlaps = any(c.start < content.end and content.start < c.end for _, c in found)
        if quoted < 0.5 * (end - start) and not overlaps:
            found.append((cue, content))
    return found


def _according_to_clause(cue: Token) -> Span | None:
    """The statement attributed by ``according to X``: its clause without the attribution."""
    attribution = {t.i for t in cue.subtree}
    tokens = [t for t in cue.head.subtree if t.i not in attribution]
    before = [t for t in tokens if t.i < cue.i]
    after = [t for t in tokens if t.i > cue.i]
    side = max(before, after, key=len)
    doc = cue.doc
    start, end = (side[0].i, side[-1].i + 1) if side else (0, 0)
    while start < end and doc[start].is_punct:
        start += 1
    while end > start and doc[end - 1].is_punct:
        end -= 1
    span = doc[start:end]
    return span if len(span) >= 3 and "\n" not in span.text else None


def _inside_trailing_attribution(clause: Token) -> Token:
    """``X said [his trip was a success, state media reported]``: the content is the inner clause."""
    if clause.lemma_.lower() not in CUE_VERBS or not any(c.dep_ in _SUBJECT_DEPS for c in clause.children):
        return clause
    return next((c for c in clause.children if c.dep_ == "ccomp" and c.i < clause.i), clause)


def _reported_clause(cue: Token) -> Span | None:
    if cue.lower_ == "according" and _subject(cue) is not None and cue.head.pos_ in {"VERB", "AUX"}:
        return _according_to_clause(cue)
    if cue.pos_ not in {"VERB", "AUX"} or cue.lemma_.lower() not in CUE_VERBS or cue.lemma_.lower() in _LABELLING_VERBS:
        return None
    clause = next((c for c in cue.children if c.dep_ == "ccomp"), None)
    subject = next((c for c in cue.children if c.dep_ in _SUBJECT_DEPS), None)
    if clause is None or subject is None:
        return None
    clause = _inside_trailing_attribution(clause)
    tokens = list(clause.subtree)
    if len(tokens) < 3:
        return None
    doc = cue.doc
    start, end = tokens[0].i, tokens[-1].i + 1
    while end > start and doc[end - 1].is_punct:
        end -= 1
    if sum(t.text in {'"', "“", "”"} for t in doc[start:end]) % 2 and end < len(doc) and doc[end].text in {'"', "”"}:
        end += 1  # *added that the staff were “exhausted but proud”.*: the quotation closes inside
    span = doc[start:end]
    if start <= subject.i < end or "\n" in span.text:
        return None
    return span
