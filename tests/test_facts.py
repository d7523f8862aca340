"""Entities, numbers and dates on invented snippets, with the real spaCy pipeline."""

from __future__ import annotations

from datetime import date

from newstrace.digests.facts import clock_time, extract_facts, parse_number, resolve_date, same_quantity
from newstrace.model import Article

WEDNESDAY = date(2023, 9, 13)


def facts_of(text: str, day: str | None = "2023-09-13"):
    [facts] = extract_facts([Article.from_text(text, date=day)])
    return facts


def test_weekdays_and_relative_dates_resolve_against_article_date():
    assert resolve_date("Wednesday", WEDNESDAY) == ("2023-09-13", "day")
    assert resolve_date("Tuesday", WEDNESDAY) == ("2023-09-12", "day")
    assert resolve_date("Friday", WEDNESDAY, future=True) == ("2023-09-15", "day")
    assert resolve_date("last week", WEDNESDAY) == ("2023-09-04", "week")
    assert resolve_date("July", WEDNESDAY) == ("2023-07", "month")
    assert resolve_date("September 13, 2023", None) == ("2023-09-13", "day")
    assert resolve_date("Tuesday", None) is None


def test_dates_and_local_time_from_text():
    facts = facts_of("The ferry sank on Tuesday at 11:43 a.m. local time, the coast guard said on Wednesday.")
    dates = {t.text: t.date for t in facts.times if t.date}
    assert dates == {"Tuesday": "2023-09-12", "Wednesday": "2023-09-13"}
    [clock] = [t for t in facts.times if t.time]
    assert (clock.time, clock.zone) == ("11:43", "local")
    assert clock_time("3 p.m.") == "15:00"


def test_counted_numbers_and_units():
    facts = facts_of("The army fired two cruise missiles that flew about 40 seconds over the sea. "
                     "The war has lasted 18 months.")
    by_text = {m.text: m for m in facts.numbers}
    assert by_text["two"].value == 2 and by_text["two"].counts == "cruise missiles"
    assert by_text["two"].counts_head == "missile"
    forty = next(m for m in facts.numbers if m.value == 40)
    assert forty.unit == "s" and forty.approx
    months = next(m for m in facts.numbers if m.value == 18)
    assert months.unit == "mo"


def test_sums_with_a_short_scale_keep_it_and_a_metre_stays_a_metre():
    """*$1.5T*, *$300M*, *£2.5bn* and *$40B* are the trillions, millions and billions of
    headlines and British copy; *m* after a number with no currency sign is a metre."""
    facts = facts_of("The plan costs $1.5T, after $300M last year. Rivals raised £2.5bn and $40B. "
                     "He ran 100 m in under ten seconds.")
    values = {m.text: (m.value, m.unit) for m in facts.numbers}
    assert values["$1.5T"] == (1.5e12, "USD") and values["$300M"] == (3e8, "USD")
    assert values["£2.5bn"] == (2.5e9, "GBP") and values["$40B"] == (4e10, "USD")
    assert values["100 m"] == (100, "m")
    assert same_quantity(facts.numbers[0], facts_of("The plan costs $1.5 trillion.").numbers[0])


def test_converted_measure_is_one_measure_equal_to_its_conversion():
    facts = facts_of("The camp lies some 1,000 kilometres (620 miles) north of the capital.")
    [distance] = [m for m in facts.numbers if m.dimension == "length"]
    assert distance.value == 1000 and distance.unit == "km" and distance.approx
    assert [(e.value, e.unit) for e in distance.equivalents] == [(620, "mi")]
    other = facts_of("The camp lies 620 miles north of the capital.").numbers[0]
    assert same_quantity(distance, other)
    assert not same_quantity(distance, facts_of("The camp lies 300 miles north of the capital.").numbers[0])


def test_person_short_name_links_to_full_name():
    facts = facts_of("Prime Minister Helena Varga arrived in Vienna. Varga met union leaders there.")
    people = {e.text: e.name for e in facts.entities if e.label == "PERSON"}
    assert people.get("Varga") == "Helena Varga"
    assert any(e.name == "Vienna" for e in facts.entities)


def test_parse_number_words_and_digits():
    assert parse_number("1,000") == 1000 and parse_number("two") == 2 and parse_number("lots") is None


def test_month_without_year_takes_the_year_its_context_names():
    facts = facts_of("Edmund Hillary and Tenzing Norgay set out from base camp in 1953. "
                     "As the expedition reached the South Peak on May 28, the weather cleared. "
                     "The museum opened a new exhibition on Tuesday.", day="2007-05-30")
    dates = {t.text: t.date for t in facts.times if t.date}
    assert dates["May 28"] == "1953-05-28"
    assert dates["Tuesday"] == "2007-05-29"


def test_sentences_are_not_split_at_abbreviations_or_inside_quotes():
    text = ('North Korea fired two missiles between 11:43 a.m. and 11:53 a.m. local time, Gen. J. Kim said. '
            'Putin said "we will talk about all issues without a rush. There is time." The talks began.')
    facts = facts_of(text)
    assert [text[s:e] for s, e in facts.sentences] == [
        "North Korea fired two missiles between 11:43 a.m. and 11:53 a.m. local time, Gen. J. Kim said.",
        'Putin said "we will talk about all issues without a rush. There is time."',
        "The talks began.",
    ]


def test_worker_processes_give_the_same_facts_in_the_same_order():
    texts = [
        '“We will rebuild the bridge by June,” Mayor Ruth Olsen said on Tuesday.',
        'The storm cut power to 12,000 homes in Port Elm, officials said.',
        'Finance Minister Carla Ruiz said the deficit fell 3 percent last year.',
        'About 40 fishing boats left the harbour at 6 a.m. local time.',
        '“It is a family business,” Senator Dale Price said of the foundation.',
    ]
    articles = [Article.from_text(t, date="2023-09-13") for t in texts]
    alone = extract_facts(articles)
    assert [f.article_id for f in alone] == [a.id for a in articles]
    assert extract_facts(articles, batch_size=1, n_process=2) == alone
