"""One definition of quotations and of sentence ends: the same hostile texts through every
stage that reads them.

Alignment (quoted words are never copy evidence), direction (kept quotations), the paraphrase
check (quoted stretches), the sentence splitter (a quoted sentence stays whole) and quote
extraction must all agree with :func:`newstrace.text.quotes.quote_spans`; the batched sentence
starts of :func:`newstrace.match.fingerprint.tokenize` (fingerprints, boilerplate, alignment) must
agree with :func:`newstrace.text.sentences.split_sentences` (paraphrase, facts, quotes).
"""

from __future__ import annotations

import numpy as np
import pytest

from newstrace.match.align import profiles
from newstrace.match.fingerprint import tokenize
from newstrace.relate import quoted_words as relate_quoted_words
from newstrace.text.sentences import is_claim_sentence, sentence_texts, split_sentences
from newstrace.text.outlets import outlet_key
from newstrace.text.quotes import is_single_quoted, quote_spans, quoted_parts, quoted_stretches

HOSTILE = {
    "guillemets": "The envoy said «we will not sign this treaty today» before leaving Geneva.",
    "single quotes": "Officials called the plan 'a bridge too far for everyone' on Monday.",
    "apostrophes": "Korea’s leaders didn’t say it wasn’t the country’s plan, and that’s all.",
    "unbalanced": "“We will rebuild every school in the valley, the mayor told reporters.\n\nThe council met later.",
    "two paragraphs": "“The first part runs on\n\n“and the second closes it here,” she said.",
    "nested": "He wrote: “They told me ‘never again’ and meant it this time.”",
    "straight": 'The minister said "prices will fall by the end of the year" on radio.',
    "one sentence a line": "She said: “I partied. I had fun.\nI am sorry for it,” Reid told the magazine.",
    "measures": 'The set measures 22" long and 22" wide. The maker said "it sold out in 2020" at a fair.',
}


def _quoted(text: str) -> list[str]:
    return [text[s:e] for s, e in quote_spans(text)]


def test_spans_of_the_hostile_texts() -> None:
    assert _quoted(HOSTILE["guillemets"]) == ["«we will not sign this treaty today»"]
    assert _quoted(HOSTILE["single quotes"]) == ["'a bridge too far for everyone'"]
    assert _quoted(HOSTILE["apostrophes"]) == []
    assert _quoted(HOSTILE["unbalanced"]) == [HOSTILE["unbalanced"].split("\n")[0]]
    assert _quoted(HOSTILE["one sentence a line"]) == ["“I partied. I had fun.\nI am sorry for it,”"]
    assert _quoted(HOSTILE["measures"]) == ['"it sold out in 2020"']
    assert _quoted(HOSTILE["nested"]) == ["“They told me ‘never again’ and meant it this time.”"]
    two = HOSTILE["two paragraphs"]
    (span,) = quote_spans(two)
    assert [two[a:b] for a, b in quoted_parts(two, span)] == [
        "The first part runs on", "and the second closes it here,"]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_alignment_masks_exactly_the_quoted_words(name: str) -> None:
    text = HOSTILE[name]
    profile = profiles([text])[0]
    spans = quote_spans(text)
    inside = [any(s <= start < e for s, e in spans) for start in profile.starts.tolist()]
    assert profile.quoted.tolist() == inside


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_direction_counts_the_same_quoted_words(name: str) -> None:
    text = HOSTILE[name]
    assert relate_quoted_words(text) == sum(len(text[s:e].split()) for s, e in quote_spans(text))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_closed_quotation_is_never_cut_by_the_sentence_splitter(name: str) -> None:
    text = HOSTILE[name]
    ends = [span.end for span in split_sentences(text)]
    for start, end in quote_spans(text):
        if not is_single_quoted(text, (start, end)) and "\n" not in text[start:end]:
            assert not any(start < at < end - 1 for at in ends), text[start:end]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_rewrite_check_counts_kept_quotations_from_the_same_spans(name: str) -> None:
    from newstrace.match.paraphrase import _quote_counts

    text = HOSTILE[name]
    kept, reworded = _quote_counts(text, text)
    assert (kept, reworded) == (len(quoted_stretches(text)), 0)
    assert _quote_counts(text, "Nothing of it is left here.") == (0, len(quoted_stretches(text)))


def test_quoted_stretches_are_the_double_quoted_parts() -> None:
    assert quoted_stretches(HOSTILE["guillemets"]) == ["we will not sign this treaty today"]
    assert quoted_stretches(HOSTILE["single quotes"]) == []
    assert quoted_stretches(HOSTILE["two paragraphs"]) == [
        "The first part runs on and the second closes it here,"]


ATTRIBUTED = (
    "The envoy said «we will not sign this treaty today» before leaving Geneva.\n\n"
    "“The first part runs on\n\n"
    "“and the second closes it here,” said Maria Lopez, the council's spokeswoman.\n\n"
    "Officials called the plan 'a bridge too far for everyone' on Monday.\n\n"
    "“They told me ‘never again’ and meant it this time,” the mayor, John Harris, said."
)


def test_quote_extraction_reads_the_same_spans() -> None:
    from newstrace.digests.quotation import quotation_spans, quotes

    spans = quote_spans(ATTRIBUTED)
    every = [quoted_parts(ATTRIBUTED, span) for span in spans]
    double = [quoted_parts(ATTRIBUTED, span) for span in spans if not is_single_quoted(ATTRIBUTED, span)]
    read = quotation_spans(ATTRIBUTED)
    assert all(parts in every for parts in read)
    assert all(parts in read for parts in double)
    found = quotes(ATTRIBUTED)
    assert found, "the attributed quotations are found"
    for quote in found:
        assert any(s <= quote.start and quote.end <= e for s, e in spans), quote.text
    assert {quote.speaker for quote in found} >= {"Maria Lopez", "John Harris"}


#: Sentence ends and non-ends, each a trap for one of the two implementations.
SENTENCES = {
    "abbreviations": "Gov. Jay Inslee and Sen. Patty Murray met Prof. Lee at 9 a.m. Friday. Talks ended at "
                     "5 p.m. The U.S. side left. They met in the U.S. Capitol. Inc. and Corp. filings fell.",
    "initials": "J. R. R. Tolkien wrote it. W. Smith and A. Jones disagreed. He met Bob. Then he left.",
    "numbers": "Bill No. 5 passed. Prices rose 3.5 percent. It was No. 1. 2024 was hot. The vote was 52-48.",
    "quotes": 'Putin said "we will talk. There is time." Then he left. "We are ready!" he said. '
              "She called it «a mess. A real one.» Nobody agreed.",
    "quote over paragraphs": "“The first part runs on. It keeps going\n\n“and the second closes it. Here,” "
                             "she said. Later. “I partied. I had fun.\nI am sorry,” Reid said. Done.",
    "unclosed quote": "“We will rebuild every school. The mayor told reporters.\n\nThe council met. It agreed.",
    "lines": "Headline without a stop\nFirst line of the body. Second.\n\nA new paragraph\n- Sanders.",
    "cjk and furniture": "Home | About Us | Contact\n北京是首都。上海很大！你好吗？ OK. Next",
    "marks without space": "Wait!No space here?Yes.Then... Nothing. Really?! Yes. What? no. (Fine.) Ok.",
    "dotted words": "See e.g. The list. The St.Louis. Team won. It was a.m. Sharp. Mr.) Smith. U.S.-based.",
    "letters after digits": "They sell B2B. The firm grew. At 10am. They met. In 2020. It rained. Café. Closed.",
    "long words": "Supercalifragilistic. Done. Antidisestablishmentarianism. Over. ABCDEFGHIJ.K. End.",
}


def _sentence_starts(text: str, starts: np.ndarray) -> np.ndarray:
    """Per token: whether one of split_sentences' sentences starts with it."""
    flags = np.zeros(len(starts), dtype=bool)
    flags[:1] = True
    first_tokens = np.searchsorted(starts, [span.start for span in split_sentences(text)])
    flags[first_tokens[first_tokens < len(starts)]] = True
    return flags


@pytest.mark.parametrize("batched", [False, True])
def test_batched_sentence_starts_agree_with_the_splitter(batched: bool) -> None:
    texts = list(SENTENCES.values()) + list(HOSTILE.values())
    tokens = tokenize(texts) if batched else None
    for i, text in enumerate(texts):
        single = tokenize([text])
        found = tokens.breaks[tokens.of(i)] if tokens is not None else single.breaks
        expected = _sentence_starts(text, single.starts)
        assert found.tolist() == expected.tolist(), [
            text[s:e] for s, e, flag in zip(single.starts, single.ends, expected) if flag]


def test_the_rule_on_hostile_sentences() -> None:
    assert sentence_texts(SENTENCES["abbreviations"])[:4] == [
        "Gov. Jay Inslee and Sen. Patty Murray met Prof. Lee at 9 a.m. Friday.",
        "Talks ended at 5 p.m.",  # a sentence starter after a dotted abbreviation
        "The U.S. side left.",
        "They met in the U.S. Capitol.",
    ]
    assert sentence_texts(SENTENCES["numbers"])[:3] == ["Bill No. 5 passed.", "Prices rose 3.5 percent.",
                                                        "It was No. 1."]
    assert sentence_texts(SENTENCES["quotes"])[:2] == ['Putin said "we will talk. There is time."',
                                                       "Then he left."]
    assert sentence_texts(SENTENCES["cjk and furniture"])[:5] == [
        "Home |", "About Us |", "Contact", "北京是首都。", "上海很大！"]
    assert sentence_texts(SENTENCES["lines"])[:2] == ["Headline without a stop", "First line of the body."]


LINES = {
    "tour date": ("June 14 – Alpharetta, GA @ Ameris Bank Amphitheatre", False),
    "heading": ("What we know so far", False),
    "related link": ("READ MORE: Flooding closes the coastal road", False),
    "sentence": ("The bridge reopened on Monday.", True),
    "quoted sentence": ('"We are ready," he said.', True),
    "long line without a stop": (" ".join(["word"] * 16), True),
}


@pytest.mark.parametrize("name", LINES)
def test_one_claim_rule_for_rewrite_evidence_and_digest_claims(name):
    from newstrace.digests.claims import is_factual

    line, claim = LINES[name]
    assert is_claim_sentence(line) is claim
    if not claim:  # a heading or list entry is neither rewrite evidence nor a digest claim
        assert not is_factual(line)
    assert not is_factual(line) or is_claim_sentence(line)


@pytest.mark.parametrize("names, key", [
    (["The Conversation", "theconversation.com", "THE  CONVERSATION", "https://www.theconversation.com/uk"],
     "conversation"),
    (["Live Science", "livescience.com", "Live-Science"], "livescience"),
    (["Le Monde", "lemonde.fr"], "lemonde"),
])
def test_an_outlets_spellings_fold_to_one_key(names: list[str], key: str) -> None:
    assert {outlet_key(name) for name in names} == {key}


def test_names_of_other_outlets_keep_other_keys_and_a_blank_name_has_none() -> None:
    assert outlet_key("The Hill") == outlet_key("Hill") == "hill"
    assert len({outlet_key(name) for name in ("The Hill", "The Hill Times", "Capitol Hill Post")}) == 3
    assert outlet_key("  ") is None and outlet_key("") is None and outlet_key(None) is None
