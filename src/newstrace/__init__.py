"""newstrace: which news articles are the same story, who copied whom, and how many
independent reports there are."""

from newstrace.model import (
    Article,
    Comparison,
    Derivation,
    InputError,
    Passage,
    Relation,
    Report,
    Story,
)

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Comparison",
    "Derivation",
    "InputError",
    "Passage",
    "Relation",
    "Report",
    "Story",
    "__version__",
]
