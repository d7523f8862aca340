"""Sentence splitting, the vector index, sentence alignment and paraphrase verdicts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import newstrace
from newstrace.match.paraphrase import (
    MIN_FOLLOWED_SENTENCES,
    align_sentences,
    compare_sentences,
    encode_sentences,
    paraphrase_verdict,
)
from newstrace.text.sentences import sentence_texts, split_sentences
from newstrace.encode.index import NO_KEY, VectorIndex

ORIGINAL = """A fire destroyed a furniture warehouse in the port town of Kelby on Monday night, officials said.

Firefighters from three stations fought the blaze for six hours before bringing it under control. Nobody was hurt, but two nearby homes were evacuated as a precaution.

"We have never seen flames this high in Kelby," fire chief Maria Ostrand told reporters. The cause of the fire is not yet known, and investigators will visit the site on Wednesday.

The warehouse, owned by the Dalbo company, employed 40 people. The firm said it would pay staff while it looks for a new building."""

SPUN = """Officials stated that a blaze wiped out a furniture storage facility in the harbour town of Kelby late on Monday.

Crews from three fire stations battled the flames for six hours until they were contained. No one was injured, although two neighbouring houses were cleared as a safety measure.

Fire chief Maria Ostrand informed journalists that flames of that height had never been witnessed in Kelby. What started the blaze remains unclear, and inspectors are due at the scene on Wednesday.

The storage site, which belongs to the Dalbo firm, had a workforce of 40. The business stated it will keep paying employees while it searches for new premises."""

INDEPENDENT = """Kelby residents woke on Tuesday to the smell of smoke after a large fire at the harbour.

"It was terrifying, the whole sky was orange," said Tomas Vik, who lives across the road.

The Dalbo furniture warehouse burned for most of the night. Local councillor Anna Berg called for a review of fire safety rules for industrial buildings near homes.

Dalbo's 40 workers gathered outside the ruins in the morning. Police have opened an inquiry."""


QUAKE_WIRE = """A magnitude 6.1 earthquake struck off the coast of northern Chile on Tuesday, the US Geological Survey said.

The quake hit at 2:20 p.m. local time at a depth of 35 kilometres, about 80 kilometres west of the port city of Iquique. There were no immediate reports of damage or casualties. Chile's navy said it did not expect a tsunami.

Schools in Iquique were evacuated as a precaution, and some residents spent the afternoon on higher ground. Chile sits on the Pacific Ring of Fire and is one of the most earthquake-prone countries in the world."""

QUAKE_LOCAL = """Residents of Iquique rushed into the streets on Tuesday afternoon when a strong earthquake shook northern Chile.

The USGS put the magnitude at 6.1 and placed the epicentre in the Pacific, some 80 kilometres from the city. "The whole building was swaying," said shop owner Carla Munoz. Local radio said power was briefly cut in two neighbourhoods. Authorities reported no damage or injuries so far.

The navy ruled out a tsunami. In 2014 a magnitude 8.2 quake near Iquique killed six people and forced nearly a million to leave their homes."""

#: QUAKE_WIRE rewritten sentence by sentence, keeping its facts, order and some wording.
QUAKE_REWRITE = """A 6.1-magnitude earthquake hit off northern Chile's coast on Tuesday, according to the US Geological Survey.

It struck at 2:20 p.m. local time, 35 kilometres deep and some 80 kilometres west of the port of Iquique. No damage or casualties were reported right away. The Chilean navy said a tsunami was not expected.

As a precaution, Iquique's schools were evacuated and some people spent the afternoon on high ground. Chile lies on the Pacific Ring of Fire and is among the world's most earthquake-prone nations."""


@pytest.fixture(scope="module")
def vectors():
    return dict(zip(("original", "spun", "independent"), encode_sentences([ORIGINAL, SPUN, INDEPENDENT])))


def test_split_sentences_handles_abbreviations_quotes_and_paragraphs():
    text = 'Gen. J. R. Smith landed at 9 a.m. in the U.S. capital. "We are ready!" he said.\n\nMr. Lee left.'
    assert sentence_texts(text) == [
        "Gen. J. R. Smith landed at 9 a.m. in the U.S. capital.",
        '"We are ready!" he said.',
        "Mr. Lee left.",
    ]
    assert sentence_texts("He moved to the U.S. He liked it.") == ["He moved to the U.S.", "He liked it."]
    spans = split_sentences("  One here.  Two there.\n")
    assert [(s.start, s.end) for s in spans] == [(2, 11), (13, 23)]
    assert split_sentences("   ") == []


def test_vector_index_finds_nearest_and_round_trips():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(50, 384)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    index = VectorIndex()
    index.add(np.arange(100, 150), data)
    keys, sims = index.search(data[[3, 7]], k=2)
    assert keys[:, 0].tolist() == [103, 107]
    np.testing.assert_allclose(sims[:, 0], 1.0, atol=1e-4)
    restored = VectorIndex.from_bytes(index.to_bytes())
    assert len(restored) == 50 and restored.search(data[:1], k=1)[0][0, 0] == 100
    keys, sims = VectorIndex().search(data[:1], k=3)
    assert (keys == NO_KEY).all() and np.isneginf(sims).all()


def test_alignment_follows_a_rewrite_in_order(vectors):
    alignment = align_sentences(ORIGINAL, SPUN, vecs_a=vectors["original"], vecs_b=vectors["spun"])
    pairs = alignment.pairs
    assert len(pairs) >= 6 and alignment.features["longest_run"] >= 6
    assert all(p.a_first > q.a_last and p.b_first > q.b_last for q, p in zip(pairs, pairs[1:]))
    passage = alignment.passages[0]
    assert passage.kind == "paraphrase"
    assert "warehouse" in ORIGINAL[passage.a_start : passage.a_end]
    assert "storage facility" in SPUN[passage.b_start : passage.b_end]
    features = alignment.features
    assert features["coverage_a"] > 0.8 and features["coverage_b"] > 0.8
    assert features["reworded_share"] >= 0.5
    assert features["quotes_mangled"] >= 1
    assert features["order_consistency"] == 1.0


def test_human_style_rewrite_follows_its_source_both_ways(vectors):
    verdict = paraphrase_verdict(align_sentences(ORIGINAL, SPUN, vecs_a=vectors["original"], vecs_b=vectors["spun"]))
    independent = paraphrase_verdict(align_sentences(
        ORIGINAL, INDEPENDENT, vecs_a=vectors["original"], vecs_b=vectors["independent"]))
    assert verdict.features["follow_a"] > 0.6 and verdict.features["follow_b"] > 0.6
    assert verdict.features["followed_sentences"] >= MIN_FOLLOWED_SENTENCES
    assert verdict.score > 10 * independent.score
    reversed_verdict = paraphrase_verdict(align_sentences(SPUN, ORIGINAL, vecs_a=vectors["spun"], vecs_b=vectors["original"]))
    assert reversed_verdict.score == pytest.approx(verdict.score, abs=0.05)


def test_shuffled_rewrite_scores_lower_than_one_in_order(vectors):
    in_order = paraphrase_verdict(align_sentences(ORIGINAL, SPUN, vecs_a=vectors["original"], vecs_b=vectors["spun"]))
    sentences = split_sentences(SPUN)
    order = [3, 6, 0, 4, 1, 5, 2][: len(sentences)]
    shuffled = " ".join(sentences[i].text(SPUN) for i in order)
    out_of_order = paraphrase_verdict(align_sentences(
        ORIGINAL, shuffled, vecs_a=vectors["original"], vecs_b=vectors["spun"][order],
    ))
    assert out_of_order.features["order_consistency"] < in_order.features["order_consistency"]
    assert not out_of_order.is_paraphrase


def test_independent_report_of_same_event_is_not_a_paraphrase(vectors):
    alignment = align_sentences(ORIGINAL, INDEPENDENT, vecs_a=vectors["original"], vecs_b=vectors["independent"])
    verdict = paraphrase_verdict(alignment)
    assert not verdict.is_paraphrase
    assert verdict.score < 0.3


def test_align_sentences_encodes_when_vectors_are_missing():
    alignment = align_sentences("The bridge opened today. Drivers cheered.", "Drivers cheered as the bridge opened today.")
    assert len(alignment.pairs) == 1
    pair = alignment.pairs[0]
    assert (pair.a_first, pair.a_last, pair.b_first, pair.b_last) == (0, 1, 0, 0)


def test_sentence_pairs():
    same = compare_sentences(
        "The company said profits rose 12 percent in the third quarter.",
        "Third-quarter profits climbed 12 percent, the company said.",
    )
    different_number = compare_sentences(
        "The company said profits rose 12 percent in the third quarter.",
        "The company said profits fell 30 percent in the first quarter.",
    )
    unrelated = compare_sentences("The company said profits rose 12 percent.", "Heavy snow closed the mountain pass.")
    assert same.is_paraphrase
    assert not unrelated.is_paraphrase
    assert different_number.features["number_conflict"] == 1.0
    assert same.score > different_number.score > unrelated.score


def test_one_sentence_texts_state_one_claim_but_are_not_a_rewrite():
    a = "Rescuers pulled two hikers from the river on Sunday."
    b = "On Sunday, two hikers were rescued from the river."
    verdict = paraphrase_verdict(align_sentences(a, b))
    assert not verdict.is_paraphrase
    assert verdict.features["followed_sentences"] < MIN_FOLLOWED_SENTENCES
    assert newstrace.same_claim(a, b).same
    assert not newstrace.compare(a, b).derived


def test_one_or_two_similar_sentences_do_not_make_a_paraphrase(vectors):
    spun = split_sentences(SPUN)
    two_reworded = " ".join(s.text(SPUN) for s in spun[:2])
    two_original = " ".join(s.text(ORIGINAL) for s in split_sentences(ORIGINAL)[:2])
    short = paraphrase_verdict(align_sentences(two_original, two_reworded))
    assert not short.is_paraphrase
    # two reworded sentences opening an otherwise independent report
    mixed = two_reworded + "\n\n" + INDEPENDENT
    verdict = paraphrase_verdict(align_sentences(ORIGINAL, mixed))
    assert not verdict.is_paraphrase
    assert newstrace.compare(ORIGINAL, mixed).relation == "same_story"


def test_independent_same_event_reports_are_not_derived_but_share_claims():
    comparison = newstrace.compare(QUAKE_WIRE, QUAKE_LOCAL)
    assert comparison.relation == "same_story"
    assert not comparison.derived and comparison.passages == []
    wire, local = sentence_texts(QUAKE_WIRE), sentence_texts(QUAKE_LOCAL)
    assert newstrace.same_claim(wire[2], local[4]).same  # no damage reported, in other words
    assert not newstrace.same_claim(wire[3], local[3]).same  # navy on tsunami vs power cut


def test_seed_rewrite_is_found_and_independent_reports_are_not(seeds):
    texts = [path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))]
    vecs = encode_sentences(texts)
    verdicts = {
        (i, j): paraphrase_verdict(align_sentences(texts[i], texts[j], vecs_a=vecs[i], vecs_b=vecs[j]))
        for i, j in itertools.combinations(range(len(texts)), 2)
    }
    assert verdicts[(3, 4)].is_paraphrase
    for pair in [(2, 4), (0, 2), (0, 3), (2, 3), (0, 4)]:
        assert not verdicts[pair].is_paraphrase, pair


def test_a_rewrite_restates_its_source_claim_by_claim_and_an_independent_report_does_not():
    wire, rewrite, local = encode_sentences([QUAKE_WIRE, QUAKE_REWRITE, QUAKE_LOCAL])
    derived = paraphrase_verdict(align_sentences(QUAKE_WIRE, QUAKE_REWRITE, vecs_a=wire, vecs_b=rewrite))
    independent = paraphrase_verdict(align_sentences(QUAKE_WIRE, QUAKE_LOCAL, vecs_a=wire, vecs_b=local))
    assert derived.is_paraphrase and derived.features["claims"] >= 5
    assert min(derived.features["claim_a"], derived.features["claim_b"]) > 0.7
    assert not independent.is_paraphrase and independent.features["claims"] <= 2
    assert max(independent.features["claim_a"], independent.features["claim_b"]) < 0.3


def test_rewrite_evidence_grows_with_length():
    wire, rewrite = sentence_texts(QUAKE_WIRE), sentence_texts(QUAKE_REWRITE)
    verdicts = [paraphrase_verdict(align_sentences(" ".join(wire[:n]), " ".join(rewrite[:n]))) for n in (2, 3, len(wire))]
    assert not verdicts[0].is_paraphrase  # two restated sentences are what independent reports share
    assert verdicts[1].is_paraphrase and verdicts[2].is_paraphrase
    assert verdicts[0].score < verdicts[2].score


#: One announced schedule, as two outlets list it under their own, independent reports.
TOUR_DATES = [("June 9", "Coral Sky Amphitheatre", "West Palm Beach, FL"), ("June 10", "Union Amphitheatre", "Tampa, FL"),
              ("June 14", "Ameris Bank Amphitheatre", "Alpharetta, GA"), ("June 17", "Bridgestone Arena", "Nashville, TN"),
              ("June 19", "PNC Music Pavilion", "Charlotte, NC"), ("June 20", "Walnut Creek Music Park", "Raleigh, NC"),
              ("June 24", "Jiffy Lube Live", "Bristow, VA"), ("June 26", "PPL Center", "Allentown, PA"),
              ("June 27", "BB&T Pavilion", "Camden, NJ"), ("June 30", "Jones Beach Theater", "Wantagh, NY"),
              ("July 2", "Mohegan Sun Arena", "Uncasville, CT"), ("July 3", "Xfinity Center", "Mansfield, MA"),
              ("July 19", "Budweiser Stage", "Toronto, ON"), ("July 22", "Blossom Music Center", "Cuyahoga Falls, OH")]
TOUR_REPORT = (
    "The band will mark half a century together with a long summer tour across North America. "
    "Its founding singer told a crowd in Los Angeles on Monday night that the reunion had been years in the making. "
    "Tickets go on sale next Friday through the promoter's website, and a new studio album is due in the spring. "
    "The group was inducted into the Rock and Roll Hall of Fame last month after two decades of nominations.\n\n"
    "Tour dates:\n" + "\n".join(f"{day} -- {venue}, {city}" for day, venue, city in TOUR_DATES))
TOUR_REVIEW = (
    "Fans who waited through years of solo projects finally got the news they wanted at the Greek Theatre. "
    "Dressed in black, the keyboard player walked on during the encore and the crowd rose to its feet. "
    "He first joined in 1975, sang on four of the group's albums and left for a solo career in 1982. "
    "The current run of shows continues this week in South Carolina before a break for the holidays.\n\n"
    "The Tour Dates\n" + "\n".join(f"{day} – {city} @ {venue}" for day, venue, city in TOUR_DATES))


def test_the_same_list_under_two_independent_reports_is_not_a_rewrite():
    """Headings and list entries (dates, venues) state no claim of their own: two reports
    listing one announced schedule follow each other line by line, but not in their prose."""
    comparison = newstrace.compare(TOUR_REPORT, TOUR_REVIEW)
    assert comparison.relation == "same_story" and not comparison.derived
    verdict = paraphrase_verdict(align_sentences(TOUR_REPORT, TOUR_REVIEW))
    assert not verdict.is_paraphrase and verdict.features["claims"] <= 2
