"""Synonym groups: a word of a group brings the group's other words, never itself twice."""

from nlp.synonyms import DEFAULT, Synonyms


def test_a_word_brings_the_other_words_of_its_group():
    assert set(DEFAULT.expand(["医保", "报销"])) >= {"医疗保险", "医疗保障"}
    assert "医保" not in DEFAULT.expand(["医保"])
    assert DEFAULT.expand(["天气"]) == []


def test_words_already_asked_are_not_repeated():
    extra = DEFAULT.expand(["医保", "医疗保险"])
    assert "医疗保险" not in extra and "医保" not in extra
    assert len(extra) == len(set(extra))


def test_a_city_adds_its_own_groups_without_changing_the_built_in_ones():
    city = DEFAULT.extended(["龙都卡 市民卡", "濮水河，濮河"])
    assert city.expand(["龙都卡"]) == ["市民卡"]
    assert city.expand(["濮河"]) == ["濮水河"]
    assert DEFAULT.expand(["龙都卡"]) == []
    assert Synonyms([]).expand(["医保"]) == []


def test_group_words_are_found_in_the_text_itself():
    city = DEFAULT.extended(["龙都卡 市民卡"])
    assert city.in_text("我的龙都卡丢了") == ["市民卡"]
    assert city.in_text("市民卡和龙都卡") == []
    assert "医疗保险" in DEFAULT.in_text("医保报销比例")
