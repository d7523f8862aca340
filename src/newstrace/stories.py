"""Incremental story clustering: articles about the same real-world event grouped into stories.

Each article is described by three unit vectors: its MiniLM embedding (of title + lead, see
:func:`encode_leads`), a hashed, IDF-weighted bag of cheap named entities (capitalised words
and numbers, see :func:`~newstrace.text.names.extract_entities`) and a hashed, IDF-weighted bag of its words (stop
words left out). A story keeps the running sum of its members' vectors; an article's
affinity to a story is its mean (average-link) similarity to the story's members,

    ``embedding_weight * mean cos(embeddings) + entity_weight * mean cos(entity bags)
    + word_weight * mean cos(word bags)``,

computed in one dot product with the story's mean vectors. Unlike the cosine to a normalised
centroid, the mean drops as a story gets diffuse, so a story that absorbed a look-alike event
does not keep attracting more.

The weights and threshold depend on the article's length: a long article's names and numbers
are the best evidence, but a short lead (a title and a paragraph) names few, and its words
and embedding carry more; ``short_weights`` apply up to ``short_words`` words, the long ones
from ``long_words``, blended between. Undated articles are never out of a time window.

A batch is placed group by group (``group_size`` articles at a time, see
:meth:`StoryClusterer._groups`): its articles are first grouped by average-link agglomeration
of pair affinities, each judged against the two articles' backgrounds as in CSLS
nearest-neighbour retrieval (an article's background is its mean affinity to its
``group_neighbours`` most similar other articles and earlier stories); a pair scores when its
affinity reaches ``group_ratio`` times the mean of the two backgrounds. An article about a
topic that is always in the news (an election, a pandemic) resembles many others a little;
what tells its event's other reports apart is how far they stand out from what it resembles,
not the raw similarity, and a ratio (not a difference) keeps that judgement the same whether
a story has three reports or thirty. Each group then joins the earlier story that suits it
best if its mean affinity to it stands out from the members' backgrounds as a pair must (see
:meth:`StoryClusterer._story_to_join`), or opens a story. An article then still alone joins
the story it suits best where that story stands out from the other candidates the same way
(a report that tells its event in its own words resembles that event more than any other,
if not by much). Placing a whole batch at once, no report is stuck with a choice made
before its event's other reports came.

Standing out is evidence for short leads, whose absolute affinities are low and noisy; a
long article must also reach its threshold (``long_floor``, in units of the threshold,
blended in by length like the weights) to group with another or to join a story by
standing out. Without it, in a sparse collection (a crawl of many sites, a week of varied
news) every article's background is low, so its nearest neighbour "stands out" whatever it
is: on the 181 real pages of ``benchmarks/bench_real_pages.py``, Black Friday deal lists,
five different sports results and a media column beside a football transfer each became
one story of several "independent reports" (false-merge pairs 67 -> 14 with it, every one
of the 41 same-event pairs still together; ECB+ ARI 0.893 -> 0.888, AllSides train leads
unchanged, as they are short). A pair's floor is the higher of its two articles' floors (a
long article paired with a short one must still reach its own threshold), a story keeps the
highest floor of its members for articles that join it by standing out, and any pair must
reach ``group_floor`` (0.5 of the threshold): on AllSides ``train`` 99.7% of reports have an
own-event report at that affinity or more, while two short unrelated pages of a sparse crawl
do not. Real pages: false-merge pairs 16 -> 12, stories counting unrelated pages as
independent reports 10 -> 6, the 41 same-event pairs still together; AllSides ``train``
(8 collections of 307 events) 0.897 -> 0.896 events in one story, B-cubed F1 0.903 -> 0.903;
ECB+ ARI 0.888 -> 0.879, B-cubed F1 0.917 -> 0.909 (the tuned TF-IDF baseline: 0.829, 0.887).

The optional refinement (``refine_passes``, off by default) then moves each article to the
story it suits best, its own story judged without it, where that story stands out from the
next ``background_stories`` candidates by ``background_margin`` and each story's score is
lowered by its members' mean *hubness* (``hub_weight`` times their mean affinity to the
``hub_stories`` best stories other than their own). It was the second stage of the earlier
one-by-one assignment; after grouping it costs more events than it saves on short leads.

``group_neighbours`` and ``group_ratio`` were chosen on NeuS-AllSides ``train`` leads, in
collections of 307 events like ``val`` (events 0-1227; the one-by-one assignment with
refinement before -> now: events whose 3 reports end in one story 0.82 -> 0.89, B-cubed F1
0.907 -> 0.901; on events 0-2451, 0.82 -> 0.88 and 0.908 -> 0.896), with ECB+ (full
articles, ~12 per story) no worse (ARI 0.886 -> 0.893, B-cubed F1 0.911 -> 0.922). Without
the step for articles left alone: 0.88 and 0.903 on events 0-1227, ECB+ ARI 0.880. Three
neighbours join more AllSides reports (0.90) but merge more events (F1 0.882); a ratio of
0.75 splits ECB+ stories (ARI 0.79).
Through the whole product (``benchmarks/bench_allsides.py``; ``val``, held out): 248 of 307
events = 0.808 as one story of 3 independent reports (0.765 before), B-cubed F1 0.885 (0.890
before; the tuned TF-IDF baseline 0.846); most failures left are events split across stories
(55) and derived relations inside an event (4).

The short-text weights (embedding, entities, words: 0.5, 0.12, 0.38) are a logistic
regression of "same event" on the three similarities of each AllSides ``train`` article's
nearest neighbours (``bench_allsides.py --fit-weights``, with the hand-set 0.3, 0.1, 0.6 in use
and plain lead vectors: 0.504, 0.124, 0.372, held-out average precision higher in each of four
folds grouped by event, +0.005 to +0.010; fitted again with these in use and headline-leaning
vectors: 0.48, 0.116, 0.404, the same held-out average precision within 0.001);
with them, short texts group at ``short_group_ratio`` 0.74 (0.7 lets the embedding-heavier
affinity merge look-alike events), and lead vectors lean towards their headline (see
:func:`encode_leads`). Offline, in ``train`` collections of 307 events: one story of 3 reports
0.889 -> 0.905 on events 0-1227 (where these were chosen), 0.878 -> 0.889 on events 1228-2451;
B-cubed F1 0.900 -> 0.905 and 0.898 -> 0.901; ECB+ ARI 0.893 -> 0.893, B-cubed F1 0.922 ->
0.921. Through the product, ``val``: 252 of 307 = 0.821 (0.808), B-cubed F1 0.887 (0.885),
derived inside 4; ``train`` first 300: 0.900 (0.887), B-cubed F1 0.903 (0.900). What is left
is mostly a report that reads more like another event's reports than its own (split: 51 on
``val``), which these three similarities cannot tell apart.

Grouping can still put one report of an event with a look-alike event's story while its
event's other two reports stay a pair (on AllSides ``train`` events 0-1227, 35 of the 118 events
split: the third report is the fourth member of another event's story). Each article of a
chunk that is not alone then moves to another of the chunk's stories when it is among the
``group_neighbours`` nearest articles of every member there (mutual nearest neighbours) and
resembles those members more, on average, than its own story's other members (see
:meth:`StoryClusterer._move_to_mutual_nearest`; no new parameter). Clusterer alone, AllSides
``train`` collections of 307 events: events in one story 0.9039 -> 0.9055 on events 0-1227,
0.8881 -> 0.8898 on events 1228-2455 (never fitted on), B-cubed F1 0.9047 -> 0.9052 and
0.9008 -> 0.9019 (a first version, mutual within 3 nearest: 0.897 and 0.887, F1 0.901 and 0.900).
Through the product, ``val``: 252 of 307 events as before (0.821), B-cubed F1 0.886; real pages
unchanged (12 false-merge pairs); ECB+ ARI 0.879 -> 0.878, B-cubed F1 0.909 -> 0.907.

Where the look-alike story's members are not the third report's nearest (they resemble each
other most), it still stands out more from its own pair: an article of a story of three or
more then moves to a story of two when its mean affinity to the pair's members, each less
``short_group_ratio`` (by length, as in grouping) times that member's background, exceeds the
same mean over its own story's other members by ``background_margin`` (see
:meth:`StoryClusterer._complete_pairs`; no new parameter). Members that resemble everything
weigh less: a pair's members are each other's nearest, so their background is their own
event. Clusterer alone, AllSides ``train`` collections of 307 events: events in one story
0.9055 -> 0.9121 on events 0-1227 (where it was chosen), 0.8838 -> 0.8871 on events 1228-2148
(not used to choose it), no collection worse (+0 to +3 events each); as exactly their reports
0.694 -> 0.706 and 0.688 -> 0.693; B-cubed F1 0.9052 -> 0.9083 and 0.8991 -> 0.9007. Only
pairs take: on events 0-1227, of the articles that stood out more from another story than
from their own, 15 of the 17 whose move would mend their event would join a pair, and none of
the 15 whose move would break theirs. A margin of 0 moves more, wrongly (0.9096 and 0.8827);
lone articles as movers too gained 0.001 on events 0-1227 and were left out (in a sparse
crawl a lone page would be pulled into its best pair). Real pages unchanged (12 false-merge pairs, the 41 same-event
pairs together); ECB+ ARI 0.878 -> 0.877, B-cubed F1 0.907 -> 0.907. Through the product,
``val`` (read once, after the choice): 250 of 307 (252 before, 0.814 and 0.821), B-cubed F1
0.884 (0.886), derived relations inside events 3 (3): within noise, not the gain ``train`` shows.
With both steps in, ``background_margin`` (how far a lone article's best story, or a pair
that a third report completes, must stand out) 0.1 -> 0.07: events in one story 0.9121 ->
0.9153 on events 0-1227 (chosen there; 0.05 the same), 0.8871 -> 0.8893 on events 1228-2148,
no collection worse (+0 to +2 events each), B-cubed F1 0.9083 -> 0.9090 and 0.9007 -> 0.9010:
a lone report whose event's other two are a pair often resembles that pair most, by less
than 0.1. Real pages unchanged (12 false-merge pairs; long pages must still reach their
floor); ECB+ ARI 0.877 -> 0.876, B-cubed F1 0.907 -> 0.906. Through the product, ``val``
(read once, after the choice): 251 of 307 (250 before), B-cubed F1 0.886 (0.884), derived
inside 3. It also lets a later batch's group join an earlier story that stands out by 0.07
(no benchmark here feeds stories in several batches).
Last, a report that hangs on a story of three or more (it is among the ``group_neighbours``
nearest of none of the story's other members: average link kept it, no member points at it)
moves to a story of two of which it is among both members' ``2 * group_neighbours`` nearest
(see :meth:`StoryClusterer._move_outliers_to_pairs`; no new parameter). Clusterer alone:
events in one story 0.9153 -> 0.9169 on events 0-1227, 0.8893 -> 0.8947 on events 1228-2148,
no collection worse (+0 to +3 events each), B-cubed F1 0.9090 -> 0.9098 and 0.9010 -> 0.9033
(a first version, among the 3 nearest: 0.9145 and 0.8936; the 5: 0.9186 and 0.8925). Real pages
unchanged (12 false-merge pairs); ECB+ ARI 0.876 -> 0.875, B-cubed F1 0.906 -> 0.905. Through
the product, ``val`` (read once, after the choice): 252 of 307 = 0.821 (251), 206 a story of
exactly their 3 reports (204), B-cubed F1 0.887 (0.886), derived inside 3. With the three
steps, against the code before them: ``train`` 0.9055 -> 0.9169 and 0.8838 -> 0.8947, ``val``
252 -> 252 (exactly their reports 203 -> 206, F1 0.886 -> 0.887).

Candidate stories come from add-only usearch indexes of story mean embeddings, one per time
bucket, and from the article's most similar neighbours in its chunk (never all pairs; index
look-ups are batch calls), so the cost grows linearly with the number of articles. Entities
matter for the hard cases: two earthquakes or two rehab check-ins read alike to the embedding
but name different people, places, magnitudes and years; entity counts are sublinear and
IDF-weighted, so rare names and numbers (years, scores, ages) weigh most.

Pairs of article ids known to be copies ("must link") always end in the same story.
Every article is in exactly one story: story ids are unique, even when an article that
opened a story moves away and later opens another.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date as Date
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np
import orjson
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage

from newstrace.encode.index import top_columns, unit_rows
from newstrace.match.templates import Frames, fillers, templated
from newstrace.story_bags import TokenHasher, WordHasher, idf_unit_rows
from newstrace.story_index import UNDATED, StoredSums, StoryIndex, StorySums

from newstrace.model import Article
from newstrace.text.names import extract_entities, extract_entities_batch
from newstrace.text.titles import headline_or_lead

if TYPE_CHECKING:
    from newstrace.store import StoryRows

STATE_VERSION = 8
#: The version of :meth:`StoryClusterer.table_header` (the stories kept one row each in a table).
TABLE_STATE_VERSION = 9
#: Story rows whose bag sums :meth:`StoryClusterer.to_state` scans at once.
_STATE_CHUNK_ROWS = 4096
_SCORE_RANGE = 10.0  #: pair scores are clipped to ±this before they become linkage distances
#: Articles whose bags :meth:`StoryClusterer._bags` counts at a time.
_BAG_CHUNK = 4096

def lead_text(article: Article, chars: int = 300) -> str:
    """The title followed by the first ``chars`` characters of the body."""
    body = article.text[:chars]
    return f"{article.title}. {body}" if article.title else body


def encode_leads(articles: Sequence[Article], encoder: Any = None, chars: int = 300,
                 title_weight: float = 0.5) -> np.ndarray:
    """MiniLM unit vectors of every article's title + lead, each pulled towards its title's
    own vector (``title_weight`` times it added, then normalised): a headline states the
    event in a few words that the lead's embedding, spread over its details, weighs little.
    Two batch calls (leads, then titles). On NeuS-AllSides ``train`` (collections of 307
    events, no refit of anything else) events whose 3 reports share one story: 0.901 -> 0.905
    on events 0-1227, 0.878 -> 0.889 on events 1228-2451, B-cubed F1 +0.002 and +0.001."""
    if encoder is None:
        from newstrace.encode.runtime import default_encoder

        encoder = default_encoder()
    leads = unit_rows(np.asarray(encoder.encode([lead_text(article, chars) for article in articles]), dtype=np.float32))
    titled = [number for number, article in enumerate(articles) if article.title]
    if titled and title_weight:
        titles = unit_rows(np.asarray(encoder.encode([articles[i].title for i in titled]), dtype=np.float32))
        leads[titled] = unit_rows(leads[titled] + title_weight * titles)
    return leads


def _day(value: str | None) -> int:
    """Days since 0001-01-01 of an ISO date or date-time; ``UNDATED`` when absent or bad."""
    if not value:
        return UNDATED
    try:
        return Date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return UNDATED


class StoryClusterer:
    """Groups articles into stories incrementally; state can be exported and restored.

    >>> clusterer = StoryClusterer()
    >>> ids = clusterer.assign(articles, vectors)          # doctest: +SKIP
    >>> state = clusterer.to_state()                      # doctest: +SKIP
    >>> StoryClusterer.from_state(state).assign(more, more_vectors)  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        window_days: int = 7,
        threshold: float = 0.38,
        embedding_weight: float = 0.3,
        entity_weight: float = 0.7,
        word_weight: float = 0.0,
        short_weights: Sequence[float] | None = (0.5, 0.12, 0.38, 0.42),
        short_words: int = 100,
        long_words: int = 300,
        background_weight: float = 1.0,
        background_stories: int = 5,
        background_margin: float = 0.07,
        background_floor: float = 0.5,
        entity_dim: int = 1024,
        word_dim: int = 1024,
        entity_chars: int = 3000,
        candidates: int = 16,
        refine_candidates: int = 32,
        chunk_size: int = 256,
        refine_passes: int = 0,
        hub_weight: float = 0.3,
        hub_stories: int = 5,
        group_size: int = 2048,
        group_neighbours: int = 2,
        group_ratio: float = 0.7,
        short_group_ratio: float | None = 0.74,
        group_floor: float = 0.5,
        long_floor: float | None = 1.0,
    ) -> None:
        self.window_days = window_days
        self.threshold = threshold
        self.embedding_weight = embedding_weight
        self.entity_weight = entity_weight
        self.word_weight = word_weight
        self.short_weights = None if short_weights is None else [float(w) for w in short_weights]
        self.short_words = short_words
        self.long_words = long_words
        self.background_weight = background_weight
        self.background_stories = background_stories
        self.background_margin = background_margin
        self.background_floor = background_floor
        self.entity_dim = entity_dim
        self.word_dim = word_dim
        self.entity_chars = entity_chars
        self.candidates = candidates
        self.refine_candidates = refine_candidates
        self.chunk_size = chunk_size
        self.refine_passes = refine_passes
        self.hub_weight = hub_weight
        self.hub_stories = hub_stories
        self.group_size = group_size
        self.group_neighbours = group_neighbours
        self.group_ratio = group_ratio
        self.short_group_ratio = group_ratio if short_group_ratio is None else short_group_ratio
        self.group_floor = group_floor
        self.long_floor = long_floor
        self._entity_hasher = TokenHasher(extract_entities, entity_dim, batch_analyzer=extract_entities_batch)
        self._word_hasher = WordHasher(word_dim)
        self._entity_df = np.zeros(entity_dim, dtype=np.int64)
        self._word_df = np.zeros(word_dim, dtype=np.int64)
        self._n_docs = 0
        self._embedding_dim: int | None = None
        self._stories: StorySums | None = None
        self._index: StoryIndex | None = None
        self.story_ids: list[str] = []  #: by story row
        self.members: list[list[str]] = []  #: article ids by story row
        self.titles: list[str] = []  #: by story row
        self._title_scores: list[float] = []
        self._title_ids: list[str] = []  #: the article each title comes from
        self._row_of_article: dict[str, int] = {}
        self._row_of_story: dict[str, int] = {}
        self._seqs: list[int] = []  #: by story row: the story's key in a story table (see table_changes)
        self._next_seq = 0
        self._from_table = False  #: restored from a story table (only changed stories are written back)

    # -- public API -------------------------------------------------------------------

    def assign(
        self, articles: Sequence[Article], vectors: np.ndarray, links: Iterable[tuple[str, str]] = ()
    ) -> list[str]:
        """Add ``articles`` (with their :func:`encode_leads` vectors) and return each one's
        story id. Articles seen before keep their story; new ones are assigned one by one,
        then moved (``refine_passes`` times) to the story that suits them best now that the
        whole batch is placed. ``links`` are pairs of article ids that must share a story
        (either side may be an earlier article)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(articles) != len(vectors):
            raise ValueError(f"{len(articles)} articles but {len(vectors)} vectors")
        if not len(articles):
            return []
        self._ensure_ready(vectors.shape[1])
        fresh = [i for i, article in enumerate(articles) if article.id not in self._row_of_article]
        fresh = list({articles[i].id: i for i in fresh}.values())
        linked = _link_map(links)
        if fresh:
            bags, templated_rows = self._bags(articles, fresh)
            batch = _Batch([articles[i] for i in fresh], unit_rows(vectors[fresh]), bags, templated_rows)
            self._stories.reserve(len(fresh))
            self._place(batch, linked)
        self._merge_linked(linked)
        return [self.story_of(article.id) for article in articles]

    def regroups_whole(self, articles: int) -> bool:
        """Whether a collection of ``articles`` articles is best grouped again whole when
        more arrive: when it fits one group (``group_size``). Placed in one group, every
        pair is judged against the background of all the others (see :meth:`_groups`);
        articles added later can only join an earlier story or open one, by tests that
        see one side only. On NeuS-AllSides ``val`` leads added in two halves, B-cubed F1
        fell from 0.887 (one batch) to 0.713, and to 0.583 in three parts: stories of
        6-12 reports of different events. Grouping again costs one group's work."""
        return articles <= self.group_size

    def partial_fit(
        self, articles: Sequence[Article], vectors: np.ndarray, links: Iterable[tuple[str, str]] = ()
    ) -> StoryClusterer:
        """:meth:`assign`, returning the clusterer (scikit-learn style)."""
        self.assign(articles, vectors, links)
        return self

    def story_of(self, article_id: str) -> str:
        """The story id of an article already assigned."""
        return self.story_ids[self._row_of_article[article_id]]

    def stories(self) -> dict[str, list[str]]:
        """Every non-empty story: id -> member article ids."""
        return {self.story_ids[row]: members for row, members in enumerate(self.members) if members}

    def title_of(self, story_id: str) -> str:
        """The title of the story's most central article (as judged when members arrived)."""
        return self.titles[self._row_of_story[story_id]]

    # -- state ------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Everything needed to resume, as JSON-serialisable values. The stories are stored
        by column (one value per story, in row order): ids, members, titles, and as base64
        arrays the embedding sums, the date ranges, the floors and the non-zero entries of
        the bag sums (``bag_count`` per story, then their ``bag_index`` and ``bag_sum``)."""
        rows = np.array([row for row, members in enumerate(self.members) if members], dtype=np.int64)
        state = {**self._state_header(STATE_VERSION), "stories": []}
        if self._stories is not None:
            state["stories"] = self._story_columns(rows)
        return state

    def _story_columns(self, rows: np.ndarray) -> dict[str, Any]:
        """The state of the stories in ``rows``, by column (see :meth:`to_state`)."""
        stories, dim = self._stories, self._embedding_dim
        counts, indexes, sums = [], [], []
        for chunk in np.array_split(rows, max(1, len(rows) // _STATE_CHUNK_ROWS)):
            bags = stories.sums_of(chunk)[:, dim:]
            counts.append(np.count_nonzero(bags, axis=1).astype(np.int32))
            nonzero = np.nonzero(bags)
            indexes.append(nonzero[1].astype(np.int32))
            sums.append(bags[nonzero])
        return {
            "id": [self.story_ids[row] for row in rows.tolist()],
            "articles": [self.members[row] for row in rows.tolist()],
            "title": [self.titles[row] for row in rows.tolist()],
            "title_score": [self._title_scores[row] for row in rows.tolist()],
            "title_id": [self._title_ids[row] for row in rows.tolist()],
            "embedding_sum": _encode_array(stories.embedding_sums(rows, dim)),
            "bag_count": _encode_array(np.concatenate(counts)),
            "bag_index": _encode_array(np.concatenate(indexes)),
            "bag_sum": _encode_array(np.concatenate(sums).astype(np.float32)),
            "first_day": _encode_array(stories.first_day[rows]),
            "last_day": _encode_array(stories.last_day[rows]),
            "floor": _encode_array(stories.floors[rows]),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> StoryClusterer:
        """A clusterer restored from :meth:`to_state` output (or from a state of the same
        version written one story at a time, as before the columns)."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported story state version {state.get('version')!r}")
        clusterer = cls._from_header(state)
        if state["embedding_dim"] is None:
            return clusterer
        clusterer._ensure_ready(state["embedding_dim"])
        if isinstance(state["stories"], dict):
            clusterer._restore_columns(state["stories"])
        else:
            for story in state["stories"]:
                clusterer._restore_story(story)
        clusterer._reindex(np.arange(clusterer._stories.count))
        return clusterer

    @classmethod
    def _from_header(cls, state: dict[str, Any]) -> StoryClusterer:
        """A clusterer with the parameters and document frequencies of ``state``, no stories."""
        clusterer = cls(**state["params"])
        clusterer._n_docs = state["n_docs"]
        clusterer._entity_df = _decode_array(state["entity_df"], np.int64).copy()
        clusterer._word_df = _decode_array(state["word_df"], np.int64).copy()
        return clusterer

    def _restore_columns(self, columns: dict[str, Any]) -> None:
        """Restore the stories of :meth:`_story_columns` (into a fresh clusterer)."""
        count, dim = len(columns["id"]), self._embedding_dim
        stories = self._stories
        # allocated once, with room for the stories a run opens: not grown (the whole array
        # copied, twice its size) by the first new one
        rows = max(count + max(count // 8, 64), len(stories.sizes))
        stories.allocate(rows)
        sums = np.zeros((rows, stories.dim), dtype=np.float32)
        sums[:count, :dim] = _decode_array(columns["embedding_sum"], np.float32).reshape(count, dim)
        owners = np.repeat(np.arange(count), _decode_array(columns["bag_count"], np.int32))
        sums[owners, dim + _decode_array(columns["bag_index"], np.int32)] = \
            _decode_array(columns["bag_sum"], np.float32)
        stories.count = count
        stories.load_all(sums, count)
        stories.sizes[:count] = [len(members) for members in columns["articles"]]
        stories.first_day[:count] = _decode_array(columns["first_day"], np.int32)
        stories.last_day[:count] = _decode_array(columns["last_day"], np.int32)
        stories.floors[:count] = _decode_array(columns["floor"], np.float32)
        stories.changed.update(range(count))  # none is in a story table yet
        self.story_ids = list(columns["id"])
        self.members = [list(members) for members in columns["articles"]]
        self.titles = list(columns["title"])
        self._title_scores = list(columns["title_score"])
        self._title_ids = list(columns["title_id"])
        self._seqs = list(range(count))
        self._next_seq = count
        self._row_of_story = {story_id: row for row, story_id in enumerate(self.story_ids)}
        self._row_of_article = {article_id: row for row, members in enumerate(self.members) for article_id in members}

    def _restore_story(self, story: dict[str, Any]) -> None:
        """Restore one story of a state written one story at a time (before the columns)."""
        stories, dim = self._stories, self._embedding_dim
        story_id = self._fresh_story_id(story["id"])  # states written before ids were unique
        row = self._open_story(story_id, story["title"], story["title_score"], story["title_id"])
        sums = stories.row(row)
        sums[:dim] = _decode_array(story["embedding_sum"], np.float32)
        sums[dim + _decode_array(story["bag_index"], np.int32)] = _decode_array(story["bag_sum"], np.float32)
        stories.sizes[row] = len(story["articles"])
        stories.first_day[row] = story["first_day"]
        stories.last_day[row] = story["last_day"]
        stories.floors[row] = story["floor"]
        self.members[row] = list(story["articles"])
        self._row_of_article.update(dict.fromkeys(story["articles"], row))

    # -- state kept in a table, one row per story --------------------------------------

    def table_header(self) -> dict[str, Any]:
        """What the stories' rows of a story table (:meth:`table_changes`) need beside
        them to resume: the parameters, document frequencies and the next story's ``seq``
        (version :data:`TABLE_STATE_VERSION`)."""
        return {**self._state_header(TABLE_STATE_VERSION), "next_seq": self._next_seq}

    def _state_header(self, version: int) -> dict[str, Any]:
        """What every saved state starts with: its version, the parameters, the collection's
        size and vector width, and the document frequencies."""
        return {
            "version": version,
            "params": self._params(),
            "n_docs": self._n_docs,
            "embedding_dim": self._embedding_dim,
            "entity_df": _encode_array(self._entity_df.astype(np.int64)),
            "word_df": _encode_array(self._word_df.astype(np.int64)),
        }

    def table_changes(self) -> tuple[list[tuple], list[int], bool]:
        """The stories changed since the clusterer was restored from a story table (or
        every story, when it was not), as rows to write: ``(seq, id, members as JSON,
        title, title score, title article, first day, last day, floor, embedding sum,
        bag indexes, bag sums)``, the arrays as bytes; the ``seq`` of each story left
        empty, to delete; and whether the table must be emptied first. A restored story's
        row is its place in ``seq`` order, as :meth:`to_state` numbers the stories."""
        if self._stories is None:
            return [], [], not self._from_table
        stories, dim = self._stories, self._embedding_dim
        changed = np.array(sorted(stories.changed if self._from_table else range(stories.count)), dtype=np.int64)
        live = changed[stories.sizes[changed] > 0]
        rows = []
        for row in live.tolist():
            sums = stories.row(row)
            bags = sums[dim:]
            nonzero = np.flatnonzero(bags)
            rows.append((self._seqs[row], self.story_ids[row], json.dumps(self.members[row]), self.titles[row],
                         float(self._title_scores[row]), self._title_ids[row], int(stories.first_day[row]),
                         int(stories.last_day[row]), float(stories.floors[row]), sums[:dim].tobytes(),
                         nonzero.astype(np.int32).tobytes(), bags[nonzero].astype(np.float32).tobytes()))
        emptied = [self._seqs[row] for row in changed[stories.sizes[changed] == 0].tolist()]
        return rows, emptied, not self._from_table

    def changed_story_ids(self) -> set[str] | None:
        """The ids of the stories changed (members, title, sums) since the clusterer was
        restored from a story table or last saved (:meth:`table_changes`), emptied ones
        included; ``None`` when it was not restored: every story is new."""
        if not self._from_table:
            return None
        if self._stories is None:
            return set()
        return {self.story_ids[row] for row in self._stories.changed}

    def has_article(self, article_id: str) -> bool:
        """Whether the article is assigned to a story."""
        return article_id in self._row_of_article

    def table_saved(self) -> None:
        """The rows of :meth:`table_changes` are written: later changes are counted from here."""
        if self._stories is not None:
            self._stories.changed.clear()
        self._from_table = True

    @classmethod
    def from_table(cls, header: dict[str, Any], rows: StoryRows,
                   bags: Callable[[list[int]], Sequence[tuple[bytes, bytes]]]) -> StoryClusterer:
        """A clusterer restored from :meth:`table_header` and the story table that
        :meth:`table_changes` wrote (``rows``: as :meth:`~newstrace.store.Store.story_state`
        reads it, up to the embedding sums). The bag sums of a story are read (``bags``: the
        ``(bag indexes, bag sums)`` of a list of ``seq``) only when the run needs that story:
        a run of new articles touches a few of a large store's stories, and holds those alone."""
        if header.get("version") != TABLE_STATE_VERSION:
            raise ValueError(f"unsupported story table version {header.get('version')!r}")
        clusterer = cls._from_header(header)
        clusterer._next_seq = header["next_seq"]
        clusterer._from_table = True
        if header["embedding_dim"] is None:
            return clusterer
        dim = header["embedding_dim"]
        clusterer._ensure_ready(dim)
        stories, count = clusterer._stories, len(rows)
        stories.allocate(count + max(count // 8, 64))
        stories.count = count
        seqs = np.array(rows.seqs, dtype=np.int64)
        clusterer._seqs = list(rows.seqs)
        clusterer.story_ids = list(rows.ids)
        clusterer.members = [orjson.loads(members) for members in rows.articles]
        clusterer.titles = list(rows.titles)
        clusterer._title_scores = list(rows.title_scores)
        clusterer._title_ids = list(rows.title_ids)
        stories.sizes[:count] = [len(members) for members in clusterer.members]
        stories.first_day[:count] = rows.first_days
        stories.last_day[:count] = rows.last_days
        stories.floors[:count] = rows.floors
        embeddings = np.frombuffer(rows.embeddings, dtype=np.float32).reshape(count, dim)

        stories.loader = StoredSums(embeddings, seqs, bags)
        clusterer._row_of_story = {story_id: row for row, story_id in enumerate(clusterer.story_ids)}
        clusterer._row_of_article = {article_id: row for row, members in enumerate(clusterer.members)
                                     for article_id in members}
        live = np.flatnonzero(stories.sizes[:count] > 0)  # as _reindex, from the embedding sums alone
        if len(live):
            clusterer._index.add(live, embeddings if len(live) == count else embeddings[live],
                                 stories.last_day[live], later=True)
        return clusterer

    # -- internals --------------------------------------------------------------------

    def _params(self) -> dict[str, Any]:
        names = ("window_days", "threshold", "embedding_weight", "entity_weight", "word_weight", "short_weights",
                 "short_words", "long_words", "background_weight", "background_stories",
                 "background_margin", "background_floor", "entity_dim", "word_dim", "entity_chars", "candidates", "refine_candidates", "chunk_size",
                 "refine_passes", "hub_weight", "hub_stories", "group_size", "group_neighbours",
                 "group_ratio", "short_group_ratio", "group_floor", "long_floor")
        return {name: getattr(self, name) for name in names}

    def _ensure_ready(self, embedding_dim: int) -> None:
        if self._embedding_dim is None:
            self._embedding_dim = embedding_dim
            self._stories = StorySums(embedding_dim + self.entity_dim + self.word_dim + 1)
            self._index = StoryIndex(embedding_dim, self.window_days)
        elif embedding_dim != self._embedding_dim:
            raise ValueError(f"vectors have {embedding_dim} dimensions, expected {self._embedding_dim}")

    def _bags(self, articles: Sequence[Article], fresh: list[int]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Rows of [entity bag | word bag] of the fresh articles (title + first ``entity_chars``
        characters), each unit-length, IDF-weighted, with sublinear counts, and which of
        them are templated (:mod:`newstrace.match.templates`, frames counted over the fresh
        articles): those are counted by what fills their frames. Document frequencies are
        updated with the whole batch first, so its first articles get the same IDF as its last.

        Counted :data:`_BAG_CHUNK` articles at a time and kept as float32 counts until the
        batch's document frequencies are known, then weighted a chunk at a time into one
        matrix: every row is worked alone, so the rows are those of the whole batch at once,
        which at 100,000 articles held the texts, their float64 counts and the weighted
        copies together (1.5 GB above the rest of the run)."""
        counted = [self._chunk_counts(articles, fresh[first : first + _BAG_CHUNK])
                   for first in range(0, len(fresh), _BAG_CHUNK)]
        counts = [(entities, words) for entities, words, _ in counted]
        templated_rows, _ = templated(Frames.concatenate([frames for *_, frames in counted]))
        del counted
        if templated_rows.any():
            self._count_fillers(articles, fresh, np.flatnonzero(templated_rows), counts)
        self._n_docs += len(fresh)
        nnz = sum(entities.nnz + words.nnz for entities, words in counts)
        data, indices = np.empty(nnz, dtype=np.float32), np.empty(nnz, dtype=np.int32)
        indptr, filled = [np.zeros(1, dtype=np.int64)], 0
        while counts:
            entities, words = counts.pop(0)  # each chunk's counts freed once weighted
            rows = sparse.hstack([idf_unit_rows(entities, self._entity_df, self._n_docs),
                                  idf_unit_rows(words, self._word_df, self._n_docs)], format="csr", dtype=np.float32)
            data[filled : filled + rows.nnz], indices[filled : filled + rows.nnz] = rows.data, rows.indices
            indptr.append(rows.indptr[1:] + filled)
            filled += rows.nnz
        return sparse.csr_matrix((data, indices, np.concatenate(indptr)),
                                 shape=(len(fresh), self.entity_dim + self.word_dim)), templated_rows

    def _bag_text(self, article: Article) -> str:
        """What the bags read of ``article``: its title and first ``entity_chars`` characters."""
        return f"{article.title or ''}\n{article.text[: self.entity_chars]}"

    def _chunk_counts(self, articles: Sequence[Article], rows: list[int]
                      ) -> tuple[sparse.csr_matrix, sparse.csr_matrix, Frames]:
        """The entity and word counts (float32) of articles ``rows``, added to the document
        frequencies, and their sentence frames (read from the words' tokens)."""
        texts = [self._bag_text(articles[i]) for i in rows]
        entities = self._entity_hasher.transform(texts)
        self._entity_df += np.bincount(entities.indices, minlength=len(self._entity_df))
        words, frames = self._word_hasher.transform_framed(texts)
        self._word_df += np.bincount(words.indices, minlength=len(self._word_df))
        return sparse.csr_matrix(entities, dtype=np.float32), sparse.csr_matrix(words, dtype=np.float32), frames

    def _count_fillers(self, articles: Sequence[Article], fresh: list[int], rows: np.ndarray,
                       counts: list[tuple[sparse.csr_matrix, sparse.csr_matrix]]) -> None:
        """Count the templated articles at ``rows`` of ``fresh`` (see :mod:`newstrace.match.templates`)
        by what fills their frames only: their rows of ``counts`` and the document frequencies
        are made those of :func:`~newstrace.match.templates.fillers`."""
        texts = fillers([self._bag_text(articles[fresh[row]]) for row in rows.tolist()])
        refilled = (self._entity_hasher.transform(texts), self._word_hasher.transform(texts))
        for chunk in range(len(counts)):
            mine = np.flatnonzero((rows >= chunk * _BAG_CHUNK) & (rows < (chunk + 1) * _BAG_CHUNK))
            if not len(mine):
                continue
            local = rows[mine] - chunk * _BAG_CHUNK
            replaced = []
            for old, new, df in zip(counts[chunk], refilled, (self._entity_df, self._word_df)):
                old = old.tolil()
                df -= np.bincount(sparse.csr_matrix(old[local]).indices, minlength=len(df))
                new = sparse.csr_matrix(new[mine], dtype=np.float32)
                df += np.bincount(new.indices, minlength=len(df))
                old[local] = new
                replaced.append(sparse.csr_matrix(old, dtype=np.float32))
            counts[chunk] = (replaced[0], replaced[1])

    def _weighted(self, features: np.ndarray, words: np.ndarray, hub_weight: float = 0.0,
                  blind: np.ndarray | None = None) -> np.ndarray:
        """Features scaled so that their inner product with a story mean is the affinity
        relative to the article's threshold (a story suits the article from 1.0): block
        weights and threshold of long texts, those of ``short_weights`` for texts of up to
        ``short_words`` words, linearly between up to ``long_words``. Articles ``blind``
        weigh their embedding nothing: one not in English (the model reads English, and on
        another language its vectors say more about the language than the event:
        :mod:`newstrace.text.language`), and a templated one, whose lead's vector is its
        template's (:mod:`newstrace.match.templates`); their names and words still count."""
        long = np.array([self.embedding_weight, self.entity_weight, self.word_weight, self.threshold])
        short = long if self.short_weights is None else np.asarray(self.short_weights)
        shortness = self._shortness(words)
        blend = shortness[:, None] * short + (1.0 - shortness[:, None]) * long
        per_block = (blend[:, :3] / blend[:, 3:]).astype(np.float32)
        if blind is not None and blind.any():
            per_block[blind, 0] = 0.0
        ends = np.cumsum([self._embedding_dim, self.entity_dim, self.word_dim])
        weighted = features * np.repeat(np.hstack([per_block, np.zeros((len(per_block), 1), np.float32)]),
                                        np.diff(ends, prepend=0).tolist() + [1], axis=1)
        weighted[:, -1] = -hub_weight
        return weighted

    def _shortness(self, words: np.ndarray) -> np.ndarray:
        """1 for texts of up to ``short_words`` words, 0 from ``long_words``, linear between."""
        return np.clip((self.long_words - words) / max(self.long_words - self.short_words, 1), 0.0, 1.0)

    def _candidates(
        self, batch: _Batch, chunk: np.ndarray, features: np.ndarray, count: int
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Per article of the chunk: ``count`` candidate story rows from the index (by
        embedding), and the batch positions of its ``count`` most similar articles within the
        chunk (by affinity), whose stories may not be indexed yet."""
        found = self._index.search(features[:, : self._embedding_dim], batch.days[chunk], count)
        affinity = features @ self._weighted(features, batch.words[chunk], blind=batch.blind[chunk]).T
        return found, chunk[_most_similar(affinity, min(count, len(chunk) - 1))]

    def _place(self, batch: _Batch, linked: dict[str, set[str]]) -> None:
        """Group the batch (``group_size`` articles at a time), let each group join a story or
        open one, optionally refine, and re-title stories whose title article moved."""
        squares = _Squares()  # every chunk's square matrices in the same memory
        for chunk in batch.chunks(self.group_size):
            self._assign_groups(batch, chunk, linked, squares)
        del squares
        for chunk in batch.chunks(self.chunk_size):
            self._rehome_alone(batch, chunk, linked)
        for _ in range(self.refine_passes if len(batch.articles) > 1 else 0):
            moved = sum(self._refine_chunk(batch, chunk, linked) for chunk in batch.chunks(self.chunk_size))
            if not moved:
                break
        self._retitle(batch)

    def _assign_groups(self, batch: _Batch, chunk: np.ndarray, linked: dict[str, set[str]],
                       squares: _Squares) -> None:
        """Place a chunk group by group (see :meth:`_groups`): a group joins the story a
        member's must-link partner is in, else its best story if the group's mean affinity
        to it (average link) stands out from the members' backgrounds as a pair of them must
        (:meth:`_story_to_join`), else it opens a story titled after its first member. Only
        stories that were there before the chunk are candidates: the chunk's own groups were
        judged apart by the grouping.

        Joining by the threshold alone, or by standing out from the other candidate stories,
        merged the short leads of unrelated events in every chunk after the first: NeuS-AllSides
        leads placed in chunks of 300, B-cubed F1 0.599 on ``val`` and 0.625 on ``train``
        events 1228-1534 against 0.887 and 0.899 in one chunk; now 0.691 and 0.714 (events
        whose three reports share a story 235 -> 206 and 257 -> 233: fewer, but no longer in
        stories of six to twelve reports). ECB+ documents (long) in chunks of 300: ARI 0.888 ->
        0.884, B-cubed F1 0.918 -> 0.910; in one chunk unchanged. Articles added a few at a time
        to a store: within 0.003.

        The chunk's square matrices are worked in ``squares``, the same memory for every chunk."""
        features = batch.features(chunk)
        weighted = self._weighted(features, batch.words[chunk], blind=batch.blind[chunk])
        earlier = self._stories.count  # stories opened from here on were grouped apart already
        found = self._index.search(features[:, : self._embedding_dim], batch.days[chunk], self.candidates) \
            if len(self._index) else None
        candidates = self._story_affinities(batch.days[chunk], found, weighted)
        stories = [scored.scores for scored in candidates]
        tied = _tied([batch.articles[index].id for index in chunk], linked)
        ratios = self._group_ratios(batch.words[chunk])
        floors = self._floors(batch.words[chunk])
        count = len(chunk)
        apart = self._apart(batch.days[chunk], squares)
        product = np.matmul(features, weighted.T,
                            out=squares.take("product", (count, count), np.result_type(features, weighted)))
        affinity = np.add(product, product.T, out=squares.take("affinity", (count, count), product.dtype))
        affinity /= 2
        excluded = np.logical_or(apart, tied, out=squares.take("excluded", (count, count), bool))
        np.copyto(product, affinity)  # the product is spent: its memory holds the affinities
        np.copyto(product, 0.0, where=excluded)  # without the excluded pairs, for the backgrounds
        background = _backgrounds(product, stories, self.group_neighbours)
        # each pair judged against its second article's background (see _complete_pairs)
        standing_out = np.subtract(affinity, (ratios * background)[None, :], out=squares.take(
            "standing_out", (count, count), np.result_type(affinity, ratios, background)))
        groups = self._groups(apart, affinity, stories, tied, ratios, floors, background, squares)
        group_days = batch.days[chunk[[members[0] for members in groups]]]
        near = None if found is None else self._near_groups(groups, group_days, features, found)
        joined: set[int] = set()  # earlier stories joined so far: their scores have changed
        for number, members in enumerate(groups):
            day = int(group_days[number])
            row = self._group_linked_row([batch.articles[i].id for i in chunk[members]], linked)
            if row is None and near is not None:
                nearby = near[number]
                if len(members) == 1 and joined.isdisjoint(nearby.tolist()):
                    scored = candidates[members[0]]  # the article's own, scored above: still so
                else:
                    scored = self._candidate_scores(weighted[members].mean(axis=0), nearby[nearby < earlier], day,
                                                    distinct=True)
                row = self._story_to_join(
                    scored, float(np.mean(ratios[members] * background[members])),
                    max(self.group_floor, float(floors[members].max())))
            if row is None:
                row = self._story_of_its_own(batch.articles[chunk[members[0]]])
            elif row < earlier:
                joined.add(row)
            for position in members:
                index = chunk[position]
                self._join(row, batch.articles[index], features[position], int(batch.days[index]),
                           float(floors[position]))
                batch.rows[index] = row
        self._reindex(np.unique(batch.rows[chunk]))  # one key per story, its mean once the chunk is placed
        np.copyto(product, affinity)  # (the product itself is not needed any more)
        raw = product
        self._move_to_mutual_nearest(batch, chunk, linked, affinity, apart)
        self._complete_pairs(batch, chunk, linked, raw, standing_out, apart)
        self._move_outliers_to_pairs(batch, chunk, linked, raw, apart)

    def _rehome_alone(self, batch: _Batch, chunk: np.ndarray, linked: dict[str, set[str]]) -> None:
        """Articles of the chunk left alone in a story of their own (no pair of theirs stood
        out enough to group) join the story they suit best if it stands out from the other
        candidates (see :meth:`_refined_story`): a report that tells its event in other words
        than the rest resembles its event's story more than any other, if not by much."""
        alone = np.array([index for index in chunk if self._stories.sizes[batch.rows[index]] == 1
                          and batch.articles[index].id not in linked], dtype=np.int64)
        if not len(alone):
            return
        features = batch.features(alone)
        weighted = self._weighted(features, batch.words[alone], blind=batch.blind[alone])
        found = self._index.search(features[:, : self._embedding_dim], batch.days[alone], self.refine_candidates)
        floors = self._floors(batch.words[alone])
        joined = []
        for position, index in enumerate(alone):
            current, day = int(batch.rows[index]), int(batch.days[index])
            candidates = self._candidate_scores(weighted[position], found[position][found[position] != current], day,
                                                distinct=True)
            row = self._refined_story(candidates, floor=float(floors[position]))
            if row is not None:
                self._move(batch, index, features[position], row)
                joined.append(row)
        self._reindex(np.unique(np.array(joined, dtype=np.int64)))  # the stories left are empty, the rest unchanged

    def _move_to_mutual_nearest(self, batch: _Batch, chunk: np.ndarray, linked: dict[str, set[str]],
                                affinity: np.ndarray, apart: np.ndarray) -> None:
        """Move each article of the chunk to another of the chunk's stories when it is among
        the ``group_neighbours`` nearest articles of every member of that story (mutual nearest
        neighbours) and resembles them more, on average, than its own story's other members:
        the report that grouping put with a look-alike event while its own event's other
        reports stayed a pair. Only stories made of the chunk's articles alone, and articles
        neither alone nor must-linked, take part; the moves are decided together on the stories
        as grouping left them; dated articles further apart than the window are no neighbours.
        ``affinity``: the chunk's symmetric pair affinities (as :meth:`_groups` takes them;
        overwritten), ``apart``: the pairs further apart than the window. Candidates come from
        each article's nearest neighbours alone, so the pass costs little beside grouping (see
        the module docstring for its figures)."""
        rows = batch.rows[chunk]
        stories, story_of, sizes = np.unique(rows, return_inverse=True, return_counts=True)
        if len(chunk) <= self.group_neighbours or len(stories) < 2:
            return
        affinity[apart] = -np.inf
        np.fill_diagonal(affinity, -np.inf)
        nearest = _top_columns(affinity, self.group_neighbours)
        near_of = np.repeat(np.arange(len(chunk)), self.group_neighbours)  # t: ``nearest`` of t holds the article
        article, target, reached, total = _story_sums(nearest.ravel(), story_of[near_of],
                                                      affinity[near_of, nearest.ravel()], len(stories))
        whole = sizes == self._stories.sizes[stories]  # no member from an earlier batch
        movable = whole[story_of] & (sizes[story_of] > 1) & np.array([batch.articles[i].id not in linked for i in chunk])
        mean = total / sizes[target]
        least = np.maximum(np.maximum(self.background_floor, self._floors(batch.words[chunk][article])),
                           self._stories.floors[stories[target]])
        keep = ((reached == sizes[target]) & (target != story_of[article]) & whole[target] & movable[article]
                & (mean >= least))
        article, target, mean = article[keep], target[keep], mean[keep]
        mates = (story_of[None, :] == story_of[article, None]) & np.isfinite(affinity[article])
        own = np.where(mates, affinity[article], 0.0).sum(axis=1) / (sizes[story_of[article]] - 1)
        keep = mean > own
        article, target, mean = article[keep], target[keep], mean[keep]
        order = np.lexsort((-mean, article))  # each article's best story first
        article, target = article[order], target[order]
        first = np.flatnonzero(np.diff(article, prepend=-1) != 0)
        if not len(first):
            return
        moving, joined = chunk[article[first]], stories[target[first]]
        left = batch.rows[moving]
        features = batch.features(moving)
        for position, (index, story) in enumerate(zip(moving.tolist(), joined.tolist())):
            self._move(batch, index, features[position], story)
        self._reindex(np.unique(np.concatenate([left, joined])))

    def _complete_pairs(self, batch: _Batch, chunk: np.ndarray, linked: dict[str, set[str]],
                        affinity: np.ndarray, standing_out: np.ndarray, apart: np.ndarray) -> None:
        """Move an article of a story of three or more to a story of two when it stands out
        more, on average, from the pair's members than from its own story's other members
        (by ``background_margin``): the report that grouping left with a look-alike event while
        its own event's other two reports stayed a pair, where it is not among the pair's
        nearest neighbours (see :meth:`_move_to_mutual_nearest`). ``standing_out``: each pair
        of the chunk's articles, the affinity less ``ratio`` times the second article's
        background (see :meth:`_groups`), which discounts members that resemble everything
        (a pair's members are each other's nearest, a look-alike story's members are not).
        Its mean raw ``affinity`` to the pair must reach the floors as for the mutual moves;
        ``apart``: the pairs further apart than the window.
        Each pair takes its best article, each story gives at most one; only stories made of
        the chunk's articles alone, and articles not must-linked, take part."""
        rows = batch.rows[chunk]
        stories, story_of, sizes = np.unique(rows, return_inverse=True, return_counts=True)
        whole = sizes == self._stories.sizes[stories]
        unlinked = np.array([batch.articles[i].id not in linked for i in chunk])
        movers = np.flatnonzero(whole[story_of] & (sizes[story_of] >= 3) & unlinked)
        pair_members = np.flatnonzero((whole & (sizes == 2))[story_of])
        if not len(movers) or not len(pair_members):
            return
        pair_members = pair_members[np.argsort(story_of[pair_members], kind="stable")].reshape(-1, 2)
        scores = np.where(apart[movers], -np.inf, standing_out[movers])
        to_pair = scores[:, pair_members].mean(axis=2)  # movers x pairs
        mates = (story_of[movers, None] == story_of[None, :]) & (movers[:, None] != np.arange(len(chunk))[None, :])
        own = np.where(mates, scores, 0.0).sum(axis=1) / (sizes[story_of[movers]] - 1)
        best = np.argmax(to_pair, axis=1)
        gain = to_pair[np.arange(len(movers)), best] - own
        target = story_of[pair_members[best, 0]]
        to_members = (movers[:, None], pair_members[best])
        mean = np.where(apart[to_members], -np.inf, affinity[to_members]).mean(axis=1)
        least = np.maximum(np.maximum(self.background_floor, self._floors(batch.words[chunk][movers])),
                           self._stories.floors[stories[target]])
        keep = _best_moves(np.flatnonzero((gain > self.background_margin) & (mean >= least)), gain, target,
                           story_of[movers])
        self._move_all(batch, chunk[movers[keep]], stories[target[keep]])

    def _move_outliers_to_pairs(self, batch: _Batch, chunk: np.ndarray, linked: dict[str, set[str]],
                                affinity: np.ndarray, apart: np.ndarray) -> None:
        """Move an article of a story of three or more that is among the ``group_neighbours``
        nearest of none of its story's other members (it hangs on the story, no member points
        at it) to a story of two of which it is among both members' ``2 * group_neighbours``
        nearest, the one it resembles most on average, if that mean reaches the floors as for
        the mutual moves: grouping's average link let a look-alike story keep the report that
        its own event's pair has near. Each pair takes its closest article, each story gives at
        most one; only stories made of the chunk's articles alone, and articles not
        must-linked, take part. ``affinity``: the chunk's symmetric pair affinities (overwritten),
        ``apart``: the pairs further apart than the window."""
        count, near = len(chunk), 2 * self.group_neighbours
        rows = batch.rows[chunk]
        stories, story_of, sizes = np.unique(rows, return_inverse=True, return_counts=True)
        whole = sizes == self._stories.sizes[stories]
        pair_members = np.flatnonzero((whole & (sizes == 2))[story_of])
        if count <= near or not len(pair_members):
            return
        affinity[apart] = -np.inf
        np.fill_diagonal(affinity, -np.inf)
        nearest = _nearest_mask(affinity, near)  # [j, i]: i is among j's ``near`` nearest
        pointed = _nearest_mask(affinity, self.group_neighbours) & (story_of[:, None] == story_of[None, :])
        unlinked = np.array([batch.articles[i].id not in linked for i in chunk])
        movers = np.flatnonzero(~pointed.any(axis=0) & (sizes[story_of] >= 3) & whole[story_of] & unlinked)
        if not len(movers):
            return
        pair_members = pair_members[np.argsort(story_of[pair_members], kind="stable")].reshape(-1, 2)
        near_both = (nearest[pair_members[:, 0]] & nearest[pair_members[:, 1]])[:, movers].T  # movers x pairs
        mean = np.where(near_both, affinity[movers][:, pair_members].mean(axis=2), -np.inf)
        best = np.argmax(mean, axis=1)
        mean = mean[np.arange(len(movers)), best]
        target = story_of[pair_members[best, 0]]
        least = np.maximum(np.maximum(self.background_floor, self._floors(batch.words[chunk][movers])),
                           self._stories.floors[stories[target]])
        keep = _best_moves(np.flatnonzero(mean >= least), mean, target, story_of[movers])
        self._move_all(batch, chunk[movers[keep]], stories[target[keep]])

    def _move_all(self, batch: _Batch, moving: np.ndarray, joined: np.ndarray) -> None:
        """Move the batch's articles ``moving`` to the story rows ``joined`` and reindex."""
        if not len(moving):
            return
        left = batch.rows[moving]
        features = batch.features(moving)
        for position, (index, story) in enumerate(zip(moving.tolist(), joined.tolist())):
            self._move(batch, index, features[position], story)
        self._reindex(np.unique(np.concatenate([left, joined])))

    def _move(self, batch: _Batch, index: int, feature: np.ndarray, row: int) -> None:
        """Move the batch's article ``index`` (with its ``feature`` row) to story ``row``."""
        article, current = batch.articles[index], int(batch.rows[index])
        self._stories.remove(current, feature)
        self.members[current].remove(article.id)
        batch.vacated.add(current)
        self._stories.add(row, feature, int(batch.days[index]), self._floor_of(batch.words[index]))
        self.members[row].append(article.id)
        self._row_of_article[article.id] = row
        batch.rows[index] = row

    def _group_ratios(self, words: np.ndarray) -> np.ndarray:
        """Per article, the share of its background a pair's affinity must reach to group:
        ``short_group_ratio`` up to ``short_words`` words, ``group_ratio`` from ``long_words``,
        linearly between (see :meth:`_shortness`)."""
        shortness = self._shortness(words)
        return shortness * self.short_group_ratio + (1.0 - shortness) * self.group_ratio

    def _floors(self, words: np.ndarray) -> np.ndarray:
        """Per article: the least affinity it needs to any other to group (``long_floor`` for long texts)."""
        if self.long_floor is None:
            return np.zeros(len(words))
        return (1.0 - self._shortness(words)) * self.long_floor

    def _floor_of(self, words: float) -> float:
        return float(self._floors(np.array([words], dtype=np.float64))[0])

    def _groups(self, apart: np.ndarray, affinity: np.ndarray, stories: list[np.ndarray], tied: np.ndarray,
                ratios: np.ndarray, floors: np.ndarray, background: np.ndarray,
                squares: _Squares) -> list[np.ndarray]:
        """The chunk's articles in groups (positions, groups ordered by first member), by
        average-link agglomeration of pair scores.

        A pair's affinity (``affinity``: in units of the threshold, the mean of both sides'
        length-aware weighting) is judged against each side's background, as in CSLS retrieval: it must
        reach ``group_ratio`` times the mean of the two articles' backgrounds (see
        :func:`_backgrounds`: each one's mean affinity to its ``group_neighbours`` nearest
        other articles of the chunk and earlier stories, ``stories``); it must also reach
        ``group_floor``, or ``background_floor`` in a chunk of ``group_neighbours`` articles or
        fewer (it has little background to stand out from), the higher of the two sides'
        ``floors`` (see :meth:`_floors`: long texts must reach their threshold), and either side's affinity to its
        closest earlier story (an article that suits a story better joins that story). Dated
        articles further apart than the window (``apart``) never pair; ``tied`` pairs (must-link:
        copies) always do, and are no background to each other (a copy is the same report, and
        would make its original stand out from nothing else). ``background``: the articles'
        backgrounds (as :func:`_backgrounds` gives them, without the tied pairs).
        """
        count = len(affinity)
        if count == 1:
            return [np.zeros(1, dtype=np.int64)]
        # Square matrices of the chunk, worked in place in ``squares``: the mean ratio times
        # the mean background (an exact quarter of the sums' product)...
        standing_out = np.add.outer(ratios, ratios, out=squares.take("score", (count, count), ratios.dtype))
        standing_out *= np.add.outer(background, background, out=squares.take(  # (in the memory
            "reach", (count, count), background.dtype))  # that the reach takes next)
        standing_out *= 0.25
        np.subtract(affinity, standing_out, out=standing_out)
        # ...and the highest of the floors and the two sides' closest earlier stories (the
        # higher of two maxima is the maximum of the higher ones: one square, of the dtype
        # of both, in which the sums below are worked too).
        closest = np.array([earlier.max(initial=-_SCORE_RANGE) for earlier in stories])
        highest = np.maximum(closest, floors)
        reach = np.maximum.outer(highest, highest, out=squares.take("reach", (count, count), highest.dtype))
        np.maximum(reach, self.group_floor if count > self.group_neighbours else self.background_floor, out=reach)
        np.subtract(affinity, reach, out=reach)
        score = np.minimum(standing_out, reach, out=standing_out)
        score[apart] = -_SCORE_RANGE
        score[tied] = _SCORE_RANGE
        distance = np.clip(score, -_SCORE_RANGE, _SCORE_RANGE, out=score)
        np.subtract(_SCORE_RANGE, distance, out=distance)
        np.fill_diagonal(distance, 0.0)
        condensed = _condensed(distance, squares.take("condensed", (count * (count - 1) // 2,), distance.dtype))
        labels = fcluster(linkage(condensed, "average"), t=_SCORE_RANGE, criterion="distance")
        _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
        by_label = np.split(np.argsort(inverse, kind="stable"), np.cumsum(np.bincount(inverse))[:-1])
        return [by_label[label] for label in np.argsort(first)]

    def _near_groups(self, groups: list[np.ndarray], days: np.ndarray, features: np.ndarray,
                     found: list[np.ndarray]) -> list[np.ndarray]:
        """The indexed stories near each group's mean embedding (groups dated ``days``): a
        group of one takes what its article's own search ``found`` (the same query), the
        others are searched at once."""
        near = [found[members[0]] if len(members) == 1 else None for members in groups]
        several = [number for number, members in enumerate(groups) if len(members) > 1]
        if several:
            embeddings = unit_rows(np.stack([features[groups[number], : self._embedding_dim].mean(axis=0)
                                         for number in several]))
            for number, rows in zip(several, self._index.search(embeddings, days[several], self.candidates)):
                near[number] = rows
        return near

    def _story_affinities(self, days: np.ndarray, found: list[np.ndarray] | None,
                          weighted: np.ndarray) -> list[_Candidates]:
        """Each article's live, in-window candidate stories among those the index ``found``
        near it (none when the index is empty), with its affinities to them."""
        if found is None:
            return [_Candidates(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32), np.empty(0))
                    for _ in days]
        return [self._candidate_scores(row_weights, rows, day, distinct=True)
                for rows, row_weights, day in zip(found, weighted, days.tolist())]

    def _apart(self, days: np.ndarray, squares: _Squares) -> np.ndarray:
        """Pairs of dated articles further apart than the time window (the gaps in int32,
        in place in ``squares``; a gap that wraps round involves an undated article, masked out)."""
        count = len(days)
        dated = days != UNDATED
        gaps = np.subtract.outer(days.astype(np.int32), days.astype(np.int32),
                                 out=squares.take("gaps", (count, count), np.int32))
        apart = np.greater(np.abs(gaps, out=gaps), self.window_days, out=squares.take("apart", (count, count), bool))
        if not dated.all():
            apart &= np.logical_and.outer(dated, dated, out=squares.take("dated", (count, count), bool))
        return apart

    def _group_linked_row(self, article_ids: Sequence[str], linked: dict[str, set[str]]) -> int | None:
        """The story of an earlier article that one of ``article_ids`` must share a story with."""
        for article_id in article_ids:
            row = self._linked_row(article_id, linked)
            if row is not None:
                return row
        return None

    def _live_rows(self, rows: np.ndarray, day: int, *, distinct: bool = False) -> np.ndarray:
        """The distinct live, in-window story rows among ``rows`` (in order; ``distinct``:
        ``rows`` are already sorted and distinct, as a story-index search returns them)."""
        rows = rows[rows >= 0] if distinct else np.unique(rows[rows >= 0])
        return rows[(self._stories.sizes[rows] > 0) & self._in_window(rows, day)]

    def _candidate_scores(self, weighted: np.ndarray, rows: np.ndarray, day: int, *,
                          distinct: bool = False) -> _Candidates:
        """The live, in-window stories among ``rows`` and each one's score for an article
        (or a group) whose :meth:`_weighted` features are ``weighted`` (the mean affinity to
        its members, in units of the article's threshold) and mean hubness. ``distinct``:
        ``rows`` are sorted and distinct already (a search's, or part of one)."""
        rows = self._live_rows(rows, day, distinct=distinct)
        if not len(rows):
            return _Candidates(rows, np.zeros(0), np.zeros(0))
        return _Candidates(rows, *self._stories.mean_products(rows, weighted))

    def _story_to_join(self, candidates: _Candidates, background: float, floor: float) -> int | None:
        """The earlier story a group joins: its best candidate, if the group's mean affinity
        to it reaches ``background`` (the members' mean of ``ratio`` times their background,
        what a pair of them must reach in :meth:`_groups`), ``floor`` (the group's and
        ``group_floor``) and the story's own floor. A story is joined as a pair is made."""
        rows, scores, _ = candidates
        if not len(rows):
            return None
        best = int(np.argmax(scores))
        least = max(background, floor, float(self._stories.floors[rows[best]]))
        return int(rows[best]) if scores[best] >= least else None

    def _refined_story(self, candidates: _Candidates, floor: float = 0.0) -> int | None:
        """The candidate story an article suits best once its batch is placed, if it stands
        out from the other candidates (see the module docstring) and reaches ``floor`` and
        the background and story floors. Scored with :meth:`_weighted` with
        ``hub_weight``, each story's score is already lowered by its members' mean hubness."""
        rows, scores, hubness = candidates
        if not len(rows):
            return None
        best = int(np.argmax(scores))
        margin = scores[best] - self.background_weight * _background(scores, best, self.background_stories)
        least = max(self.background_floor, floor, float(self._stories.floors[rows[best]]))
        raw = scores[best] + self.hub_weight * hubness[best]
        return int(rows[best]) if margin >= self.background_margin and raw >= least else None

    def _hubness(self, candidates: _Candidates, own: int) -> float:
        """An article's hubness: its mean affinity to the ``hub_stories`` best candidates
        other than its ``own`` story."""
        rows, scores, hubness = candidates
        others = (scores + self.hub_weight * hubness)[rows != own]
        if not len(others):
            return 0.0
        return float(-np.partition(-others, min(self.hub_stories, len(others)) - 1)[: self.hub_stories].mean())

    def _refine_chunk(self, batch: _Batch, chunk: np.ndarray, linked: dict[str, set[str]]) -> int:
        """Move each unlinked article of the chunk to the story it now suits best, judging its
        own story without it; an article that suits none opens a story of its own. Returns
        how many moved."""
        features = batch.features(chunk)
        found, near = self._candidates(batch, chunk, features, self.refine_candidates)
        weighted = self._weighted(features, batch.words[chunk], self.hub_weight, blind=batch.blind[chunk])
        moved = 0
        for position, index in enumerate(chunk):
            article, current = batch.articles[index], int(batch.rows[index])
            if article.id in linked:
                continue
            feature = features[position]
            self._stories.remove(current, feature)
            day = int(batch.days[index])
            candidates = np.concatenate([found[position], batch.rows[near[position]], [current]])
            scored = self._candidate_scores(weighted[position], candidates, day)
            row, hub = self._refined_story(scored), self._hubness(scored, current)
            feature[-1] = batch.hubs[index] = hub
            if row is None and self._stories.sizes[current] == 0:
                row = current
            if row is None:
                row = self._story_of_its_own(article)
            self._stories.add(row, feature, day, self._floor_of(batch.words[index]))
            if row != current:
                self.members[current].remove(article.id)
                batch.vacated.add(current)
                self.members[row].append(article.id)
                self._row_of_article[article.id] = row
                batch.rows[index] = row
                moved += 1
        self._reindex(np.unique(batch.rows[chunk]))
        return moved

    def _in_window(self, rows: np.ndarray, day: int) -> np.ndarray:
        first, last = self._stories.first_day[rows], self._stories.last_day[rows]
        if day == UNDATED:
            return np.ones(len(rows), dtype=bool)
        undated = first == UNDATED
        return undated | ((day >= first - self.window_days) & (day <= last + self.window_days))

    def _linked_row(self, article_id: str, linked: dict[str, set[str]]) -> int | None:
        for other in linked.get(article_id, ()):
            if other in self._row_of_article:
                return self._row_of_article[other]
        return None

    def _story_of_its_own(self, article: Article) -> int:
        """A new, empty story named and titled after ``article``, which opens it."""
        return self._open_story(self._fresh_story_id(f"story-{article.id}"), headline_or_lead(article), 0.0, article.id)

    def _fresh_story_id(self, wanted: str) -> str:
        """``wanted``, or ``wanted`` with the first free ``~n`` suffix when a story already has
        that id (an article that moved out of the story it opened may open another; two
        stories under one id would leave one's members in no story)."""
        story_id, n = wanted, 1
        while story_id in self._row_of_story:
            n += 1
            story_id = f"{wanted}~{n}"
        return story_id

    def _open_story(self, story_id: str, title: str, title_score: float, title_id: str) -> int:
        row = self._stories.new()
        self._seqs.append(self._next_seq)
        self._next_seq += 1
        self.story_ids.append(story_id)
        self.members.append([])
        self.titles.append(title)
        self._title_scores.append(title_score)
        self._title_ids.append(title_id)
        self._row_of_story[story_id] = row
        return row

    def _join(self, row: int, article: Article, feature: np.ndarray, day: int, floor: float) -> None:
        """Add ``article`` to story ``row`` (``floor``: its :meth:`_floors`); it titles the
        story when it is the story's first or most central member so far."""
        self._stories.add(row, feature, day, floor)
        self.members[row].append(article.id)
        self._row_of_article[article.id] = row
        centrality = float(unit_rows(self._stories.row(row)[: self._embedding_dim]) @ feature[: self._embedding_dim])
        if centrality > self._title_scores[row] or len(self.members[row]) == 1:
            self._set_title(row, article, centrality)

    def _set_title(self, row: int, article: Article, score: float) -> None:
        self._stories.changed.add(row)
        self.titles[row] = headline_or_lead(article)
        self._title_scores[row] = score
        self._title_ids[row] = article.id

    def _retitle(self, batch: _Batch) -> None:
        """Stories whose title article moved away take the title of their most central
        member from this batch (older members' texts are not kept; a story left with older
        members only keeps its title)."""
        for row in set(batch.rows.tolist()) | batch.vacated:
            if self._title_ids[row] in self.members[row] or not self.members[row]:
                continue
            mine = np.flatnonzero(batch.rows == row)
            if not len(mine):
                continue
            centre = unit_rows(self._stories.row(row)[: self._embedding_dim])
            scores = batch.embeddings[mine] @ centre
            best = int(np.argmax(scores))
            self._set_title(row, batch.articles[mine[best]], float(scores[best]))

    def _reindex(self, rows: np.ndarray) -> None:
        """Index the current mean embeddings of the live stories among ``rows``."""
        rows = rows[self._stories.sizes[rows] > 0]
        if len(rows):
            self._index.add(rows, self._stories.embedding_sums(rows, self._embedding_dim), self._stories.last_day[rows])

    def _merge_linked(self, linked: dict[str, set[str]]) -> None:
        """Merge stories split across must-link pairs into the older story."""
        changed: set[int] = set()
        for a, others in linked.items():
            for b in others:
                if a not in self._row_of_article or b not in self._row_of_article:
                    continue
                keep, drop = sorted((self._row_of_article[a], self._row_of_article[b]))
                if keep != drop:
                    self._absorb(keep, drop)
                    changed.add(keep)
        self._reindex(np.array(sorted(changed), dtype=np.int64))

    def _absorb(self, keep: int, drop: int) -> None:
        self._stories.absorb(keep, drop)
        for article_id in self.members[drop]:
            self._row_of_article[article_id] = keep
        self.members[keep].extend(self.members[drop])
        self.members[drop] = []
        self._row_of_story[self.story_ids[drop]] = keep
        self._index.redirect(drop, keep)


class _Squares:
    """Memory for the square matrices of a chunk (``group_size`` articles: 16 MB per
    ``float32`` square of 2,048), kept for the next chunk. A fresh array that large is
    fresh pages, each zeroed by the system on first touch: on the 2-core development VM
    zeroing pages was an eighth of the CPU time of an ``analyze`` of 10,000 articles, most of
    it for these squares."""

    def __init__(self) -> None:
        self._memory: dict[str, np.ndarray] = {}

    def take(self, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """An uninitialised array of ``shape`` and ``dtype`` in the memory called ``name``
        (what it held before is overwritten by whoever takes it next)."""
        dtype = np.dtype(dtype)
        size = int(np.prod(shape)) * dtype.itemsize
        memory = self._memory.get(name)
        if memory is None or len(memory) < size:
            memory = self._memory[name] = np.empty(size, dtype=np.uint8)
        return memory[:size].view(dtype).reshape(shape)


class _Candidates(NamedTuple):
    """Candidate stories of an article (or a group): their rows, scores and mean hubness
    (see :meth:`StoryClusterer._candidate_scores`)."""

    rows: np.ndarray
    scores: np.ndarray
    hubness: np.ndarray


@dataclass
class _Batch:
    """The new articles of one :meth:`StoryClusterer.assign` call and their story rows."""

    articles: list[Article]
    embeddings: np.ndarray
    bags: sparse.csr_matrix  #: [entity bag | word bag] rows
    templated: np.ndarray  #: read by what fills a template's frames (:mod:`newstrace.match.templates`)
    days: np.ndarray = field(init=False)
    words: np.ndarray = field(init=False)  #: word counts of title + text
    #: not read by their embedding: not in English (:attr:`Article.language`) or templated
    blind: np.ndarray = field(init=False)
    rows: np.ndarray = field(init=False)
    hubs: np.ndarray = field(init=False)  #: hubness of each article, measured in refinement (see StoryClusterer._refined_story)
    vacated: set[int] = field(default_factory=set)  #: story rows that articles moved out of

    def __post_init__(self) -> None:
        self.days = np.array([_day(article.date) for article in self.articles], dtype=np.int64)
        self.words = np.array([_word_count(article) for article in self.articles], dtype=np.float64)
        foreign = np.array([article.language is not None for article in self.articles], dtype=bool)
        self.blind = foreign | self.templated
        self.rows = np.full(len(self.articles), -1, dtype=np.int64)
        self.hubs = np.zeros(len(self.articles), dtype=np.float32)

    def chunks(self, size: int) -> list[np.ndarray]:
        return [np.arange(start, min(start + size, len(self.articles))) for start in range(0, len(self.articles), size)]

    def features(self, chunk: np.ndarray) -> np.ndarray:
        """Rows of [unit embedding | unit entity bag | unit word bag] for the chunk."""
        return np.hstack([self.embeddings[chunk], self.bags[chunk].toarray(), self.hubs[chunk, None]])


def _tied(article_ids: Sequence[str], linked: dict[str, set[str]]) -> np.ndarray:
    """The pairs among ``article_ids`` (a square boolean matrix) that must share a story."""
    tied = np.zeros((len(article_ids), len(article_ids)), dtype=bool)
    position = {article_id: number for number, article_id in enumerate(article_ids)}
    for number, article_id in enumerate(article_ids):
        for other in linked.get(article_id, ()):
            if other in position:
                tied[number, position[other]] = tied[position[other], number] = True
    return tied


def _backgrounds(similarity: np.ndarray, stories: list[np.ndarray], count: int) -> np.ndarray:
    """Per row of a square similarity matrix, the mean of its ``count`` highest similarities
    to the other rows and to ``stories`` (that row's similarities to earlier stories); missing
    ones count as 0 (a small collection has little background)."""
    backgrounds = np.empty(len(similarity))
    for row, (similar, earlier) in enumerate(zip(similarity, stories)):
        values = np.concatenate([np.delete(similar, row), earlier, np.zeros(count)])
        backgrounds[row] = -np.partition(-values, count - 1)[:count].mean()
    return backgrounds


def _story_sums(articles: np.ndarray, stories: np.ndarray, values: np.ndarray,
                count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct (article, story) pair among the given ones (``count`` stories): the
    article, the story, how many times the pair occurs and the sum of its ``values``."""
    keys, inverse, reached = np.unique(articles * count + stories, return_inverse=True, return_counts=True)
    return keys // count, keys % count, reached, np.bincount(inverse, weights=values, minlength=len(keys))


def _background(scores: np.ndarray, best: int, count: int) -> float:
    """The mean of the ``count`` highest scores other than the best (0 when there are none):
    how much an article resembles the stories around it that it is not about."""
    others = np.delete(scores, best)
    if not len(others) or count <= 0:
        return 0.0
    return float(-np.partition(-others, min(count, len(others)) - 1)[: count].mean())


def _word_count(article: Article) -> int:
    return len((article.title or "").split()) + len(article.text.split())


def _best_moves(keep: np.ndarray, score: np.ndarray, target: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Of the candidate moves ``keep`` (positions into ``score``, ``target`` and ``source``),
    the best-scored one into each target story, then of those the best one out of each
    source story."""
    keep = keep[np.argsort(-score[keep], kind="stable")]
    keep = keep[np.unique(target[keep], return_index=True)[1]]
    keep = keep[np.argsort(-score[keep], kind="stable")]
    return keep[np.unique(source[keep], return_index=True)[1]]


def _nearest_mask(similarity: np.ndarray, count: int) -> np.ndarray:
    """A square boolean matrix: ``[j, i]`` when row ``i`` is among the ``count`` most similar
    rows of row ``j`` (the diagonal of ``similarity`` already at -inf)."""
    nearest = _top_columns(similarity, count)
    mask = np.zeros(similarity.shape, dtype=bool)
    mask[np.arange(len(similarity))[:, None], nearest] = True
    return mask


def _condensed(square: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The pairs of a symmetric ``square`` in ``out``, row by row (``squareform``'s condensed
    form, which copies a square that is a view before it condenses it). One slice copy per
    row: 2.4 ms for a square of 2,048, where ``np.compress`` through an upper-triangle mask
    took 19.7 ms."""
    count, at = len(square), 0
    for row in range(count - 1):
        out[at : at + count - 1 - row] = square[row, row + 1 :]
        at += count - 1 - row
    return out


def _top_columns(similarity: np.ndarray, count: int, rows: int = 256) -> np.ndarray:
    """Per row, the columns of its ``count`` highest values, in no order
    (:func:`~newstrace.encode.index.top_columns`), ``rows`` rows at a time: its temporaries
    (a copy of the rows where the columns do not fill whole blocks, or argpartition's index
    matrix where blocks do not pay) stay the size of a block, not of a whole chunk's square."""
    top = np.empty((len(similarity), count), dtype=np.intp)
    for first in range(0, len(similarity), rows):
        top[first : first + rows] = top_columns(similarity[first : first + rows], count)
    return top


def _most_similar(similarity: np.ndarray, count: int) -> np.ndarray:
    """For each row of a square similarity matrix, the ``count`` most similar other rows."""
    if count <= 0:
        return np.empty((len(similarity), 0), dtype=np.int64)
    np.fill_diagonal(similarity, -np.inf)
    return _top_columns(similarity, count)


def _link_map(links: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    linked: dict[str, set[str]] = {}
    for a, b in links:
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    return linked


def _encode_array(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _decode_array(text: str, dtype: type) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def pair_similarities(articles: Sequence[Article], vectors: np.ndarray, **params: Any) -> dict[str, np.ndarray]:
    """The three cosine similarities the clusterer weighs, between every pair of a
    collection (square matrices by name: ``embedding``, ``entities``, ``words``), with the
    entity and word bags weighted by the collection's own document frequencies, as one
    :meth:`StoryClusterer.assign` batch sees them. For fitting and inspecting the weights."""
    clusterer = StoryClusterer(**params)
    embeddings = unit_rows(np.asarray(vectors, dtype=np.float32))
    bags, _ = clusterer._bags(articles, list(range(len(articles))))
    entities, words = bags[:, : clusterer.entity_dim], bags[:, clusterer.entity_dim :]
    return {"embedding": embeddings @ embeddings.T, "entities": (entities @ entities.T).toarray(),
            "words": (words @ words.T).toarray()}


def cluster_stories(
    articles: Sequence[Article],
    vectors: np.ndarray,
    links: Iterable[tuple[str, str]] = (),
    **params: Any,
) -> list[list[int]]:
    """Stories of a whole collection as lists of indices into ``articles``.

    Articles are fed oldest first (undated ones last, in input order) so each story grows
    from its first report; ``params`` go to :class:`StoryClusterer`.
    """
    order = sorted(range(len(articles)), key=lambda i: (_day(articles[i].date) == UNDATED, _day(articles[i].date)))
    clusterer = StoryClusterer(**params)
    clusterer.assign([articles[i] for i in order], np.asarray(vectors)[order], links)
    groups: dict[str, list[int]] = {}
    for index, article in enumerate(articles):
        groups.setdefault(clusterer.story_of(article.id), []).append(index)
    return list(groups.values())
