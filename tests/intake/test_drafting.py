"""A draft from the caller's words: place, title, category hints and flags."""

import pytest

from hotline.intake.drafting import draft

pytestmark = pytest.mark.django_db


def test_a_call_fills_the_place_title_and_category(demo):
    result = draft(
        "市民来电反映：华龙区中原路街道某小区旁的工地每晚施工到凌晨，噪音扰民。"
        "联系电话13812345678。"
    )
    assert result.area_code == "410902001" and result.area_name == "中原路街道"
    assert result.lat and result.lng
    assert result.title.startswith("华龙区中原路街道某小区旁的工地")
    assert result.categories[0].name == "建筑施工噪声"
    assert "噪音" in result.categories[0].reason
    assert result.emergency is None and result.urgency == "normal"


def test_personal_data_never_reaches_the_title(demo):
    assert "13812345678" not in draft("我的电话13812345678，小区停水了").title


def test_an_emergency_asks_for_a_transfer_at_once(demo):
    result = draft("家里厨房闻到很大的煤气味，燃气泄漏了，怎么办")
    assert result.emergency["service"] == "119" and result.urgency == "critical"


def test_what_could_not_be_determined_is_said(demo):
    result = draft("你好")
    assert result.area_code is None and result.categories == []
    assert len(result.notes) == 4  # place, type, category, unit
    assert draft("").notes and draft("河北省石家庄市长安区的路灯坏了").is_outside_home


def test_the_console_endpoint_answers_json_for_operators_only(client, demo):
    from hotline.orgs.models import User

    client.force_login(User.objects.get(username="operator1"))
    answer = client.post("/console/intake/draft", {"transcript": "清丰县有人举报企业偷排污水"})
    assert answer.status_code == 200 and answer.json()["area_code"].startswith("410922")
    client.force_login(User.objects.get(username="handler_py-cgj"))
    assert client.post("/console/intake/draft", {"transcript": "x"}).status_code == 403


def test_a_call_gets_its_type_summary_and_the_unit_with_the_reason(demo):
    result = draft(
        "坐席：您好，12345热线，请问有什么可以帮您？\n"
        "市民：我要投诉，华龙区中原路街道昆吾新村旁边的工地从上周开始每天晚上施工到凌晨，"
        "噪音太大了，吵得孩子没法睡觉。\n"
        "坐席：好的，您希望怎么处理？\n"
        "市民：希望有关部门赶紧管一管，让他们晚上别施工。"
    )
    assert result.request_type["value"] == "complaint"
    assert result.request_type["reason"] and 0 < result.request_type["confidence"] <= 1
    summary = result.summary
    assert summary["caller_turns"] == 2 and "上周" in summary["since"]
    assert "希望" in summary["asks"] and "有什么可以帮您" not in summary["text"]
    assert result.units, "the responsibility list names a unit for construction noise"
    best = result.units[0]
    assert "权责清单" in best.reason or "Responsibility list" in best.reason
    assert result.area_name == "中原路街道"


def test_a_matter_in_court_is_out_of_scope_with_an_answer_to_give(demo):
    result = draft("我和邻居的房屋纠纷已经在法院起诉了，法院判了但是对方一直不执行。")
    assert result.request_type["value"] == "out_of_scope"
    assert result.request_type["out_of_scope"] == "litigation"
    assert result.suggested_answer


def test_an_emergency_makes_the_request_out_of_scope_for_transfer(demo):
    result = draft("快来人，楼下着火了，浓烟很大，有人被困")
    assert result.emergency["service"] == "119"
    assert result.request_type["out_of_scope"] == "emergency"


BAD_INPUT = [
    "",
    "   ",
    "嗯嗯啊啊那个就是说",
    "俺们村那条路坑坑洼洼的，下雨天根本走不成，恁说这咋弄嘞",
    "The street light outside my house has been broken for a week.",
    "噪音" * 10_000,
    "河南省郑州市金水区文化路的路灯坏了",
    "😀🙏🏻👍" * 50,
    "\x00\x01<script>alert(1)</script>",
]


def test_any_text_gives_a_draft_that_says_what_it_could_not_determine(demo):
    for text in BAD_INPUT:  # one city for all: loading it costs more than drafting
        result = draft(text)
        assert isinstance(result.notes, list) and result.notes, text
        assert result.as_dict()  # serialisable for the page


def test_a_trained_model_ranks_the_categories_with_calibrated_confidence(city):
    from hotline.intake.training import train_from_history
    from tests.factories import closed_history

    closed_history(city)
    train_from_history(show_progress=False)
    result = draft("华龙区中原路的工地晚上打桩，噪音太大，吵得睡不着")
    best = result.categories[0]
    assert best.code == city.noise.code and best.confidence > 0.5 and best.is_confident
    assert best.path_name == "城乡建设 › 噪音扰民"
    assert all(hint.confidence is None or 0 <= hint.confidence <= 1 for hint in result.categories)
    assert result.model_version == 1
    assert result.units[0].code == city.cgj.code
    assert "权责清单第 1 项" in result.units[0].reason or "item 1" in result.units[0].reason
    water = draft("小区停水两天了，自来水一直没来")
    assert water.categories[0].code == city.water.code
    assert water.units[0].code == city.water_company.code  # learnt from the history alone


def test_the_dispatcher_sees_what_the_history_learnt_beside_the_rules(city, client):
    from hotline.intake.training import train_from_history
    from tests.factories import closed_history, register

    closed_history(city)
    train_from_history(show_progress=False)
    order = register(
        city, title="停水两天", content="小区停水两天了，自来水一直没来", category=None
    )
    client.force_login(city.dispatcher)
    page = client.get(f"/console/orders/{order.number}/").content.decode()
    assert "濮阳市自来水公司" in page and "历史相似工单多由该单位办理" in page


def test_the_operators_words_raise_no_flag(demo):
    result = draft(
        "坐席：您好，如遇火灾、燃气泄漏等危险情况请立即拨打119。\n"
        "市民：好的，我就是想咨询一下社保卡丢了怎么补办。"
    )
    assert result.emergency is None and result.request_type["value"] == "consultation"
