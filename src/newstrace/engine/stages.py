"""Pure stages: each a function from a batch to its results, with no store access.

A driver gathers the inputs (from a store, from worker processes), calls the stage, and
persists or streams what it returns; so every driver finds the same pairs the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from newstrace.boilerplate import BoilerplateIndex
from newstrace.lsh import LSHIndex, Prepared
from newstrace.match import lexical_verdict
from newstrace.model import Comparison
from newstrace.nearcopy import NearCopy, find_near_copies


@dataclass
class CopyVerdict:
    """A pair that shares wording, with its lexical verdict (``a_key`` the earlier text)."""

    near: NearCopy
    comparison: Comparison


def near_copy_verdicts(texts: Sequence[str], keys: Sequence[str], *, index: LSHIndex,
                       signatures: np.ndarray | Prepared, texts_of: Callable[[str], str],
                       boilerplate: BoilerplateIndex) -> list[CopyVerdict]:
    """The near copies (``duplicate``, ``copy``, ``partial``) of a batch of new texts among
    themselves and the earlier ones ``index`` holds (read by ``texts_of``), each with its
    verdict; pairs whose only shared wording is quotation or ``boilerplate`` are left out.
    ``index`` takes in the batch's signatures."""
    found = find_near_copies(texts, keys, index=index, signatures=signatures, texts_of=texts_of,
                             boilerplate=boilerplate)
    verdicts = [CopyVerdict(near, lexical_verdict(near.overlap)) for near in found]
    return [verdict for verdict in verdicts if verdict.comparison is not None]
