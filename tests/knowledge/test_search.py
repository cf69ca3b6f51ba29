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


@pytest.mark.parametrize(
    "query",
    [
        "社保卡丢了怎么补办" * 1111,  # a 10,000-character paste: its start is read
        "社保卡丟了怎麼補辦",  # traditional characters
        "How do I replace my 社保卡?",
        "SOCIAL SECURITY CARD",
        "\x00\u200b\ufeff",
    ],
)
def test_any_text_gets_an_answer_not_an_error(city, query):
    from tests.orders.test_api import Api

    publish(city, "社保卡丢失后怎样补办", "到社保服务大厅补办")
    answer = Api(city.operator).get("/knowledge/search", q=query[:10_000])
    assert answer.status_code == 200
    if "社保" in query:
        assert answer.json()[0]["title"] == "社保卡丢失后怎样补办"


def test_a_query_over_the_limit_is_refused_in_words(city):
    from tests.orders.test_api import Api

    answer = Api(city.operator).get("/knowledge/search", q="社" * 10_001)
    assert answer.status_code == 422 and "error" in answer.json()


def test_changes_are_searchable_before_the_index_is_rebuilt(city, settings):
    settings.HOTLINE_KNOWLEDGE_REBUILD = "off"  # only the changes answer for new versions
    guide = publish(city, "居住证办理流程", "到辖区派出所办理")
    other = publish(city, "公积金提取条件", "连续缴存满 6 个月")
    assert titles(search.search("居住证")) == ["居住证办理流程"]
    built = search._live.snapshot
    new = service.revise(guide, city.editor, "居住证网上申领", "豫事办APP全程网上办理")
    service.submit(new, city.editor)
    service.approve(new, city.admin)
    assert titles(search.search("居住证网上申领"))[0] == "居住证网上申领"
    assert "居住证办理流程" not in titles(search.search("居住证办理流程"))
    service.withdraw(other, city.admin)
    assert search.search("公积金提取") == []
    assert search._live.snapshot is built  # answered by the changes, not a new index


def test_each_version_is_embedded_once_and_kept(city):
    from tests.nlp.test_embed import real_embedder

    embedder = real_embedder()
    guide = publish(city, "医疗保险费用报销", "持发票到经办机构")
    search.search("医保")
    version = guide.versions.get()
    assert version.vector_model == embedder.name and len(bytes(version.vector)) > 0


def test_a_citys_own_synonyms_are_used_at_once(city):
    from hotline.knowledge.models import SynonymGroup

    def lead(found):  # how far 市民卡办理 is ahead of the other item (scores are relative)
        score = {f.item.published.title: f.score for f in found}
        return score.get("市民卡办理", 0) - score.get("龙都大道交通管制", 0)

    publish(city, "市民卡办理", "到市民卡服务网点办理")
    publish(city, "龙都大道交通管制", "龙都大道部分路段封闭施工")
    before = lead(search.search("龙都卡怎么办"))
    SynonymGroup.objects.create(words="龙都卡 市民卡")
    found = search.search("龙都卡怎么办")
    assert titles(found)[0] == "市民卡办理" and lead(found) > before


@pytest.mark.django_db(transaction=True)
def test_a_new_index_is_built_in_the_background_and_takes_over(city, settings):
    settings.HOTLINE_KNOWLEDGE_REBUILD = "background"
    publish(city, "居住证办理流程", "到辖区派出所办理")
    search.search("居住证")
    built = search._live.snapshot
    publish(city, "公积金提取条件", "连续缴存满 6 个月")
    assert titles(search.search("公积金提取")) == ["公积金提取条件"]  # from the changes
    search.wait_for_build()
    assert search._live.snapshot is not built and search._live.changes is None
    assert titles(search.search("公积金提取")) == ["公积金提取条件"]
