"""Quotation spans and passage alignment on invented news snippets."""

from __future__ import annotations

from newstrace.match.align import (
    align_passages,
    identical_overlap,
    lexical_overlap,
    overlap_of,
    profiles,
)
from newstrace.text.quotes import quote_spans

FLOOD = ("Flood water reached the lower town of Marrow Creek early on Tuesday after two days "
         "of heavy rain, forcing the closure of the main bridge and three primary schools.")
RESCUE = ("Volunteer crews in flat-bottomed boats moved elderly residents from the riverside "
          "flats to a sports hall on the hill, where the regional council had set up beds.")
DAMAGE = ("Insurance assessors are expected on Thursday, and the council said early estimates "
          "put the damage to roads and drains at several million pounds.")
OTHER = ("The annual cheese fair opened in the market square with a record number of stalls, "
         "a brass band from the coast and a contest for the heaviest wheel of cheddar.")
STATEMENT = ("“We will rebuild every road and every bridge, whatever it costs, and we will do it "
             "before the winter comes back to this valley,” the mayor said.")


def spans_text(text: str) -> list[str]:
    return [text[s:e] for s, e in quote_spans(text)]


def test_quote_spans_pair_straight_and_curly_marks() -> None:
    text = 'He called it "a disgrace" and a “clear failure” of planning.'
    assert spans_text(text) == ['"a disgrace"', "“clear failure”"]


def test_apostrophes_are_not_quotes() -> None:
    text = "It’s the town’s worst flood since the farmers’ protest, Korea’s envoy said."
    assert quote_spans(text) == []


def test_single_quotes_in_a_headline() -> None:
    assert spans_text("Mayor slams 'shameful' delay on flood defences") == ["'shameful'"]


def test_quote_continues_into_a_paragraph_that_reopens_it() -> None:
    text = ("“The first wave came at night,\n\n“and by morning the street was a river,” "
            "she said.\n\nOfficials disagreed.")
    assert spans_text(text) == [text[: text.index("” she") + 1]]


def test_unclosed_quote_ends_with_its_paragraph() -> None:
    text = "He said “we are ready\n\nThe river kept rising."
    assert spans_text(text) == ["“we are ready"]


def test_verbatim_paragraph_is_one_passage_with_exact_offsets() -> None:
    a = f"{OTHER}\n\n{FLOOD}\n\n{RESCUE}"
    b = f"{DAMAGE}\n\n{FLOOD}\n\n{RESCUE}\n\nMore to follow."
    [passage] = align_passages(a, b)
    assert passage.kind == "verbatim" and passage.similarity == 1.0
    assert a[passage.a_start : passage.a_end] == b[passage.b_start : passage.b_end]
    assert a[passage.a_start : passage.a_end] == f"{FLOOD}\n\n{RESCUE}"


def test_edited_wording_stays_one_passage_with_lower_similarity() -> None:
    edited = FLOOD.replace("after two days of heavy rain", "following a weekend of storms")
    [passage] = align_passages(f"{FLOOD}\n\n{RESCUE}", f"{edited}\n\n{RESCUE}")
    assert passage.kind == "edited"
    assert 0.7 < passage.similarity < 0.98
    assert passage.a_start == 0 and passage.b_start == 0


def test_reordered_paragraphs_give_separate_passages() -> None:
    passages = align_passages(f"{FLOOD}\n\n{RESCUE}\n\n{DAMAGE}",
                              f"{DAMAGE}\n\n{OTHER}\n\n{FLOOD}\n\n{RESCUE}")
    assert len(passages) == 2
    assert all(p.kind == "verbatim" for p in passages)


def test_shared_quotation_is_not_copy_evidence() -> None:
    a = f"{STATEMENT}\n\n{OTHER}"
    b = f"{STATEMENT.replace('the mayor said', 'said Mayor Ellen Tate')}\n\n{DAMAGE}"
    assert align_passages(a, b) == []
    overlap = lexical_overlap(a, b)
    assert overlap.passages == [] and overlap.jaccard == 0.0


def test_containment_of_a_short_text_in_a_long_one() -> None:
    short = f"{FLOOD} {RESCUE}"
    long = f"{OTHER}\n\n{short}\n\n{DAMAGE}\n\n{OTHER.replace('cheese', 'apple')}"
    overlap = lexical_overlap(short, long)
    assert overlap.containment_a == 1.0
    assert overlap.containment_b < 0.5
    assert overlap.jaccard == overlap.containment_b
    assert overlap.covered_a > 0.99 and overlap.covered_b < 0.5
    assert overlap.passage_words == [len(short.replace("-", " ").split())]


def test_identical_texts_skip_alignment_with_the_same_result() -> None:
    texts = [f"{FLOOD}\n\n{DAMAGE}\n\n{RESCUE}", f"  {DAMAGE} ", "Too short."]
    for profile in profiles(texts):
        aligned, shortcut = overlap_of(profile, profile), identical_overlap(profile)
        assert shortcut.passages == aligned.passages
        assert (shortcut.jaccard, shortcut.covered_a, shortcut.passage_words) == (
            aligned.jaccard, aligned.covered_a, aligned.passage_words)


def test_an_identical_text_is_evidence_whole_quotations_included() -> None:
    """Between different texts a quotation is no evidence; two publications of one text
    are one text, even one that is only a statement."""
    [statement] = profiles([STATEMENT])
    assert overlap_of(statement, statement).passages == []  # only quoted words
    whole = identical_overlap(statement)
    assert [(p.a_start, p.a_end) for p in whole.passages] == [(1, len(STATEMENT))]  # from its first word
    assert whole.containment_a == whole.containment_b == 1.0
    assert lexical_overlap(STATEMENT, STATEMENT).passages == whole.passages


def test_swapped_overlap_is_the_overlap_seen_from_the_other_text() -> None:
    a = f"{FLOOD}\n\n{RESCUE}\n\n{OTHER}"
    b = f"{DAMAGE}\n\n{RESCUE}\n\n{FLOOD}"
    forward, backward = lexical_overlap(a, b), lexical_overlap(b, a)
    swapped = forward.swapped()
    assert len(forward.passages) == 2
    assert [(p.a_start, p.a_end, p.b_start, p.b_end) for p in swapped.passages] == [
        (p.a_start, p.a_end, p.b_start, p.b_end) for p in backward.passages]
    assert (swapped.containment_a, swapped.containment_b, swapped.covered_a) == (
        backward.containment_a, backward.containment_b, backward.covered_a)
