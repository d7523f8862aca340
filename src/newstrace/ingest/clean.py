"""Plain-text cleaning: split an article's metadata and boilerplate from its body.

:func:`clean_text` reads a leading metadata line (``date 2023-09-12 By ..., CNN``), a
title line, "Published ..." lines and datelines (``WASHINGTON (AP) —``), and moves
footers, copyright lines, contributor lines, share prompts and photo captions out of the
body into :attr:`Cleaned.boilerplate`. Wire and agency credits found in datelines,
captions, wire lines and contributor lines go to :attr:`Cleaned.credits`; sources quoted
in the story ("told AFP", "TASS reported") are never read as credits.

The body keeps its characters as they are (quotes, apostrophes, non-breaking spaces):
only whole removed blocks, trailing spaces and runs of blank lines change, and the line
breaks of hard-wrapped text (:func:`unwrap_lines`), which would otherwise cut its
sentences and paragraphs at a column, and characters decoded with the wrong charset
upstream (:func:`repaired`). Every pass is
one regular expression over the whole text, so cleaning runs at tens of thousands of
articles a second.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import ftfy

from newstrace.ingest.pagemeta import MONTH_NAME, MONTHS, is_junk_title

__all__ = [
    "Cleaned",
    "clean_text",
    "clean_texts",
    "credit_name",
    "credits_in",
    "iso_date",
    "repaired",
    "split_byline",
    "unwrap_lines",
]


@dataclass
class Cleaned:
    """A cleaned article body and what cleaning found around it."""

    text: str
    title: str | None = None
    date: str | None = None  #: ``YYYY-MM-DD``
    byline: str | None = None  #: author names, without "By" and the outlet
    credits: list[str] = field(default_factory=list)  #: "AP", "AFP", "Reuters", ...
    boilerplate: list[str] = field(default_factory=list)  #: removed blocks, in text order
    outlet: str | None = None
    #: Where a republication says the article was first published ("Originally published on
    #: Live Science."), as the attribution line names it (:data:`_ATTRIBUTION`)
    republished_from: str | None = None


# --- agencies -------------------------------------------------------------------------

#: Short credit name -> the ways agencies sign their copy (case-sensitive).
_AGENCY_NAMES: dict[str, tuple[str, ...]] = {
    "AP": ("AP", "The Associated Press", "Associated Press"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "Reuters": ("Reuters", "REUTERS", "Thomson Reuters"),
    "CNN": ("CNN",),
    "Bloomberg": ("Bloomberg News", "Bloomberg"),
    "dpa": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "PA": ("PA", "PA Media", "Press Association"),
    "UPI": ("UPI", "United Press International"),
    "Xinhua": ("Xinhua",),
    "EFE": ("EFE",),
    "ANSA": ("ANSA",),
    "Kyodo": ("Kyodo News", "Kyodo"),
    "Yonhap": ("Yonhap",),
    "PTI": ("PTI", "Press Trust of India"),
    "AAP": ("AAP", "Australian Associated Press"),
    "CP": ("The Canadian Press", "Canadian Press"),
}
#: Press-release wires: a release's dateline names the service that spread it. Credits as
#: the agencies are, but no line of their name alone is removed (:data:`_LINE` tries only
#: the news agencies, whose first letters its look-ahead admits).
_RELEASE_WIRE_NAMES: dict[str, tuple[str, ...]] = {
    "PR Newswire": ("PRNewswire", "PR Newswire"),
    "Business Wire": ("BUSINESS WIRE", "Business Wire"),
    "GlobeNewswire": ("GLOBE NEWSWIRE", "GlobeNewswire", "Globe Newswire"),
    "Accesswire": ("ACCESSWIRE", "Accesswire"),
}


def _alternation(names: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, names), key=len, reverse=True))


_NEWS_AGENCY_OF = {name: short for short, names in _AGENCY_NAMES.items() for name in names}
_AGENCY_OF = _NEWS_AGENCY_OF | {name: short for short, names in _RELEASE_WIRE_NAMES.items() for name in names}
_AGENCY = _alternation(_AGENCY_OF)
_NEWS_AGENCY = _alternation(_NEWS_AGENCY_OF)
_AGENCY_IN = re.compile(rf"(?<![\w-])({_AGENCY})(?![\w-])")


def credit_name(name: str) -> str | None:
    """The short credit name of an agency ("Associated Press" -> "AP"), or ``None``."""
    return _AGENCY_OF.get(name.strip())


def credits_in(text: str) -> list[str]:
    """The agencies named in a credit-bearing text (a byline, a wire line), as short names.
    Only for such texts: in a story's body, "told AFP" is a source, not a credit."""
    return [_AGENCY_OF[m] for m in _AGENCY_IN.findall(text)]


# --- dates ----------------------------------------------------------------------------

_MONTH = rf"(?P<month>{MONTH_NAME})"
_DATE = re.compile(
    r"(?P<y1>\d{4})-(?P<m1>\d{2})-(?P<d1>\d{2})"
    rf"|{_MONTH}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})"
    rf"|(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+|-){_MONTH.replace('month', 'month3')},?(?:\s+|-)"
    r"(?P<y3>\d{4})",
    re.IGNORECASE,
)


def iso_date(text: str) -> str | None:
    """The first calendar date written in ``text`` as ``YYYY-MM-DD``, or ``None``.

    Reads ``2023-09-13``, ``September 13, 2023``, ``Sept. 13 2023``, ``13 September 2023``
    and ``13-Sep-2023``.
    """
    match = _DATE.search(text)
    if match is None:
        return None
    g = match.groupdict()
    if g["y1"]:
        year, month, day = int(g["y1"]), int(g["m1"]), int(g["d1"])
    else:
        name = g["month"] or g["month3"]
        year, day = int(g["y2"] or g["y3"]), int(g["d2"] or g["d3"])
        month = MONTHS.index(name[:3].lower()) + 1
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


# --- bylines --------------------------------------------------------------------------

_OUTLET_WORD = re.compile(
    r"\b(?:News|Times|Post|Press|Journal|Herald|Tribune|Telegraph|Guardian|Network|Media"
    r"|Agency|Wire|Daily|Gazette|Review|Chronicle|Globe|Mail|Star|Observer|Radio|TV)\b"
)
_ACRONYM = re.compile(r"[A-Z]{2,6}")


def split_byline(byline: str) -> tuple[str | None, str | None]:
    """``"By A, B and C, CNN"`` -> ``("A, B and C", "CNN")``: author names and the outlet
    named at the end of the byline (``None`` when the last part is not an outlet)."""
    names = re.sub(r"^\s*By:?\s+", "", byline.strip(), flags=re.IGNORECASE)
    head, sep, last = names.rpartition(",")
    last = last.strip()
    if sep and (last in _AGENCY_OF or _ACRONYM.fullmatch(last) or _OUTLET_WORD.search(last)):
        return head.strip() or None, last
    return names or None, None


# --- the header: metadata line and title ----------------------------------------------

_META_LINE = re.compile(
    r"\A\s*[Dd]ate:?[ \t]+(\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-][\d:]+)?)?[ \t]*"
    r"(?:(By[ \t][^\n]+)\n?)?"
)
_TITLE_LINE = re.compile(r"\A\s*([^\n]{1,250})\n")
_TITLE_END = re.compile(r"[.,;:](?:[\"'”’»)\]]*)$")
_SPACES = re.compile(r"\s+")
_TEXT = re.compile(r"\S")


def _same_line(a: str, b: str) -> bool:
    return _SPACES.sub(" ", a).strip().casefold() == _SPACES.sub(" ", b).strip().casefold()


def _looks_like_title(line: str) -> bool:
    line = line.strip()
    return (
        len(line.split()) <= 30
        and not _TITLE_END.search(line)
        and _DATELINE.match(line) is None
        and _PAREN_TAG.search(line + "\n") is None
        and not is_junk_title(line)
    )


def _take_title(text: str, title: str | None) -> tuple[str, str | None, bool]:
    r"""Remove a leading title line (twice, when repeated): the rest, the title, and
    whether a line was removed, when the rest keeps the newline that closed the title
    line in front (``\n`` + the rest: a newline in front changes no match of these
    ``\A\s*`` patterns, and it spares the caller a copy)."""
    match = _TITLE_LINE.match(text)
    if match is None or _TEXT.search(text, match.end()) is None:
        return text, title, False
    line = match.group(1).strip()
    if title is not None and not _same_line(line, title):
        return text, title, False
    if title is None and not _looks_like_title(line):
        return text, None, False
    rest = text[match.end() - 1 :]
    again = _TITLE_LINE.match(rest)
    if (again is not None and _same_line(again.group(1), line)
            and _TEXT.search(rest, again.end()) is not None):
        rest = rest[again.end() - 1 :]
    return rest, title or line, True


# --- body boilerplate ------------------------------------------------------------------

_DATELINE_REACH = 120  #: a dateline's "(AGENCY)" opens within this many characters
_DATELINE = re.compile(
    rf"[ \t]*(?:[A-Z][\w.'’ -]{{0,40}}(?:,[^\n()]{{1,40}})?[ \t]*)?\(({_AGENCY})\)"
    r"(?:[ \t]*(?:[—–]|-{1,2})[ \t]*|(?=[A-Z]))"
)
#: A press release's dateline: the place, the full date and perhaps the wire that spread it,
#: then a dash ("SPRINGFIELD, Ill., March 3, 2024 /PRNewswire/ -- Acme today announced ...").
#: Removed like an agency's; its date is the article's when nothing else dates it.
_RELEASE_DATELINE = re.compile(
    r"[ \t]*[A-Z][\w.'’ -]{0,40}?(?:,[ \t]*[A-Z][\w.'’ -]{0,30}?)?,[ \t]*"
    rf"(?P<when>(?i:{_DATE.pattern}))[ \t]*(?:/[ \t]*(?P<wire>[^/\n]{{2,40}}?)[ \t]*/[ \t]*)?"
    r"(?:-{1,2}|[—–])[ \t]*(?=\S)"
)
_RELEASE_DATELINE_REACH = 100  #: the dash closing a release dateline comes within this many characters
#: A company's legal form closing an "About ..." heading ("About Acme, Inc.").
_COMPANY_SUFFIX = r"(?:Inc|Corp|Co|Ltd|LLC|L\.L\.C|plc|PLC|S\.A|N\.V|AG|SE|GmbH)\.?"
#: The longest closing "About ..." section (a press release's "About the company", an
#: author's bio) that is boilerplate; a longer one is text of the article.
_ABOUT_SECTION_MAX = 3000
#: Paragraphs that speak to the reader about the article rather than report: an editor's
#: note (a standing disclaimer under every article on one subject, a correction, "this
#: story was updated"), a newsletter promo ("Sign up for our newsletter", "enter your email
#: address": :func:`_notice_spans`) and a list of related headlines under a "Related:"
#: heading. Each is removed whole, an editor's note with the lines that continue it (a line
#: not closed by sentence punctuation runs on into a next line that opens in lower case), at
#: most ``_NOTICE_MAX`` characters and only where at least as much text (or
#: ``_NOTICE_REST`` characters) is left. Promos and editor's notes that recur in many
#: articles are also found by their document frequency (:mod:`newstrace.match.boilerplate`);
#: these rules catch the ones that only two articles share, or that vary in spacing.
_NOTICE_MAX = 1000
_NOTICE_REST = 200
_EDITOR_NOTE = (r"[(\[]?(?:Editor|EDITOR|Editors|EDITORS)['’]?[sS]?['’]?[ \t]+(?:[Nn]ote|NOTE)[ \t]*[:—–-]"
                r"[^\n]*(?:(?<![.!?…:\"'”’)\]])\n[ \t]*[a-z][^\n]*)*")
#: The labels a list of related headlines and a single teaser both go under.
_RELATED_LABEL = r"Related|RELATED|Read [Mm]ore|READ MORE|See [Aa]lso"
_RELATED_HEADING = (rf"[\"“]?(?:{_RELATED_LABEL}|Related (?:[Ss]tories|[Aa]rticles|[Cc]overage|[Ll]inks|[Rr]eading)"
                    r"|More [Oo]n [Tt]his|You [Mm]ay [Aa]lso [Ll]ike)[ \t]*:?[\"”]?")
#: A related headline on its heading's own line, as news sites set them between paragraphs
#: ("RELATED: Storm leaves thousands without power", "ALSO READ: ..."): removed like a list
#: under a heading when what follows the colon reads as a headline (:func:`_is_headline`).
_RELATED_TEASER = (rf"(?:{_RELATED_LABEL}|Related (?:[Ss]tory|[Ss]tories|[Aa]rticle|[Cc]overage)"
                   r"|RELATED (?:STORY|STORIES|ARTICLE|COVERAGE)|Read [Aa]lso|READ ALSO|Also [Rr]ead|ALSO READ|SEE ALSO)"
                   r"[ \t]*:[ \t]*(?P<teaser>[^\n]{3,200})")
#: A republication's attribution line: where the article was first published, which
#: republishing under a licence or a syndication deal requires ("This article is republished
#: from The Conversation under a Creative Commons license. Read the original article.",
#: "Originally published on Live Science.", a feed's "The post ... appeared first on ...").
#: A scraper's "Source: https://..." counts when it gives a web address (a data source,
#: "Source: U.S. Census Bureau", names no page the text came from).
#: The line is the republisher's boilerplate; the outlet it names (``origin``, cut by
#: :func:`_origin_name`) is where the copy came from. Only a whole line of this form counts:
#: "This story was published ..." names the article itself, where "The report was
#: published by ..." in a news story names what the story is about.
_ATTRIBUTION = (
    r"(?:(?:This[ \t]+(?:article|story|post|piece|column|essay|op-ed|commentary|content)"
    r"(?:[ \t]+(?:was|is|has[ \t]+been))?[ \t]+(?:(?:originally|first)[ \t]+)?"
    r"(?:published|appeared|posted|republished|reprinted|ran)"
    r"|(?:Originally|First)[ \t]+(?:published|appeared|posted|ran)"
    r"|(?:Republished|Reprinted)(?:[ \t]+with[ \t]+permission)?"
    r"|Read[ \t]+(?:more|the[ \t]+(?:full|original|complete)[ \t]+(?:article|story|post|report)))"
    r"[ \t]+(?:on|in|at|by|from|with(?:[ \t]+the)?[ \t]+permission[ \t]+(?:of|from))"
    r"|The[ \t]+post[ \t][^\n]{1,250}?[ \t]appeared[ \t]+first[ \t]+on"
    r"|(?:Source|Via|Original(?:[ \t]+(?:article|story))?)[ \t]*:(?=[ \t]*https?://))"
    r"[ \t]+(?P<origin>[^\n]{1,100}?)\.?(?:[ \t]+Read[ \t]+the[ \t]+original(?:[ \t]+(?:article|story|post))?\.?)?"
)
#: What may follow an attribution's outlet name on its line: a date, a licence, a partnership.
_ORIGIN_TRAILER = re.compile(
    r"(?:,?[ \t]+on[ \t]+(?:\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
    r"[a-z]*\.?[ \t])[^\n]{0,30}|[ \t]+under[ \t]+an?[ \t][^\n]{0,60}?licen[cs]e[^\n]{0,40}"
    r"|[ \t]+(?:as[ \t]+part[ \t]+of|in[ \t]+partnership[ \t]+with|with[ \t]+permission)[^\n]{0,80})$"
)
_ORIGIN_MAX = 60  #: a longer "name" is a sentence, not an outlet's name
_ORIGIN_WORDS = 8


def _origin_name(raw: str) -> str | None:
    """The outlet an attribution line names (a web address as its host, without
    ``www.``), or ``None`` when it names none: what is left after a date, licence or
    partnership is a sentence ("First published in The Lancet, the study found ...") or
    has no letter ("First published in 1998")."""
    trailer = _ORIGIN_TRAILER.search(raw)
    name = (raw[: trailer.start()] if trailer else raw).strip().strip("\"'“”‘’()[]").rstrip(".;:!").strip()
    host = re.match(r"(?:https?://)?(?:www\.)?([\w-]+(?:\.[\w-]+)+)(?:/\S*)?$", name)
    if host is not None and " " not in name:
        name = host.group(1)
    if "," in name or len(name) > _ORIGIN_MAX or len(name.split()) > _ORIGIN_WORDS:
        return None
    return name if any(c.isalpha() for c in name) else None


#: The characters a line that :data:`_LINE` removes can start with (after spaces; and a
#: digit): a look-ahead on them turns away blank lines and most lines of text at once,
#: before the engine tries every branch (a filter only: it changes no match). A new
#: branch of :data:`_LINE` adds its first characters here; "Image" is looked for as "Im"
#: beside the class, which an "I" would open to every line starting "It" or "In".
_LINE_FIRST = "".join(sorted(set("LPAFUYRrWECTMSOV•·|(—–-[\"“") | {name[0] for name in _NEWS_AGENCY_OF}))
#: Lines a news site's page template puts between paragraphs, which extraction keeps: the
#: advertisement slot's label ("Advertisement", "SKIP ADVERTISEMENT", "Story continues below
#: advertisement"), the paywall's "Continue reading the main story", a "Most Popular" or
#: "Recommended" rail's heading, and a photo's credit on a line of its own ("Image: Reuters",
#: "Photo: AP Photo/Evan Vucci"; at most six words after the colon, so a caption that
#: describes the picture in a sentence stays).
_WEB_FURNITURE = (
    r"(?:SKIP )?(?:Advertisement|ADVERTISEMENT)(?: - [Ss]croll to continue| - SCROLL TO CONTINUE)?"
    r"|(?:Story|Article) continues (?:below|after) (?:this )?(?:advertisement|ad)"
    r"|Continue reading (?:the main story|below)"
    r"|(?:Most Popular|MOST POPULAR|Most Read|MOST READ|Recommended(?: for you)?|Trending Now)"
    r"|(?:Image|Photo|Picture|Photograph)(?: credit)?:[ \t]*[^\s.!?]+(?:[ \t]+[^\s.!?]+){0,5}\.?"
)
#: Whole lines to remove. Every branch follows a newline, so the engine only tries line
#: starts. ``footer`` runs to the end of the text, and so does ``about``: a closing section
#: under a short "About ..." heading ("About Ascom", "About the author"; not a fact box
#: such as "About the prison:"), which two press releases of one company or two columns of
#: one writer share; ``published`` lines carry the date, ``attribution`` lines where the
#: article was first published.
_LINE = re.compile(
    rf"\n[ \t]*(?=[{re.escape(_LINE_FIRST)}\d]|Im)(?:"
    r"(?P<footer>(?:Leave a (?:Reply|reply|Comment|comment)|Post a Comment|Add a Comment"
    r"|\d+ Comments?)[^\n]{0,40}\n[\s\S]*)"
    rf"|(?P<about>About(?:[ \t]+[^\s.!?,;:]+){{1,6}}(?:,?[ \t]+{_COMPANY_SUFFIX})?[ \t]*\n"
    rf"[\s\S]{{1,{_ABOUT_SECTION_MAX}}}\Z)"
    r"|(?P<published>(?:[•·|][ \t]*)?(?:First |Last )?"
    r"(?:Published|PUBLISHED|Updated|UPDATED|Posted)(?:[ \t]+(?:on|at))?:?[ \t]*"
    r"(?P<when>[^\n]{0,80}))"
    r"|Your email address will not be published[^\n]{0,80}"
    r"|\(?(?:Additional )?[Rr]eporting by [^\n]{1,300}"
    r"|\(?(?:Writing|Editing|Compiled|Edited) by [^\n]{1,300}"
    r"|This (?:is a |story is a )?(?:developing|breaking)(?: news)? story[^\n]{0,150}"
    r"|This (?:story|article) (?:is developing|has been updated|will be updated)[^\n]{0,150}"
    r"|More to come\.?|Check back (?:for|soon)[^\n]{0,60}"
    rf"|{_WEB_FURNITURE}"
    r"|Share this (?:article|story|post|page)[^\n]{0,40}"
    r"|(?:Sign up|Subscribe)(?: now| today)? (?:for|to) [^\n]{1,100}"
    rf"|(?P<editor>{_EDITOR_NOTE})|(?P<related>{_RELATED_HEADING})|(?P<related_line>{_RELATED_TEASER})"
    r"|Follow (?:us|[^\n]{1,40}) on (?:Twitter|X|Facebook|Instagram|LinkedIn|Telegram|YouTube"
    r"|TikTok)[^\n]{0,80}"
    r"|The-\w+-Wire"
    rf"|(?P<attribution>{_ATTRIBUTION})"
    rf"|(?:[—–-]+[ \t]*)?(?:{_NEWS_AGENCY})"
    r")[ \t]*(?=\n|\Z)"
)
#: Short lines removed whole wherever the pattern sits in them: (guard, pattern). The
#: cheap substring guard spares a regex scan of texts that cannot match; a text is scanned
#: once for each guard (upper-case notices share one: both hold "IGHT"), and a guard
#: rarer than its pattern's start ("eserved", not "ights") spares most regex scans.
_KEYWORD_LINES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (guard, re.compile(pattern))
    for guard, pattern in (
        ("©", r"©"),
        ("Copyright", r"Copyright[^\n]{0,12}\d{4}"),
        ("eserved", r"ights [Rr]eserved"),
        ("IGHT", r"COPYRIGHT[^\n]{0,12}\d{4}|IGHTS RESERVED"),
        ("contributed", r"contributed (?:reporting|to (?:this|the) (?:report|story|article))"),
    )
)
_KEYWORD_LINE_MAX = 400
_PAREN_TAG = re.compile(
    r"\((?:(?:Source|Photo|Image|Picture|Credit|Video)s?[ \t]*:[^()\n]{1,80}"
    rf"|(?:{_NEWS_AGENCY}|EPA|Getty Images)(?:[ \t]*(?:/|via)[^()\n]{{1,40}})?"
    r"|[^()\n]{1,40}/(?:AFP|AP|Reuters|EPA|Getty Images)[^()\n]{0,40})\)(?=\n)"
)
#: A closing section with no "About ..." heading in which an organisation describes itself,
#: the standard last paragraphs of a press release ("Acme is a global provider of ...
#: Acme is headquartered in Springfield, employs 1,300 people and is listed on ..."). Two
#: releases of one company share it word for word and nothing else. It opens a paragraph
#: with a name and "is a/an/the/one of", runs to the end of the text (at most
#: ``_SELF_DESCRIPTION_MAX`` characters and ``_SELF_DESCRIPTION_PARAGRAPHS`` paragraphs, the
#: text before it at least half as long), names the organisation again and states facts of at
#: least ``_COMPANY_FACT_KINDS`` of the kinds in :data:`_COMPANY_FACTS`; a background
#: paragraph of a news story (a defendant's record, an airline's fleet) states none.
_SELF_DESCRIPTION_MAX = 1500
_SELF_DESCRIPTION_PARAGRAPHS = 3
#: The opening's " is " or " are " lies within this many characters of the line start.
_SELF_OPENING_REACH = 200
_SELF_OPENING = re.compile(
    r"\n[ \t]*(?P<name>[A-Z][\w&'’.-]*(?:[ \t]+(?:[A-Z][\w&'’.-]*|&|of|and|de)){0,4}?)"
    rf"(?:,?[ \t]+{_COMPANY_SUFFIX})?(?:[ \t]+\([^()\n]{{1,40}}\))?,?[ \t]+"
    r"(?:is|are)[ \t]+(?:a|an|the|one[ \t]+of)[ \t]"
)
#: Kinds of fact an organisation states about itself.
_COMPANY_FACTS = tuple(re.compile(pattern) for pattern in (
    r"\b(?:headquartered|headquarters|[Hh]ead [Oo]ffice)\b",  # where it sits
    r"\b(?:employs|employees|workforce|staff of)\b",  # how many work for it
    r"\b(?:[Ff]ounded|[Ee]stablished) in \d{4}\b|\b[Ss]ince \d{4}\b",  # since when
    r"\b(?:[Ll]isted on|[Tt]raded on|Stock Exchange|NYSE|NASDAQ|Nasdaq)\b",  # its shares
    r"\b(?:offices|subsidiaries|businesses|operations|presence|customers)"  # where it works
    r" in (?:more than |over |about |around |some )?\d[\d,]*\+? (?:countries|markets|locations)",
    r"(?:\bwww\.|https?://|\b[Ff]or more information\b)",  # where to read more
))
_COMPANY_FACT_KINDS = 2
#: The longest line that is a promo.
_PROMO_MAX = 300
#: The longest line a keyword rule or a promo removes (see :func:`_short_lines`).
_SHORT_LINE = max(_KEYWORD_LINE_MAX, _PROMO_MAX)
#: Substrings one of which every match of :data:`_PROMO_ACTION` holds (a regex scan of a
#: whole text costs far more than these searches).
_PROMO_ACTIONS = ("ign up", "igning up", "ubscrib", "lick here", "licking here", "nter your", "ntering your")
_PROMO_ACTION = re.compile(
    r"\b(?:[Ss]ign(?:ing)? up|[Ss]ubscrib(?:e|ing)|[Cc]lick(?:ing)? here|[Ee]nter(?:ing)? your e-?mail)\b"
)
#: The reader is told to act: the action opens a sentence or a clause ("For more, sign up"),
#: or the line speaks to the reader ("you", "your", "our newsletter").
_PROMO_IMPERATIVE = re.compile(
    r"(?:^|\n|(?<=[.!?:,;(—–-]\s)|(?<=[.!?:,;(—–-])|(?<=\b[Jj]ust\s))[ \t]*"
    r"(?:[Ss]ign up|[Ss]ubscribe|[Cc]lick here|[Ee]nter your e-?mail)\b"
)
_READER = re.compile(r"\b(?:[Yy]ou|[Yy]our|[Oo]ur)\b")
_PROMO_TARGET = re.compile(
    r"\b(?:[Nn]ewsletters?|inbox|[Ee]nter(?:ing)? your e-?mail|(?:via|by) e-?mail|get an e-?mail"
    r"|e-?mail (?:address|updates|alerts))\b"
)
_HEADLINE_WORDS = 20
_NEXT_LINE = re.compile(r"\n[ \t]*([^\n]*)")
_CAPITALISED = re.compile(r"[\"“‘'(]?[A-Z0-9]")
#: A line that closes a sentence: a stop, then closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def _is_headline(line: str) -> bool:
    """A line that reads as a linked headline: at most ``_HEADLINE_WORDS`` words, and every
    word of four letters or more capitalised, or no sentence punctuation closing it."""
    words = line.split()
    if not words or len(words) > _HEADLINE_WORDS:
        return False
    long_words = [w for w in words if sum(c.isalpha() for c in w) >= 4]
    title_case = bool(long_words) and all(_CAPITALISED.match(w) for w in long_words)
    return title_case or not _SENTENCE_END.search(line)


def _notice_spans(text: str, short: str) -> list[_Span]:
    """Spans of newsletter promos: a line of at most ``_PROMO_MAX`` characters that tells the
    reader to sign up, subscribe or click for a newsletter or email updates (``short``:
    :func:`_short_lines` of ``text``, where such a line must be)."""
    found = []
    if (("mail" in short or "ewsletter" in short or "inbox" in short)  # what every target holds
            and any(action in short for action in _PROMO_ACTIONS)):
        for start, end in sorted(_lines_holding(text, _PROMO_ACTIONS)):
            line = text[start:end]
            if (end - start <= _PROMO_MAX and _PROMO_ACTION.search(line) and _PROMO_TARGET.search(line)
                    and (_PROMO_IMPERATIVE.search(line) or _READER.search(line))):
                found.append(_Span(start, end, False))
    return [span for span in found if _leaves_text(text, span)]


def _lines_holding(text: str, needles: tuple[str, ...]) -> set[tuple[int, int]]:
    """The bounds of every line of ``text`` that holds one of ``needles`` (substring
    searches: a regular expression scanning the whole text costs far more)."""
    lines = set()
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            lines.add(_line_bounds(text, at))
            at = text.find(needle, at + 1)
    return lines


def _leaves_text(text: str, span: _Span) -> bool:
    """Whether removing a notice ``span`` (at most ``_NOTICE_MAX`` characters) leaves at
    least as much text, or ``_NOTICE_REST`` characters."""
    size = span.end - span.start
    return size <= _NOTICE_MAX and len(text.strip()) - size >= min(size, _NOTICE_REST)


def _related_end(text: str, end: int) -> int:
    """Where the list of headlines after a "Related:" heading ending at ``end`` ends (``end``
    when no headline follows)."""
    last = end
    for line in _NEXT_LINE.finditer(text, end):
        if line.group(1).strip():
            if not _is_headline(line.group(1).strip()):
                break
            last = line.end()
    return last


#: Tags that close a photo caption at the end of a line: (guard, pattern).
_CAPTION_TAGS = (
    (")\n", _PAREN_TAG),
    *(
        (tag + "\n", re.compile(re.escape(tag) + r"(?=\n)"))
        for tag in ("Getty Images", "File photo", "File Photo", "FILE PHOTO")
    ),
)
_SENTENCE_START = re.compile(r"(?<=[.!?])[\"'”’]?\s+(?=[\"“‘(]?[A-Z])")
#: Photo captions close with the day the picture was taken: "..., on September 13, 2023."
_PHOTO_DATE_END = re.compile(rf"(?:{_DATE.pattern})\.\s*$", re.IGNORECASE)
_BLANK_RUNS = re.compile(r"\n\n\n+")


def _strip_trailing_spaces(text: str) -> str:
    if " \n" not in text and ("\t" not in text or "\t\n" not in text):
        return text
    return "\n".join([line.rstrip(" \t") for line in text.split("\n")])


def _line_ends(text: str) -> set[str]:
    """The characters that close a line of ``text`` (each one just before a newline at
    position 1 or later), and ``"\n\n"`` when three newlines in a row start at position
    1 or later. One pass of single-character searches (about 16 lines an article) answers
    the guards ``tag + "\n" in text`` of every tag that cannot close a line, and
    ``"\n\n\n" in text``, where each such substring search scans the whole text."""
    ends = set()
    find = text.find
    before = previous = -3
    at = find("\n", 1)
    while at >= 0:
        ends.add(text[at - 1])
        if at - before == 2:
            ends.add("\n\n")
        before, previous = previous, at
        at = find("\n", at + 1)
    return ends


def _short_lines(text: str) -> str:
    """The lines of ``text`` of at most ``_SHORT_LINE`` characters, joined: where the guards
    of :func:`_keyword_spans` and :func:`_notice_spans` search, as every line those remove
    is one of them. Most of a news article is paragraphs longer than that, which each
    substring search would otherwise scan again."""
    return "\n".join([line for line in text.split("\n") if len(line) <= _SHORT_LINE])


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _caption_start(text: str, line_start: int, tag_start: int) -> int:
    """Where the caption closed by the tag at ``tag_start`` begins: the sentence the tag
    closes, and the sentences before it that end with a photo date."""
    line = text[line_start:tag_start].rstrip()
    starts = [0] + [m.end() for m in _SENTENCE_START.finditer(line)]
    keep = len(starts) - 1
    while keep > 0 and _PHOTO_DATE_END.search(line[starts[keep - 1] : starts[keep]][-40:]):
        keep -= 1
    return line_start + starts[keep]


@dataclass
class _Span:
    start: int
    end: int
    carries_credit: bool = True


def _line_spans(text: str) -> tuple[list[_Span], str | None, str | None]:
    """Spans of the whole boilerplate lines of ``text``, the first "Published" date and
    the outlet the first attribution line names."""
    spans: list[_Span] = []
    published = origin = None
    for m in _LINE.finditer(text):
        if m.group("attribution") is not None:  # the republisher's line, no credit of its own
            named = _origin_name(m.group("origin"))
            if named is not None:
                origin = origin or named
                spans.append(_Span(m.start() + 1, m.end(), False))
            continue
        if m.group("published") is not None:
            when = iso_date(m.group("when"))
            if when is None:
                continue
            published = published or when
        if m.group("related_line") is not None:
            notice = _Span(m.start() + 1, m.end(), False)
            if _is_headline(m.group("teaser").strip()) and _leaves_text(text, notice):
                spans.append(notice)
            continue
        if m.group("editor") is not None or m.group("related") is not None:
            related = m.group("related") is not None
            notice = _Span(m.start() + 1, _related_end(text, m.end()) if related else m.end(), False)
            if (notice.end > m.end() or not related) and _leaves_text(text, notice):
                spans.append(notice)
            continue
        closing = m.group("footer") is not None or m.group("about") is not None
        spans.append(_Span(m.start() + 1, m.end(), not closing))
    return spans, published, origin


def _keyword_spans(text: str, short: str) -> list[_Span]:
    """Spans of the short lines that :data:`_KEYWORD_LINES` removes (``short``:
    :func:`_short_lines` of ``text``; each guard lies in the line of its pattern's match)."""
    spans = []
    for guard, pattern in _KEYWORD_LINES:
        if guard in short:
            for m in pattern.finditer(text):
                start, end = _line_bounds(text, m.start())
                if end - start <= _KEYWORD_LINE_MAX:
                    spans.append(_Span(start, end))
    return spans


def _caption_spans(text: str, line_ends: set[str]) -> list[_Span]:
    """Spans of photo captions; ``line_ends``: the characters that may close a line of
    ``text`` (:func:`_line_ends`, or a superset)."""
    spans = []
    for guard, pattern in _CAPTION_TAGS:
        if guard[-2] in line_ends and guard in text:
            for m in pattern.finditer(text):
                start, _ = _line_bounds(text, m.start())
                spans.append(_Span(_caption_start(text, start, m.start()), m.end()))
    return spans


def _self_description_spans(text: str) -> list[_Span]:
    """The span of a closing self-description of an organisation (:data:`_SELF_OPENING`),
    at most one: the earliest of the last ``_SELF_DESCRIPTION_PARAGRAPHS`` lines that opens
    one and passes every test."""
    stop = len(text.rstrip())
    starts = []  # the newlines before the last lines that hold text, last first
    at = stop
    while len(starts) < _SELF_DESCRIPTION_PARAGRAPHS and at > 0:
        at = text.rfind("\n", 0, at)
        if at < 0:
            break
        if text[at + 1 : at + 2].strip():
            starts.append(at)
    for at in reversed(starts):
        if text.find(" is ", at, at + _SELF_OPENING_REACH) < 0 and text.find(" are ", at, at + _SELF_OPENING_REACH) < 0:
            continue  # no opening there (a cheap test first)
        m = _SELF_OPENING.match(text, at)
        if m is None or stop - at > _SELF_DESCRIPTION_MAX:
            continue
        section = text[at + 1 :].strip()
        name = m.group("name").split()[0]
        if (2 * len(text[:at].strip()) >= len(section) and section.count(name) >= 2
                and sum(bool(fact.search(section)) for fact in _COMPANY_FACTS) >= _COMPANY_FACT_KINDS):
            return [_Span(at + 1, len(text), False)]
    return []


def _remove_spans(text: str, spans: list[_Span]) -> tuple[str, list[str], list[str]]:
    """Cut the (possibly overlapping) spans out of ``text``: the rest, the removed blocks
    and the credits the removed blocks carry."""
    kept: list[str] = []
    removed: list[str] = []
    credits: list[str] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span.end <= pos:
            continue
        start = max(span.start, pos)
        kept.append(text[pos:start])
        block = text[start : span.end].strip()
        if block:
            removed.append(block)
            if span.carries_credit:
                credits += _block_credits(block)
        pos = span.end
    kept.append(text[pos:])
    return "".join(kept), removed, credits


def _block_credits(block: str) -> list[str]:
    if block.startswith("The-") and block.endswith("-Wire"):
        return credits_in(block[4:-5])
    if "Editing by" in block and "eporting by" in block:
        return ["Reuters"]
    return credits_in(block)


def _release_dateline(text: str, at: int) -> re.Match[str] | None:
    """A press release's dateline opening ``text`` at ``at`` (:data:`_RELEASE_DATELINE`):
    searched only when a dash and a year's digits come early enough."""
    head = text[at : at + _RELEASE_DATELINE_REACH]
    if not ("--" in head or "—" in head or "–" in head or " - " in head) or _YEAR.search(head) is None:
        return None
    return _RELEASE_DATELINE.match(text, at)


_YEAR = re.compile(r"\d{4}")


# --- text decoded with the wrong charset --------------------------------------------

#: What UTF-8 read as Windows-1252 (or Latin-1) opens with: "â€™" (or "â\x80\x99") for "’",
#: "Ã©" for "é", "Â " for a no-break space. Only a text holding one of these characters is
#: handed to ftfy (a search for one character is ten times faster than for two).
_MOJIBAKE = ("Ã", "Â", "â")


def repaired(text: str) -> str:
    """``text`` with mojibake undone (ftfy's ``fix_encoding``: only where it is sure the
    characters are UTF-8 decoded with another charset upstream, as scraped corpora and feeds
    hold them), so that quotation marks are quotation marks again; any other text as it is."""
    if not (_MOJIBAKE[0] in text or _MOJIBAKE[1] in text or _MOJIBAKE[2] in text):
        return text
    return ftfy.fix_encoding(text)


# --- hard-wrapped text ----------------------------------------------------------------

#: Plain-text feeds, e-mail bulletins and old wire copy break every line at a fixed width
#: (often 65-80 characters). Widths read as one: from ``_WRAP_WIDTH_MIN`` to ``_WRAP_WIDTH_MAX``.
_WRAP_WIDTH_MIN, _WRAP_WIDTH_MAX = 40, 132
#: A text is hard-wrapped when at least this many of its lines go on into the next one,
#: a third of the lines that hold text or more, most of them stopping inside a sentence (a
#: list of one sentence a line can fill its lines as a wrapper would), and those are this
#: share of its long lines (half its width or more) that stop inside a sentence and that
#: another line follows.
_WRAP_LINES_MIN = 4
_WRAP_SHARE = 0.8


def _wrapped_lines(lines: list[str], width: int) -> list[bool]:
    """Per line: whether it goes on into the next line as a wrapper filling lines up to
    ``width`` leaves it, the next line's first word too long to fit after it."""
    goes_on = [False] * len(lines)
    for i in range(len(lines) - 1):
        line, following = lines[i], lines[i + 1].lstrip()
        if line and following and len(line) <= width:
            goes_on[i] = len(line) + 1 + len(following.split(None, 1)[0]) > width
    return goes_on


def unwrap_lines(text: str) -> str:
    """``text`` with hard-wrapped paragraphs joined, each into one line (a line break that
    only wrapped becomes a space; a word broken after its hyphen is joined whole); any
    other text is returned as it is.

    A wrapper fills each line up to its width and breaks where the next word would not
    fit, so a line goes on into the next when the next line's first word would have
    overrun the text's width (its longest line of up to ``_WRAP_WIDTH_MAX`` characters).
    A paragraph's last line, a heading or a list entry is short of that and stays a line
    of its own; where no blank line parts paragraphs, so does a line that ends a sentence."""
    if len(text) > (text.count("\n") + 1) * _WRAP_WIDTH_MAX:  # lines longer than any wrap
        return text
    lines = [line.rstrip() for line in text.split("\n")]
    width = max((len(line) for line in lines if len(line) <= _WRAP_WIDTH_MAX), default=0)
    if width < _WRAP_WIDTH_MIN:
        return text
    goes_on = _wrapped_lines(lines, width)
    open_ = [not _SENTENCE_END.search(line) for line in lines]
    wrapped = sum(goes_on)
    wrapped_open = sum(on and still for on, still in zip(goes_on, open_))
    long_open = sum(1 for i, line in enumerate(lines[:-1])
                    if open_[i] and width >= len(line) >= width / 2 and lines[i + 1].strip())
    with_text = sum(1 for line in lines if line.strip())
    if (wrapped < _WRAP_LINES_MIN or 2 * wrapped_open < wrapped or wrapped_open < _WRAP_SHARE * long_open
            or 3 * wrapped < with_text):
        return text
    # Without blank lines between paragraphs, a line closing a sentence may close its paragraph.
    parted = any(not line for line in lines[1:-1])
    joined = [lines[0]]
    for line, on, still in zip(lines[1:], goes_on, open_):
        if not on or not (still or parted):
            joined.append(line)
        elif joined[-1].endswith("-") and joined[-1][-2:-1].isalpha():
            joined[-1] += line.lstrip()
        else:
            joined[-1] += " " + line.lstrip()
    return "\n".join(joined)


# --- the whole pass ------------------------------------------------------------------


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def clean_text(raw: str, *, title: str | None = None) -> Cleaned:
    """Split ``raw`` into a clean body, metadata, credits and removed boilerplate.

    ``title``, when known (from HTML or a record), is removed from the head of the body
    instead of guessing a title line.
    """
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    raw = unwrap_lines(repaired(raw))
    # The body with a newline in front (so every line, the first too, follows one) and
    # at the end, built in one copy. Cutting a head off it below (metadata, title,
    # dateline) and putting a newline back in front leaves each line closed by the
    # character that closed it here, or by a newline, and makes no new run of three
    # newlines past the first character: so these line ends serve the guards below.
    text = f"\n{raw}\n"
    fronted = True  # text[0] is that newline
    line_ends = _line_ends(text)
    if " " in line_ends or "\t" in line_ends:  # what _strip_trailing_spaces would test
        text = _strip_trailing_spaces(text)
        line_ends = _line_ends(text)

    date = byline = outlet = None
    credits: list[str] = []
    meta = _META_LINE.match(text)
    if meta is not None:
        date = meta.group(1)
        if meta.group(2):
            byline, outlet = split_byline(meta.group(2))
            credits += credits_in(meta.group(2))
        text, fronted = text[meta.end() :], False
    text, title, taken = _take_title(text, title)
    fronted = fronted or taken

    boilerplate: list[str] = []
    head = _TEXT.search(text)  # where text.lstrip() would start
    at = len(text) if head is None else head.start()
    dated = None
    dateline = _DATELINE.match(text, at) if "(" in text[at : at + _DATELINE_REACH] else None
    if dateline is not None:
        boilerplate.append(dateline.group().strip())
        credits.append(_AGENCY_OF[dateline.group(1)])
        dated = iso_date(dateline.group())  # "LONDON, Nov. 18, 2019 (Reuters) -"; none without a year
        text, fronted = text[dateline.end() :], False
    elif (release := _release_dateline(text, at)) is not None:
        boilerplate.append(release.group().strip())
        credits += credits_in(release.group("wire") or "")
        dated = iso_date(release.group("when"))
        text, fronted = text[release.end() :], False

    if not fronted:
        text = "\n" + text
    spans, published, origin = _line_spans(text)
    short = _short_lines(text)
    spans += _keyword_spans(text, short) + _caption_spans(text, line_ends)
    spans += _self_description_spans(text) + _notice_spans(text, short)
    if spans:
        text, removed, found = _remove_spans(text, spans)
        text = _strip_trailing_spaces(text)
        boilerplate += removed
        credits += found
    if (spans or "\n\n" in line_ends or text.startswith("\n\n\n")) and "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return Cleaned(
        text=text.strip(),
        title=title,
        date=date or published or dated,
        byline=byline,
        credits=_unique(credits),
        boilerplate=boilerplate,
        outlet=outlet,
        republished_from=origin,
    )


def clean_texts(raws: Iterable[str]) -> list[Cleaned]:
    """:func:`clean_text` over many texts."""
    return [clean_text(raw) for raw in raws]
