"""Where a sentence ends: the one rule, with its word lists, that every stage splits by.

A sentence ends

* at a run of ``.``, ``!`` or ``?`` (and any closing quotes or brackets after it) followed
  by white space and, after any opening quotes or brackets, a capital (``A``-``Z``,
  ``À``-``Ý``) or a digit; but a lone ``.`` after an abbreviation ends none: a word of
  :data:`ABBREVIATIONS` (``Gov.``, ``No. 5``), a single letter (``J. Smith``) or a dotted
  abbreviation (``U.S.``, ``a.m.``) unless the next word is one of :data:`SENTENCE_STARTERS`
  ("... in the U.S. The ...");
* at a CJK full stop, exclamation or question mark and at ``|`` (site furniture);
* at every line break;

and a punctuation end (not a line break) inside a double-quoted quotation that opens and
closes within its paragraph (:func:`newstrace.text.quotes.quote_spans`) ends none, so a
quoted sentence stays whole in the sentence that quotes it.

Two implementations follow it: :func:`newstrace.sentences.split_sentences` (one text,
character spans, for the stages that read sentences) and the batched, vectorised
:func:`newstrace.fingerprint.tokenize` (a sentence-start flag per word token, for
fingerprints, boilerplate and alignment); ``tests/test_text.py`` checks that they agree.
"""

from __future__ import annotations

#: Abbreviations (lower case, without the final period) after which no sentence ends.
ABBREVIATIONS: frozenset[str] = frozenset(
    """mr mrs ms dr prof gen col lt maj capt sgt cmdr adm gov sen rep rev st jr sr
    pres supt insp det hon messrs mme mlle inc corp co ltd bros dept univ assn
    no nos vol fig approx est vs ft mt
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)

#: Words that start a new sentence even after a dotted abbreviation ("... in the U.S. The ...").
SENTENCE_STARTERS: frozenset[str] = frozenset(
    "The A An He She It They We I You But And Yet So This That These Those There His Her Its Their Our".split()
)

#: Marks that end a sentence when white space and a capital follow.
FULL_STOPS = ".!?"
#: Marks that end a sentence wherever they stand.
HARD_STOPS = "|。！？"
#: Closing quotes and brackets that belong to the sentence they follow.
CLOSERS = "\"'”’»)]"
#: Opening quotes and brackets that belong to the sentence they open.
OPENERS = "\"'“‘«(["
#: What a sentence after a full stop starts with (inclusive code point ranges): ASCII
#: capitals, digits, Latin-1 capitals.
CAPITALS: tuple[tuple[str, str], ...] = (("A", "Z"), ("0", "9"), ("À", "Ý"))
#: How far before a full stop the abbreviation check looks for the word it closes.
ABBREVIATION_REACH = 20
#: The marks of a double-quoted quotation; a text with none of these has no quotation that
#: keeps a sentence whole.
QUOTATION_MARKS = "\"“”«»"
