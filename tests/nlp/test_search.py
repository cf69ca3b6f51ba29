"""Knowledge search by words: titles, character pairs and the source document, fused."""

import pytest

from nlp.search import Document, LexicalIndex

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
