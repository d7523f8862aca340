"""newstrace: which news articles are the same story, who copied whom, how many independent
reports there are, and what those independent reports agree and disagree on.

>>> import newstrace
>>> report = newstrace.analyze(["articles/"], db="newstrace.db")   # doctest: +SKIP
>>> newstrace.compare(text_a, text_b).relation                     # doctest: +SKIP
'copy'
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

#: OpenBLAS, numpy's BLAS, keeps its idle threads spinning for about 2**28 cycles (a tenth of
#: a second) after each call: on 2 cores a tenth of an ``analyze``'s CPU time, taken from its
#: worker processes for no gain in wall time. They sleep at once here unless the user said
#: otherwise. OpenBLAS reads this when it loads: where newstrace is imported before numpy
#: (the ``newstrace`` command and its worker processes). Worker processes that must not
#: have threads at all start from a fork server with one BLAS thread
#: (:func:`newstrace.engine.parallel.worker_context`).
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from newstrace.model import (  # noqa: E402 (after the setting above)
    Article,
    Claim,
    Comparison,
    Conflict,
    Derivation,
    Digest,
    DigestQuote,
    InputError,
    Passage,
    Relation,
    Report,
    Story,
)

__version__ = "0.1.0"

# The heavier entry points import their stages (models, spaCy) only when first used.
_LAZY = {
    "analyze": "newstrace.engine.local",
    "digest": "newstrace.engine.local",
    "remove": "newstrace.engine.local",
    "Analyzer": "newstrace.engine.local",
    "compare": "newstrace.match.compare",
    "same_claim": "newstrace.match.paraphrase",
    "ClaimMatch": "newstrace.match.paraphrase",
    "CopyFinder": "newstrace.engine.streamed",
    "find_copies": "newstrace.engine.streamed",
    "load": "newstrace.ingest.readers",
    "load_many": "newstrace.ingest.readers",
    "iter_articles": "newstrace.ingest.readers",
    "IngestError": "newstrace.ingest.readers",
    "quotes": "newstrace.digests.quotation",
    "Quote": "newstrace.digests.quotation",
    "build_digest": "newstrace.digests.build",
    "Store": "newstrace.store",
    "Encoder": "newstrace.encode.runtime",
    "write_report": "newstrace.report",
    "export_tables": "newstrace.report.tables",
}

if TYPE_CHECKING:  # pragma: no cover
    from newstrace.engine.streamed import CopyFinder, find_copies
    from newstrace.match.compare import compare
    from newstrace.match.paraphrase import ClaimMatch, same_claim
    from newstrace.digests.build import build_digest
    from newstrace.encode.runtime import Encoder
    from newstrace.ingest.readers import IngestError, iter_articles, load, load_many
    from newstrace.engine.local import Analyzer, analyze, digest, remove
    from newstrace.digests.quotation import Quote, quotes
    from newstrace.report import write_report
    from newstrace.report.tables import export_tables
    from newstrace.store import Store


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'newstrace' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))


__all__ = [
    "Analyzer", "Article", "Claim", "ClaimMatch", "Comparison", "Conflict", "CopyFinder", "Derivation",
    "Digest", "DigestQuote", "Encoder", "IngestError",
    "InputError", "Passage", "Quote", "Relation", "Report", "Store", "Story", "analyze",
    "build_digest", "compare", "digest", "export_tables", "find_copies", "iter_articles", "load", "load_many",
    "quotes", "remove", "same_claim", "write_report",
    "__version__",
]
