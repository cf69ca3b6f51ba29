"""A draft from the caller's words: place, title, category hints and flags."""

import pytest

from hotline.intake.drafting import draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from hotline.demo.city import load_city

    load_city()


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
    assert len(result.notes) == 2
    assert draft("").notes and draft("河北省石家庄市长安区的路灯坏了").is_outside_home


def test_the_console_endpoint_answers_json_for_operators_only(client, demo):
    from hotline.orgs.models import User

    client.force_login(User.objects.get(username="operator1"))
    answer = client.post("/console/intake/draft", {"transcript": "清丰县有人举报企业偷排污水"})
    assert answer.status_code == 200 and answer.json()["area_code"].startswith("410922")
    client.force_login(User.objects.get(username="handler_py-cgj"))
    assert client.post("/console/intake/draft", {"transcript": "x"}).status_code == 403
