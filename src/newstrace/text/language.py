"""The language of a text: English, which the sentence models read, or another one.

MiniLM was trained on English. On text in another language its vectors say more about the
language than about the subject: five unrelated Spanish news items (a football result, a
housing report, a strike, an earthquake, a hospital plan) looked like one story of five
independent reports, and two of them like reports of one event. The stages that lean on
those vectors (the rewrite check, a story's embedding) set such a text aside: it is judged
by the wording, names and words it shares, which hold in any language.

English news prose is full of words that the other languages written in the Latin alphabet
do not have; a text that shows :data:`ENGLISH_MARKERS` of them in its first
:data:`SAMPLE_CHARS` characters is English without asking a model (nearly every English
text, a few microseconds each). Only the others go to py3langid (its bundled model, about a
quarter of a millisecond a text), and only with :data:`MIN_WORDS` words or more: a headline
alone is too little to tell ("Bernie Sanders Announces 2020 Run" reads as Afrikaans).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

#: Words of English that French, German, Spanish, Italian, Portuguese and Dutch lack, most
#: frequent first, as they stand between spaces in a lowercased sample.
ENGLISH_WORDS = (" the ", " and ", " that ", " with ", " from ", " this ", " have ", " which ", " were ", " their ")
#: English words in the sample that settle it.
ENGLISH_MARKERS = 2
#: Characters read from the start of a text.
SAMPLE_CHARS = 400
#: Words a sample needs before the model is asked (fewer: taken as English).
MIN_WORDS = 12

ENGLISH = "en"


def language_of(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language when it is not English, else ``None``
    (English, or too short to tell).

    >>> language_of("Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen, mit mehr Geld für Schulen.")
    'de'
    >>> language_of("The council passed its budget on Tuesday.") is None
    True
    """
    sample = text[:SAMPLE_CHARS]
    if _english_words(f" {sample.lower()} ") >= ENGLISH_MARKERS:
        return None
    if len(sample.split()) < MIN_WORDS:
        return None
    code = _identified(sample)
    return None if code == ENGLISH else code


def _identified(sample: str) -> str:
    """py3langid's most likely language for ``sample``: its naive Bayes scores summed over
    the features the sample holds, without the matrix product of ``classify``, which
    OpenBLAS spreads over threads that then spin beside the worker processes (a ``dedup`` of
    100,000 articles took 50% more CPU for 375 texts asked)."""
    model = _model()
    counts = model.instance2fv(sample)
    features = np.flatnonzero(counts)
    scores = model.nb_pc + (model.nb_ptc[features] * counts[features, None]).sum(axis=0)
    return str(model.nb_classes[int(np.argmax(scores))])


@functools.cache
def _model() -> Any:
    """py3langid's bundled model, loaded once per process on the first text that needs it
    (0.25 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_pickled_model(MODEL_FILE)


def _english_words(spaced: str) -> int:
    """How many of :data:`ENGLISH_WORDS` ``spaced`` holds, counted until there are enough."""
    found = 0
    for word in ENGLISH_WORDS:
        found += spaced.count(word)
        if found >= ENGLISH_MARKERS:
            break
    return found
