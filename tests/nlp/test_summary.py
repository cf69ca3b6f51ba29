"""The order's summary from the caller's turns: who, where, what, since, asks (nlp.summary)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.pii import id_card_check_char
from nlp.summary import Summary, caller_text, strip_fillers, summarize

ID_CARD = "41090219900101123" + id_card_check_char("41090219900101123")

CALL = (
    "坐席：您好，12345政务服务便民热线，请问有什么可以帮您？\n"
    "市民：喂，你好，嗯，我要反映一下，我家住在华龙区中原路88号绿城小区，就是说，"
    "自上周起每天晚上都有工地施工，噪音特别大，吵得睡不着。\n"
    "坐席：好的，您的联系电话是？\n"
    "市民：13812345678。希望相关部门尽快查处。\n"
    "坐席：好的，我们会尽快转办，感谢您的来电。"
)


# --- Speakers -----------------------------------------------------------------------------------


def test_operator_turns_do_not_reach_the_summary():
    summary = summarize(CALL)
    assert "12345" not in summary.text
    assert "转办" not in summary.text
    assert "联系电话" not in caller_text(CALL)
    assert summary.caller_turns == 2


@pytest.mark.parametrize(
    "transcript",
    [
        "坐席：您好，12345。\n市民：楼道里堆满杂物",
        "坐席:您好\n市民:楼道里堆满杂物",
        "话务员 ： 您好\n来电人 ：楼道里堆满杂物",
        "客服：您好\n用户：楼道里堆满杂物",
        "工作人员：请讲\n群众：楼道里堆满杂物",
        "客服：您好\n客户：楼道里堆满杂物",
        "operator: hello\ncaller: 楼道里堆满杂物",
        "[坐席] 您好，12345热线\n【市民】楼道里堆满杂物",
        "【坐席】您好\n[来电人]：楼道里堆满杂物",
        "坐席：您好。市民：楼道里堆满杂物",
        "[00:01] 坐席：您好\n[00:05] 市民：楼道里堆满杂物",
    ],
)
def test_speaker_label_variants_are_recognised(transcript):
    assert caller_text(transcript) == "楼道里堆满杂物"


def test_with_neutral_labels_the_one_who_greets_is_the_operator():
    transcript = (
        "A：喂，我们小区电梯坏了\nB：您好，这里是12345，请问有什么可以帮您？\nA：电梯坏了一个星期了"
    )
    assert caller_text(transcript) == "喂，我们小区电梯坏了\n电梯坏了一个星期了"
    assert summarize(transcript).caller_turns == 2


def test_with_neutral_labels_and_no_greeting_the_first_speaker_is_the_operator():
    assert caller_text("A: 请讲\nB: 我想问问社保怎么转移") == "我想问问社保怎么转移"


def test_diarized_speaker_numbers_count_as_neutral_labels():
    transcript = "说话人1：您好，请问有什么可以帮您\n说话人2：我家暖气不热"
    assert caller_text(transcript) == "我家暖气不热"


def test_text_without_labels_is_all_the_callers():
    message = "小区门口的路灯坏了半个月了，晚上出行很不方便。"
    assert caller_text(message) == message
    assert summarize(message).caller_turns == 0


def test_a_word_before_a_colon_inside_a_sentence_is_no_label():
    message = "物业通知客户：本月起停车费上涨，我们觉得不合理"
    assert caller_text(message) == message


# --- The parts ----------------------------------------------------------------------------------


def test_a_noise_complaint_call_gives_every_part():
    summary = summarize(CALL)
    assert summary.who == "市民"
    assert summary.where == "华龙区中原路88号绿城小区"
    assert summary.since == "自上周起每天晚上"
    assert summary.what == "自上周起每天晚上都有工地施工，噪音特别大"
    assert summary.asks == "希望相关部门尽快查处"
    assert summary.text == (
        "市民反映：华龙区中原路88号绿城小区自上周起每天晚上都有工地施工，噪音特别大，"
        "诉求：希望相关部门尽快查处。"
    )


@pytest.mark.parametrize(
    ("text", "since"),
    [
        ("自2019年4月以来，开发商一直不给办房产证", "自2019年4月以来"),
        ("从去年开始，村里的垃圾就没人清运", "从去年开始"),
        ("2019年4月买的房，到现在房产证都没办下来", "2019年4月"),
        ("近一个月，小区门口的路灯一直不亮", "近一个月"),
        ("最近楼下饭店油烟很大", "最近"),
        ("家里停水已经三天了", "已经三天了"),
        ("小区停电两个多月了，没人管", "两个多月了"),
        ("楼上每天晚上都在装修", "每天晚上"),
        ("这几天垃圾站臭味很大", "这几天"),
        ("工地经常夜间施工", "经常"),
    ],
)
def test_since_when_is_taken_as_said(text, since):
    assert summarize(text).since == since


def test_going_from_the_top_floor_is_no_date():
    assert summarize("从楼上开始漏水，一直漏到我家").since == ""


def test_calling_many_times_is_not_how_often_the_problem_happens():
    assert summarize("路灯坏了，我多次反映都没人管").since == ""


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("楼上漏水，物业不管，要求物业赔偿损失。", "要求物业赔偿损失"),
        ("路口红绿灯坏了，请相关部门尽快修复。", "请相关部门尽快修复"),
        ("培训机构跑路了，我们希望能退费，并且追究责任。", "希望能退费，并且追究责任"),
        ("村里路灯不亮，恳请领导重视。", "恳请领导重视"),
        ("垃圾没人清运，我的诉求是尽快清运，好吗", "诉求是尽快清运"),
    ],
)
def test_asks_run_from_the_cue_to_the_end_of_the_clause(text, asks):
    assert summarize(text).asks == asks


def test_what_someone_else_demands_is_not_the_callers_ask():
    summary = summarize("物业要求我们每户交五百元维修费，不交就停电")
    assert summary.asks == ""
    assert summary.what.startswith("物业要求我们每户交五百元维修费")


def test_asking_a_question_is_no_ask_but_a_consultation():
    summary = summarize("请问新生儿医保在哪里办？")
    assert summary.asks == ""
    assert summary.text == "市民咨询：新生儿医保在哪里办。"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("南乐县城关镇王庄村有人偷排污水", "南乐县城关镇王庄村"),
        ("我家住在华龙区中原路88号3号楼，楼下饭店油烟太大", "华龙区中原路88号3号楼"),
        ("人民路与胜利路交叉口向南200米有个大坑", "人民路与胜利路交叉口向南200米"),
        ("我是绿城小区的业主，小区门口的路坏了", "绿城小区"),
        ("这条路坏了好久了，一直没人修", ""),
    ],
)
def test_where_is_the_place_phrase_as_said(text, where):
    assert summarize(text).where == where


def test_a_place_found_elsewhere_is_the_summarys_where():
    summary = summarize("门口的路坏了，希望尽快修", place="华龙区胜利路街道中原社区")
    assert summary.where == "华龙区胜利路街道中原社区"
    assert summary.text.startswith("市民反映：华龙区胜利路街道中原社区门口的路坏了")


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("楼下饭店油烟太大", "市民"),
        ("我是绿城小区的业主，小区门口的路坏了", "绿城小区业主"),
        ("我是这个小区的业主，电梯坏了", "小区业主"),
        ("我是一名外卖骑手，小区不让电动车进", "骑手"),
        ("我是华龙电子有限公司的负责人，增值税留抵退税一直没办下来", "企业（华龙电子有限公司）"),
        ("我司的营业执照变更一直办不下来", "企业"),
        ("我是华龙电子有限公司的员工，公司拖欠工资三个月了", "华龙电子有限公司员工"),
    ],
)
def test_who_is_the_caller_as_they_describe_themselves(text, who):
    assert summarize(text).who == who


def test_lead_ins_are_not_the_matter():
    summary = summarize("你好，我要反映一下，我要投诉出租车拒载")
    assert summary.what == "出租车拒载"


def test_what_skips_what_the_caller_says_about_themselves():
    summary = summarize("我姓王，我是王庄村的村民，村里的排水沟堵了，一下雨就淹")
    assert summary.what == "村里的排水沟堵了，一下雨就淹"
    assert summary.who == "王庄村村民"


def test_contact_details_are_not_the_matter():
    assert summarize("电话13812345678，楼上漏水三天了，物业不管").what == "楼上漏水三天了，物业不管"


def test_the_topic_said_just_before_the_problem_is_kept():
    summary = summarize("开发区这边的公交车，那个，班次太少了，一个小时才一班，建议增开几班。")
    assert summary.what == "开发区这边的公交车，班次太少了"
    assert summary.asks == "建议增开几班"


def test_duration_said_with_le_follows_the_matter():
    summary = summarize("我们小区电梯坏了。电梯坏了一个星期了。")
    assert summary.text == "市民反映：我们小区电梯坏了，一个星期了。"


def test_place_suffix_is_not_repeated_after_the_place():
    summary = summarize("你好，我是绿城小区的业主，小区门口的路坏了，希望尽快修好")
    assert "绿城小区门口的路坏了" in summary.text
    assert "小区小区" not in summary.text


# --- Fillers ------------------------------------------------------------------------------------


def test_fillers_of_spoken_chinese_do_not_reach_the_summary():
    summary = summarize(
        "喂，喂，你好，嗯，那个，就是说，村里的垃圾啊好几天没人清运了，对对对，臭得不行"
    )
    assert summary.what == "村里的垃圾好几天没人清运了，臭得不行"
    for filler in ("嗯", "啊", "那个", "就是说", "对对对", "喂"):
        assert filler not in summary.text


def test_feeding_stray_cats_is_no_filler():
    assert "喂流浪猫" in summarize("楼上邻居天天喂流浪猫，楼道里很臭").text


def test_strip_fillers_keeps_the_words_that_matter():
    assert strip_fillers("嗯，那个，我家对面啊在施工，对对对。") == "我家对面在施工。"


# --- Personal data ------------------------------------------------------------------------------


def test_personal_data_is_masked_in_the_summary():
    summary = summarize(
        f"我叫张三丰，电话13812345678，身份证号{ID_CARD}，我的电话13812345678被物业泄露了，"
        "天天接到骚扰电话，要求物业给个说法"
    )
    fields = " ".join([summary.who, summary.where, summary.what, summary.asks, summary.text])
    assert "13812345678" not in fields
    assert ID_CARD not in fields
    assert "张三丰" not in fields
    assert "138****5678" in summary.what


def test_a_long_text_is_never_cut_in_the_middle_of_a_phone_number():
    text = "楼上漏水" + "，物业一直不管" * 40 + "，联系电话13812345678"
    summary = summarize(text)
    assert "1381234" not in summary.text


# --- Length and bad input -----------------------------------------------------------------------


def test_the_paragraph_is_at_most_two_hundred_characters():
    long_matter = "小区门口的排水沟常年堵塞" + "并且一下雨就倒灌进地下车库" * 30
    summary = summarize(f"{long_matter}，希望相关部门尽快疏通")
    assert len(summary.text) <= 200
    assert summary.text.endswith("。")
    assert "诉求：希望相关部门尽快疏通" in summary.text


@pytest.mark.parametrize(
    "text", ["", "   ", None, 42, "😀😀😀", "嗯嗯，啊，对对对，喂喂", "。。！"]
)
def test_empty_or_noise_only_text_gives_an_empty_summary(text):
    summary = summarize(text)
    assert (summary.text, summary.what, summary.asks) == ("", "", "")


def test_only_operator_turns_give_an_empty_summary():
    assert summarize("坐席：您好，12345，请问有什么可以帮您？") == Summary()


def test_english_text_is_summarized_as_it_is():
    summary = summarize("My neighbour is very noisy every night.")
    assert summary.what == "My neighbour is very noisy every night"


def test_twenty_thousand_characters_give_a_short_summary():
    summary = summarize("楼下饭店油烟扰民，" * 2300)
    assert summary.what.startswith("楼下饭店油烟扰民")
    assert len(summary.text) <= 200


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), place=st.none() | st.text(max_size=20))
def test_never_raises_on_any_text(text, place):
    summary = summarize(text, place=place)
    assert len(summary.text) <= 200
    assert isinstance(caller_text(text), str)
