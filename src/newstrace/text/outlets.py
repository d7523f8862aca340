"""How an outlet's name is compared: one folding, wherever two names of outlets meet.

The same outlet reaches newstrace under several spellings: a record's ``outlet`` field, a
page's ``og:site_name``, the host a page was served from, the name an attribution line
gives ("The Conversation", "THE CONVERSATION", "theconversation.com"). :func:`outlet_key`
folds them to one key, so the boilerplate index counts an outlet's recurring text once
(:mod:`newstrace.match.boilerplate`) and a copy that says where it was first published is
matched to the article of that outlet (:mod:`newstrace.relate`).
"""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?")
_DOMAIN_END = re.compile(r"\.[a-z]{2,}(?:\.[a-z]{2})?(?:/.*)?$")
_NOT_LETTERS = re.compile(r"[\W_]+")


def outlet_key(name: str | None) -> str | None:
    """An outlet's name folded for comparison: case, spacing and punctuation aside, a web
    host's scheme, ``www.`` and domain left off, and a leading "the" ("The Conversation",
    "theconversation.com" -> ``conversation``); ``None`` when nothing is left."""
    if name is None:
        return None
    folded = _SCHEME.sub("", name.strip().casefold())
    if folded and " " not in folded:
        folded = _DOMAIN_END.sub("", folded)
    key = _NOT_LETTERS.sub("", folded)
    return (key[3:] if key.startswith("the") and len(key) > 3 else key) or None


def reporting_outlet(outlet: str | None, article_id: str) -> str:
    """What an independent report counts under when reports are counted by outlet: its
    outlet folded (:func:`outlet_key`), or the article itself when its outlet is unknown (an
    outlet of its own: two unknown outlets are not taken for one)."""
    return outlet_key(outlet) or "\0" + article_id
