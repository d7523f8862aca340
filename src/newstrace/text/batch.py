"""A batch of texts as one string and one array, for the vectorised passes over a batch
(tokens, sentence starts, quotation spans): the texts joined by newlines, where each
starts, and the code points of the joined string.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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
