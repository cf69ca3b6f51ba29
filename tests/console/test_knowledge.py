"""The knowledge workbench and the intake screen's knowledge panel: suggestions from what
is typed, the answer inserted and recorded, feedback, writing, review and usage."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.knowledge import search, service, usage
from hotline.knowledge.models import (
    CollaborationRequest,
    KnowledgeFeedback,
    KnowledgeItem,
    KnowledgeSearch,
    KnowledgeUse,
)
from hotline.orders.models import WorkOrder
from tests.console.test_intake import form
from tests.knowledge.test_search import fresh_index, publish  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def panel(client, **params):
    return client.get("/console/intake/knowledge", params).content.decode()


def test_the_panel_suggests_from_what_the_caller_said_with_highlights(client, city):
    publish(city, "补办不动产权证需要哪些材料", "携带身份证到不动产登记中心", where="市民之家")
    publish(city, "公积金提取条件", "连续缴存满 6 个月")
    client.force_login(city.operator)
    page = panel(client, transcript="坐席：您好，12345。\n市民：我的不动产权证丢了，想补办一个")
    assert "<mark>补办不动产权证</mark>需要哪些材料" in page and "市民之家" in page
    assert "公积金" not in page
    assert KnowledgeSearch.objects.count() == 0  # suggestions while typing are not logged
    assert "补办不动产权证" in panel(client, title="不动产权证补办")


def test_a_typed_search_is_logged_masked_and_a_miss_becomes_a_gap(client, city):
    publish(city, "公积金提取条件", "连续缴存满 6 个月")
    client.force_login(city.operator)
    page = panel(client, knowledge_q="电动车充电桩安装 13812345678")
    assert "知识库中暂无答案" in page
    logged = KnowledgeSearch.objects.get()
    assert "13812345678" not in logged.query and logged.results == 0
    panel(client, knowledge_q="电动车充电桩安装 13812345678")
    gaps = usage.report().gaps
    assert gaps[0]["times"] == 2 and "充电桩" in gaps[0]["query"]


def test_the_inserted_answer_is_recorded_with_the_order(client, city):
    item = publish(city, "社保卡丢失怎样补办", "到社保服务大厅补办，当场出卡")
    client.force_login(city.operator)
    data = form(
        city,
        request_type="consultation",
        answer=item.published.text,
        decision="resolve",
        knowledge_version=item.published_id,
        knowledge_rank=2,
    )
    client.post("/console/intake/", data)
    use = KnowledgeUse.objects.get()
    assert use.order == WorkOrder.objects.get() and use.item == item and use.rank == 2
    report = usage.report()
    assert report.direct == 1 and report.direct_with_knowledge == 1 and report.top5_hits == 1
    assert [used.pk for used in report.most_used] == [item.pk]


def test_an_answer_cleared_after_insertion_is_not_counted(client, city):
    item = publish(city, "社保卡丢失怎样补办", "到社保服务大厅补办")
    client.force_login(city.operator)
    client.post("/console/intake/", form(city, knowledge_version=item.published_id, answer=""))
    assert WorkOrder.objects.count() == 1 and KnowledgeUse.objects.count() == 0


def test_feedback_helped_or_wrong_with_a_reason(client, city):
    item = publish(city, "社保卡丢失怎样补办", "到社保服务大厅补办")
    client.force_login(city.operator)
    url = f"/console/knowledge/{item.pk}/feedback"
    assert client.post(url, {"is_helpful": "1"}).status_code == 200
    refused = client.post(url, {"is_helpful": "0"})
    assert refused.status_code == 400 and KnowledgeFeedback.objects.count() == 1
    client.post(url, {"is_helpful": "0", "comment": "大厅已搬迁"})
    assert usage.report().wrong[0].wrong == 1


def test_an_editor_writes_and_another_publishes_searchable_at_once(client, city):
    client.force_login(city.editor)
    response = client.post(
        "/console/knowledge/new",
        {
            "kind": "guide",
            "title": "居住证办理",
            "text": "到辖区派出所办理",
            "owner_unit": city.zjj.pk,
            "field_where": "辖区派出所",
            "field_topic": "ignored: a guide has no topic",
        },
    )
    item = KnowledgeItem.objects.get()
    assert response.url == f"/console/knowledge/{item.pk}/"
    version = item.versions.get()
    assert version.fields == {"where": "辖区派出所"}
    client.post(f"/console/knowledge/{item.pk}/act/submit", {"version": version.pk})
    own = client.post(f"/console/knowledge/{item.pk}/act/approve", {"version": version.pk})
    assert own.status_code == 302 and search.search("居住证") == []  # four eyes
    client.force_login(city.admin)
    page = client.get(f"/console/knowledge/{item.pk}/").content.decode()
    assert "act/approve" in page
    client.post(f"/console/knowledge/{item.pk}/act/approve", {"version": version.pk})
    assert [f.item.pk for f in search.search("居住证怎么办")] == [item.pk]


def test_a_revision_shows_its_differences_and_keeps_the_published_text_until_approved(client, city):
    item = publish(city, "居住证办理", "到辖区派出所办理")
    client.force_login(city.handler_zjj)  # the owner unit's handler revises its own item
    data = {"kind": "guide", "title": "居住证办理", "text": "网上办理，无需到场", "note": "新规"}
    assert client.post(f"/console/knowledge/{item.pk}/edit", data).status_code == 302
    page = client.get(f"/console/knowledge/{item.pk}/").content.decode()
    assert "<del>-到辖区派出所办理</del>" in page and "<ins>+网上办理，无需到场</ins>" in page
    assert search.search("居住证")[0].item.published.text == "到辖区派出所办理"
    client.force_login(city.handler_cgj)  # another unit may not
    assert client.get(f"/console/knowledge/{item.pk}/edit").status_code == 403


def test_a_unit_is_offered_to_keep_the_answer_of_a_consultation(client, city):
    from tests.factories import order_in

    order = order_in(city, "replied", request_type="consultation")
    WorkOrder.objects.filter(pk=order.pk).update(lead_unit=city.zjj, reply="电话 13812345678 咨询")
    client.force_login(city.handler_zjj)
    assert f"?order={order.number}" in client.get("/console/knowledge/").content.decode()
    page = client.get("/console/knowledge/new", {"order": order.number}).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    client.post(
        "/console/knowledge/new",
        {
            "kind": "faq",
            "title": order.title,
            "text": "答复",
            "owner_unit": city.zjj.pk,
            "order": order.number,
        },
    )
    assert KnowledgeItem.objects.get().source_order == order
    assert f"?order={order.number}" not in client.get("/console/knowledge/").content.decode()


def test_requests_are_asked_answered_and_owners_reminded_before_expiry(client, city):
    client.force_login(city.editor)
    due = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        "/console/knowledge/requests",
        {"unit": city.zjj.pk, "subject": "公租房申请口径", "text": "请撰写", "due_at": due},
    )
    asked = CollaborationRequest.objects.get()
    client.force_login(city.handler_zjj)
    assert "公租房申请口径" in client.get("/console/knowledge/requests").content.decode()
    client.post(
        f"/console/knowledge/new?request={asked.pk}",
        {
            "kind": "script",
            "title": "公租房申请口径",
            "text": "按年度申请",
            "owner_unit": city.zjj.pk,
            "request": asked.pk,
        },
    )
    asked.refresh_from_db()
    assert asked.state == "answered" and asked.answer.state == "review"

    soon = publish(city, "2026 年供暖补贴", "每户 300 元")
    service.set_details(soon, city.editor, valid_until=timezone.localdate() + timedelta(days=5))
    assert service.remind_expiring() == 1 and service.remind_expiring() == 0
    reminder = CollaborationRequest.objects.get(item=soon)
    assert reminder.unit == city.zjj and reminder.asked_by is None


def test_usage_page_for_editors_only(client, city):
    client.force_login(city.editor)
    assert client.get("/console/knowledge/usage").status_code == 200
    client.force_login(city.operator)
    assert client.get("/console/knowledge/usage").status_code == 403
    assert client.get("/console/knowledge/").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["", "😀😀", "補辦不動產權證", "How do I replace my property certificate?", "补办" * 5000],
)
def test_the_panel_takes_any_text(client, city, query):
    publish(city, "补办不动产权证需要哪些材料", "携带身份证")
    client.force_login(city.operator)
    response = client.get("/console/intake/knowledge", {"knowledge_q": query})
    assert response.status_code == 200


def test_a_handler_who_answers_a_consultation_is_offered_to_keep_the_answer(client, city):
    from tests.factories import order_in

    order = order_in(city, "accepted", request_type="consultation")
    client.force_login(city.handler_cgj)
    url = f"/console/orders/{order.number}/act/reply"
    page = client.post(
        url, {"note": "可到市民之家办理", "expected_version": order.version}, follow=True
    ).content.decode()
    assert f"/console/knowledge/new?order={order.number}" in page
    complaint = order_in(city, "accepted")
    page = client.post(
        f"/console/orders/{complaint.number}/act/reply",
        {"note": "已处理", "expected_version": complaint.version},
        follow=True,
    ).content.decode()
    assert "knowledge/new" not in page


def test_a_file_is_imported_in_the_background_with_a_report_of_what_was_skipped(
    client, city, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hotline.knowledge.models import KnowledgeImport

    settings.MEDIA_ROOT = tmp_path
    rows = (
        "标题,内容,类型\n居住证办理,到派出所办理,办事指南\n"
        ",没有标题的一行,常见问题\n社保卡补办,到大厅补办,未知类型\n"
    )
    upload = SimpleUploadedFile("知识.csv", rows.encode("gb18030"), content_type="text/csv")
    client.force_login(city.editor)
    response = client.post(
        "/console/knowledge/import",
        {"file": upload, "owner_unit": city.zjj.pk, "kind": "", "publish": "on"},
    )
    job = KnowledgeImport.objects.get()
    assert response.url == f"/console/knowledge/import/{job.pk}"
    assert job.state == "done" and job.report["created"] == 1 and len(job.report["skipped"]) == 2
    page = client.get(response.url).content.decode()
    assert "第 3 行" in page and "未知类型" in page
    assert [f.item.published.title for f in search.search("居住证")] == ["居住证办理"]


def test_a_handler_imports_for_its_own_unit_only_and_cannot_publish(
    client, city, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hotline.knowledge.models import KnowledgeImport

    settings.MEDIA_ROOT = tmp_path
    client.force_login(city.handler_zjj)
    page = client.get("/console/knowledge/import").content.decode()
    assert 'name="publish"' not in page
    upload = SimpleUploadedFile("a.csv", "标题,内容\n问,答\n".encode(), content_type="text/csv")
    response = client.post("/console/knowledge/import", {"file": upload, "owner_unit": city.cgj.pk})
    assert response.status_code == 200 and KnowledgeImport.objects.count() == 0
    upload = SimpleUploadedFile("坏.pdf", b"not a pdf", content_type="application/pdf")
    client.post("/console/knowledge/import", {"file": upload, "owner_unit": city.zjj.pk})
    job = KnowledgeImport.objects.get()
    assert job.state == "failed" and "坏.pdf" in job.report["error"]
