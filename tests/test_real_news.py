"""Verdicts that must hold on real news (issue 8): text that recurs for reasons other than
copying is no evidence of copying, through the public API."""

from __future__ import annotations

from pathlib import Path

import newstrace
from newstrace.ingest.clean import clean_text

#: The closing paragraphs a company puts, unheaded, under each of its press releases.
SELF_DESCRIPTION = (
    "Valley Pumps is a global provider of flood pumps and water management systems for councils, "
    "ports and farms. The mission of Valley Pumps is to keep towns dry and water moving, whatever "
    "the weather brings. Valley Pumps designs, builds and services its pumps in its own workshops "
    "and trains the crews who run them.\n\n"
    "Valley Pumps has its head office in Arden, runs offices in 14 countries and has a staff of "
    "2,100. Its shares trade on the Northern Stock Exchange under the letters VLP."
)

RELEASE_A = (
    "Valley Pumps signs a service partnership with the port of Kelby\n\n"
    "Valley Pumps today announced a ten-year agreement to maintain the storm pumps of the port of "
    "Kelby, which handles a fifth of the region's grain exports.\n\n"
    "Under the agreement, engineers from the company will inspect the port's eleven pumping "
    "stations every quarter and keep spare parts on site during the winter storm season.\n\n"
    "\u201cThe port cannot afford a flooded quay for even a day,\u201d said Mara Lind, the port's "
    "director of operations.\n\n"
    "The first inspections are planned for March, and the port expects to replace two of its "
    "oldest stations by the end of next year.\n\n"
) + SELF_DESCRIPTION

RELEASE_B = (
    "Valley Pumps opens a training centre for flood crews in Orsa\n\n"
    "Valley Pumps has opened a training centre in Orsa where council crews will learn to set up "
    "and run mobile flood barriers and pumps.\n\n"
    "The centre has a test basin of forty metres and can train up to sixty people a week, most of "
    "them volunteers from rural fire brigades.\n\n"
    "\u201cWhen the water comes, the people on the ground need to have done this before,\u201d said "
    "Jon Arvid, who leads the centre.\n\n"
    "Courses are free for councils that signed the regional flood pact last spring.\n\n"
) + SELF_DESCRIPTION


def test_a_company_s_unheaded_closing_self_description_is_boilerplate() -> None:
    cleaned = clean_text(RELEASE_A)
    assert cleaned.boilerplate == [SELF_DESCRIPTION]
    assert cleaned.text.endswith("by the end of next year.")
    # a news story's closing background paragraph states no company facts: it stays
    story = "Flood waters rose on Monday.\n\nHundreds left their homes.\n\n" \
            "Kelby is a port town of 9,000 people whose quays flooded twice last winter."
    assert clean_text(story).text == story.strip()


def test_two_releases_of_one_company_are_independent_reports(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(RELEASE_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(RELEASE_B, encoding="utf-8")
    report = newstrace.analyze([tmp_path], db=str(tmp_path / "store.db"))
    assert len(report.articles) == 2
    assert not [r for r in report.relations if r.derived]
    assert all(a.boilerplate == [SELF_DESCRIPTION] for a in report.articles)


#: Invented reports of different events, two by two sharing what a site prints around its
#: articles: a newsletter promo, an editor's note (wrapped over lines in one copy), a list
#: of related headlines.
PROMO = ("POLL WATCH BY EMAIL! Want this briefing every weekday morning? Click here to sign up "
         "with your email address; leaving the list later takes one click too.")
NOTE = ("Editor\u2019s note: Council leader Ann Moss has repeatedly\npromised to close the\n"
        "river road to lorries and to sell the old harbour to developers, against the advice "
        "of her own\nplanning officers.")
RELATED = ("\u201cRelated:\u201d\n\nHarbour Bridge Plan Goes Back To The Drawing Board.\n\n"
           "Mayor Promises Cheaper Bus Fares For Pensioners.\n\n"
           "Evening Debate Puts The Council Candidates To The Test.\n\n"
           "Fishermen Warn New Quotas Could Empty The Harbour.")

EVENTS = [
    "Turnout in the Arden by-election reached 41 per cent, the highest for a by-election in the "
    "county since 1998, after a campaign fought over bus fares.\n\nThe Liberal candidate won by "
    "312 votes and will take her seat on Thursday.",
    "A poll of 900 voters in Kelby puts the harbour plan ahead by six points, with a quarter of "
    "voters still undecided three weeks before the referendum.\n\nSupport is strongest among "
    "voters under 35, the pollster said.",
    "Flood barriers were raised along the Orsa river on Sunday night as the water rose to its "
    "highest level in a decade.\n\nNo homes were flooded, the fire service said, but two roads "
    "were closed until Monday morning.",
    "The county's schools will open an hour later from next term, after a trial at four schools "
    "found pupils missed fewer lessons.\n\nTeachers' unions welcomed the change but asked for "
    "more buses in the morning.",
    "A fire at the old grain store in Arden harbour burned for six hours before crews brought it "
    "under control on Tuesday.\n\nThe building had been empty since 2015 and no one was hurt.",
    "Kelby's ferry to the islands will run twice a day through the winter, the operator said, "
    "after a petition signed by 4,000 residents.\n\nFares will rise by five per cent in April.",
]


def test_notices_around_articles_are_boilerplate() -> None:
    for notice in (PROMO, NOTE, RELATED):
        body = f"{EVENTS[0]}\n\n{notice}\n\n{EVENTS[1]}"
        cleaned = clean_text(body)
        assert cleaned.boilerplate == [notice]
        assert cleaned.text == f"{EVENTS[0]}\n\n{EVENTS[1]}"
    # the words alone do not make a notice: a report on a newsletter, a note, a list stays
    for body in ("The council will send its newsletter to 9,000 homes, and residents can sign up "
                 "for alerts at the library, officials said on Monday.",
                 "The editor noted that the paper had been printed in Arden since 1901.",
                 "Related reports were sent to the county.\nThe council will meet on Monday."):
        cleaned = clean_text(f"{EVENTS[2]}\n\n{body}\n\n{EVENTS[3]}")
        assert cleaned.boilerplate == []


def test_articles_sharing_only_what_a_site_prints_around_them_are_not_derived(tmp_path: Path) -> None:
    notices = [PROMO, NOTE, RELATED]
    for n, text in enumerate(EVENTS):
        notice = notices[n // 2]
        if n == 3:  # the note as another page of the site wraps it: on one line
            notice = " ".join(notice.split("\n"))
        (tmp_path / f"{n}.txt").write_text(f"{text}\n\n{notice}\n\nMore from the region on Monday.",
                                           encoding="utf-8")
    report = newstrace.analyze([tmp_path], db=str(tmp_path / "store.db"))
    assert len(report.articles) == 6
    assert [(r.relation, r.a, r.b) for r in report.relations if r.derived] == []


def test_two_short_leads_sharing_a_phrase_are_not_a_copy() -> None:
    # two outlets' one-paragraph leads on one event share a seven-word phrase, the name of
    # what the event is about: a fifth of the longer lead, half of the shorter one
    a = ("A mostly rural county in northern Vermont will close the old stone bridge over the Lamoille "
         "river next spring, after engineers found cracks in two of its arches, the state transport "
         "agency said on Wednesday.")
    b = "The old stone bridge over the Lamoille river is being closed to all traffic next spring."
    comparison = newstrace.compare(a, b)
    assert not comparison.derived, comparison.relation
    # a short lead that is the same text is still a duplicate, however short
    assert newstrace.compare(b, b).relation == "duplicate"
