"""Flags on what a caller said: emergency, abuse, emotion, enterprise, confidentiality."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.flags import DEFAULT_LEXICON, POLICE, Danger, Emergency, Flags, flags

# --- Emergency --------------------------------------------------------------------------------


def test_gas_smell_is_an_emergency_for_119_with_a_reason():
    assert flags("家里闻到煤气味，不敢开灯，怎么办").emergency == Emergency(
        service="119", cue="闻到煤气味", reason="疑似燃气泄漏，请立即转 119"
    )


@pytest.mark.parametrize(
    ("text", "service", "cue"),
    [
        ("快来人啊，楼下着火了！", "119", "着火"),
        ("三楼厨房在冒烟，味道很大", "119", "冒烟"),
        ("小区燃气泄漏了，整栋楼都是味", "119", "燃气泄漏"),
        ("我邻居说他不想活了，现在站在楼顶", "110", "不想活了"),
        ("有人要跳楼，在人民路商场", "110", "跳楼"),
        ("楼下有人持刀追着人砍", "110", "持刀"),
        ("她老公又家暴了，打得很厉害", "110", "家暴"),
        ("我母亲突然晕倒了，叫不醒", "120", "晕倒"),
        ("路口车祸了，有人受伤流血", "120", "车祸了，有人受伤"),
        ("电动车被车撞了，人躺在地上", "120", "被车撞"),
        ("河边有个小孩溺水了", "110", "溺水"),
        ("我孩子丢了，在万达广场走丢的", "110", "孩子丢了"),
    ],
)
def test_danger_cues_send_the_call_to_the_right_service(text, service, cue):
    emergency = flags(text).emergency
    assert emergency is not None
    assert (emergency.service, emergency.cue) == (service, cue)
    assert emergency.reason.endswith(f"请立即转 {service}")


def test_past_fire_asking_for_compensation_is_not_an_emergency():
    assert flags("上次着火的事情已经处理好了，想咨询赔偿").emergency is None


@pytest.mark.parametrize(
    "text",
    [
        "没有着火，是我看错了",
        "担心起火，电动车在楼道充电",
        "楼道堆放杂物，存在火灾隐患",
        "之前被打过，想咨询怎么起诉",
        "孩子丢了，现在已经找到了",
        "楼下着火了，已经扑灭了，想问问物业责任",
        "我打人社局电话一直没人接",
        "商场跳楼价甩卖，噪音很大",
        "小区的火灾报警器一直响",
        "楼顶落水管漏水",
        "烧烤冒烟，油烟扰民",
    ],
)
def test_negated_past_hypothetical_or_unrelated_cue_is_not_an_emergency(text):
    assert flags(text).emergency is None


def test_fire_already_burning_is_still_an_emergency():
    assert flags("已经着火了，火很大").emergency.service == "119"


def test_negation_does_not_reach_past_a_comma():
    emergency = flags("没有着火，但是插座在冒烟").emergency
    assert emergency is not None and emergency.cue == "冒烟"


def test_the_first_danger_in_the_text_is_reported():
    assert flags("我爸晕倒了，厨房还闻到煤气味").emergency.service == "120"


# --- Abuse ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level", "words"),
    [
        ("你们这帮傻逼", 2, ("傻逼",)),
        ("tmd 到底管不管", 2, ("tmd",)),
        ("NMSL", 2, ("NMSL",)),
        ("你们就是一群饭桶、白痴", 1, ("饭桶", "白痴")),
        ("笨蛋，卧槽，傻逼", 2, ("笨蛋", "卧槽", "傻逼")),
    ],
)
def test_abuse_has_a_severity_and_the_words_found(text, level, words):
    found = flags(text)
    assert (found.abuse, found.abuse_words) == (level, words)


def test_abuse_written_with_a_filler_or_in_full_width_is_found():
    assert flags("傻 逼").abuse == 2
    assert flags("傻*逼").abuse == 2
    assert flags("ｓｂ").abuse == 2


@pytest.mark.parametrize(
    "text",
    [
        "USB 接口的充电桩坏了",
        "小区门口垃圾没人清理",
        "工厂偷排固体废物",
        "我靠打零工养家",
        "他妈妈住院了",
        "asbestos",
    ],
)
def test_everyday_words_are_not_abuse(text):
    assert flags(text).abuse == 0


# --- Emotion ----------------------------------------------------------------------------------


def test_a_calm_call_has_no_emotion():
    found = flags("您好，我想咨询一下社保卡怎么补办。")
    assert (found.emotion, found.emotion_cues) == (0.0, ())


def test_more_emotion_cues_give_a_higher_score():
    upset = flags("急死了，打了好几次都没人管")
    furious = flags("急死了，打了好几次都没人管，太过分了！！！再不解决我就找媒体曝光")
    assert 0 < upset.emotion < furious.emotion <= 1
    assert "急死" in upset.emotion_cues
    assert {"太过分", "再不解决", "找媒体", "曝光"} <= set(furious.emotion_cues)


def test_exclamation_marks_and_abuse_raise_the_emotion():
    assert flags("路灯坏了！！！").emotion > flags("路灯坏了").emotion
    assert flags("路灯坏了，傻逼").emotion > flags("路灯坏了，笨蛋").emotion > 0


# --- Enterprise and confidentiality ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("我们公司的营业执照年检遇到问题", "我们公司"),
        ("我司想了解一下招商引资的优惠政策", "我司"),
        ("我是个体工商户，想问纳税申报", "个体工商户"),
    ],
)
def test_a_company_asking_goes_to_the_enterprise_desk(text, cue):
    found = flags(text)
    assert found.is_enterprise and found.enterprise_cue == cue


@pytest.mark.parametrize(
    "text", ["附近企业偷排废水，工厂噪音扰民", "招商银行门口的井盖坏了", "我要投诉楼下饭店"]
)
def test_a_resident_complaining_about_a_company_is_not_enterprise(text):
    assert not flags(text).is_enterprise


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("请帮我保密，谢谢", "保密"),
        ("我要匿名反映", "匿名"),
        ("别告诉他们是我打的电话", "别告诉他们是我"),
        ("不要透露我的信息", "不要透露"),
    ],
)
def test_caller_asking_for_confidentiality_is_flagged(text, cue):
    found = flags(text)
    assert found.is_confidential and found.confidential_cue == cue


def test_caller_saying_confidentiality_is_not_needed_is_not_flagged():
    assert not flags("不用保密，可以公开我的电话").is_confidential


# --- The lexicon ------------------------------------------------------------------------------


def test_a_city_can_add_its_own_words():
    lexicon = DEFAULT_LEXICON.extended(
        abuse_mild=("瓜娃子",),
        enterprise_cues=("园区企业",),
        dangers=(Danger("疑似山体滑坡", POLICE, ("山体滑坡",)),),
    )
    found = flags("我们园区企业旁边山体滑坡了，你个瓜娃子", lexicon)
    assert found.abuse == 1 and found.abuse_words == ("瓜娃子",)
    assert found.enterprise_cue == "园区企业"
    assert found.emergency.reason == "疑似山体滑坡，请立即转 110"
    assert flags("你个瓜娃子").abuse == 0


def test_an_emptied_word_list_matches_nothing():
    lexicon = replace(DEFAULT_LEXICON, enterprise_cues=(), dangers=(), false_friends=())
    found = flags("我们公司楼下着火了", lexicon)
    assert (found.is_enterprise, found.emergency) == (False, None)


@pytest.mark.parametrize("text", ["", "The street light is broken, please fix it."])
def test_empty_or_english_text_raises_no_flag(text):
    assert flags(text) == Flags()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(max_size=300))
def test_any_text_gives_flags_within_bounds(text):
    found = flags(text)
    assert 0.0 <= found.emotion <= 1.0
    assert found.abuse in (0, 1, 2)
    assert found.emergency is None or found.emergency.service in ("110", "119", "120")
