"""The pair verdict (:func:`newstrace.match.compare.judge`): shared wording first, then rewrites."""

from __future__ import annotations

from test_paraphrase import QUAKE_LOCAL, QUAKE_REWRITE, QUAKE_WIRE

from newstrace.match.compare import judge
from newstrace.match.paraphrase import encode_sentences

#: QUAKE_LOCAL with QUAKE_WIRE's last paragraph lifted word for word: partial reuse, the
#: rest written independently.
LIFTED = QUAKE_LOCAL + "\n\n" + QUAKE_WIRE.split("\n\n")[-1]


def _judge(a: str, b: str):  # type: ignore[no-untyped-def]
    vecs_a, vecs_b = encode_sentences([a, b])
    return judge(a, b, vecs_a=vecs_a, vecs_b=vecs_b)


def test_rewrite_is_a_paraphrase_and_independent_report_is_not_derived():
    rewrite = _judge(QUAKE_WIRE, QUAKE_REWRITE)
    assert rewrite.relation == "paraphrase"
    assert rewrite.signals["claims"] >= 5
    independent = _judge(QUAKE_WIRE, QUAKE_LOCAL)
    assert independent.relation == "same_story"
    assert not independent.derived


def test_lifted_paragraph_is_partial_reuse_not_a_rewrite():
    comparison = _judge(QUAKE_WIRE, LIFTED)
    assert comparison.relation == "partial"
    assert comparison.passages and comparison.signals["claims"] <= 3
