"""Knowledge items: written as drafts, reviewed by another editor, published, revised,
withdrawn and expired; units keep their own items current."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hotline.errors import Conflict, Forbidden
from hotline.knowledge import service
from hotline.knowledge.models import KnowledgeItem, KnowledgeVersion
from hotline.knowledge.service import KnowledgeError

pytestmark = pytest.mark.django_db

GUIDE = {"where": "市政务服务中心二楼", "documents": "身份证、不动产权证", "fees": "免费"}


def guide(city, **fields):
    values = dict(
        kind="guide",
        title="补办不动产权证",
        text="权利人持身份证到不动产登记窗口申请，登报声明作废后补发。",
        owner_unit=city.zjj,
        by=city.editor,
        fields=GUIDE,
    )
    values.update(fields)
    return service.create(**values)


def published(city, **fields):
    item = guide(city, **fields)
    version = item.versions.get()
    service.submit(version, city.editor)
    service.approve(version, city.admin)
    item.refresh_from_db()
    return item


def test_a_new_item_is_a_draft_until_another_editor_approves_it(city):
    item = guide(city)
    version = item.versions.get()
    assert item.status == "draft" and version.state == "draft" and item.published is None
    service.submit(version, city.editor)
    with pytest.raises(Forbidden):
        service.approve(version, city.editor)  # four eyes: not the writer
    service.approve(version, city.admin)
    item.refresh_from_db()
    assert item.status == "published" and item.published == version
    assert version.reviewed_by == city.admin and version.state == "published"


def test_a_revision_is_published_over_the_old_text_with_a_diff(city):
    item = published(city)
    new = service.revise(
        item,
        city.editor,
        "补办不动产权证",
        "权利人持身份证到不动产登记窗口申请，无需登报，5个工作日内补发。",
        fields={**GUIDE, "time_limit": "5个工作日"},
        note="取消登报要求",
    )
    assert new.number == 2 and new.state == "draft"
    item.refresh_from_db()
    assert item.published.number == 1  # the public text changes only when approved
    service.submit(new, city.editor)
    service.approve(new, city.admin)
    item.refresh_from_db()
    assert item.published == new
    assert KnowledgeVersion.objects.get(item=item, number=1).state == "superseded"
    changes = service.diff(KnowledgeVersion.objects.get(item=item, number=1), new)
    assert any(line.startswith("+") and "无需登报" in line for line in changes)
    assert "+time_limit: 5个工作日" in changes


def test_a_version_in_review_cannot_be_rewritten_and_one_review_wins(city):
    item = guide(city)
    version = item.versions.get()
    service.submit(version, city.editor)
    with pytest.raises(Conflict):
        service.revise(item, city.editor, "新标题", "新内容")
    stale = KnowledgeVersion.objects.get(pk=version.pk)
    service.send_back(version, city.admin, note="请补充收费标准")
    with pytest.raises(Conflict):
        service.approve(stale, city.admin)  # the send-back came first
    version.refresh_from_db()
    assert version.state == "draft" and version.review_note == "请补充收费标准"


def test_the_owner_units_handlers_keep_their_items_current_others_may_not(city):
    item = published(city)
    service.revise(item, city.handler_zjj, "补办不动产权证", "新的办理流程。")
    with pytest.raises(Forbidden):
        service.revise(item, city.handler_cgj, "补办不动产权证", "别的单位不能改。")
    with pytest.raises(Forbidden):  # a unit writes new items for itself only
        service.create("faq", "问题", "答案", city.zjj, city.handler_cgj)
    assert service.create("faq", "问题", "答案", city.cgj, city.handler_cgj).status == "draft"


def test_bad_input_is_refused_with_the_field(city):
    with pytest.raises(KnowledgeError) as error:
        guide(city, title="  ")
    assert error.value.details["field"] == "title"
    with pytest.raises(KnowledgeError) as error:
        guide(city, fields={"document_number": "濮政〔2026〕1号"})  # a guide has no such field
    assert error.value.code == "unknown_field"
    assert not KnowledgeItem.objects.exists()  # nothing half-written


def test_items_expire_after_their_validity_and_owners_are_reminded_before(city):
    today = timezone.localdate()
    soon = published(city, valid_until=today + timedelta(days=10))
    later = published(city, title="社保卡补办", valid_until=today + timedelta(days=90))
    assert list(service.expiring()) == [soon]
    past = published(city, title="旧政策", valid_until=date(2020, 1, 31))
    assert past.status == "expired"  # published after its end: expired at once
    assert service.expire_due(now=timezone.now() + timedelta(days=11)) == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.status == "expired" and later.status == "published"


def test_a_withdrawn_item_keeps_its_versions(city):
    item = published(city)
    service.withdraw(item, city.admin)
    assert item.status == "withdrawn" and item.versions.count() == 1
    with pytest.raises(Forbidden):
        service.withdraw(item, city.handler_zjj)


def test_the_worker_task_expires_items(city):
    from hotline.knowledge.tasks import expire_items

    item = published(city, valid_until=timezone.localdate() + timedelta(days=1))
    KnowledgeItem.objects.filter(pk=item.pk).update(valid_until=date(2021, 1, 1))
    assert expire_items.enqueue().return_value == 1


def test_a_collaboration_request_is_answered_by_the_unit_and_closed_on_publishing(city):
    from hotline.knowledge.models import CollaborationRequest

    now = timezone.now()
    request = service.ask(
        city.zjj,
        "补充公租房申请条件",
        "请补充 2026 年公租房申请条件的答复口径。",
        now + timedelta(days=5),
        city.editor,
    )
    assert request.state == "open" and not request.is_overdue(now)
    item = service.create(
        "script", "公租房申请条件", "申请人须在本市无住房……", city.zjj, city.editor
    )
    version = item.versions.get()
    with pytest.raises(Forbidden):
        service.answer(request, version, city.handler_cgj)  # not the asked unit
    service.answer(request, version, city.handler_zjj)
    assert request.state == "answered" and version.state == "review"
    service.approve(version, city.admin)
    request.refresh_from_db()
    assert request.state == "closed" and request.closed_at
    late = service.ask(
        city.cgj, "路灯报修电话", "请提供路灯报修电话。", now + timedelta(hours=1), city.editor
    )
    assert list(service.overdue_requests(now + timedelta(hours=2))) == [late]
    assert CollaborationRequest.objects.count() == 2


def test_a_request_with_a_past_deadline_is_refused(city):
    with pytest.raises(KnowledgeError) as error:
        service.ask(city.zjj, "题目", "内容", timezone.now() - timedelta(days=1), city.editor)
    assert error.value.details["field"] == "due_at"
