"""Word lists the stages share, each defined once.

Both lists start from the same closed-class words (articles, pronouns, prepositions,
conjunctions, the commonest adverbs) and add what their use needs:

* :data:`NOT_NAMES`: capitalised words that are not names (a sentence-initial "However",
  a title such as "Mr"), for the cheap entity bags of story clustering;
* :data:`STOPWORDS`: words that carry no content when two sentences are compared (also
  auxiliaries and verbs of saying, which every quoted report repeats), for the rewrite
  check's content and name overlaps.
"""

from __future__ import annotations

import re

#: A word as the rewrite check and the claim rule count them: letters and digits, joined
#: across hyphens and apostrophes (*co-author*, *don't* are one word each).
WORD = re.compile(r"\w+(?:[-'’]\w+)*")

#: Closed-class words: no name, no content.
FUNCTION_WORDS: frozenset[str] = frozenset(
    """a about after all also an and any as at before but by for from he her him his i if in
    into is it its just more most no not of on one or other our over she so some such than
    that the their them then there these they this those to up was we were what when where
    which while who whom will with you""".split()
)

#: Capitalised words that are not names: function words, sentence-initial adverbs and
#: conjunctions, and titles.
NOT_NAMES: frozenset[str] = FUNCTION_WORDS | frozenset(
    """according again although another because both during each even every few here hers how
    however many meanwhile now only since though through two under until why yet your
    mr mrs ms dr""".split()
)

#: Words that carry no content in a sentence comparison: function words, auxiliaries and
#: verbs of saying.
STOPWORDS: frozenset[str] = FUNCTION_WORDS | frozenset(
    """are be been being can could did do does had has have may me might must out shall should
    us would said say says told""".split()
)
