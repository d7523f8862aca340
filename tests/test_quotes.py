"""Quote extraction on invented news snippets, with the real spaCy pipeline."""

from __future__ import annotations

from newstrace.model import Article
from newstrace.quotation import quotation_spans, quotes


def direct(text: str):
    return [q for q in quotes(text) if q.direct]


def test_straight_and_curly_quotes_with_speaker_and_cue():
    text = ('Mayor Anna Lindqvist opened the new bridge on Monday. '
            '"This bridge joins two halves of our city," Lindqvist said.\n\n'
            'Engineer Tomas Berg told reporters: “We finished three weeks early.”')
    found = direct(text)
    assert [q.text for q in found] == ["This bridge joins two halves of our city,", "We finished three weeks early."]
    assert found[0].speaker == "Anna Lindqvist" and found[0].cue == "said"
    assert text[found[0].speaker_start:found[0].speaker_end] == "Lindqvist"
    assert found[1].speaker == "Tomas Berg" and found[1].cue == "told"
    assert text[found[1].start:found[1].end] == "We finished three weeks early."


def test_quote_split_by_attribution_is_one_quote_with_two_parts():
    text = ('Finance Minister Carla Ruiz defended the budget. '
            '“We had no choice,” Ruiz said, “because the deficit kept growing.”')
    [quote] = direct(text)
    assert len(quote.parts) == 2
    assert quote.text == "We had no choice, because the deficit kept growing."
    assert quote.speaker == "Carla Ruiz"


def test_multi_paragraph_quote_is_one_quote():
    text = ('Coach Peter Olsen spoke after the match.\n\n'
            '"We played with heart tonight. The young players were superb.\n\n'
            '"Next week we travel to the capital and we want to win there too," Olsen said.')
    [quote] = direct(text)
    assert len(quote.parts) == 2
    assert quote.text.startswith("We played with heart") and quote.text.endswith("win there too,")
    assert quote.speaker == "Peter Olsen"


def test_pronoun_resolves_to_last_speaker():
    text = ('Health Secretary Maria Okafor visited the hospital on Friday. '
            '"The new ward will open in May," she said. '
            'Opposition leader David Kent criticised the delay. "It is far too late," he said.')
    found = direct(text)
    assert [q.speaker for q in found] == ["Maria Okafor", "David Kent"]


def test_unattributed_quote_paragraph_continues_previous_speaker():
    text = ('"Prices will fall next year," central bank governor Ian Moss told the committee.\n\n'
            '"We expect inflation below three percent by the summer."')
    found = direct(text)
    assert [q.speaker for q in found] == ["Ian Moss", "Ian Moss"]


def test_reported_speech_is_indirect():
    article = Article.from_text("Police spokesman Lars Holm said that the road would reopen on Sunday.")
    reported = [q for q in quotes(article) if not q.direct]
    assert len(reported) == 1
    assert "the road would reopen on Sunday" in reported[0].text
    assert reported[0].speaker == "Lars Holm" and reported[0].article_id == article.id


def test_single_quote_headline():
    text = "Minister says 'no new taxes this year'\n\nThe minister repeated the pledge in parliament."
    spans = quotation_spans(text)
    assert [text[s:e] for [(s, e)] in spans] == ["no new taxes this year"]


def test_apostrophes_are_not_quotes():
    assert quotation_spans("The farmers' union said it's the workers' right to strike.") == []


def test_quote_resumed_after_attribution_sentence_is_one_quote():
    text = ('Union leader Mark Ellison addressed the strikers on Monday. '
            '“We will not go back to work for less,” Ellison said. '
            '“The company made record profits this year.”')
    [quote] = direct(text)
    assert quote.speaker == "Mark Ellison" and len(quote.parts) == 2
    assert quote.text == "We will not go back to work for less, The company made record profits this year."
    assert text[quote.speaker_start:quote.speaker_end] == "Ellison"


def test_pronoun_after_apposition_resolves_to_the_source_not_the_subject():
    text = ('Governor Tom Haines is also risking the anger of his party by backing the levy, '
            'Petra Lund, a professor of politics at the state university, told reporters.\n\n'
            '"Many of his own voters will see this as a betrayal," she said.')
    [quote] = direct(text)
    assert quote.speaker == "Petra Lund"
    assert text[quote.speaker_start:quote.speaker_end] == "she"


def test_quote_without_cue_takes_subject_of_governing_verb():
    text = 'Senator Joan Pike called the new tariff plan “a gift to smugglers” during the debate.'
    [quote] = direct(text)
    assert quote.text == "a gift to smugglers"
    assert quote.speaker == "Joan Pike" and quote.cue == "called"


def test_trailing_source_does_not_replace_the_speaker():
    text = ('During a stop in the port city, the Latvian minister Ilze Kalnina said her long visit was '
            'a “turning point for the whole region,” the state broadcaster reported.')
    [quote] = direct(text)
    assert quote.speaker == "Ilze Kalnina" and quote.cue == "said"
