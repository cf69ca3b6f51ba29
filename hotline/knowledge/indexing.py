"""What search keeps of each published version, computed once: its vector of meaning
(for both backends) and its words (for PostgreSQL's full-text index)."""

from __future__ import annotations

import numpy as np

from nlp.embed import from_bytes, to_bytes
from nlp.search import Document, document_vectors, words

from .models import KnowledgeVersion

SAVE_EVERY = 500  # vectors computed and written to the database at once


def vectors_of(versions, embedder) -> np.ndarray:
    """The versions' vectors (n × dim, in their order), computing and storing those that
    are missing or of another model."""
    vectors = np.zeros((len(versions), embedder.dim), dtype=np.float32)
    missing = []
    for row, version in enumerate(versions):
        if version.vector and version.vector_model == embedder.name:
            vectors[row] = from_bytes(bytes(version.vector))
        else:
            missing.append(row)
    for start in range(0, len(missing), SAVE_EVERY):
        chunk = missing[start : start + SAVE_EVERY]
        documents = [Document(str(versions[row].pk), versions[row].title) for row in chunk]
        for row, vector in zip(chunk, document_vectors(documents, embedder), strict=True):
            vectors[row] = vector
            versions[row].vector, versions[row].vector_model = to_bytes(vector), embedder.name
        KnowledgeVersion.objects.bulk_update(
            [versions[row] for row in chunk], ["vector", "vector_model"]
        )
    return vectors


def search_words(title: str, text: str) -> dict[str, str]:
    """The words PostgreSQL's full-text index reads, as stored on the version."""
    return {
        "search_title": " ".join(words(title)),
        "search_text": " ".join(words(f"{title}。{text}")),
    }
