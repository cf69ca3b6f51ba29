"""Searching the published knowledge: only items in force, filtered by kind and area,
and a new version searchable as soon as it is published."""

import pytest

from hotline.knowledge import search, service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index():
    search.forget()
    yield
    search.forget()


def publish(city, title, text, kind="guide", areas=(), **fields):
    item = service.create(kind, title, text, city.zjj, city.editor, areas=areas, fields=fields)
    version = item.versions.get()
    service.submit(version, city.editor)
    service.approve(version, city.admin)
    item.refresh_from_db()
    return item


def titles(found):
    return [f.item.published.title for f in found]


def test_only_published_items_are_found_and_a_new_version_at_once(city):
    guide = publish(city, "补办不动产权证需要哪些材料", "身份证、遗失声明")
    service.create("faq", "不动产权证补办进度", "草稿不可检索", city.zjj, city.editor)
    assert titles(search.search("补办不动产权证")) == ["补办不动产权证需要哪些材料"]
    new = service.revise(guide, city.editor, "补办不动产权证（2026 年新规）", "无需登报")
    service.submit(new, city.editor)
    service.approve(new, city.admin)
    assert titles(search.search("不动产权证新规"))[0] == "补办不动产权证（2026 年新规）"
    service.withdraw(guide, city.admin)
    assert search.search("补办不动产权证") == []


def test_kind_and_area_filters(city):
    publish(city, "华龙区公租房申请", "到区住建局申请", areas=[city.district])
    publish(city, "清丰县公租房申请", "到县住建局申请", areas=[city.other_district])
    publish(city, "公租房政策", "濮政〔2026〕1号", kind="policy")
    in_street = search.search("公租房申请", area=city.street)  # 中原路街道 is in 华龙区
    assert "清丰县公租房申请" not in titles(in_street)
    assert "华龙区公租房申请" in titles(in_street) and "公租房政策" in titles(in_street)
    assert titles(search.search("公租房", kind="policy")) == ["公租房政策"]


def test_the_api_answers_with_highlights_and_refuses_bad_filters_in_words(city):
    from tests.orders.test_api import Api

    publish(city, "社保卡丢失后怎样补办", "到社保服务大厅补办", where="市民之家一楼")
    api = Api(city.operator)
    answer = api.get("/knowledge/search", q="社保卡丢了怎么补办")
    assert answer.status_code == 200
    best = answer.json()[0]
    assert best["title"] == "社保卡丢失后怎样补办" and "补办" in best["matched"]
    assert best["fields"] == {"where": "市民之家一楼"} and best["version"] == 1
    assert api.get("/knowledge/search", q="").json() == []
    assert api.get("/knowledge/search", q="😀" * 100).status_code == 200
    unknown = api.get("/knowledge/search", q="社保", area="999")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_area"
    assert api.get("/knowledge/search", q="社保", kind="nonsense").status_code == 422
