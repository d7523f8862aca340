"""``newstrace follow``: poll RSS/Atom feeds, fetch the new article pages and analyse them.

Each poll reads every feed (feedparser, through :func:`newstrace.ingest.feeds.feed_records`), fetches the pages of entries not stored yet
(httpx, with timeouts and a size cap, honouring robots.txt and waiting between two requests
to one host), writes them as JSON records (``url``, ``html``, ``title``, ``date``,
``outlet``) under ``<db>.follow/`` and runs :func:`newstrace.digest` on them, so they are
ingested like any other input and compared against the store (``scope="run"``: the digests
of the stories a poll made or changed are made, not those of every story of the store). A
feed or page that fails is logged and tried again at the next poll; it never stops the others. The links already
fetched are kept in the store's run state, so a restarted follower fetches nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from newstrace.ingest.feeds import feed_records
from newstrace.store import Store, StoreBusy
from newstrace.web.views.common import safe_url

log = logging.getLogger("newstrace.follow")
USER_AGENT = "newstrace-follow/0.1"
#: Seconds a feed or page request may take.
TIMEOUT_SECONDS = 20.0
#: The largest feed or page read, in bytes.
MAX_BYTES = 5_000_000
#: Seconds between two requests to one host.
HOST_INTERVAL_SECONDS = 1.0
#: Run-state key under which the fetched links are kept.
SEEN_STATE = "follow-seen"


class TooLarge(Exception):
    """A response past :data:`MAX_BYTES`."""


@dataclass
class PollResult:
    """What one poll did: pages fetched (and stored as new articles), links skipped by
    robots.txt, and the feeds and pages that failed (to be tried again)."""

    fetched: list[str] = field(default_factory=list)
    articles_new: int = 0
    disallowed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass
class Follower:
    """Follows ``feeds`` into the store at ``db``."""

    db: Path
    feeds: list[str]
    client: httpx.Client = field(default_factory=lambda: httpx.Client(
        timeout=TIMEOUT_SECONDS, follow_redirects=True, headers={"User-Agent": USER_AGENT}))
    host_interval: float = HOST_INTERVAL_SECONDS
    sleep: Callable[[float], None] = time.sleep
    _robots: dict[str, RobotFileParser | None] = field(default_factory=dict)
    _last_request: dict[str, float] = field(default_factory=dict)

    def poll(self) -> PollResult:
        """Read every feed once, fetch the new pages, analyse them."""
        result = PollResult()
        seen = self._seen()
        records = []
        for feed in self.feeds:
            try:
                entries = self._entries(feed)
            except Exception as exc:  # one feed failing never stops the others
                result.failed[feed] = _reason(exc)
                log.warning("feed %s failed: %s (tried again at the next poll)", feed, result.failed[feed])
                continue
            for entry in entries:
                link = entry["url"]
                if link in seen or link in result.fetched:
                    continue
                if not self._allowed(link):
                    result.disallowed.append(link)
                    continue
                try:
                    html = self._get(link).decode("utf-8", errors="replace")
                except Exception as exc:
                    result.failed[link] = _reason(exc)
                    log.warning("page %s failed: %s (tried again at the next poll)", link, result.failed[link])
                    continue
                records.append({**entry, "html": html})
                result.fetched.append(link)
        if records:
            result.articles_new = self._analyse(records)
            self._remember(seen | set(result.fetched))
        return result

    def run(self, every: float, polls: int | None = None) -> None:
        """Poll every ``every`` seconds (``polls`` times, or until interrupted)."""
        done = 0
        while polls is None or done < polls:
            started = time.monotonic()
            result = self.poll()
            log.info("poll: %d fetched, %d new articles, %d failed, %d disallowed by robots.txt",
                     len(result.fetched), result.articles_new, len(result.failed), len(result.disallowed))
            done += 1
            if polls is None or done < polls:
                self.sleep(max(0.0, every - (time.monotonic() - started)))

    def _entries(self, feed: str) -> list[dict[str, str]]:
        """The http(s) entries of a feed as article records (no html yet:
        :func:`~newstrace.ingest.feeds.feed_records`' url, title, date and outlet)."""
        entries = []
        for record in feed_records(self._get(feed)):
            link = safe_url(record.get("url"))
            if link is not None:
                entries.append({key: record[key] for key in ("title", "date", "outlet") if key in record} | {"url": link})
        return entries

    def _get(self, url: str) -> bytes:
        """The body of ``url`` (at most :data:`MAX_BYTES`), waiting for its host's turn."""
        host = urlsplit(url).netloc
        wait = self._last_request.get(host, float("-inf")) + self.host_interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last_request[host] = time.monotonic()
        with self.client.stream("GET", url) as response:
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise TooLarge(f"over {MAX_BYTES:,} bytes")
        return bytes(body)

    def _allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets this follower fetch ``url`` (no robots.txt: yes)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            try:
                robots = RobotFileParser()
                robots.parse(self._get(origin + "/robots.txt").decode("utf-8", errors="replace").splitlines())
                self._robots[origin] = robots
            except Exception:  # none, or unreadable: nothing is disallowed
                self._robots[origin] = None
        robots = self._robots[origin]
        return robots is None or robots.can_fetch(USER_AGENT, url)

    def _analyse(self, records: list[dict[str, str]]) -> int:
        """Write the records under ``<db>.follow/`` and analyse them; how many were new."""
        import newstrace

        folder = self.db.with_name(self.db.name + ".follow")
        folder.mkdir(exist_ok=True)
        name = time.strftime("%Y%m%d-%H%M%S-") + hashlib.sha256(records[0]["url"].encode()).hexdigest()[:8]
        path = folder / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        while True:
            try:
                # workers=1: no processes forked from a thread; scope "run": the digests of the stories
                # this poll made or changed, not of every story of a large store
                report = newstrace.digest([path], db=self.db, workers=1, scope="run")
            except StoreBusy:
                log.info("%s is busy with another run; waiting", self.db)
                self.sleep(2.0)
                continue
            return int(report.stats.get("articles_new", 0))

    def _seen(self) -> set[str]:
        with Store(self.db) as store:
            return set(store.get_state(SEEN_STATE) or [])

    def _remember(self, seen: set[str]) -> None:
        with Store(self.db) as store:
            store.put_state(SEEN_STATE, sorted(seen))


def read_feeds(path: Path) -> list[str]:
    """The feed URLs of a file: one a line; blank lines and ``#`` comments skipped."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def parse_every(text: str) -> float:
    """Seconds in ``"90"``, ``"90s"``, ``"10m"`` or ``"1h"`` (``ValueError`` otherwise)."""
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "s")
    seconds = float(number) * units[unit]
    if seconds <= 0:
        raise ValueError(text)
    return seconds


def _reason(exc: Exception) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    return f"{type(exc).__name__}: {exc}"
