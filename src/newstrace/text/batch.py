"""A batch of texts as one string and one array, for the vectorised passes over a batch
(tokens, sentence starts, quotation spans): the texts joined by newlines, where each
starts, and the code points of the joined string.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

#: Texts are read in groups of about this many characters (see :func:`text_groups`).
GROUP_CHARS = 1 << 16


def text_starts(texts: Sequence[str]) -> np.ndarray:
    """Where each text starts once the texts are joined by newlines, and (last) where a
    next one would start."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return np.concatenate([[0], np.cumsum(lengths + 1)])


def join_texts(texts: Sequence[str]) -> tuple[str, np.ndarray]:
    """The texts joined by newlines, and their :func:`text_starts`."""
    return "\n".join(texts), text_starts(texts)


def code_points(text: str) -> np.ndarray:
    """The code points of ``text``: ``uint16`` when all lie in the Basic Multilingual
    Plane (one UTF-16 unit each, the common case), else ``uint32``."""
    codes = np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16)
    if len(codes) == len(text):  # no surrogate pairs
        return codes
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def text_groups(texts: Sequence[str], chars: int = GROUP_CHARS) -> list[tuple[int, int]]:
    """Texts ``first:end`` of each group of about ``chars`` characters (a group's arrays of
    one value per character stay in cache; at least one group, perhaps empty)."""
    groups, size, first = [], 0, 0
    for end, text in enumerate(texts, 1):
        size += len(text) + 1
        if size >= chars:
            groups.append((first, end))
            size, first = 0, end
    if first < len(texts) or not groups:
        groups.append((first, len(texts)))
    return groups


@functools.cache
def word_characters() -> np.ndarray:
    """Per code point of the Basic Multilingual Plane: whether ``\\w`` of a regular
    expression matches it (:meth:`str.isalnum`, or the underscore)."""
    return np.fromiter((chr(code).isalnum() or code == ord("_") for code in range(0x10000)),
                       dtype=bool, count=0x10000)
