"""POST /api/intake/draft: the draft for channels beside the console."""

import pytest

from tests.orders.test_api import Api

pytestmark = pytest.mark.django_db


def test_an_operator_gets_the_draft_of_a_text(city):
    answer = Api(city.operator).post(
        "/intake/draft", {"text": "我要投诉，中原路街道的工地晚上施工噪音扰民，希望尽快处理"}
    )
    assert answer.status_code == 200
    draft = answer.json()
    assert draft["request_type"]["value"] == "complaint"
    assert draft["area_code"] == city.street.code
    assert draft["summary"]["asks"] and isinstance(draft["notes"], list)


def test_only_intake_roles_draft(city):
    answer = Api(city.handler_cgj).post("/intake/draft", {"text": "路灯坏了"})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"


def test_a_text_beyond_the_limit_is_refused_in_words(city):
    answer = Api(city.operator).post("/intake/draft", {"text": "噪" * 20_001})
    assert answer.status_code == 422 and answer.json()["error"]["message"]
