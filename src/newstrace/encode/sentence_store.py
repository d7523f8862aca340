"""Sentence vectors kept in the store by the sentence's content, not by article.

A sentence's vector depends on its text alone (not on the texts batched with it, nor on
the thread or process that encodes it), so a sentence that many articles carry (a wire
paragraph, a recurring quote, an article stored again in a new version) is encoded once
per store, and a later run encodes only sentences it has never seen. The vectors are kept
as float16, the values the rewrite check has always judged with, under a kind that names
their encoder (:func:`sentence_vector_kind`): two encoders' vectors are never mixed.
"""

from __future__ import annotations

import hashlib
from typing import Protocol, Sequence

import numpy as np

from newstrace.encode.runtime import TextEncoder, encoder_name
from newstrace.match.paraphrase import regroup, sentence_texts

#: Fingerprint kind of MiniLM's stored sentence vectors (keyed by :func:`sentence_key`, not by
#: article id); another encoder or precision gets another kind (:func:`sentence_vector_kind`).
SENTENCE_VECTORS = "sentence-minilm-f16"
DTYPE = np.float16


class ArrayStore(Protocol):
    """What is read and written: :meth:`newstrace.store.Store.get_arrays` / ``put_arrays``."""

    def get_arrays(self, kind: str, ids: Sequence[str] | None = None) -> dict[str, np.ndarray]: ...

    def put_arrays(self, kind: str, ids: Sequence[str], arrays: Sequence[np.ndarray]) -> None: ...


def sentence_vector_kind(encoder: TextEncoder) -> str:
    """The fingerprint kind under which ``encoder``'s sentence vectors are stored."""
    return f"sentence-{encoder_name(encoder)}-f16"


def sentence_key(sentence: str) -> str:
    """The store key of a sentence's vector: a hash of its exact text."""
    return "s:" + hashlib.blake2b(sentence.encode("utf-8"), digest_size=16).hexdigest()


def stored_sentence_vectors(store: ArrayStore, texts: Sequence[str], encoder: TextEncoder) -> list[np.ndarray]:
    """Each text's sentence vectors (float32 arrays of the stored float16 values, one row per
    sentence of :func:`newstrace.match.paraphrase.sentence_texts`): read from ``store``, and the
    sentences it lacks encoded in one batch call and stored."""
    groups = sentence_texts(texts)
    flat = [s for group in groups for s in group]
    keys = [sentence_key(s) for s in flat]
    text_of = dict(zip(keys, flat))
    kind = sentence_vector_kind(encoder)
    vectors = store.get_arrays(kind, list(text_of))
    missing = [key for key in text_of if key not in vectors]
    if missing:
        encoded = encoder.encode([text_of[key] for key in missing]).astype(DTYPE)
        store.put_arrays(kind, missing, list(encoded))
        vectors.update(zip(missing, encoded))
    rows = np.stack([vectors[key] for key in keys]) if keys else encoder.encode([]).astype(DTYPE)
    return regroup(rows.astype(np.float32), groups)
