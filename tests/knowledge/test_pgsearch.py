"""Knowledge search on PostgreSQL's full-text index (HOTLINE_KNOWLEDGE_BACKEND="postgres"):
the same answers through the same interface, every change found at once."""

import pytest
from django.db import connection

from hotline.knowledge import pgsearch, search, service
from hotline.knowledge.models import KnowledgeVersion, SynonymGroup
from tests.knowledge.test_search import fresh_index, publish, titles  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def on_postgres(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the postgres backend is tested on PostgreSQL (set DATABASE_URL)")
    settings.HOTLINE_KNOWLEDGE_BACKEND = "postgres"


def test_the_database_finds_the_items_with_highlights_and_filters(city):
    publish(city, "补办不动产权证需要哪些材料", "身份证、遗失声明", where="市民之家")
    publish(city, "华龙区公租房申请", "到区住建局申请", areas=[city.district])
    publish(city, "清丰县公租房申请", "到县住建局申请", areas=[city.other_district])
    publish(city, "公租房政策", "濮政〔2026〕1号", kind="policy")
    found = search.search("我的不动产权证丢了怎么补办")
    assert titles(found)[0] == "补办不动产权证需要哪些材料" and "补办" in found[0].matched
    in_street = titles(search.search("公租房申请", area=city.street))
    assert "清丰县公租房申请" not in in_street and "华龙区公租房申请" in in_street
    assert titles(search.search("公租房", kind="policy")) == ["公租房政策"]
    assert search.search("") == [] and search.search("😀") == []
    assert search._live.snapshot is None  # no index in the process


def test_a_new_version_and_a_withdrawal_are_found_at_once(city):
    guide = publish(city, "居住证办理流程", "到辖区派出所办理")
    new = service.revise(guide, city.editor, "居住证网上申领", "豫事办APP全程网上办理")
    service.submit(new, city.editor)
    service.approve(new, city.admin)
    assert titles(search.search("居住证网上申领")) == ["居住证网上申领"]
    service.withdraw(guide, city.admin)
    assert search.search("居住证") == []


def test_synonyms_and_quotes_in_the_question(city):
    publish(city, "医疗保险费用报销", "持发票到经办机构")
    publish(city, "市民卡办理", "到服务网点办理")
    SynonymGroup.objects.create(words="龙都卡 市民卡")
    assert titles(search.search("医保报销"))[0] == "医疗保险费用报销"
    assert titles(search.search("龙都卡"))[0] == "市民卡办理"
    odd = search.search("it's a 'quote' \\ | & ! ( 市民卡")  # tsquery syntax is quoted away
    assert titles(odd) == ["市民卡办理"]


def test_versions_published_before_the_backend_get_their_words(city):
    guide = publish(city, "社保卡补办", "到社保服务大厅补办")
    KnowledgeVersion.objects.filter(pk=guide.published_id).update(search_title="", search_text="")
    assert search.search("社保卡") == []
    assert pgsearch.fill_missing() == 1
    assert titles(search.search("社保卡")) == ["社保卡补办"]
    version = KnowledgeVersion.objects.get(pk=guide.published_id)
    assert version.vector_model and version.search_text
