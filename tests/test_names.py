"""The batch reading of names and numbers gives what the one-text regular expression gives."""

from __future__ import annotations

import random

import numpy as np

from newstrace.story_bags import TokenHasher
from newstrace.text.names import extract_entities, extract_entities_batch

HOSTILE = [
    "", " ", "   \n\t ", "\n", "A", "1", "Z", "9", "AB", "12", "A.", "3.", "U.S.", "U.S.-led", "AT&T",
    "O’Neil's", "O'Neil’s", "McDonald's", "1,200.50.", "1,2,,3..4", "x3M", "_A", "_1", "A_", "é", "É", "ÉA",
    "éA", "Éb", "٣٤", "٣,٤ and ٥.", "１２", "Ａ", "A１２", "1２", "𝐀", "𝐀B", "𝐀1", "A𝐀", "😀A", "😀AB😀",
    "😀1😀", "AB😀CD", "𝟏𝟐", "𝟏,𝟐", "A𝟏", "1𝟏", "x𝟏", "😀𝟏", "A-", "A--B", "A'", "A’s", "’A", "-A", ".A",
    ",1", "1,", "1.,2",
    "A&", "&A", "A&B", "İstanbul", "İA", "ǅA", "²1", "1²", "½1", "Mr.Smith", "A\u00a0B", "A\u2028B",
    "ends with a capital A", "ends with a digit 7", "ABCDEFGHIJKL", "ABCDEFGHIJKLM", "Abcdefghijkl’s",
    "A" + "b" * 15, "A" + "b" * 16, "A" + "b" * 40, "A" + "." * 16 + "b", "A" + "." * 40, "A.B.C.D.E.F.G.H.I.J.K.",
    "1" + "0" * 15, "1" + "0" * 16, "1" + ",000" * 10 + ".", "1" + "." * 30 + "2", "X" + "’" * 20 + "y",
    "A\ud800B",  # a lone surrogate
]
SENTENCES = [
    "Tara Reid, 33, entered Promises in Malibu on Friday. She left.",
    "The 6.8 quake hit Valparaiso, Chile. It cut power to 40,000 homes.",
    "The 2019-20 season: 4.5% of $1,200 in Q3 (Jan. 5), 3rd place, COVID-19, F-35s, 9/11.",
    "WASHINGTON (AP) — The U.S. Senate voted 51-49 on Tuesday, said Sen. Mitch McConnell, R-Ky.",
    "“We’re not done,” O’Rourke told CNN’s Jake Tapper at 10:30 a.m. on Sept. 12.",
]


def test_the_batch_reads_each_text_as_the_one_text_rule_does() -> None:
    texts = HOSTILE + SENTENCES
    expected = [extract_entities(text) for text in texts]
    assert extract_entities_batch(texts) == expected
    assert [found for text in texts for found in extract_entities_batch([text])] == expected
    assert extract_entities_batch([]) == []


def test_texts_side_by_side_stay_apart() -> None:
    """A text ending in a capital or a digit next to one starting with one: the newline that
    joins them in the batch separates them as the ends of the texts do."""
    ends = ["A", "1", "Ab", "U.S", "x", "٣", "𝟏", "😀", ".", "’", "-", ""]
    pairs = [[a + b, c + d] for a in ("", "Mr ") for b in ends for c in ends for d in ("", "B", "2", "b")]
    assert all(extract_entities_batch(pair) == [extract_entities(text) for text in pair] for pair in pairs)


def test_random_strings_of_the_rule_s_characters() -> None:
    rng = random.Random(3)
    alphabet = list("AZaz09'’.&-,_ \néÉ٣１𝐀😀𝟏")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(2000)]
    texts += ["".join(rng.choice("Ab.'’-&1,") for _ in range(rng.randint(10, 60))) for _ in range(300)]
    expected = [extract_entities(text) for text in texts]
    for size in (3, 64, len(texts)):
        assert [found for first in range(0, len(texts), size)
                for found in extract_entities_batch(texts[first : first + size])] == expected


def test_a_batch_analyser_hashes_the_same_matrix() -> None:
    texts = SENTENCES + HOSTILE
    one_by_one = TokenHasher(extract_entities, 1 << 10).transform(texts)
    batched = TokenHasher(extract_entities, 1 << 10, batch_analyzer=extract_entities_batch).transform(texts)
    for part in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(one_by_one, part), getattr(batched, part))
    assert one_by_one.shape == batched.shape
